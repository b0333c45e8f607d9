// RemoteAgent: the `agent` verbs (send, tail, status, reset) for an agent whose roster host is
// another machine and that has an `ssh:` target — run there, as `mosaic-fleet agent …`, over
// ssh: BatchMode (never a password prompt), a connect timeout, the message on stdin, and every
// word quoted for the remote shell, so that it reaches the remote mosaic-fleet as one argument
// whatever it holds.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "fleet_context.h"

namespace CLI {
class App;
}

namespace mosaic {

/// What to run there: the words after `mosaic-fleet agent`, and what goes on stdin.
struct RemoteCall {
  std::vector<std::string> args;
  std::optional<std::string> input;
  bool follow = false;  ///< streams until interrupted (tail --follow): no bound, on the terminal
  std::chrono::seconds bound{15 * 60};  ///< the longest the remote verb may take
};

/// The agent of another host named `name`, when it has an `ssh:` target and this run was not
/// itself forwarded; nullptr otherwise (this host's agent, an unknown name, another host's
/// without a way to reach it — the local path says so).
const AgentSpec* RemoteAgent(const FleetContext& context, const std::string& name);

/// Passes on what of `options` means the same there (--timeout); the roster is the remote
/// host's own (the pull model), so --roster is not.
void PassFleetOptions(const FleetOptions& options, RemoteCall& call);

/// Adds the hidden `--forwarded` flag the remote end of a hop is run with.
void AddForwardedFlag(CLI::App& command, FleetOptions& options);

/// The ssh command line: `ssh_command` split into words ($MOSAIC_FLEET_SSH, e.g. "ssh -F
/// FILE"; "" is "ssh"), BatchMode, a connect timeout and keep-alives, `--`, the agent's target,
/// then `mosaic-fleet agent ARGS… --host HOST --forwarded` with each word quoted for a POSIX
/// shell (ssh hands the remote shell one line): the remote acts as the agent's host, and never
/// forwards again (a roster that disagrees with itself cannot make ssh call itself forever).
std::vector<std::string> SshCommandLine(const std::string& ssh_command, const AgentSpec& agent,
                                        const std::vector<std::string>& args);

/// Runs `call` on `agent`'s host; the remote command's exit status, or kExitError after saying
/// that the host could not be reached (ssh's own failure, status 255) or did not answer in time.
int RunOnAgentsHost(const AgentSpec& agent, const RemoteCall& call, System& system, Io& io);

}  // namespace mosaic
