#include "plan_command.h"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <sstream>

#include "exit_codes.h"
#include "fingerprint.h"
#include "make_plan.h"
#include "plan_json.h"
#include "plan_view.h"

namespace mosaic {

Result<PlannedRun> ObserveAndPlan(FleetContext& context, const PlanOptions& options) {
  auto check = [&](const std::string& flag, const std::string& name) {
    for (const DesiredAgent& a : context.desired().agents)
      if (a.spec.name == name) return Status::Ok();
    for (const AgentSpec& a : context.desired().elsewhere)
      if (a.name == name) return Status::Ok();
    return Status::Error(fmt::format("{} {}: no agent of that name in the roster", flag, name));
  };
  for (const std::string& target : options.targets)
    if (Status known = check("--target", target); !known.ok()) return known;
  for (const std::string& name : options.replace)
    if (Status known = check("--replace", name); !known.ok()) return known;
  Result<ObservedState> observed = context.Observe();
  if (!observed.ok()) return observed.status();
  Plan plan = MakePlan(context.desired(), observed.value(), options);
  plan.roster_path = context.roster_path();
  plan.roster_fingerprint = Fingerprint(context.roster_text());
  return PlannedRun{std::move(observed).value(), std::move(plan)};
}

Result<Plan> ComputePlan(FleetContext& context, const PlanOptions& options) {
  Result<PlannedRun> run = ObserveAndPlan(context, options);
  if (!run.ok()) return run.status();
  return std::move(run.value().plan);
}

namespace {

// The plan as `--drift-only` shows it: the changes made outside mosaic-fleet, nothing else.
Plan DriftOnly(Plan plan) {
  std::erase_if(plan.changes, [](const ResourceChange& c) { return !c.drift; });
  return plan;
}

}  // namespace

int RunPlan(const PlanCommandOptions& options, System& system, Io& io) {
  std::optional<FleetContext> context = OpenFleet(system, options.fleet, io);
  if (!context) return kExitError;
  auto started = system.Monotonic();
  int processes_before = system.processes().processes_started();
  if (options.drift_only && !options.out.empty()) {
    io.err << "error: --drift-only shows part of a plan; a saved plan must be whole (drop one)\n";
    return kExitError;
  }
  PlanOptions plan_options;
  plan_options.targets = options.targets;
  plan_options.replace = {options.replace.begin(), options.replace.end()};
  Result<Plan> plan = ComputePlan(*context, plan_options);
  if (plan.ok() && options.drift_only) plan = DriftOnly(std::move(plan).value());
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
    std::ostringstream text;
    WritePlanJson(plan.value(), text);
    text << "\n";
    Status saved = system.files().WriteFileAtomic(options.out, text.str(), 0600);
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
  AddBinaryOption(*cmd, options->fleet);
  cmd->add_flag("--json", options->json, "Machine-readable plan (docs/plan-json.md)");
  cmd->add_flag("--detailed-exitcode", options->detailed_exitcode,
                "Exit 0: no changes, 1: error, 2: changes present");
  cmd->add_option("--out", options->out,
                  "Save the plan for `apply FILE` (refused there if the fleet changed)")
      ->type_name("FILE");
  AddNameOption(*cmd, "--target", options->targets,
                "Only this agent (repeat --target for more); always warns that it did");
  AddNameOption(*cmd, "--replace", options->replace,
                "Let this persistent-persona agent be replaced or destroyed (repeat --replace "
                "for more)");
  cmd->add_flag("--drift-only", options->drift_only,
                "Show only what changed outside mosaic-fleet (same exit codes)");
  cmd->add_flag("--stats", options->stats,
                "Report what observing cost (tmux processes, bus calls, time) on stderr");
  cmd->footer(
      "\nSymbols: + create, ~ update in place, -/+ replace, - destroy. Each change says why.\n"
      "plan reads and changes nothing; `apply` does what it shows.\n"
      "\nExit status: 0 success (with --detailed-exitcode: no changes); 1 error (the roster,\n"
      "the user manager or tmux); 2 with --detailed-exitcode, changes present.\n"
      "\nExamples:\n"
      "  mosaic-fleet plan\n"
      "  mosaic-fleet plan --detailed-exitcode >/dev/null || echo drift   a timer's check\n"
      "  mosaic-fleet plan --json | jq '.resource_changes[].address'\n"
      "  mosaic-fleet plan --out reviewed.plan\n");
  return {cmd, [options, &ctx] { return RunPlan(*options, ctx.system, ctx.io); }};
}

}  // namespace mosaic
