#include "apply_command.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <limits>
#include <memory>
#include <range/v3/view/map.hpp>
#include <set>

#include "apply_lock.h"
#include "exit_codes.h"
#include "fingerprint.h"
#include "json_text.h"
#include "make_plan.h"
#include "managed_resources.h"
#include "plan_command.h"
#include "plan_json.h"
#include "plan_render.h"
#include "plan_view.h"
#include "seconds_option.h"
#include "step_executor.h"
#include "unit_files.h"
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

// `plan` as it reads back once saved. JSON holds only UTF-8, so bytes that are not (a line of a
// hand-edited unit file in a diff, a home directory's name in a path) were saved as U+FFFD: a
// saved plan is compared with this, while what runs is the plan made here.
Plan AsSaved(const Plan& plan) {
  Result<Plan> read = PlanFromJson(
      nlohmann::json::parse(JsonText(PlanToJson(plan)), nullptr, /*allow_exceptions=*/false));
  return read.ok() ? read.value() : plan;
}

// The plan to execute for a saved one: the plan the current roster and world produce, made
// here, provided it is exactly the saved one. A saved plan is never executed as read — its
// fingerprints could be kept by an edited file, and its steps could name anything.
Result<Plan> VerifySavedPlan(FleetContext& context, const Plan& saved, const std::string& file) {
  if (saved.roster_fingerprint != Fingerprint(context.roster_text()))
    return Status::Error(
        fmt::format("the roster {} changed since this plan was made; make a new plan",
                    PrintableText(saved.roster_path)));
  PlanOptions options;
  options.targets = saved.targets;
  options.replace = {saved.replace.begin(), saved.replace.end()};
  Result<Plan> derived = ComputePlan(context, options);
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
  Plan comparable = AsSaved(derived.value());
  if (comparable.steps != saved.steps || comparable.changes != saved.changes)
    return Status::Error(fmt::format(
        "{} is not the plan the roster and the fleet produce now: {}. It was edited, made by "
        "another version of mosaic-fleet, or made with another --binary than this apply's; "
        "nothing was changed. Make a new plan with `mosaic-fleet plan --out FILE`",
        PrintableText(file), FirstDifference(saved.steps, comparable.steps)));
  return derived;
}

int Fail(Io& io, const std::string& message) {
  io.err << "error: " << PrintableLines(message) << "\n";
  return kExitError;
}

// What apply says when a step failed: what was done, what was not, and that repeating is safe.
void ReportFailure(const std::vector<Step>& steps, const ExecutionReport& report, Io& io) {
  size_t i = report.completed;
  io.err << fmt::format("  FAILED {}: {}\n", DescribeStep(steps[i]),
                        PrintableLines(report.failure.message()));
  io.err << fmt::format("\nerror: apply stopped at step {} of {}. Done before it:\n", i + 1,
                        steps.size());
  for (size_t k = 0; k < i; ++k) io.err << "  " << DescribeStep(steps[k]) << "\n";
  io.err << "Not done (the failed step perhaps in part, as its lines above show):\n";
  for (size_t k = i; k < steps.size(); ++k) io.err << "  " << DescribeStep(steps[k]) << "\n";
  io.err << "Every step is safe to repeat: fix the cause, then run apply again.\n";
}

// The agents of units in start and restart steps: those whose sessions must be alive after.
std::vector<std::string> StartedAgents(const std::vector<Step>& steps) {
  std::vector<std::string> agents;
  for (const Step& step : steps)
    if (step.kind == StepKind::kStartUnits || step.kind == StepKind::kRestartUnits)
      for (const std::string& unit : step.names)
        if (std::string agent = AgentOfUnit(unit); !agent.empty()) agents.push_back(agent);
  return agents;
}

// The destroy guard: a plan that ends more than half of the running agents (and more than
// one) is usually a wrong --roster. Returns the refusal, or "" when the plan may go ahead.
std::string DestroyGuard(const PlannedRun& run, int allowed, const std::string& roster) {
  // Running: a live session of the tool's, or an active agent unit (whose stop ends its
  // session wherever that is).
  auto running_here = [&](const std::string& agent) {
    auto session = run.observed.sessions.find(agent);
    auto unit = run.observed.units.find(AgentUnitName(agent));
    return (session != run.observed.sessions.end() && session->second.owned() &&
            !session->second.dead) ||
           (unit != run.observed.units.end() && unit->second.active());
  };
  std::set<std::string> agents;
  for (const ObservedSession& s : run.observed.sessions | ranges::views::values)
    if (s.owned()) agents.insert(s.name);
  for (const ObservedUnit& u : run.observed.units | ranges::views::values)
    if (std::string agent = AgentOfUnit(u.name); !agent.empty()) agents.insert(agent);
  int running = static_cast<int>(std::count_if(agents.begin(), agents.end(), running_here));
  std::vector<std::string> ending;
  for (const ResourceChange& c : run.plan.changes) {
    if (c.action != ChangeAction::kDelete || !c.held.empty() || !c.address.starts_with("agent."))
      continue;
    if (running_here(c.address.substr(6))) ending.push_back(c.address.substr(6));
  }
  int count = static_cast<int>(ending.size());
  if (count <= 1 || count * 2 <= running || allowed == count) return "";
  return fmt::format(
      "this apply would destroy {} of the {} running agents ({}), more than half of them. The "
      "roster it was planned from is {}: is that the roster you mean? If it is, run again with "
      "--allow-destroy {}",
      count, running, fmt::join(ending, ", "), roster, count);
}

// What an apply tells the journal, when systemd runs it (the reconcile timer): one entry per
// change, with fields to filter on (journalctl --user MOSAIC_FLEET_AGENT=coder0).
class ApplyJournal {
 public:
  ApplyJournal(System& system, bool on, std::string roster)
      : system_(system), on_(on), roster_(std::move(roster)) {}
  void Change(const ResourceChange& change, const std::string& result) {
    if (!on_) return;
    size_t dot = change.address.find('.');
    std::string agent =
        change.address.starts_with("agent.") ? change.address.substr(dot + 1) : std::string();
    int priority = result == "done" ? 5 : result == "pending" ? 4 : 3;  // notice, warning, err
    system_.Journal(
        priority,
        fmt::format("{} {} {}: {}{}", ActionSymbol(change.action), change.address, result,
                    change.reason, change.held.empty() ? "" : " (held: " + change.held + ")"),
        {{"MOSAIC_FLEET_ACTION", std::string(ActionName(change.action))},
         {"MOSAIC_FLEET_AGENT", agent},
         {"MOSAIC_FLEET_ADDRESS", change.address},
         {"MOSAIC_FLEET_RESULT", result}});
  }
  void Line(int priority, const std::string& message, const std::string& result) {
    if (on_)
      system_.Journal(priority, message,
                      {{"MOSAIC_FLEET_RESULT", result}, {"MOSAIC_FLEET_ROSTER", roster_}});
  }

 private:
  System& system_;
  bool on_;
  std::string roster_;
};

// Agents systemd gave up on (a crash loop): the fleet is not converged while they are down,
// whatever the plan says it can do about them. Returns how many there are.
int ReportCrashLoops(const Plan& plan, ApplyJournal& journal, Io& io) {
  int count = 0;
  for (const Note& note : plan.notes) {
    if (note.kind != NoteKind::kCrashLoop) continue;
    ++count;
    io.err << fmt::format("error: agent {} is {}\n", PrintableText(note.subject),
                          PrintableText(note.message));
    journal.Line(3, fmt::format("agent {} is {}", note.subject, note.message), "crash-loop");
  }
  return count;
}

// After the steps: waits `settle` seconds for started agents to die at once, then looks at
// the whole fleet again. Prints what it found; returns the exit code.
int Settle(const ApplyCommandOptions& options, FleetContext& context, const Plan& plan,
           const PlanOptions& plan_options, ApplyJournal& journal, Io& io) {
  System& system = context.system();
  std::vector<std::string> started = StartedAgents(plan.steps);
  if (!started.empty() && options.settle_seconds > 0) {
    io.err << fmt::format("Waiting {:g}s for the started agents to settle (--settle)…\n",
                          options.settle_seconds);
    system.Sleep(std::chrono::milliseconds(static_cast<int64_t>(options.settle_seconds * 1000)));
  }
  PlanOptions whole = plan_options;
  whole.targets.clear();
  Result<PlannedRun> after = ObserveAndPlan(context, whole);
  if (!after.ok())
    return Fail(io, "applied, but could not observe the result: " + after.status().message());
  Plan made = plan;  // what this run did: the changes that were not held
  std::erase_if(made.changes, [](const ResourceChange& c) { return !c.held.empty(); });
  PlanSummary done = Summarize(made);
  io.err << fmt::format("\nApply complete: {} added, {} changed, {} replaced, {} destroyed.\n",
                        done.add, done.change, done.replace, done.destroy);

  // Agents that died right after they started: why, in their own words.
  int dead = 0;
  Result<const Tmux*> tmux = context.tmux();
  for (const std::string& agent : started) {
    auto session = after.value().observed.sessions.find(agent);
    auto unit = after.value().observed.units.find(AgentUnitName(agent));
    bool alive = session != after.value().observed.sessions.end() && !session->second.dead;
    if (alive) continue;
    ++dead;
    std::string why;
    if (session != after.value().observed.sessions.end())
      why = "its program " + HowItEnded(session->second);
    else if (unit != after.value().observed.units.end())
      why = fmt::format("its session is gone and its unit is {}{}", unit->second.active_state,
                        unit->second.result.empty() ? "" : " (" + unit->second.result + ")");
    else
      why = "its session is gone";
    io.err << fmt::format("error: agent {} died right after it started: {}", agent, why);
    journal.Line(3, fmt::format("agent {} died right after it started: {}", agent, why), "dead");
    Result<std::vector<std::string>> last =
        tmux.ok() && session != after.value().observed.sessions.end()
            ? tmux.value()->CapturePane(agent, 10)
            : Result<std::vector<std::string>>(std::vector<std::string>{});
    if (last.ok() && !last.value().empty()) {
      io.err << "; its last lines:\n";
      for (const std::string& line : last.value()) io.err << "  | " << PrintableText(line) << "\n";
    } else {
      io.err << fmt::format(" (journalctl --user -u {} has more)\n", AgentUnitName(agent));
    }
  }
  if (dead > 0) return kExitError;

  const Plan& rest = after.value().plan;
  if (int looping = ReportCrashLoops(rest, journal, io); looping > 0) return kExitError;
  if (rest.empty()) {
    io.err << "The fleet has converged: it matches the roster.\n";
    return kExitSuccess;
  }
  if (rest.has_held() && !rest.has_errors() && rest.steps.empty()) {
    // Only what this run may not do is left.
    io.err << fmt::format("{} change(s) held, left pending (see HELD above).\n",
                          Summarize(rest).held);
    return kExitChanges;
  }
  if (!plan.targets.empty()) {
    Plan inside = MakePlan(context.desired(), after.value().observed, plan_options);
    if (inside.has_held() && !inside.has_errors() && inside.steps.empty()) {
      io.err << fmt::format(
          "{} change(s) of the targeted agents held, left pending (see HELD "
          "above).\n",
          Summarize(inside).held);
      return kExitChanges;
    }
    if (inside.empty()) {
      io.err << fmt::format(
          "The targeted agents ({}) match the roster; {} change(s) remain outside the targets "
          "(see `mosaic-fleet plan`).\n",
          fmt::join(plan.targets, ", "), rest.changes.size());
      return kExitSuccess;
    }
  }
  io.err << "The fleet has NOT converged; still to do:\n" << RenderPlanText(rest, io.err_color);
  return kExitError;
}

}  // namespace

int RunApply(const ApplyCommandOptions& options, System& system, Io& io) {
  std::optional<Plan> saved;
  if (!options.plan_file.empty()) {
    if (!options.targets.empty() || !options.replace.empty() || options.unattended)
      return Fail(io,
                  "--target, --replace and --unattended cannot change a saved plan (it keeps "
                  "what it was made with)");
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
  const Environment& env = system.environment();
  ApplyJournal journal(system, !env.journal_stream.empty() && !env.stderr_is_terminal,
                       context->roster_path());

  // Plan under the lock, so that what is shown is what is done.
  std::unique_ptr<ApplyLockHandle> lock;
  if (options.yes) {
    Result<std::unique_ptr<ApplyLockHandle>> acquired =
        system.LockApply(DefaultLockPath(env.xdg_runtime_dir, env.uid), options.lock_timeout,
                         "mosaic-fleet apply " + context->roster_path());
    if (!acquired.ok()) return Fail(io, acquired.status().message());
    lock = std::move(acquired).value();
  }
  PlanOptions plan_options;
  plan_options.targets = saved ? saved->targets : options.targets;
  plan_options.replace =
      saved ? std::set<std::string>(saved->replace.begin(), saved->replace.end())
            : std::set<std::string>(options.replace.begin(), options.replace.end());
  plan_options.unattended = options.unattended;
  Result<PlannedRun> planned = ObserveAndPlan(*context, plan_options);
  if (planned.ok() && saved) {
    Result<Plan> verified = VerifySavedPlan(*context, *saved, options.plan_file);
    if (!verified.ok()) planned = verified.status();
  }
  if (!planned.ok()) {
    journal.Line(3, "apply failed: " + planned.status().message(), "error");
    return Fail(io, planned.status().message());
  }
  const Plan& plan = planned.value().plan;
  MakePlanView(options.json, io)->Show(plan);
  if (plan.has_errors()) {
    journal.Line(3, "apply refused: the plan has errors (mosaic-fleet plan shows them)", "error");
    return Fail(io, "nothing was changed: fix the errors above, then run apply again");
  }
  if (plan.empty()) {
    if (ReportCrashLoops(plan, journal, io) > 0) return kExitError;
    journal.Line(6, "converged: the fleet matches the roster", "converged");
    return kExitSuccess;
  }
  if (std::string refusal =
          DestroyGuard(planned.value(), options.allow_destroy, context->roster_path());
      !refusal.empty()) {
    if (options.yes) {
      journal.Line(3, "apply refused: " + refusal, "error");
      return Fail(io, "nothing was changed: " + refusal);
    }
    io.err << "warning: with --yes, apply would refuse: " << refusal << "\n";
  }

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
  if (!plan.steps.empty())
    io.err << (options.yes ? "\nApplying:\n"
                           : "\ndry run: nothing will be changed. With --yes, apply would:\n");
  ExecutionReport report = ExecuteSteps(plan.steps, executor, [&](const std::string& line) {
    io.err << "  " << (options.yes ? check : "-") << " " << line << "\n";
  });
  if (!report.failure.ok()) {
    ReportFailure(plan.steps, report, io);
    journal.Line(3, "apply failed: " + report.failure.message(), "error");
    return kExitError;
  }
  if (!options.yes) {
    io.err << "dry run: nothing was changed. Run again with --yes to carry out these steps.\n";
    return options.detailed_exitcode ? kExitChanges : kExitSuccess;
  }
  for (const ResourceChange& change : plan.changes)
    journal.Change(change, change.held.empty() ? "done" : "pending");
  return Settle(options, *context, plan, plan_options, journal, io);
}

Command AddApplyCommand(CLI::App& app, CommandContext& ctx) {
  auto options = std::make_shared<ApplyCommandOptions>();
  CLI::App* cmd =
      app.add_subcommand("apply", "Make the fleet match the roster. A dry run unless --yes.");
  AddFleetOptions(*cmd, options->fleet, ctx);
  AddBinaryOption(*cmd, options->fleet);
  cmd->add_flag("--yes,-y", options->yes,
                "Really do it (without it: show the plan and the steps, change nothing)");
  cmd->add_option("PLANFILE", options->plan_file,
                  "A plan saved by `plan --out`, applied only if it is exactly what the roster "
                  "and the fleet call for now");
  AddNameOption(*cmd, "--target", options->targets, "Only this agent (repeat --target for more)");
  AddNameOption(*cmd, "--replace", options->replace,
                "Let this persistent-persona agent be replaced or destroyed (repeat --replace "
                "for more)");
  cmd->add_flag("--unattended", options->unattended,
                "Only what is safe without a person (the reconcile timer's mode): never end a "
                "live session unless the roster's reconcile.allow_destroy; exit 2 when changes "
                "are left pending");
  cmd->add_option("--allow-destroy", options->allow_destroy,
                  "Destroy this many running agents although it is more than half of them")
      ->check(CLI::Range(0, std::numeric_limits<int>::max()));
  cmd->add_option("--settle", options->settle_seconds,
                  "Seconds to wait after starting agents before checking they still run")
      ->check(SecondsBetween(0, 600))
      ->capture_default_str();
  cmd->add_option("--job-timeout", options->fleet.job_timeout_seconds,
                  "Seconds a step may go without any of its units finishing starting or stopping")
      ->check(SecondsBetween(0.1, 86400))
      ->capture_default_str();
  cmd->add_option("--lock-timeout", options->lock_timeout, "Seconds to wait for another apply")
      ->check(SecondsBetween(0, 86400))
      ->capture_default_str();
  cmd->add_flag("--detailed-exitcode", options->detailed_exitcode,
                "Dry run: exit 2 when changes are pending");
  cmd->add_flag("--json", options->json, "Show the plan as JSON");
  cmd->footer(
      "\nExit status: 0 done (or, as a dry run, nothing wrong); 1 error, refused, or an agent died "
      "right after it started; 2 changes left pending (held: a persistent persona, an unattended "
      "run) or, with --detailed-exitcode, a dry run with changes.\n"
      "Held changes: a `persistent_persona: true` agent is replaced or destroyed only when "
      "--replace names it; an --unattended run never ends a live session unless the roster's "
      "`reconcile: {allow_destroy: true}`.\n"
      "Destroy guard: ending more than half of the running agents (and more than one) needs "
      "--allow-destroy N with that count.\n"
      "\nExamples:\n"
      "  mosaic-fleet apply                      show what it would do (a dry run)\n"
      "  mosaic-fleet apply --yes                do it\n"
      "  mosaic-fleet plan --out p && mosaic-fleet apply --yes p   exactly the plan reviewed\n"
      "  mosaic-fleet apply --yes --target coder0 --replace coder0\n");
  return {cmd, [options, &ctx] { return RunApply(*options, ctx.system, ctx.io); }};
}

}  // namespace mosaic
