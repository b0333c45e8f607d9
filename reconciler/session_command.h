// The commands the units run (not for everyday use, but safe to run by hand):
//   session start NAME [--replace]   ExecStart of mosaic-agent@NAME: create the agent's session
//   session stop NAME                ExecStop: kill exactly =NAME
//   session exec --env-file FILE     inside the new pane: become the agent's program
//   holder start --socket S --session H   ExecStart of the holder: the only tmux server start
//   holder stop --socket S                ExecStop: kill that socket's server, nothing else
// The work is in executors/agent_session.h and executors/holder.h; these only parse and report.
#pragma once

#include <vector>

#include "command.h"

namespace mosaic {

std::vector<Command> AddSessionCommands(CLI::App& app, CommandContext& ctx);
std::vector<Command> AddHolderCommands(CLI::App& app, CommandContext& ctx);

}  // namespace mosaic
