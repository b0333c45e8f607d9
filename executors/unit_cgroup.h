// UnitCgroup: which systemd unit's cgroup a process is in, read from /proc/PID/cgroup.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "file_system.h"

namespace mosaic {

/// The cgroup paths of process `pid` in the hierarchies systemd places units in (cgroup v2's
/// "0::" line, and v1's own "name=systemd"), e.g. "/user.slice/…/app.slice/x.service"; empty
/// when they cannot be read (the process is gone).
std::vector<std::string> UnitCgroupsOf(FileSystem& files, int64_t pid);

/// Whether process `pid` is in unit `unit`'s own cgroup, in every hierarchy that names one.
bool InUnitCgroup(FileSystem& files, int64_t pid, std::string_view unit);

}  // namespace mosaic
