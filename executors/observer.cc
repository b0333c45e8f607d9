#include "observer.h"

#include <fmt/format.h>

#include <algorithm>
#include <future>
#include <map>
#include <range/v3/range/conversion.hpp>
#include <range/v3/view/map.hpp>
#include <range/v3/view/transform.hpp>
#include <set>
#include <system_error>

#include "previous_sockets.h"
#include "unit_cgroup.h"
#include "unit_files.h"

namespace mosaic {
namespace {

bool EndsWith(const std::string& s, std::string_view suffix) {
  return s.size() > suffix.size() && s.ends_with(suffix);
}

// The target a unit file's [Install] names (WantedBy=), as systemd reads it for enabling.
std::string WantedBy(const std::string& content) {
  size_t at = content.find("\nWantedBy=");
  if (at == std::string::npos) return "";
  size_t start = at + 10, end = content.find_first_of(" \n", start);
  return content.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

// Unit files of the tool's that the desired state no longer names: a name this version of the
// tool writes, in the unit directory, beginning with its header (the user's own files, and
// those a newer version wrote, are never touched). Fills `targets` with their [Install] target.
// Agents' drop-ins ("mosaic-agent@NAME.service.d/…") count as names in the unit directory.
void ObserveRetiredUnitFiles(const DesiredState& desired, FileSystem& fs,
                             std::vector<std::string> unit_dir,
                             std::map<std::string, std::string>& targets, ObservedState& observed) {
  for (const std::string& entry : std::vector<std::string>(unit_dir))
    if (entry.starts_with("mosaic-agent@") && entry.ends_with(".service.d"))
      for (const std::string& file : fs.ListDirectory(desired.paths.unit_dir + "/" + entry))
        unit_dir.push_back(fmt::format("{}/{}", entry, file));
  for (const std::string& name : unit_dir) {
    if (!IsToolUnitFileName(name) || desired.UnitFile(name)) continue;
    std::string path = desired.paths.unit_dir + "/" + name;
    std::optional<FileInfo> info = fs.Stat(path);
    if (!info || info->is_directory || info->is_symlink) continue;
    Result<std::string> content = fs.ReadFile(path, kMaxUnitFileBytes);
    if (!content.ok() || !content.value().starts_with(kUnitFileHeader)) continue;
    observed.retired_unit_files.push_back(name);
    targets[name] = WantedBy(content.value());
  }
}

void ObserveFiles(const DesiredState& desired, FileSystem& fs, int64_t now,
                  std::map<std::string, std::string>& targets, ObservedState& observed) {
  auto note_symlink = [&](const std::string& path) {
    std::optional<FileInfo> info = fs.Stat(path);
    if (info && info->is_symlink) observed.symlinks.push_back(path);
  };
  for (const ManagedUnitFile& unit_file : desired.unit_files) {
    note_symlink(unit_file.path);
    targets[unit_file.name] = unit_file.wanted_by;
    if (Result<std::string> content = fs.ReadFile(unit_file.path, kMaxUnitFileBytes); content.ok())
      observed.files[unit_file.path] = content.value();
  }
  ObserveRetiredUnitFiles(desired, fs, fs.ListDirectory(desired.paths.unit_dir), targets, observed);
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
    if (EndsWith(file, kOperatorStopSuffix)) {
      observed.operator_stopped.push_back(
          file.substr(0, file.size() - std::string_view(kOperatorStopSuffix).size()));
      continue;
    }
    if (!EndsWith(file, ".hb")) continue;
    if (std::optional<FileInfo> info = fs.Stat(desired.paths.run_dir + "/" + file))
      observed.heartbeat_ages[file.substr(0, file.size() - 3)] = now - info->mtime_seconds;
  }
  // User data in the fleet directory that the tool reads or leaves alone, never writes.
  const std::string& fleet_dir = desired.paths.fleet_dir;
  for (const std::string& file : fs.ListDirectory(fleet_dir)) {
    std::string path = fleet_dir;
    path.append("/").append(file);
    if (path == desired.paths.roster) continue;
    if (EndsWith(file, ".yaml") || EndsWith(file, ".yml") || file == "run")
      observed.preserved.push_back(path);
  }
}

// Which of the tool's units are enabled: linked in the .wants/ directory of the target their
// unit file's [Install] names (an agent instance: its template's) — one listing per target,
// whatever the number of units.
std::set<std::string> ObserveEnablement(const DesiredState& desired, FileSystem& fs,
                                        const std::map<std::string, std::string>& targets) {
  std::set<std::string> listed, enabled;
  for (const auto& [file, target] : targets) {
    if (target.empty() || !listed.insert(target).second) continue;
    for (const std::string& link :
         fs.ListDirectory(desired.paths.unit_dir + "/" + target + ".wants"))
      if (auto it = targets.find(UnitFileName(link)); it != targets.end() && it->second == target)
        enabled.insert(link);
  }
  return enabled;
}

// Is what the manager loaded the unit files on disk? One loaded unit per unit file answers it
// (all instances share their template), whatever the fleet size; an agent's drop-in is
// answered by that agent's unit (probed only for agents that have, or had, a drop-in).
Status ObserveStaleUnitFiles(const DesiredState& desired, FileSystem& fs, SystemdManager& systemd,
                             ObservedState& observed) {
  auto loaded = [&](const std::string& unit) {
    auto it = observed.units.find(unit);
    return it != observed.units.end() && it->second.load_state == "loaded";
  };
  std::set<std::string> with_drop_in;  // agents' units
  for (const ManagedUnitFile& file : desired.unit_files)
    if (std::string agent = AgentOfDropIn(file.name); !agent.empty())
      with_drop_in.insert(AgentUnitName(agent));
  for (const std::string& entry : fs.ListDirectory(desired.paths.unit_dir))
    if (entry.ends_with(".service.d") && !AgentOfUnit(entry.substr(0, entry.size() - 2)).empty())
      with_drop_in.insert(entry.substr(0, entry.size() - 2));
  std::map<std::string, std::vector<std::string>> files_of_probe;
  std::set<std::string> probed_files;
  // A template is probed through an instance without a drop-in where there is one, so that a
  // changed drop-in is not reported as a changed template.
  for (bool drop_in_ok : {false, true})
    for (const auto& [name, unit] : observed.units)
      if (loaded(name) && (drop_in_ok || !with_drop_in.contains(name)) &&
          probed_files.insert(UnitFileName(name)).second)
        files_of_probe[name].push_back(UnitFileName(name));
  for (const std::string& unit : with_drop_in)
    if (loaded(unit)) files_of_probe[unit].push_back(AgentDropInName(AgentOfUnit(unit)));
  if (files_of_probe.empty()) return Status::Ok();
  Result<std::vector<std::string>> stale =
      systemd.UnitsNeedingReload(files_of_probe | ranges::views::keys | ranges::to<std::vector>);
  if (!stale.ok()) return stale.status();
  std::set<std::string> files;
  for (const std::string& unit : stale.value())
    for (const std::string& file : files_of_probe[unit]) files.insert(file);
  observed.stale_unit_files.assign(files.begin(), files.end());
  return Status::Ok();
}

// The socket the holder's running main process serves (`holder run --socket X`), asked only
// when the fleet's server is not the holder's: an earlier version's apply, or a deleted
// record, can leave the holder on a socket nothing on disk names any more.
std::optional<std::string> SocketHolderServes(SystemdManager& systemd, FileSystem& fs) {
  Result<ServiceProcess> holder = systemd.MainProcess(kHolderUnit);
  if (!holder.ok() || holder.value().main_pid <= 0) return std::nullopt;
  std::vector<std::string> words = CommandLineOf(fs, holder.value().main_pid);
  auto flag = std::find(words.begin(), words.end(), "--socket");
  if (flag == words.end() || flag + 1 == words.end()) return std::nullopt;
  return *(flag + 1);
}

// The sockets the fleet moved away from: the record, and — while an apply has not finished
// the move — the socket the holder's unit file or its running process names. One tmux
// process each, and only when the fleet has moved.
void ObservePreviousSockets(const DesiredState& desired, const Tmux& tmux, SystemdManager& systemd,
                            FileSystem& fs, ObservedState& observed) {
  std::vector<std::string> recorded;
  if (Result<std::string> record = fs.ReadFile(desired.paths.PreviousSockets(), size_t{64} * 1024);
      record.ok())
    recorded = ParsePreviousSockets(record.value());
  std::vector<std::string> names = recorded;
  auto consider = [&](const std::optional<std::string>& socket) {
    if (socket && *socket != desired.socket &&
        std::find(names.begin(), names.end(), *socket) == names.end())
      names.push_back(*socket);
  };
  const ManagedUnitFile* holder = desired.UnitFile(kHolderUnit);
  if (auto file = holder ? observed.files.find(holder->path) : observed.files.end();
      file != observed.files.end())
    consider(HolderSocketOf(file->second));
  auto unit = observed.units.find(kHolderUnit);
  bool holder_active = unit != observed.units.end() && unit->second.active();
  if (holder_active && names.empty() &&
      (!observed.tmux_server || observed.tmux_server_outside_holder))
    consider(SocketHolderServes(systemd, fs));
  for (const std::string& name : names) {
    if (name == desired.socket) continue;
    Result<Tmux> other = tmux.Sibling(name);
    if (!other.ok()) continue;  // "default", or not a safe name (an edited unit): never touched
    bool is_recorded = std::find(recorded.begin(), recorded.end(), name) != recorded.end();
    ObservedPreviousSocket p{.name = name, .recorded = is_recorded};
    if (Result<TmuxSessions> sessions = other.value().ListSessions(); !sessions.ok()) {
      p.unreadable = sessions.status().message();
    } else {
      p.server = sessions.value().server_running;
      p.server_pid = sessions.value().server_pid;
      p.server_in_holder = p.server && InUnitCgroup(fs, p.server_pid, kHolderUnit);
      p.sessions = std::move(sessions.value().sessions);
      std::erase_if(p.sessions,
                    [](const auto& entry) { return entry.second.owner == kOwnerViewer; });
    }
    // Named only by an (edited?) unit file, with a server that is not the holder's: not a
    // socket the fleet ever ran on; never recorded or acted on.
    if (!is_recorded && (!p.unreadable.empty() || (p.server && !p.server_in_holder))) continue;
    observed.previous_sockets.push_back(std::move(p));
  }
}

}  // namespace

Result<ObservedState> Observe(const DesiredState& desired, const Tmux& tmux,
                              SystemdManager& systemd, FileSystem& fs, int64_t now,
                              std::string_view manager_path) {
  ObservedState observed;
  observed.observed_at = now;
  // The tmux process is the slowest part of observing; let it run while the bus is asked
  // and the files are read. Without a thread to spare (the user's task limit reached), it
  // runs when its answer is needed.
  auto list = [&tmux] { return tmux.ListSessions(); };
  std::future<Result<TmuxSessions>> listing;
  try {
    listing = std::async(std::launch::async, list);
  } catch (const std::system_error&) {
    listing = std::async(std::launch::deferred, list);
  }

  std::map<std::string, std::string> targets;  // unit file → the target that enables it
  ObserveFiles(desired, fs, now, targets, observed);
  ObserveLaunchPrerequisites(desired, fs, manager_path, observed);
  std::vector<std::string> names;
  for (const ManagedUnitFile& file : desired.unit_files)
    if (file.run) names.push_back(file.name);
  for (const DesiredAgent& agent : desired.agents) names.push_back(agent.unit);
  // Every loaded mosaic-* unit: agents of removed roster entries, units of retired files.
  Result<std::vector<UnitStatus>> units = systemd.ListUnits(names, {"mosaic-*"});
  // (An early return waits for the listing all the same: a future of std::async blocks in its
  // destructor. One deferred for want of a thread is never run.)
  if (!units.ok()) return units.status();
  // The tool's units: those of its unit files, and agents' instances — also a unit still loaded
  // whose file an interrupted apply already removed (it needs the reload that was missed).
  auto is_ours = [](const std::string& unit) { return IsToolUnitFileName(UnitFileName(unit)); };
  std::set<std::string> enabled = ObserveEnablement(desired, fs, targets);
  for (const UnitStatus& u : units.value())
    if (is_ours(u.name))
      observed.units[u.name] = {u.name, u.load_state, u.active_state, enabled.contains(u.name),
                                u.sub_state};
  // Why the failed ones failed (a crash loop is "start-limit-hit"): asked only of them.
  std::vector<std::string> failed;
  for (const auto& [name, unit] : observed.units)
    if (unit.active_state == "failed") failed.push_back(name);
  if (!failed.empty()) {
    Result<std::map<std::string, std::string>> results = systemd.UnitResults(failed);
    if (!results.ok()) return results.status();
    for (const auto& [name, result] : results.value()) observed.units[name].result = result;
  }
  for (const std::string& link : enabled)
    if (is_ours(link) && !observed.units.contains(link))
      observed.units[link] = {link, "not-loaded", "inactive", true};

  if (Status probed = ObserveStaleUnitFiles(desired, fs, systemd, observed); !probed.ok())
    return probed;
  Result<TmuxSessions> sessions = listing.get();
  if (!sessions.ok()) return sessions.status();
  observed.tmux_server = sessions.value().server_running;
  observed.tmux_server_pid = sessions.value().server_pid;
  observed.sessions = std::move(sessions.value().sessions);
  // `agent watch`'s viewer is a second view of an agent's window, gone when the watch ends:
  // neither a session of the fleet nor a stranger's.
  std::erase_if(observed.sessions,
                [](const auto& entry) { return entry.second.owner == kOwnerViewer; });
  // Unknown (no /proc to read) is not outside: only a cgroup seen to be another says so.
  observed.tmux_server_outside_holder = observed.tmux_server &&
                                        !UnitCgroupsOf(fs, observed.tmux_server_pid).empty() &&
                                        !InUnitCgroup(fs, observed.tmux_server_pid, kHolderUnit);
  ObservePreviousSockets(desired, tmux, systemd, fs, observed);
  return observed;
}

}  // namespace mosaic
