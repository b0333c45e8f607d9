#include "agent_pane.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <optional>
#include <sstream>

#include "fleet_contract.h"

namespace mosaic {
namespace {

int64_t Number(const std::string& field, int64_t otherwise) {
  int64_t value = otherwise;
  std::from_chars(field.data(), field.data() + field.size(), value);
  return value;
}

std::vector<std::string> Rows(const std::string& text, bool keep_trailing_blanks = false) {
  std::vector<std::string> rows;
  std::stringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    // tmux's own line under a dead pane (remain-on-exit) is not the program's output.
    if (line.starts_with("Pane is dead")) continue;
    while (!line.empty() && line.back() == ' ') line.pop_back();
    rows.push_back(line);
  }
  while (!keep_trailing_blanks && !rows.empty() && rows.back().empty())
    rows.pop_back();  // the screen below the output
  return rows;
}

}  // namespace

Result<ProcessResult> AgentPane::Checked(const std::vector<TmuxCommand>& commands,
                                         std::string_view what) const {
  Result<ProcessResult> r = tmux_->Run(commands);
  if (!r.ok() || r.value().exit_code == 0) return r;
  const std::string& err = r.value().err;
  if (IsNoServerMessage(err))
    return Status::Error(fmt::format(
        "no tmux server on {}: the fleet is not running (`mosaic-fleet apply` starts it)",
        tmux_->Describe()));
  if (err.find("can't find") != std::string::npos)
    return Status::Error(fmt::format(
        "no session {} on {}: the agent is not running (`mosaic-fleet status {}` says why)", name_,
        tmux_->Describe(), name_));
  std::string reason = err.substr(0, err.find('\n'));
  return Status::Error(fmt::format("{} {} failed: {}", tmux_->Describe(), what, reason));
}

namespace {

// One line describing the pane; the owner is last: a foreign session's option value could
// hold the separator.
std::string StateFormat() {
  return fmt::format(
      "#{{session_name}}\t#{{pane_pid}}\t#{{pane_dead}}\t#{{pane_dead_status}}\t"
      "#{{pane_dead_signal}}\t#{{alternate_on}}\t#{{history_size}}\t#{{cursor_y}}\t"
      "#{{history_limit}}\t#{{pid}}\t#{{{}}}",
      kOptionOwner);
}

std::optional<PaneState> ParseState(const std::string& line, const std::string& name) {
  std::vector<std::string> fields;
  size_t start = 0;
  for (size_t tab; fields.size() < 10 && (tab = line.find('\t', start)) != std::string::npos;
       start = tab + 1)
    fields.push_back(line.substr(start, tab - start));
  fields.push_back(line.substr(start));
  if (fields.size() != 11 || fields[0] != name) return std::nullopt;
  PaneState state;
  state.session.name = name;
  state.session.pane_pid = Number(fields[1], 0);
  state.session.dead = fields[2] == "1";
  state.session.dead_status = fields[3].empty() ? -1 : static_cast<int>(Number(fields[3], -1));
  state.session.dead_signal = fields[4].empty() ? -1 : static_cast<int>(Number(fields[4], -1));
  state.alternate_screen = fields[5] == "1";
  state.history_size = Number(fields[6], 0);
  state.cursor_y = Number(fields[7], 0);
  state.history_limit = Number(fields[8], 0);
  state.server_pid = Number(fields[9], 0);
  state.session.owner = fields[10];
  return state;
}

}  // namespace

Result<PaneState> AgentPane::Inspect() const {
  Result<std::string> target = Tmux::PaneTarget(name_);
  if (!target.ok()) return target.status();
  Result<ProcessResult> r =
      Checked({{"display-message", "-p", "-t", target.value(), StateFormat()}}, "display-message");
  if (!r.ok()) return r.status();
  std::optional<PaneState> state =
      ParseState(r.value().out.substr(0, r.value().out.find('\n')), name_);
  if (!state)
    return Status::Error(
        fmt::format("no session {} on {}: the agent is not running", name_, tmux_->Describe()));
  return *state;
}

Result<PaneSnapshot> AgentPane::Snapshot(int64_t back) const {
  Result<std::string> target = Tmux::PaneTarget(name_);
  if (!target.ok()) return target.status();
  // One tmux process, one queue of commands: the server runs both before it reads the pane's
  // program again, so the state and the rows describe the same moment.
  Result<ProcessResult> r = Checked(
      {{"display-message", "-p", "-t", target.value(), StateFormat()},
       {"capture-pane", "-p", "-t", target.value(), "-S", std::to_string(-back), "-E", "-"}},
      "capture-pane");
  if (!r.ok()) return r.status();
  const std::string& out = r.value().out;
  size_t newline = out.find('\n');
  std::optional<PaneState> state = ParseState(out.substr(0, newline), name_);
  if (!state)
    return Status::Error(
        fmt::format("no session {} on {}: the agent is not running", name_, tmux_->Describe()));
  PaneSnapshot snapshot{*state, {}, std::min(back, state->history_size)};
  std::stringstream rows(newline == std::string::npos ? "" : out.substr(newline + 1));
  for (std::string row; std::getline(rows, row);) {
    while (!row.empty() && row.back() == ' ') row.pop_back();
    snapshot.rows.push_back(std::move(row));
  }
  return snapshot;
}

Status AgentPane::Paste(const std::string& text, const std::string& buffer) const {
  Result<std::string> target = Tmux::PaneTarget(name_);
  if (!target.ok()) return target.status();
  Result<ProcessResult> r =
      tmux_->RunWithInput({{"load-buffer", "-b", buffer, "-"},
                           {"paste-buffer", "-p", "-d", "-b", buffer, "-t", target.value()}},
                          text);
  if (r.ok() && r.value().exit_code == 0) return Status::Ok();
  // The paste did not happen: the buffer must not stay behind with the message in it.
  (void)tmux_->Run({{"delete-buffer", "-b", buffer}});
  if (!r.ok()) return r.status();
  std::string reason = r.value().err.substr(0, r.value().err.find('\n'));
  return Status::Error(
      fmt::format("{} could not paste into {}: {}", tmux_->Describe(), name_, reason));
}

Status AgentPane::Type(const std::string& keys) const {
  Result<std::string> target = Tmux::PaneTarget(name_);
  if (!target.ok()) return target.status();
  return Checked({{"send-keys", "-l", "-t", target.value(), "--", keys}}, "send-keys").status();
}

Status AgentPane::PressEnter() const {
  Result<std::string> target = Tmux::PaneTarget(name_);
  if (!target.ok()) return target.status();
  return Checked({{"send-keys", "-t", target.value(), "Enter"}}, "send-keys").status();
}

Result<std::vector<std::string>> AgentPane::Screen() const {
  Result<std::string> target = Tmux::PaneTarget(name_);
  if (!target.ok()) return target.status();
  Result<ProcessResult> r = Checked({{"capture-pane", "-p", "-t", target.value()}}, "capture-pane");
  if (!r.ok()) return r.status();
  return Rows(r.value().out);
}

Result<std::vector<std::string>> AgentPane::LastLines(int count) const {
  Result<std::string> target = Tmux::PaneTarget(name_);
  if (!target.ok()) return target.status();
  Result<ProcessResult> r =
      Checked({{"capture-pane", "-p", "-J", "-t", target.value(), "-S", std::to_string(-count)}},
              "capture-pane");
  if (!r.ok()) return r.status();
  std::vector<std::string> rows = Rows(r.value().out);
  if (rows.size() > static_cast<size_t>(count)) rows.erase(rows.begin(), rows.end() - count);
  return rows;
}

Status AgentPane::OpenViewer(const std::string& viewer) const {
  Result<std::string> agent = Tmux::PaneTarget(name_);
  Result<std::string> target = Tmux::PaneTarget(viewer);
  if (!agent.ok()) return agent.status();
  if (!target.ok()) return target.status();
  // A window takes the size of its clients, and an ignore-size client counts when it is the
  // only one (a headless agent has none): the agent's window is pinned to its size while
  // viewers look (window-size manual), its own setting kept aside in @mosaic-window-size
  // by the first viewer and put back by the last (CloseViewer).
  auto local = [&](std::string_view option) -> Result<std::string> {
    Result<ProcessResult> r = Checked(
        {{"show-options", "-wqv", "-t", agent.value(), std::string(option)}}, "show-options");
    if (!r.ok()) return r.status();
    return r.value().out.substr(0, r.value().out.find('\n'));
  };
  Result<std::string> pinned_by_another = local(kOptionWindowSize);
  if (!pinned_by_another.ok()) return pinned_by_another.status();
  if (pinned_by_another.value().empty()) {
    Result<std::string> own = local("window-size");
    if (!own.ok()) return own.status();
    if (Status pinned =
            Checked({{"set-option", "-w", "-t", agent.value(), std::string(kOptionWindowSize),
                      own.value().empty() ? "-" : own.value()},
                     {"set-option", "-w", "-t", agent.value(), "window-size", "manual"}},
                    "set-option")
                .status();
        !pinned.ok())
      return pinned;
  }
  std::string group = agent.value().substr(0, agent.value().size() - 1);  // "=NAME"
  // has-session first, in the same queue: tmux would take a missing target for the name of a
  // new group, and the viewer would be a fresh shell's.
  return Checked({{"has-session", "-t", group},
                  {"new-session", "-d", "-s", viewer, "-t", group},
                  {"set-option", "-t", target.value(), std::string(kOptionOwner), kOwnerViewer}},
                 "new-session")
      .status();
}

Result<TerminalResult> AgentPane::AttachViewer(const std::string& viewer) const {
  Result<std::string> target = Tmux::PaneTarget(viewer);
  if (!target.ok()) return target.status();
  // destroy-unattached only once attached: tmux destroys an unattached session carrying it
  // at once. From then on, the client's end (a closed terminal, a kill) ends the viewer too.
  return tmux_->RunInTerminal(
      {{"attach-session", "-f", "read-only,ignore-size", "-t", target.value()},
       {"set-option", "-t", target.value(), "destroy-unattached", "on"}});
}

Status AgentPane::CloseViewer(const std::string& viewer) const {
  Result<std::string> agent = Tmux::PaneTarget(name_);
  Result<std::string> target = Tmux::PaneTarget(viewer);
  if (!agent.ok()) return agent.status();
  if (!target.ok()) return target.status();
  std::string session = target.value().substr(0, target.value().size() - 1);
  // Checked and killed in one step inside the server: only a viewer is ever killed here.
  Result<ProcessResult> r =
      tmux_->Run({{"if-shell", "-F", "-t", target.value(),
                   fmt::format("#{{==:#{{{}}},{}}}", kOptionOwner, kOwnerViewer),
                   fmt::format("kill-session -t {}", session)}});
  if (!r.ok()) return r.status();
  const std::string& err = r.value().err;
  if (r.value().exit_code != 0 && !IsNoServerMessage(err) &&
      err.find("can't find") == std::string::npos)
    return Status::Error(fmt::format("{} could not remove viewer {}: {}", tmux_->Describe(), viewer,
                                     err.substr(0, err.find('\n'))));
  if (IsNoServerMessage(err)) return Status::Ok();

  // The last viewer gone, the agent's window gets its own size setting back.
  Result<ProcessResult> sessions =
      tmux_->Run({{"list-sessions", "-F",
                   fmt::format("#{{session_group}}\t#{{{}}}\t#{{session_name}}", kOptionOwner)}});
  if (!sessions.ok() || sessions.value().exit_code != 0) return Status::Ok();  // server gone
  std::stringstream lines(sessions.value().out);
  for (std::string line; std::getline(lines, line);)
    if (line.starts_with(fmt::format("{}\t{}\t", name_, kOwnerViewer))) return Status::Ok();
  Result<ProcessResult> saved =
      tmux_->Run({{"show-options", "-wqv", "-t", agent.value(), std::string(kOptionWindowSize)}});
  if (!saved.ok() || saved.value().exit_code != 0) return Status::Ok();  // the agent is gone
  std::string own = saved.value().out.substr(0, saved.value().out.find('\n'));
  if (own.empty()) return Status::Ok();  // never pinned
  std::vector<TmuxCommand> restore = {
      own == "-" ? TmuxCommand{"set-option", "-wu", "-t", agent.value(), "window-size"}
                 : TmuxCommand{"set-option", "-w", "-t", agent.value(), "window-size", own},
      {"set-option", "-wu", "-t", agent.value(), std::string(kOptionWindowSize)}};
  return Checked(restore, "set-option").status();
}

}  // namespace mosaic
