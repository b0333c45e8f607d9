// `mosaic-fleet stop|start|restart NAME…`: an operator's hand on single agents, without
// editing the roster.
//
//   stop     keeps the agents stopped (a mark in fleet/run/NAME.stopped, which plan, status and
//            drift correction respect), then applies: their units stop, exactly their sessions end
//   start    removes the mark, then applies those agents: they start as the roster says
//   restart  restarts the agents' units: exactly their sessions are recreated; the server and
//            every other session are untouched
#pragma once

#include <string>
#include <vector>

#include "command.h"
#include "fleet_context.h"

namespace mosaic {

enum class AgentControl { kStop, kStart, kRestart };

struct AgentControlOptions {
  FleetOptions fleet;
  std::vector<std::string> names;
  bool all = false;          ///< every agent of this host (instead of names)
  double lock_timeout = 30;  ///< seconds to wait for a running apply
  double settle_seconds = 3;
};

int RunAgentControl(AgentControl action, const AgentControlOptions& options, System& system,
                    Io& io);

std::vector<Command> AddAgentControlCommands(CLI::App& app, CommandContext& ctx);

}  // namespace mosaic
