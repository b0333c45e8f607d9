// Observer: fills an ObservedState from the world — one tmux process (list-panes -a), two
// bus calls (ListUnitsByNames, ListUnitsByPatterns), and file reads — whatever the fleet size.
#pragma once

#include <cstdint>

#include "desired_state.h"
#include "file_system.h"
#include "observed_state.h"
#include "systemd_manager.h"
#include "tmux.h"

namespace mosaic {

/// Observes what `desired` is about, plus every mosaic-agent@ unit, owned session and env file
/// that exists (so removals and preserved data are seen). `now` is seconds since the epoch,
/// for heartbeat ages. Fails only when tmux or the manager cannot be asked at all.
Result<ObservedState> Observe(const DesiredState& desired, const Tmux& tmux,
                              SystemdManager& systemd, FileSystem& fs, int64_t now);

}  // namespace mosaic
