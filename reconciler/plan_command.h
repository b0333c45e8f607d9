// `mosaic-fleet plan`: what apply would do, and why. Changes nothing.
#pragma once

#include <string>
#include <vector>

#include "command.h"
#include "fleet_context.h"
#include "plan.h"

namespace mosaic {

struct PlanCommandOptions {
  FleetOptions fleet;
  bool json = false;
  bool detailed_exitcode = false;  ///< exit 2 when there are changes
  std::string out;                 ///< save the plan here, for `apply FILE`
  std::vector<std::string> targets;
  bool stats = false;  ///< report what observing cost: tmux processes, bus calls, time
};

int RunPlan(const PlanCommandOptions& options, System& system, Io& io);

/// Observes and plans for `context`. Stamps the roster identity.
Result<Plan> ComputePlan(FleetContext& context, const std::vector<std::string>& targets);

Command AddPlanCommand(CLI::App& app, CommandContext& ctx);

}  // namespace mosaic
