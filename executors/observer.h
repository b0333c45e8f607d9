// Observer: fills an ObservedState from the world — one tmux process (list-panes -a), a
// constant number of bus calls (ListUnitsByNames, ListUnitsByPatterns, NeedDaemonReload of one
// unit per unit file), and file reads — whatever the fleet size; and, only while the fleet
// moves from one socket to another, one tmux process per socket it left.
#pragma once

#include <cstdint>

#include "desired_state.h"
#include "file_system.h"
#include "launch_prerequisites.h"
#include "observed_state.h"
#include "systemd_manager.h"
#include "tmux.h"

namespace mosaic {

/// Observes what `desired` is about, plus every mosaic-* unit, owned session, env file and
/// retired unit file of the tool's that exists (so removals and preserved data are seen). `now` is
/// seconds since the epoch, for heartbeat ages; `manager_path` the PATH the manager gives its
/// units (where agents' programs are looked for). Fails only when tmux or the manager cannot be
/// asked at all.
Result<ObservedState> Observe(const DesiredState& desired, const Tmux& tmux,
                              SystemdManager& systemd, FileSystem& fs, int64_t now,
                              std::string_view manager_path = kSystemdDefaultPath);

}  // namespace mosaic
