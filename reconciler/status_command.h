// `mosaic-fleet status [NAME…]`: one row per agent — unit, boot, session, pid, the program
// running, idle time, heartbeat and flags — plus what runs without the roster naming it.
#pragma once

#include <string>
#include <vector>

#include "command.h"
#include "fleet_context.h"

namespace mosaic {

struct StatusOptions {
  FleetOptions fleet;
  std::vector<std::string> names;  ///< only these rows; all when empty
  bool json = false;
};

/// Exit 0 when every row shown is healthy, kExitUnhealthy when one is not, kExitError when
/// the fleet could not be observed or a name is unknown.
int RunStatus(const StatusOptions& options, System& system, Io& io);

Command AddStatusCommand(CLI::App& app, CommandContext& ctx);

}  // namespace mosaic
