// Which agent command lines are plain words, run without a shell exactly as /bin/sh would run
// them, and which only a shell can run. The integration tests run both kinds for real
// (FleetIntegration.APlainCommandIsItsPanesOwnProgramFoundOnTheEnvFilesPath).
#include "shell_command.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace mosaic {
namespace {

using Words = std::optional<std::vector<std::string>>;

TEST(PlainCommandWords, SplitsPlainWordsAtSpacesAndTabs) {
  EXPECT_EQ(PlainCommandWords("cat"), Words({"cat"}));
  EXPECT_EQ(PlainCommandWords("  mosaic yolo\tclaude  --model opus-4.1 "),
            Words({"mosaic", "yolo", "claude", "--model", "opus-4.1"}));
  EXPECT_EQ(PlainCommandWords("/opt/agents/bin/codex --config=a,b:c@host +x %1"),
            Words({"/opt/agents/bin/codex", "--config=a,b:c@host", "+x", "%1"}));
  EXPECT_EQ(PlainCommandWords("./run caf\xc3\xa9"), Words({"./run", "caf\xc3\xa9"}));
}

TEST(PlainCommandWords, LeavesToTheShellWhatItWouldInterpret) {
  // (Also "a#b" and "a!b", which dash reads as they are: what is plain is kept narrow.)
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
