// AgentPane: what the operator's agent commands (send, reset, tail, watch) do to one agent's
// tmux pane, on the fleet's socket and by exact target only (`=NAME:`): look at it, paste
// text into it, press keys in it, read it, and open a read-only viewer onto it.
//
// Text is delivered through a named paste buffer loaded from tmux's stdin, pasted with
// `paste-buffer -p` (bracketed when the program asked for it) and deleted by the same paste:
// it never passes through a command line, a format, a key name or a shell.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "observed_state.h"
#include "tmux.h"

namespace mosaic {

/// One look at an agent's pane.
struct PaneState {
  ObservedSession session;        ///< owner, pane pid, and how a dead pane's program ended
  bool alternate_screen = false;  ///< a full-screen program: no scrollback to read
  int64_t history_size = 0;       ///< lines scrolled off the top, kept as scrollback
  int64_t cursor_y = 0;           ///< the cursor's row on the visible screen
  int64_t history_limit = 0;      ///< past it, the oldest scrollback lines are dropped
  int64_t server_pid = 0;         ///< the tmux server's (System::WakeReaper)
};

/// The pane's state and rows seen at one moment.
struct PaneSnapshot {
  PaneState state;
  /// Rows from `scrollback` rows above the screen's top to its bottom, blank ones kept.
  std::vector<std::string> rows;
  int64_t scrollback = 0;  ///< how many of `rows` are scrollback (rows[scrollback] is the top)
};

class AgentPane {
 public:
  /// REQUIRES: `tmux` outlives this.
  AgentPane(const Tmux& tmux, std::string name) : tmux_(&tmux), name_(std::move(name)) {}

  const std::string& name() const { return name_; }

  /// The pane now. No server, or no session of that name, is an error saying so.
  Result<PaneState> Inspect() const;

  /// The state and the rows from `back` scrollback rows to the bottom of the screen, read in
  /// one tmux command queue so that no output lands between the two (for --follow).
  Result<PaneSnapshot> Snapshot(int64_t back) const;

  /// Pastes `text` into the pane as one paste (buffer `buffer`, deleted afterwards, also
  /// when the paste fails).
  Status Paste(const std::string& text, const std::string& buffer) const;
  /// Types `keys` literally (send-keys -l), as if typed on a keyboard.
  Status Type(const std::string& keys) const;
  /// Presses Enter.
  Status PressEnter() const;

  /// The visible screen, one string per row, trailing blank rows dropped.
  Result<std::vector<std::string>> Screen() const;
  /// The last `count` lines, scrollback included, wrapped lines joined; trailing blank rows
  /// dropped.
  Result<std::vector<std::string>> LastLines(int count) const;

  /// Creates session `viewer` grouped with the agent's (sharing its window, not a copy),
  /// marked as a viewer and destroyed by tmux when no client is attached any more.
  Status OpenViewer(const std::string& viewer) const;
  /// Attaches this terminal to `viewer` read-only and without resizing the agent's window,
  /// until the client detaches or a signal comes (then returned, see RunInTerminal).
  Result<TerminalResult> AttachViewer(const std::string& viewer) const;
  /// Kills session `viewer` if it is a viewer; gone already is success.
  Status CloseViewer(const std::string& viewer) const;

 private:
  Result<ProcessResult> Checked(const std::vector<TmuxCommand>& commands,
                                std::string_view what) const;
  const Tmux* tmux_;
  std::string name_;
};

}  // namespace mosaic
