// FleetVerification: proves on the live machine the safety properties the fleet promises
// (README, "Invariants"; the seeds' acceptance criteria), one check at a time:
//
//   holder-owns-server     the fleet's tmux server lives in the holder unit's cgroup
//   exact-targets          on a throwaway socket, stopping `x` leaves `x0`
//   restart-isolation      a throwaway canary agent restarted in the fleet's server leaves
//                          the server and every other session's pane as they were
//   default-socket-unused  the fleet's server, unit files and env files name its own socket
//   unit-files             `systemd-analyze --user verify` accepts the tool's unit files
//
// Each check leaves nothing behind: the throwaway server is killed, the canary's unit stopped,
// its session killed and its env file removed — also when the check fails, and when an
// interrupt arrives meanwhile (it takes effect after the cleanup). A canary a killed verify
// left behind is removed by the next one.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "desired_state.h"
#include "observed_state.h"
#include "roster.h"
#include "system.h"
#include "systemd_manager.h"
#include "tmux.h"

namespace mosaic {

struct VerificationCheck {
  std::string id;     ///< "holder-owns-server", …: stable, for scripts
  std::string title;  ///< what it proves, for people
  bool passed = false;
  std::string detail;  ///< what was measured, or what broke and how to look further
};

struct VerificationContext {
  const DesiredState& desired;
  const ObservedState& observed;
  const Tmux& fleet;  ///< the fleet's socket, as the units reach it
  SystemdManager& systemd;
  std::chrono::milliseconds call_timeout{10'000};  ///< each tmux call
  std::chrono::seconds settle{15};  ///< how long a canary may take to start or restart
};

/// Runs every check in order, telling `progress` as each starts and ends. Checks that need a
/// running fleet fail, saying so, when it does not run.
std::vector<VerificationCheck> VerifyFleet(
    System& system, const VerificationContext& context,
    const std::function<void(const std::string& title)>& starting,
    const std::function<void(const VerificationCheck&)>& finished);

}  // namespace mosaic
