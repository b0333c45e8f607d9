// `mosaic-fleet apply [--yes] [PLANFILE]`: makes the fleet match the roster.
// A dry run unless --yes: without it, nothing is changed and the command says so.
#pragma once

#include <string>
#include <vector>

#include "command.h"
#include "fleet_context.h"

namespace mosaic {

struct ApplyCommandOptions {
  FleetOptions fleet;
  bool yes = false;
  std::string plan_file;  ///< apply exactly this saved plan (refused if the world changed)
  std::vector<std::string> targets;
  double lock_timeout = 5;  ///< seconds to wait for another apply to finish
  bool detailed_exitcode = false;
  std::vector<std::string> replace;  ///< persona-held agents this run may replace or destroy
  bool unattended = false;           ///< only what is safe without a person (the timer)
  int allow_destroy = -1;            ///< the count of running agents the destroy guard lets go
  double settle_seconds = 3;         ///< wait after starting agents, then check they still run
  bool json = false;
};

int RunApply(const ApplyCommandOptions& options, System& system, Io& io);

Command AddApplyCommand(CLI::App& app, CommandContext& ctx);

}  // namespace mosaic
