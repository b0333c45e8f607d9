#include "status_view.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <map>
#include <nlohmann/json.hpp>

#include "json_text.h"
#include "utf8.h"

namespace mosaic {
namespace {

// "45s", "12m", "3h", "2d": the largest unit, rounded down — a glance, not a measurement.
std::string Age(int64_t seconds) {
  if (seconds < 60) return fmt::format("{}s", seconds);
  if (seconds < 3600) return fmt::format("{}m", seconds / 60);
  if (seconds < 86400) return fmt::format("{}h", seconds / 3600);
  return fmt::format("{}d", seconds / 86400);
}

std::string Heartbeat(const StatusRow& r) {
  if (!r.heartbeat_age) return "-";
  return *r.heartbeat_age < 0 ? "in the future" : Age(*r.heartbeat_age) + " ago";
}

std::string Idle(const StatusRow& r) { return r.idle_seconds ? Age(*r.idle_seconds) : "-"; }

// "812K", "45.3M", "1.2G": binary units, three significant figures at most.
std::string Memory(const StatusRow& r) {
  if (!r.memory_bytes) return "-";
  double value = static_cast<double>(*r.memory_bytes);
  for (const char* unit : {"B", "K", "M", "G"}) {
    if (value < 1024 || std::string_view(unit) == "G")
      return value < 10 && std::string_view(unit) != "B" ? fmt::format("{:.1f}{}", value, unit)
                                                         : fmt::format("{:.0f}{}", value, unit);
    value /= 1024;
  }
  return "-";
}

std::string Cpu(const StatusRow& r) {
  if (!r.cpu_seconds) return "-";
  if (*r.cpu_seconds < 60) return fmt::format("{:.1f}s", *r.cpu_seconds);
  return Age(static_cast<int64_t>(*r.cpu_seconds));
}

std::string Flags(const StatusRow& r) {
  std::string flags = fmt::format("{}", fmt::join(r.flags, ","));
  if (r.HasFlag(kFlagElsewhere)) flags += fmt::format(" (host {})", r.host);
  return flags;
}

class TableStatusView : public StatusView {
 public:
  explicit TableStatusView(Io& io) : io_(io) {}
  void Show(const StatusReport& report, int exit_code) override {
    io_.out << fmt::format("fleet on tmux -L {} (server pid {})\n", report.socket,
                           report.server ? std::to_string(report.server_pid) : "none");
    std::vector<std::array<std::string, 11>> table;
    table.push_back({"NAME", "UNIT", "BOOT", "SESSION", "PID", "PROGRAM", "IDLE", "MEM", "CPU",
                     "HEARTBEAT", "FLAGS"});
    for (const StatusRow& r : report.rows)
      table.push_back(
          {PrintableText(r.name),
           r.unit_result.empty() ? r.unit_state : r.unit_state + " (" + r.unit_result + ")",
           r.unit_state == "not-found" ? "-"
           : r.enabled                 ? "enabled"
                                       : "disabled",
           r.session, r.pid > 0 ? std::to_string(r.pid) : "-",
           r.program.empty() ? "-" : PrintableText(r.program), Idle(r), Memory(r), Cpu(r),
           Heartbeat(r), Flags(r)});
    // Column widths fit the longest entry: a 64-character name must not push the rest askew.
    std::array<size_t, 11> width{};
    for (const auto& line : table)
      for (size_t i = 0; i < line.size(); ++i) width[i] = std::max(width[i], line[i].size());
    for (size_t row = 0; row < table.size(); ++row) {
      const StatusRow* r = row == 0 ? nullptr : &report.rows[row - 1];
      std::string text;
      for (size_t i = 0; i < table[row].size(); ++i) {
        if (i == 4 || i == 7 || i == 8)  // numbers (PID, MEM, CPU): right-aligned
          text += fmt::format("{:>{}}  ", table[row][i], width[i]);
        else if (i + 1 < table[row].size())
          text += fmt::format("{:<{}}  ", table[row][i], width[i]);
        else
          text += table[row][i];
      }
      while (!text.empty() && text.back() == ' ') text.pop_back();
      io_.out << Paint(r, text) << "\n";
      if (r && !r->detail.empty()) io_.out << Paint(r, "    " + PrintableText(r->detail)) << "\n";
    }
    for (const std::string& file : report.changed_unit_files)
      io_.out << fmt::format(
          "\n{} was changed outside mosaic-fleet: `mosaic-fleet plan` shows how, `apply` "
          "writes it back.\n",
          PrintableText(file));
    io_.out << "\n" << Summary(report, exit_code) << "\n";
  }

 private:
  // A problem row stands out on a terminal: red when it makes the fleet unhealthy, yellow
  // when it is only worth knowing (stopped, on another host, a session the roster does not
  // name).
  std::string Paint(const StatusRow* r, const std::string& text) const {
    if (!io_.out_color || !r || (r->healthy && r->flags.empty())) return text;
    return fmt::format("{}{}\033[0m", r->healthy ? "\033[33m" : "\033[31m", text);
  }

  static std::string Summary(const StatusReport& report, int exit_code) {
    std::map<std::string, int> count;
    int unhealthy = 0;
    for (const StatusRow& r : report.rows) {
      if (r.healthy) continue;  // STOPPED, UNMANAGED, …: worth knowing, nothing to fix
      ++unhealthy;
      for (const std::string& flag : r.flags) ++count[flag];
    }
    if (report.healthy())
      return fmt::format("Healthy: {} as the roster says.",
                         report.rows.size() == 1 ? std::string("the one row")
                                                 : fmt::format("all {} rows", report.rows.size()));
    std::vector<std::string> problems;
    problems.reserve(count.size() + 1);
    for (const auto& [flag, n] : count) problems.push_back(fmt::format("{} {}", n, flag));
    if (!report.changed_unit_files.empty())
      problems.push_back(fmt::format("{} unit file(s) changed", report.changed_unit_files.size()));
    return fmt::format(
        "NOT healthy (exit {}): {} of {} rows need attention ({}). `mosaic-fleet plan` shows "
        "what apply would do.",
        exit_code, unhealthy, report.rows.size(), fmt::join(problems, ", "));
  }

  Io& io_;
};

std::string KindName(StatusRowKind kind) {
  switch (kind) {
    case StatusRowKind::kHolder:
      return "holder";
    case StatusRowKind::kAgent:
      return "agent";
    case StatusRowKind::kElsewhere:
      return "elsewhere";
    case StatusRowKind::kUnmanaged:
      return "unmanaged";
    case StatusRowKind::kOrphan:
      return "orphan";
  }
  return "agent";
}

template <typename T>
nlohmann::json OrNull(const std::optional<T>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

class JsonStatusView : public StatusView {
 public:
  explicit JsonStatusView(Io& io) : io_(io) {}
  void Show(const StatusReport& report, int exit_code) override {
    nlohmann::json rows = nlohmann::json::array();
    for (const StatusRow& r : report.rows)
      rows.push_back({{"kind", KindName(r.kind)},
                      {"name", r.name},
                      {"host", r.host},
                      {"tenant_id", r.tenant_id},
                      {"class", r.agent_class},
                      {"runtime", r.runtime},
                      {"model_hint", r.model_hint},
                      {"unit_state", r.unit_state},
                      {"unit_result", r.unit_result},
                      {"enabled", r.enabled},
                      {"session", r.session},
                      {"pid", r.pid},
                      {"program", r.program},
                      {"exit_status", OrNull(r.exit_status)},
                      {"idle_seconds", OrNull(r.idle_seconds)},
                      {"memory_bytes", OrNull(r.memory_bytes)},
                      {"cpu_seconds", OrNull(r.cpu_seconds)},
                      {"heartbeat_age_seconds", OrNull(r.heartbeat_age)},
                      {"heartbeat_stale_after_seconds", r.heartbeat_stale_after},
                      {"flags", r.flags},
                      {"detail", r.detail},
                      {"healthy", r.healthy}});
    io_.out << JsonText({{"format_version", kStatusJsonVersion},
                         {"socket", report.socket},
                         {"tenant_id", report.tenant_id},
                         {"server_pid", report.server ? nlohmann::json(report.server_pid)
                                                      : nlohmann::json(nullptr)},
                         {"healthy", report.healthy()},
                         {"exit_code", exit_code},
                         {"changed_unit_files", report.changed_unit_files},
                         {"rows", rows}},
                        2)
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
