#include "status_command.h"

#include <CLI/CLI.hpp>
#include <memory>

#include "exit_codes.h"
#include "status_view.h"

namespace mosaic {

int RunStatus(const StatusOptions& options, System& system, Io& io) {
  std::optional<FleetContext> context = OpenFleet(system, options.fleet, io);
  if (!context) return kExitError;
  Result<ObservedState> observed = context->Observe();
  if (!observed.ok()) {
    io.err << "error: " << observed.status().message() << "\n";
    return kExitError;
  }
  StatusReport report = MakeStatusReport(context->desired(), observed.value());
  MakeStatusView(options.json, io)->Show(report);
  return report.healthy() ? kExitSuccess : kExitError;
}

Command AddStatusCommand(CLI::App& app, CommandContext& ctx) {
  auto options = std::make_shared<StatusOptions>();
  CLI::App* cmd =
      app.add_subcommand("status", "One line per agent: unit, boot, session, pid, heartbeat.");
  AddFleetOptions(*cmd, options->fleet, ctx);
  cmd->add_flag("--json", options->json, "Machine-readable status");
  cmd->footer(
      "\nExit 0 when the holder and every agent here are active, enabled and running; 1 otherwise\n"
      "(or on error). `plan` says what apply would do about it.");
  return {cmd, [options, &ctx] { return RunStatus(*options, ctx.system, ctx.io); }};
}

}  // namespace mosaic
