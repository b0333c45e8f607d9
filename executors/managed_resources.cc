#include "managed_resources.h"

#include <fmt/format.h>

#include "name_rules.h"
#include "unit_files.h"

namespace mosaic {
namespace {

Status Refuse(const std::string& what) {
  return Status::Error("refusing to " + what + ": mosaic-fleet acts only on what it manages");
}

}  // namespace

ManagedResources::ManagedResources(const DesiredState& desired)
    : unit_dir_(desired.paths.unit_dir),
      socket_(desired.socket),
      record_path_(desired.paths.PreviousSockets()) {
  for (const ManagedUnitFile& file : desired.unit_files) unit_files_[file.path] = file.content;
  for (const DesiredAgent& agent : desired.agents) {
    env_files_[agent.env_path] = agent.owned_env;
    agents_.insert(agent.spec.name);
  }
}

Status ManagedResources::CheckAgents(const std::vector<std::string>& names) const {
  for (const std::string& name : names)
    if (!agents_.contains(name))
      return Refuse(fmt::format("act on session {}: no agent of that name here", Quoted(name)));
  return Status::Ok();
}

Status ManagedResources::CheckPreviousSocket(const std::string& socket,
                                             const std::string& record) const {
  if (!record.empty() && record != record_path_)
    return Refuse(fmt::format("write the record of previous sockets at {}", Quoted(record)));
  if (socket == socket_ || socket == "default" ||
      ExplainNameViolation(NameRule::kSocket, socket, kMaxNameLength))
    return Refuse(fmt::format("act on socket {} as one the fleet left", Quoted(socket)));
  return Status::Ok();
}

Status ManagedResources::CheckRemoval(const std::string& path, const std::string& content) const {
  // Its name relative to the unit directory (an agent's drop-in is one directory down).
  std::string_view name = path;
  bool in_unit_dir = name.starts_with(unit_dir_ + "/");
  if (in_unit_dir) name.remove_prefix(unit_dir_.size() + 1);
  if (!in_unit_dir || !IsToolUnitFileName(name) || unit_files_.contains(path))
    return Refuse(fmt::format("remove {}", Quoted(path)));
  if (!content.starts_with(kUnitFileHeader))
    return Refuse(fmt::format("remove {}: mosaic-fleet did not write it", path));
  return Status::Ok();
}

Status ManagedResources::CheckUnitFileWrite(const std::string& path, const std::string& content,
                                            unsigned mode) const {
  auto it = unit_files_.find(path);
  if (it == unit_files_.end()) return Refuse(fmt::format("write {}", Quoted(path)));
  if (content != it->second)
    return Refuse(fmt::format("write {} with anything but its unit as the roster makes it", path));
  if (mode != 0644) return Refuse(fmt::format("write {} with mode {:o}", path, mode));
  return Status::Ok();
}

Status ManagedResources::CheckEnvMerge(const std::string& path, const OwnedEnv& owned,
                                       unsigned mode) const {
  auto it = env_files_.find(path);
  if (it == env_files_.end()) return Refuse(fmt::format("write {} as an env file", Quoted(path)));
  if (owned != it->second) return Refuse(fmt::format("set {} keys other than the roster's", path));
  if (mode != 0600) return Refuse(fmt::format("write {} with mode {:o}", path, mode));
  return Status::Ok();
}

Status ManagedResources::CheckUnits(const std::vector<std::string>& units) const {
  for (const std::string& unit : units) {
    std::string agent = AgentOfUnit(unit);
    bool ok = agent.empty() ? IsToolUnitFileName(unit) : CheckSessionName("", agent).ok();
    if (!ok) return Refuse(fmt::format("act on unit {}", Quoted(unit)));
  }
  return Status::Ok();
}

}  // namespace mosaic
