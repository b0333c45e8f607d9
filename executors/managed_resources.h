// ManagedResources: the only files, units and sessions the executors will act on.
//
// Apply re-derives every plan it executes, so a step should never name anything else; this
// is the second line of defence, at the point of action. It allows writing only the tool's
// unit files in the user unit directory (recognised by name and by the header the tool puts
// in them) and agents' env files (merged, owned keys only); acting only on the holder unit and
// `mosaic-agent@NAME.service` units with safe names; and killing only sessions whose
// @mosaic-owner says the tool created them (that check is Tmux::KillOwnedSession's).
#pragma once

#include <set>
#include <string>
#include <vector>

#include "env_merge.h"
#include "fleet_paths.h"
#include "status.h"

namespace mosaic {

class ManagedResources {
 public:
  /// `unit_files`: names of the unit files the tool writes ("mosaic-tmux-holder.service", …).
  ManagedResources(const FleetPaths& paths, std::set<std::string> unit_files);

  /// Writing `content` with `mode` at `path`: one of the tool's unit files, as the tool
  /// writes them.
  Status CheckUnitFileWrite(const std::string& path, const std::string& content,
                            unsigned mode) const;
  /// Merging `owned` into `path`: an agent's env file, and only keys the tool owns.
  Status CheckEnvMerge(const std::string& path, const OwnedEnv& owned, unsigned mode) const;
  /// Starting, stopping, enabling … `units`: the holder, or agent instances with safe names.
  Status CheckUnits(const std::vector<std::string>& units) const;

 private:
  FleetPaths paths_;
  std::set<std::string> unit_files_;
};

}  // namespace mosaic
