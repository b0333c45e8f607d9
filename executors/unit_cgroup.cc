#include "unit_cgroup.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstdint>

namespace mosaic {

std::vector<std::string> UnitCgroupsOf(FileSystem& files, int64_t pid) {
  Result<std::string> text = files.ReadFile(fmt::format("/proc/{}/cgroup", pid), size_t{64} * 1024);
  std::vector<std::string> cgroups;
  if (!text.ok()) return cgroups;
  std::string_view rest = text.value();
  while (!rest.empty()) {
    size_t end = rest.find('\n');
    std::string_view line = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
    if (line.starts_with("0::"))
      cgroups.emplace_back(line.substr(3));
    else if (size_t at = line.find(":name=systemd:"); at != std::string_view::npos)
      cgroups.emplace_back(line.substr(at + 14));
  }
  return cgroups;
}

bool InUnitCgroup(FileSystem& files, int64_t pid, std::string_view unit) {
  std::vector<std::string> cgroups = UnitCgroupsOf(files, pid);
  std::string own = fmt::format("/{}", unit);
  return !cgroups.empty() && std::all_of(cgroups.begin(), cgroups.end(),
                                         [&](const auto& path) { return path.ends_with(own); });
}

std::vector<int64_t> ProcessesInCgroup(FileSystem& files, const std::string& control_group) {
  std::vector<int64_t> pids;
  if (control_group.empty() || !control_group.starts_with("/")) return pids;
  for (const char* root : {"/sys/fs/cgroup/unified", "/sys/fs/cgroup", "/sys/fs/cgroup/systemd"}) {
    Result<std::string> procs =
        files.ReadFile(fmt::format("{}{}/cgroup.procs", root, control_group), size_t{1} << 20);
    if (!procs.ok()) continue;
    std::string_view rest = procs.value();
    while (!rest.empty()) {
      size_t end = rest.find('\n');
      std::string_view line = rest.substr(0, end);
      rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
      int64_t pid = 0;
      auto [at, error] = std::from_chars(line.data(), line.data() + line.size(), pid);
      if (error == std::errc() && at == line.data() + line.size() && pid > 0) pids.push_back(pid);
    }
    return pids;
  }
  return pids;
}

std::vector<std::string> CommandLineOf(FileSystem& files, int64_t pid) {
  std::vector<std::string> words;
  Result<std::string> text = files.ReadFile(fmt::format("/proc/{}/cmdline", pid), size_t{1} << 20);
  if (!text.ok()) return words;
  std::string_view rest = text.value();
  while (!rest.empty()) {
    size_t end = rest.find('\0');
    words.emplace_back(rest.substr(0, end));
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
  }
  return words;
}

}  // namespace mosaic
