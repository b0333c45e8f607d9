// SystemdManager: the systemd user manager, over D-Bus (sd-bus). No shelling out to systemctl.
//
// Jobs are submitted the way `systemctl start a b c` does it: every StartUnit call is sent
// without waiting, then all JobRemoved signals are awaited together — starting 50 agents is
// one wait, not 50 round trips. Each job's result is reported as it completes.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "status.h"

namespace mosaic {

struct UnitStatus {
  std::string name;
  std::string load_state;
  std::string active_state;
  std::string sub_state;
};

struct ServiceProcess {
  int64_t main_pid = 0;
  std::string control_group;
};

enum class JobKind { kStart, kRestart, kStop };

class SystemdManager {
 public:
  virtual ~SystemdManager() = default;

  /// Status of the units named (loaded or not) plus every loaded unit matching `patterns`
  /// (shell globs): two bus calls whatever the number of units.
  virtual Result<std::vector<UnitStatus>> ListUnits(const std::vector<std::string>& names,
                                                    const std::vector<std::string>& patterns) = 0;
  /// Those of `units` (loaded ones) whose unit file changed on disk since the manager read it
  /// (their NeedDaemonReload property): one round trip for all of them.
  virtual Result<std::vector<std::string>> UnitsNeedingReload(
      const std::vector<std::string>& units) = 0;
  /// Why each of `units` (failed services) ended: "exit-code", "signal", "start-limit-hit", …
  /// — one round trip for all of them. A unit that systemd stopped restarting (its start
  /// limit) is "start-limit-hit", whatever its last failure was.
  virtual Result<std::map<std::string, std::string>> UnitResults(
      const std::vector<std::string>& units) = 0;
  /// Clears the failed state and the start rate counter of `units` (reset-failed).
  virtual Status ResetFailed(const std::vector<std::string>& units) = 0;
  /// Moves processes `pids` into the cgroup of `unit` (which must be running and have
  /// Delegate=yes): systemd then stops them with it.
  virtual Status AttachProcesses(const std::string& unit, const std::vector<int64_t>& pids) = 0;
  /// Service `unit`'s main process (0 when none runs) and its cgroup ("/…/x.service"): asked
  /// only when something is off, never by a plain observation.
  virtual Result<ServiceProcess> MainProcess(const std::string& unit) = 0;
  /// Starts transient scope `scope` (Delegate=yes) holding processes `pids`, moved there from
  /// wherever they were, and waits for it to run. A scope lives until its processes end.
  virtual Status StartScope(const std::string& scope, const std::string& description,
                            const std::vector<int64_t>& pids) = 0;
  /// The manager's environment ("KEY=value" entries): what every unit starts with.
  virtual Result<std::vector<std::string>> Environment() = 0;
  /// The directories the manager loads unit files from, in its order.
  virtual Result<std::vector<std::string>> UnitPath() = 0;
  /// daemon-reload; returns once the manager has reloaded.
  virtual Status Reload() = 0;
  /// Links units into their [Install] targets (boot survival), in one call.
  virtual Status Enable(const std::vector<std::string>& units) = 0;
  virtual Status Disable(const std::vector<std::string>& units) = 0;
  /// Enqueues one job per unit, then waits for all of them. `progress(unit, result)` is called
  /// as each finishes ("done", "failed", "timeout", "dependency", …). Fails, naming the units,
  /// when any job's result is not "done".
  virtual Status RunJobs(
      JobKind kind, const std::vector<std::string>& units,
      const std::function<void(const std::string&, const std::string&)>& progress) = 0;
  /// Bus method calls made so far (benchmarks and tests count them).
  virtual int bus_calls() const = 0;
};

/// Bounds on waiting for the user manager: a frozen one is an error that says so, never a hang.
struct BusTimeouts {
  std::chrono::milliseconds call{10'000};  ///< one bus call (and connecting)
  std::chrono::milliseconds job{120'000};  ///< jobs to finish, and daemon-reload
};

/// Connects to the user manager of this user: its private socket
/// ($XDG_RUNTIME_DIR/systemd/private, as systemctl --user does), else the user bus
/// (sd_bus_open_user). The error says clearly when neither is reachable.
Result<std::unique_ptr<SystemdManager>> ConnectUserManager(const std::string& xdg_runtime_dir,
                                                           BusTimeouts timeouts = {});

}  // namespace mosaic
