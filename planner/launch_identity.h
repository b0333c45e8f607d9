// LaunchIdentity: what an agent's session runs, as the planner and `session start` both
// compute it from the agent's env file — part of the planner ↔ runtime contract
// (fleet_contract.h). `session start` records the hashes on the session it creates (tmux
// options @mosaic-command, @mosaic-env); the planner compares them with the roster's.
#pragma once

#include <map>
#include <string>

namespace mosaic {

struct LaunchIdentity {
  std::string command;        ///< the user's MOSAIC_AGENT_COMMAND if set, else the runtime's
  bool user_command = false;  ///< from the user's MOSAIC_AGENT_COMMAND: never printed
  std::string command_hash;   ///< Fingerprint(command)
  std::string env_hash;       ///< EnvFingerprint of every variable the file sets
};

/// The identity of a session started with env file `env_content` (after the merge).
LaunchIdentity IdentityOfEnv(const std::string& env_content);

/// The same, from the variables that file sets (EnvFile::Variables()), when they are at hand.
LaunchIdentity IdentityOfVariables(const std::map<std::string, std::string>& vars);

}  // namespace mosaic
