// StatusReport: the fleet's health as a value — one row per unit of the fleet here (the
// holder, then each agent), computed from what was observed, without I/O. `status` shows it
// through a human or a JSON view (reconciler/status_view.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "desired_state.h"
#include "observed_state.h"

namespace mosaic {

struct StatusRow {
  std::string name;
  std::string unit_state;  ///< systemd's active state, or "not-found"
  bool enabled = false;
  std::string session;  ///< "running", "dead (exit N)", "dead (signal)", "missing", "stopped"
  int64_t pid = 0;      ///< the session's pane process; 0 when there is none
  std::string runtime;
  std::optional<int64_t> heartbeat_age;  ///< seconds; none when the agent never wrote one
  bool healthy = false;                  ///< active, enabled and running
};

struct StatusReport {
  std::string socket;
  bool server = false;
  int64_t server_pid = 0;
  std::vector<StatusRow> rows;  ///< the holder first, then the agents in roster order
  std::vector<AgentSpec> elsewhere;
  bool healthy() const;
};

StatusReport MakeStatusReport(const DesiredState& desired, const ObservedState& observed);

}  // namespace mosaic
