// AgentSession: what an agent's unit does with its tmux session, with every side effect
// through System.
//
//   StartAgentSession  ExecStart of mosaic-agent@NAME: create the agent's session on the
//                      holder's server (never starting a server), recording its identity;
//                      adopt one already running
//   StopAgentSession   ExecStop: kill exactly =NAME, if the tool made it
//   ExecAgent          inside the new pane: join the unit's cgroup, then become the agent's
//                      program — the one place the agent's command is executed
#pragma once

#include <chrono>
#include <ostream>
#include <string>

#include "system.h"

namespace mosaic {

struct AgentSessionOptions {
  std::string name;
  bool replace = false;                       ///< recreate a session that is already running
  std::chrono::milliseconds timeout{10'000};  ///< bound on each tmux call
};

/// Starts agent `options.name`'s session from its env file. Says what it did on `out`,
/// warnings on `err`; the error says what to fix.
Status StartAgentSession(System& system, const AgentSessionOptions& options, std::ostream& out,
                         std::ostream& err);

/// Kills exactly the session =NAME on the agent's socket (from $MOSAIC_TMUX_SOCKET, which the
/// unit gets from the env file, or else the env file itself), if the tool created it.
Status StopAgentSession(System& system, const AgentSessionOptions& options);

/// Becomes the agent's program, as its env file says: its variables set, in its working
/// directory, in its unit's cgroup. Returns only when that fails.
Status ExecAgent(System& system, const std::string& env_file, std::ostream& err);

}  // namespace mosaic
