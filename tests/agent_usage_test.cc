// ObserveAgentUsage against file trees as /proc and /sys/fs/cgroup show them: a hybrid
// system (no controllers for the user manager: summed over the unit's processes) and a
// unified one (the cgroup's own counters).
#include "agent_usage.h"

#include <gtest/gtest.h>

#include "memory_file_system.h"

namespace mosaic {
namespace {

ObservedState OneAgent() {
  ObservedState observed;
  observed.sessions["a"] = {"a", 200, false, kOwnerAgent, "pi", "/w", "c", "e"};
  observed.sessions["hand"] = {"hand", 300, false, kOwnerAgent, "pi", "/w", "c", "e"};
  observed.sessions["theirs"] = {"theirs", 400, false, "", "", "", "", ""};
  return observed;
}

constexpr char kUnit[] = "/u/user@0.service/app.slice/mosaic-agent@a.service";

TEST(AgentUsage, OnAHybridSystemSumsTheUnitsProcesses) {
  MemoryFileSystem fs;
  fs.Put("/proc/200/cgroup", std::string("1:name=systemd:") + kUnit + "\n0::" + kUnit + "\n");
  fs.Put("/proc/300/cgroup", "0::/u/user@0.service/app.slice/tmux.scope\n");  // never joined
  fs.Put("/sys/fs/cgroup/unified/cgroup.procs", "1\n");
  fs.Put(std::string("/sys/fs/cgroup/unified") + kUnit + "/cgroup.procs", "200\n201\n");
  fs.Put("/proc/200/statm", "5000 250 100 1 0 300 0\n");
  // A command name with spaces and a parenthesis: fields are counted after the last ')'.
  fs.Put("/proc/200/stat", "200 (my (odd) prog) S 1 200 200 0 -1 0 0 0 0 0 150 50 0 0 20 0\n");
  fs.Put("/proc/201/statm", "100 50 10 1 0 20 0\n");
  fs.Put("/proc/201/stat", "201 (sleep) S 200 200 200 0 -1 0 0 0 0 0 100 0 0 0 20 0\n");
  std::map<std::string, AgentUsage> usage = ObserveAgentUsage(OneAgent(), fs, 100, 4096);
  ASSERT_EQ(usage.size(), 1u) << "only a session in its own unit's cgroup is measured";
  EXPECT_EQ(usage["a"].memory_bytes, (250 + 50) * 4096);
  EXPECT_DOUBLE_EQ(usage["a"].cpu_seconds, 3.0);
}

TEST(AgentUsage, OnAUnifiedSystemReadsTheCgroupsOwnCounters) {
  MemoryFileSystem fs;
  fs.Put("/proc/200/cgroup", std::string("0::") + kUnit + "\n");
  fs.Put(std::string("/sys/fs/cgroup") + kUnit + "/memory.current", "73400320\n");
  fs.Put(std::string("/sys/fs/cgroup") + kUnit + "/cpu.stat",
         "usage_usec 2500000\nuser_usec 2000000\nsystem_usec 500000\n");
  std::map<std::string, AgentUsage> usage = ObserveAgentUsage(OneAgent(), fs, 100, 4096);
  ASSERT_EQ(usage.size(), 1u);
  EXPECT_EQ(usage["a"].memory_bytes, 73400320);
  EXPECT_DOUBLE_EQ(usage["a"].cpu_seconds, 2.5);
}

TEST(AgentUsage, AnUnreadableCgroupLeavesTheAgentOut) {
  MemoryFileSystem fs;
  fs.Put("/proc/200/cgroup", std::string("0::") + kUnit + "\n");
  EXPECT_TRUE(ObserveAgentUsage(OneAgent(), fs, 100, 4096).empty());
}

}  // namespace
}  // namespace mosaic
