// One roster, many machines: two sandboxes act as two hosts (--host alpha, --host beta) over
// the same roster. Each converges only its own agents; an agent the roster moves from one
// host to the other is destroyed on the first and created on the second.
#include "two_hosts_fixture.h"

namespace mosaic::integration {
namespace {

using testing::HasSubstr;
using testing::Not;

constexpr char kTwoHosts[] =
    "version: 1\n"
    "tmux: {socket_name: itest}\n"
    "reconcile: {interval: 1h}\n"
    "agents:\n"
    "  - {name: a, runtime: claude, host: alpha}\n"
    "  - {name: a0, runtime: pi, host: alpha}\n"
    "  - {name: b, runtime: pi, host: beta}\n";

// `a` moved to beta; nothing else changed.
constexpr char kMoved[] =
    "version: 1\n"
    "tmux: {socket_name: itest}\n"
    "reconcile: {interval: 1h}\n"
    "agents:\n"
    "  - {name: a, runtime: claude, host: beta}\n"
    "  - {name: a0, runtime: pi, host: alpha}\n"
    "  - {name: b, runtime: pi, host: beta}\n";

using MultiHost = TwoHosts;

TEST_F(MultiHost, EachHostConvergesItsOwnAgentsAndAMovedAgentMovesAcross) {
  Share(kTwoHosts);
  RunResult alpha = OnAlpha({"apply", "--yes"});
  ASSERT_EQ(alpha.code, 0) << alpha.out << alpha.err;
  RunResult beta = OnBeta({"apply", "--yes"});
  ASSERT_EQ(beta.code, 0) << beta.out << beta.err;
  ASSERT_THAT(sandbox_.Sessions(kSocket), testing::SizeIs(3));  // _holder, a, a0
  ASSERT_EQ(beta_.Sessions(kSocket).count("b"), 1u);
  EXPECT_EQ(beta_.Sessions(kSocket).count("a"), 0u);
  EXPECT_THAT(OnAlpha({"plan"}).out, HasSubstr("managed on host beta, not here"));
  const long a0_pid = sandbox_.Sessions(kSocket).at("a0");
  const long b_pid = beta_.Sessions(kSocket).at("b");
  // The timer acts as the host its apply acted as (not as this machine's hostname, which
  // would make alpha's agents another host's, to be removed): it finds nothing to do.
  EXPECT_THAT(sandbox_.ReadFile(sandbox_.Config() + "/systemd/user/mosaic-fleet-reconcile.service"),
              HasSubstr("--host alpha "));
  RunResult timer =
      sandbox_.Exec({"systemctl", "--user", "start", "mosaic-fleet-reconcile.service"});
  EXPECT_EQ(timer.code, 0) << timer.err << sandbox_.ManagerLog();
  EXPECT_EQ(sandbox_.Sessions(kSocket).at("a0"), a0_pid);

  // The roster moves `a` to beta. Alpha destroys exactly it, saying why; beta creates it.
  Share(kMoved);
  RunResult plan = OnAlpha({"plan", "--detailed-exitcode"});
  EXPECT_EQ(plan.code, 2) << plan.err;
  EXPECT_THAT(plan.out, HasSubstr("moved to host beta"));
  EXPECT_THAT(plan.out, Not(HasSubstr("- a: managed on host beta, not here")));
  EXPECT_THAT(plan.out, HasSubstr("- b: managed on host beta, not here"));
  EXPECT_THAT(plan.out, HasSubstr("Plan: 0 to add, 0 to change, 0 to replace, 1 to destroy."));
  const std::string env_before = sandbox_.ReadFile(sandbox_.EnvFile("a"));
  ASSERT_EQ(OnAlpha({"apply", "--yes"}).code, 0);
  EXPECT_EQ(sandbox_.Sessions(kSocket).count("a"), 0u);
  EXPECT_EQ(sandbox_.UnitActive("mosaic-agent@a.service"), "inactive");
  EXPECT_EQ(sandbox_.UnitEnabled("mosaic-agent@a.service"), "disabled");
  EXPECT_EQ(sandbox_.Sessions(kSocket).at("a0"), a0_pid);           // its prefix sibling untouched
  EXPECT_EQ(sandbox_.ReadFile(sandbox_.EnvFile("a")), env_before);  // the env file is kept
  EXPECT_THAT(OnAlpha({"plan"}).out, HasSubstr("env file of an agent now on host beta: kept"));
  RunResult to_beta = OnBeta({"apply", "--yes"});
  ASSERT_EQ(to_beta.code, 0) << to_beta.out << to_beta.err;
  EXPECT_EQ(beta_.Sessions(kSocket).count("a"), 1u);
  EXPECT_EQ(beta_.UnitActive("mosaic-agent@a.service"), "active");
  EXPECT_EQ(beta_.Sessions(kSocket).at("b"), b_pid);
  // Both converged: a second apply anywhere has nothing to do.
  EXPECT_EQ(OnAlpha({"plan", "--detailed-exitcode"}).code, 0);
  EXPECT_EQ(OnBeta({"plan", "--detailed-exitcode"}).code, 0);
}

}  // namespace
}  // namespace mosaic::integration
