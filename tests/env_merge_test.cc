// Setting the tool's keys in a shared env file without losing a byte of the user's — and
// refusing, with the line to fix, whenever that cannot be guaranteed.
#include "env_merge.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace mosaic {
namespace {

using testing::HasSubstr;
using testing::Not;

const OwnedEnv kOwned = {{"MOSAIC_AGENT_NAME", "a"}, {"MOSAIC_AGENT_MODEL", "m3"}};

std::string Merged(std::string_view existing, const OwnedEnv& owned = kOwned) {
  EnvMerge merge = MergeEnvFile(existing, owned);
  EXPECT_TRUE(merge.ok()) << DescribeEnvProblems("f.env", merge.problems);
  return merge.content;
}

TEST(MergeEnvFile, NewFileHasAHeaderAndEveryOwnedKey) {
  std::string merged = Merged("", {{"MOSAIC_AGENT_NAME", "a"}, {"MOSAIC_AGENT_MODEL", ""}});
  EXPECT_EQ(merged.substr(0, 2), "# ");
  EXPECT_THAT(merged, HasSubstr("\nMOSAIC_AGENT_NAME=\"a\"\nMOSAIC_AGENT_MODEL=\n"));
}

TEST(MergeEnvFile, KeepsUserKeysCommentsAndOrderByteForByte) {
  const std::string existing =
      "# site note: don't touch\n"
      "MOSAIC_AGENT_NAME=coder0\n"
      "MOSAIC_AGENT_COMMAND=/home/jarvis/.config/mosaic/fleet/canary.sh\n"
      "\n"
      "  EXTRA='keep   me'   # odd spacing\n"
      "MOSAIC_AGENT_WORKDIR=/srv/old\n"
      "CONT=a\\\n"
      "  b\n";
  EXPECT_EQ(
      Merged(existing, {{"MOSAIC_AGENT_NAME", "coder0"}, {"MOSAIC_AGENT_WORKDIR", "/srv/new"}}),
      "# site note: don't touch\n"
      "MOSAIC_AGENT_NAME=\"coder0\"\n"
      "MOSAIC_AGENT_COMMAND=/home/jarvis/.config/mosaic/fleet/canary.sh\n"
      "\n"
      "  EXTRA='keep   me'   # odd spacing\n"
      "MOSAIC_AGENT_WORKDIR=\"/srv/new\"\n"
      "CONT=a\\\n"
      "  b\n");
}

TEST(MergeEnvFile, IsIdempotent) {
  for (std::string existing : {"", "USER=1\n", "GREETING=it's fine\nMOSAIC_AGENT_NAME=x\n",
                               "A=1\r\nMOSAIC_AGENT_MODEL=m\r\n", "# no final newline"}) {
    std::string once = Merged(existing);
    EXPECT_EQ(Merged(once), once) << existing;
  }
}

TEST(MergeEnvFile, AnApostropheInAUserValueNeitherSwallowsNorGrowsTheFile) {
  // Before: the parser read `it's` as an opening quote, lost every owned key after it, and
  // appended them again on every apply.
  const std::string existing =
      "GREETING=it's fine\nMOSAIC_AGENT_NAME=\"a\"\nMOSAIC_AGENT_MODEL=\"m3\"\n";
  EXPECT_EQ(Merged(existing), existing);
}

TEST(MergeEnvFile, DropsLaterDuplicatesOfOwnedKeysThatWouldOverrideThem) {
  EXPECT_EQ(Merged("MOSAIC_AGENT_NAME=x\nU=1\n\n  MOSAIC_AGENT_NAME=y\nV=2\n",
                   {{"MOSAIC_AGENT_NAME", "a"}}),
            "MOSAIC_AGENT_NAME=\"a\"\nU=1\n\nV=2\n");
}

TEST(MergeEnvFile, AppendsMissingOwnedKeysAfterUserLines) {
  EXPECT_EQ(Merged("U=1", {{"MOSAIC_AGENT_NAME", "a"}}), "U=1\nMOSAIC_AGENT_NAME=\"a\"\n");
  EXPECT_EQ(Merged("# last line", {{"MOSAIC_AGENT_NAME", "a"}}),
            "# last line\nMOSAIC_AGENT_NAME=\"a\"\n");
}

TEST(MergeEnvFile, KeepsCrlfLineEndings) {
  EXPECT_EQ(Merged("# mine\r\nMOSAIC_AGENT_NAME=old\r\nU=1\r\n"),
            "# mine\r\nMOSAIC_AGENT_NAME=\"a\"\r\nU=1\r\nMOSAIC_AGENT_MODEL=\"m3\"\r\n");
}

TEST(MergeEnvFile, DroppingADuplicateInACrlfFileLeavesNoStrayLineEnd) {
  EXPECT_EQ(Merged("A=1\r\nMOSAIC_AGENT_NAME=x\r\nMOSAIC_AGENT_NAME=y\r\nB=2\r\n",
                   {{"MOSAIC_AGENT_NAME", "a"}}),
            "A=1\r\nMOSAIC_AGENT_NAME=\"a\"\r\nB=2\r\n");
  EXPECT_EQ(Merged("A=1\rB=2\r", {{"MOSAIC_AGENT_NAME", "a"}}),
            "A=1\rB=2\rMOSAIC_AGENT_NAME=\"a\"\r");
}

TEST(MergeEnvFile, AFinalCommentThatWouldSwallowTheAddedKeysIsALocatedError) {
  for (std::string ending : {"# note \\", "# note \\\n"}) {
    EnvMerge merge = MergeEnvFile("A=1\n" + ending, kOwned);
    ASSERT_FALSE(merge.ok()) << ending;
    EXPECT_EQ(merge.problems[0].line, 2);
    EXPECT_THAT(merge.problems[0].message, HasSubstr("remove the backslash"));
  }
  EXPECT_TRUE(MergeEnvFile("A=1\n# note \\\\\n", kOwned).ok()) << "an escaped backslash";
}

TEST(MergeEnvFile, AValueCannotInjectALine) {
  EnvMerge merge = MergeEnvFile("", {{"MOSAIC_AGENT_MODEL", "x\" EVIL=1"}});
  ASSERT_TRUE(merge.ok());
  EXPECT_EQ(ParseEnvFile(merge.content).Variables().at("MOSAIC_AGENT_MODEL"), "x\" EVIL=1");
  EXPECT_FALSE(ParseEnvFile(merge.content).Variables().contains("EVIL"));
}

TEST(MergeEnvFile, AnUnclosedQuoteOnAnOwnedKeyIsRefusedAndNothingIsLost) {
  // systemd reads MOSAIC_AGENT_MODEL's value on across the user's lines; rewriting the key
  // would delete them. The merge refuses, points at the line, and shows no user byte.
  const std::string existing =
      "MOSAIC_AGENT_NAME=\"a\"\nMOSAIC_AGENT_MODEL=\"m2\n# my notes\nAPI_TOKEN=hunter2\n";
  EnvMerge merge = MergeEnvFile(existing, kOwned);
  ASSERT_FALSE(merge.ok());
  EXPECT_TRUE(merge.content.empty());
  std::string shown = DescribeEnvProblems("coder0.env", merge.problems);
  EXPECT_THAT(shown, HasSubstr("coder0.env:2: the value of MOSAIC_AGENT_MODEL, a key "
                               "mosaic-fleet owns, continues past the end of the line"));
  EXPECT_THAT(shown, HasSubstr("coder0.env:4: this line looks like a setting"));
  EXPECT_THAT(shown, Not(HasSubstr("hunter2")));
  EXPECT_THAT(shown, Not(HasSubstr("my notes")));
}

TEST(MergeEnvFile, AUsersUnclosedQuoteThatWouldSwallowOurKeysIsRefused) {
  EnvMerge merge = MergeEnvFile("TOKEN=\"abc\n", kOwned);
  ASSERT_FALSE(merge.ok());
  EXPECT_EQ(merge.problems[0].line, 1);
}

TEST(MergeEnvFile, AFileSystemdWouldIgnoreIsRefused) {
  EXPECT_FALSE(MergeEnvFile("PASS=caf\xe9\n", kOwned).ok());
  EXPECT_FALSE(MergeEnvFile(std::string("A=1\0\n", 5), kOwned).ok());
  EXPECT_FALSE(MergeEnvFile("# note \\\nMOSAIC_AGENT_NAME=x\n", kOwned).ok());
}

TEST(MergeEnvFile, TheResultReadsBackAsTheOwnedValuesAndTheUsersVariables) {
  const std::string existing =
      "A='x y'\n  MOSAIC_AGENT_NAME = old # c\nB=\"multi\nline\"\n\tC=3 \nMOSAIC_AGENT_NAME=dup\n";
  std::map<std::string, std::string> vars = ParseEnvFile(Merged(existing)).Variables();
  EXPECT_EQ(vars, (std::map<std::string, std::string>{{"A", "x y"},
                                                      {"B", "multi\nline"},
                                                      {"C", "3"},
                                                      {"MOSAIC_AGENT_NAME", "a"},
                                                      {"MOSAIC_AGENT_MODEL", "m3"}}));
}

}  // namespace
}  // namespace mosaic
