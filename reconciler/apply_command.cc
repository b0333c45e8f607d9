#include "apply_command.h"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <memory>

#include "apply_lock.h"
#include "exit_codes.h"
#include "fingerprint.h"
#include "managed_resources.h"
#include "plan_command.h"
#include "plan_json.h"
#include "plan_render.h"
#include "plan_view.h"
#include "step_executor.h"
#include "utf8.h"

namespace mosaic {
namespace {

Result<Plan> LoadSavedPlan(FileSystem& fs, const std::string& path) {
  Result<std::string> text = fs.ReadFile(path, kMaxPlanFileBytes);
  if (!text.ok()) return text.status();
  nlohmann::json json = nlohmann::json::parse(text.value(), nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded())
    return Status::Error(fmt::format("{} is not a mosaic-fleet plan: it is not JSON", path));
  Result<Plan> plan = PlanFromJson(json);
  if (!plan.ok())
    return Status::Error(fmt::format("{} is not a mosaic-fleet plan: {}", path,
                                     PrintableText(plan.status().message())));
  return plan;
}

// Where two lists of steps first differ, in words.
std::string FirstDifference(const std::vector<Step>& saved, const std::vector<Step>& derived) {
  for (size_t i = 0; i < std::max(saved.size(), derived.size()); ++i) {
    if (i < saved.size() && i < derived.size() && saved[i] == derived[i]) continue;
    // The saved file is anyone's bytes: shown, never able to drive the terminal.
    std::string theirs =
        i < saved.size() ? "`" + PrintableText(DescribeStep(saved[i])) + "`" : "missing";
    std::string ours = i < derived.size() ? "`" + DescribeStep(derived[i]) + "`" : "no step";
    if (theirs == ours) theirs += " (with other contents)";
    return fmt::format("its step {} is {}; the roster and the fleet call for {}", i + 1, theirs,
                       ours);
  }
  return "its changes are described differently";
}

// The plan to execute for a saved one: the plan the current roster and world produce, made
// here, provided it is exactly the saved one. A saved plan is never executed as read — its
// fingerprints could be kept by an edited file, and its steps could name anything.
Result<Plan> VerifySavedPlan(FleetContext& context, const Plan& saved, const std::string& file) {
  if (saved.roster_fingerprint != Fingerprint(context.roster_text()))
    return Status::Error(
        fmt::format("the roster {} changed since this plan was made; make a new plan",
                    PrintableText(saved.roster_path)));
  Result<Plan> derived = ComputePlan(context, saved.targets);
  if (!derived.ok()) return derived.status();
  if (derived.value().observed_fingerprint != saved.observed_fingerprint)
    return Status::Error(
        "the fleet changed since this plan was made (sessions, units or files differ); "
        "make a new plan with `mosaic-fleet plan --out FILE`");
  if (derived.value().socket != saved.socket)
    return Status::Error(fmt::format(
        "{} names tmux socket {}, but the roster's socket is {}: it was edited. Nothing was "
        "changed; make a new plan with `mosaic-fleet plan --out FILE`",
        PrintableText(file), PrintableText(saved.socket), derived.value().socket));
  if (derived.value().steps != saved.steps || derived.value().changes != saved.changes)
    return Status::Error(fmt::format(
        "{} is not the plan the roster and the fleet produce now: {}. It was edited, or made by "
        "another version of mosaic-fleet; nothing was changed. Make a new plan with "
        "`mosaic-fleet plan --out FILE`",
        PrintableText(file), FirstDifference(saved.steps, derived.value().steps)));
  return derived;
}

int Fail(Io& io, const std::string& message) {
  io.err << "error: " << message << "\n";
  return kExitError;
}

// What apply says when a step failed: what was done, what was not, and that repeating is safe.
void ReportFailure(const std::vector<Step>& steps, const ExecutionReport& report, Io& io) {
  size_t i = report.completed;
  io.err << fmt::format("  FAILED {}: {}\n", DescribeStep(steps[i]), report.failure.message());
  io.err << fmt::format("\nerror: apply stopped at step {} of {}. Done before it:\n", i + 1,
                        steps.size());
  for (size_t k = 0; k < i; ++k) io.err << "  " << DescribeStep(steps[k]) << "\n";
  io.err << "Not done (the failed step perhaps in part, as its lines above show):\n";
  for (size_t k = i; k < steps.size(); ++k) io.err << "  " << DescribeStep(steps[k]) << "\n";
  io.err << "Every step is safe to repeat: fix the cause, then run apply again.\n";
}

}  // namespace

int RunApply(const ApplyCommandOptions& options, System& system, Io& io) {
  std::optional<Plan> saved;
  if (!options.plan_file.empty()) {
    if (!options.targets.empty())
      return Fail(io,
                  "--target cannot change a saved plan (it keeps the targets it was made with)");
    Result<Plan> loaded = LoadSavedPlan(system.files(), options.plan_file);
    if (!loaded.ok()) return Fail(io, loaded.status().message());
    saved = loaded.value();
  }
  std::optional<FleetContext> context = OpenFleet(system, options.fleet, io);
  if (!context) return kExitError;
  // The roster is the one the command line names (or the default), never the one the file
  // names: an edited file could point apply at any roster.
  if (saved && saved->roster_path != context->roster_path())
    return Fail(io, fmt::format("{} was made from the roster {}, not {}; pass --roster {} if that "
                                "is the roster you mean",
                                PrintableText(options.plan_file), PrintableText(saved->roster_path),
                                context->roster_path(), PrintableText(saved->roster_path)));

  // Plan under the lock, so that what is shown is what is done.
  std::unique_ptr<ApplyLockHandle> lock;
  if (options.yes) {
    const Environment& env = system.environment();
    Result<std::unique_ptr<ApplyLockHandle>> acquired =
        system.LockApply(DefaultLockPath(env.xdg_runtime_dir, env.uid), options.lock_timeout,
                         "mosaic-fleet apply " + context->roster_path());
    if (!acquired.ok()) return Fail(io, acquired.status().message());
    lock = std::move(acquired).value();
  }
  Result<Plan> planned = saved ? VerifySavedPlan(*context, *saved, options.plan_file)
                               : ComputePlan(*context, options.targets);
  if (!planned.ok()) return Fail(io, planned.status().message());
  const Plan& plan = planned.value();
  MakePlanView(options.json, io)->Show(plan);
  if (plan.has_errors())
    return Fail(io, "nothing was changed: fix the errors above, then run apply again");
  if (plan.empty()) return kExitSuccess;

  // One loop for both modes: a dry run is an executor that acts on nothing.
  Result<SystemdManager*> manager = context->systemd();
  Result<const Tmux*> tmux = context->tmux();
  if (!manager.ok() || !tmux.ok())
    return Fail(io, (manager.ok() ? tmux.status() : manager.status()).message());
  ManagedResources managed(context->desired());
  RealStepExecutor real(system.files(), *manager.value(), *tmux.value(), managed);
  DryRunExecutor dry;
  StepExecutor& executor = options.yes ? static_cast<StepExecutor&>(real) : dry;
  const char* check = io.err_color ? "\033[32m✓\033[0m" : "ok";
  io.err << (options.yes ? "\nApplying:\n"
                         : "\ndry run: nothing will be changed. With --yes, apply would:\n");
  ExecutionReport report = ExecuteSteps(plan.steps, executor, [&](const std::string& line) {
    io.err << "  " << (options.yes ? check : "-") << " " << line << "\n";
  });
  if (!report.failure.ok()) {
    ReportFailure(plan.steps, report, io);
    return kExitError;
  }
  if (!options.yes) {
    io.err << "dry run: nothing was changed. Run again with --yes to carry out these steps.\n";
    return options.detailed_exitcode ? kExitChanges : kExitSuccess;
  }

  Result<Plan> after = ComputePlan(*context, plan.targets);
  if (!after.ok())
    return Fail(io, "applied, but could not observe the result: " + after.status().message());
  PlanSummary done = Summarize(plan);
  io.err << fmt::format("\nApply complete: {} added, {} changed, {} replaced, {} destroyed.\n",
                        done.add, done.change, done.replace, done.destroy);
  if (after.value().empty()) {
    io.err << "The fleet has converged: it matches the roster.\n";
    return kExitSuccess;
  }
  io.err << "The fleet has NOT converged; still to do:\n"
         << RenderPlanText(after.value(), io.err_color);
  io.err << "(A session whose program exits at once shows up here as dead: check its command.)\n";
  return kExitError;
}

Command AddApplyCommand(CLI::App& app, CommandContext& ctx) {
  auto options = std::make_shared<ApplyCommandOptions>();
  CLI::App* cmd =
      app.add_subcommand("apply", "Make the fleet match the roster. A dry run unless --yes.");
  AddFleetOptions(*cmd, options->fleet, ctx);
  cmd->add_flag("--yes,-y", options->yes,
                "Really do it (without it: show the plan and the steps, change nothing)");
  cmd->add_option("planfile", options->plan_file,
                  "A plan saved by `plan --out`, applied only if it is exactly what the roster "
                  "and the fleet call for now");
  cmd->add_option("--target", options->targets, "Only this agent (repeat --target for more)")
      ->allow_extra_args(false);  // one name each: `--target a plan.json` keeps the file
  cmd->add_option("--job-timeout", options->fleet.job_timeout_seconds,
                  "Seconds systemd may take to start or stop the units of one step")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--lock-timeout", options->lock_timeout, "Seconds to wait for another apply")
      ->capture_default_str();
  cmd->add_flag("--detailed-exitcode", options->detailed_exitcode,
                "Dry run: exit 2 when changes are pending");
  cmd->add_flag("--json", options->json, "Show the plan as JSON");
  return {cmd, [options, &ctx] { return RunApply(*options, ctx.system, ctx.io); }};
}

}  // namespace mosaic
