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

/// The processes in cgroup `control_group` ("/…/x.service", as systemd names it), read from
/// cgroup.procs in the hierarchy that has it (v2, or v1's name=systemd); empty when none does.
std::vector<int64_t> ProcessesInCgroup(FileSystem& files, const std::string& control_group);

/// The command line of process `pid`, one word per argument; empty when it is gone.
std::vector<std::string> CommandLineOf(FileSystem& files, int64_t pid);

}  // namespace mosaic
