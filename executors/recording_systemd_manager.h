// RecordingSystemdManager: a SystemdManager that records what it is asked and answers from a
// table, for tests of observers and executors without a user manager.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "systemd_manager.h"

namespace mosaic {

class RecordingSystemdManager : public SystemdManager {
 public:
  Result<std::vector<UnitStatus>> ListUnits(const std::vector<std::string>& names,
                                            const std::vector<std::string>& patterns) override;
  Result<std::vector<std::string>> UnitsNeedingReload(
      const std::vector<std::string>& units) override;
  Status AttachProcesses(const std::string& unit, const std::vector<int64_t>& pids) override;
  Result<std::vector<std::string>> Environment() override;
  Result<std::vector<std::string>> UnitPath() override;
  Status Reload() override;
  Status Enable(const std::vector<std::string>& units) override;
  Status Disable(const std::vector<std::string>& units) override;
  Status RunJobs(
      JobKind kind, const std::vector<std::string>& units,
      const std::function<void(const std::string&, const std::string&)>& progress) override;
  int bus_calls() const override { return calls_; }

  std::map<std::string, UnitStatus> units;  ///< what ListUnits answers (loaded units)
  std::set<std::string> failing;            ///< units whose jobs fail
  std::set<std::string> stale;              ///< units whose files changed since loading
  std::vector<std::string> environment;     ///< what Environment() answers
  std::vector<std::string> unit_path;       ///< what UnitPath() answers
  std::vector<std::string> log;             ///< "start a.service", "reload", … in order

 private:
  int calls_ = 0;
};

}  // namespace mosaic
