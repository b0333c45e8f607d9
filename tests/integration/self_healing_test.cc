// Self-healing, end to end against a real `systemd --user` and real tmux: the faults a timer
// meets (a lost server, an agent that dies, a unit stopped by hand, a foreign session), the
// `reconcile:` timer itself, and what protects live work (persona holds, the destroy guard,
// `state: stopped`).
#include <signal.h>

#include <string>

#include "fleet_fixture.h"

namespace mosaic::integration {
namespace {

using testing::HasSubstr;
using testing::Not;

constexpr char kHolder[] = "mosaic-tmux-holder.service";

class SelfHealing : public FleetIntegration {
 protected:
  std::string Show(const std::string& unit, const std::string& property) {
    std::string out =
        sandbox_.Exec({"systemctl", "--user", "show", "-p", property, "--value", unit}).out;
    if (!out.empty() && out.back() == '\n') out.pop_back();
    return out;
  }
  RunResult Systemctl(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {"systemctl", "--user"};
    argv.insert(argv.end(), args.begin(), args.end());
    return sandbox_.Exec(argv);
  }
  // A drop-in of the test's own (not the tool's: it never touches these).
  void DropIn(const std::string& unit, const std::string& content) {
    sandbox_.WriteFile(sandbox_.Config() + "/systemd/user/" + unit + ".d/test.conf", content);
    ASSERT_EQ(Systemctl({"daemon-reload"}).code, 0);
  }
  bool InHolderCgroup(long pid) {
    return sandbox_.ReadFile("/proc/" + std::to_string(pid) + "/cgroup").find(kHolder) !=
           std::string::npos;
  }
};

TEST_F(SelfHealing, ALostServerIsBroughtBackBySystemdAloneInsideTheHolder) {
  Converge();
  long old_server = sandbox_.ServerPid(kSocket);
  ASSERT_GT(old_server, 0);
  sandbox_.Tmux(kSocket, {"kill-server"});
  ASSERT_TRUE(WaitFor(
      [&] {
        auto sessions = sandbox_.Sessions(kSocket);
        return sessions.count("a") && sessions.count("a0") && sandbox_.ServerPid(kSocket) > 0;
      },
      30))
      << "systemd restarts the holder (its server died) and the agents bound to it";
  long server = sandbox_.ServerPid(kSocket);
  EXPECT_NE(server, old_server);
  EXPECT_TRUE(InHolderCgroup(server)) << "only the holder starts the server";
  EXPECT_TRUE(WaitFor([&] { return PlanIsEmpty(); }, 15));
}

TEST_F(SelfHealing, AHolderThatRunsWithoutItsServerIsRestartedFirstByApply) {
  Converge();
  // The holder's main process cannot notice (it is stopped), so the unit stays active while
  // its server is gone: the case apply must heal itself.
  long holder = std::stol(Show(kHolder, "MainPID"));
  ASSERT_EQ(::kill(static_cast<pid_t>(holder), SIGSTOP), 0);
  sandbox_.Tmux(kSocket, {"kill-server"});
  ASSERT_TRUE(WaitFor([&] { return sandbox_.ServerPid(kSocket) == 0; }));
  EXPECT_EQ(sandbox_.UnitActive(kHolder), "active");
  RunResult plan = sandbox_.Fleet({"plan"});
  EXPECT_THAT(plan.out, HasSubstr("the holder runs but its tmux server is gone"));
  RunResult r = Apply();
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_THAT(r.err, HasSubstr("The fleet has converged"));
  auto sessions = sandbox_.Sessions(kSocket);
  EXPECT_TRUE(sessions.count("a") && sessions.count("a0"));
  EXPECT_TRUE(InHolderCgroup(sandbox_.ServerPid(kSocket)));
  EXPECT_NE(std::stol(Show(kHolder, "MainPID")), holder);
}

TEST_F(SelfHealing, AKilledKeepAliveSessionIsRecreatedWithoutStoppingTheServer) {
  Converge();
  long server = sandbox_.ServerPid(kSocket);
  auto before = sandbox_.Sessions(kSocket);
  sandbox_.Tmux(kSocket, {"kill-session", "-t", "=_holder"});
  ASSERT_TRUE(WaitFor([&] { return sandbox_.Sessions(kSocket).count("_holder") == 1; }));
  EXPECT_EQ(sandbox_.ServerPid(kSocket), server);
  auto after = sandbox_.Sessions(kSocket);
  EXPECT_EQ(after["a"], before["a"]);
  EXPECT_EQ(after["a0"], before["a0"]);
  EXPECT_EQ(sandbox_.UnitActive(kHolder), "active");
  EXPECT_TRUE(PlanIsEmpty());
}

TEST_F(SelfHealing, ALostServerIsBroughtBackByOneApplyWhenSystemdDoesNot) {
  DropIn(kHolder, "[Service]\nRestart=no\n");
  DropIn("mosaic-agent@.service", "[Service]\nRestart=no\n");
  Converge();
  sandbox_.Tmux(kSocket, {"kill-server"});
  ASSERT_TRUE(WaitFor([&] { return sandbox_.UnitActive(kHolder) == "failed"; }));
  RunResult r = Apply();
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("Changed outside mosaic-fleet"));
  EXPECT_THAT(r.err, HasSubstr("The fleet has converged"));
  auto sessions = sandbox_.Sessions(kSocket);
  EXPECT_TRUE(sessions.count("a") && sessions.count("a0"));
  EXPECT_TRUE(InHolderCgroup(sandbox_.ServerPid(kSocket)));
  EXPECT_TRUE(PlanIsEmpty());
}

TEST_F(SelfHealing, AnAgentThatExitsAtOnceIsReportedWithItsStatusAndOutput) {
  WriteRoster(
      "version: 1\ntmux: {socket_name: itest}\n"
      "runtimes: {broken: {command: 'echo \"bad flag --frobnicate\"; exit 3'}}\n"
      "agents:\n  - {name: a, runtime: broken}\n  - {name: a0, runtime: pi}\n");
  RunResult r = Apply();
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  EXPECT_THAT(r.err, HasSubstr("agent a died right after it started: its program exited with "
                               "status 3; its last lines:"));
  EXPECT_THAT(r.err, HasSubstr("| bad flag --frobnicate"));
  EXPECT_THAT(r.err, Not(HasSubstr("converged")));
  // The unit's own main process said why, and exited as the program did: systemd knows.
  EXPECT_EQ(Show("mosaic-agent@a.service", "ExecMainStatus"), "3");
  RunResult status = sandbox_.Fleet({"status"});
  EXPECT_NE(status.code, 0);
  EXPECT_THAT(status.out, HasSubstr("dead (exit 3)"));
}

TEST_F(SelfHealing, AnAgentNamedLikeAnotherSessionsWindowIsLookedAtExactly) {
  // tmux reads "=cat" in a window target as a window named cat, first in the most recently
  // used session (tmux names a window after the program it runs, or the user does): the
  // supervisor of the agent named cat must look at its own session, not at that window.
  WriteRoster(
      "version: 1\ntmux: {socket_name: itest}\n"
      "agents:\n  - {name: a, runtime: pi}\n  - {name: cat, runtime: pi, restart: never}\n");
  ASSERT_EQ(Apply().code, 0);
  ASSERT_EQ(
      sandbox_.Tmux(kSocket, {"new-session", "-d", "-s", "mine", "-n", "cat", "sleep 600"}).code,
      0);
  ::kill(static_cast<pid_t>(std::stol(PaneValue("cat", "#{pane_pid}"))), SIGKILL);
  ASSERT_TRUE(WaitFor([&] { return sandbox_.UnitActive("mosaic-agent@cat.service") != "active"; }));
  EXPECT_THAT(Show("mosaic-agent@cat.service", "StatusText"),
              HasSubstr("its program was killed by signal 9"))
      << "seen as its own program's end, not as a session killed by someone";
  EXPECT_EQ(PaneValue("cat", "#{pane_dead}"), "1");
  EXPECT_EQ(sandbox_.UnitActive("mosaic-agent@a.service"), "active");
  EXPECT_EQ(sandbox_.Sessions(kSocket).count("mine"), 1u);
}

TEST_F(SelfHealing, ACrashedAgentIsRestartedBySystemdAndACrashLoopStopsAtItsLimit) {
  DropIn("mosaic-agent@.service", "[Service]\nRestartSec=100ms\n");
  Converge();
  long pane = std::stol(PaneValue("a", "#{pane_pid}"));
  ::kill(static_cast<pid_t>(pane), SIGKILL);  // the agent's program crashes
  ASSERT_TRUE(WaitFor([&] {
    auto sessions = sandbox_.Sessions(kSocket);
    return sessions.count("a") && PaneValue("a", "#{pane_dead}") == "0" &&
           PaneValue("a", "#{pane_pid}") != std::to_string(pane);
  }));
  EXPECT_GE(std::stoi(Show("mosaic-agent@a.service", "NRestarts")), 1);

  // A program that always fails: systemd restarts it until its start limit, then gives up,
  // and plan says so instead of starting it again.
  WriteRoster(
      "version: 1\ntmux: {socket_name: itest}\nruntimes: {broken: {command: 'exit 1'}}\n"
      "agents:\n  - {name: a, runtime: broken}\n  - {name: a0, runtime: pi}\n");
  // (Whether apply sees it dead depends on when it looks: systemd restarts it every 100 ms.)
  (void)Apply({"--settle", "0"});
  // systemd restarts it until its start limit, then leaves it failed.
  ASSERT_TRUE(WaitFor(
      [&] {
        return sandbox_.UnitActive("mosaic-agent@a.service") == "failed" &&
               Show("mosaic-agent@a.service", "NRestarts") != "0";
      },
      30))
      << Systemctl({"status", "mosaic-agent@a.service"}).out
      << " pane: dead=" << PaneValue("a", "#{pane_dead} #{pane_start_command} #{@mosaic-runtime}");
  RunResult plan = sandbox_.Fleet({"plan"});
  EXPECT_THAT(plan.out, HasSubstr("crash-looping"));
  EXPECT_THAT(plan.out, Not(HasSubstr("agent.a ")));
}

TEST_F(SelfHealing, KillingASessionByHandFailsItsUnitAndStoppingOneIsNamedDrift) {
  DropIn("mosaic-agent@.service", "[Service]\nRestart=no\n");
  Converge();
  sandbox_.Tmux(kSocket, {"kill-session", "-t", "=a"});
  EXPECT_TRUE(WaitFor([&] { return sandbox_.UnitActive("mosaic-agent@a.service") == "failed"; }));
  ASSERT_EQ(Systemctl({"stop", "mosaic-agent@a0.service"}).code, 0);
  RunResult plan = sandbox_.Fleet({"plan", "--drift-only"});
  EXPECT_THAT(plan.out, HasSubstr("agent.a will be created: its unit failed"));
  EXPECT_THAT(plan.out, HasSubstr("agent.a0 will be created: its unit was stopped outside "
                                  "mosaic-fleet"));
  EXPECT_THAT(plan.out, Not(HasSubstr("new agent")));
  ASSERT_EQ(Apply().code, 0);
  EXPECT_TRUE(PlanIsEmpty());
}

TEST_F(SelfHealing, AForeignSessionHoldingAnAgentsNameIsAnErrorAndIsNeverTouched) {
  WriteRoster(kRoster);
  sandbox_.Tmux(kSocket, {"new-session", "-d", "-s", "a0", "sleep 100000"});
  long foreign = sandbox_.Sessions(kSocket)["a0"];
  RunResult plan = sandbox_.Fleet({"plan", "--detailed-exitcode"});
  EXPECT_EQ(plan.code, 1);
  EXPECT_THAT(plan.out, HasSubstr("was not created by mosaic-fleet, so agent a0 cannot start"));
  EXPECT_THAT(plan.out, HasSubstr("kill-session -t =a0"));
  EXPECT_EQ(Apply().code, 1);
  EXPECT_EQ(sandbox_.Sessions(kSocket)["a0"], foreign);
}

TEST_F(SelfHealing, TheReconcileTimerRepairsDriftAndLeavesLiveChangesPendingUnlessAllowed) {
  // systemd does not restart these agents itself: the timer's run must.
  DropIn("mosaic-agent@.service", "[Service]\nRestart=no\n");
  const std::string block = "reconcile: {interval: 1h}\n";
  Converge(std::string(kRoster) + block);
  EXPECT_EQ(sandbox_.UnitActive("mosaic-fleet-reconcile.timer"), "active");
  EXPECT_EQ(sandbox_.UnitEnabled("mosaic-fleet-reconcile.timer"), "enabled");
  ASSERT_EQ(Systemctl({"disable", "mosaic-agent@a.service"}).code, 0);
  sandbox_.Tmux(kSocket, {"kill-session", "-t", "=a0"});
  ASSERT_TRUE(WaitFor([&] { return sandbox_.UnitActive("mosaic-agent@a0.service") == "failed"; }));
  RunResult run = Systemctl({"start", "mosaic-fleet-reconcile.service"});
  EXPECT_EQ(run.code, 0) << run.err;
  EXPECT_EQ(sandbox_.UnitEnabled("mosaic-agent@a.service"), "enabled");
  EXPECT_EQ(sandbox_.UnitActive("mosaic-agent@a0.service"), "active");
  EXPECT_EQ(sandbox_.Sessions(kSocket).count("a0"), 1u) << "the killed session is back";
  EXPECT_TRUE(PlanIsEmpty());

  // A roster change that ends a live session waits for a person (the run exits 2)...
  long a = sandbox_.Sessions(kSocket)["a"];
  WriteRoster(std::string(kRoster).replace(std::string(kRoster).find("claude"), 6, "pi") + block);
  EXPECT_NE(Systemctl({"start", "mosaic-fleet-reconcile.service"}).code, 0);
  EXPECT_EQ(Show("mosaic-fleet-reconcile.service", "ExecMainStatus"), "2");
  EXPECT_EQ(sandbox_.Sessions(kSocket)["a"], a);
  // ... unless the roster allows it.
  WriteRoster(std::string(kRoster).replace(std::string(kRoster).find("claude"), 6, "pi") +
              "reconcile: {interval: 1h, allow_destroy: true}\n");
  EXPECT_EQ(Systemctl({"start", "mosaic-fleet-reconcile.service"}).code, 0);
  EXPECT_NE(sandbox_.Sessions(kSocket)["a"], a);

  // Removing the block removes both units.
  WriteRoster(std::string(kRoster).replace(std::string(kRoster).find("claude"), 6, "pi"));
  ASSERT_EQ(Apply().code, 0);
  EXPECT_FALSE(sandbox_.Exists(sandbox_.Config() + "/systemd/user/mosaic-fleet-reconcile.timer"));
  EXPECT_FALSE(sandbox_.Exists(sandbox_.Config() + "/systemd/user/mosaic-fleet-reconcile.service"));
  EXPECT_NE(sandbox_.UnitActive("mosaic-fleet-reconcile.timer"), "active");
  EXPECT_TRUE(PlanIsEmpty());
}

TEST_F(SelfHealing, APersistentPersonaIsReplacedOnlyWhenTheRunNamesIt) {
  Converge(
      "version: 1\ntmux: {socket_name: itest}\nagents:\n"
      "  - {name: a, runtime: claude, persistent_persona: true}\n  - {name: a0, runtime: pi}\n");
  long a = sandbox_.Sessions(kSocket)["a"];
  WriteRoster(
      "version: 1\ntmux: {socket_name: itest}\nagents:\n"
      "  - {name: a, runtime: claude, model_hint: other, persistent_persona: true}\n"
      "  - {name: a0, runtime: pi}\n");
  RunResult held = Apply();
  EXPECT_EQ(held.code, 2) << held.out << held.err;
  EXPECT_THAT(held.out, HasSubstr("HELD"));
  EXPECT_THAT(held.out, HasSubstr("--replace a"));
  EXPECT_EQ(sandbox_.Sessions(kSocket)["a"], a);
  RunResult released = Apply({"-replace", "a"});
  EXPECT_EQ(released.code, 0) << released.out << released.err;
  EXPECT_NE(sandbox_.Sessions(kSocket)["a"], a);
  EXPECT_TRUE(PlanIsEmpty());
}

TEST_F(SelfHealing, TheDestroyGuardStopsAWrongRoster) {
  Converge(std::string(kRoster) + "  - {name: b, runtime: pi}\n");
  const std::string wrong = sandbox_.root() + "/wrong.yaml";
  sandbox_.WriteFile(wrong,
                     "version: 1\ntmux: {socket_name: itest}\nagents:\n"
                     "  - {name: a, runtime: claude}\n");
  RunResult r = sandbox_.Fleet({"apply", "--yes", "--roster", wrong});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("destroy 2 of the 3 running agents"));
  EXPECT_THAT(r.err, HasSubstr(wrong));
  EXPECT_EQ(sandbox_.Sessions(kSocket).size(), 4u) << "nothing was destroyed";
}

TEST_F(SelfHealing, AStoppedAgentStaysStoppedThroughDriftCorrection) {
  Converge();
  long a0 = sandbox_.Sessions(kSocket)["a0"];
  WriteRoster(
      "version: 1\ntmux: {socket_name: itest}\nagents:\n  - {name: a, runtime: claude, state: "
      "stopped}\n  - {name: a0, runtime: pi}\n");
  ASSERT_EQ(Apply().code, 0);
  EXPECT_EQ(sandbox_.Sessions(kSocket).count("a"), 0u);
  EXPECT_EQ(sandbox_.Sessions(kSocket)["a0"], a0) << "exactly its session";
  EXPECT_EQ(sandbox_.UnitEnabled("mosaic-agent@a.service"), "disabled");
  RunResult unattended = Apply({"--unattended"});
  EXPECT_EQ(unattended.code, 0) << unattended.out << unattended.err;
  EXPECT_NE(sandbox_.UnitActive("mosaic-agent@a.service"), "active");
  EXPECT_EQ(sandbox_.Sessions(kSocket).count("a"), 0u);
}

TEST_F(SelfHealing, AnUnattendedRunUnderSystemdWritesStructuredJournalEntries) {
  if (!sandbox_.Exists("/run/systemd/journal/socket"))
    GTEST_SKIP() << "no journald on this machine (/run/systemd/journal/socket): the journal "
                    "entries of unattended runs cannot be read back here";
  Converge();
  RunResult r = sandbox_.Fleet({"apply", "--yes", "--unattended"}, {}, {{"JOURNAL_STREAM", "0:0"}});
  EXPECT_EQ(r.code, 0);
  RunResult journal = sandbox_.Exec({"journalctl", "-o", "cat", "MOSAIC_FLEET_RESULT=converged",
                                     "MOSAIC_FLEET_ROSTER=" + sandbox_.RosterPath()});
  EXPECT_THAT(journal.out, HasSubstr("converged"));
}

}  // namespace
}  // namespace mosaic::integration
