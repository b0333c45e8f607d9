// `mosaic-fleet status`: one line per agent — unit, boot, session, runtime, heartbeat.
#pragma once

#include "command.h"
#include "fleet_context.h"

namespace mosaic {

struct StatusOptions {
  FleetOptions fleet;
  bool json = false;
};

/// Exit 0 when every agent here runs as the roster says, 1 otherwise (or on error).
int RunStatus(const StatusOptions& options, System& system, Io& io);

Command AddStatusCommand(CLI::App& app, CommandContext& ctx);

}  // namespace mosaic
