// RealSystem: the System of this machine and this process.
#pragma once

#include "system.h"

namespace mosaic {

/// The environment variables the tool reads, and this machine's name and user, now.
Environment CaptureEnvironment();

class RealSystem : public System {
 public:
  /// `environment` is what commands see of the process environment (tests pass their own).
  explicit RealSystem(Environment environment) : environment_(std::move(environment)) {}

  const Environment& environment() const override { return environment_; }
  FileSystem& files() override { return files_; }
  ProcessRunner& processes() override { return processes_; }
  Result<std::unique_ptr<SystemdManager>> ConnectUserManager(BusTimeouts timeouts) override;
  int64_t Now() override;
  std::chrono::steady_clock::time_point Monotonic() override;
  void Sleep(std::chrono::milliseconds duration) override;
  std::string SelfExecutable() override;
  Result<std::unique_ptr<ApplyLockHandle>> LockAgent(const std::string& path,
                                                     double timeout_seconds,
                                                     const std::string& busy_with) override;
  Result<std::unique_ptr<ApplyLockHandle>> LockApply(const std::string& path,
                                                     double timeout_seconds,
                                                     const std::string& description) override;
  void NotifyReady() override;
  void NotifyStatus(const std::string& text) override;
  void Journal(int priority, const std::string& message,
               const std::map<std::string, std::string>& fields) override;
  bool Terminate(int64_t pid, std::chrono::milliseconds timeout) override;
  bool AwaitExit(int64_t pid, std::chrono::milliseconds bound) override;
  void WakeReaper(int64_t pid) override;
  std::unique_ptr<InterruptDeferral> DeferInterrupts() override;
  int64_t ProcessId() override;
  std::vector<int64_t> ProcessTree(int64_t root) override;
  ExecFailure Exec(const std::vector<std::string>& argv, const std::string& directory,
                   const std::map<std::string, std::string>& set,
                   const std::vector<std::string>& unset) override;

 private:
  Environment environment_;
  RealFileSystem files_;
  RealProcessRunner processes_;
};

}  // namespace mosaic
