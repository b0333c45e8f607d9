// MakePlan: the diff of desired against observed, as a Plan. Pure and deterministic.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "desired_state.h"
#include "observed_state.h"
#include "plan.h"

namespace mosaic {

struct PlanOptions {
  std::vector<std::string> targets;       ///< limit agent changes to these names
  int64_t stale_heartbeat_seconds = 600;  ///< older heartbeats are reported
};

/// Every change needed to make `observed` match `desired`, with reasons, and the ordered,
/// batched steps that make them. No I/O; same inputs, same plan.
Plan MakePlan(const DesiredState& desired, const ObservedState& observed,
              const PlanOptions& options = {});

/// The environment a session of `agent` runs with when its env file is `env_content`
/// (after the merge): its fingerprint and the launch command (the user's
/// MOSAIC_AGENT_COMMAND if set, else the runtime's). Shared with `session start`, which
/// records the same values on the session it creates.
struct LaunchIdentity {
  std::string command;
  bool user_command = false;  ///< from the user's MOSAIC_AGENT_COMMAND: never printed
  std::string command_hash;
  std::string env_hash;
};
LaunchIdentity IdentityOfEnv(const std::string& env_content);

}  // namespace mosaic
