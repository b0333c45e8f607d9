// `status` against a real `systemd --user` and real tmux: the exit code tells a healthy fleet
// from one with a foreign session in an agent's place, a stale heartbeat, or an agent removed
// from the roster that still runs — and agents get the heartbeat file they are to touch.
#include <nlohmann/json.hpp>
#include <string>

#include "fleet_fixture.h"

namespace mosaic::integration {
namespace {

using testing::HasSubstr;

constexpr int kUnhealthy = 3;  // docs/operations.md, "Reading status"

class Status : public FleetIntegration {
 protected:
  nlohmann::json Row(const std::string& name) {
    RunResult r = sandbox_.Fleet({"status", "--json"});
    nlohmann::json report = nlohmann::json::parse(r.out);
    EXPECT_EQ(report["exit_code"], r.code);
    for (const nlohmann::json& row : report["rows"])
      if (row["name"] == name) return row;
    ADD_FAILURE() << "no row " << name << " in " << r.out;
    return {};
  }
};

TEST_F(Status, AForeignSessionInAnAgentsPlaceIsAConflictNotRunning) {
  Converge("version: 1\ntmux: {socket_name: itest}\nagents:\n  - {name: a, runtime: claude}\n");
  // Someone's own session takes the name of an agent the roster then adds.
  sandbox_.Tmux(kSocket, {"new-session", "-d", "-s", "a0", "sleep 100000"});
  WriteRoster(kRoster);
  RunResult r = sandbox_.Fleet({"status"});
  EXPECT_EQ(r.code, kUnhealthy) << r.out << r.err;
  EXPECT_THAT(r.out, testing::ContainsRegex("\na0 .* foreign .*CONFLICT"));
  nlohmann::json a0 = Row("a0");
  EXPECT_EQ(a0["session"], "foreign");
  EXPECT_EQ(a0["flags"], nlohmann::json::array({"CONFLICT"}));
  EXPECT_EQ(Row("a")["healthy"], true);
}

TEST_F(Status, AgentsGetTheirHeartbeatFileAndAStaleOneIsUnhealthy) {
  // The agent's program touches the file it is given, then waits for input.
  Converge(
      "version: 1\ntmux: {socket_name: itest}\n"
      "runtimes: {beating: {command: 'touch \"$MOSAIC_HEARTBEAT_FILE\" && exec cat'}}\n"
      "health: {heartbeat_stale_after: 5min}\n"
      "agents:\n  - {name: a, runtime: beating}\n  - {name: a0, runtime: pi}\n");
  const std::string hb = sandbox_.Config() + "/mosaic/fleet/run/a.hb";
  ASSERT_TRUE(WaitFor([&] { return std::filesystem::exists(hb); }))
      << "the agent was not told where its heartbeat goes";
  RunResult fresh = sandbox_.Fleet({"status"});
  EXPECT_EQ(fresh.code, 0) << fresh.out << fresh.err;
  nlohmann::json a = Row("a");
  ASSERT_TRUE(a["heartbeat_age_seconds"].is_number());
  EXPECT_LT(a["heartbeat_age_seconds"].get<int>(), 60);
  EXPECT_EQ(a["heartbeat_stale_after_seconds"], 300);
  // What its unit costs, from its cgroup: the supervisor and the program at least.
  ASSERT_TRUE(a["memory_bytes"].is_number()) << a.dump();
  EXPECT_GT(a["memory_bytes"].get<int64_t>(), 100 * 1024);
  EXPECT_TRUE(a["cpu_seconds"].is_number());
  EXPECT_TRUE(Row("a0")["heartbeat_age_seconds"].is_null()) << "never wrote one: not stale";

  // Twenty minutes without a heartbeat: stale, and unhealthy.
  auto old = std::filesystem::file_time_type::clock::now() - std::chrono::minutes(20);
  std::filesystem::last_write_time(hb, old);
  RunResult stale = sandbox_.Fleet({"status"});
  EXPECT_EQ(stale.code, kUnhealthy) << stale.out;
  EXPECT_THAT(stale.out, testing::ContainsRegex("\na .*20m ago +STALE-HB"));
  EXPECT_EQ(sandbox_.Fleet({"status", "a0"}).code, 0) << "only the named rows count";
}

TEST_F(Status, AnAgentRemovedFromTheRosterThatStillRunsIsAnOrphanUntilApplied) {
  Converge();
  WriteRoster("version: 1\ntmux: {socket_name: itest}\nagents:\n  - {name: a, runtime: claude}\n");
  RunResult r = sandbox_.Fleet({"status"});
  EXPECT_EQ(r.code, kUnhealthy) << r.out << r.err;
  EXPECT_THAT(r.out, testing::ContainsRegex("\na0 +active .*ORPHAN"));
  EXPECT_EQ(Row("a0")["kind"], "orphan");
  // A session someone made by hand on the socket is shown, and is not the fleet's fault.
  sandbox_.Tmux(kSocket, {"new-session", "-d", "-s", "scratch", "sleep 100000"});
  ASSERT_EQ(Apply().code, 0);
  RunResult after = sandbox_.Fleet({"status"});
  EXPECT_EQ(after.code, 0) << after.out << after.err;
  EXPECT_THAT(after.out, testing::ContainsRegex("\nscratch .*UNMANAGED"));
  EXPECT_THAT(after.out, testing::Not(HasSubstr("ORPHAN")));
}

}  // namespace
}  // namespace mosaic::integration
