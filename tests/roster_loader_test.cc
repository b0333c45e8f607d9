#include "roster_loader.h"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace mosaic {
namespace {

using testing::ElementsAre;
using testing::HasSubstr;

std::vector<std::string> Messages(const RosterLoad& load) {
  std::vector<std::string> out;
  for (const Diagnostic& d : load.diagnostics)
    out.push_back(fmt::format("{}:{}: {}{}{}", d.location.line, d.location.column, d.path,
                              d.path.empty() ? "" : ": ", d.message));
  return out;
}

TEST(ParseRoster, AppliesDefaultsAndInheritance) {
  RosterLoad load = ParseRoster(
      "version: 1\nhost: h1\ndefaults:\n  working_directory: /srv\nagents:\n"
      "  - {name: a, runtime: pi}\n  - {name: b, runtime: claude, working_directory: ~/b, host: "
      "h2}\n",
      "r.yaml");
  ASSERT_TRUE(load.roster) << Messages(load)[0];
  const Roster& r = *load.roster;
  EXPECT_EQ(r.socket_name, "mosaic-fleet");
  EXPECT_EQ(r.holder_session, "_holder");
  EXPECT_EQ(r.transport, "tmux");
  ASSERT_EQ(r.agents.size(), 2u);
  EXPECT_EQ(r.agents[0].working_directory, "/srv");
  EXPECT_EQ(r.agents[0].host, "h1");
  EXPECT_EQ(r.agents[1].working_directory, "~/b");
  EXPECT_EQ(r.agents[1].host, "h2");
  EXPECT_EQ(r.agents[1].location.line, 7);
}

TEST(ParseRoster, ReadsStateRestartAndReconcile) {
  RosterLoad load = ParseRoster(
      "version: 1\ndefaults: {restart: always}\nreconcile: {interval: 1h 30min, allowDestroy: "
      "true}\nagents:\n  - {name: a, runtime: pi, state: stopped}\n"
      "  - {name: b, runtime: pi, restart: never}\n",
      "r.yaml");
  ASSERT_TRUE(load.roster) << Messages(load)[0];
  const Roster& r = *load.roster;
  ASSERT_TRUE(r.reconcile);
  EXPECT_EQ(r.reconcile->interval, "1h 30min");
  EXPECT_EQ(r.reconcile->interval_seconds, 5400);
  EXPECT_TRUE(r.reconcile->allow_destroy);
  EXPECT_TRUE(r.agents[0].stopped);
  EXPECT_EQ(r.agents[0].restart, "always");
  EXPECT_FALSE(r.agents[1].stopped);
  EXPECT_EQ(r.agents[1].restart, "never");
}

TEST(ParseRoster, ReadsHeartbeatLimitsInSecondsOrAsATimeSpan) {
  RosterLoad load = ParseRoster(
      "version: 1\nhealth: {heartbeat_stale_after: 30min}\nagents:\n"
      "  - {name: a, runtime: pi}\n  - {name: b, runtime: pi, heartbeat_stale_after: 90}\n"
      "  - {name: c, runtime: pi, heartbeatStaleAfter: 1h 30s}\n",
      "r.yaml");
  ASSERT_TRUE(load.roster) << Messages(load)[0];
  EXPECT_EQ(load.roster->agents[0].heartbeat_stale_after, 1800);
  EXPECT_EQ(load.roster->agents[1].heartbeat_stale_after, 90);
  EXPECT_EQ(load.roster->agents[2].heartbeat_stale_after, 3630);
  RosterLoad plain = ParseRoster("version: 1\nagents:\n  - {name: a, runtime: pi}\n", "r.yaml");
  ASSERT_TRUE(plain.roster);
  EXPECT_EQ(plain.roster->agents[0].heartbeat_stale_after, 600);
  RosterLoad bad = ParseRoster(
      "version: 1\nagents:\n  - {name: a, runtime: pi, heartbeat_stale_after: soon}\n", "r.yaml");
  EXPECT_FALSE(bad.roster);
  ASSERT_FALSE(bad.diagnostics.empty());
  EXPECT_EQ(bad.diagnostics[0].location.line, 3);
  EXPECT_THAT(bad.diagnostics[0].message, testing::HasSubstr("a time span such as 10min"));
  RosterLoad zero =
      ParseRoster("version: 1\nhealth: {heartbeat_stale_after: 0s}\nagents: []\n", "r.yaml");
  EXPECT_FALSE(zero.roster);
  ASSERT_FALSE(zero.diagnostics.empty());
  EXPECT_EQ(zero.diagnostics[0].location.line, 2);
  EXPECT_THAT(zero.diagnostics[0].message, testing::HasSubstr("between 1 second and a year"));
}

TEST(ParseRoster, WithoutAReconcileBlockThereIsNoTimerAndAgentsRun) {
  RosterLoad load = ParseRoster("version: 1\nagents: [{name: a, runtime: pi}]\n", "r.yaml");
  ASSERT_TRUE(load.roster);
  EXPECT_FALSE(load.roster->reconcile);
  EXPECT_FALSE(load.roster->agents[0].stopped);
  EXPECT_EQ(load.roster->agents[0].restart, "on-failure");
}

TEST(ParseRoster, DefaultWorkingDirectoryIsHome) {
  RosterLoad load = ParseRoster("version: 1\nagents: [{name: a, runtime: pi}]\n", "r.yaml");
  ASSERT_TRUE(load.roster);
  EXPECT_EQ(load.roster->agents[0].working_directory, "~");
}

TEST(ParseRoster, NormalisesCamelCaseSpellings) {
  RosterLoad load = ParseRoster(
      "version: 1\ntmux: {socketName: s1, holderSession: h}\nruntimes: {pi: {resetCommand: /new}}\n"
      "agents: [{name: a, runtime: pi, modelHint: m, persistentPersona: semi, resetBetweenTasks: "
      "true}]\n",
      "r.yaml");
  ASSERT_TRUE(load.roster) << Messages(load)[0];
  EXPECT_EQ(load.roster->socket_name, "s1");
  EXPECT_EQ(load.roster->holder_session, "h");
  EXPECT_EQ(load.roster->runtimes.at("pi").reset_command, "/new");
  EXPECT_EQ(load.roster->agents[0].model_hint, "m");
  EXPECT_EQ(load.roster->agents[0].persistent_persona, "semi");
  EXPECT_TRUE(load.roster->agents[0].reset_between_tasks);
}

TEST(ParseRoster, ReportsEveryErrorSortedByPosition) {
  RosterLoad load = ParseRoster(
      "version: 1\nagents:\n  - name: b:1\n    runtime: pi\n  - name: ok\n    runtime: pi\n    "
      "colour: red\n"
      "  - name: ok\n    runtime: 'p i'\n",
      "r.yaml");
  EXPECT_FALSE(load.roster);
  EXPECT_THAT(
      Messages(load),
      ElementsAre(
          "3:11: agents[0].name: \"b:1\" may not contain ':' (tmux reads it as a window or pane "
          "separator)",
          "7:5: agents[1]: unknown key 'colour'; expected one of: class, heartbeat_stale_after, "
          "host, kickstart_template, "
          "model_hint, name, persistent_persona, reset_between_tasks, restart, runtime, ssh, "
          "state, "
          "working_directory",
          "8:11: agents[2].name: duplicate agent name \"ok\" (first used at line 5)",
          "9:14: agents[2].runtime: \"p i\" may not contain whitespace"));
  for (const Diagnostic& d : load.diagnostics) EXPECT_EQ(d.file, "r.yaml");
}

TEST(ParseRoster, HolderCollisionUsesTheConfiguredHolderName) {
  RosterLoad ok = ParseRoster(
      "version: 1\ntmux: {holder_session: keep}\nagents: [{name: _holder, runtime: pi}]\n", "r");
  EXPECT_TRUE(ok.roster);
  RosterLoad bad = ParseRoster("version: 1\nagents: [{name: _holder, runtime: pi}]\n", "r");
  EXPECT_THAT(Messages(bad), ElementsAre(HasSubstr("is the holder session's name")));
}

TEST(ParseRoster, BothSpellingsOfOneKeyIsAnError) {
  RosterLoad load = ParseRoster(
      "version: 1\nagents: [{name: a, runtime: pi, model_hint: x, modelHint: y}]\n", "r");
  EXPECT_THAT(Messages(load),
              ElementsAre(HasSubstr("'model_hint' and 'modelHint' are the same key")));
}

TEST(ParseRoster, RejectsTheDefaultTmuxSocketInEitherSpelling) {
  EXPECT_FALSE(ParseRoster("version: 1\ntmux: {socket_name: default}\nagents: []\n", "r").roster);
  EXPECT_FALSE(ParseRoster("version: 1\ntmux: {socketName: default}\nagents: []\n", "r").roster);
}

TEST(ParseRoster, NamesThatReachTmuxOrAShellAreRejected) {
  for (const char* name :
       {"a.b", "a:b", "a b", "-a", "a/b", "#{x}", "#(x)", "a$b", "a;b", "a`b`", "a'b", "é"}) {
    std::string yaml = fmt::format("version: 1\nagents: [{{name: {}, runtime: pi}}]\n",
                                   nlohmann::json(name).dump());
    EXPECT_FALSE(ParseRoster(yaml, "r").roster) << name;
  }
}

TEST(ParseRoster, RuntimeCommandMayHoldShellSyntax) {
  RosterLoad load = ParseRoster(
      "version: 1\nruntimes: {pi: {command: 'pi --yolo \"$HOME\" | tee log'}}\nagents: []\n", "r");
  ASSERT_TRUE(load.roster);
  EXPECT_EQ(load.roster->runtimes.at("pi").command, "pi --yolo \"$HOME\" | tee log");
}

TEST(ParseRoster, ControlCharactersAreRejectedInEveryText) {
  EXPECT_FALSE(
      ParseRoster("version: 1\nagents: [{name: a, runtime: pi, model_hint: \"x\\ny\"}]\n", "r")
          .roster);
  EXPECT_FALSE(
      ParseRoster("version: 1\nruntimes: {pi: {command: \"a\\nrm -rf /\"}}\nagents: []\n", "r")
          .roster);
}

TEST(ParseRoster, TenThousandAgentsLoad) {
  std::string yaml = "version: 1\nagents:\n";
  for (int i = 0; i < 10000; ++i) yaml += fmt::format("  - name: agent{}\n    runtime: pi\n", i);
  RosterLoad load = ParseRoster(yaml, "big.yaml");
  ASSERT_TRUE(load.roster);
  EXPECT_EQ(load.roster->agents.size(), 10000u);
}

}  // namespace
}  // namespace mosaic
