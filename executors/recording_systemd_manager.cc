#include "recording_systemd_manager.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <fnmatch.h>

namespace mosaic {

Result<std::vector<UnitStatus>> RecordingSystemdManager::ListUnits(
    const std::vector<std::string>& names, const std::vector<std::string>& patterns) {
  std::vector<UnitStatus> out;
  calls_ += (names.empty() ? 0 : 1) + (patterns.empty() ? 0 : 1);
  for (const std::string& name : names) {
    auto it = units.find(name);
    out.push_back(it != units.end() ? it->second
                                    : UnitStatus{name, "not-found", "inactive", "dead"});
  }
  for (const auto& [name, status] : units)
    for (const std::string& pattern : patterns)
      if (::fnmatch(pattern.c_str(), name.c_str(), 0) == 0) out.push_back(status);
  return out;
}

Result<std::vector<std::string>> RecordingSystemdManager::UnitsNeedingReload(
    const std::vector<std::string>& names) {
  std::vector<std::string> out;
  calls_ += static_cast<int>(names.size());
  for (const std::string& name : names)
    if (stale.contains(name)) out.push_back(name);
  return out;
}

Status RecordingSystemdManager::AttachProcesses(const std::string& unit,
                                                const std::vector<int64_t>& pids) {
  ++calls_;
  log.push_back(fmt::format("attach {} {}", unit, fmt::join(pids, " ")));
  return Status::Ok();
}

Result<std::vector<std::string>> RecordingSystemdManager::Environment() {
  ++calls_;
  return environment;
}

Result<std::vector<std::string>> RecordingSystemdManager::UnitPath() {
  ++calls_;
  return unit_path;
}

Status RecordingSystemdManager::Reload() {
  ++calls_;
  log.push_back("reload");
  stale.clear();
  return Status::Ok();
}

Status RecordingSystemdManager::Enable(const std::vector<std::string>& names) {
  ++calls_;
  log.push_back(fmt::format("enable {}", fmt::join(names, " ")));
  return Status::Ok();
}

Status RecordingSystemdManager::Disable(const std::vector<std::string>& names) {
  ++calls_;
  log.push_back(fmt::format("disable {}", fmt::join(names, " ")));
  return Status::Ok();
}

Status RecordingSystemdManager::RunJobs(
    JobKind kind, const std::vector<std::string>& names,
    const std::function<void(const std::string&, const std::string&)>& progress) {
  const char* verb = kind == JobKind::kStart     ? "start"
                     : kind == JobKind::kRestart ? "restart"
                                                 : "stop";
  std::vector<std::string> failed;
  for (const std::string& unit : names) {
    ++calls_;
    log.push_back(fmt::format("{} {}", verb, unit));
    if (failing.contains(unit))
      failed.push_back(unit + ": failed");
    else if (progress)
      progress(unit, "done");
  }
  return failed.empty() ? Status::Ok() : Status::Error(fmt::format("{}", fmt::join(failed, "; ")));
}

}  // namespace mosaic
