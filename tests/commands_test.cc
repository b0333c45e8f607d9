// plan, apply and status end to end — exit codes and output — against the in-memory
// FakeSystem, in which the units really run what the tool's units run. (The same paths
// against real systemd and tmux are tests/integration/.)
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "cli.h"
#include "exit_codes.h"
#include "fake_system.h"
#include "fleet_context.h"
#include "fleet_paths.h"
#include "plan_json.h"
#include "step_executor.h"
#include "tmux.h"

namespace mosaic {
namespace {

using testing::ElementsAre;
using testing::ElementsAreArray;
using testing::HasSubstr;
using testing::Not;

constexpr char kRoster[] =
    "version: 1\n"
    "tmux: {socket_name: fleet}\n"
    "agents:\n"
    "  - {name: a, runtime: claude}\n"
    "  - {name: a0, runtime: pi}\n";

struct Outcome {
  int code;
  std::string out;
  std::string err;
};

class Commands : public testing::Test {
 protected:
  Commands() { system_.fs.Put(system_.RosterPath(), kRoster); }

  Outcome Fleet(const std::vector<std::string>& args) { return FleetOn(system_, args); }
  static Outcome FleetOn(FakeSystem& system, const std::vector<std::string>& args) {
    std::ostringstream out, err;
    Io io{out, err};
    int code = RunCli("mosaic-fleet", args, system, io);
    return {code, out.str(), err.str()};
  }

  FakeSystem system_;
};

TEST_F(Commands, ApplyFromNothingConvergesAndThenThereIsNothingToDo) {
  Outcome apply = Fleet({"apply", "--yes"});
  ASSERT_EQ(apply.code, 0) << apply.out << apply.err;
  EXPECT_THAT(apply.err, HasSubstr("The fleet has converged"));
  EXPECT_TRUE(system_.tmux.running);
  EXPECT_THAT(system_.tmux.sessions, testing::SizeIs(3));  // the holder, a, a0
  EXPECT_EQ(system_.tmux.sessions.at("a").options.at("@mosaic-owner"), "mosaic-fleet");
  Outcome plan = Fleet({"plan", "--detailed-exitcode"});
  EXPECT_EQ(plan.code, 0) << plan.out << plan.err;
  EXPECT_THAT(plan.out, HasSubstr("No changes. The fleet matches the roster."));
  Outcome again = Fleet({"apply", "--yes"});
  EXPECT_EQ(again.code, 0);
  EXPECT_THAT(again.out, HasSubstr("No changes."));
}

// What the real executors did, in the fake world: one entry per step, in order.
std::vector<std::string> Effects(const FakeSystem& system) {
  std::vector<std::string> effects;
  for (const std::string& path : system.fs.writes)
    if (path.find(".wants/") == std::string::npos) effects.push_back("write " + path);
  for (const std::string& entry : system.manager.log)
    if (!entry.starts_with("attach")) effects.push_back(entry);
  return effects;
}

// What a step would do to the fake world, one entry per unit or file.
std::vector<std::string> ExpectedEffects(const std::vector<Step>& steps) {
  std::vector<std::string> writes, jobs;
  for (const Step& s : steps) {
    switch (s.kind) {
      case StepKind::kWriteFile:
      case StepKind::kMergeEnvFile:
        writes.push_back("write " + s.path);
        break;
      case StepKind::kDaemonReload:
        jobs.push_back("reload");
        break;
      case StepKind::kEnableUnits:
        jobs.push_back(fmt::format("enable {}", fmt::join(s.names, " ")));
        break;
      case StepKind::kStartUnits:
      case StepKind::kRestartUnits:
        jobs.push_back(fmt::format("reset-failed {}", fmt::join(s.names, " ")));
        [[fallthrough]];
      case StepKind::kStopUnits:
        for (const std::string& unit : s.names)
          jobs.push_back(fmt::format("{} {}", StepName(s.kind), unit));
        break;
      default:
        jobs.push_back(DescribeStep(s));
    }
  }
  writes.insert(writes.end(), jobs.begin(), jobs.end());
  return writes;
}

TEST_F(Commands, ADryRunShowsExactlyTheStepsTheRealRunCarriesOut) {
  Outcome plan = Fleet({"plan", "--json"});
  ASSERT_EQ(plan.code, 0) << plan.err;
  std::vector<Step> steps = PlanFromJson(nlohmann::json::parse(plan.out)).value().steps;
  ASSERT_FALSE(steps.empty());

  Outcome dry = Fleet({"apply"});
  EXPECT_EQ(dry.code, 0) << dry.err;
  EXPECT_THAT(dry.err, HasSubstr("dry run: nothing was changed"));
  std::vector<std::string> shown;
  std::stringstream lines(dry.err);
  for (std::string line; std::getline(lines, line);)
    if (line.starts_with("  - would ")) shown.push_back(line.substr(10));
  std::vector<std::string> described;
  for (const Step& s : steps) described.push_back(DescribeStep(s));
  EXPECT_THAT(shown, ElementsAreArray(described));
  EXPECT_TRUE(system_.fs.writes.empty()) << "a dry run writes nothing";
  EXPECT_TRUE(system_.manager.log.empty()) << "a dry run asks systemd for nothing";

  Outcome real = Fleet({"apply", "--yes"});
  ASSERT_EQ(real.code, 0) << real.err;
  EXPECT_THAT(Effects(system_), ElementsAreArray(ExpectedEffects(steps)));
}

TEST_F(Commands, StatusTellsAHealthyFleetFromAnIllOne) {
  Outcome before = Fleet({"status"});
  EXPECT_EQ(before.code, kExitUnhealthy) << "nothing runs yet";
  ASSERT_EQ(Fleet({"apply", "--yes"}).code, 0);
  Outcome table = Fleet({"status"});
  EXPECT_EQ(table.code, 0) << table.out << table.err;
  EXPECT_THAT(table.out, HasSubstr("fleet on tmux -L fleet"));
  EXPECT_THAT(table.out, testing::ContainsRegex("\na0 +active +enabled +running"));
  Outcome json = Fleet({"status", "--json"});
  EXPECT_EQ(nlohmann::json::parse(json.out)["rows"].size(), 3u);
  system_.tmux.sessions.at("a0").dead = true;
  EXPECT_THAT(Fleet({"status"}).out, testing::ContainsRegex("\na0 +active +enabled +dead "));
  system_.tmux.sessions.at("a0").dead_signal = 9;
  EXPECT_THAT(Fleet({"status"}).out, HasSubstr("dead (signal 9)"));
  system_.tmux.sessions.at("a0").dead_status = 2;
  Outcome dead = Fleet({"status"});
  EXPECT_EQ(dead.code, kExitUnhealthy);
  EXPECT_THAT(dead.out, HasSubstr("dead (exit 2)"));
}

TEST_F(Commands, ATargetedApplyTouchesOnlyItsTarget) {
  Outcome r = Fleet({"apply", "--yes", "--target", "a"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(system_.tmux.sessions.contains("a"));
  EXPECT_FALSE(system_.tmux.sessions.contains("a0"));
  EXPECT_THAT(r.err, HasSubstr("--target limits this plan to a"));
}

TEST_F(Commands, TerraformsSingleDashSpellingsWorkAsItsUsersTypeThem) {
  Outcome plan = Fleet({"plan", "-target=a", "-detailed-exitcode"});
  EXPECT_EQ(plan.code, kExitChanges) << plan.err;
  EXPECT_THAT(plan.err, HasSubstr("--target limits this plan to a"));
  Outcome apply = Fleet({"apply", "-target", "a", "-auto-approve"});
  ASSERT_EQ(apply.code, 0) << apply.err;
  EXPECT_TRUE(system_.tmux.sessions.contains("a")) << "-auto-approve is --yes";
  EXPECT_FALSE(system_.tmux.sessions.contains("a0"));
  Outcome json = Fleet({"plan", "-json"});
  EXPECT_THAT(json.out, HasSubstr("\"format_version\""));
}

TEST_F(Commands, StopStartAndRestartTakeNamesOrAllButNotBoth) {
  for (auto args : std::vector<std::vector<std::string>>{{"stop"}, {"start", "a", "--all"}}) {
    Outcome r = Fleet(args);
    EXPECT_EQ(r.code, 1) << args[0];
    EXPECT_THAT(r.err, HasSubstr("name the agents, or say --all"));
  }
  EXPECT_FALSE(system_.tmux.running) << "nothing was done";
  Outcome all = Fleet({"start", "--all"});
  ASSERT_EQ(all.code, 0) << all.err;
  EXPECT_TRUE(system_.tmux.sessions.contains("a"));
  EXPECT_TRUE(system_.tmux.sessions.contains("a0"));
}

TEST_F(Commands, EachTargetFlagTakesOneNameAndTheHelpSaysSo) {
  Outcome apply = Fleet({"apply", "--yes", "--target", "a", "--target", "a0"});
  ASSERT_EQ(apply.code, 0) << apply.err;
  EXPECT_TRUE(system_.tmux.sessions.contains("a"));
  EXPECT_TRUE(system_.tmux.sessions.contains("a0"));
  for (std::string command : {"plan", "apply"}) {
    Outcome help = Fleet({command, "--help"});
    EXPECT_THAT(help.out, HasSubstr("--target NAME "));
    EXPECT_THAT(help.out, HasSubstr("--replace NAME "));
    EXPECT_THAT(help.out, testing::Not(HasSubstr("NAME ...")));
  }
}

TEST_F(Commands, AnEnvFileThatCannotBeRewrittenSafelyStopsTheWholeApply) {
  ASSERT_EQ(Fleet({"apply", "--yes"}).code, 0);
  const std::string env = "/home/op/.config/mosaic/fleet/agents/a.env";
  std::string text = system_.fs.files().at(env);
  text.replace(text.find("MOSAIC_AGENT_RUNTIME=\"claude\""), 29, "MOSAIC_AGENT_RUNTIME=\"pi");
  system_.fs.Put(env, text + "SECRET=hunter2\n");
  size_t writes = system_.fs.writes.size();
  Outcome r = Fleet({"apply", "--yes"});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.out, HasSubstr(env + ":"));
  EXPECT_THAT(r.err, HasSubstr("nothing was changed"));
  EXPECT_THAT(r.out + r.err, Not(HasSubstr("hunter2")));
  EXPECT_EQ(system_.fs.writes.size(), writes);
}

TEST_F(Commands, WithoutAUserManagerFleetCommandsSaySoAndValidateStillWorks) {
  system_.manager_reachable = false;
  for (std::vector<std::string> args :
       {std::vector<std::string>{"plan"}, {"apply", "--yes"}, {"status"}}) {
    Outcome r = Fleet(args);
    EXPECT_EQ(r.code, 1) << args[0];
    EXPECT_THAT(r.err, HasSubstr("no systemd user manager is reachable")) << args[0];
  }
  EXPECT_TRUE(system_.fs.writes.empty());
  EXPECT_EQ(Fleet({"validate"}).code, 0);
}

// Removing `a0` from the roster ends a0's session and unit, and nothing of `a` (whose name
// is a prefix of it) or the holder's server.
TEST_F(Commands, AnAgentLeftOutOfTheRosterIsRemovedAndItsPrefixSiblingIsNot) {
  ASSERT_EQ(Fleet({"apply", "--yes"}).code, 0);
  int64_t server = system_.tmux.server_pid;
  system_.fs.Put(
      system_.RosterPath(),
      "version: 1\ntmux: {socket_name: fleet}\nagents:\n  - {name: a, runtime: claude}\n");
  Outcome r = Fleet({"apply", "--yes"});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("- agent.a0"));
  EXPECT_FALSE(system_.tmux.sessions.contains("a0"));
  EXPECT_TRUE(system_.tmux.sessions.contains("a"));
  EXPECT_EQ(system_.tmux.server_pid, server);
  EXPECT_EQ(Fleet({"plan", "--detailed-exitcode"}).code, 0);
}

// Units declared by the roster converge like any other resource: a per-agent restart policy is
// a drop-in, the `reconcile:` block a service and an enabled, running timer; each is rewritten
// (and reloaded) when the roster changes, and removed when the roster stops asking for it.
TEST_F(Commands, RosterDeclaredUnitsAppearChangeAndGoWithTheRoster) {
  const std::string unit_dir = system_.environment().home + "/.config/systemd/user";
  const std::string drop_in = unit_dir + "/mosaic-agent@a.service.d/mosaic-restart.conf";
  const std::string timer = unit_dir + "/mosaic-fleet-reconcile.timer";
  auto roster = [&](const std::string& restart, const std::string& reconcile) {
    system_.fs.Put(system_.RosterPath(), "version: 1\ntmux: {socket_name: fleet}\n" + reconcile +
                                             "agents:\n  - {name: a, runtime: claude" + restart +
                                             "}\n");
  };
  roster(", restart: always", "reconcile: {interval: 5min}\n");
  Outcome first = Fleet({"apply", "--yes"});
  ASSERT_EQ(first.code, 0) << first.out << first.err;
  ASSERT_TRUE(system_.fs.ReadFile(drop_in, 4096).ok());
  EXPECT_THAT(system_.fs.ReadFile(drop_in, 4096).value(), HasSubstr("Restart=always"));
  EXPECT_THAT(system_.fs.ReadFile(timer, 4096).value(), HasSubstr("OnUnitInactiveSec=5min"));
  EXPECT_THAT(system_.fs.ReadFile(unit_dir + "/mosaic-fleet-reconcile.service", 4096).value(),
              HasSubstr("apply --yes --unattended --binary /usr/bin/mosaic-fleet --host here "
                        "--lock-timeout 600 --roster " +
                        system_.RosterPath()));
  EXPECT_TRUE(
      system_.fs.files().contains(unit_dir + "/timers.target.wants/mosaic-fleet-reconcile.timer"));
  EXPECT_EQ(system_.manager.units.at("mosaic-fleet-reconcile.timer").active_state, "active");
  EXPECT_EQ(Fleet({"plan", "--detailed-exitcode"}).code, 0) << Fleet({"plan"}).out;

  roster(", restart: never", "reconcile: {interval: 1h}\n");
  Outcome changed = Fleet({"apply", "--yes"});
  ASSERT_EQ(changed.code, 0) << changed.out << changed.err;
  EXPECT_THAT(system_.fs.ReadFile(drop_in, 4096).value(), HasSubstr("Restart=no"));
  EXPECT_THAT(system_.fs.ReadFile(timer, 4096).value(), HasSubstr("OnUnitInactiveSec=1h"));
  EXPECT_EQ(Fleet({"plan", "--detailed-exitcode"}).code, 0);

  roster("", "");
  Outcome removed = Fleet({"apply", "--yes"});
  ASSERT_EQ(removed.code, 0) << removed.out << removed.err;
  EXPECT_FALSE(system_.fs.files().contains(drop_in));
  EXPECT_FALSE(system_.fs.files().contains(timer));
  EXPECT_FALSE(
      system_.fs.files().contains(unit_dir + "/timers.target.wants/mosaic-fleet-reconcile.timer"));
  EXPECT_NE(system_.manager.units.at("mosaic-fleet-reconcile.timer").active_state, "active");
  EXPECT_TRUE(system_.tmux.sessions.contains("a"));
  Outcome after = Fleet({"plan", "--detailed-exitcode"});
  EXPECT_EQ(after.code, 0) << after.out;
}

// `plan --out FILE` then `apply FILE`: the saved plan runs only while it is still what the
// roster and the world produce; each way it can stop being so is named, and nothing changes.
TEST_F(Commands, ASavedPlanRunsOnlyWhileItIsWhatTheRosterAndTheFleetProduce) {
  const std::string saved = "/home/op/fleet.plan";
  ASSERT_EQ(Fleet({"plan", "--out", saved}).code, 0);
  std::string text = system_.fs.files().at(saved);

  auto refused = [&](const std::string& why) {
    size_t writes = system_.fs.writes.size();
    Outcome r = Fleet({"apply", saved, "--yes"});
    EXPECT_EQ(r.code, 1) << why;
    EXPECT_EQ(system_.fs.writes.size(), writes) << why;
    return r.err;
  };
  nlohmann::json edited = nlohmann::json::parse(text);
  edited["socket"] = "other";
  system_.fs.Put(saved, edited.dump());
  EXPECT_THAT(refused("socket"),
              HasSubstr("names tmux socket other, but the roster's socket is fleet"));

  system_.fs.Put(saved, text);
  system_.fs.Put(system_.RosterPath(), std::string(kRoster) + "  - {name: b, runtime: pi}\n");
  EXPECT_THAT(refused("roster"), HasSubstr("changed since this plan was made"));

  system_.fs.Put(system_.RosterPath(), kRoster);
  Outcome applied = Fleet({"apply", saved, "--yes"});
  ASSERT_EQ(applied.code, 0) << applied.err;
  EXPECT_THAT(applied.err, HasSubstr("The fleet has converged"));
  EXPECT_THAT(refused("world"), HasSubstr("the fleet changed since this plan was made"));
}

// Adopting a session made by hand can be planned, saved, and applied as saved.
TEST_F(Commands, ASavedPlanThatAdoptsASessionRuns) {
  ASSERT_EQ(Fleet({"apply", "--yes"}).code, 0);
  system_.tmux.sessions["b"].pane_pid = 555;  // made by hand: no record of the tool's
  system_.fs.Put(system_.RosterPath(), std::string(kRoster) + "  - {name: b, runtime: pi}\n");
  const std::string saved = "/home/op/adopt.plan";
  Outcome plan = Fleet({"plan", "--replace", "b", "--out", saved});
  ASSERT_EQ(plan.code, 0) << plan.err;
  ASSERT_THAT(system_.fs.files().at(saved), HasSubstr("\"adopt-sessions\""));
  Outcome applied = Fleet({"apply", saved, "--yes"});
  EXPECT_EQ(applied.code, 0) << applied.err;
  EXPECT_NE(system_.tmux.sessions.at("b").pane_pid, 555) << "agent b runs in its place";
  EXPECT_EQ(Fleet({"plan", "--detailed-exitcode"}).code, 0);
}

// JSON carries only UTF-8: a hand-edited unit file's Latin-1 byte is saved as U+FFFD in the
// plan's diff, and the saved plan still runs (it is compared as it reads back).
TEST_F(Commands, ASavedPlanShowingBytesThatAreNotUtf8StillRuns) {
  ASSERT_EQ(Fleet({"apply", "--yes"}).code, 0);
  const std::string holder = system_.UnitDir() + "/mosaic-tmux-holder.service";
  system_.fs.Put(holder, system_.fs.files().at(holder) + "Description=caf\xe9\n");
  const std::string saved = "/home/op/fleet.plan";
  ASSERT_EQ(Fleet({"plan", "--out", saved}).code, 0);
  EXPECT_THAT(system_.fs.files().at(saved), HasSubstr("Description=caf\uFFFD"));
  Outcome applied = Fleet({"apply", saved, "--yes"});
  EXPECT_EQ(applied.code, 0) << applied.err;
  EXPECT_THAT(system_.fs.files().at(holder), Not(HasSubstr("caf\xe9")));
}

// A command that needs only the fleet's tmux server (sending to an agent, say) must work
// when the manager is gone or loads its units from elsewhere; it says where it looked.
TEST_F(Commands, TheTmuxSocketIsReachableWithoutAUsableManager) {
  ASSERT_EQ(Fleet({"apply", "--yes"}).code, 0);
  std::ostringstream out, err;
  Io io{out, err};

  system_.manager.unit_path = {"/elsewhere/systemd/user"};
  std::optional<FleetContext> elsewhere = FleetContext::Load(system_, {}, io);
  ASSERT_TRUE(elsewhere);
  ASSERT_TRUE(elsewhere->tmux().ok()) << elsewhere->tmux().status().message();
  EXPECT_TRUE(elsewhere->tmux().value()->ListSessions().value().sessions.contains("a"));
  EXPECT_THAT(elsewhere->systemd().status().message(), HasSubstr("does not load units from"));

  system_.manager_reachable = false;
  std::optional<FleetContext> gone = FleetContext::Load(system_, {}, io);
  ASSERT_TRUE(gone);
  ASSERT_TRUE(gone->tmux().ok()) << gone->tmux().status().message();
  EXPECT_TRUE(gone->tmux().value()->ListSessions().value().sessions.contains("a"));
  EXPECT_THAT(gone->note(), HasSubstr("the user manager did not answer"));
}

TEST_F(Commands, AWedgedTmuxServerIsAnErrorNotAHang) {
  ASSERT_EQ(Fleet({"apply", "--yes"}).code, 0);
  system_.tmux.wedged = true;
  Outcome r = Fleet({"plan"});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("did not answer within 10 s"));
}

TEST_F(Commands, AnotherApplyHoldingTheLockIsNamedAndNothingChanges) {
  system_.lock_held = true;
  Outcome r = Fleet({"apply", "--yes"});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("another mosaic-fleet apply is running"));
  EXPECT_TRUE(system_.fs.writes.empty());
}

TEST_F(Commands, SessionExecBecomesTheAgentsProgramInItsDirectoryWithItsEnvironment) {
  ASSERT_EQ(Fleet({"apply", "--yes"}).code, 0);
  Outcome r =
      Fleet({"session", "exec", "--env-file", "/home/op/.config/mosaic/fleet/agents/a.env"});
  EXPECT_EQ(r.code, 1) << "the fake stops at exec";
  ASSERT_EQ(system_.execs.size(), 1u);
  const FakeSystem::ExecCall& exec = system_.execs[0];
  // Plain words: run as the shell would run them, without one.
  EXPECT_THAT(exec.argv, ElementsAreArray({"mosaic", "yolo", "claude"}));
  EXPECT_EQ(exec.directory, "/home/op");
  EXPECT_EQ(exec.set.at("MOSAIC_AGENT_NAME"), "a");
  EXPECT_THAT(system_.manager.log, testing::Contains("attach mosaic-agent@a.service 4242"));
  // Beside its env file, whatever MOSAIC_HOME the pane's tmux server has (the holder's).
  EXPECT_EQ(exec.set.at("MOSAIC_HEARTBEAT_FILE"), "/home/op/.config/mosaic/fleet/run/a.hb");
  EXPECT_TRUE(system_.fs.IsDirectory("/home/op/.config/mosaic/fleet/run"));
}

TEST_F(Commands, SessionExecLeavesToTheShellACommandLineOnlyAShellCanRun) {
  ASSERT_EQ(Fleet({"apply", "--yes"}).code, 0);
  const std::string env = "/home/op/.config/mosaic/fleet/agents/a.env";
  const std::string command = "cd /srv && exec claude --model \"$MODEL\"";
  ASSERT_TRUE(
      system_.fs
          .WriteFileAtomic(
              env, system_.fs.files().at(env) + "MOSAIC_AGENT_COMMAND='" + command + "'\n", 0600)
          .ok());
  EXPECT_EQ(Fleet({"session", "exec", "--env-file", env}).code, 1) << "the fake stops at exec";
  ASSERT_EQ(system_.execs.size(), 1u);
  EXPECT_EQ(system_.execs[0].argv, (std::vector<std::string>{"/bin/sh", "-c", "--", command}));
}

TEST_F(Commands, UnitsRunAStableBinaryAndABuildTreeNeitherBreaksNorTakesOverAFleet) {
  const std::string holder = system_.UnitDir() + "/mosaic-tmux-holder.service";
  auto runs = [&](const std::string& binary) {
    return system_.fs.files().at(holder).find("ExecStart=" + binary + " holder run") !=
           std::string::npos;
  };
  const std::string version = Fleet({"--version"}).out;  // "mosaic-fleet X.Y.Z\n"
  auto install = [&](const std::string& path, const std::string& says) {
    system_.fs.executables.insert(path);
    system_.tmux.other_programs[{path, "--version"}] = {0, says, "", false};
  };
  // Run from a build tree, with no fleet yet: the units would point into it, and plan says so.
  system_.self_executable = "/src/mosaic/build/mosaic-fleet";
  system_.fs.Put("/src/mosaic/build/CMakeCache.txt", "");
  Outcome plan = Fleet({"plan"});
  EXPECT_THAT(plan.out, HasSubstr("/src/mosaic/build/mosaic-fleet: the unit files would run this "
                                  "binary, which lies in a build tree"));
  // --binary names the installed one: it must exist, and be given as an absolute path.
  Outcome relative = Fleet({"apply", "--yes", "--binary", "bin/mosaic-fleet"});
  EXPECT_EQ(relative.code, 1);
  EXPECT_THAT(relative.err,
              HasSubstr("--binary bin/mosaic-fleet: the units need an absolute path"));
  Outcome missing = Fleet({"apply", "--yes", "--binary", "/usr/local/bin/mosaic-fleet"});
  EXPECT_EQ(missing.code, 1);
  EXPECT_THAT(missing.err, HasSubstr("not an executable file"));
  EXPECT_FALSE(system_.fs.files().contains(holder));
  install("/bin/true", "");
  Outcome not_ours = Fleet({"apply", "--yes", "--binary", "/bin/true"});
  EXPECT_EQ(not_ours.code, 1);
  EXPECT_THAT(not_ours.err, HasSubstr("/bin/true is not mosaic-fleet"));
  // A newline would end ExecStart= and start a directive of the path's own.
  install("/opt/x\nExecStartPre=/tmp/evil", version);
  Outcome injected = Fleet({"apply", "--yes", "--binary", "/opt/x\nExecStartPre=/tmp/evil"});
  EXPECT_EQ(injected.code, 1);
  EXPECT_THAT(injected.err, HasSubstr("control character"));
  EXPECT_FALSE(system_.fs.files().contains(holder));
  install("/usr/local/bin/mosaic-fleet", version);
  Outcome apply = Fleet({"apply", "--yes", "--binary", "/usr/local/bin/mosaic-fleet"});
  ASSERT_EQ(apply.code, 0) << apply.err;
  EXPECT_THAT(apply.out, Not(HasSubstr("build tree")));
  EXPECT_TRUE(runs("/usr/local/bin/mosaic-fleet"));
  // The build tree's binary, run again without --binary, leaves those units alone, and says so.
  Outcome again = Fleet({"plan", "--detailed-exitcode"});
  EXPECT_EQ(again.code, 0) << again.out;
  EXPECT_THAT(again.out, HasSubstr("No changes"));
  EXPECT_THAT(again.out, HasSubstr("the units keep running this installed mosaic-fleet, not the "
                                   "build at /src/mosaic/build/mosaic-fleet"));
  // Not an installed binary of another version, which may not understand these unit files.
  install("/usr/local/bin/mosaic-fleet", "mosaic-fleet 0.0.1\n");
  EXPECT_EQ(Fleet({"plan", "--detailed-exitcode"}).code, 2);
  install("/usr/local/bin/mosaic-fleet", version);
  // A stale $MOSAIC_FLEET_BINARY stops what writes units, never what only reads the roster.
  system_.environment_for_test().fleet_binary = "/nowhere/mosaic-fleet";
  EXPECT_THAT(Fleet({"plan"}).err, HasSubstr("MOSAIC_FLEET_BINARY /nowhere/mosaic-fleet: not an "
                                             "executable file"));
  EXPECT_EQ(Fleet({"agent", "roster", "--names"}).out, "a\na0\n");
  system_.environment_for_test().fleet_binary.clear();
  // The installed binary itself finds nothing to change either; a second installed copy
  // elsewhere moves the units to itself, and $MOSAIC_FLEET_BINARY keeps them where they are.
  system_.self_executable = "/usr/local/bin/mosaic-fleet";
  EXPECT_EQ(Fleet({"plan", "--detailed-exitcode"}).code, 0);
  system_.self_executable = "/usr/bin/mosaic-fleet";
  EXPECT_EQ(Fleet({"plan", "--detailed-exitcode"}).code, 2);
  system_.environment_for_test().fleet_binary = "/usr/local/bin/mosaic-fleet";
  EXPECT_EQ(Fleet({"plan", "--detailed-exitcode"}).code, 0);
  // Once the installed binary is gone, a build tree's takes over again, and says so.
  system_.environment_for_test().fleet_binary.clear();
  system_.fs.executables.erase("/usr/local/bin/mosaic-fleet");
  system_.self_executable = "/src/mosaic/build/mosaic-fleet";
  Outcome fallback = Fleet({"apply", "--yes"});
  ASSERT_EQ(fallback.code, 0) << fallback.err;
  EXPECT_THAT(fallback.out, HasSubstr("lies in a build tree"));
  EXPECT_TRUE(runs("/src/mosaic/build/mosaic-fleet"));
}

TEST_F(Commands, TheHostAnApplyActedAsIsRememberedByTheTimerAndWrittenAsOneName) {
  system_.fs.Put(system_.RosterPath(), std::string(kRoster) + "reconcile: {interval: 1h}\n");
  const std::string service = system_.UnitDir() + "/mosaic-fleet-reconcile.service";
  ASSERT_EQ(Fleet({"apply", "--yes", "--host", "Alpha.example.com"}).code, 0);
  EXPECT_THAT(system_.fs.files().at(service), HasSubstr(" --host alpha "));
  // A later run without --host acts as alpha too (this machine is "here"): nothing changes,
  // and the timer is not turned into another host that would remove alpha's agents.
  Outcome plain = Fleet({"plan", "--detailed-exitcode"});
  EXPECT_EQ(plain.code, 0) << plain.out;
  ASSERT_EQ(Fleet({"restart", "a"}).code, 0);
  EXPECT_THAT(system_.fs.files().at(service), HasSubstr(" --host alpha "));
  // A host name is a name: nothing a unit file or systemd would read otherwise.
  for (const char* bad : {"al\npha", "$HOST", "-x", ""})
    EXPECT_EQ(Fleet({"plan", "--host", bad}).code, 1) << bad;
  // --host moves it, and is remembered in turn.
  ASSERT_EQ(Fleet({"apply", "--yes", "--host", "here"}).code, 0);
  EXPECT_THAT(system_.fs.files().at(service), HasSubstr(" --host here "));
}

TEST(HeartbeatBesideEnvFile, IsInTheFleetsRunDirectoryOrNowhere) {
  EXPECT_EQ(HeartbeatBesideEnvFile("/srv/m/fleet/agents/coder0.env"), "/srv/m/fleet/run/coder0.hb");
  EXPECT_EQ(HeartbeatBesideEnvFile("/tmp/a.env"), "");
  EXPECT_EQ(HeartbeatBesideEnvFile("/srv/agents/x/a.env"), "");
  EXPECT_EQ(HeartbeatBesideEnvFile("/srv/agents/.env"), "");
}

}  // namespace
}  // namespace mosaic

namespace mosaic {
namespace {

// ---- apply after the steps: settle, re-observe, say what is true ----

class ApplyOutcome : public Commands {};

TEST_F(ApplyOutcome, AnAgentThatDiesRightAfterItStartsIsReportedWithItsStatusAndLastLines) {
  system_.on_sleep = [&] {
    FakeTmuxServer::Session& a = system_.tmux.sessions.at("a");
    a.dead = true;
    a.dead_status = 127;
    a.screen = {"sh: 1: claude-cli: not found"};
  };
  Outcome r = Fleet({"apply", "--yes", "--settle", "2"});
  EXPECT_EQ(r.code, 1) << r.err;
  EXPECT_THAT(system_.sleeps, ElementsAreArray({std::chrono::milliseconds(2000)}));
  EXPECT_THAT(r.err, HasSubstr("agent a died right after it started: its program exited with "
                               "status 127; its last lines:\n  | sh: 1: claude-cli: not found"));
  EXPECT_THAT(r.err, Not(HasSubstr("converged")));
}

TEST_F(ApplyOutcome, ConvergedIsSaidOnlyAfterAFullLookAndATargetedApplyCountsWhatIsLeft) {
  Outcome targeted = Fleet({"apply", "--yes", "--target", "a"});
  ASSERT_EQ(targeted.code, 0) << targeted.err;
  EXPECT_THAT(targeted.err, Not(HasSubstr("The fleet has converged")));
  EXPECT_THAT(targeted.err, HasSubstr("The targeted agents (a) match the roster; 2 change(s) "
                                      "remain outside the targets"));
  Outcome rest = Fleet({"apply", "--yes"});
  EXPECT_THAT(rest.err, HasSubstr("The fleet has converged"));
  Outcome nothing = Fleet({"apply", "--yes"});
  EXPECT_EQ(nothing.code, 0);
  EXPECT_EQ(system_.sleeps.size(), 2u) << "no agent started: no settling";
}

TEST_F(ApplyOutcome, ACrashLoopIsNeverCalledConvergedAndATargetedNoOpSaysWhatItChecked) {
  ASSERT_EQ(Fleet({"apply", "--yes"}).code, 0);
  system_.tmux.sessions.erase("a");
  system_.manager.units["mosaic-agent@a.service"].active_state = "failed";
  system_.manager.results["mosaic-agent@a.service"] = "start-limit-hit";
  Outcome r = Fleet({"apply", "--yes"});
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  EXPECT_THAT(r.err, HasSubstr("error: agent a is crash-looping"));
  EXPECT_THAT(r.err, Not(HasSubstr("converged")));
  Outcome targeted = Fleet({"plan", "--target", "a0"});
  EXPECT_THAT(targeted.out, HasSubstr("No changes for the targeted agents; the rest of the fleet "
                                      "was not checked."));
}

TEST_F(ApplyOutcome, TheDestroyGuardNamesTheRosterAndLetsAnExactCountThrough) {
  system_.fs.Put(system_.RosterPath(),
                 "version: 1\ntmux: {socket_name: fleet}\nagents:\n  - {name: a, runtime: claude}\n"
                 "  - {name: b, runtime: claude}\n  - {name: c, runtime: claude}\n");
  ASSERT_EQ(Fleet({"apply", "--yes"}).code, 0);
  system_.fs.Put(
      system_.RosterPath(),
      "version: 1\ntmux: {socket_name: fleet}\nagents:\n  - {name: a, runtime: claude}\n");
  Outcome refused = Fleet({"apply", "--yes"});
  EXPECT_EQ(refused.code, 1);
  EXPECT_THAT(refused.err, HasSubstr("destroy 2 of the 3 running agents (b, c)"));
  EXPECT_THAT(refused.err, HasSubstr(system_.RosterPath()));
  EXPECT_THAT(refused.err, HasSubstr("--allow-destroy 2"));
  EXPECT_TRUE(system_.tmux.sessions.contains("b"));
  EXPECT_EQ(Fleet({"apply", "--yes", "--allow-destroy", "1"}).code, 1) << "the count must match";
  Outcome allowed = Fleet({"apply", "--yes", "--allow-destroy", "2"});
  EXPECT_EQ(allowed.code, 0) << allowed.err;
  EXPECT_FALSE(system_.tmux.sessions.contains("b"));
  EXPECT_TRUE(system_.tmux.sessions.contains("a"));
}

TEST_F(ApplyOutcome, AnUnattendedRunLeavesLiveReplacementsPendingExitsTwoAndTellsTheJournal) {
  ASSERT_EQ(Fleet({"apply", "--yes"}).code, 0);
  int64_t a = system_.tmux.sessions.at("a").pane_pid;
  system_.fs.Put(system_.RosterPath(),
                 "version: 1\ntmux: {socket_name: fleet}\nagents:\n  - {name: a, runtime: pi}\n"
                 "  - {name: a0, runtime: pi}\n");
  system_.environment_for_test().journal_stream = "8:1234";
  system_.environment_for_test().stderr_is_terminal = false;
  Outcome r = Fleet({"apply", "--yes", "--unattended"});
  EXPECT_EQ(r.code, 2) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("HELD"));
  EXPECT_EQ(system_.tmux.sessions.at("a").pane_pid, a) << "the live session is kept";
  ASSERT_FALSE(system_.journal.empty());
  bool pending = false;
  for (const FakeSystem::JournalEntry& e : system_.journal)
    pending = pending || (e.fields.at("MOSAIC_FLEET_RESULT") == "pending" &&
                          e.fields.at("MOSAIC_FLEET_AGENT") == "a" && e.priority == 4);
  EXPECT_TRUE(pending) << "the held change is logged as pending, at warning priority";
  // Attended, it is done; then a converged run logs one line.
  ASSERT_EQ(Fleet({"apply", "--yes"}).code, 0);
  EXPECT_NE(system_.tmux.sessions.at("a").pane_pid, a);
  system_.journal.clear();
  EXPECT_EQ(Fleet({"apply", "--yes", "--unattended"}).code, 0);
  ASSERT_EQ(system_.journal.size(), 1u);
  EXPECT_EQ(system_.journal[0].fields.at("MOSAIC_FLEET_RESULT"), "converged");
}

TEST_F(ApplyOutcome, DriftOnlyShowsWhatChangedOutsideTheToolWithTheSameExitCodes) {
  ASSERT_EQ(Fleet({"apply", "--yes"}).code, 0);
  system_.tmux.sessions.erase("a0");  // killed by hand
  system_.fs.Put(system_.RosterPath(),
                 "version: 1\ntmux: {socket_name: fleet}\nagents:\n  - {name: a, runtime: pi}\n"
                 "  - {name: a0, runtime: pi}\n");
  Outcome drift = Fleet({"plan", "--drift-only", "--detailed-exitcode"});
  EXPECT_EQ(drift.code, 2);
  EXPECT_THAT(drift.out, HasSubstr("agent.a0"));
  EXPECT_THAT(drift.out, Not(HasSubstr("agent.a ")));
  EXPECT_EQ(Fleet({"plan", "--drift-only", "--out", "/tmp/x.json"}).code, 1);
}

}  // namespace
}  // namespace mosaic

namespace mosaic {
namespace {

// `session run` (an agent unit's main process) tells systemd why it ends, in a STATUS= that
// systemd keeps after the unit failed: apply shows it even where there is no journal.
TEST_F(Commands, SessionRunTellsSystemdWhyItEnded) {
  ASSERT_EQ(Fleet({"apply", "--yes"}).code, 0);
  system_.tmux.sessions.at("a").dead = true;
  system_.tmux.programs_exit_with = 4;  // the restarted program dies at once too
  EXPECT_EQ(Fleet({"session", "run", "a"}).code, 4);
  ASSERT_FALSE(system_.statuses.empty());
  EXPECT_EQ(system_.statuses.back(), "its program exited with status 4");

  system_.fs.Put(system_.RosterPath(), "version: 1\ntmux: {socket_name: fleet}\nagents: []\n");
  Outcome missing = Fleet({"session", "run", "nobody"});
  EXPECT_EQ(missing.code, 1);
  EXPECT_THAT(system_.statuses.back(), HasSubstr("error: "));
  EXPECT_THAT(system_.statuses.back(), HasSubstr("nobody"));
}

// tmux (before 3.5, with libutempter) can miss the SIGCHLD of a program that dies while another
// pane is created: the pane shows dead with no status until tmux is made to look again.
TEST_F(Commands, SessionRunWakesATmuxThatMissedItsProgramsEnd) {
  ASSERT_EQ(Fleet({"apply", "--yes"}).code, 0);
  system_.tmux.sessions.at("a").dead = true;
  system_.tmux.programs_end_unreaped = true;  // the restarted program dies, unreaped
  system_.on_sleep = [&] {
    if (!system_.woken_reapers.empty()) system_.tmux.sessions.at("a").dead_status = 4;
  };
  EXPECT_EQ(Fleet({"session", "run", "a"}).code, 4);
  EXPECT_THAT(system_.woken_reapers, ElementsAre(system_.tmux.server_pid));
  ASSERT_FALSE(system_.statuses.empty());
  EXPECT_EQ(system_.statuses.back(), "its program exited with status 4");
}

// An operator's stop holds through apply until start; restart recreates exactly that unit.
TEST_F(Commands, StopKeepsAnAgentStoppedThroughApplyUntilStart) {
  ASSERT_EQ(Fleet({"apply", "--yes"}).code, 0);
  const std::string mark = "/home/op/.config/mosaic/fleet/run/a.stopped";
  Outcome stop = Fleet({"stop", "a", "--settle", "0"});
  EXPECT_EQ(stop.code, 0) << stop.err;
  EXPECT_TRUE(system_.fs.Stat(mark).has_value());
  EXPECT_THAT(system_.manager.log, testing::Contains("stop mosaic-agent@a.service"));
  EXPECT_FALSE(system_.tmux.sessions.contains("a"));
  EXPECT_TRUE(system_.tmux.sessions.contains("a0"));
  EXPECT_EQ(Fleet({"plan", "--detailed-exitcode"}).code, 0) << "stopped is what is wanted";
  EXPECT_THAT(Fleet({"status"}).out, HasSubstr("STOPPED"));
  ASSERT_EQ(Fleet({"apply", "--yes", "--unattended"}).code, 0);
  EXPECT_FALSE(system_.tmux.sessions.contains("a")) << "drift correction leaves it stopped";

  Outcome start = Fleet({"start", "a", "--settle", "0"});
  EXPECT_EQ(start.code, 0) << start.err;
  EXPECT_FALSE(system_.fs.Stat(mark).has_value());
  EXPECT_TRUE(system_.tmux.sessions.contains("a"));

  system_.manager.log.clear();
  EXPECT_EQ(Fleet({"restart", "a0"}).code, 0);
  EXPECT_THAT(system_.manager.log, ElementsAre("restart mosaic-agent@a0.service"));

  Outcome unknown = Fleet({"stop", "nobody"});
  EXPECT_EQ(unknown.code, 1);
  EXPECT_THAT(unknown.err, HasSubstr("'nobody': no agent of that name"));
  EXPECT_FALSE(system_.fs.Stat("/home/op/.config/mosaic/fleet/run/nobody.stopped").has_value());
}

// verify's canary never takes a name that is someone else's: the roster's agent, or an env
// file verify did not write (a removed agent's, with the user's keys).
TEST_F(Commands, VerifysCanaryNeverTakesANameThatIsSomeoneElses) {
  ASSERT_EQ(Fleet({"apply", "--yes"}).code, 0);
  const std::string env = "/home/op/.config/mosaic/fleet/agents/mosaic-verify-canary.env";
  system_.fs.Put(env, "SECRET=kept\nMOSAIC_AGENT_RUNTIME=claude\n");
  Outcome r = Fleet({"verify"});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.out, HasSubstr("FAIL restart-isolation"));
  EXPECT_THAT(r.out, HasSubstr("was not written by verify"));
  EXPECT_EQ(system_.fs.ReadFile(env, 4096).value(), "SECRET=kept\nMOSAIC_AGENT_RUNTIME=claude\n");
  EXPECT_THAT(system_.manager.log, Not(testing::Contains(HasSubstr("mosaic-verify-canary"))));
  EXPECT_EQ(system_.deferrals, 0) << "interrupts are deferred only while the check runs";

  system_.fs.Put(system_.RosterPath(),
                 std::string(kRoster) + "  - {name: mosaic-verify-canary, runtime: pi}\n");
  Outcome named = Fleet({"verify"});
  EXPECT_EQ(named.code, 1);
  EXPECT_THAT(named.err, HasSubstr("reserved for `mosaic-fleet verify`"));
}

// The supervisor waits on its pane's program, not on tmux: a wait that ends without the
// program ending is only a look once a minute, and whatever ends the session is told apart.
TEST_F(Commands, SessionRunWatchesItsProgramUntilItsSessionIsKilledByHand) {
  ASSERT_EQ(Fleet({"apply", "--yes"}).code, 0);
  const int64_t program = system_.tmux.sessions.at("a").pane_pid;
  system_.woken_reapers.clear();
  int waits = 0;
  system_.on_await_exit = [&](int64_t) {
    if (++waits < 3) return false;  // a minute passes; it still runs
    system_.tmux.sessions.erase("a");
    return true;
  };
  Outcome r = Fleet({"session", "run", "a"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(waits, 3);
  EXPECT_THAT(system_.awaited, ElementsAre(program, program, program));
  EXPECT_THAT(system_.await_bounds, testing::Each(kSupervisorRecheck)) << "a look a minute";
  EXPECT_THAT(r.out, HasSubstr("session a was killed (not by mosaic-fleet)"));
  EXPECT_TRUE(system_.tmux.sessions.contains("a0")) << "a sibling is never touched";
  EXPECT_TRUE(system_.woken_reapers.empty()) << "a program still running is not taken for ended";
}

TEST_F(Commands, SessionRunFollowsARespawnedPaneThenEndsAsItsProgramDid) {
  ASSERT_EQ(Fleet({"apply", "--yes"}).code, 0);
  const int64_t first = system_.tmux.sessions.at("a").pane_pid;
  system_.on_await_exit = [&](int64_t pid) {
    FakeTmuxServer::Session& a = system_.tmux.sessions.at("a");
    if (system_.awaited.size() > 5) {  // a supervisor that keeps watching the first program
      ADD_FAILURE() << "still waiting on pid " << pid;
      system_.tmux.sessions.erase("a");
    } else if (pid == first) {
      a.pane_pid = 777;  // respawn-pane: the first program ended, another runs in its place
    } else {
      a.dead = true;
      a.dead_status = 5;
    }
    return true;
  };
  Outcome r = Fleet({"session", "run", "a"});
  EXPECT_EQ(r.code, 5) << "the unit ends as its program did";
  EXPECT_THAT(system_.awaited, ElementsAre(first, 777));
  EXPECT_THAT(r.out, HasSubstr("a's program exited with status 5"));
}

TEST_F(Commands, SessionRunEndsAsAShellReportsAProgramKilledByASignal) {
  ASSERT_EQ(Fleet({"apply", "--yes"}).code, 0);
  system_.on_await_exit = [&](int64_t) {
    FakeTmuxServer::Session& a = system_.tmux.sessions.at("a");
    a.dead = true;
    a.dead_signal = 9;  // run without a shell, the agent's own death is seen: 128+9
    return true;
  };
  Outcome r = Fleet({"session", "run", "a"});
  EXPECT_EQ(r.code, 137);
  EXPECT_THAT(r.out, HasSubstr("a's program was killed by signal 9"));
}

TEST_F(Commands, SessionExecEndsWithTheStatusAShellGivesAProgramItCannotRun) {
  ASSERT_EQ(Fleet({"apply", "--yes"}).code, 0);
  const std::string env = "/home/op/.config/mosaic/fleet/agents/a.env";
  system_.exec_failure = {"cannot run mosaic: not found on its PATH", 127};
  Outcome r = Fleet({"session", "exec", "--env-file", env});
  EXPECT_EQ(r.code, 127);
  EXPECT_THAT(r.err, HasSubstr("error: cannot run mosaic: not found on its PATH"));
  Outcome unreadable = Fleet({"session", "exec", "--env-file", "/nonexistent.env"});
  EXPECT_EQ(unreadable.code, 1) << "not the program's fault: no shell status";
}

TEST_F(Commands, SessionRunWaitsForTmuxToReapAnEndedProgramThenReportsIt) {
  ASSERT_EQ(Fleet({"apply", "--yes"}).code, 0);
  const int64_t program = system_.tmux.sessions.at("a").pane_pid;
  system_.sleeps.clear();
  system_.woken_reapers.clear();
  // The program has ended, but tmux shows it running until it is woken to reap it.
  system_.on_await_exit = [](int64_t) { return true; };
  system_.on_sleep = [&] {
    if (system_.woken_reapers.empty()) return;
    system_.tmux.sessions.at("a").dead = true;
    system_.tmux.sessions.at("a").dead_status = 0;
  };
  Outcome r = Fleet({"session", "run", "a"});
  EXPECT_EQ(r.code, 0);
  EXPECT_THAT(system_.awaited, ElementsAre(program, program));
  EXPECT_THAT(system_.woken_reapers, ElementsAre(system_.tmux.server_pid));
  EXPECT_THAT(system_.sleeps, ElementsAre(std::chrono::milliseconds(100)));
  EXPECT_THAT(r.out, HasSubstr("a's program exited with status 0"));
}

TEST_F(Commands, SessionRunEndsWhenTheFleetsServerIsGone) {
  ASSERT_EQ(Fleet({"apply", "--yes"}).code, 0);
  system_.on_await_exit = [&](int64_t) {
    system_.tmux.running = false;
    system_.tmux.sessions.clear();
    return true;
  };
  Outcome r = Fleet({"session", "run", "a"});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.out, HasSubstr("the fleet's tmux server is gone; its holder unit restarts it"));
}

TEST_F(Commands, SessionRunSaysSoWhenTmuxNeverReportsHowItsProgramEnded) {
  ASSERT_EQ(Fleet({"apply", "--yes"}).code, 0);
  system_.tmux.sessions.at("a").dead = true;
  system_.tmux.programs_end_unreaped = true;
  Outcome r = Fleet({"session", "run", "a"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(system_.woken_reapers.size(), 10U);  // bounded: a few looks, then the truth
  EXPECT_THAT(r.out, HasSubstr("a's program ended (tmux has not reported how)"));
  EXPECT_EQ(system_.statuses.back(), "its program ended (tmux has not reported how)");
}

}  // namespace
}  // namespace mosaic
