#include "plan_command.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <chrono>

#include "exit_codes.h"
#include "fingerprint.h"
#include "make_plan.h"
#include "plan_json.h"
#include "plan_render.h"

namespace mosaic {

Result<Plan> ComputePlan(FleetContext& context, const std::vector<std::string>& targets) {
  for (const std::string& target : targets) {
    bool known = false;
    for (const DesiredAgent& a : context.desired().agents) known = known || a.spec.name == target;
    for (const AgentSpec& a : context.desired().elsewhere) known = known || a.name == target;
    if (!known)
      return Status::Error(fmt::format("--target {}: no agent of that name in the roster", target));
  }
  Result<ObservedState> observed = context.Observe();
  if (!observed.ok()) return observed.status();
  Plan plan = MakePlan(context.desired(), observed.value(), {targets, 600});
  plan.roster_path = context.roster_path();
  plan.roster_fingerprint = Fingerprint(context.roster_text());
  return plan;
}

void ShowPlan(const Plan& plan, bool json, Io& io) {
  if (!plan.targets.empty())
    io.err << fmt::format(
        "warning: --target limits this plan to {}; the rest of the fleet is not checked\n",
        fmt::join(plan.targets, ", "));
  if (json)
    io.out << PlanToJson(plan).dump(2) << "\n";
  else
    io.out << RenderPlanText(plan, io.out_color);
}

int RunPlan(const PlanCommandOptions& options, const Environment& env, Io& io) {
  std::optional<FleetContext> context = OpenFleet(options.fleet, env, io);
  if (!context) return kExitError;
  auto started = std::chrono::steady_clock::now();
  Result<Plan> plan = ComputePlan(*context, options.targets);
  if (options.stats) {
    double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
            .count();
    io.err << fmt::format(
        "stats: observed and planned {} agents in {:.1f} ms with {} tmux process(es) and {} bus "
        "call(s)\n",
        context->desired().agents.size(), ms, context->processes().processes_started(),
        context->systemd().bus_calls());
  }
  if (!plan.ok()) {
    io.err << "error: " << plan.status().message() << "\n";
    return kExitError;
  }
  ShowPlan(plan.value(), options.json, io);
  if (!options.out.empty() && plan.value().has_errors()) {
    io.err << "error: the plan was not saved to " << options.out
           << ": apply would refuse it while it has errors\n";
  } else if (!options.out.empty()) {
    // A saved plan holds no user env values (env steps carry only owned keys), but it does
    // describe the fleet: readable by its owner only.
    Status saved =
        context->fs().WriteFileAtomic(options.out, PlanToJson(plan.value()).dump(2) + "\n", 0600);
    if (!saved.ok()) {
      io.err << "error: cannot save the plan: " << saved.message() << "\n";
      return kExitError;
    }
    io.err << fmt::format(
        "Saved the plan to {}. Apply exactly it with: mosaic-fleet apply --yes {}\n", options.out,
        options.out);
  }
  if (plan.value().has_errors()) return kExitError;
  if (options.detailed_exitcode && !plan.value().empty()) return kExitChanges;
  return kExitSuccess;
}

}  // namespace mosaic
