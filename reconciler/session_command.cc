#include "session_command.h"

#include <CLI/CLI.hpp>
#include <memory>

#include "agent_session.h"
#include "exit_codes.h"
#include "fleet_context.h"
#include "holder.h"

namespace mosaic {
namespace {

int Report(const Status& status, Io& io) {
  if (status.ok()) return kExitSuccess;
  io.err << "error: " << status.message() << "\n";
  return kExitError;
}

// Runs what a unit runs, its tmux calls bounded by $MOSAIC_FLEET_TIMEOUT (else 10 s).
template <typename Action>
int RunUnitCommand(CommandContext& ctx, std::chrono::milliseconds& timeout, Action action) {
  Result<std::chrono::milliseconds> bound = CallTimeout(0, ctx.system.environment());
  if (!bound.ok()) return Report(bound.status(), ctx.io);
  timeout = bound.value();
  return Report(action(), ctx.io);
}

}  // namespace

std::vector<Command> AddSessionCommands(CLI::App& app, CommandContext& ctx) {
  auto options = std::make_shared<AgentSessionOptions>();
  auto env_file = std::make_shared<std::string>();
  CLI::App* session =
      app.add_subcommand("session", "What mosaic-agent@NAME.service runs (safe by hand too).");
  session->require_subcommand(1);
  CLI::App* start =
      session->add_subcommand("start", "Create agent NAME's session on the fleet socket.");
  start->add_option("name", options->name, "Agent name")->required();
  start->add_flag("--replace", options->replace, "Recreate a session that is already running");
  CLI::App* stop = session->add_subcommand("stop", "Kill exactly the session =NAME.");
  stop->add_option("name", options->name, "Agent name")->required();
  CLI::App* exec =
      session->add_subcommand("exec", "Inside a new pane: load the env file and run the agent.");
  exec->add_option("--env-file", *env_file, "The agent's env file")->required();
  return {
      {start,
       [&ctx, options] {
         return RunUnitCommand(ctx, options->timeout, [&] {
           return StartAgentSession(ctx.system, *options, ctx.io.out, ctx.io.err);
         });
       }},
      {stop,
       [&ctx, options] {
         return RunUnitCommand(ctx, options->timeout,
                               [&] { return StopAgentSession(ctx.system, *options); });
       }},
      {exec,
       [&ctx, env_file] { return Report(ExecAgent(ctx.system, *env_file, ctx.io.err), ctx.io); }},
  };
}

std::vector<Command> AddHolderCommands(CLI::App& app, CommandContext& ctx) {
  auto options = std::make_shared<HolderOptions>();
  CLI::App* holder = app.add_subcommand("holder", "What mosaic-tmux-holder.service runs.");
  holder->require_subcommand(1);
  CLI::App* start =
      holder->add_subcommand("start", "Start the fleet's tmux server with the holder session.");
  start->add_option("--socket", options->socket, "tmux -L socket name")->required();
  start->add_option("--session", options->session, "Holder session name")->capture_default_str();
  CLI::App* stop =
      holder->add_subcommand("stop", "Kill the fleet's tmux server (this socket only).");
  stop->add_option("--socket", options->socket, "tmux -L socket name")->required();
  return {
      {start,
       [&ctx, options] {
         return RunUnitCommand(ctx, options->timeout,
                               [&] { return StartHolder(ctx.system, *options, ctx.io.err); });
       }},
      {stop,
       [&ctx, options] {
         return RunUnitCommand(ctx, options->timeout,
                               [&] { return StopHolder(ctx.system, *options); });
       }},
  };
}

}  // namespace mosaic
