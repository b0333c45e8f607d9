#include "unit_cgroup.h"

#include <fmt/format.h>

#include <algorithm>

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

}  // namespace mosaic
