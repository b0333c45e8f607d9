// `mosaic-fleet import` against real tmux sessions made by hand: the entries it prints
// (fixtures/import/*.yaml, with the sandbox's root written as ROOT; MOSAIC_UPDATE_GOLDEN=1
// rewrites them — review the diff), what `--write` does to a roster, and adoption through
// the plan: a new agent for a session on another socket, `--replace NAME` for one on the
// fleet's own.
#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "fleet_fixture.h"

namespace mosaic::integration {
namespace {

using testing::HasSubstr;
using testing::Not;

class Import : public FleetIntegration {
 protected:
  // A stand-in for a runtime's program, by its name (its basename is what import sees).
  std::string Program(const std::string& name) {
    std::string path = sandbox_.root() + "/programs/" + name;
    sandbox_.WriteFile(path, "#!/bin/sh\nexec sleep 1000\n");
    ::chmod(path.c_str(), 0755);
    return path;
  }

  // A session made by hand on `socket`, running `argv` in `directory` (none: a shell).
  void MakeSession(const std::string& socket, const std::string& name, const std::string& directory,
                   std::vector<std::string> argv = {}) {
    std::vector<std::string> args = {"new-session", "-d", "-s", name, "-c", directory};
    args.insert(args.end(), argv.begin(), argv.end());
    RunResult r = sandbox_.Tmux(socket, args);
    ASSERT_EQ(r.code, 0) << name << ": " << r.err;
    // tmux tells a pane's directory only once its program runs (until then
    // #{pane_current_path} is empty, and import would leave the session out: the CI run of
    // 5fa4599, under the sanitizers, once imported nothing).
    ASSERT_TRUE(WaitFor([&] {
      return sandbox_
                 .Tmux(socket,
                       {"display-message", "-p", "-t", "=" + name + ":", "#{pane_current_path}"})
                 .out.size() > 1;
    })) << name
        << "'s directory was never told";
  }

  std::string Golden(const std::string& name, std::string actual) {
    for (size_t at = actual.find(sandbox_.root()); at != std::string::npos;
         at = actual.find(sandbox_.root()))
      actual.replace(at, sandbox_.root().size(), "ROOT");
    std::string path = std::string(MOSAIC_FIXTURES_DIR) + "/import/" + name;
    if (std::getenv("MOSAIC_UPDATE_GOLDEN")) std::ofstream(path, std::ios::binary) << actual;
    std::ifstream in(path, std::ios::binary);
    std::stringstream expected;
    expected << in.rdbuf();
    EXPECT_EQ(actual, expected.str()) << "golden " << path;
    return actual;
  }
};

TEST_F(Import, PrintsEntriesForHandMadeSessionsAndWritesThemKeepingTheRoster) {
  Converge();
  const std::string home = sandbox_.Home();
  std::filesystem::create_directories(home + "/proj/a b");
  // On another socket, as the previous tool's sessions: names YAML would read as a date, a
  // boolean, a number; one the roster rejects; a shell; a program by path; a prefix sibling.
  const std::string factory = "factory";
  MakeSession(factory, "2024-01-01", home + "/proj", {Program("codex")});
  MakeSession(factory, "true", home + "/proj/a b", {Program("claude"), "--resume"});
  MakeSession(factory, "1e3", "/tmp", {"mosaic", "yolo", "pi"});
  MakeSession(factory, "a+b", home, {Program("codex")});
  MakeSession(factory, "shell", home);
  MakeSession(factory, "editor", home, {Program("vim"), "notes.md"});  // not a runtime
  MakeSession(factory, "a", home, {Program("codex")});  // the roster's agent a: not imported

  RunResult printed = sandbox_.Fleet({"import", "--socket", factory});
  ASSERT_EQ(printed.code, 0) << printed.err;
  Golden("factory.yaml", printed.out);
  EXPECT_THAT(printed.err, HasSubstr("3 entries for tmux -S"));
  RunResult some = sandbox_.Fleet({"import", "--socket", factory, "true"});
  EXPECT_THAT(some.out, HasSubstr("- name: \"true\""));
  EXPECT_THAT(some.out, Not(HasSubstr("2024-01-01")));
  RunResult missing = sandbox_.Fleet({"import", "--socket", factory, "nope"});
  EXPECT_EQ(missing.code, 1);
  EXPECT_THAT(missing.err, HasSubstr("no session named \"nope\""));
  EXPECT_EQ(sandbox_.Fleet({"import", "--socket", "default"}).code, 1);
  EXPECT_THAT(sandbox_.Fleet({"import", "--socket", factory, "a"}).err,
              HasSubstr("already an agent"));

  // --write: the roster's own lines (comments included) stay as they were, then the entries.
  const std::string roster = std::string(kRoster).insert(0, "# my fleet\n") + "  # the end\n";
  WriteRoster(roster);
  RunResult written = sandbox_.Fleet({"import", "--socket", factory, "--write"});
  ASSERT_EQ(written.code, 0) << written.err;
  std::string after = sandbox_.ReadFile(sandbox_.RosterPath());
  ASSERT_TRUE(after.starts_with(roster)) << after;
  EXPECT_EQ(after.substr(roster.size()), printed.out);
  ASSERT_EQ(sandbox_.Fleet({"validate"}).code, 0);
  // Again: every session is in the roster now, so nothing is appended twice.
  RunResult twice = sandbox_.Fleet({"import", "--socket", factory, "--write"});
  EXPECT_EQ(twice.code, 0) << twice.err;
  EXPECT_THAT(twice.err, HasSubstr("nothing to write"));
  EXPECT_EQ(sandbox_.ReadFile(sandbox_.RosterPath()), after);

  // Adopting them is the normal plan: new agents on the fleet's socket; the sessions on the
  // other socket are left running, untouched.
  std::map<std::string, long> before = sandbox_.Sessions(factory);
  RunResult plan = sandbox_.Fleet({"plan"});
  EXPECT_THAT(plan.out, HasSubstr("+ agent.2024-01-01"));
  EXPECT_THAT(plan.out, HasSubstr("+ agent.true"));
  ASSERT_EQ(Apply().code, 0);
  EXPECT_EQ(sandbox_.Sessions(factory), before);
  EXPECT_TRUE(sandbox_.Sessions(kSocket).contains("2024-01-01"));
  EXPECT_TRUE(PlanIsEmpty());

  // A roster whose agents: list is not its last block is not appended to; nothing is written.
  WriteRoster("version: 1\nagents:\n  - {name: a, runtime: claude}\ntmux: {socket_name: itest}\n");
  RunResult refused = sandbox_.Fleet({"import", "--socket", factory, "--write"});
  EXPECT_EQ(refused.code, 1);
  EXPECT_THAT(refused.err, HasSubstr("is not the roster's last block"));
  EXPECT_EQ(sandbox_.ReadFile(sandbox_.RosterPath()),
            "version: 1\nagents:\n  - {name: a, runtime: claude}\ntmux: {socket_name: itest}\n");
  // A read-only roster is not replaced.
  WriteRoster(kRoster);
  ::chmod(sandbox_.RosterPath().c_str(), 0444);
  RunResult read_only = sandbox_.Fleet({"import", "--socket", factory, "--write"});
  EXPECT_EQ(read_only.code, 1);
  EXPECT_THAT(read_only.err, HasSubstr("is read-only; nothing was written"));
  EXPECT_EQ(sandbox_.ReadFile(sandbox_.RosterPath()), kRoster);
  ::chmod(sandbox_.RosterPath().c_str(), 0644);
  sandbox_.Tmux(factory, {"kill-server"});
}

TEST_F(Import, ASessionOnTheFleetsOwnSocketIsAdoptedOnlyByReplaceAndThenExactly) {
  Converge();
  MakeSession(kSocket, "keeper", sandbox_.Home(), {Program("codex")});
  MakeSession(kSocket, "keeper0", sandbox_.Home(), {Program("codex")});
  // Written stopped: the session holds the agent's name, and an entry that would start it
  // would make every plan (the reconcile timer's too) an error until it is adopted.
  ASSERT_EQ(sandbox_.Fleet({"import", "keeper", "--write"}).code, 0);
  std::string roster = sandbox_.ReadFile(sandbox_.RosterPath());
  EXPECT_THAT(roster, HasSubstr("- name: keeper\n"));
  EXPECT_THAT(roster, HasSubstr("    state: stopped\n"));
  const long sibling = sandbox_.Sessions(kSocket).at("keeper0");
  const long foreign = sandbox_.Sessions(kSocket).at("keeper");
  ASSERT_EQ(Apply().code, 0);
  EXPECT_TRUE(PlanIsEmpty());
  EXPECT_EQ(sandbox_.Sessions(kSocket).at("keeper"), foreign);

  // Started in the roster, it is an error that says how to adopt it, and nothing changes.
  roster.erase(roster.find("    state: stopped\n"), 19);
  WriteRoster(roster);
  RunResult plan = sandbox_.Fleet({"plan"});
  EXPECT_EQ(plan.code, 1);
  EXPECT_THAT(plan.out + plan.err, HasSubstr("`mosaic-fleet apply --replace keeper` ends it"));
  EXPECT_EQ(sandbox_.Fleet({"apply", "--yes"}).code, 1);
  EXPECT_EQ(sandbox_.Sessions(kSocket).at("keeper"), foreign);

  RunResult shown = sandbox_.Fleet({"plan", "--replace", "keeper"});
  EXPECT_THAT(shown.out, HasSubstr("-/+ agent.keeper"));
  EXPECT_THAT(shown.out, HasSubstr("adopts session keeper, which mosaic-fleet did not create"));
  RunResult adopted = Apply({"--replace", "keeper"});
  ASSERT_EQ(adopted.code, 0) << adopted.out << adopted.err;
  EXPECT_NE(sandbox_.Sessions(kSocket).at("keeper"), foreign);
  EXPECT_EQ(PaneValue("keeper", "#{@mosaic-owner}"), "mosaic-fleet");
  EXPECT_EQ(sandbox_.Sessions(kSocket).at("keeper0"), sibling);  // exact: not its prefix sibling
  EXPECT_TRUE(PlanIsEmpty());
}

}  // namespace
}  // namespace mosaic::integration
