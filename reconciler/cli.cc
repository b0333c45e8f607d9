#include "cli.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdlib>
#include <memory>

#include "apply_command.h"
#include "exit_codes.h"
#include "file_system.h"
#include "init_command.h"
#include "plan_command.h"
#include "profiles.h"
#include "schema_document.h"
#include "session_command.h"
#include "status_command.h"
#include "suggest.h"
#include "validate_command.h"

#ifndef MOSAIC_FLEET_VERSION
#define MOSAIC_FLEET_VERSION "unknown"
#endif

namespace mosaic {

Environment CaptureEnvironment() {
  auto get = [](const char* name) {
    const char* value = std::getenv(name);
    return std::string(value ? value : "");
  };
  Environment env;
  env.home = get("HOME");
  env.xdg_config_home = get("XDG_CONFIG_HOME");
  env.xdg_runtime_dir = get("XDG_RUNTIME_DIR");
  env.mosaic_home = get("MOSAIC_HOME");
  env.tmux_tmpdir = get("TMUX_TMPDIR");
  env.fleet_timeout = get("MOSAIC_FLEET_TIMEOUT");
  env.uid = static_cast<int64_t>(::getuid());
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) == 0) env.hostname = host;
  return env;
}

namespace {

const char kDescription[] =
    "mosaic-fleet keeps a fleet of long-lived AI-agent sessions (claude, codex, pi, ...) the way\n"
    "the roster describes it: each agent a tmux session on a named socket, owned by systemd user\n"
    "units. It never touches the default tmux socket.";

const char kFooter[] =
    "\nEXAMPLES:\n"
    "  mosaic-fleet init --profile minimal --write   start a roster\n"
    "  mosaic-fleet validate                         check ~/.config/mosaic/fleet/roster.yaml\n"
    "  mosaic-fleet validate --format github a.yaml  annotate a pull request in CI\n"
    "  mosaic-fleet schema > roster.schema.json      JSON Schema for editors\n"
    "\nThe roster is $MOSAIC_HOME/fleet/roster.yaml (MOSAIC_HOME defaults to\n"
    "${XDG_CONFIG_HOME:-~/.config}/mosaic). Run 'COMMAND --help' for a command's options.";

}  // namespace

int RunCli(const std::string& program, const std::vector<std::string>& args, const Environment& env,
           Io& io) {
  CLI::App app(kDescription, program);
  app.require_subcommand(1);
  app.footer(kFooter);
  app.get_formatter()->column_width(36);

  Result<FleetPaths> paths = ResolveFleetPaths(env);
  Result<std::string> default_roster =
      paths.ok() ? Result<std::string>(paths.value().roster) : Result<std::string>(paths.status());
  const std::string roster_help =
      default_roster.ok() ? default_roster.value() : "$XDG_CONFIG_HOME/mosaic/fleet/roster.yaml";
  RealFileSystem fs;

  ValidateOptions validate;
  CLI::App* validate_cmd = app.add_subcommand(
      "validate", "Check roster files against the schema; exit 0 when all are valid, 1 otherwise.");
  validate_cmd->add_option("files", validate.files, "Roster files (default: " + roster_help + ")");
  validate_cmd
      ->add_option("--format", validate.format,
                   "text (default), json, or github (Actions annotations)")
      ->check(CLI::IsMember({"text", "json", "github"}));
  validate_cmd->footer(
      "\nErrors read FILE:LINE:COL: error: PATH: MESSAGE and are all reported, sorted by "
      "position.\n"
      "Needs neither tmux nor systemd: safe in any CI container.");

  InitOptions init;
  CLI::App* init_cmd =
      app.add_subcommand("init", "Print an example roster, or write it with --write.");
  init_cmd->add_option("--profile", init.profile, "Example to start from")
      ->check(CLI::IsMember(ProfileNames()))
      ->capture_default_str();
  init_cmd->add_flag("--write", init.write, "Write it to the roster path instead of printing it");
  init_cmd->add_flag("--force", init.force, "With --write: replace an existing roster");
  init_cmd->add_option("--roster", init.roster,
                       "Where --write puts it (default: " + roster_help + ")");

  CLI::App* schema_cmd =
      app.add_subcommand("schema", "Print the roster's JSON Schema (draft 7), for editors.");

  auto add_fleet_options = [&](CLI::App* cmd, FleetOptions& fleet) {
    cmd->add_option("--roster", fleet.roster, "Roster file (default: " + roster_help + ")");
    cmd->add_option("--host", fleet.host,
                    "Act as this host: agents with another `host` are left alone (default: " +
                        (env.hostname.empty() ? std::string("this hostname") : env.hostname) + ")");
    cmd->add_option("--timeout", fleet.timeout_seconds,
                    "Seconds one tmux or systemd call may take before it is an error (default: "
                    "$MOSAIC_FLEET_TIMEOUT, else 10)")
        ->check(CLI::PositiveNumber);
  };

  PlanCommandOptions plan;
  CLI::App* plan_cmd =
      app.add_subcommand("plan", "Show what apply would change, and why. Changes nothing.");
  add_fleet_options(plan_cmd, plan.fleet);
  plan_cmd->add_flag("--json", plan.json, "Machine-readable plan (docs/plan-json.md)");
  plan_cmd->add_flag("--detailed-exitcode", plan.detailed_exitcode,
                     "Exit 0: no changes, 1: error, 2: changes present");
  plan_cmd->add_option("--out", plan.out,
                       "Save the plan for `apply FILE` (refused there if the fleet changed)");
  plan_cmd
      ->add_option("--target", plan.targets,
                   "Only this agent (repeat --target for more); always warns that it did")
      ->allow_extra_args(false);  // one name each: `--target a plan.json` keeps the file
  plan_cmd->add_flag("--stats", plan.stats,
                     "Report what observing cost (tmux processes, bus calls, time) on stderr");
  plan_cmd->footer(
      "\nSymbols: + create, ~ update in place, -/+ replace, - destroy. Each change says why.\n"
      "A timer can run `plan --detailed-exitcode` to detect drift (exit 2).");

  ApplyCommandOptions apply;
  CLI::App* apply_cmd =
      app.add_subcommand("apply", "Make the fleet match the roster. A dry run unless --yes.");
  add_fleet_options(apply_cmd, apply.fleet);
  apply_cmd->add_flag("--yes,-y", apply.yes,
                      "Really do it (without it: show the plan and the steps, change nothing)");
  apply_cmd->add_option("planfile", apply.plan_file,
                        "A plan saved by `plan --out`, applied exactly as saved");
  apply_cmd->add_option("--target", apply.targets, "Only this agent (repeat --target for more)")
      ->allow_extra_args(false);  // one name each: `--target a plan.json` keeps the file
  apply_cmd
      ->add_option("--job-timeout", apply.fleet.job_timeout_seconds,
                   "Seconds systemd may take to start or stop the units of one step")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  apply_cmd->add_option("--lock-timeout", apply.lock_timeout, "Seconds to wait for another apply")
      ->capture_default_str();
  apply_cmd->add_flag("--detailed-exitcode", apply.detailed_exitcode,
                      "Dry run: exit 2 when changes are pending");
  apply_cmd->add_flag("--json", apply.json, "Show the plan as JSON");

  StatusOptions status;
  CLI::App* status_cmd =
      app.add_subcommand("status", "One line per agent: unit, boot, session, pid, heartbeat.");
  add_fleet_options(status_cmd, status.fleet);
  status_cmd->add_flag("--json", status.json, "Machine-readable status");
  status_cmd->footer(
      "\nExit 0 when the holder and every agent here are active, enabled and running; 1 otherwise\n"
      "(or on error). `plan` says what apply would do about it.");

  SessionOptions session;
  CLI::App* session_cmd =
      app.add_subcommand("session", "What mosaic-agent@NAME.service runs (safe by hand too).");
  session_cmd->require_subcommand(1);
  CLI::App* session_start =
      session_cmd->add_subcommand("start", "Create agent NAME's session on the fleet socket.");
  session_start->add_option("name", session.name, "Agent name")->required();
  session_start->add_flag("--replace", session.replace,
                          "Recreate a session that is already running");
  CLI::App* session_stop = session_cmd->add_subcommand("stop", "Kill exactly the session =NAME.");
  session_stop->add_option("name", session.name, "Agent name")->required();
  CLI::App* session_exec = session_cmd->add_subcommand(
      "exec", "Inside a new pane: load the env file and run the agent.");
  session_exec->add_option("--env-file", session.env_file, "The agent's env file")->required();

  HolderOptions holder;
  CLI::App* holder_cmd = app.add_subcommand("holder", "What mosaic-tmux-holder.service runs.");
  holder_cmd->require_subcommand(1);
  CLI::App* holder_start =
      holder_cmd->add_subcommand("start", "Start the fleet's tmux server with the holder session.");
  holder_start->add_option("--socket", holder.socket, "tmux -L socket name")->required();
  holder_start->add_option("--session", holder.session, "Holder session name")
      ->capture_default_str();
  CLI::App* holder_stop =
      holder_cmd->add_subcommand("stop", "Kill the fleet's tmux server (this socket only).");
  holder_stop->add_option("--socket", holder.socket, "tmux -L socket name")->required();

  // --version and --help work on every command, at every level.
  const std::string version = std::string("mosaic-fleet ") + MOSAIC_FLEET_VERSION;
  app.set_version_flag("--version", version);
  std::vector<CLI::App*> commands = app.get_subcommands({});
  for (size_t i = 0; i < commands.size(); ++i) {
    commands[i]->set_version_flag("--version", version);
    for (CLI::App* nested : commands[i]->get_subcommands({})) commands.push_back(nested);
  }

  // An unknown command gets a suggestion rather than CLI11's generic complaint.
  std::vector<std::string> names;
  for (CLI::App* command : app.get_subcommands({})) names.push_back(command->get_name());
  if (!args.empty() && !args.front().starts_with("-") &&
      std::find(names.begin(), names.end(), args.front()) == names.end()) {
    io.err << fmt::format("error: unknown command '{}'", args.front());
    if (auto guess = SuggestClosest(args.front(), names))
      io.err << fmt::format(" (did you mean '{}'?)", *guess);
    io.err << fmt::format("\ncommands: {}\nsee: {} --help\n", fmt::join(names, ", "), program);
    return kExitError;
  }

  std::vector<std::string> argv_storage{program};
  argv_storage.insert(argv_storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : argv_storage) argv.push_back(a.data());
  try {
    app.parse(static_cast<int>(argv.size()), argv.data());
  } catch (const CLI::Success& e) {
    return app.exit(e, io.out, io.err);
  } catch (const CLI::ParseError& e) {
    app.exit(e, io.out, io.err);
    return kExitError;
  }

  if (validate_cmd->parsed()) return RunValidate(validate, default_roster, fs, io);
  if (init_cmd->parsed()) return RunInit(init, default_roster, fs, io);
  if (plan_cmd->parsed()) return RunPlan(plan, env, io);
  if (apply_cmd->parsed()) return RunApply(apply, env, io);
  if (status_cmd->parsed()) return RunStatus(status, env, io);
  if (session_start->parsed()) return RunSessionStart(session, env, io);
  if (session_stop->parsed()) return RunSessionStop(session, env, io);
  if (session_exec->parsed()) return RunSessionExec(session, io);
  if (holder_start->parsed()) return RunHolderStart(holder, env, io);
  if (holder_stop->parsed()) return RunHolderStop(holder, env, io);
  if (schema_cmd->parsed()) {
    io.out << RosterSchemaText();
    return kExitSuccess;
  }
  return kExitError;
}

}  // namespace mosaic
