#include "status_view.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

namespace mosaic {
namespace {

std::string Heartbeat(const StatusRow& r) {
  return r.heartbeat_age ? fmt::format("{}s ago", *r.heartbeat_age) : "-";
}

class TableStatusView : public StatusView {
 public:
  explicit TableStatusView(Io& io) : io_(io) {}
  void Show(const StatusReport& report) override {
    io_.out << fmt::format("fleet on tmux -L {} (server pid {})\n", report.socket,
                           report.server ? std::to_string(report.server_pid) : "none");
    // Column widths fit the longest entry: a 64-character name must not push the rest askew.
    size_t name_width = 4, runtime_width = 7;
    for (const StatusRow& r : report.rows) {
      name_width = std::max(name_width, r.name.size());
      runtime_width = std::max(runtime_width, r.runtime.size());
    }
    for (const AgentSpec& a : report.elsewhere) name_width = std::max(name_width, a.name.size());
    io_.out << fmt::format("{:<{}} {:<12} {:<8} {:<8} {:>8}  {:<{}} {}\n", "NAME", name_width,
                           "UNIT", "BOOT", "SESSION", "PID", "RUNTIME", runtime_width, "HEARTBEAT");
    for (const StatusRow& r : report.rows)
      io_.out << fmt::format("{:<{}} {:<12} {:<8} {:<8} {:>8}  {:<{}} {}\n", r.name, name_width,
                             r.unit_state, r.enabled ? "enabled" : "disabled", r.session, r.pid,
                             r.runtime, runtime_width, Heartbeat(r));
    for (const AgentSpec& a : report.elsewhere)
      io_.out << fmt::format("{:<{}} managed on {}\n", a.name, name_width, a.host);
  }

 private:
  Io& io_;
};

class JsonStatusView : public StatusView {
 public:
  explicit JsonStatusView(Io& io) : io_(io) {}
  void Show(const StatusReport& report) override {
    nlohmann::json rows = nlohmann::json::array();
    for (const StatusRow& r : report.rows)
      rows.push_back({{"name", r.name},
                      {"unit", r.unit_state},
                      {"enabled", r.enabled},
                      {"session", r.session},
                      {"pid", r.pid},
                      {"runtime", r.runtime},
                      {"heartbeat", Heartbeat(r)}});
    io_.out << nlohmann::json{{"socket", report.socket},
                              {"server_pid", report.server_pid},
                              {"agents", rows}}
                   .dump(2)
            << "\n";
  }

 private:
  Io& io_;
};

}  // namespace

std::unique_ptr<StatusView> MakeStatusView(bool json, Io& io) {
  if (json) return std::make_unique<JsonStatusView>(io);
  return std::make_unique<TableStatusView>(io);
}

}  // namespace mosaic
