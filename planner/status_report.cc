#include "status_report.h"

#include <algorithm>

#include "unit_files.h"

namespace mosaic {

bool StatusReport::healthy() const {
  return std::all_of(rows.begin(), rows.end(), [](const StatusRow& r) { return r.healthy; });
}

StatusReport MakeStatusReport(const DesiredState& desired, const ObservedState& observed) {
  StatusReport report{
      desired.socket, observed.tmux_server, observed.tmux_server_pid, {}, desired.elsewhere};
  auto row = [&](const std::string& name, const std::string& unit_name, const std::string& runtime,
                 bool stopped) {
    StatusRow r;
    r.name = name;
    r.runtime = runtime;
    auto unit = observed.units.find(unit_name);
    r.unit_state = unit == observed.units.end() ? "not-found" : unit->second.active_state;
    r.enabled = unit != observed.units.end() && unit->second.enabled;
    auto session = observed.sessions.find(name);
    r.session = session == observed.sessions.end() ? (stopped ? "stopped" : "missing")
                : !session->second.dead            ? "running"
                : session->second.dead_status >= 0
                    ? "dead (exit " + std::to_string(session->second.dead_status) + ")"
                : session->second.dead_signal >= 0
                    ? "dead (signal " + std::to_string(session->second.dead_signal) + ")"
                    : "dead";
    r.pid = session == observed.sessions.end() ? 0 : session->second.pane_pid;
    if (auto hb = observed.heartbeat_ages.find(name); hb != observed.heartbeat_ages.end())
      r.heartbeat_age = hb->second;
    // `state: stopped` in the roster: healthy while it is stopped.
    r.healthy = stopped ? r.session == "stopped" && !r.enabled
                        : unit != observed.units.end() && unit->second.active() && r.enabled &&
                              r.session == "running";
    report.rows.push_back(std::move(r));
  };
  row(desired.holder_session, kHolderUnit, "(holder)", false);
  for (const DesiredAgent& a : desired.agents)
    row(a.spec.name, a.unit, a.spec.runtime, a.spec.stopped);
  return report;
}

}  // namespace mosaic
