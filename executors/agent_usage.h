// AgentUsage: what each agent's unit costs now — memory and CPU time of everything in its
// cgroup (its supervisor, its program and all the program started: `session exec` moves the
// program into the unit). Read from files, for `status`: no process, no bus call per agent.
//
// The unit's cgroup is found from its pane process (/proc/PID/cgroup, the cgroup v2 line).
// Where the v2 hierarchy carries the memory and cpu controllers (a unified system), their
// counters are read (memory.current, cpu.stat); elsewhere (hybrid systems, where a user
// manager has no controllers) the figures are summed over the cgroup's live processes
// (resident memory from /proc/PID/statm, user+system time from /proc/PID/stat).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "file_system.h"
#include "observed_state.h"

namespace mosaic {

/// Usage of each live owned session's unit, by agent name. Agents whose cgroup cannot be
/// read are left out.
std::map<std::string, AgentUsage> ObserveAgentUsage(const ObservedState& observed,
                                                    FileSystem& files, int64_t clock_ticks,
                                                    int64_t page_size);

}  // namespace mosaic
