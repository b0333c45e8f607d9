#include "env_file.h"

#include <gtest/gtest.h>

namespace mosaic {
namespace {

TEST(ParseEnvFile, ReadsValuesAsSystemdDoes) {
  EnvFile f = ParseEnvFile(
      "# comment\n; also comment\n\nA=plain\nB=\"double \\\"q\\\" \\$HOME\"\nC='single $x \\n'\n"
      "D=  spaced  \nE=a\\\nb\nF=\"multi\nline\"\n  G = x\nnot an assignment\n1BAD=x\nH=\n");
  std::map<std::string, std::string> v = f.Variables();
  EXPECT_EQ(v["A"], "plain");
  EXPECT_EQ(v["B"], "double \"q\" $HOME");
  EXPECT_EQ(v["C"], "single $x \\n");
  EXPECT_EQ(v["D"], "spaced");
  EXPECT_EQ(v["E"], "ab");
  EXPECT_EQ(v["F"], "multi\nline");
  EXPECT_EQ(v["G"], "x");
  EXPECT_EQ(v["H"], "");
  EXPECT_FALSE(v.contains("1BAD"));
  EXPECT_EQ(v.size(), 8u);
}

TEST(ParseEnvFile, QuotesInCommentsDoNotSwallowLines) {
  EnvFile f = ParseEnvFile("# it's mine\nA=1\n");
  EXPECT_EQ(f.Variables().at("A"), "1");
  EXPECT_EQ(f.lines.size(), 2u);
}

TEST(ParseEnvFile, LastAssignmentWins) {
  EXPECT_EQ(ParseEnvFile("A=1\nA=2\n").Variables().at("A"), "2");
}

TEST(FormatEnvAssignment, RoundTripsAnyValueWithoutControlCharacters) {
  for (std::string value : {"", "plain", "with space", "q\"uote", "back\\slash", "$HOME", "`cmd`",
                            "it's", "#hash", "a=b"}) {
    std::string line = FormatEnvAssignment("K", value);
    EXPECT_EQ(ParseEnvFile(line + "\n").Variables()["K"], value) << line;
  }
  EXPECT_EQ(FormatEnvAssignment("K", ""), "K=");
  EXPECT_EQ(FormatEnvAssignment("K", "$x"), "K=\"\\$x\"");
}

TEST(MergeEnvFile, NewFileHasAHeaderAndEveryOwnedKey) {
  std::string merged = MergeEnvFile("", {{"MOSAIC_AGENT_NAME", "a"}, {"MOSAIC_AGENT_MODEL", ""}});
  EXPECT_EQ(merged.substr(0, 2), "# ");
  EXPECT_NE(merged.find("\nMOSAIC_AGENT_NAME=\"a\"\nMOSAIC_AGENT_MODEL=\n"), std::string::npos);
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
  std::string merged = MergeEnvFile(
      existing, {{"MOSAIC_AGENT_NAME", "coder0"}, {"MOSAIC_AGENT_WORKDIR", "/srv/new"}});
  EXPECT_EQ(merged,
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
  std::vector<std::pair<std::string, std::string>> owned = {{"MOSAIC_AGENT_NAME", "a"},
                                                            {"MOSAIC_TMUX_SOCKET", "s"}};
  std::string once = MergeEnvFile("USER=1\n", owned);
  EXPECT_EQ(MergeEnvFile(once, owned), once);
}

TEST(MergeEnvFile, DropsLaterDuplicatesOfOwnedKeysThatWouldOverrideThem) {
  std::string merged =
      MergeEnvFile("MOSAIC_AGENT_NAME=x\nU=1\nMOSAIC_AGENT_NAME=y\n", {{"MOSAIC_AGENT_NAME", "a"}});
  EXPECT_EQ(merged, "MOSAIC_AGENT_NAME=\"a\"\nU=1\n");
}

TEST(MergeEnvFile, AppendsMissingOwnedKeysAfterUserLines) {
  EXPECT_EQ(MergeEnvFile("U=1", {{"MOSAIC_AGENT_NAME", "a"}}), "U=1\nMOSAIC_AGENT_NAME=\"a\"\n");
}

TEST(MergeEnvFile, AValueCannotInjectALine) {
  std::string merged = MergeEnvFile("", {{"MOSAIC_AGENT_MODEL", "x\" \nEVIL=1"}});
  EXPECT_FALSE(ParseEnvFile(merged).Variables().contains("EVIL"));
}

TEST(Fingerprint, IsStableAndSensitive) {
  EXPECT_EQ(Fingerprint("abc"), "e71fa2190541574b");
  EXPECT_NE(EnvFingerprint({{"A", "1"}}), EnvFingerprint({{"A", "2"}}));
}

}  // namespace
}  // namespace mosaic
