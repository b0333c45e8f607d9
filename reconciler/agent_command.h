// `mosaic-fleet agent …` (and `mosaic agent …` through the link): the operator's and the
// orchestrator's verbs for single agents, on the roster's socket and by exact target only.
//
//   send NAME    delivers a message with a `[from LABEL]` preamble, safely for any text
//   reset NAME   types the runtime's reset command (or restarts the agent), then the kickstart
//   tail NAME    the pane's last lines; says so when it is dead or shows a full-screen program
//   watch NAME   a read-only live view (a grouped viewer session, removed whatever happens)
//   roster       the roster as the tool understands it, defaults applied
//   status       the status rows of the agents (see status_command.h)
//
// They address agents, not tmux: a later transport can replace the pane underneath without
// changing how an orchestrator calls them.
#pragma once

#include <string>
#include <vector>

#include "command.h"
#include "fleet_context.h"
#include "status_command.h"

namespace mosaic {

struct AgentSendOptions {
  FleetOptions fleet;
  std::string name;
  std::string message;  ///< -m TEXT; "-" reads stdin
  std::string file;     ///< --file F
  std::string from;     ///< the preamble's label; empty: operator@HOST
  bool no_submit = false;
  bool verify = false;
  double verify_seconds = 3;
};

struct AgentResetOptions {
  FleetOptions fleet;
  std::string name;
  bool clear = false;             ///< type /clear, whatever the runtime's reset_command
  bool new_conversation = false;  ///< type /new
  bool force = false;             ///< reset a persistent persona anyway
  double settle_seconds = 1.5;    ///< quiet time on the pane before the kickstart is sent
};

struct AgentTailOptions {
  FleetOptions fleet;
  std::string name;
  int lines = 80;
  bool follow = false;
  double interval_seconds = 0.5;  ///< how often --follow looks
};

struct AgentWatchOptions {
  FleetOptions fleet;
  std::string name;
};

struct AgentRosterOptions {
  FleetOptions fleet;
  bool json = false;
  bool names = false;  ///< only the names of this host's agents, one per line
};

/// Exit 0 when delivered (and with --verify, when the pane changed afterwards);
/// kExitUnconfirmed when delivered but no change was seen; kExitError otherwise.
int RunAgentSend(const AgentSendOptions& options, System& system, Io& io);
int RunAgentReset(const AgentResetOptions& options, System& system, Io& io);
int RunAgentTail(const AgentTailOptions& options, System& system, Io& io);
/// Exit 0 when the viewer detached; 128+N when signal N ended the watch (after cleanup).
int RunAgentWatch(const AgentWatchOptions& options, System& system, Io& io);
int RunAgentRoster(const AgentRosterOptions& options, System& system, Io& io);
/// `status NAME…` — or, when every NAME is an agent of one other host with the same `ssh:`
/// target, the same run there.
int RunAgentStatus(const StatusOptions& options, System& system, Io& io);

/// The `agent` command and its subcommands.
std::vector<Command> AddAgentCommands(CLI::App& app, CommandContext& ctx);

}  // namespace mosaic
