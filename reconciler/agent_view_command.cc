// `agent tail` and `agent watch`: the verbs that only look at an agent's pane.
#include <fmt/format.h>

#include <chrono>

#include "agent_access.h"
#include "agent_command.h"
#include "apply_lock.h"
#include "exit_codes.h"
#include "remote_agent.h"

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

// How many scrollback rows each look of --follow reads: more new lines than this between two
// looks are counted and said, not shown.
constexpr int64_t kFollowWindow = 1000;
// How many of the last rows printed identify where --follow is once scrollback is full.
constexpr size_t kAnchorRows = 20;

// Rows a dead pane shows below its output: tmux's own line, and the blank screen.
void DropDeadPaneTail(std::vector<std::string>& rows) {
  std::erase_if(rows, [](const std::string& row) { return row.starts_with("Pane is dead"); });
  while (!rows.empty() && rows.back().empty()) rows.pop_back();
}

// How a dead pane's program ended, waking tmux once in a while if it has not reaped it yet
// (see System::WakeReaper).
ObservedSession Reaped(const AgentPane& pane, PaneState state, System& system) {
  for (int tries = 0; tries < 10 && state.session.dead_status < 0 && state.session.dead_signal < 0;
       ++tries) {
    system.WakeReaper(state.server_pid);
    system.Sleep(std::chrono::milliseconds(100));
    Result<PaneState> again = pane.Inspect();
    if (!again.ok()) break;
    state = again.value();
  }
  return state.session;
}

// Follows the pane, one consistent snapshot per look, until its program ends (then 0), it
// turns full-screen or cannot be read (then 1). Rows are counted from the pane's first line
// while scrollback has room, so each new line is printed once; once scrollback is full (old
// lines drop as new ones come) the last rows printed say where to go on.
int Follow(const AgentPane& pane, const AgentTailOptions& options, System& system, Io& io) {
  const auto interval =
      std::chrono::milliseconds(static_cast<int64_t>(options.interval_seconds * 1000));
  std::optional<int64_t> seen;  // complete rows so far, counted from the pane's first line
  std::vector<std::string> anchor;
  bool first = true;
  while (true) {
    Result<PaneSnapshot> snap = pane.Snapshot(first ? options.lines : kFollowWindow);
    if (!snap.ok()) return Fail(io, snap.status());
    const PaneState& s = snap.value().state;
    if (s.alternate_screen) {
      io.err << fmt::format(
          "[{} switched to a full-screen program; --follow stops (`mosaic-fleet agent watch {}` "
          "shows it live)]\n",
          options.name, options.name);
      return kExitError;
    }
    // Rows above the cursor are complete; the cursor's own is still being written.
    const std::vector<std::string>& rows = snap.value().rows;
    size_t complete =
        std::min(rows.size(),
                 static_cast<size_t>(std::max<int64_t>(0, snap.value().scrollback + s.cursor_y)));
    int64_t total = s.history_size + s.cursor_y;
    // tmux drops a tenth of the scrollback at a time once it is full: from 90% on, rows may
    // have gone between two looks, and counting them no longer tells which are new.
    bool full = s.history_limit > 0 && s.history_size * 10 >= s.history_limit * 9;
    size_t from = 0;
    int64_t skipped = 0;
    if (first) {
      from = complete > static_cast<size_t>(options.lines) ? complete - options.lines : 0;
    } else if (!full && seen && total >= *seen) {
      auto fresh = static_cast<size_t>(total - *seen);
      if (fresh > complete) skipped = static_cast<int64_t>(fresh - complete);
      from = complete - std::min(fresh, complete);
    } else {
      // Find the last rows printed, from the end; what follows them is new.
      size_t k = std::min(anchor.size(), kAnchorRows);
      from = complete;
      bool found = k == 0;
      for (size_t end = complete; k > 0 && end >= k; --end)
        if (std::equal(anchor.end() - static_cast<long>(k), anchor.end(),
                       rows.begin() + static_cast<long>(end - k))) {
          from = end, found = true;
          break;
        }
      if (!found) {
        // Redrawn (a program moving its cursor up), cleared, or gone past what one look
        // reads: nothing is printed twice; following goes on from the pane's end, saying so
        // when lines were added meanwhile.
        from = complete;
        if (seen && total > *seen) skipped = -1;
      }
    }
    if (skipped > 0)
      io.out << fmt::format("[… {} lines not shown: more than --follow reads per look]\n", skipped);
    else if (skipped < 0)
      io.out << "[… lines not shown: the pane was cleared, or moved on further than --follow "
                "could see]\n";
    std::vector<std::string> fresh(rows.begin() + static_cast<long>(from),
                                   rows.begin() + static_cast<long>(complete));
    if (s.session.dead) {
      // The program is gone: the row it was writing is complete too.
      fresh.insert(fresh.end(), rows.begin() + static_cast<long>(complete), rows.end());
      DropDeadPaneTail(fresh);
    }
    Print(io, fresh);
    // The anchor is the last complete rows as the pane shows them now.
    anchor.assign(rows.begin() + static_cast<long>(complete - std::min(complete, kAnchorRows)),
                  rows.begin() + static_cast<long>(complete));
    seen = total;
    first = false;
    if (s.session.dead) {
      io.err << DeadNote(options.name, Reaped(pane, s, system));
      return kExitSuccess;
    }
    system.Sleep(interval);
  }
}

}  // namespace

int RunAgentTail(const AgentTailOptions& options, System& system, Io& io) {
  std::optional<FleetContext> context = FleetContext::Load(system, options.fleet, io);
  if (!context) return kExitError;
  if (const AgentSpec* remote = RemoteAgent(*context, options.name)) {
    RemoteCall call{{"tail", options.name, "-n", std::to_string(options.lines)}};
    if (options.follow) call.args.emplace_back("--follow");
    call.follow = options.follow;
    PassFleetOptions(options.fleet, call);
    return RunOnAgentsHost(*remote, call, system, io);
  }
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
    if (s.session.dead) io.err << DeadNote(options.name, Reaped(pane, s, system));
    return kExitSuccess;
  }
  // Following prints complete lines only: the one under the cursor comes when it ends.
  return Follow(pane, options, system, io);
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
  // Viewers pin and unpin the agent's window size one at a time: the first keeps its own
  // setting aside, the last puts it back, and two at once must not each take the other's pin
  // for the agent's own.
  const Environment& env = system.environment();
  auto one_at_a_time = [&] {
    return system.LockAgent(AgentLockPath(env.xdg_runtime_dir, env.uid, "watch", options.name), 10,
                            "is opening or closing a viewer of this agent");
  };
  {
    Result<std::unique_ptr<ApplyLockHandle>> lock = one_at_a_time();
    if (!lock.ok()) return Fail(io, lock.status());
    if (Status opened = pane.OpenViewer(viewer); !opened.ok()) {
      (void)pane.CloseViewer(viewer);
      return Fail(io, opened);
    }
  }
  io.err << fmt::format(
      "Watching {} read-only: nothing you type reaches it, and its window keeps its size.\n"
      "Detach with the prefix key and d (C-b d unless the fleet's tmux says otherwise).\n",
      options.name);
  io.err.flush();
  Result<TerminalResult> attached = pane.AttachViewer(viewer);
  Result<std::unique_ptr<ApplyLockHandle>> lock = one_at_a_time();
  Status closed = pane.CloseViewer(viewer);  // removed even when the lock could not be had
  if (lock.ok()) lock.value().reset();
  if (!attached.ok()) return Fail(io, attached.status());
  if (!closed.ok()) return Fail(io, closed);
  if (attached.value().interrupted_by != 0) return 128 + attached.value().interrupted_by;
  if (attached.value().exit_code != 0)
    return Fail(io, Status::Error(fmt::format("tmux attach ended with status {}",
                                              attached.value().exit_code)));
  return kExitSuccess;
}

}  // namespace mosaic
