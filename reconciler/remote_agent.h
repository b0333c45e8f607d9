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

namespace mosaic {

/// What to run there: the words after `mosaic-fleet agent`, and what goes on stdin.
struct RemoteCall {
  std::vector<std::string> args;
  std::optional<std::string> input;
  bool follow = false;  ///< streams until interrupted (tail --follow): no bound, on the terminal
};

/// The agent of another host named `name`, when it has an `ssh:` target; nullptr otherwise
/// (this host's agent, an unknown name, or another host's without a way to reach it).
const AgentSpec* RemoteAgent(const DesiredState& desired, const std::string& name);

/// The ssh command line: `ssh_command` split into words ($MOSAIC_FLEET_SSH, e.g. "ssh -F
/// FILE"; "" is "ssh"), BatchMode and a connect timeout, `--`, the target, then `mosaic-fleet
/// agent ARGS…` with each word quoted for a POSIX shell (ssh hands the remote shell one line).
std::vector<std::string> SshCommandLine(const std::string& ssh_command, const std::string& target,
                                        const std::vector<std::string>& args);

/// Runs `call` on `agent`'s host; the remote command's exit status, or kExitError after saying
/// that the host could not be reached (ssh's own failure, status 255) or did not answer in time.
int RunOnAgentsHost(const AgentSpec& agent, const RemoteCall& call, System& system, Io& io);

}  // namespace mosaic
