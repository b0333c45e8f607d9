// Which agent command lines are plain words, run without a shell exactly as /bin/sh would run
// them, and which only a shell can run. The integration tests run both kinds for real
// (tests/integration/agent_commands_test.cc).
#include "shell_command.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace mosaic {
namespace {

using testing::ElementsAre;
using Words = std::optional<std::vector<std::string>>;

TEST(PlainCommandWords, SplitsPlainWordsAtSpacesAndTabs) {
  EXPECT_THAT(*PlainCommandWords("cat"), ElementsAre("cat"));
  EXPECT_THAT(*PlainCommandWords("  mosaic yolo\tclaude  --model opus-4.1 "),
              ElementsAre("mosaic", "yolo", "claude", "--model", "opus-4.1"));
  EXPECT_THAT(*PlainCommandWords("/opt/agents/bin/codex --config=a,b:c@host +x %1"),
              ElementsAre("/opt/agents/bin/codex", "--config=a,b:c@host", "+x", "%1"));
  EXPECT_THAT(*PlainCommandWords("./run caf\xc3\xa9"), ElementsAre("./run", "caf\xc3\xa9"));
}

TEST(PlainCommandWords, LeavesToTheShellWhatItWouldInterpret) {
  for (std::string command : {"",
                              "   ",
                              "exec cat",
                              "echo hi",
                              "cd /srv && claude",
                              "claude; cat",
                              "claude | tee log",
                              "claude > log",
                              "claude < in",
                              "claude &",
                              "(claude)",
                              "{ claude; }",
                              "claude $HOME",
                              "claude ${X}",
                              "claude `id`",
                              "claude 'quoted'",
                              "claude \"quoted\"",
                              "claude a\\ b",
                              "claude *",
                              "claude ?",
                              "claude [ab]",
                              "claude ~/x",
                              "claude # comment",
                              "! claude",
                              "FOO=1 claude",
                              "if true; then claude; fi",
                              "claude\nid",
                              "time claude",
                              "wait",
                              "claude a!b",
                              "claude a#b"}) {
    EXPECT_EQ(PlainCommandWords(command), std::nullopt) << command;
  }
}

TEST(ProgramOfCommand, IsTheFirstWordWhenThatIsAProgram) {
  EXPECT_EQ(ProgramOfCommand("  claude --model x; echo done"), "claude");
  EXPECT_EQ(ProgramOfCommand("FOO=1 claude"), "");
  EXPECT_EQ(ProgramOfCommand("exec cat"), "");
  EXPECT_EQ(ProgramOfCommand("'quoted' x"), "");
  EXPECT_EQ(ProgramOfCommand("getopts x"), "") << "a dash builtin";
  EXPECT_EQ(ProgramOfCommand(""), "");
}

}  // namespace
}  // namespace mosaic
