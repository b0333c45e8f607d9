// `mosaic-fleet verify`: proves the fleet's safety properties on this machine, one line per
// check (executors/fleet_verification.h), exit 0 only when every one holds.
#pragma once

#include "command.h"
#include "fleet_context.h"

namespace mosaic {

struct VerifyOptions {
  FleetOptions fleet;
  bool json = false;
  double lock_timeout = 60;  ///< seconds to wait for apply's lock
};

/// kExitSuccess when every check passed, kExitError otherwise.
int RunVerify(const VerifyOptions& options, System& system, Io& io);

Command AddVerifyCommand(CLI::App& app, CommandContext& ctx);

}  // namespace mosaic
