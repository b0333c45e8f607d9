#include "status_command.h"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <memory>

#include "agent_usage.h"
#include "exit_codes.h"
#include "make_plan.h"
#include "status_view.h"
#include "utf8.h"

namespace mosaic {

int RunStatus(const StatusOptions& options, System& system, Io& io) {
  std::optional<FleetContext> context = OpenFleet(system, options.fleet, io);
  if (!context) return kExitError;
  Result<ObservedState> observed = context->Observe();
  if (!observed.ok()) {
    io.err << "error: " << PrintableLines(observed.status().message()) << "\n";
    return kExitError;
  }
  // What each agent costs: files only (its cgroup), never a process or a bus call per agent.
  const Environment& env = system.environment();
  observed.value().usage =
      ObserveAgentUsage(observed.value(), system.files(), env.clock_ticks, env.page_size);
  // The plan says what drifts and what crash-loops exactly as plan and apply see it.
  Plan plan = MakePlan(context->desired(), observed.value());
  StatusReport report = MakeStatusReport(context->desired(), observed.value(), plan);
  if (!options.names.empty()) {
    std::vector<std::string> unknown;
    report = SelectRows(report, options.names, unknown);
    if (!unknown.empty()) {
      std::vector<std::string> quoted;
      quoted.reserve(unknown.size());
      for (const std::string& name : unknown)
        quoted.push_back(fmt::format("'{}'", PrintableText(name)));
      io.err << fmt::format(
          "error: {}: no agent of that name in the roster, and no session of that name on "
          "tmux -L {}\n",
          fmt::join(quoted, ", "), context->desired().socket);
      return kExitError;
    }
  }
  int code = report.healthy() ? kExitSuccess : kExitUnhealthy;
  MakeStatusView(options.json, io)->Show(report, code);
  return code;
}

Command AddStatusCommand(CLI::App& app, CommandContext& ctx) {
  auto options = std::make_shared<StatusOptions>();
  CLI::App* cmd = app.add_subcommand(
      "status", "The fleet's health: one row per agent, with flags for what is wrong.");
  cmd->alias("ps");  // the previous tool's name for it
  AddFleetOptions(*cmd, options->fleet, ctx);
  AddBinaryOption(*cmd, options->fleet);
  cmd->add_option("NAME", options->names, "Only these agents (or sessions); all by default");
  cmd->add_flag("--json", options->json, "Machine-readable status (docs/status-json.md)");
  cmd->footer(
      "\nColumns: UNIT (systemd's state), BOOT (enabled at login), SESSION (running, dead (exit\n"
      "N), missing, stopped, foreign), PID (the pane's process), PROGRAM (the runtime the\n"
      "session was started with, which may differ from the roster's), IDLE (since the session's\n"
      "last output or input), MEM and CPU (of everything in the agent's unit: resident memory\n"
      "now, CPU time so far), HEARTBEAT (age of fleet/run/NAME.hb; - when it never wrote one).\n"
      "\n"
      "Flags: DRIFT (runs another command, runtime, directory or environment than the roster\n"
      "says: `apply` replaces it), BOOT-ENABLE (active but would not start at login), DEAD (its\n"
      "program ended), MISSING (no session), UNSUPERVISED (its session runs, its unit does not),\n"
      "STALE-HB (heartbeat older than\n"
      "health.heartbeat_stale_after, default 10 minutes), CRASHLOOP (systemd stopped restarting\n"
      "it), STOPPED (`state: stopped`, or `mosaic-fleet stop`: healthy while stopped), CONFLICT (a "
      "session\n"
      "the tool did not create holds the name), ELSEWHERE (the roster places it on another\n"
      "host), UNMANAGED (a session on the fleet's socket the roster does not name: shown, not\n"
      "counted), ORPHAN (the tool's session or unit of an agent no longer in the roster here),\n"
      "VERIFY (`mosaic-fleet verify`'s throwaway agent, while it runs: not counted).\n"
      "A unit file of the tool's changed by hand is named below the table, and is unhealthy.\n"
      "\n"
      "Exit status: 0 when every row shown is healthy; 3 when one is not; 1 on error (the\n"
      "roster, the user manager or tmux could not be read, or a NAME is unknown). `plan` says\n"
      "what apply would do about it.\n"
      "\n"
      "Examples:\n"
      "  mosaic-fleet status\n"
      "  mosaic-fleet status coder0 reviewer --json | jq '.rows[] | {name, flags}'\n");
  return {cmd, [options, &ctx] { return RunStatus(*options, ctx.system, ctx.io); }};
}

}  // namespace mosaic
