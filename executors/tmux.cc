#include "tmux.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <sstream>

#include "fleet_contract.h"
#include "name_rules.h"

namespace mosaic {
namespace {

// One line per pane. The session name is last: it is the only field a foreign session could
// fill with the separator. Our own option values never contain tabs (roster text has no
// control characters; hashes are hex).
std::string PaneFormat() {
  return fmt::format(
      "#{{pid}}\t#{{pane_pid}}\t#{{pane_dead}}\t#{{pane_dead_status}}\t#{{pane_dead_signal}}\t"
      "#{{pane_index}}\t"
      "#{{{}}}\t#{{{}}}\t#{{{}}}\t#{{{}}}\t#{{{}}}\t#{{window_activity}}\t#{{session_name}}",
      kOptionOwner, kOptionRuntime, kOptionCommand, kOptionEnv, kOptionWorkdir);
}

std::vector<std::string> Split(const std::string& line, char sep, size_t max_fields) {
  std::vector<std::string> fields;
  size_t start = 0;
  while (fields.size() + 1 < max_fields) {
    size_t end = line.find(sep, start);
    if (end == std::string::npos) break;
    fields.push_back(line.substr(start, end - start));
    start = end + 1;
  }
  fields.push_back(line.substr(start));
  return fields;
}

int64_t ToInt(const std::string& s) {
  int64_t v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

std::string Exact(const std::string& name) { return "=" + name; }

// Names reach tmux's -s and -t, where tmux expands formats and parses ':' and '.'.
Status CheckName(const std::string& name) {
  return CheckSessionName("refusing tmux session name", name);
}

}  // namespace

bool IsNoServerMessage(const std::string& err) {
  // "server exited unexpectedly": it was shutting down as we connected; gone all the same.
  return err.find("no server running") != std::string::npos ||
         err.find("server exited unexpectedly") != std::string::npos ||
         err.find("error connecting to") != std::string::npos ||
         err.find("No such file or directory") != std::string::npos;
}

std::string TmuxLiteral(const std::string& arg) {
  if (arg.empty() || arg.back() != ';') return arg;
  return arg.substr(0, arg.size() - 1) + "\\;";
}

Result<Tmux> Tmux::ForSocket(const std::string& socket, ProcessRunner& runner,
                             TmuxOptions options) {
  if (socket.empty())
    return Status::Error(
        "refusing to run tmux without a socket name (-L): that is the default socket");
  if (socket == "default")
    return Status::Error(
        "refusing to use the tmux socket named \"default\": it is the user's default tmux server");
  if (auto why = ExplainNameViolation(NameRule::kSocket, socket, kMaxNameLength))
    return Status::Error(fmt::format("refusing tmux socket name {}: {}", Quoted(socket), *why));
  if (!options.socket_path.empty() && !options.socket_path.starts_with("/"))
    return Status::Error(fmt::format("refusing tmux socket path {}: it must be absolute",
                                     Quoted(options.socket_path)));
  return Tmux(socket, runner, std::move(options));
}

Result<Tmux> Tmux::Sibling(const std::string& socket) const {
  TmuxOptions options = options_;
  if (!options.socket_path.empty())
    options.socket_path =
        options.socket_path.substr(0, options.socket_path.rfind('/') + 1) + socket;
  return ForSocket(socket, *runner_, std::move(options));
}

std::string Tmux::Describe() const {
  return options_.socket_path.empty() ? "tmux -L " + socket_ : "tmux -S " + options_.socket_path;
}

ProcessRequest Tmux::Request(bool may_start_server,
                             const std::vector<TmuxCommand>& commands) const {
  ProcessRequest request;
  request.argv = {"tmux"};
  if (options_.socket_path.empty())
    request.argv.insert(request.argv.end(), {"-L", socket_});
  else
    request.argv.insert(request.argv.end(), {"-S", options_.socket_path});
  if (!may_start_server) request.argv.push_back("-N");
  for (size_t i = 0; i < commands.size(); ++i) {
    if (i > 0) request.argv.push_back(";");  // the only separator: every argument is literal
    for (const std::string& arg : commands[i]) request.argv.push_back(TmuxLiteral(arg));
  }
  request.unset_env = {"TMUX", "TMUX_PANE"};
  request.timeout = options_.timeout;
  return request;
}

Result<ProcessResult> Tmux::Invoke(bool may_start_server, const std::vector<TmuxCommand>& commands,
                                   std::optional<std::string> input) const {
  ProcessRequest request = Request(may_start_server, commands);
  request.input = std::move(input);
  Result<ProcessResult> r = runner_->Run(request);
  if (r.ok() && r.value().timed_out)
    return Status::Error(fmt::format(
        "{} did not answer within {} s: the fleet's tmux server may be stopped or wedged "
        "(`ps -o pid,stat,cmd -C tmux` shows a T state for a stopped one); wait longer with "
        "--timeout SECONDS",
        Describe(), std::chrono::duration<double>(options_.timeout).count()));
  return r;
}

Result<ProcessResult> Tmux::Run(const std::vector<TmuxCommand>& commands) const {
  return Invoke(false, commands);
}

Result<ProcessResult> Tmux::RunWithInput(const std::vector<TmuxCommand>& commands,
                                         std::string input) const {
  return Invoke(false, commands, std::move(input));
}

Result<TerminalResult> Tmux::RunInTerminal(const std::vector<TmuxCommand>& commands) const {
  ProcessRequest request = Request(false, commands);
  request.timeout = std::chrono::milliseconds(0);  // as long as the user watches
  return runner_->RunInTerminal(request);
}

Result<std::string> Tmux::PaneTarget(const std::string& name) {
  if (Status s = CheckName(name); !s.ok()) return s;
  return Exact(name) + ":";
}

Result<ProcessResult> Tmux::StartServerWithHolder(const std::vector<TmuxCommand>& commands) const {
  return Invoke(true, commands);
}

namespace {

// The sessions in list-panes output of PaneFormat() lines.
void ReadPanes(const std::string& out, TmuxSessions& result) {
  size_t start = 0;
  while (start < out.size()) {
    size_t end = out.find('\n', start);
    std::string line =
        out.substr(start, end == std::string::npos ? std::string::npos : end - start);
    start = end == std::string::npos ? out.size() : end + 1;
    std::vector<std::string> f = Split(line, '\t', 13);
    if (f.size() != 13) continue;
    result.server_pid = ToInt(f[0]);
    const std::string& name = f[12];
    // A session's identity is its first pane: the one the tool created it with.
    if (result.sessions.contains(name)) continue;
    ObservedSession s;
    s.name = name;
    s.pane_pid = ToInt(f[1]);
    s.dead = f[2] == "1";
    if (s.dead && !f[3].empty()) s.dead_status = static_cast<int>(ToInt(f[3]));
    if (s.dead && !f[4].empty()) s.dead_signal = static_cast<int>(ToInt(f[4]));
    s.owner = f[6];
    s.runtime = f[7];
    s.command_hash = f[8];
    s.env_hash = f[9];
    s.workdir = f[10];
    s.activity = ToInt(f[11]);
    result.sessions[name] = std::move(s);
  }
}

}  // namespace

Result<TmuxSessions> Tmux::ListSessions() const {
  Result<ProcessResult> r = Run({{"list-panes", "-a", "-F", PaneFormat()}});
  if (!r.ok()) return r.status();
  TmuxSessions result;
  if (r.value().exit_code != 0) {
    if (IsNoServerMessage(r.value().err)) return result;
    return Status::Error(fmt::format("{} list-panes failed: {}", Describe(), r.value().err));
  }
  result.server_running = true;
  ReadPanes(r.value().out, result);
  return result;
}

Result<TmuxSessions> Tmux::ListSession(const std::string& name) const {
  if (Status s = CheckName(name); !s.ok()) return s;
  // "=NAME:" and never "=NAME": list-panes reads -t as a window, and "=NAME" would first match
  // a window called NAME in another session (an agent named after a program, say).
  Result<ProcessResult> r =
      Run({{"list-panes", "-s", "-t", Exact(name) + ":", "-F", PaneFormat()}});
  if (!r.ok()) return r.status();
  TmuxSessions result;
  if (r.value().exit_code != 0) {
    if (IsNoServerMessage(r.value().err)) return result;
    result.server_running = true;
    if (r.value().err.starts_with("can't find session")) return result;
    return Status::Error(
        fmt::format("{} list-panes -t {}: failed: {}", Describe(), Exact(name), r.value().err));
  }
  result.server_running = true;
  ReadPanes(r.value().out, result);
  return result;
}

Result<RunningSession> Tmux::DescribeSession(const std::string& name) const {
  Result<std::string> target = PaneTarget(name);
  if (!target.ok()) return target.status();
  // Fields apart by a character no command line or path holds in practice (US, 0x1f).
  Result<ProcessResult> r =
      Run({{"display-message", "-p", "-t", target.value(),
            "#{pane_start_command}\x1f#{pane_current_command}\x1f#{pane_current_path}"}});
  if (!r.ok()) return r.status();
  if (r.value().exit_code != 0)
    return Status::Error(fmt::format("{} display-message -t {} failed: {}", Describe(),
                                     target.value(), r.value().err));
  std::string out = r.value().out;
  if (!out.empty() && out.back() == '\n') out.pop_back();
  std::vector<std::string> f = Split(out, '\x1f', 3);
  if (f.size() != 3)
    return Status::Error(
        fmt::format("{} gave an unreadable description of session {}", Describe(), Quoted(name)));
  RunningSession session;
  session.name = name;
  session.start_command = f[0];
  session.current_command = f[1];
  session.directory = f[2];
  return session;
}

Status Tmux::NewSession(const std::string& name, const std::vector<std::string>& argv,
                        const SessionRecord& record) const {
  Result<CreatedSession> created = CreateSession(name, argv, record);
  if (!created.ok()) return created.status();
  switch (created.value().outcome) {
    case CreatedSession::Outcome::kCreated:
      return Status::Ok();
    case CreatedSession::Outcome::kNameTaken:
      return Status::Error(
          fmt::format("{} new-session {} failed: a session of that name exists", Describe(), name));
    case CreatedSession::Outcome::kNoServer:
      break;
  }
  return Status::Error(
      fmt::format("{} new-session {} failed: the server is not running", Describe(), name));
}

Result<CreatedSession> Tmux::CreateSession(const std::string& name,
                                           const std::vector<std::string>& argv,
                                           const SessionRecord& record) const {
  if (Status s = CheckName(name); !s.ok()) return s;
  if (argv.size() < 2)
    return Status::Error(
        "a session's program needs at least two words (tmux runs one word "
        "through a shell)");
  std::vector<TmuxCommand> commands = {
      {"new-session", "-d", "-P", "-F", "#{pane_pid}", "-s", name, "--"}};
  commands[0].insert(commands[0].end(), argv.begin(), argv.end());
  auto set = [&](std::string_view option, const std::string& value) {
    // "=NAME:" (exact session, its current window): tmux 3.3's set-option rejects "=NAME".
    commands.push_back({"set-option", "-t", Exact(name) + ":", std::string(option), value});
  };
  set(kOptionOwner, record.owner);
  set(kOptionRuntime, record.runtime);
  set(kOptionWorkdir, record.workdir);
  set(kOptionCommand, record.command_hash);
  set(kOptionEnv, record.env_hash);
  Result<ProcessResult> r = Run(commands);
  if (!r.ok()) return r.status();
  const std::string& err = r.value().err;
  // new-session failed before the server made anything: the record was never set.
  if (r.value().exit_code != 0 && err.starts_with("duplicate session"))
    return CreatedSession{CreatedSession::Outcome::kNameTaken};
  if (r.value().exit_code != 0 && IsNoServerMessage(err))
    return CreatedSession{CreatedSession::Outcome::kNoServer};
  if (r.value().exit_code != 0)
    return Status::Error(fmt::format("{} new-session {} failed: {}", Describe(), name, err));
  return CreatedSession{CreatedSession::Outcome::kCreated, ToInt(r.value().out)};
}

Status Tmux::KillViewersOf(const std::string& name) const {
  Result<ProcessResult> listed =
      Run({{"list-sessions", "-F",
            fmt::format("#{{session_group}}\t#{{{}}}\t#{{session_name}}", kOptionOwner)}});
  if (!listed.ok()) return listed.status();
  if (listed.value().exit_code != 0) return Status::Ok();  // no server: no viewer either
  std::vector<TmuxCommand> kills;
  std::stringstream lines(listed.value().out);
  const std::string prefix = fmt::format("{}\t{}\t", name, kOwnerViewer);
  for (std::string line; std::getline(lines, line);) {
    if (!line.starts_with(prefix)) continue;
    std::string viewer = line.substr(prefix.size());
    if (!CheckName(viewer).ok()) continue;
    // Checked again inside the server: only a viewer is ever killed here.
    kills.push_back({"if-shell", "-F", "-t", Exact(viewer) + ":",
                     fmt::format("#{{==:#{{{}}},{}}}", kOptionOwner, kOwnerViewer),
                     fmt::format("kill-session -t {}", Exact(viewer))});
  }
  if (kills.empty()) return Status::Ok();
  Result<ProcessResult> killed = Run(kills);
  return killed.status();
}

Status Tmux::KillOwnedSession(const std::string& name) const {
  if (Status s = CheckName(name); !s.ok()) return s;
  // Viewers first (`agent watch`): a viewer shares the session's window, and while one is
  // left, the window and the agent's program in it would outlive the session.
  if (Status viewers = KillViewersOf(name); !viewers.ok()) return viewers;
  // The checks and the kill run inside the server, as one queued command: first that the
  // session exists (a missing target leaves #{session_name} empty), then that the tool made
  // it. (The inner commands are parsed by tmux; a checked name needs no quoting there.)
  constexpr char kNotOwned[] = "mosaic-fleet: not owned";
  std::string owned = fmt::format(
      "if-shell -F -t {0}: \"#{{==:#{{{1}}},{2}}}\" \"kill-session -t {0}\" "
      "\"display-message -p '{3}'\"",
      Exact(name), kOptionOwner, kOwnerAgent, kNotOwned);
  Result<ProcessResult> r = Run({{"if-shell", "-F", "-t", Exact(name) + ":",
                                  fmt::format("#{{==:#{{session_name}},{}}}", name), owned}});
  if (!r.ok()) return r.status();
  const ProcessResult& p = r.value();
  if (p.out.find(kNotOwned) != std::string::npos)
    return Status::Error(fmt::format(
        "refusing to kill session {} on {}: it was not created by mosaic-fleet", name, Describe()));
  if (p.exit_code == 0 || IsNoServerMessage(p.err) ||
      p.err.find("can't find session") != std::string::npos)
    return Status::Ok();
  return Status::Error(fmt::format("{} kill-session -t ={} failed: {}", Describe(), name, p.err));
}

Result<bool> Tmux::KillServerIfOnlyOurs() const {
  // "x" for each session whose @mosaic-owner is none of the tool's: empty when all are.
  const std::string strangers = fmt::format(
      "#{{S:#{{?#{{||:#{{==:#{{{0}}},{1}}},#{{||:#{{==:#{{{0}}},{2}}},#{{==:#{{{0}}},{3}}}}}}},,"
      "x}}}}",
      kOptionOwner, kOwnerAgent, kOwnerHolder, kOwnerViewer);
  constexpr char kKept[] = "mosaic-fleet: kept";
  Result<ProcessResult> r = Run({{"if-shell", "-F", fmt::format("#{{==:{},}}", strangers),
                                  "kill-server", fmt::format("display-message -p '{}'", kKept)}});
  if (!r.ok()) return r.status();
  if (r.value().out.find(kKept) != std::string::npos) return false;
  if (r.value().exit_code == 0 || IsNoServerMessage(r.value().err)) return true;
  return Status::Error(fmt::format("{} kill-server failed: {}", Describe(), r.value().err));
}

Status Tmux::KillAdoptedSession(const std::string& name) const {
  if (Status s = CheckName(name); !s.ok()) return s;
  Result<ProcessResult> r = Run({{"kill-session", "-t", Exact(name)}});
  if (!r.ok()) return r.status();
  const ProcessResult& p = r.value();
  if (p.exit_code == 0 || IsNoServerMessage(p.err) ||
      p.err.find("can't find session") != std::string::npos)
    return Status::Ok();
  return Status::Error(fmt::format("{} kill-session -t ={} failed: {}", Describe(), name, p.err));
}

std::string WatchChannel(const std::string& name) { return std::string(kChannelPrefix) + name; }

Status Tmux::WatchSession(const std::string& name) const {
  if (Status s = CheckName(name); !s.ok()) return s;
  // The server-wide hook names the closed session, stripped to safe characters: any session
  // name, foreign ones included, reaches a wait-for channel, never a shell or a command.
  std::string closed = fmt::format(
      "run-shell -C \"wait-for -S '{}#{{s/[^A-Za-z0-9_-]//:hook_session_name}}'\"", kChannelPrefix);
  Result<ProcessResult> r =
      Run({{"set-hook", "-t", Exact(name) + ":", "pane-died", "wait-for -S " + WatchChannel(name)},
           {"set-hook", "-g", fmt::format("session-closed[{}]", kSessionClosedHookIndex), closed}});
  if (!r.ok()) return r.status();
  if (r.value().exit_code != 0)
    return Status::Error(fmt::format("{} set-hook failed: {}", Describe(), r.value().err));
  return Status::Ok();
}

Result<bool> Tmux::WaitFor(const std::string& channel, std::chrono::milliseconds bound) const {
  // A channel is a prefix and a session name: longer than a name may be, as safe.
  bool safe = !channel.empty() && channel.size() <= 2 * kMaxNameLength &&
              std::all_of(channel.begin(), channel.end(), [](char c) {
                return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
              });
  if (!safe) return Status::Error(fmt::format("refusing tmux channel {}", Quoted(channel)));
  ProcessRequest request{
      {"tmux", "-L", socket_, "-N", "wait-for", channel}, {"TMUX", "TMUX_PANE"}, bound};
  if (!options_.socket_path.empty()) request.argv[1] = "-S", request.argv[2] = options_.socket_path;
  Result<ProcessResult> r = runner_->Run(request);
  if (!r.ok()) return r.status();
  return !r.value().timed_out;
}

Result<std::vector<std::string>> Tmux::CapturePane(const std::string& name, int lines) const {
  if (Status s = CheckName(name); !s.ok()) return s;
  Result<ProcessResult> r =
      Run({{"capture-pane", "-p", "-t", Exact(name) + ":", "-S", std::to_string(-lines)}});
  if (!r.ok()) return r.status();
  if (r.value().exit_code != 0)
    return Status::Error(fmt::format("{} capture-pane failed: {}", Describe(), r.value().err));
  std::vector<std::string> out;
  std::stringstream text(r.value().out);
  for (std::string line; std::getline(text, line);)
    if (!line.starts_with("Pane is dead")) out.push_back(line);
  while (!out.empty() && out.back().empty()) out.pop_back();  // the screen below the output
  if (out.size() > static_cast<size_t>(lines)) out.erase(out.begin(), out.end() - lines);
  return out;
}

Status Tmux::KillServer() const {
  Result<ProcessResult> r = Run({{"kill-server"}});
  if (!r.ok()) return r.status();
  if (r.value().exit_code == 0 || IsNoServerMessage(r.value().err)) return Status::Ok();
  return Status::Error(fmt::format("{} kill-server failed: {}", Describe(), r.value().err));
}

}  // namespace mosaic
