#include "fake_system.h"

#include <fmt/format.h>

#include <sstream>

#include "agent_session.h"
#include "child_environment.h"
#include "holder.h"
#include "unit_files.h"

namespace mosaic {
namespace {

// A SystemdManager handle that does not own the fake manager it forwards to.
class ManagerHandle : public SystemdManager {
 public:
  explicit ManagerHandle(SystemdManager& m) : m_(m) {}
  Result<std::vector<UnitStatus>> ListUnits(const std::vector<std::string>& names,
                                            const std::vector<std::string>& patterns) override {
    return m_.ListUnits(names, patterns);
  }
  Result<std::vector<std::string>> UnitsNeedingReload(
      const std::vector<std::string>& units) override {
    return m_.UnitsNeedingReload(units);
  }
  Result<std::map<std::string, std::string>> UnitResults(
      const std::vector<std::string>& units) override {
    return m_.UnitResults(units);
  }
  Status ResetFailed(const std::vector<std::string>& units) override {
    return m_.ResetFailed(units);
  }
  Status AttachProcesses(const std::string& unit, const std::vector<int64_t>& pids) override {
    return m_.AttachProcesses(unit, pids);
  }
  Result<ServiceProcess> MainProcess(const std::string& unit) override {
    return m_.MainProcess(unit);
  }
  Status StartScope(const std::string& scope, const std::string& description,
                    const std::vector<int64_t>& pids) override {
    return m_.StartScope(scope, description, pids);
  }
  Result<std::vector<std::string>> Environment() override { return m_.Environment(); }
  Result<std::vector<std::string>> UnitPath() override { return m_.UnitPath(); }
  Status Reload() override { return m_.Reload(); }
  Status Enable(const std::vector<std::string>& units) override { return m_.Enable(units); }
  Status Disable(const std::vector<std::string>& units) override { return m_.Disable(units); }
  Status RunJobs(
      JobKind kind, const std::vector<std::string>& units,
      const std::function<void(const std::string&, const std::string&)>& progress) override {
    return m_.RunJobs(kind, units, progress);
  }
  int bus_calls() const override { return m_.bus_calls(); }

 private:
  SystemdManager& m_;
};

// The value after `flag` on the ExecStart= line of `unit_file`, e.g. the holder's --socket.
std::string ExecStartArgument(const std::string& unit_file, const std::string& flag) {
  std::istringstream lines(unit_file);
  for (std::string line; std::getline(lines, line);) {
    if (!line.starts_with("ExecStart=")) continue;
    std::istringstream words(line);
    for (std::string word; words >> word;)
      if (word == flag && words >> word) return word;
  }
  return "";
}

}  // namespace

Environment FakeSystem::DefaultEnvironment() {
  Environment env;
  env.home = "/home/op";
  env.xdg_runtime_dir = "/run/user/1000";
  env.hostname = "here";
  env.uid = 1000;
  env.working_directory = "/home/op";
  return env;
}

FakeSystem::FakeSystem(Environment environment)
    : manager(fs, ResolveFleetPaths(environment).ok()
                      ? ResolveFleetPaths(environment).value().unit_dir
                      : std::string("/nonexistent")),
      environment_(std::move(environment)) {
  (void)fs.MakeDirectories(environment_.home, 0755);
  // The programs the fleets of the tests run, where the manager's PATH finds them.
  fs.executables = {"/usr/bin/mosaic", "/usr/bin/sleep", "/usr/bin/cat", "/bin/sh"};
  manager.unit_path = {UnitDir(), "/usr/lib/systemd/user"};
  manager.environment = {"HOME=" + environment_.home, "XDG_RUNTIME_DIR=/run/user/1000"};
  manager.on_start = [this](const std::string& unit) { return StartUnit(unit); };
  manager.on_stop = [this](const std::string& unit) { StopUnit(unit); };
}

std::string FakeSystem::RosterPath() const {
  return ResolveFleetPaths(environment_).value().roster;
}

std::string FakeSystem::UnitDir() const {
  Result<FleetPaths> paths = ResolveFleetPaths(environment_);
  return paths.ok() ? paths.value().unit_dir : "/nonexistent";
}

// What the units' ExecStart= runs, run in process against this same system.
Status FakeSystem::StartUnit(const std::string& unit) {
  std::ostringstream out, err;
  if (unit == kHolderUnit) {
    Result<std::string> file = manager.LoadedUnitFile(kHolderUnit);
    if (!file.ok()) return file.status();
    return StartHolder(*this,
                       {ExecStartArgument(file.value(), "--socket"),
                        ExecStartArgument(file.value(), "--session"),
                        {}},
                       err);
  }
  if (std::string agent = AgentOfUnit(unit); !agent.empty())
    return StartAgentSession(*this, {agent, false, {}}, out, err);
  return Status::Ok();
}

// ExecStop=, and what the cgroup kill would end: the holder's server, or the agent's session.
void FakeSystem::StopUnit(const std::string& unit) {
  if (unit == kHolderUnit) {
    tmux.running = false;
    tmux.sessions.clear();
  } else if (std::string agent = AgentOfUnit(unit); !agent.empty()) {
    (void)StopAgentSession(*this, {agent, false, {}});
  }
}

Result<std::unique_ptr<SystemdManager>> FakeSystem::ConnectUserManager(BusTimeouts) {
  if (!manager_reachable)
    return Status::Error("no systemd user manager is reachable (FakeSystem: switched off)");
  return std::unique_ptr<SystemdManager>(std::make_unique<ManagerHandle>(manager));
}

Result<std::unique_ptr<ApplyLockHandle>> FakeSystem::LockApply(const std::string& path, double,
                                                               const std::string&) {
  if (lock_held)
    return Status::Error(
        fmt::format("another mosaic-fleet apply is running (pid 1: a test); waited for {}", path));
  return std::make_unique<ApplyLockHandle>();
}

namespace {

class FakeDeferral : public InterruptDeferral {
 public:
  explicit FakeDeferral(FakeSystem& system) : system_(system) { ++system_.deferrals; }
  FakeDeferral(const FakeDeferral&) = delete;
  FakeDeferral& operator=(const FakeDeferral&) = delete;
  ~FakeDeferral() override { --system_.deferrals; }
  bool interrupted() const override { return system_.interrupt_pending; }

 private:
  FakeSystem& system_;
};

}  // namespace

std::unique_ptr<InterruptDeferral> FakeSystem::DeferInterrupts() {
  return std::make_unique<FakeDeferral>(*this);
}

ExecFailure FakeSystem::Exec(const std::vector<std::string>& argv, const std::string& directory,
                             const std::map<std::string, std::string>& set,
                             const std::vector<std::string>& unset) {
  std::map<std::string, std::string> given;
  for (const std::string& entry : ChildEnvironment({}, set, unset))
    given[entry.substr(0, entry.find('='))] = entry.substr(entry.find('=') + 1);
  execs.push_back({argv, directory, given});
  return exec_failure;
}

bool FakeSystem::AwaitExit(int64_t pid, std::chrono::milliseconds bound) {
  awaited.push_back(pid);
  await_bounds.push_back(bound);
  bool ended = on_await_exit ? on_await_exit(pid) : true;
  if (!ended) {
    monotonic += bound;
    now += std::chrono::duration_cast<std::chrono::seconds>(bound).count();
  }
  return ended;
}

void FakeSystem::Sleep(std::chrono::milliseconds duration) {
  sleeps.push_back(duration);
  if (on_sleep) on_sleep();
  monotonic += duration;
  now += std::chrono::duration_cast<std::chrono::seconds>(duration).count();
}

}  // namespace mosaic
