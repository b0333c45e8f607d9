// stop, start and restart of single agents against a real `systemd --user` and real tmux:
// exact targets, the server and siblings untouched, and a stop that drift correction keeps.
#include <string>

#include "fleet_fixture.h"

namespace mosaic::integration {
namespace {

using testing::HasSubstr;

class AgentControl : public FleetIntegration {};

TEST_F(AgentControl, StopHoldsThroughDriftCorrectionStartBringsItBackRestartTouchesOnlyIt) {
  Converge();
  long server = sandbox_.ServerPid(kSocket);
  long a0 = sandbox_.Sessions(kSocket)["a0"];

  RunResult stop = sandbox_.Fleet({"stop", "a"});
  ASSERT_EQ(stop.code, 0) << stop.out << stop.err;
  auto sessions = sandbox_.Sessions(kSocket);
  EXPECT_EQ(sessions.count("a"), 0u) << "exactly its session ended";
  EXPECT_EQ(sessions["a0"], a0) << "never its prefix sibling";
  EXPECT_EQ(sandbox_.ServerPid(kSocket), server);
  EXPECT_EQ(sandbox_.UnitActive("mosaic-agent@a.service"), "inactive");
  EXPECT_EQ(sandbox_.UnitEnabled("mosaic-agent@a.service"), "disabled");

  // What the reconcile timer runs: it leaves the stop alone.
  ASSERT_EQ(Apply({"--unattended"}).code, 0);
  EXPECT_EQ(sandbox_.Sessions(kSocket).count("a"), 0u);
  EXPECT_TRUE(PlanIsEmpty());
  RunResult status = sandbox_.Fleet({"status"});
  EXPECT_EQ(status.code, 0) << status.out;
  EXPECT_THAT(status.out, testing::ContainsRegex("\na .*STOPPED"));

  RunResult start = sandbox_.Fleet({"start", "a"});
  ASSERT_EQ(start.code, 0) << start.out << start.err;
  ASSERT_TRUE(WaitFor([&] { return sandbox_.Sessions(kSocket).count("a") == 1; }));
  EXPECT_EQ(sandbox_.Sessions(kSocket)["a0"], a0);
  EXPECT_TRUE(PlanIsEmpty());

  long a = sandbox_.Sessions(kSocket)["a"];
  RunResult restart = sandbox_.Fleet({"restart", "a0"});
  ASSERT_EQ(restart.code, 0) << restart.out << restart.err;
  ASSERT_TRUE(WaitFor([&] {
    auto now = sandbox_.Sessions(kSocket);
    return now.count("a0") == 1 && now["a0"] != a0;
  }));
  EXPECT_EQ(sandbox_.Sessions(kSocket)["a"], a) << "a sibling is untouched";
  EXPECT_EQ(sandbox_.ServerPid(kSocket), server) << "the server is untouched";
}

TEST_F(AgentControl, AnUnknownNameIsOneClearErrorAndChangesNothing) {
  Converge();
  auto before = sandbox_.Sessions(kSocket);
  RunResult r = sandbox_.Fleet({"stop", "a1"});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("'a1': no agent of that name"));
  EXPECT_EQ(sandbox_.Sessions(kSocket), before);
}

}  // namespace
}  // namespace mosaic::integration
