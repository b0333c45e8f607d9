// ManagedResources: the only files, units and sessions the executors will act on, and the
// only contents they will write.
//
// Apply re-derives every plan it executes, so a step should never name anything else; this
// is the second line of defence, at the point of action. Built from the desired state, it
// allows writing the tool's unit files with exactly their desired contents, and merging
// agents' env files with exactly their desired owned keys; acting only on the holder unit and
// `mosaic-agent@NAME.service` units with safe names; and killing only sessions whose
// @mosaic-owner says the tool created them (that check is Tmux::KillOwnedSession's).
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "desired_state.h"
#include "env_merge.h"
#include "status.h"

namespace mosaic {

class ManagedResources {
 public:
  explicit ManagedResources(const DesiredState& desired);

  /// Writing `content` with `mode` at `path`: one of the tool's unit files, as desired.
  Status CheckUnitFileWrite(const std::string& path, const std::string& content,
                            unsigned mode) const;
  /// Merging `owned` into `path`: an agent's env file, with exactly its desired owned keys.
  Status CheckEnvMerge(const std::string& path, const OwnedEnv& owned, unsigned mode) const;
  /// Removing `path`, whose current content is `content`: a unit file in the unit directory
  /// that the tool wrote (it begins with the tool's header) and no longer calls for.
  Status CheckRemoval(const std::string& path, const std::string& content) const;
  /// Starting, stopping, enabling … `units`: units of the tool's own unit files, and agent
  /// instances with safe names.
  Status CheckUnits(const std::vector<std::string>& units) const;
  /// Acting on the sessions of agents `names`: agents of this host's roster.
  Status CheckAgents(const std::vector<std::string>& names) const;
  /// Acting on socket `socket`, which the fleet moved away from, and on the record of such
  /// sockets at `record` (when given): a safe name other than the fleet's own, and the record
  /// in the fleet's run directory.
  Status CheckPreviousSocket(const std::string& socket, const std::string& record) const;

 private:
  std::string unit_dir_;
  std::string socket_;                             ///< the fleet's
  std::set<std::string> agents_;                   ///< this host's, by name
  std::string record_path_;                        ///< fleet/run/previous-sockets
  std::map<std::string, std::string> unit_files_;  ///< path → desired content
  std::map<std::string, OwnedEnv> env_files_;      ///< path → desired owned keys
};

}  // namespace mosaic
