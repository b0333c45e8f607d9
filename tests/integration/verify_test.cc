// `verify` against a real `systemd --user` and real tmux: it passes on a converged fleet,
// fails naming the check when a property is broken on purpose, and leaves nothing behind —
// no canary unit, session or env file, no throwaway server or socket — even when interrupted.
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "fleet_fixture.h"

namespace mosaic::integration {
namespace {

using testing::HasSubstr;

constexpr char kCanary[] = "mosaic-verify-canary";

class Verify : public FleetIntegration {
 protected:
  // Nothing of verify's is left: the fleet is exactly as before, and no other socket exists.
  void ExpectNothingLeftBehind(const std::map<std::string, long>& sessions_before,
                               long server_before) {
    EXPECT_EQ(sandbox_.Sessions(kSocket), sessions_before);
    EXPECT_EQ(sandbox_.ServerPid(kSocket), server_before);
    EXPECT_FALSE(sandbox_.Exists(sandbox_.EnvFile(kCanary))) << "the canary's env file";
    std::string unit = sandbox_.UnitActive(std::string("mosaic-agent@") + kCanary + ".service");
    EXPECT_TRUE(unit == "inactive" || unit == "unknown") << "the canary's unit is " << unit;
    for (const auto& entry :
         std::filesystem::directory_iterator(sandbox_.Env().at("TMUX_TMPDIR") + "/tmux-0")) {
      std::string name = entry.path().filename().string();
      EXPECT_TRUE(name == kSocket || name == "default") << "left behind: " << entry.path();
    }
  }
};

TEST_F(Verify, PassesOnAConvergedFleetAndLeavesNothingBehind) {
  Converge();
  auto sessions = sandbox_.Sessions(kSocket);
  long server = sandbox_.ServerPid(kSocket);
  RunResult r = sandbox_.Fleet({"verify"});
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  for (const char* check : {"holder-owns-server", "exact-targets", "restart-isolation",
                            "default-socket-unused", "unit-files"})
    EXPECT_THAT(r.out, testing::ContainsRegex(std::string("PASS ") + check)) << r.out;
  EXPECT_THAT(r.out, HasSubstr("All 5 checks passed."));
  ExpectNothingLeftBehind(sessions, server);
  EXPECT_TRUE(PlanIsEmpty());

  RunResult json = sandbox_.Fleet({"verify", "--json"});
  EXPECT_EQ(json.code, 0) << json.err;
  nlohmann::json result = nlohmann::json::parse(json.out);
  EXPECT_EQ(result["passed"], true);
  EXPECT_EQ(result["checks"].size(), 5u);
}

TEST_F(Verify, AServerStartedOutsideTheHolderFailsThatCheck) {
  WriteRoster(kRoster);
  // Someone started the fleet's server by hand: it lives in this test's cgroup, not the holder's.
  sandbox_.Tmux(kSocket, {"new-session", "-d", "-s", "scratch", "sleep 100000"});
  ASSERT_EQ(Apply().code, 0);
  auto sessions = sandbox_.Sessions(kSocket);
  long server = sandbox_.ServerPid(kSocket);
  RunResult r = sandbox_.Fleet({"verify"});
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  EXPECT_THAT(r.out, testing::ContainsRegex("FAIL holder-owns-server"));
  EXPECT_THAT(r.out, HasSubstr("kill-server"));
  // No canary is started into a server the holder does not own.
  EXPECT_THAT(r.out, testing::ContainsRegex("FAIL restart-isolation +.*\n +not run"));
  EXPECT_THAT(r.out, testing::ContainsRegex("PASS exact-targets"));
  EXPECT_THAT(r.out, HasSubstr("2 of 5 checks failed."));
  ExpectNothingLeftBehind(sessions, server);
}

TEST_F(Verify, ACanaryThatCannotBeCreatedFailsThatCheckAndLeavesNothing) {
  Converge();
  auto sessions = sandbox_.Sessions(kSocket);
  long server = sandbox_.ServerPid(kSocket);
  // A directory where the canary's env file would go: it cannot be written.
  std::filesystem::create_directories(sandbox_.EnvFile(kCanary));
  RunResult r = sandbox_.Fleet({"verify", "--json"});
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  nlohmann::json result = nlohmann::json::parse(r.out);
  for (const nlohmann::json& check : result["checks"])
    EXPECT_EQ(check["passed"], check["id"] != "restart-isolation") << check.dump();
  std::filesystem::remove(sandbox_.EnvFile(kCanary));
  ExpectNothingLeftBehind(sessions, server);
}

TEST_F(Verify, AnInterruptedVerifyStillRemovesItsCanary) {
  Converge();
  auto sessions = sandbox_.Sessions(kSocket);
  long server = sandbox_.ServerPid(kSocket);
  // The canary lives for a fraction of a second (all of verify takes about 0.15 s): its
  // unit's cgroup, a directory, is looked for every millisecond, where a tmux listing every
  // 20 ms missed it about one run in four.
  const std::string canary_cgroup = sandbox_.CgroupDirectories().back() +
                                    "/app.slice/app-mosaic\\x2dagent.slice/mosaic-agent@" +
                                    kCanary + ".service";
  pid_t verify = sandbox_.SpawnFleet({"verify"});
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!std::filesystem::exists(canary_cgroup) && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  ASSERT_TRUE(std::filesystem::exists(canary_cgroup)) << "the canary never started";
  ::kill(verify, SIGTERM);
  int code = Sandbox::Wait(verify);
  EXPECT_EQ(code, 128 + SIGTERM) << "the interrupt takes effect, after the cleanup";
  ExpectNothingLeftBehind(sessions, server);
}

}  // namespace
}  // namespace mosaic::integration
