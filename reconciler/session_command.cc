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

// Runs `action` on a copy of `options` whose tmux calls are bounded as a unit's are:
// $MOSAIC_FLEET_TIMEOUT, else 10 s. `action` returns the exit status.
template <typename Options, typename Action>
int WithUnitTimeout(CommandContext& ctx, Options options, Action action) {
  Result<std::chrono::milliseconds> bound = CallTimeout(0, ctx.system.environment());
  if (!bound.ok()) return Report(bound.status(), ctx.io);
  options.timeout = bound.value();
  return action(options);
}

}  // namespace

std::vector<Command> AddSessionCommands(CLI::App& app, CommandContext& ctx) {
  auto options = std::make_shared<AgentSessionOptions>();
  auto env_file = std::make_shared<std::string>();
  CLI::App* session =
      app.add_subcommand("session", "What mosaic-agent@NAME.service runs (safe by hand too).");
  session->require_subcommand(1);
  CLI::App* run = session->add_subcommand(
      "run", "Start agent NAME's session, then wait until its program ends (the unit's main).");
  run->add_option("name", options->name, "Agent name")->required();
  CLI::App* start =
      session->add_subcommand("start", "Create agent NAME's session on the fleet socket.");
  start->add_option("name", options->name, "Agent name")->required();
  start->add_flag("--replace", options->replace, "Recreate a session that is already running");
  CLI::App* stop = session->add_subcommand("stop", "Kill exactly the session =NAME.");
  stop->add_option("name", options->name, "Agent name")->required();
  CLI::App* exec =
      session->add_subcommand("exec", "Inside a new pane: load the env file and run the agent.");
  exec->add_option("--env-file", *env_file, "The agent's env file")->required();
  Io& io = ctx.io;
  System& system = ctx.system;
  return {
      {run,
       [&, options] {
         return WithUnitTimeout(ctx, *options, [&](const AgentSessionOptions& o) {
           return SuperviseAgent(system, o, io.out, io.err);
         });
       }},
      {start,
       [&, options] {
         return WithUnitTimeout(ctx, *options, [&](const AgentSessionOptions& o) {
           return Report(StartAgentSession(system, o, io.out, io.err), io);
         });
       }},
      {stop,
       [&, options] {
         return WithUnitTimeout(ctx, *options, [&](const AgentSessionOptions& o) {
           return Report(StopAgentSession(system, o), io);
         });
       }},
      {exec, [&, env_file] { return Report(ExecAgent(system, *env_file, io.err), io); }},
  };
}

std::vector<Command> AddHolderCommands(CLI::App& app, CommandContext& ctx) {
  auto options = std::make_shared<HolderOptions>();
  CLI::App* holder = app.add_subcommand("holder", "What mosaic-tmux-holder.service runs.");
  holder->require_subcommand(1);
  CLI::App* run = holder->add_subcommand(
      "run", "Start the fleet's tmux server, then wait as long as it lives (the unit's main).");
  CLI::App* start =
      holder->add_subcommand("start", "Start the fleet's tmux server with the holder session.");
  CLI::App* stop =
      holder->add_subcommand("stop", "Kill the fleet's tmux server (this socket only).");
  for (CLI::App* command : {run, start, stop})
    command->add_option("--socket", options->socket, "tmux -L socket name")->required();
  for (CLI::App* command : {run, start})
    command->add_option("--session", options->session, "Holder session name")
        ->capture_default_str();
  Io& io = ctx.io;
  System& system = ctx.system;
  return {
      {run,
       [&, options] {
         return WithUnitTimeout(ctx, *options, [&](const HolderOptions& o) {
           return SuperviseHolder(system, o, io.out, io.err);
         });
       }},
      {start,
       [&, options] {
         return WithUnitTimeout(ctx, *options, [&](const HolderOptions& o) {
           return Report(StartHolder(system, o, io.err), io);
         });
       }},
      {stop,
       [&, options] {
         return WithUnitTimeout(ctx, *options, [&](const HolderOptions& o) {
           return Report(StopHolder(system, o), io);
         });
       }},
  };
}

}  // namespace mosaic
