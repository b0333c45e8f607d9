// System: everything of the operating system a command may touch, in one injectable bundle
// (LevelDB's Env is the model) — the environment variables it reads, files, processes (and so
// tmux), the systemd user manager, the clock, the apply lock, and this process itself.
//
// `main` builds the RealSystem and hands it to every command; nothing else in the CLI may
// reach the OS (scripts/check-layers keeps it so). Tests build a FakeSystem
// (fake_system.h): an in-memory fleet in which plan, apply and status run end to end.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "file_system.h"
#include "fleet_paths.h"
#include "process_runner.h"
#include "status.h"
#include "systemd_manager.h"

namespace mosaic {

/// Held while an apply runs; released when destroyed.
class ApplyLockHandle {
 public:
  virtual ~ApplyLockHandle() = default;
};

/// While alive, SIGINT, SIGTERM and SIGHUP wait: cleanup that must finish (verify's canary)
/// is not cut short. A signal that came meanwhile takes effect when the handle ends.
class InterruptDeferral {
 public:
  virtual ~InterruptDeferral() = default;
  /// Whether one of those signals is waiting.
  virtual bool interrupted() const = 0;
};

/// Why a program could not be run, and the exit status a shell gives a command it cannot run:
/// 127 not found, 126 found but not run (1 for what fails before, such as the directory).
struct ExecFailure {
  std::string message;
  int exit_status = 1;
};

class System {
 public:
  virtual ~System() = default;

  /// The environment variables the tool reads, captured once, and this machine's facts.
  virtual const Environment& environment() const = 0;
  virtual FileSystem& files() = 0;
  virtual ProcessRunner& processes() = 0;
  /// A connection to this user's systemd manager (the user bus, or its private socket).
  virtual Result<std::unique_ptr<SystemdManager>> ConnectUserManager(BusTimeouts timeouts) = 0;
  /// Seconds since the epoch.
  virtual int64_t Now() = 0;
  /// A clock for measuring durations (never set back), and a pause measured on it.
  virtual std::chrono::steady_clock::time_point Monotonic() = 0;
  virtual void Sleep(std::chrono::milliseconds duration) = 0;
  /// The absolute path of this program (written into unit files and tmux sessions).
  virtual std::string SelfExecutable() = 0;
  /// The apply lock at `path`, waiting up to `timeout_seconds`; the error names its holder.
  /// One of an agent's locks at `path` (AgentLockPath): one sender at a time types into a
  /// pane, so that two messages never merge into one submission; one viewer at a time pins or
  /// unpins its window's size. Waits up to `timeout_seconds`; the error says the holder is
  /// `busy_with` ("is typing into this agent").
  virtual Result<std::unique_ptr<ApplyLockHandle>> LockAgent(const std::string& path,
                                                             double timeout_seconds,
                                                             const std::string& busy_with) = 0;
  virtual Result<std::unique_ptr<ApplyLockHandle>> LockApply(const std::string& path,
                                                             double timeout_seconds,
                                                             const std::string& description) = 0;

  /// Tells systemd that this unit's main process is ready (Type=notify); nothing outside a
  /// unit.
  virtual void NotifyReady() = 0;
  /// Tells systemd what this unit's main process is doing or why it ends (STATUS=): systemd
  /// keeps it after the unit failed, for `systemctl status` and apply's failure message.
  virtual void NotifyStatus(const std::string& text) = 0;
  /// Sends one structured entry to the systemd journal (syslog `priority`, MESSAGE, and
  /// `fields`, whose names are upper case). Nothing happens where there is no journal.
  virtual void Journal(int priority, const std::string& message,
                       const std::map<std::string, std::string>& fields) = 0;
  /// Sends SIGTERM to process `pid` and waits up to `timeout` for it to end. True when it did.
  virtual bool Terminate(int64_t pid, std::chrono::milliseconds timeout) = 0;
  /// Waits until process `pid` (not necessarily a child) ends, at most `bound`, without
  /// signalling it or starting any process. True when it has ended (or never existed).
  virtual bool AwaitExit(int64_t pid, std::chrono::milliseconds bound) = 0;

  /// Sends SIGCHLD to process `pid`, so that it reaps children whose exit it missed: tmux
  /// before 3.5 built with libutempter loses the SIGCHLD of a pane's program that exits while
  /// another pane is being created, and shows that pane dead with no exit status until the
  /// next one. Harmless otherwise: tmux then finds nothing to reap.
  virtual void WakeReaper(int64_t pid) = 0;
  virtual std::unique_ptr<InterruptDeferral> DeferInterrupts() = 0;

  /// This process's id.
  virtual int64_t ProcessId() = 0;
  /// `root` followed by every live descendant of it.
  virtual std::vector<int64_t> ProcessTree(int64_t root) = 0;
  /// Replaces this process with `argv`, run in `directory` (then also its PWD; "": where this
  /// process is) with this process's environment minus `unset`, plus `set` — as a shell runs a
  /// command: an argv[0] without a slash is looked for on the PATH of that environment, and a
  /// script without a #! line is run by /bin/sh. Returns only when that fails.
  virtual ExecFailure Exec(const std::vector<std::string>& argv, const std::string& directory,
                           const std::map<std::string, std::string>& set,
                           const std::vector<std::string>& unset) = 0;
};

}  // namespace mosaic
