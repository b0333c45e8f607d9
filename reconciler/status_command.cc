#include "status_command.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "exit_codes.h"
#include "unit_files.h"

namespace mosaic {

int RunStatus(const StatusOptions& options, const Environment& env, Io& io) {
  std::optional<FleetContext> context = OpenFleet(options.fleet, env, io);
  if (!context) return kExitError;
  Result<ObservedState> observed = context->Observe();
  if (!observed.ok()) {
    io.err << "error: " << observed.status().message() << "\n";
    return kExitError;
  }
  const ObservedState& o = observed.value();
  const DesiredState& d = context->desired();
  nlohmann::json rows = nlohmann::json::array();
  bool healthy = true;
  auto unit_state = [&](const std::string& unit) {
    auto it = o.units.find(unit);
    return it == o.units.end() ? ObservedUnit{unit, "not-found", "inactive", false} : it->second;
  };
  auto add_row = [&](const std::string& name, const std::string& unit_name,
                     const std::string& runtime) {
    ObservedUnit unit = unit_state(unit_name);
    auto s = o.sessions.find(name);
    std::string session = s == o.sessions.end() ? "missing" : s->second.dead ? "dead" : "running";
    auto hb = o.heartbeat_ages.find(name);
    std::string heartbeat = hb == o.heartbeat_ages.end() ? "-" : fmt::format("{}s ago", hb->second);
    healthy = healthy && unit.active() && unit.enabled && session == "running";
    rows.push_back({{"name", name},
                    {"unit", unit.active_state},
                    {"enabled", unit.enabled},
                    {"session", session},
                    {"pid", s == o.sessions.end() ? 0 : s->second.pane_pid},
                    {"runtime", runtime},
                    {"heartbeat", heartbeat}});
  };
  add_row(d.holder_session, kHolderUnit, "(holder)");
  for (const DesiredAgent& a : d.agents) add_row(a.spec.name, a.unit, a.spec.runtime);
  if (options.json) {
    io.out << nlohmann::json{{"socket", d.socket},
                             {"server_pid", o.tmux_server_pid},
                             {"agents", rows}}
                  .dump(2)
           << "\n";
  } else {
    io.out << fmt::format("fleet on tmux -L {} (server pid {})\n", d.socket,
                          o.tmux_server ? std::to_string(o.tmux_server_pid) : "none");
    // Column widths fit the longest entry: a 64-character name must not push the rest askew.
    size_t name_width = 4, runtime_width = 7;
    for (const auto& r : rows) {
      name_width = std::max(name_width, r["name"].get<std::string>().size());
      runtime_width = std::max(runtime_width, r["runtime"].get<std::string>().size());
    }
    for (const AgentSpec& a : d.elsewhere) name_width = std::max(name_width, a.name.size());
    io.out << fmt::format("{:<{}} {:<12} {:<8} {:<8} {:>8}  {:<{}} {}\n", "NAME", name_width,
                          "UNIT", "BOOT", "SESSION", "PID", "RUNTIME", runtime_width, "HEARTBEAT");
    for (const auto& r : rows) {
      io.out << fmt::format(
          "{:<{}} {:<12} {:<8} {:<8} {:>8}  {:<{}} {}\n", r["name"].get<std::string>(), name_width,
          r["unit"].get<std::string>(), r["enabled"].get<bool>() ? "enabled" : "disabled",
          r["session"].get<std::string>(), r["pid"].get<int64_t>(), r["runtime"].get<std::string>(),
          runtime_width, r["heartbeat"].get<std::string>());
    }
    for (const AgentSpec& a : d.elsewhere)
      io.out << fmt::format("{:<{}} managed on {}\n", a.name, name_width, a.host);
  }
  return healthy ? kExitSuccess : kExitError;
}

}  // namespace mosaic
