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

namespace {

// The file a unit is loaded from: an instance's is its template's.
std::string UnitFileOf(const std::string& unit) {
  size_t at = unit.find('@');
  return at == std::string::npos ? unit : unit.substr(0, at + 1) + unit.substr(unit.rfind('.'));
}

}  // namespace

std::string RecordingSystemdManager::DropInsOnDisk(const std::string& unit) {
  std::string all;
  if (!fs_) return all;
  std::string directory = unit_dir_ + "/" + unit + ".d";
  for (const std::string& name : fs_->ListDirectory(directory))
    if (Result<std::string> content = fs_->ReadFile(fmt::format("{}/{}", directory, name), 1 << 20);
        content.ok())
      all += fmt::format("{}\n{}", name, content.value());
  return all;
}

Result<std::string> RecordingSystemdManager::LoadedUnitFile(const std::string& unit) {
  loaded_drop_ins_.try_emplace(unit, DropInsOnDisk(unit));
  std::string file = UnitFileOf(unit);
  if (auto it = loaded_.find(file); it != loaded_.end()) return it->second;
  if (!fs_) return Status::Error("no file system attached");
  Result<std::string> content = fs_->ReadFile(unit_dir_ + "/" + file, 1 << 20);
  if (content.ok()) loaded_[file] = content.value();
  return content;
}

Result<std::vector<std::string>> RecordingSystemdManager::UnitsNeedingReload(
    const std::vector<std::string>& names) {
  std::vector<std::string> out;
  calls_ += static_cast<int>(names.size());
  for (const std::string& name : names) {
    auto loaded = loaded_.find(UnitFileOf(name));
    bool changed = false;
    if (fs_ && loaded != loaded_.end()) {
      Result<std::string> now = fs_->ReadFile(unit_dir_ + "/" + loaded->first, 1 << 20);
      changed = !now.ok() || now.value() != loaded->second;
    }
    if (auto drop_ins = loaded_drop_ins_.find(name); drop_ins != loaded_drop_ins_.end())
      changed = changed || drop_ins->second != DropInsOnDisk(name);
    if (stale.contains(name) || changed) out.push_back(name);
  }
  return out;
}

Result<std::map<std::string, std::string>> RecordingSystemdManager::UnitResults(
    const std::vector<std::string>& names) {
  calls_ += static_cast<int>(names.size());
  std::map<std::string, std::string> out;
  for (const std::string& name : names) out[name] = results.contains(name) ? results[name] : "";
  return out;
}

Status RecordingSystemdManager::ResetFailed(const std::vector<std::string>& names) {
  ++calls_;
  log.push_back(fmt::format("reset-failed {}", fmt::join(names, " ")));
  for (const std::string& name : names) {
    results.erase(name);
    if (units.contains(name) && units[name].active_state == "failed")
      units[name] = {name, "loaded", "inactive", "dead"};
  }
  return Status::Ok();
}

Status RecordingSystemdManager::AttachProcesses(const std::string& unit,
                                                const std::vector<int64_t>& pids) {
  ++calls_;
  log.push_back(fmt::format("attach {} {}", unit, fmt::join(pids, " ")));
  return Status::Ok();
}

Status RecordingSystemdManager::StartScope(const std::string& scope, const std::string&,
                                           const std::vector<int64_t>& pids) {
  ++calls_;
  log.push_back(fmt::format("start-scope {} {}", scope, fmt::join(pids, " ")));
  return Status::Ok();
}

Result<ServiceProcess> RecordingSystemdManager::MainProcess(const std::string& unit) {
  ++calls_;
  log.push_back("main-process " + unit);
  return ServiceProcess{};
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
  // Units are loaded again on their next use, from what is on disk then.
  loaded_.clear();
  loaded_drop_ins_.clear();
  return Status::Ok();
}

// Where enabling `unit` puts its link: the .wants/ of the target in its unit file's
// WantedBy= (an instance's unit file is its template's); "" when there is none.
std::string RecordingSystemdManager::WantsLink(const std::string& unit) {
  if (!fs_) return "";
  std::string file = unit;
  if (size_t at = unit.find('@'); at != std::string::npos)
    file = unit.substr(0, at + 1) + unit.substr(unit.rfind('.'));
  Result<std::string> content = fs_->ReadFile(unit_dir_ + "/" + file, 1 << 20);
  if (!content.ok()) return "";
  size_t at = content.value().find("\nWantedBy=");
  if (at == std::string::npos) return "";
  size_t start = at + 10, end = content.value().find('\n', start);
  return fmt::format("{}/{}.wants/{}", unit_dir_, content.value().substr(start, end - start), unit);
}

Status RecordingSystemdManager::Enable(const std::vector<std::string>& names) {
  ++calls_;
  log.push_back(fmt::format("enable {}", fmt::join(names, " ")));
  for (const std::string& unit : names) {
    std::string link = WantsLink(unit);
    if (link.empty()) continue;
    if (Status s = fs_->MakeDirectories(link.substr(0, link.rfind('/')), 0755); !s.ok()) return s;
    if (Status s = fs_->WriteFileAtomic(link, "", 0644); !s.ok()) return s;
  }
  return Status::Ok();
}

Status RecordingSystemdManager::Disable(const std::vector<std::string>& names) {
  ++calls_;
  log.push_back(fmt::format("disable {}", fmt::join(names, " ")));
  for (const std::string& unit : names)
    if (std::string link = WantsLink(unit); !link.empty())
      if (Status s = fs_->RemoveFile(link); !s.ok()) return s;
  return Status::Ok();
}

// What a start job does to a stopped unit: load its file (as systemd would, else "not
// found"), then run what its ExecStart= runs.
Status RecordingSystemdManager::Bring(const std::string& unit) {
  if (failing.contains(unit)) return Status::Error("failed");
  if (fs_)
    if (Result<std::string> file = LoadedUnitFile(unit); !file.ok())
      return Status::Error(fmt::format("unit {} not found", unit));
  return on_start ? on_start(unit) : Status::Ok();
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
    bool was_active = units.contains(unit) && units[unit].active_state == "active";
    if (kind != JobKind::kStart && was_active && on_stop) on_stop(unit);
    if (kind == JobKind::kStop) {
      units[unit] = {unit, "loaded", "inactive", "dead"};
    } else if (kind == JobKind::kStart && was_active) {
      // starting an active unit does nothing
    } else if (Status started = Bring(unit); !started.ok()) {
      units[unit] = {unit, "loaded", "failed", "failed"};
      failed.push_back(fmt::format("{}: failed ({})", unit, started.message()));
      continue;
    } else {
      units[unit] = {unit, "loaded", "active", "exited"};
    }
    if (progress) progress(unit, "done");
  }
  return failed.empty() ? Status::Ok() : Status::Error(fmt::format("{}", fmt::join(failed, "; ")));
}

}  // namespace mosaic
