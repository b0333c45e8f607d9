// A socket move end to end (the roster's tmux.socket_name changes), against a real systemd
// user manager and real tmux: one apply moves the fleet, sessions the tool did not create on
// the old socket are never touched, and an apply killed anywhere in the move is finished by
// the next.
#include <signal.h>

#include <string>

#include "fleet_fixture.h"

namespace mosaic::integration {
namespace {

using testing::HasSubstr;
using testing::Not;

std::string RosterOn(const std::string& socket) {
  return "version: 1\ntmux: {socket_name: " + socket +
         "}\nagents:\n  - {name: a, runtime: claude}\n  - {name: a0, runtime: pi}\n";
}

class SocketMove : public FleetIntegration {
 protected:
  // The cgroup (v2 path, or v1's name=systemd) that tmux server of `socket` runs in.
  std::string ServerCgroup(const std::string& socket) {
    long pid = sandbox_.ServerPid(socket);
    if (pid == 0) return "(no server)";
    return sandbox_.ReadFile("/proc/" + std::to_string(pid) + "/cgroup");
  }

  std::string Record() {
    std::string path = sandbox_.Config() + "/mosaic/fleet/run/previous-sockets";
    return sandbox_.Exists(path) ? sandbox_.ReadFile(path) : "";
  }
};

TEST_F(SocketMove, OneApplyMovesTheFleetAndLeavesSessionsItDidNotCreateOnTheOldSocket) {
  Converge();
  // "mine" also leaves a daemon behind (no child of the server, still in the holder's cgroup).
  const std::string daemon = sandbox_.root() + "/daemon.pid";
  ASSERT_EQ(sandbox_
                .Tmux(kSocket, {"new-session", "-d", "-s", "mine", "sh", "-c",
                                "(setsid sh -c 'echo $$ > " + daemon +
                                    "; exec sleep 1001' &); exec sleep 1000"})
                .code,
            0);
  ASSERT_TRUE(WaitFor([&] { return sandbox_.Exists(daemon); }));
  const pid_t daemon_pid = std::stoi(sandbox_.ReadFile(daemon));
  const long mine = sandbox_.Sessions(kSocket).at("mine");
  const std::string user_line = "KEEP_ME=1\n";
  sandbox_.WriteFile(sandbox_.EnvFile("a"), sandbox_.ReadFile(sandbox_.EnvFile("a")) + user_line);

  WriteRoster(RosterOn("moved"));
  RunResult plan = sandbox_.Fleet({"plan"});
  ASSERT_EQ(plan.code, 0) << plan.err;
  EXPECT_THAT(plan.out, HasSubstr("-/+ agent.a"));
  EXPECT_THAT(plan.out, HasSubstr("moves with the fleet from -L itest to -L moved"));
  EXPECT_THAT(plan.out, HasSubstr("~ previous_socket.itest"));
  RunResult apply = Apply();
  ASSERT_EQ(apply.code, 0) << apply.out << apply.err;

  // The agents and the holder's server are on the new socket, the server in the holder.
  std::map<std::string, long> moved = sandbox_.Sessions("moved");
  EXPECT_TRUE(moved.contains("a") && moved.contains("a0") && moved.contains("_holder"));
  EXPECT_THAT(ServerCgroup("moved"), HasSubstr("/mosaic-tmux-holder.service"));
  EXPECT_EQ(sandbox_.UnitActive("mosaic-agent@a.service"), "active");
  // The old socket keeps exactly what the tool did not make, untouched, out of the holder.
  std::map<std::string, long> old = sandbox_.Sessions(kSocket);
  EXPECT_EQ(old.count("a") + old.count("a0"), 0u);
  ASSERT_TRUE(old.contains("mine"));
  EXPECT_EQ(old.at("mine"), mine);
  EXPECT_THAT(ServerCgroup(kSocket), HasSubstr("/mosaic-tmux-previous-itest.scope"));
  EXPECT_EQ(::kill(daemon_pid, 0), 0) << "the daemon a foreign session left was killed";
  EXPECT_THAT(Record(), HasSubstr("\nitest\n"));
  EXPECT_THAT(sandbox_.ReadFile(sandbox_.EnvFile("a")), HasSubstr(user_line));
  EXPECT_THAT(sandbox_.ReadFile(sandbox_.EnvFile("a")), HasSubstr("MOSAIC_TMUX_SOCKET=\"moved\""));
  RunResult again = sandbox_.Fleet({"plan", "--detailed-exitcode"});
  EXPECT_EQ(again.code, 0) << again.out << again.err;
  EXPECT_THAT(again.out, HasSubstr("(mine)"));

  // Restarting the holder now ends nothing on the old socket.
  ASSERT_EQ(sandbox_.Exec({"systemctl", "--user", "restart", "mosaic-tmux-holder.service"}).code,
            0);
  EXPECT_EQ(sandbox_.Sessions(kSocket).at("mine"), mine);
  EXPECT_EQ(::kill(daemon_pid, 0), 0);
  ASSERT_EQ(Apply().code, 0);
  ::kill(daemon_pid, SIGKILL);

  // Once "mine" ends, the next apply ends the old server and forgets the socket.
  ASSERT_EQ(sandbox_.Tmux(kSocket, {"kill-session", "-t", "=mine"}).code, 0);
  RunResult retire = sandbox_.Fleet({"plan"});
  EXPECT_THAT(retire.out, HasSubstr("- previous_socket.itest"));
  ASSERT_EQ(Apply().code, 0);
  // kill-server returns before the server has exited, and the scope stops once it is empty.
  EXPECT_TRUE(WaitFor([&] { return sandbox_.ServerPid(kSocket) == 0; }));
  EXPECT_EQ(Record(), "");
  EXPECT_TRUE(PlanIsEmpty());
  EXPECT_TRUE(WaitFor(
      [&] { return sandbox_.UnitActive("mosaic-tmux-previous-itest.scope") == "inactive"; }));
}

TEST_F(SocketMove, AHolderServingASocketNothingOnDiskNamesIsMovedWithoutEndingIt) {
  // As an earlier version's apply (or a deleted fleet/run/) leaves it: the holder's unit file
  // already names the new socket, no record names the old one, and the holder still serves
  // it, with a session someone made there.
  Converge();
  ASSERT_EQ(sandbox_.Tmux(kSocket, {"new-session", "-d", "-s", "mine", "sleep", "1000"}).code, 0);
  const long mine = sandbox_.Sessions(kSocket).at("mine");
  WriteRoster(RosterOn("moved"));
  const std::string unit = sandbox_.Config() + "/systemd/user/mosaic-tmux-holder.service";
  std::string text = sandbox_.ReadFile(unit);
  for (size_t at = text.find("itest"); at != std::string::npos; at = text.find("itest", at))
    text.replace(at, 5, "moved");
  sandbox_.WriteFile(unit, text);
  ASSERT_EQ(sandbox_.Exec({"systemctl", "--user", "daemon-reload"}).code, 0);
  RunResult apply = Apply();
  ASSERT_EQ(apply.code, 0) << apply.out << apply.err;
  EXPECT_THAT(apply.out, HasSubstr("moves with the fleet from -L itest to -L moved"));
  EXPECT_EQ(sandbox_.Sessions(kSocket).at("mine"), mine);
  EXPECT_TRUE(sandbox_.Sessions("moved").contains("a"));
  EXPECT_THAT(Record(), HasSubstr("\nitest\n"));
  EXPECT_TRUE(PlanIsEmpty());
}

TEST_F(SocketMove, AnApplyKilledAnywhereInAMoveIsFinishedByTheNext) {
  Converge();
  ASSERT_EQ(sandbox_.Tmux(kSocket, {"new-session", "-d", "-s", "mine", "sleep", "1000"}).code, 0);
  const long mine = sandbox_.Sessions(kSocket).at("mine");
  std::string socket = kSocket;
  int round = 0;
  for (int delay_ms : {0, 40, 120, 250, 400, 700, 1000, 1500}) {
    std::string next = "moved" + std::to_string(round++);
    WriteRoster(RosterOn(next));
    RunResult r = KillApplyThenApply(delay_ms);
    ASSERT_EQ(r.code, 0) << "after a kill at " << delay_ms << " ms: " << r.out << r.err;
    EXPECT_TRUE(PlanIsEmpty()) << "after a kill at " << delay_ms << " ms";
    std::map<std::string, long> sessions = sandbox_.Sessions(next);
    EXPECT_TRUE(sessions.contains("a") && sessions.contains("a0")) << delay_ms;
    EXPECT_THAT(ServerCgroup(next), HasSubstr("/mosaic-tmux-holder.service")) << delay_ms;
    // Every socket left before is gone and forgotten; the first stays (and stays recorded)
    // for "mine", untouched.
    if (socket != kSocket) {
      EXPECT_TRUE(WaitFor([&] { return sandbox_.ServerPid(socket) == 0; })) << delay_ms;
      EXPECT_THAT(Record(), Not(HasSubstr("\n" + socket + "\n"))) << delay_ms;
    }
    EXPECT_THAT(Record(), HasSubstr("\nitest\n")) << delay_ms;
    EXPECT_EQ(sandbox_.Sessions(kSocket).at("mine"), mine) << delay_ms;
    socket = next;
  }
}

}  // namespace
}  // namespace mosaic::integration
