// RecordingSystemdManager: a SystemdManager that records what it is asked and keeps a small
// model of a user manager, for tests of observers, executors and commands without one.
//
// Jobs change the units' states (start → active, stop → inactive, a failing unit → failed);
// with a file system attached, enabling links a unit into the .wants/ directory of the target
// its unit file's [Install] names (an instance: its template's), disabling removes the link.
// As systemd does, it loads a unit's file when the unit is first used and keeps that content
// until a reload: a file changed on disk since makes the unit stale (NeedDaemonReload), and
// starting it runs what was loaded, not what is on disk. `on_start` runs for every unit a start or
// restart job brings up — a fake fleet starts its sessions there, as ExecStart would.
#pragma once

#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "file_system.h"
#include "systemd_manager.h"

namespace mosaic {

class RecordingSystemdManager : public SystemdManager {
 public:
  RecordingSystemdManager() = default;
  /// Models enablement as links under `unit_dir` in `fs`. REQUIRES: fs outlives this.
  RecordingSystemdManager(FileSystem& fs, std::string unit_dir)
      : fs_(&fs), unit_dir_(std::move(unit_dir)) {}

  Result<std::vector<UnitStatus>> ListUnits(const std::vector<std::string>& names,
                                            const std::vector<std::string>& patterns) override;
  Result<std::vector<std::string>> UnitsNeedingReload(
      const std::vector<std::string>& units) override;
  Result<std::map<std::string, std::string>> UnitResults(
      const std::vector<std::string>& units) override;
  Status ResetFailed(const std::vector<std::string>& units) override;
  Status AttachProcesses(const std::string& unit, const std::vector<int64_t>& pids) override;
  Status StartScope(const std::string& scope, const std::string& description,
                    const std::vector<int64_t>& pids) override;
  Result<ServiceProcess> MainProcess(const std::string& unit) override;
  Result<std::vector<std::string>> Environment() override;
  Result<std::vector<std::string>> UnitPath() override;
  Status Reload() override;
  Status Enable(const std::vector<std::string>& units) override;
  Status Disable(const std::vector<std::string>& units) override;
  Status RunJobs(
      JobKind kind, const std::vector<std::string>& units,
      const std::function<void(const std::string&, const std::string&)>& progress) override;
  int bus_calls() const override { return calls_; }

  /// The unit file content `unit` runs with: as loaded (loading it now if it never was).
  Result<std::string> LoadedUnitFile(const std::string& unit);

  std::map<std::string, UnitStatus> units;     ///< what ListUnits answers (loaded units)
  std::set<std::string> failing;               ///< units whose jobs fail
  std::map<std::string, std::string> results;  ///< Result of failed units
  std::set<std::string> stale;                 ///< units stale whatever their files say
  std::vector<std::string> environment;        ///< what Environment() answers
  std::vector<std::string> unit_path;          ///< what UnitPath() answers
  std::vector<std::string> log;                ///< "start a.service", "reload", … in order
  /// Called for each unit a start or restart brings up; an error fails its job.
  std::function<Status(const std::string& unit)> on_start;
  /// Called for each unit a stop or restart brings down (ExecStop).
  std::function<void(const std::string& unit)> on_stop;

 private:
  std::string WantsLink(const std::string& unit);
  Status Bring(const std::string& unit);
  std::string DropInsOnDisk(const std::string& unit);
  std::map<std::string, std::string> loaded_;  ///< unit file name → content as loaded
  /// unit → its drop-ins ("UNIT.d/*.conf", concatenated) as loaded
  std::map<std::string, std::string> loaded_drop_ins_;
  FileSystem* fs_ = nullptr;
  std::string unit_dir_;
  int calls_ = 0;
};

}  // namespace mosaic
