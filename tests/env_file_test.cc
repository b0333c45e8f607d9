// Reading env files as systemd reads them (v252's parse_env_file_internal), entry by entry,
// with what cannot be read unambiguously reported by line. The byte-for-byte comparison with
// systemd itself is tests/integration/env_corpus_test.cc.
#include "env_file.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fingerprint.h"
#include "launch_identity.h"

namespace mosaic {
namespace {

using testing::HasSubstr;
using testing::IsEmpty;
using Vars = std::map<std::string, std::string>;

Vars Read(std::string_view text) { return ParseEnvFile(text).Variables(); }

std::string Concatenated(const EnvFile& file) {
  std::string out;
  for (const EnvEntry& e : file.entries) out += e.raw();
  return out;
}

TEST(ParseEnvFile, ReadsValuesAsSystemdDoes) {
  Vars v = Read(
      "# comment\n; also comment\n\nA=plain\nB=\"double \\\"q\\\" \\$HOME\"\nC='single $x \\n'\n"
      "D=  spaced  \nE=a\\\nb\nF=\"multi\nline\"\n  G = x\nnot an assignment\n1BAD=x\nH=\n");
  EXPECT_EQ(v, (Vars{{"A", "plain"},
                     {"B", "double \"q\" $HOME"},
                     {"C", "single $x \\n"},
                     {"D", "spaced"},
                     {"E", "ab"},
                     {"F", "multi\nline"},
                     {"G", "x"},
                     {"H", ""}}));
}

TEST(ParseEnvFile, AnApostropheInsideAValueIsLiteral) {
  // Quotes are special only where a value starts: the rest of the file is not swallowed.
  EXPECT_EQ(Read("GREETING=it's fine\nA=1\nB=don't\n"),
            (Vars{{"GREETING", "it's fine"}, {"A", "1"}, {"B", "don't"}}));
  EXPECT_EQ(Read("A=x\"y\"\nB=1\n"), (Vars{{"A", "x\"y\""}, {"B", "1"}}));
}

TEST(ParseEnvFile, QuotedPiecesJoinAndSpacesBetweenThemVanish) {
  EXPECT_EQ(Read("A=\"x\"y\n"), (Vars{{"A", "xy"}}));
  EXPECT_EQ(Read("A=\"x\" 'y'  \n"), (Vars{{"A", "xy"}}));
  EXPECT_EQ(Read("A='x '  y z  \n"), (Vars{{"A", "x y z"}}));
}

TEST(ParseEnvFile, CarriageReturnsEndLinesAsSystemdSays) {
  EXPECT_EQ(Read("A=x\r\nB=y\r\n"), (Vars{{"A", "x"}, {"B", "y"}}));
  EXPECT_EQ(Read("A=x\rB=y"), (Vars{{"A", "x"}, {"B", "y"}}));
  // An escaped CR continues a bare value (then the LF ends it); inside double quotes the
  // backslash and the CR are both kept.
  EXPECT_EQ(Read("A=x\\\r\ny\n"), (Vars{{"A", "x"}}));
  EXPECT_EQ(Read("A=\"x\\\ry\"\n"), (Vars{{"A", "x\\\ry"}}));
}

TEST(ParseEnvFile, CommentsStartOnlyAnEntry) {
  EXPECT_EQ(Read("A=x # not a comment\n  # a comment\n;B=2\n"), (Vars{{"A", "x # not a comment"}}));
}

TEST(ParseEnvFile, ABackslashInAKeyDoesNotContinueIt) {
  EXPECT_EQ(Read("FOO\\\nA=1\n"), (Vars{{"A", "1"}}));
}

TEST(ParseEnvFile, ACommentEndingInABackslashSwallowsTheNextLineAsInV252) {
  EnvFile f = ParseEnvFile("# note \\\nA=1\nB=2\n");
  EXPECT_EQ(f.Variables(), (Vars{{"B", "2"}}));
  ASSERT_EQ(f.problems.size(), 1u);
  EXPECT_EQ(f.problems[0].line, 1);
  EXPECT_THAT(f.problems[0].message, HasSubstr("before v254"));
  // Followed by a comment or a blank line, every version agrees: nothing to report.
  EXPECT_THAT(ParseEnvFile("# note \\\n# more\nA=1\n").problems, IsEmpty());
  EXPECT_THAT(ParseEnvFile("# note \\\\\nA=1\n").problems, IsEmpty());
}

TEST(ParseEnvFile, NamesSystemdRejectsAreDropped) {
  EXPECT_EQ(Read("export A=1\n1A=x\nA B=1\nA-B=1\n_ok=1\n"), (Vars{{"_ok", "1"}}));
  // Letters are ASCII letters only, as in systemd's env_name_is_valid().
  EXPECT_EQ(Read("caf\xc3\xa9=1\n\xc3\x89T\xc3\x89=2\nA1_b=3\n"), (Vars{{"A1_b", "3"}}));
}

TEST(ParseEnvFile, LastAssignmentWins) { EXPECT_EQ(Read("A=1\nA=2\n"), (Vars{{"A", "2"}})); }

TEST(ParseEnvFile, EntriesConcatenateToTheFileByteForByte) {
  for (std::string text : std::vector<std::string>{
           "", "\n", "A=1", "A=1\n\n  \n", "  # c\r\nA='x\ny'\r\n\tB=\\\n2 \nC", "\"\n'\n\\",
           "A=\"unclosed\nB=1\n", std::string("A=1\0B=2\n", 8), "# c\\\nA=1\\\n"}) {
    EXPECT_EQ(Concatenated(ParseEnvFile(text)), text);
  }
}

TEST(ParseEnvFile, EntriesKnowTheirLinesAndWhetherTheySpanLines) {
  EnvFile f = ParseEnvFile("# head\n\nA=1\nB=\"x\ny\"\nC=3\n");
  std::vector<std::pair<std::string, int>> seen;
  for (const EnvEntry& e : f.entries)
    if (e.kind == EnvEntry::Kind::kAssignment) seen.emplace_back(e.key, e.line);
  EXPECT_EQ(seen, (std::vector<std::pair<std::string, int>>{{"A", 3}, {"B", 4}, {"C", 6}}));
  EXPECT_TRUE(f.entries[2].spans_lines());
  EXPECT_FALSE(f.entries[1].spans_lines());
}

TEST(ParseEnvFile, AnUnclosedQuoteAtTheEndIsAProblem) {
  EnvFile f = ParseEnvFile("A=1\nTOKEN=\"abc\n");
  ASSERT_EQ(f.problems.size(), 1u);
  EXPECT_EQ(f.problems[0].line, 2);
  EXPECT_THAT(f.problems[0].message, HasSubstr("TOKEN opens a quote that is never closed"));
}

TEST(ParseEnvFile, ALineSwallowedByAnUnclosedQuoteIsAProblemAtThatLine) {
  EnvFile f = ParseEnvFile("MODEL=\"m2\nSECRET=hunter2\n# mine\nLATER=\"x\"\n");
  ASSERT_FALSE(f.problems.empty());
  EXPECT_EQ(f.problems[0].line, 2);
  EXPECT_THAT(f.problems[0].message, HasSubstr("part of the value of MODEL that starts on line 1"));
  for (const EnvProblem& p : f.problems) EXPECT_THAT(p.message, testing::Not(HasSubstr("hunter2")));
}

TEST(ParseEnvFile, MultiLineValuesThatReadAsIntendedAreFine) {
  EnvFile f = ParseEnvFile("KEY=\"-----BEGIN\nabc\n-----END\"\nOPTS=\"--a=1\n--b=2\"\n");
  EXPECT_THAT(f.problems, IsEmpty());
  EXPECT_EQ(f.Variables().at("OPTS"), "--a=1\n--b=2");
}

TEST(ParseEnvFile, InvalidUtf8MakesSystemdIgnoreTheWholeFile) {
  EnvFile f = ParseEnvFile("A=1\nPASS=caf\xe9\n");
  EXPECT_TRUE(f.ignored_by_systemd);
  EXPECT_THAT(f.Variables(), IsEmpty());
  ASSERT_EQ(f.problems.size(), 1u);
  EXPECT_EQ(f.problems[0].line, 2);
  EXPECT_THAT(f.problems[0].message, HasSubstr("PASS is not valid UTF-8"));
  EXPECT_THAT(f.problems[0].message, testing::Not(HasSubstr("caf")));
  // Bad bytes in a comment are nobody's business.
  EXPECT_FALSE(ParseEnvFile("# caf\xe9\nA=1\n").ignored_by_systemd);
}

TEST(ParseEnvFile, ANulByteMakesSystemdIgnoreTheWholeFile) {
  EnvFile f = ParseEnvFile(std::string("A=1\nB=2\0C=3\n", 12));
  EXPECT_TRUE(f.ignored_by_systemd);
  EXPECT_THAT(f.Variables(), IsEmpty());
  ASSERT_EQ(f.problems.size(), 1u);
  EXPECT_EQ(f.problems[0].line, 2);
}

TEST(ParseEnvFile, AnEntryStartingWithEqualsHasItInItsKeyAsInSystemd) {
  // systemd takes the first character of an entry into the key, even '=': `="` does not open
  // a quote, and the next line is a setting of its own.
  EXPECT_EQ(Read("=\"\nA=1\n"), (Vars{{"A", "1"}}));
  EnvFile f = ParseEnvFile("=a\xff\nB=2\n");
  EXPECT_FALSE(f.ignored_by_systemd) << "the bad byte is part of a key systemd drops";
}

TEST(ParseEnvFile, UnicodeNoncharactersMakeSystemdIgnoreTheFile) {
  EXPECT_TRUE(ParseEnvFile("A=x\xef\xbf\xbe\n").ignored_by_systemd);  // U+FFFE
  EXPECT_TRUE(ParseEnvFile("A=\xef\xb7\x90\n").ignored_by_systemd);   // U+FDD0
  EXPECT_FALSE(ParseEnvFile("A=\xef\xbf\xbd\n").ignored_by_systemd);  // U+FFFD is fine
}

TEST(ParseEnvFile, LinesAreNumberedAsEditorsShowThemWhateverTheLineEndings) {
  for (std::string nl : {"\n", "\r\n", "\r"}) {
    EnvFile f = ParseEnvFile("# a" + nl + "A=1" + nl + nl + "B=\"open" + nl + "C=3" + nl);
    ASSERT_EQ(f.problems.size(), 2u) << nl.size();
    EXPECT_EQ(f.entries[1].line, 2) << nl.size();
    EXPECT_EQ(f.problems[0].line, 4) << nl.size();  // the quote that never closes
    EXPECT_EQ(f.problems[1].line, 5) << nl.size();  // the setting it swallows
  }
}

TEST(FormatEnvAssignment, RoundTripsAnyValueWithoutControlCharacters) {
  for (std::string value : {"", "plain", "with space", "q\"uote", "back\\slash", "$HOME", "`cmd`",
                            "it's", "#hash", "a=b", " lead", "trail ", "\\", "caf\xc3\xa9"}) {
    std::string line = FormatEnvAssignment("K", value);
    EXPECT_EQ(Read(line + "\n"), (Vars{{"K", value}})) << line;
  }
  EXPECT_EQ(FormatEnvAssignment("K", ""), "K=");
  EXPECT_EQ(FormatEnvAssignment("K", "$x"), "K=\"\\$x\"");
}

TEST(IdentityOfEnv, IsWhatSessionsHaveAlwaysCarried) {
  // Sessions record these hashes (@mosaic-command, @mosaic-env) and the plan compares them, so
  // they must not change between releases: pinned as the first release computed them. Without
  // either command, the runtime's counts as set, to nothing.
  struct Case {
    std::string text, command;
    bool user_command;
    std::string command_hash, env_hash;
  };
  for (const Case& c : std::vector<Case>{
           {"MOSAIC_RUNTIME_COMMAND=pi\n", "pi", false, "08d53f07b5755532", "e90ef46be837bc1d"},
           {"MOSAIC_RUNTIME_COMMAND=pi\nMOSAIC_AGENT_COMMAND=cat\n", "cat", true,
            "f5e307190ce4a327", "02077515a98efa6f"},
           {"X=1\n", "", false, "cbf29ce484222325", "e6b7f6316a1f996d"},
           {"MOSAIC_AGENT_COMMAND=\n", "", false, "cbf29ce484222325", "e21efbe02ae13e30"}}) {
    LaunchIdentity identity = IdentityOfEnv(c.text);
    EXPECT_EQ(identity.command, c.command) << c.text;
    EXPECT_EQ(identity.user_command, c.user_command) << c.text;
    EXPECT_EQ(identity.command_hash, c.command_hash) << c.text;
    EXPECT_EQ(identity.env_hash, c.env_hash) << c.text;
  }
}

TEST(Fingerprint, IsStableAndSensitive) {
  EXPECT_EQ(Fingerprint("abc"), "e71fa2190541574b");
  EXPECT_NE(EnvFingerprint({{"A", "1"}}), EnvFingerprint({{"A", "2"}}));
}

}  // namespace
}  // namespace mosaic
