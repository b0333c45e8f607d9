// FakeSystem: an in-memory machine for running whole commands in tests — files in memory, a
// fake tmux server, and a model of the systemd user manager whose units really run what the
// tool's units run (starting the holder starts the fake server; starting an agent's unit runs
// StartAgentSession against this same FakeSystem). So plan, apply and status go end to end,
// exit codes and output included, without a process or a bus. The world starts empty but for
// the user's home directory.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "fake_tmux_server.h"
#include "memory_file_system.h"
#include "recording_systemd_manager.h"
#include "system.h"

namespace mosaic {

class FakeSystem : public System {
 public:
  /// HOME=/home/op, XDG_RUNTIME_DIR=/run/user/1000, host "here", uid 1000.
  static Environment DefaultEnvironment();

  explicit FakeSystem(Environment environment = DefaultEnvironment());

  const Environment& environment() const override { return environment_; }
  /// The captured environment, for tests that change it (JOURNAL_STREAM, a terminal, …).
  Environment& environment_for_test() { return environment_; }
  FileSystem& files() override { return fs; }
  ProcessRunner& processes() override { return tmux; }
  Result<std::unique_ptr<SystemdManager>> ConnectUserManager(BusTimeouts timeouts) override;
  int64_t Now() override { return now; }
  /// Time stands still but for Sleep, which moves both clocks.
  std::chrono::steady_clock::time_point Monotonic() override { return monotonic; }
  void Sleep(std::chrono::milliseconds duration) override;
  std::string SelfExecutable() override { return self_executable; }
  Result<std::unique_ptr<ApplyLockHandle>> LockAgent(const std::string&, double,
                                                     const std::string&) override {
    return std::make_unique<ApplyLockHandle>();
  }
  Result<std::unique_ptr<ApplyLockHandle>> LockApply(const std::string& path,
                                                     double timeout_seconds,
                                                     const std::string& description) override;
  void NotifyReady() override { ++ready_notifications; }
  void NotifyStatus(const std::string& text) override { statuses.push_back(text); }
  void Journal(int priority, const std::string& message,
               const std::map<std::string, std::string>& fields) override {
    journal.push_back({priority, message, fields});
  }
  bool Terminate(int64_t pid, std::chrono::milliseconds) override {
    terminated.push_back(pid);
    return true;
  }
  void WakeReaper(int64_t pid) override { woken_reapers.push_back(pid); }
  /// on_await_exit's answer; without one, the process has ended at once (a supervisor looks
  /// again). A wait that ends without it takes its whole bound.
  bool AwaitExit(int64_t pid, std::chrono::milliseconds bound) override;
  std::unique_ptr<InterruptDeferral> DeferInterrupts() override;
  int64_t ProcessId() override { return 4242; }
  std::vector<int64_t> ProcessTree(int64_t root) override { return {root}; }
  ExecFailure Exec(const std::vector<std::string>& argv, const std::string& directory,
                   const std::map<std::string, std::string>& set,
                   const std::vector<std::string>& unset) override;

  /// The default roster's path, and the user unit directory.
  std::string RosterPath() const;
  std::string UnitDir() const;

  MemoryFileSystem fs;
  FakeTmuxServer tmux;
  RecordingSystemdManager manager;
  std::string self_executable = "/usr/bin/mosaic-fleet";  ///< where "this program" lies
  int64_t now = 1'700'000'000;
  std::chrono::steady_clock::time_point monotonic{};
  std::vector<std::chrono::milliseconds> sleeps;  ///< every Sleep, in order
  std::function<void()> on_sleep;                 ///< what happens in the world meanwhile
  /// What happens in the world while AwaitExit waits on `pid` (its whole bound, when it
  /// returns false), and whether that process has ended.
  std::function<bool(int64_t pid)> on_await_exit;
  bool manager_reachable = true;
  bool lock_held = false;  ///< another apply holds the lock
  struct ExecCall {
    std::vector<std::string> argv;
    std::string directory;
    std::map<std::string, std::string> set;
  };
  std::vector<ExecCall> execs;                                 ///< what Exec was asked to become
  ExecFailure exec_failure{"FakeSystem: exec stops here", 1};  ///< what Exec returns
  int ready_notifications = 0;
  std::vector<std::string> statuses;  ///< what NotifyStatus was told, in order
  struct JournalEntry {
    int priority;
    std::string message;
    std::map<std::string, std::string> fields;
  };
  std::vector<JournalEntry> journal;                    ///< what Journal was given, in order
  std::vector<int64_t> terminated;                      ///< pids Terminate was asked to end
  std::vector<int64_t> woken_reapers;                   ///< pids WakeReaper sent SIGCHLD to
  std::vector<int64_t> awaited;                         ///< pids AwaitExit waited for
  std::vector<std::chrono::milliseconds> await_bounds;  ///< and how long it would wait
  int deferrals = 0;                                    ///< DeferInterrupts handles alive now
  bool interrupt_pending = false;                       ///< what their interrupted() says

 private:
  Status StartUnit(const std::string& unit);
  void StopUnit(const std::string& unit);
  Environment environment_;
};

}  // namespace mosaic
