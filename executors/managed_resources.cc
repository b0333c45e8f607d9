#include "managed_resources.h"

#include <fmt/format.h>

#include "fleet_contract.h"
#include "name_rules.h"
#include "unit_files.h"

namespace mosaic {
namespace {

std::pair<std::string, std::string> SplitPath(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return {"", path};
  return {path.substr(0, slash), path.substr(slash + 1)};
}

bool IsSafeName(const std::string& name) {
  return !ExplainNameViolation(NameRule::kSession, name, 64).has_value();
}

Status Refuse(const std::string& what) {
  return Status::Error("refusing to " + what + ": mosaic-fleet acts only on what it manages");
}

}  // namespace

ManagedResources::ManagedResources(const FleetPaths& paths, std::set<std::string> unit_files)
    : paths_(paths), unit_files_(std::move(unit_files)) {}

Status ManagedResources::CheckUnitFileWrite(const std::string& path, const std::string& content,
                                            unsigned mode) const {
  auto [dir, name] = SplitPath(path);
  if (dir != paths_.unit_dir || !unit_files_.contains(name))
    return Refuse(fmt::format("write {}", Quoted(path)));
  if (!content.starts_with(kUnitFileHeader))
    return Refuse(fmt::format("write {} without mosaic-fleet's header", path));
  if (mode != 0644) return Refuse(fmt::format("write {} with mode {:o}", path, mode));
  return Status::Ok();
}

Status ManagedResources::CheckEnvMerge(const std::string& path, const OwnedEnv& owned,
                                       unsigned mode) const {
  auto [dir, name] = SplitPath(path);
  if (dir != paths_.agents_dir || !name.ends_with(".env") ||
      !IsSafeName(name.substr(0, name.size() - 4)))
    return Refuse(fmt::format("write {} as an env file", Quoted(path)));
  for (const auto& [key, value] : owned)
    if (!IsOwnedEnvKey(key)) return Refuse(fmt::format("set {} in {}", Quoted(key), path));
  if (mode != 0600) return Refuse(fmt::format("write {} with mode {:o}", path, mode));
  return Status::Ok();
}

Status ManagedResources::CheckUnits(const std::vector<std::string>& units) const {
  for (const std::string& unit : units) {
    std::string agent = AgentOfUnit(unit);
    if (unit != kHolderUnit && (agent.empty() || !IsSafeName(agent)))
      return Refuse(fmt::format("act on unit {}", Quoted(unit)));
  }
  return Status::Ok();
}

}  // namespace mosaic
