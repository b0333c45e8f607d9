// RosterImport: entries YAML reads back as written, and where entries may be appended.
#include "roster_import.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "roster_loader.h"

namespace mosaic {
namespace {

using testing::HasSubstr;

TEST(RosterImport, ValuesYamlWouldReadAsSomethingElseAreQuotedAndReadBackAsWritten) {
  for (const char* value :
       {"true", "Yes", "off", "NULL", "~", "1e3", "0x1F", "2024-01-01", "1_000", "-dash", "a: b",
        "#x", "with space", "quote\"d", "", "/abs/path", "~/proj"}) {
    std::string yaml = YamlString(value);
    EXPECT_TRUE(yaml.starts_with("\"")) << value << " → " << yaml;
    // Read back through the roster's own loader: a name that would not be the same string
    // fails the schema (it wants a string) or comes back different.
    RosterLoad load = ParseRoster(
        "version: 1\nagents:\n  - {name: a, runtime: pi, class: " + yaml + "}\n", "t.yaml");
    ASSERT_TRUE(load.roster) << value;
    EXPECT_EQ(load.roster->agents.at(0).agent_class, value);
  }
  for (const char* value : {"coder0", "reviewer-a", "codex", "proj/sub.dir"})
    EXPECT_EQ(YamlString(value), value);
}

TEST(RosterImport, EntriesAreAppendedOnlyWhereAgentsIsTheLastBlockList) {
  EXPECT_EQ(AgentsListIndent("version: 1\nagents:\n  - {name: a, runtime: pi}\n"), 2);
  EXPECT_EQ(AgentsListIndent("version: 1\nagents: # mine\n    # first\n    - name: a\n"), 4);
  EXPECT_EQ(AgentsListIndent("version: 1\nagents:\n- name: a\n  runtime: pi\n# end\n"), 0);
  EXPECT_EQ(AgentsListIndent("version: 1\nagents:\n"), 2);
  EXPECT_EQ(AgentsListIndent("agents:\n  - {name: a, runtime: pi}\ntmux: {socket_name: x}\n"), -1);
  EXPECT_EQ(AgentsListIndent("version: 1\nagents: [{name: a, runtime: pi}]\n"), -1);
  EXPECT_EQ(AgentsListIndent("version: 1\n"), -1);
  EXPECT_EQ(AgentsListIndent("---\nversion: 1\nagents:\n  - {name: a, runtime: pi}\n"), 2);
  EXPECT_EQ(AgentsListIndent("agents:\n  - {name: a, runtime: pi}\n---\nagents: []\n"), -1);
}

TEST(RosterImport, ASessionTheToolMadeOrThatCannotBeAnAgentIsACommentSayingWhy) {
  Roster roster;
  roster.agents.push_back({.name = "a", .runtime = "pi"});
  std::vector<RunningSession> sessions = {
      {.name = "a", .start_command = "pi"},  // in the roster: not listed
      {.name = "_holder", .owner = "mosaic-fleet-holder"},
      {.name = "gone", .owner = "mosaic-fleet", .start_command = "mosaic-fleet session exec gone"},
      {.name = "x+y", .start_command = "codex"},
      {.name = "fresh", .start_command = "codex"},  // tmux has not told its directory yet
      {.name = "b", .start_command = "/usr/bin/codex --full-auto", .directory = "/home/op/w"}};
  ImportedEntries out = ImportEntries(roster, sessions, "s", "/home/op", 2);
  EXPECT_EQ(out.entries, 1);
  EXPECT_EQ(out.skipped, 3);
  EXPECT_THAT(out.yaml, HasSubstr("tmux did not tell its working directory"));
  EXPECT_THAT(out.yaml, HasSubstr("no longer in the roster (apply removes it)"));
  EXPECT_THAT(out.yaml, HasSubstr("may not contain '+'"));
  EXPECT_THAT(out.yaml, HasSubstr("  - name: b\n    runtime: codex\n    working_directory: "
                                  "\"~/w\"\n"));
  EXPECT_EQ(out.yaml.find("_holder"), std::string::npos);
}

TEST(RosterImport, OnlyAProgramKnownAsARuntimeMakesAnEntryAndEveryEntryValidates) {
  Roster roster;
  roster.holder_session = "_holder";
  roster.runtimes["wrapped"].command = "bash -lc 'exec claude'";
  std::vector<RunningSession> sessions = {
      {.name = "py", .start_command = "python3 x.py", .directory = "/w"},
      {.name = "plain", .current_command = "bash", .directory = "/w"},  // not `wrapped`
      {.name = "evil", .start_command = "mosaic yolo 'a$(id)'", .directory = "/w"},
      {.name = "_holder", .start_command = "codex", .directory = "/w"},
      {.name = "bytes", .start_command = "codex", .directory = "/w/\xff"},
      {.name = "ctl", .start_command = "codex", .directory = "/w/a\x7f"},
      {.name = "ok", .start_command = "/opt/bin/claude --resume", .directory = "/w"}};
  ImportedEntries out = ImportEntries(roster, sessions, "s", "/home/op", 2);
  EXPECT_EQ(out.entries, 1) << out.yaml;
  EXPECT_EQ(out.skipped, 6);
  EXPECT_THAT(out.yaml, HasSubstr("name of the fleet's holder session"));
  EXPECT_THAT(out.yaml, HasSubstr("not UTF-8 text"));
  EXPECT_THAT(out.yaml, HasSubstr("its working directory may not contain control characters"));
  RosterLoad load = ParseRoster("version: 1\nagents:\n" + out.yaml, "t.yaml");
  ASSERT_TRUE(load.roster) << out.yaml;
  ASSERT_EQ(load.roster->agents.size(), 1u);
  EXPECT_EQ(load.roster->agents[0].name, "ok");
  EXPECT_EQ(load.roster->agents[0].runtime, "claude");
  // On the fleet's own socket, entries are written stopped.
  EXPECT_THAT(ImportEntries(roster, {sessions.back()}, "s", "/home/op", 2, true).yaml,
              HasSubstr("    state: stopped\n"));
}

}  // namespace
}  // namespace mosaic
