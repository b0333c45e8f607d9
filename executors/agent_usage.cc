#include "agent_usage.h"

#include <charconv>
#include <sstream>
#include <vector>

#include "unit_files.h"

namespace mosaic {
namespace {

constexpr size_t kSmallFile = size_t{64} * 1024;

std::optional<std::string> Read(FileSystem& files, const std::string& path) {
  Result<std::string> text = files.ReadFile(path, kSmallFile);
  if (!text.ok()) return std::nullopt;
  return std::move(text).value();
}

std::optional<int64_t> Number(std::string_view text) {
  int64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end == text.data()) return std::nullopt;
  return value;
}

// The cgroup v2 path ("0::/…") of process `pid`, or "" when it has none.
std::string CgroupOf(FileSystem& files, int64_t pid) {
  std::optional<std::string> text = Read(files, "/proc/" + std::to_string(pid) + "/cgroup");
  if (!text) return "";
  std::istringstream lines(*text);
  for (std::string line; std::getline(lines, line);)
    if (line.starts_with("0::/")) return line.substr(3);
  return "";
}

// Where the v2 hierarchy is mounted: /sys/fs/cgroup/unified on a hybrid system, else
// /sys/fs/cgroup itself.
std::string V2Root(FileSystem& files) {
  return files.Stat("/sys/fs/cgroup/unified/cgroup.procs") ? "/sys/fs/cgroup/unified"
                                                           : "/sys/fs/cgroup";
}

// `key VALUE` from a flat-keyed file such as cpu.stat.
std::optional<int64_t> Field(const std::string& text, std::string_view key) {
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);)
    if (line.size() > key.size() && line.starts_with(key) && line[key.size()] == ' ')
      return Number(std::string_view(line).substr(key.size() + 1));
  return std::nullopt;
}

// Resident bytes and CPU seconds of one process; nullopt when it is gone.
std::optional<AgentUsage> ProcessUsage(FileSystem& files, const std::string& pid,
                                       int64_t clock_ticks, int64_t page_size) {
  std::optional<std::string> statm = Read(files, "/proc/" + pid + "/statm");
  std::optional<std::string> stat = Read(files, "/proc/" + pid + "/stat");
  if (!statm || !stat) return std::nullopt;
  AgentUsage usage;
  std::istringstream pages(*statm);
  int64_t size = 0, resident = 0;
  if (pages >> size >> resident) usage.memory_bytes = resident * page_size;
  // After the command name (in parentheses, and it may hold spaces): field 3 is the state,
  // fields 14 and 15 are utime and stime in clock ticks.
  size_t close = stat->rfind(')');
  if (close == std::string::npos) return usage;
  std::istringstream fields(stat->substr(close + 1));
  std::vector<std::string> after;
  for (std::string field; fields >> field && after.size() < 13;) after.push_back(field);
  if (after.size() == 13 && clock_ticks > 0) {
    int64_t ticks = Number(after[11]).value_or(0) + Number(after[12]).value_or(0);
    usage.cpu_seconds = static_cast<double>(ticks) / static_cast<double>(clock_ticks);
  }
  return usage;
}

std::optional<AgentUsage> CgroupUsage(FileSystem& files, const std::string& directory,
                                      int64_t clock_ticks, int64_t page_size) {
  std::optional<std::string> memory = Read(files, directory + "/memory.current");
  std::optional<std::string> cpu = Read(files, directory + "/cpu.stat");
  int64_t usec = cpu ? Field(*cpu, "usage_usec").value_or(-1) : -1;  // -1: not counted
  if (memory && usec >= 0)
    return AgentUsage{Number(*memory).value_or(0), static_cast<double>(usec) / 1e6};
  std::optional<std::string> procs = Read(files, directory + "/cgroup.procs");
  if (!procs) return std::nullopt;
  AgentUsage total;
  std::istringstream pids(*procs);
  for (std::string pid; pids >> pid;) {
    if (std::optional<AgentUsage> one = ProcessUsage(files, pid, clock_ticks, page_size)) {
      total.memory_bytes += one->memory_bytes;
      total.cpu_seconds += one->cpu_seconds;
    }
  }
  if (memory) total.memory_bytes = Number(*memory).value_or(total.memory_bytes);
  if (usec >= 0) total.cpu_seconds = static_cast<double>(usec) / 1e6;
  return total;
}

}  // namespace

std::map<std::string, AgentUsage> ObserveAgentUsage(const ObservedState& observed,
                                                    FileSystem& files, int64_t clock_ticks,
                                                    int64_t page_size) {
  std::map<std::string, AgentUsage> usage;
  std::string root;
  for (const auto& [name, session] : observed.sessions) {
    if (!session.owned() || session.dead || session.pane_pid <= 0) continue;
    std::string cgroup = CgroupOf(files, session.pane_pid);
    // Only a unit's own cgroup: a program that never joined its unit (run by hand) is not
    // the unit's cost, and the root's would be the whole machine's.
    if (!cgroup.ends_with("/" + AgentUnitName(name))) continue;
    if (root.empty()) root = V2Root(files);
    if (std::optional<AgentUsage> u = CgroupUsage(files, root + cgroup, clock_ticks, page_size))
      usage[name] = *u;
  }
  return usage;
}

}  // namespace mosaic
