// FakeTmuxServer: a ProcessRunner that answers the tmux command lines mosaic-fleet sends as
// one tmux server would, for tests that run whole commands in memory (fake_system.h).
//
// It understands exactly the commands the tool builds — list-panes -a -F, list-sessions -F,
// new-session,
// set-option (-g, -gu, -t), set-hook, kill-session, kill-server, display-message -p,
// capture-pane -p, wait-for (which returns at once) and if-shell -F with the formats
// KillOwnedSession uses — joined by `;`, with `-N` (no server start) honoured. Anything else
// fails loudly. Every command line is recorded.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "process_runner.h"

namespace mosaic {

class FakeTmuxServer : public ProcessRunner {
 public:
  struct Session {
    int64_t pane_pid = 0;
    bool dead = false;
    int dead_status = -1;           ///< a dead pane's exit status, or -1
    int dead_signal = -1;           ///< the signal that killed it, or -1 (both -1: not reaped)
    std::vector<std::string> argv;  ///< the program it was created with
    std::map<std::string, std::string> options;
    std::vector<std::string> screen;  ///< what capture-pane shows
    int64_t activity = 0;             ///< window_activity: its last output or input
  };

  Result<ProcessResult> Run(const ProcessRequest& request) override;
  /// Nothing is ever attached to a fake server: an error, recorded.
  Result<TerminalResult> RunInTerminal(const ProcessRequest& request) override;
  int processes_started() const override { return static_cast<int>(calls.size()); }

  bool running = false;
  int64_t server_pid = 0;
  std::map<std::string, Session> sessions;  ///< by name (tmux lists them in name order)
  std::map<std::string, std::string> global_options;
  std::map<std::string, std::string> hooks;  ///< "SESSION HOOK" or "HOOK[N]" → command
  bool wedged = false;                       ///< a stopped server: every call times out
  /// Set: every new session's program has already exited with this status.
  std::optional<int> programs_exit_with;
  /// Set: every new session's program has already ended, and tmux has not reaped it (no exit
  /// status or signal yet), as when tmux missed its SIGCHLD.
  bool programs_end_unreaped = false;
  std::vector<std::vector<std::string>> calls;
  /// What programs other than tmux answer, by their whole command line.
  std::map<std::vector<std::string>, ProcessResult> other_programs;

 private:
  ProcessResult RunCommand(const std::vector<std::string>& command, bool may_start);
  std::string Expand(const std::string& format, const std::string& session) const;
  int64_t next_pid_ = 1000;
};

}  // namespace mosaic
