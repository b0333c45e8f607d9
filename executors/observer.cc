#include "observer.h"

#include <algorithm>
#include <future>
#include <map>
#include <set>

#include "unit_files.h"

namespace mosaic {
namespace {

bool EndsWith(const std::string& s, std::string_view suffix) {
  return s.size() > suffix.size() && s.ends_with(suffix);
}

void ObserveFiles(const DesiredState& desired, FileSystem& fs, int64_t now,
                  ObservedState& observed) {
  auto note_symlink = [&](const std::string& path) {
    std::optional<FileInfo> info = fs.Stat(path);
    if (info && info->is_symlink) observed.symlinks.push_back(path);
  };
  for (const std::string& path : {desired.holder_unit_path, desired.agent_template_path}) {
    note_symlink(path);
    if (Result<std::string> content = fs.ReadFile(path, kMaxUnitFileBytes); content.ok())
      observed.files[path] = content.value();
  }
  std::set<std::string> wanted;
  for (const DesiredAgent& agent : desired.agents) wanted.insert(agent.spec.name);
  for (const std::string& file : fs.ListDirectory(desired.paths.agents_dir)) {
    if (!EndsWith(file, ".env")) continue;
    std::string name = file.substr(0, file.size() - 4);
    observed.env_files.push_back(name);
    if (!wanted.contains(name)) continue;  // not ours to read: reported as preserved data
    note_symlink(desired.paths.EnvFile(name));
    if (Result<std::string> content = fs.ReadFile(desired.paths.EnvFile(name), kMaxEnvFileBytes);
        content.ok())
      observed.files[desired.paths.EnvFile(name)] = content.value();
  }
  for (const std::string& file : fs.ListDirectory(desired.paths.run_dir)) {
    if (!EndsWith(file, ".hb")) continue;
    if (std::optional<FileInfo> info = fs.Stat(desired.paths.run_dir + "/" + file))
      observed.heartbeat_ages[file.substr(0, file.size() - 3)] = now - info->mtime_seconds;
  }
  // User data in the fleet directory that the tool reads or leaves alone, never writes.
  const std::string fleet_dir = desired.paths.mosaic_home + "/fleet";
  for (const std::string& file : fs.ListDirectory(fleet_dir)) {
    std::string path = fleet_dir + "/" + file;
    if (path == desired.paths.roster) continue;
    if (EndsWith(file, ".yaml") || EndsWith(file, ".yml") || file == "run")
      observed.preserved.push_back(path);
  }
}

}  // namespace

Result<ObservedState> Observe(const DesiredState& desired, const Tmux& tmux,
                              SystemdManager& systemd, FileSystem& fs, int64_t now) {
  ObservedState observed;
  // The tmux process is the slowest part of observing; let it run while the bus is asked
  // and the files are read.
  std::future<Result<TmuxSessions>> listing =
      std::async(std::launch::async, [&tmux] { return tmux.ListSessions(); });

  std::vector<std::string> names = {kHolderUnit};
  for (const DesiredAgent& agent : desired.agents) names.push_back(agent.unit);
  Result<std::vector<UnitStatus>> units = systemd.ListUnits(names, {"mosaic-agent@*.service"});
  if (!units.ok()) {
    listing.wait();
    return units.status();
  }
  // Enablement is a link in default.target.wants: one directory listing for every unit.
  std::set<std::string> enabled;
  for (const std::string& link : fs.ListDirectory(desired.paths.unit_dir + "/default.target.wants"))
    enabled.insert(link);
  for (const UnitStatus& u : units.value()) {
    if (u.name != kHolderUnit && AgentOfUnit(u.name).empty()) continue;
    observed.units[u.name] = {u.name, u.load_state, u.active_state, enabled.contains(u.name)};
  }
  for (const std::string& link : enabled) {
    if ((link == kHolderUnit || !AgentOfUnit(link).empty()) && !observed.units.contains(link))
      observed.units[link] = {link, "not-loaded", "inactive", true};
  }
  // Is what the manager loaded the unit files on disk? Asking the holder and one loaded agent
  // instance covers both files (all instances share the template), whatever the fleet size.
  auto file_of = [](const std::string& unit) {
    return std::string(unit == kHolderUnit ? kHolderUnit : kAgentTemplateUnit);
  };
  std::map<std::string, std::string> probe_of_file;
  for (const auto& [name, unit] : observed.units)
    if (unit.load_state == "loaded") probe_of_file.try_emplace(file_of(name), name);
  std::vector<std::string> probes;
  for (const auto& [file, unit] : probe_of_file) probes.push_back(unit);
  if (!probes.empty()) {
    Result<std::vector<std::string>> stale = systemd.UnitsNeedingReload(probes);
    if (!stale.ok()) {
      listing.wait();
      return stale.status();
    }
    for (const std::string& unit : stale.value())
      observed.stale_unit_files.push_back(file_of(unit));
    std::sort(observed.stale_unit_files.begin(), observed.stale_unit_files.end());
  }
  ObserveFiles(desired, fs, now, observed);
  Result<TmuxSessions> sessions = listing.get();
  if (!sessions.ok()) return sessions.status();
  observed.tmux_server = sessions.value().server_running;
  observed.tmux_server_pid = sessions.value().server_pid;
  observed.sessions = std::move(sessions.value().sessions);
  return observed;
}

}  // namespace mosaic
