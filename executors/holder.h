// Holder: what mosaic-tmux-holder.service does — the only start of the fleet's tmux server,
// so that the server lives in the holder's cgroup, and the only stop of it.
#pragma once

#include <chrono>
#include <ostream>
#include <string>

#include "system.h"

namespace mosaic {

struct HolderOptions {
  std::string socket;                         ///< tmux -L name
  std::string session = "_holder";            ///< the keep-alive session
  std::chrono::milliseconds timeout{10'000};  ///< bound on each tmux call
};

/// Starts the server on `options.socket` with the holder session (sleep infinity), marked as
/// the tool's, and server options the fleet relies on. Does nothing when the holder session
/// already runs; warns on `err` about a server someone else started.
Status StartHolder(System& system, const HolderOptions& options, std::ostream& err);

/// ExecStart of the holder (Type=notify): starts the server, tells systemd it is ready, then
/// waits — on tmux's own signal — for as long as the server lives, recreating the keep-alive
/// session if someone kills it. Returns the process exit status: 1 when the server is gone
/// (systemd then restarts the holder, and with it a new server), after saying so on `out`.
int SuperviseHolder(System& system, const HolderOptions& options, std::ostream& out,
                    std::ostream& err);

/// Kills the server on `options.socket` (and nothing else); no server is success.
Status StopHolder(System& system, const HolderOptions& options);

}  // namespace mosaic
