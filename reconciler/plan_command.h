// `mosaic-fleet plan`: what apply would do, and why. Changes nothing.
#pragma once

#include <string>
#include <vector>

#include "command.h"
#include "fleet_context.h"
#include "make_plan.h"
#include "plan.h"

namespace mosaic {

struct PlanCommandOptions {
  FleetOptions fleet;
  bool json = false;
  bool detailed_exitcode = false;  ///< exit 2 when there are changes
  std::string out;                 ///< save the plan here, for `apply FILE`
  std::vector<std::string> targets;
  std::vector<std::string> replace;  ///< persona-held agents the plan may replace or destroy
  bool drift_only = false;           ///< show only what changed outside mosaic-fleet
  bool stats = false;  ///< report what observing cost: tmux processes, bus calls, time
};

int RunPlan(const PlanCommandOptions& options, System& system, Io& io);

/// A plan and the world it was made from.
struct PlannedRun {
  ObservedState observed;
  Plan plan;
};

/// Observes and plans for `context`. Stamps the roster identity. Unknown targets and
/// --replace names are errors.
Result<PlannedRun> ObserveAndPlan(FleetContext& context, const PlanOptions& options);
Result<Plan> ComputePlan(FleetContext& context, const PlanOptions& options);

Command AddPlanCommand(CLI::App& app, CommandContext& ctx);

}  // namespace mosaic
