// MakePlan, one behaviour per test: roster + observed snapshot in, actions and reasons out.
#include "make_plan.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>

#include "env_file.h"
#include "plan_json.h"
#include "plan_render.h"
#include "planner_fixture.h"
#include "unit_files.h"

namespace mosaic {
namespace {

using testing::ElementsAre;
using testing::HasSubstr;
using testing::Not;
using testing_support::Converged;
using testing_support::Desired;

constexpr char kRoster[] =
    "version: 1\n"
    "runtimes: {claude: {reset_command: /clear}}\n"
    "agents:\n"
    "  - {name: a, runtime: claude, model_hint: Claude Opus}\n"
    "  - {name: a0, runtime: pi}\n";

std::vector<std::string> Addresses(const Plan& plan) {
  std::vector<std::string> out;
  for (const ResourceChange& c : plan.changes)
    out.push_back(fmt::format("{} {}", ActionSymbol(c.action), c.address));
  return out;
}

std::vector<std::string> Steps(const Plan& plan) {
  std::vector<std::string> out;
  for (const Step& s : plan.steps) {
    std::string what = s.path.empty() ? fmt::format("{}", fmt::join(s.names, ",")) : s.path;
    out.push_back(fmt::format("{} {}", StepName(s.kind), what));
  }
  return out;
}

const ResourceChange* Change(const Plan& plan, const std::string& address) {
  for (const ResourceChange& c : plan.changes)
    if (c.address == address) return &c;
  return nullptr;
}

TEST(MakePlan, FromNothingCreatesEverythingInDependencyOrder) {
  DesiredState desired = Desired(kRoster);
  Plan plan = MakePlan(desired, ObservedState{});
  EXPECT_THAT(Addresses(plan),
              ElementsAre("+ unit_file.mosaic-tmux-holder.service",
                          "+ unit_file.mosaic-agent@.service", "+ env_file.a", "+ env_file.a0",
                          "+ unit.mosaic-tmux-holder.service", "+ agent.a", "+ agent.a0"));
  EXPECT_THAT(
      Steps(plan),
      ElementsAre(
          "write-file /home/op/.config/systemd/user/mosaic-tmux-holder.service",
          "write-file /home/op/.config/systemd/user/mosaic-agent@.service",
          "merge-env-file /home/op/.config/mosaic/fleet/agents/a.env",
          "merge-env-file /home/op/.config/mosaic/fleet/agents/a0.env", "daemon-reload ",
          "enable mosaic-tmux-holder.service,mosaic-agent@a.service,mosaic-agent@a0.service",
          "start mosaic-tmux-holder.service",
          "start mosaic-agent@a.service,mosaic-agent@a0.service"));
  EXPECT_EQ(RenderPlanSummary(plan), "Plan: 7 to add, 0 to change, 0 to replace, 0 to destroy.");
}

// A unit or env file is anyone's bytes: its lines and values are shown, never able to drive
// the terminal (an escape sequence could retitle it, clear it, or hide a line of the plan).
TEST(RenderPlanText, MasksControlCharactersFromFilesOnDisk) {
  Plan plan;
  plan.changes.push_back({"unit_file.mosaic-tmux-holder.service",
                          ChangeAction::kUpdate,
                          "runtime pi\x1b[2J -> claude forces replacement",
                          {{"runtime", "pi\x1b[2J", "claude", true}},
                          {"- Description=\x1b]0;pwned\a", "+ Description=ours"}});
  std::string text = RenderPlanText(plan, false);
  EXPECT_EQ(text.find('\x1b'), std::string::npos) << text;
  EXPECT_EQ(text.find('\a'), std::string::npos) << text;
  EXPECT_NE(text.find("- Description=?]0;pwned?"), std::string::npos) << text;
  EXPECT_NE(text.find("pi?[2J -> claude"), std::string::npos) << text;
  EXPECT_NE(text.find("runtime pi?[2J -> claude forces"), std::string::npos) << text;
}

TEST(MakePlan, ConvergedFleetHasNoChanges) {
  DesiredState desired = Desired(kRoster);
  Plan plan = MakePlan(desired, Converged(desired));
  EXPECT_TRUE(plan.empty()) << RenderPlanText(plan, false);
  EXPECT_TRUE(plan.steps.empty());
  EXPECT_EQ(RenderPlanSummary(plan), "No changes. The fleet matches the roster.");
}

TEST(MakePlan, RuntimeChangeForcesReplacementAndRewritesTheEnvFile) {
  DesiredState before = Desired(kRoster);
  ObservedState observed = Converged(before);
  std::string roster = kRoster;
  roster.replace(roster.find("name: a, runtime: claude"), 24, "name: a, runtime: pi    ");
  Plan plan = MakePlan(Desired(roster), observed);
  EXPECT_THAT(Addresses(plan), ElementsAre("~ env_file.a", "-/+ agent.a"));
  const ResourceChange* agent = Change(plan, "agent.a");
  ASSERT_TRUE(agent);
  EXPECT_THAT(agent->reason, HasSubstr("runtime claude → pi"));
  EXPECT_THAT(agent->reason, HasSubstr("forces replacement"));
  EXPECT_THAT(Steps(plan), ElementsAre("merge-env-file /home/op/.config/mosaic/fleet/agents/a.env",
                                       "restart mosaic-agent@a.service"));
}

TEST(MakePlan, WorkingDirectoryChangeForcesReplacement) {
  ObservedState observed = Converged(Desired(kRoster));
  std::string roster =
      std::string(kRoster).replace(std::string(kRoster).find("{name: a0, runtime: pi}"), 23,
                                   "{name: a0, runtime: pi, working_directory: /srv}");
  Plan plan = MakePlan(Desired(roster), observed);
  const ResourceChange* agent = Change(plan, "agent.a0");
  ASSERT_TRUE(agent);
  EXPECT_EQ(agent->action, ChangeAction::kReplace);
  EXPECT_THAT(agent->reason, HasSubstr("working directory /home/op → /srv"));
  EXPECT_FALSE(Change(plan, "agent.a")) << "a sibling must not be touched";
}

TEST(MakePlan, UserCommandOverrideInTheEnvFileIsDrift) {
  DesiredState desired = Desired(kRoster);
  ObservedState observed = Converged(desired);
  observed.files[desired.agents[0].env_path] +=
      "MOSAIC_AGENT_COMMAND='/opt/canary.sh --token t0ps3cret'\n";
  Plan plan = MakePlan(desired, observed);
  EXPECT_THAT(RenderPlanText(plan, false), Not(HasSubstr("t0ps3cret")));
  EXPECT_THAT(PlanToJson(plan).dump(), Not(HasSubstr("t0ps3cret")));
  EXPECT_THAT(Addresses(plan), ElementsAre("-/+ agent.a"));
  EXPECT_THAT(Change(plan, "agent.a")->reason, HasSubstr("launch command changed"));
  EXPECT_FALSE(Change(plan, "env_file.a")) << "user keys are not drift in the file itself";
}

TEST(MakePlan, UserKeyEditIsEnvironmentDrift) {
  DesiredState desired = Desired(kRoster);
  ObservedState observed = Converged(desired);
  observed.files[desired.agents[1].env_path] += "API_TOKEN=s3cret\n";
  Plan plan = MakePlan(desired, observed);
  EXPECT_THAT(Addresses(plan), ElementsAre("-/+ agent.a0"));
  EXPECT_THAT(Change(plan, "agent.a0")->reason, HasSubstr("environment file edited"));
  EXPECT_TRUE(Change(plan, "agent.a0")->drift) << "the file changed outside mosaic-fleet";
  EXPECT_THAT(RenderPlanText(plan, false), Not(HasSubstr("s3cret")));
}

TEST(MakePlan, DeadSessionIsRestarted) {
  DesiredState desired = Desired(kRoster);
  ObservedState observed = Converged(desired);
  observed.sessions["a"].dead = true;
  Plan plan = MakePlan(desired, observed);
  EXPECT_THAT(Addresses(plan), ElementsAre("-/+ agent.a"));
  EXPECT_THAT(Steps(plan), ElementsAre("restart mosaic-agent@a.service"));
}

TEST(MakePlan, SessionKilledBehindTheToolsBackIsRecreated) {
  DesiredState desired = Desired(kRoster);
  ObservedState observed = Converged(desired);
  observed.sessions.erase("a0");
  Plan plan = MakePlan(desired, observed);
  EXPECT_THAT(Addresses(plan), ElementsAre("+ agent.a0"));
  EXPECT_THAT(Change(plan, "agent.a0")->reason, HasSubstr("killed outside mosaic-fleet"));
  EXPECT_THAT(Steps(plan), ElementsAre("restart mosaic-agent@a0.service"));
}

TEST(MakePlan, DisabledUnitIsEnabledForBootSurvival) {
  DesiredState desired = Desired(kRoster);
  ObservedState observed = Converged(desired);
  observed.units["mosaic-agent@a.service"].enabled = false;
  Plan plan = MakePlan(desired, observed);
  EXPECT_THAT(Addresses(plan), ElementsAre("~ agent.a"));
  EXPECT_THAT(Steps(plan), ElementsAre("enable mosaic-agent@a.service"));
}

TEST(MakePlan, InactiveHolderIsStartedBeforeAnyAgent) {
  DesiredState desired = Desired(kRoster);
  ObservedState observed = Converged(desired);
  observed.units[kHolderUnit].active_state = "inactive";
  observed.sessions.clear();
  for (auto& [name, unit] : observed.units) unit.active_state = "inactive";
  Plan plan = MakePlan(desired, observed);
  EXPECT_THAT(Steps(plan), ElementsAre("start mosaic-tmux-holder.service",
                                       "start mosaic-agent@a.service,mosaic-agent@a0.service"));
}

TEST(MakePlan, RemovedAgentIsStoppedAndDisabledButItsEnvFileKept) {
  DesiredState both = Desired(kRoster);
  ObservedState observed = Converged(both);
  DesiredState only_a0 = Desired("version: 1\nagents: [{name: a0, runtime: pi}]\n");
  Plan plan = MakePlan(only_a0, observed);
  EXPECT_THAT(Addresses(plan), ElementsAre("- agent.a"));
  EXPECT_THAT(Steps(plan),
              ElementsAre("stop mosaic-agent@a.service", "disable mosaic-agent@a.service"));
  EXPECT_THAT(RenderPlanText(plan, false),
              HasSubstr("/home/op/.config/mosaic/fleet/agents/a.env: env file of an agent no "
                        "longer in the roster: kept"));
}

TEST(MakePlan, AUnitStartedByHandIsNeitherStoppedNorSaidToHaveLeftTheRoster) {
  // Neither an env file nor a session of the tool's: mosaic-fleet never managed it.
  DesiredState desired = Desired(kRoster);
  ObservedState observed = Converged(desired);
  observed.units["mosaic-agent@foo.service"] = {"mosaic-agent@foo.service", "loaded", "active",
                                                false};
  Plan plan = MakePlan(desired, observed);
  EXPECT_EQ(Change(plan, "agent.foo"), nullptr);
  EXPECT_TRUE(plan.steps.empty());
  EXPECT_THAT(RenderPlanText(plan, false),
              HasSubstr("mosaic-agent@foo.service: runs, but foo is not in the roster and "
                        "mosaic-fleet never managed it here: left alone"));
  observed.env_files.push_back("foo");
  EXPECT_EQ(Change(MakePlan(desired, observed), "agent.foo")->reason, "no longer in the roster");
}

TEST(MakePlan, NamesFromTheWorldCannotDriveTheTerminal) {
  // File names and foreign session names are anyone's bytes: escape sequences in them must
  // not reach the terminal as such.
  DesiredState desired = Desired(kRoster);
  ObservedState observed = Converged(desired);
  observed.env_files.push_back("evil\x1b]0;pwned\x07");
  observed.sessions["x\x1b[2J"] = {"x\x1b[2J", 9, false, "", "", "", "", ""};
  std::string text = RenderPlanText(MakePlan(desired, observed), false);
  EXPECT_THAT(text, Not(HasSubstr("\x1b")));
  EXPECT_THAT(text, Not(HasSubstr("\x07")));
  EXPECT_THAT(text, HasSubstr("evil?]0;pwned?"));
}

TEST(MakePlan, RemovingAgentNeverTouchesAPrefixSibling) {
  ObservedState observed = Converged(Desired(kRoster));
  Plan plan = MakePlan(
      Desired("version: 1\nagents: [{name: a, runtime: claude, model_hint: Claude Opus}]\n"),
      observed);
  EXPECT_THAT(Addresses(plan), ElementsAre("- agent.a0"));
  for (const Step& s : plan.steps)
    for (const std::string& name : s.names) EXPECT_NE(name, "mosaic-agent@a.service");
}

TEST(MakePlan, OwnedSessionWithoutActiveUnitIsKilledExactly) {
  DesiredState desired = Desired("version: 1\nagents: []\n");
  ObservedState observed = Converged(desired);
  observed.sessions["old"] = {"old", 300, false, kOwnerAgent, "pi", "/", "", ""};
  Plan plan = MakePlan(desired, observed);
  EXPECT_THAT(Steps(plan), ElementsAre("kill-sessions old"));
}

TEST(MakePlan, UnmanagedSessionsAreReportedNeverRemoved) {
  DesiredState desired = Desired(kRoster);
  ObservedState observed = Converged(desired);
  observed.sessions["scratch"] = {"scratch", 400, false, "", "", "", "", ""};
  Plan plan = MakePlan(desired, observed);
  EXPECT_TRUE(plan.empty());
  ASSERT_EQ(plan.notes.size(), 1u);
  EXPECT_EQ(plan.notes[0].kind, NoteKind::kUnmanagedSession);
}

TEST(MakePlan, UnmanagedSessionWithAnAgentsNameIsAConflictNotATakeover) {
  DesiredState desired = Desired(kRoster);
  ObservedState observed = Converged(desired);
  observed.sessions["a"].owner = "";
  Plan plan = MakePlan(desired, observed);
  EXPECT_TRUE(plan.empty()) << "the foreign session is never touched";
  ASSERT_TRUE(plan.has_errors()) << "the agent cannot run: an error, so apply exits 1";
  ASSERT_EQ(plan.errors.size(), 1u);
  EXPECT_EQ(plan.errors[0].location.line, desired.agents[0].spec.location.line);
  EXPECT_THAT(plan.errors[0].message, HasSubstr("kill-session -t =a"));
}

TEST(MakePlan, AgentsOnOtherHostsAreReportedNeverTouched) {
  DesiredState desired = Desired(
      "version: 1\nagents: [{name: far, runtime: pi, host: elsewhere.example}, {name: near, "
      "runtime: pi, host: here}]\n");
  ASSERT_EQ(desired.agents.size(), 1u);
  Plan plan = MakePlan(desired, ObservedState{});
  EXPECT_FALSE(Change(plan, "agent.far"));
  EXPECT_FALSE(Change(plan, "env_file.far"));
  EXPECT_TRUE(Change(plan, "agent.near"));
  EXPECT_EQ(plan.notes[0].kind, NoteKind::kManagedElsewhere);
}

TEST(MakePlan, AnAgentMovedToAnotherHostIsDestroyedHereExactlyWithItsPersonaHeld) {
  // It ran here (its unit, its session, its env file), then the roster moved it.
  DesiredState before =
      Desired("version: 1\nagents: [{name: far, runtime: pi}, {name: far0, runtime: pi}]\n");
  ObservedState observed = Converged(before);
  DesiredState moved = Desired(
      "version: 1\nagents: [{name: far, runtime: pi, host: other.example}, {name: far0, "
      "runtime: pi}]\n");
  Plan plan = MakePlan(moved, observed);
  EXPECT_THAT(Addresses(plan), ElementsAre("- agent.far"));
  EXPECT_EQ(Change(plan, "agent.far")->reason, "moved to host other.example");
  EXPECT_THAT(Steps(plan),
              ElementsAre("stop mosaic-agent@far.service", "disable mosaic-agent@far.service"));
  // Its env file stays (the user's keys in it), and is reported as kept; no note says both
  // "managed there, not here" and what is done here.
  std::string text = RenderPlanText(plan, false);
  EXPECT_THAT(text, Not(HasSubstr("no longer in the roster")));
  EXPECT_THAT(text,
              HasSubstr("agents/far.env: env file of an agent now on host other.example: kept"));
  EXPECT_THAT(text, Not(HasSubstr("managed on host other.example, not here")));

  // A persistent persona is held as it would be here: only --replace ends it.
  DesiredState persona = Desired(
      "version: 1\nagents: [{name: far, runtime: pi, host: other.example, persistent_persona: "
      "true}, {name: far0, runtime: pi}]\n");
  Plan held = MakePlan(persona, observed);
  ASSERT_TRUE(Change(held, "agent.far"));
  EXPECT_THAT(Change(held, "agent.far")->held, HasSubstr("persistent persona"));
  EXPECT_TRUE(held.steps.empty());
  EXPECT_THAT(Steps(MakePlan(persona, observed, {.replace = {"far"}})),
              ElementsAre("stop mosaic-agent@far.service", "disable mosaic-agent@far.service"));

  // A unit of that name the tool never managed here is left alone, and says whose it is.
  ObservedState foreign = Converged(moved);
  foreign.units["mosaic-agent@far.service"] = {"mosaic-agent@far.service", "loaded", "active",
                                               false};
  Plan noted = MakePlan(moved, foreign);
  EXPECT_FALSE(Change(noted, "agent.far"));
  EXPECT_THAT(RenderPlanText(noted, false), HasSubstr("far belongs to host other.example"));
}

TEST(MakePlan, TargetsLimitAgentChangesAndAlwaysSaySo) {
  DesiredState desired = Desired(kRoster);
  ObservedState observed = Converged(desired);
  observed.sessions["a"].dead = true;
  observed.sessions["a0"].dead = true;
  Plan plan = MakePlan(desired, observed, {.targets = {"a0"}});
  EXPECT_THAT(Addresses(plan), ElementsAre("-/+ agent.a0"));
  EXPECT_EQ(plan.notes.front().kind, NoteKind::kTargeted);
}

TEST(MakePlan, StaleHeartbeatsAreNotedNotActedOn) {
  DesiredState desired = Desired(kRoster);
  ObservedState observed = Converged(desired);
  observed.heartbeat_ages["a"] = 5000;
  observed.heartbeat_ages["a0"] = 5;
  Plan plan = MakePlan(desired, observed);
  EXPECT_TRUE(plan.empty());
  ASSERT_EQ(plan.notes.size(), 1u);
  EXPECT_EQ(plan.notes[0].kind, NoteKind::kStaleHeartbeat);
  EXPECT_EQ(plan.notes[0].subject, "a");
}

TEST(MakePlan, DaemonReloadOnlyWhenAUnitFileChanged) {
  DesiredState desired = Desired(kRoster);
  ObservedState observed = Converged(desired);
  observed.files[desired.agents[0].env_path] = "";
  Plan env_only = MakePlan(desired, observed);
  for (const Step& s : env_only.steps) EXPECT_NE(s.kind, StepKind::kDaemonReload);
  observed = Converged(desired);
  observed.files[desired.UnitFile(kAgentTemplateUnit)->path] += "# local edit\n";
  Plan unit_changed = MakePlan(desired, observed);
  EXPECT_THAT(Steps(unit_changed),
              ElementsAre("write-file /home/op/.config/systemd/user/mosaic-agent@.service",
                          "daemon-reload "));
  EXPECT_THAT(unit_changed.changes[0].diff,
              ElementsAre("  …", "  [Install]", "  WantedBy=default.target", "- # local edit"));
}

TEST(MakePlan, UnitFilesThatWouldRunABuildTreesBinaryAreNoted) {
  DesiredState desired = Desired(kRoster);
  desired.binary_in_build_tree = true;
  auto noted = [](const Plan& plan) {
    return std::count_if(plan.notes.begin(), plan.notes.end(),
                         [](const Note& n) { return n.kind == NoteKind::kBuildTreeBinary; });
  };
  Plan from_nothing = MakePlan(desired, ObservedState{});
  ASSERT_EQ(noted(from_nothing), 1);
  EXPECT_THAT(RenderPlanText(from_nothing, false), HasSubstr("--binary PATH"));
  // Nothing written, nothing to say; and an installed binary is never noted.
  EXPECT_EQ(noted(MakePlan(desired, Converged(desired))), 0);
  desired.binary_in_build_tree = false;
  EXPECT_EQ(noted(MakePlan(desired, ObservedState{})), 0);
}

TEST(DesiredState, AnAgentsHostIsThisMachineByShortNameAnyCaseOrAnyLocalhost) {
  EXPECT_TRUE(IsThisHost("", "alpha"));
  EXPECT_TRUE(IsThisHost("alpha.example.com", "Alpha"));
  EXPECT_TRUE(IsThisHost("ALPHA", "alpha.lan"));
  // Whatever the spelling, localhost means any host: never "another host's", to be removed.
  for (const char* any : {"localhost", "Localhost", "localhost.localdomain"})
    EXPECT_TRUE(IsThisHost(any, "alpha")) << any;
  EXPECT_FALSE(IsThisHost("beta", "alpha"));
  EXPECT_FALSE(IsThisHost("alphabet", "alpha"));
}

TEST(UnitFiles, TheTimersApplyActsAsTheHostItsApplyActedAs) {
  UnitFileInputs in{"/usr/bin/mosaic-fleet", "s", "_h", "/m", "/m/a", "/c", "alpha"};
  EXPECT_THAT(RenderReconcileService(in, "/r.yaml"), HasSubstr(" --host alpha "));
  in.this_host = "";
  EXPECT_THAT(RenderReconcileService(in, "/r.yaml"), Not(HasSubstr("--host")));
  // The words come back as written, quoting undone.
  in.this_host = "alpha";
  in.binary = "/opt/my tools/mosaic-fleet";
  EXPECT_THAT(ExecStartWords(RenderReconcileService(in, "/r.yaml")),
              testing::IsSupersetOf({"/opt/my tools/mosaic-fleet", "--host", "alpha", "/r.yaml"}));
}

TEST(UnitFiles, ExecStartProgramReadsBackTheWordSystemdWordWrote) {
  for (const char* path : {"/usr/bin/mosaic-fleet", "/opt/my tools/mosaic-fleet",
                           "/srv/100%/mosaic-fleet", "/a\"b\\c/mosaic-fleet", "/x;y/m"}) {
    std::string unit = fmt::format("[Service]\nType=notify\nExecStart={} holder run --socket s\n",
                                   SystemdWord(path));
    EXPECT_EQ(ExecStartProgram(unit), path) << unit;
  }
  EXPECT_EQ(ExecStartProgram("[Service]\nExecStop=/bin/true\n"), std::nullopt);
  // The timer's apply names the binary it runs as, so that a link is never resolved.
  EXPECT_THAT(RenderReconcileService({"/usr/local/bin/mosaic-fleet", "s", "_h", "/m", "/m/a", "/c"},
                                     "/r.yaml"),
              HasSubstr("ExecStart=/usr/local/bin/mosaic-fleet apply --yes --unattended --binary "
                        "/usr/local/bin/mosaic-fleet "));
  EXPECT_EQ(ExecStartProgram(RenderHolderUnit(
                {"/usr/local/bin/mosaic-fleet", "s", "_h", "/m", "/m/fleet/agents", "/c"})),
            "/usr/local/bin/mosaic-fleet");
}

TEST(MakePlan, AUnitFileTheManagerHasNotLoadedIsReloaded) {
  // The file on disk is right, but systemd still runs the copy it read before: an apply was
  // stopped between writing the file and daemon-reload.
  DesiredState desired = Desired(kRoster);
  ObservedState observed = Converged(desired);
  observed.stale_unit_files = {kAgentTemplateUnit};
  Plan plan = MakePlan(desired, observed);
  EXPECT_THAT(Addresses(plan), ElementsAre("~ unit_file.mosaic-agent@.service"));
  EXPECT_THAT(Steps(plan), ElementsAre("daemon-reload "));
  EXPECT_THAT(Change(plan, "unit_file.mosaic-agent@.service")->reason,
              HasSubstr("stopped before its daemon-reload"));
}

TEST(MakePlan, ChangedHolderUnitIsWrittenButTheHolderNeverRestarted) {
  DesiredState desired = Desired(kRoster);
  ObservedState observed = Converged(desired);
  observed.files[desired.UnitFile(kHolderUnit)->path] = "[Unit]\n";
  Plan plan = MakePlan(desired, observed);
  for (const Step& s : plan.steps) EXPECT_NE(s.kind, StepKind::kRestartUnits);
  EXPECT_EQ(plan.notes.back().kind, NoteKind::kHolderUnitChanged);
}

TEST(MakePlan, EnvDiffShowsOwnedKeysAndMasksUserValues) {
  DesiredState desired = Desired(kRoster);
  ObservedState observed = Converged(desired);
  std::string& env = observed.files[desired.agents[1].env_path];
  env.replace(env.find("MOSAIC_AGENT_RUNTIME=\"pi\""), 25, "MOSAIC_AGENT_RUNTIME=\"old\"");
  env += "SECRET=hunter2\n";
  std::string text = RenderPlanText(MakePlan(desired, observed), false);
  EXPECT_THAT(text, HasSubstr("~ MOSAIC_AGENT_RUNTIME = \"old\" -> \"pi\""));
  EXPECT_THAT(text, HasSubstr("SECRET = (user value kept)"));
  EXPECT_THAT(text, Not(HasSubstr("hunter2")));
}

TEST(MakePlan, AnEnvFileThatCannotBeRewrittenSafelyIsALocatedErrorAndNothingElse) {
  // The closing quote of an owned key is missing: systemd reads the user's lines after it as
  // part of its value. Rewriting the key would delete them; printing its "old value" would
  // print them (a secret among them).
  DesiredState desired = Desired(kRoster);
  ObservedState observed = Converged(desired);
  std::string& env = observed.files[desired.agents[0].env_path];
  env.replace(env.find("MOSAIC_AGENT_MODEL=\"Claude Opus\""), 32, "MOSAIC_AGENT_MODEL=\"m2");
  env += "# my notes\nAPI_TOKEN=hunter2\n";
  int model_line = 1 + static_cast<int>(std::count(
                           env.begin(), env.begin() + env.find("MOSAIC_AGENT_MODEL"), '\n'));
  Plan plan = MakePlan(desired, observed);
  ASSERT_TRUE(plan.has_errors());
  EXPECT_EQ(plan.errors[0].file, desired.agents[0].env_path);
  EXPECT_EQ(plan.errors[0].location.line, model_line);
  EXPECT_THAT(Steps(plan), Not(testing::Contains(HasSubstr(desired.agents[0].env_path))));
  EXPECT_EQ(Change(plan, "agent.a"), nullptr) << "an agent whose env file is in error is left be";
  std::string text = RenderPlanText(plan, false);
  EXPECT_THAT(text, HasSubstr(fmt::format("{}:{}: error: the value of MOSAIC_AGENT_MODEL",
                                          desired.agents[0].env_path, model_line)));
  EXPECT_THAT(text, HasSubstr("Apply will change nothing until the"));
  EXPECT_THAT(text, Not(HasSubstr("hunter2")));
  EXPECT_THAT(text, Not(HasSubstr("my notes")));
  EXPECT_THAT(PlanToJson(plan).dump(), Not(HasSubstr("hunter2")));
}

TEST(MakePlan, AnEnvFileGivingItsAgentAnotherTmuxSocketDirectoryIsAnError) {
  DesiredState desired = Desired(kRoster);
  ObservedState observed = Converged(desired);
  observed.tmux_tmpdir = "/run/user/1000";
  std::string& env = observed.files[desired.agents[1].env_path];
  env += "TMUX_TMPDIR=/run/user/1000/\n";  // the same directory: fine
  EXPECT_FALSE(MakePlan(desired, observed).has_errors());
  env += "# later\nTMUX_TMPDIR=/tmp\n";
  Plan plan = MakePlan(desired, observed);
  ASSERT_TRUE(plan.has_errors());
  EXPECT_EQ(plan.errors[0].file, desired.agents[1].env_path);
  EXPECT_EQ(plan.errors[0].location.line,
            static_cast<int>(std::count(env.begin(), env.end(), '\n')));
  EXPECT_THAT(plan.errors[0].message, HasSubstr("user manager's (/run/user/1000)"));
  EXPECT_EQ(Change(plan, "agent.a0"), nullptr);
}

TEST(MakePlan, ASymlinkThatNeedsRewritingIsAnErrorInThePlanNotHalfwayThroughApply) {
  DesiredState desired = Desired(kRoster);
  ObservedState observed = Converged(desired);
  observed.symlinks = {desired.agents[0].env_path, desired.UnitFile(kAgentTemplateUnit)->path};
  EXPECT_FALSE(MakePlan(desired, observed).has_errors()) << "nothing to write: links are fine";
  observed.files[desired.agents[0].env_path] += "MOSAIC_AGENT_MODEL=old\n";
  observed.files[desired.UnitFile(kAgentTemplateUnit)->path] += "# edited\n";
  Plan plan = MakePlan(desired, observed);
  ASSERT_EQ(plan.errors.size(), 2u);
  EXPECT_EQ(plan.errors[0].file, desired.UnitFile(kAgentTemplateUnit)->path);
  EXPECT_EQ(plan.errors[1].file, desired.agents[0].env_path);
  EXPECT_THAT(plan.errors[1].message, HasSubstr("it is a symbolic link"));
  EXPECT_THAT(Steps(plan), Not(testing::Contains(HasSubstr("write-file"))));
  EXPECT_THAT(Steps(plan), Not(testing::Contains(HasSubstr("merge-env-file"))));
}

TEST(LaunchCommand, TheModelHintGoesOnlyToTheDefaultCommand) {
  DesiredState desired = Desired(
      "version: 1\nruntimes: {cat: {command: cat}}\nagents:\n"
      "  - {name: a, runtime: claude, model_hint: Opus 4}\n"
      "  - {name: b, runtime: cat, model_hint: Opus 4}\n");
  EXPECT_EQ(desired.agents[0].command, "mosaic yolo claude --model 'Opus 4'");
  EXPECT_EQ(desired.agents[1].command, "cat");
}

TEST(MakePlan, IsDeterministic) {
  DesiredState desired = Desired(kRoster);
  ObservedState observed = Converged(desired);
  observed.sessions["a"].runtime = "pi";
  observed.units["mosaic-agent@zz.service"] = {"mosaic-agent@zz.service", "loaded", "active", true};
  EXPECT_EQ(MakePlan(desired, observed), MakePlan(desired, observed));
}

TEST(MakePlan, FingerprintIgnoresHeartbeatsButSeesEverythingElse) {
  DesiredState desired = Desired(kRoster);
  ObservedState observed = Converged(desired);
  std::string base = ObservedFingerprint(observed);
  observed.heartbeat_ages["a"] = 99;
  EXPECT_EQ(ObservedFingerprint(observed), base);
  observed.sessions["a"].pane_pid = 1;
  EXPECT_NE(ObservedFingerprint(observed), base);
}

TEST(ObservedFingerprint, SeesAChangeInEveryFieldButHeartbeats) {
  // One change per field of ObservedState. A new field must be added here — and so be
  // weighed for the fingerprint a saved plan is checked against.
  const std::map<std::string, std::function<void(ObservedState&)>> change = {
      {"tmux_tmpdir", [](ObservedState& o) { o.tmux_tmpdir = "/x"; }},
      {"tmux_server", [](ObservedState& o) { o.tmux_server = !o.tmux_server; }},
      {"tmux_server_pid", [](ObservedState& o) { o.tmux_server_pid++; }},
      {"sessions", [](ObservedState& o) { o.sessions["a"].env_hash = "x"; }},
      {"tmux_server_outside_holder", [](ObservedState& o) { o.tmux_server_outside_holder = true; }},
      {"previous_sockets",
       [](ObservedState& o) { o.previous_sockets.push_back({.name = "old", .server = true}); }},
      {"units", [](ObservedState& o) { o.units.begin()->second.enabled ^= true; }},
      {"files", [](ObservedState& o) { o.files.begin()->second += "x"; }},
      {"stale_unit_files", [](ObservedState& o) { o.stale_unit_files.push_back("x"); }},
      {"retired_unit_files", [](ObservedState& o) { o.retired_unit_files.push_back("x"); }},
      {"symlinks", [](ObservedState& o) { o.symlinks.push_back("x"); }},
      {"env_files", [](ObservedState& o) { o.env_files.push_back("x"); }},
      {"preserved", [](ObservedState& o) { o.preserved.push_back("x"); }},
      {"operator_stopped", [](ObservedState& o) { o.operator_stopped.push_back("a"); }},
      {"missing_directories", [](ObservedState& o) { o.missing_directories.push_back("a"); }},
      {"missing_programs", [](ObservedState& o) { o.missing_programs["a"] = "x"; }},
  };
  DesiredState desired = Desired(kRoster);
  const ObservedState base = Converged(desired);
  const nlohmann::json fields = ToJson(base);
  for (const auto& [field, value] : fields.items()) {
    // Time and load, not state: a saved plan stays valid while they change.
    if (field == "heartbeat_ages" || field == "observed_at" || field == "usage") continue;
    ASSERT_TRUE(change.contains(field)) << "no change listed for the new field " << field;
    ObservedState changed = base;
    change.at(field)(changed);
    EXPECT_NE(ObservedFingerprint(changed), ObservedFingerprint(base)) << field;
  }
  // How a dead session ended is state; when it or the world was last seen busy is not.
  ObservedState changed = base;
  changed.sessions["a"].dead_signal = 9;
  EXPECT_NE(ObservedFingerprint(changed), ObservedFingerprint(base));
  changed = base;
  changed.sessions["a"].activity = 1'700'000'000;
  changed.observed_at = 1'700'000'001;
  EXPECT_EQ(ObservedFingerprint(changed), ObservedFingerprint(base));
}

}  // namespace
}  // namespace mosaic

namespace mosaic {
namespace {

// ---- Self-healing: drift reasons, server loss, crash loops, holds, preflight ----

constexpr char kPersonaRoster[] =
    "version: 1\n"
    "agents:\n"
    "  - {name: boss, runtime: claude, persistent_persona: true}\n"
    "  - {name: helper, runtime: claude, persistent_persona: semi}\n"
    "  - {name: worker, runtime: claude}\n";

TEST(SelfHealing, AServerLostUnderARunningHolderRestartsTheHolderFirstThenTheAgents) {
  DesiredState desired = Desired(kRoster);
  ObservedState observed = Converged(desired);
  observed.tmux_server = false;
  observed.tmux_server_pid = 0;
  observed.sessions.clear();
  Plan plan = MakePlan(desired, observed);
  ASSERT_NE(Change(plan, "unit.mosaic-tmux-holder.service"), nullptr);
  EXPECT_TRUE(Change(plan, "unit.mosaic-tmux-holder.service")->drift);
  EXPECT_THAT(Change(plan, "agent.a")->reason, HasSubstr("tmux server was lost"));
  EXPECT_THAT(Steps(plan), ElementsAre("restart mosaic-tmux-holder.service",
                                       "start mosaic-agent@a.service,mosaic-agent@a0.service"));
}

TEST(SelfHealing, EveryDriftReasonSaysWhatHappenedAndNeverNewAgent) {
  DesiredState desired = Desired(kRoster);
  ObservedState observed = Converged(desired);
  observed.units["mosaic-agent@a.service"].active_state = "inactive";  // systemctl stop
  observed.sessions.erase("a");
  observed.units["mosaic-agent@a0.service"].enabled = false;  // systemctl disable
  Plan plan = MakePlan(desired, observed);
  EXPECT_THAT(Change(plan, "agent.a")->reason, HasSubstr("stopped outside mosaic-fleet"));
  EXPECT_THAT(Change(plan, "agent.a0")->reason, HasSubstr("disabled outside mosaic-fleet"));
  for (const ResourceChange& c : plan.changes) {
    EXPECT_TRUE(c.drift) << c.address;
    EXPECT_THAT(c.reason, Not(HasSubstr("new agent")));
  }
  EXPECT_THAT(RenderPlanText(plan, false), HasSubstr("Changed outside mosaic-fleet (drift)"));

  ObservedState killed = Converged(desired);
  killed.sessions.erase("a");
  Plan killed_plan = MakePlan(desired, killed);
  EXPECT_THAT(Change(killed_plan, "agent.a")->reason, HasSubstr("killed outside mosaic-fleet"));
  ObservedState edited = Converged(desired);
  edited.files[desired.unit_files[1].path] += "# my edit\n";
  Plan edited_plan = MakePlan(desired, edited);
  const ResourceChange* unit_file = Change(edited_plan, "unit_file.mosaic-agent@.service");
  ASSERT_NE(unit_file, nullptr);
  EXPECT_TRUE(unit_file->drift);
  EXPECT_THAT(unit_file->reason, HasSubstr("edited outside mosaic-fleet"));
}

TEST(SelfHealing, ACrashLoopIsReportedNotRestartedUntilSomethingChanges) {
  DesiredState desired = Desired(kRoster);
  ObservedState observed = Converged(desired);
  observed.sessions.erase("a");
  observed.units["mosaic-agent@a.service"].active_state = "failed";
  observed.units["mosaic-agent@a.service"].result = "start-limit-hit";
  Plan plan = MakePlan(desired, observed);
  EXPECT_EQ(Change(plan, "agent.a"), nullptr);
  ASSERT_FALSE(plan.notes.empty());
  EXPECT_EQ(plan.notes.back().kind, NoteKind::kCrashLoop);
  // A change to the agent (here: its env file) lets apply start it again.
  observed.files[desired.agents[0].env_path] = "";
  Plan changed = MakePlan(desired, observed);
  ASSERT_NE(Change(changed, "agent.a"), nullptr);
  EXPECT_THAT(Steps(changed), testing::Contains(HasSubstr("start mosaic-agent@a.service")));
}

TEST(SelfHealing, AStoppedAgentIsStoppedDisabledAndExactlyItsSessionEnded) {
  DesiredState desired = Desired(
      "version: 1\nagents:\n  - {name: a, runtime: claude, state: stopped}\n"
      "  - {name: a0, runtime: pi}\n");
  ObservedState observed = Converged(desired);
  Plan plan = MakePlan(desired, observed);
  EXPECT_THAT(Steps(plan),
              ElementsAre("stop mosaic-agent@a.service", "disable mosaic-agent@a.service"));
  // Once stopped, it stays stopped: nothing to do, and nothing to start.
  observed.units["mosaic-agent@a.service"] = {"mosaic-agent@a.service", "loaded", "inactive",
                                              false};
  observed.sessions.erase("a");
  EXPECT_TRUE(MakePlan(desired, observed).empty());
  EXPECT_TRUE(MakePlan(desired, observed, {.unattended = true}).empty());
}

TEST(SelfHealing, AnAgentAnOperatorStoppedIsKeptStoppedLikeTheRostersOwn) {
  DesiredState desired =
      Desired("version: 1\nagents:\n  - {name: a, runtime: claude}\n  - {name: a0, runtime: pi}\n");
  ObservedState observed = Converged(desired);
  observed.operator_stopped = {"a"};
  Plan plan = MakePlan(desired, observed);
  EXPECT_THAT(Steps(plan),
              ElementsAre("stop mosaic-agent@a.service", "disable mosaic-agent@a.service"));
  EXPECT_THAT(Change(plan, "agent.a")->reason, HasSubstr("mosaic-fleet start a"));
  observed.units["mosaic-agent@a.service"] = {"mosaic-agent@a.service", "loaded", "inactive",
                                              false};
  observed.sessions.erase("a");
  Plan held = MakePlan(desired, observed);
  EXPECT_TRUE(held.empty());
  EXPECT_TRUE(MakePlan(desired, observed, {.unattended = true}).empty()) << "the timer too";
  // Nothing to do, and the plan says why the agent is down.
  ASSERT_EQ(held.notes.size(), 1u);
  EXPECT_EQ(held.notes[0].kind, NoteKind::kOperatorStopped);
  EXPECT_EQ(held.notes[0].subject, "a");
  EXPECT_THAT(RenderPlanText(held, false), HasSubstr("`mosaic-fleet start a` starts it"));
}

TEST(SelfHealing, APersistentPersonaIsHeldUnlessTheRunNamesIt) {
  DesiredState desired = Desired(kPersonaRoster);
  ObservedState observed = Converged(desired);
  for (auto& [name, session] : observed.sessions)
    if (session.owned()) session.runtime = "pi";  // every agent: a runtime change
  Plan plan = MakePlan(desired, observed);
  EXPECT_THAT(Change(plan, "agent.boss")->held, HasSubstr("--replace boss"));
  EXPECT_TRUE(Change(plan, "agent.helper")->held.empty()) << "semi: held only when unattended";
  EXPECT_THAT(Steps(plan), ElementsAre("restart mosaic-agent@helper.service,"
                                       "mosaic-agent@worker.service"));
  EXPECT_THAT(RenderPlanText(plan, false), HasSubstr("1 held"));
  Plan released = MakePlan(desired, observed, {.replace = {"boss"}});
  EXPECT_TRUE(Change(released, "agent.boss")->held.empty());
  EXPECT_THAT(Steps(released),
              ElementsAre("restart mosaic-agent@boss.service,"
                          "mosaic-agent@helper.service,mosaic-agent@worker.service"));
}

TEST(SelfHealing, AnUnattendedRunHealsButNeverEndsALiveSession) {
  DesiredState desired = Desired(kPersonaRoster);
  ObservedState observed = Converged(desired);
  observed.sessions["worker"].runtime = "pi";  // a roster change: replace, held
  observed.sessions["helper"].dead = true;     // dead: restarted, nothing live is lost
  observed.units["mosaic-agent@boss.service"].enabled = false;  // drift: re-enabled
  Plan plan = MakePlan(desired, observed, {.unattended = true});
  EXPECT_THAT(Change(plan, "agent.worker")->held, HasSubstr("unattended"));
  EXPECT_TRUE(Change(plan, "agent.helper")->held.empty());
  EXPECT_THAT(Steps(plan), ElementsAre("enable mosaic-agent@boss.service",
                                       "restart mosaic-agent@helper.service"));
  // reconcile.allow_destroy lets it replace the live session.
  DesiredState allowing =
      Desired(std::string(kPersonaRoster) + "reconcile: {interval: 5min, allow_destroy: true}\n");
  Plan allowed = MakePlan(allowing, observed, {.unattended = true});
  EXPECT_TRUE(Change(allowed, "agent.worker")->held.empty());
}

TEST(SelfHealing, RestartNeverLeavesADeadAgentToAPersonUnattended) {
  DesiredState desired =
      Desired("version: 1\nagents:\n  - {name: a, runtime: claude, restart: never}\n");
  ObservedState observed = Converged(desired);
  observed.sessions["a"].dead = true;
  observed.sessions["a"].dead_status = 3;
  Plan unattended = MakePlan(desired, observed, {.unattended = true});
  EXPECT_THAT(Change(unattended, "agent.a")->held, HasSubstr("restart: never"));
  Plan attended = MakePlan(desired, observed);
  EXPECT_THAT(Change(attended, "agent.a")->reason,
              HasSubstr("its program exited with status 3; restarting it"));
  EXPECT_THAT(Steps(attended), ElementsAre("restart mosaic-agent@a.service"));
}

TEST(SelfHealing, AHolderOfAnotherSocketIsNeverRestartedForAServerItDoesNotOwn) {
  // The roster names a new socket (or a wrong --roster another one): no server there, but the
  // running holder serves the old socket, and restarting it would end every session.
  DesiredState desired = Desired(kRoster);
  ObservedState observed = Converged(desired);
  observed.tmux_server = false;
  observed.sessions.clear();
  observed.files[desired.unit_files[0].path] += "# an older holder\n";
  Plan plan = MakePlan(desired, observed);
  for (const Step& step : plan.steps) {
    if (step.kind == StepKind::kRestartUnits) {
      EXPECT_THAT(step.names, Not(testing::Contains(std::string(kHolderUnit))));
    }
  }
  observed.files[desired.unit_files[0].path] = desired.unit_files[0].content;
  observed.stale_unit_files = {kHolderUnit};
  for (const Step& step : MakePlan(desired, observed).steps) {
    if (step.kind == StepKind::kRestartUnits) {
      EXPECT_THAT(step.names, Not(testing::Contains(std::string(kHolderUnit))));
    }
  }
}

TEST(SelfHealing, AHeldAgentKeepsItsEnvFileAndAStoppedPersonaIsHeldToo) {
  DesiredState desired = Desired(kPersonaRoster);
  ObservedState observed = Converged(desired);
  DesiredState changed = Desired(
      "version: 1\nagents:\n"
      "  - {name: boss, runtime: claude, model_hint: m2, persistent_persona: true}\n"
      "  - {name: helper, runtime: claude, persistent_persona: semi}\n"
      "  - {name: worker, runtime: claude}\n");
  Plan plan = MakePlan(changed, observed);
  ASSERT_NE(Change(plan, "agent.boss"), nullptr);
  EXPECT_FALSE(Change(plan, "agent.boss")->held.empty());
  ASSERT_NE(Change(plan, "env_file.boss"), nullptr);
  EXPECT_FALSE(Change(plan, "env_file.boss")->held.empty());
  EXPECT_TRUE(plan.steps.empty()) << "nothing of a held change is made, its env file included";

  DesiredState stopped = Desired(
      "version: 1\nagents:\n  - {name: boss, runtime: claude, persistent_persona: true, "
      "state: stopped}\n  - {name: helper, runtime: claude, persistent_persona: semi}\n"
      "  - {name: worker, runtime: claude}\n");
  Plan stop = MakePlan(stopped, observed);
  EXPECT_THAT(Change(stop, "agent.boss")->held, HasSubstr("--replace boss"));
  EXPECT_TRUE(stop.steps.empty());
  EXPECT_THAT(Steps(MakePlan(stopped, observed, {.replace = {"boss"}})),
              ElementsAre("stop mosaic-agent@boss.service", "disable mosaic-agent@boss.service"));
}

TEST(SelfHealing, FilesChangedOutsideTheToolAreDrift) {
  DesiredState desired = Desired(kRoster);
  ObservedState observed = Converged(desired);
  observed.files.erase(desired.agents[0].env_path);
  observed.files.erase(desired.unit_files[1].path);
  observed.files[desired.agents[1].env_path] =
      MergeEnvFile("", desired.agents[1].owned_env).content;
  std::string& env = observed.files[desired.agents[1].env_path];
  env.replace(env.find("MOSAIC_AGENT_RUNTIME=\"pi\""), 26, "MOSAIC_AGENT_RUNTIME=\"xx\"");
  Plan plan = MakePlan(desired, observed);
  EXPECT_TRUE(Change(plan, "env_file.a")->drift) << "deleted while its agent runs";
  EXPECT_TRUE(Change(plan, "env_file.a0")->drift) << "an owned key edited by hand";
  EXPECT_TRUE(Change(plan, "unit_file.mosaic-agent@.service")->drift)
      << "deleted while its units are loaded";
}

TEST(SelfHealing, AnUnattendedRunNeverStartsARestartNeverAgentOrStopsItself) {
  DesiredState desired =
      Desired("version: 1\nagents:\n  - {name: a, runtime: claude, restart: never}\n");
  ObservedState observed = Converged(desired);
  observed.sessions.erase("a");
  observed.units["mosaic-agent@a.service"].active_state = "failed";
  observed.units["mosaic-agent@a.service"].result = "exit-code";
  Plan unattended = MakePlan(desired, observed, {.unattended = true});
  EXPECT_THAT(Change(unattended, "agent.a")->held, HasSubstr("restart: never"));
  EXPECT_TRUE(unattended.steps.empty());

  // The reconcile service, retired while it runs (its run is this one): never stopped.
  ObservedState running = Converged(desired);
  running.retired_unit_files = {kReconcileService};
  running.units[kReconcileService] = {kReconcileService, "loaded", "activating", false};
  for (const Step& step : MakePlan(desired, running, {.unattended = true}).steps)
    EXPECT_NE(step.kind, StepKind::kStopUnits);
}

TEST(SelfHealing, WhatWouldFailAStartIsAnErrorOnlyForAgentsThePlanStarts) {
  DesiredState desired = Desired(kRoster);
  ObservedState observed = Converged(desired);
  observed.missing_directories = {"a"};
  observed.missing_programs = {{"a0", "pi-cli"}};
  EXPECT_FALSE(MakePlan(desired, observed).has_errors()) << "both run: nothing is started";
  observed.sessions.erase("a");
  observed.sessions.erase("a0");
  Plan plan = MakePlan(desired, observed);
  ASSERT_EQ(plan.errors.size(), 2u);
  EXPECT_EQ(plan.errors[0].file, desired.roster_path);
  EXPECT_EQ(plan.errors[0].location.line, desired.agents[0].spec.location.line);
  EXPECT_THAT(plan.errors[0].message, HasSubstr("working directory"));
  EXPECT_THAT(plan.errors[1].message, HasSubstr("\"pi-cli\", which is not found"));
}

}  // namespace
}  // namespace mosaic
