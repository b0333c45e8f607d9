// AgentSession: what an agent's unit does with its tmux session, with every side effect
// through System.
//
//   StartAgentSession  create the agent's session on the holder's server (never starting a
//                      server), recording its identity; adopt one already running
//   SuperviseAgent     ExecStart of mosaic-agent@NAME (Type=notify): start the session, say
//                      ready, then wait — on the pane program itself, no polling — until it
//                      dies or the session goes, and exit as the pane's program did, with its
//                      last lines in the journal; systemd restarts it by the unit's policy
//   StopAgentSession   ExecStop: end the supervisor and kill exactly =NAME, if the tool made it
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

/// Starts (or adopts) the session, tells systemd it is ready, and waits for it to end; says
/// why on `out`. Returns the process exit status: the pane program's own when it exited,
/// 128+signal style 1 when it was killed, when the session was killed or the server is gone.
int SuperviseAgent(System& system, const AgentSessionOptions& options, std::ostream& out,
                   std::ostream& err);

/// ExecStop: when the unit is being stopped ($MAINPID: its supervisor still runs), ends the
/// supervisor and kills exactly the session =NAME on the agent's socket (from
/// $MOSAIC_TMUX_SOCKET, which the unit gets from the env file, or else the env file itself),
/// if the tool created it. When the supervisor has already exited — the agent's program
/// died — the dead pane is left for `status` and the next start to see.
Status StopAgentSession(System& system, const AgentSessionOptions& options);

/// Becomes the agent's program, as its env file says: its variables set, in its working
/// directory, in its unit's cgroup. Returns only when that fails, with the exit status a shell
/// would give (127: the program is not found).
ExecFailure ExecAgent(System& system, const std::string& env_file, std::ostream& err);

}  // namespace mosaic
