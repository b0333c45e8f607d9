// `agent tail` and `agent watch`: the verbs that only look at an agent's pane.
#include <fmt/format.h>

#include <chrono>

#include "agent_access.h"
#include "agent_command.h"
#include "exit_codes.h"

namespace mosaic {
namespace {

int Fail(Io& io, const Status& status) {
  io.err << "error: " << status.message() << "\n";
  return kExitError;
}

void Print(Io& io, const std::vector<std::string>& rows) {
  for (const std::string& row : rows) io.out << row << "\n";
  io.out.flush();
}

std::string DeadNote(const std::string& name, const ObservedSession& session) {
  return fmt::format(
      "[{} is dead: its program {}; above is its last output. `mosaic-fleet restart {}` starts "
      "it again]\n",
      name, HowItEnded(session), name);
}

// The rows above the cursor: complete lines (the cursor's own is still being written). A row
// is numbered from the pane's first line, scrollback included, so that two looks can be told
// apart: as long as scrollback is not full, more rows means exactly that many new ones.
int64_t CompleteRows(const PaneState& state) { return state.history_size + state.cursor_y; }

// Follows the pane until its program ends (then 0) or it cannot be read (then 1).
int Follow(const AgentPane& pane, const PaneState& state, const AgentTailOptions& options,
           System& system, Io& io) {
  const auto interval =
      std::chrono::milliseconds(static_cast<int64_t>(options.interval_seconds * 1000));
  int64_t seen = CompleteRows(state);
  std::vector<std::string> anchor;  // the last rows printed, for a full scrollback
  if (Result<std::vector<std::string>> tail =
          pane.RowRange(state.cursor_y - 20, state.cursor_y - 1);
      tail.ok())
    anchor = tail.value();
  while (true) {
    system.Sleep(interval);
    Result<PaneState> now = pane.Inspect();
    if (!now.ok()) return Fail(io, now.status());
    const PaneState& s = now.value();
    int64_t rows = CompleteRows(s);
    bool full = s.history_limit > 0 && s.history_size >= s.history_limit;
    std::vector<std::string> fresh;
    if (!full && rows >= seen) {
      Result<std::vector<std::string>> got =
          pane.RowRange(s.cursor_y - (rows - seen), s.cursor_y - 1);
      if (!got.ok()) return Fail(io, got.status());
      fresh = got.value();
    } else {
      // Scrollback is full (old rows drop as new ones come) or was cleared: find where the
      // last rows printed are now, and print what follows them.
      Result<std::vector<std::string>> window = pane.RowRange(s.cursor_y - 500, s.cursor_y - 1);
      if (!window.ok()) return Fail(io, window.status());
      const std::vector<std::string>& w = window.value();
      size_t from = 0;
      for (size_t end = w.size(); end >= anchor.size() && !anchor.empty(); --end)
        if (std::equal(anchor.begin(), anchor.end(),
                       w.begin() + static_cast<long>(end - anchor.size()))) {
          from = end;
          break;
        }
      fresh.assign(w.begin() + static_cast<long>(from), w.end());
    }
    if (s.session.dead) {
      // The program is gone: its last line is complete too, and the blank screen below it
      // (tmux moves the cursor there to say the pane is dead) is not output.
      Result<std::vector<std::string>> last = pane.RowRange(s.cursor_y, s.cursor_y);
      if (last.ok() && !last.value().empty()) fresh.push_back(last.value().front());
      while (!fresh.empty() && fresh.back().empty()) fresh.pop_back();
    }
    Print(io, fresh);
    for (std::string& row : fresh) anchor.push_back(std::move(row));
    if (anchor.size() > 20) anchor.erase(anchor.begin(), anchor.end() - 20);
    seen = rows;
    if (s.session.dead) {
      io.err << DeadNote(options.name, s.session);
      return kExitSuccess;
    }
  }
}

}  // namespace

int RunAgentTail(const AgentTailOptions& options, System& system, Io& io) {
  std::optional<FleetContext> context = FleetContext::Load(system, options.fleet, io);
  if (!context) return kExitError;
  Result<AgentAccess> access = OpenAgent(*context, options.name);
  if (!access.ok()) return Fail(io, access.status());
  const AgentPane& pane = access.value().pane;
  Result<PaneState> state = pane.Inspect();
  if (!state.ok()) return Fail(io, state.status());
  const PaneState& s = state.value();

  if (s.alternate_screen) {
    // A full-screen program draws on a screen of its own, which has no scrollback.
    Result<std::vector<std::string>> screen = pane.Screen();
    if (!screen.ok()) return Fail(io, screen.status());
    Print(io, screen.value());
    io.err << fmt::format(
        "[{} shows a full-screen program: above is its current screen, which keeps no "
        "scrollback{}]\n",
        options.name,
        options.follow ? fmt::format("; --follow cannot follow it, `mosaic-fleet agent watch {}` "
                                     "shows it live",
                                     options.name)
                       : "");
    return options.follow ? kExitError : kExitSuccess;
  }
  if (!options.follow || s.session.dead) {
    Result<std::vector<std::string>> lines = pane.LastLines(options.lines);
    if (!lines.ok()) return Fail(io, lines.status());
    Print(io, lines.value());
    if (s.session.dead) io.err << DeadNote(options.name, s.session);
    return kExitSuccess;
  }
  // Following prints complete lines only: the one under the cursor comes when it ends.
  Result<std::vector<std::string>> lines =
      pane.RowRange(s.cursor_y - options.lines, s.cursor_y - 1);
  if (!lines.ok()) return Fail(io, lines.status());
  Print(io, lines.value());
  return Follow(pane, s, options, system, io);
}

int RunAgentWatch(const AgentWatchOptions& options, System& system, Io& io) {
  std::optional<FleetContext> context = FleetContext::Load(system, options.fleet, io);
  if (!context) return kExitError;
  Result<AgentAccess> access = OpenAgent(*context, options.name);
  if (!access.ok()) return Fail(io, access.status());
  const AgentPane& pane = access.value().pane;
  Result<PaneState> state = pane.Inspect();
  if (!state.ok()) return Fail(io, state.status());
  if (state.value().session.dead) io.err << DeadNote(options.name, state.value().session);

  // From here to the viewer's removal, an interrupt waits: a viewer session must never be
  // left behind (the attached client's own end removes it too: destroy-unattached).
  std::unique_ptr<InterruptDeferral> deferral = system.DeferInterrupts();
  const std::string viewer = fmt::format("mosaic-watch-{}", system.ProcessId());
  if (Status opened = pane.OpenViewer(viewer); !opened.ok()) {
    (void)pane.CloseViewer(viewer);
    return Fail(io, opened);
  }
  io.err << fmt::format(
      "Watching {} read-only: nothing you type reaches it, and its window keeps its size.\n"
      "Detach with the prefix key and d (C-b d unless the fleet's tmux says otherwise).\n",
      options.name);
  io.err.flush();
  Result<TerminalResult> attached = pane.AttachViewer(viewer);
  Status closed = pane.CloseViewer(viewer);
  if (!attached.ok()) return Fail(io, attached.status());
  if (!closed.ok()) return Fail(io, closed);
  if (attached.value().interrupted_by != 0) return 128 + attached.value().interrupted_by;
  if (attached.value().exit_code != 0)
    return Fail(io, Status::Error(fmt::format("tmux attach ended with status {}",
                                              attached.value().exit_code)));
  return kExitSuccess;
}

}  // namespace mosaic
