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
// $MOSAIC_FLEET_TIMEOUT, else `otherwise`. `action` returns the exit status.
template <typename Options, typename Action>
int WithUnitTimeout(CommandContext& ctx, Options options, Action action,
                    std::chrono::milliseconds otherwise = kDefaultTmuxTimeout) {
  const Environment& env = ctx.system.environment();
  Result<std::chrono::milliseconds> bound = CallTimeout(0, env);
  if (!bound.ok()) return Report(bound.status(), ctx.io);
  options.timeout = env.fleet_timeout.empty() ? otherwise : bound.value();
  return action(options);
}

// A unit's start waits its turn at a busy server: when hundreds of units start at once (at
// boot, or a cold apply), tmux makes their sessions one after another, and 10 s ran out at 300
// agents on two cores. systemd bounds the start as a whole (TimeoutStartSec=, 90 s by
// default); each call gets most of that, so that a wedged server is still our error, named.
constexpr std::chrono::milliseconds kUnitStartCallTimeout{60'000};

}  // namespace

std::vector<Command> AddSessionCommands(CLI::App& app, CommandContext& ctx) {
  auto options = std::make_shared<AgentSessionOptions>();
  auto env_file = std::make_shared<std::string>();
  CLI::App* session =
      app.add_subcommand("session", "What mosaic-agent@NAME.service runs (safe by hand too).");
  session->require_subcommand(1);
  session->footer(
      "\nThe commands the units run; apply writes units that call them. Run by hand they do the\n"
      "same, and tell you why when they cannot (prefer `start`, `stop` and `restart`, which go\n"
      "through systemd and so keep the agent supervised).\n"
      "\nExamples:\n"
      "  mosaic-fleet session start coder0\n"
      "  mosaic-fleet session stop coder0\n");
  CLI::App* run = session->add_subcommand(
      "run", "Start agent NAME's session, then wait until its program ends (the unit's main).");
  run->add_option("NAME", options->name, "Agent name")->required();
  run->footer(
      "\nExecStart of mosaic-agent@NAME.service (Type=notify): starts the session (or adopts a\n"
      "running one), tells systemd it is ready, and waits until the agent's program ends.\n"
      "\nExit status: the program's own when it exited; 1 when the session was killed, the\n"
      "server is gone or the session could not start (systemd then restarts the unit).\n"
      "\nExample:\n  mosaic-fleet session run coder0\n");
  CLI::App* start =
      session->add_subcommand("start", "Create agent NAME's session on the fleet socket.");
  start->add_option("NAME", options->name, "Agent name")->required();
  start->add_flag("--replace", options->replace, "Recreate a session that is already running");
  start->footer(
      "\nCreates the session =NAME on the fleet's socket from fleet/agents/NAME.env, in the\n"
      "holder's server (never starting a server itself). A running session is left alone.\n"
      "\nExit status: 0 running; 1 not (no env file, no server, unsafe name).\n"
      "\nExamples:\n  mosaic-fleet session start coder0\n"
      "  mosaic-fleet session start coder0 --replace\n");
  CLI::App* stop = session->add_subcommand("stop", "Kill exactly the session =NAME.");
  stop->add_option("NAME", options->name, "Agent name")->required();
  stop->footer(
      "\nExecStop of the unit: kills the one session named exactly NAME (`agent` never reaches\n"
      "`agent0`), its viewers first, if the tool created it; the server and every other\n"
      "session stay.\n"
      "\nExit status: 0 gone (or was not there); 1 error.\n"
      "\nExample:\n  mosaic-fleet session stop coder0\n");
  CLI::App* exec =
      session->add_subcommand("exec", "Inside a new pane: load the env file and run the agent.");
  exec->add_option("--env-file", *env_file, "The agent's env file")->required()->type_name("FILE");
  exec->footer(
      "\nRuns inside the pane `session start` made: reads the env file (KEY=VALUE lines, no\n"
      "shell), sets its variables, changes to the agent's directory and becomes its launch\n"
      "command.\n"
      "\nExit status: none when it runs the agent (it becomes the agent); 1 when the env file\n"
      "or the command is wrong (the pane then shows why).\n"
      "\nExample:\n  mosaic-fleet session exec --env-file "
      "~/.config/mosaic/fleet/agents/coder0.env\n");
  Io& io = ctx.io;
  System& system = ctx.system;
  return {
      {run,
       [&, options] {
         return WithUnitTimeout(
             ctx, *options,
             [&](const AgentSessionOptions& o) {
               return SuperviseAgent(system, o, io.out, io.err);
             },
             kUnitStartCallTimeout);
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
      {exec,
       [&, env_file] {
         ExecFailure failed = ExecAgent(system, *env_file, io.err);
         io.err << "error: " << failed.message << "\n";
         return failed.exit_status;
       }},
  };
}

std::vector<Command> AddHolderCommands(CLI::App& app, CommandContext& ctx) {
  auto options = std::make_shared<HolderOptions>();
  CLI::App* holder = app.add_subcommand("holder", "What mosaic-tmux-holder.service runs.");
  holder->require_subcommand(1);
  holder->footer(
      "\nThe fleet's tmux server belongs to mosaic-tmux-holder.service: a server started by any\n"
      "other unit would live in that unit's cgroup and die with it, taking every session along.\n"
      "\nExamples:\n"
      "  systemctl --user status mosaic-tmux-holder.service\n"
      "  mosaic-fleet holder start --socket mosaic-fleet   by hand, outside systemd\n");
  CLI::App* run = holder->add_subcommand(
      "run", "Start the fleet's tmux server, then wait as long as it lives (the unit's main).");
  CLI::App* start =
      holder->add_subcommand("start", "Start the fleet's tmux server with the holder session.");
  CLI::App* stop =
      holder->add_subcommand("stop", "Kill the fleet's tmux server (this socket only).");
  run->footer(
      "\nExecStart of mosaic-tmux-holder.service (Type=notify): starts the server, tells systemd\n"
      "it is ready, and waits as long as the server lives, recreating the keep-alive session if\n"
      "it is killed.\n"
      "\nExit status: 1 when the server is gone (systemd then restarts the holder).\n"
      "\nExample:\n  mosaic-fleet holder run --socket mosaic-fleet\n");
  start->footer(
      "\nStarts the server on the socket with the holder session, unless it runs already.\n"
      "\nExit status: 0 running; 1 not (the default socket, an unsafe name, tmux failed).\n"
      "\nExample:\n  mosaic-fleet holder start --socket mosaic-fleet\n");
  stop->footer(
      "\nKills the server of this socket only (never the default socket), and with it every\n"
      "session on it.\n"
      "\nExit status: 0 gone; 1 error.\n"
      "\nExample:\n  mosaic-fleet holder stop --socket mosaic-fleet\n");
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
