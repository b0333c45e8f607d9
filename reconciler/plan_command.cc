#include "plan_command.h"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <chrono>

#include "exit_codes.h"
#include "fingerprint.h"
#include "make_plan.h"
#include "plan_json.h"
#include "plan_view.h"

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

int RunPlan(const PlanCommandOptions& options, System& system, Io& io) {
  std::optional<FleetContext> context = OpenFleet(system, options.fleet, io);
  if (!context) return kExitError;
  auto started = system.Monotonic();
  int processes_before = system.processes().processes_started();
  Result<Plan> plan = ComputePlan(*context, options.targets);
  if (options.stats) {
    double ms = std::chrono::duration<double, std::milli>(system.Monotonic() - started).count();
    Result<SystemdManager*> manager = context->systemd();
    io.err << fmt::format(
        "stats: observed and planned {} agents in {:.1f} ms with {} tmux process(es) and {} bus "
        "call(s)\n",
        context->desired().agents.size(), ms,
        system.processes().processes_started() - processes_before,
        manager.ok() ? manager.value()->bus_calls() : 0);
  }
  if (!plan.ok()) {
    io.err << "error: " << plan.status().message() << "\n";
    return kExitError;
  }
  MakePlanView(options.json, io)->Show(plan.value());
  if (!options.out.empty() && plan.value().has_errors()) {
    io.err << "error: the plan was not saved to " << options.out
           << ": apply would refuse it while it has errors\n";
  } else if (!options.out.empty()) {
    // A saved plan holds no user env values (env steps carry only owned keys), but it does
    // describe the fleet: readable by its owner only.
    Status saved =
        system.files().WriteFileAtomic(options.out, PlanToJson(plan.value()).dump(2) + "\n", 0600);
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

Command AddPlanCommand(CLI::App& app, CommandContext& ctx) {
  auto options = std::make_shared<PlanCommandOptions>();
  CLI::App* cmd =
      app.add_subcommand("plan", "Show what apply would change, and why. Changes nothing.");
  AddFleetOptions(*cmd, options->fleet, ctx);
  cmd->add_flag("--json", options->json, "Machine-readable plan (docs/plan-json.md)");
  cmd->add_flag("--detailed-exitcode", options->detailed_exitcode,
                "Exit 0: no changes, 1: error, 2: changes present");
  cmd->add_option("--out", options->out,
                  "Save the plan for `apply FILE` (refused there if the fleet changed)");
  cmd->add_option("--target", options->targets,
                  "Only this agent (repeat --target for more); always warns that it did")
      ->allow_extra_args(false);  // one name each: `--target a plan.json` keeps the file
  cmd->add_flag("--stats", options->stats,
                "Report what observing cost (tmux processes, bus calls, time) on stderr");
  cmd->footer(
      "\nSymbols: + create, ~ update in place, -/+ replace, - destroy. Each change says why.\n"
      "A timer can run `plan --detailed-exitcode` to detect drift (exit 2).");
  return {cmd, [options, &ctx] { return RunPlan(*options, ctx.system, ctx.io); }};
}

}  // namespace mosaic
