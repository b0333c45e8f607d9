#include "name_rules.h"

#include <gtest/gtest.h>

namespace mosaic {
namespace {

std::string Why(NameRule rule, std::string_view value) {
  return ExplainNameViolation(rule, value, 64).value_or("ok");
}

TEST(ExplainNameViolation, SessionNames) {
  EXPECT_EQ(Why(NameRule::kSession, "coder0"), "ok");
  EXPECT_EQ(Why(NameRule::kSession, "_holder"), "ok");
  EXPECT_EQ(Why(NameRule::kSession, "coder:0"),
            "may not contain ':' (tmux reads it as a window or pane separator)");
  EXPECT_EQ(Why(NameRule::kSession, "a.b"),
            "may not contain '.' (tmux reads it as a window or pane separator)");
  EXPECT_EQ(Why(NameRule::kSession, "-a"), "may not start with '-' (it would read as an option)");
  EXPECT_EQ(Why(NameRule::kSession, "a b"), "may not contain whitespace");
  EXPECT_EQ(Why(NameRule::kSession, "a\x01"), "may not contain control characters");
  EXPECT_EQ(Why(NameRule::kSession, "#{x}"),
            "may not contain '#' (tmux would expand it as a format)");
  EXPECT_EQ(Why(NameRule::kSession, ""), "may not be empty");
  EXPECT_EQ(Why(NameRule::kSession, std::string(65, 'a')), "is 65 characters long; at most 64");
}

TEST(ExplainNameViolation, ShowsAWholeCharacterNeverHalfOfOne) {
  EXPECT_EQ(Why(NameRule::kSession, "cod\xc3\xa9r"), "may not contain '\xc3\xa9'");
  EXPECT_EQ(Why(NameRule::kSession, "a\xf0\x9f\x98\x80"), "may not contain '\xf0\x9f\x98\x80'");
  EXPECT_EQ(Why(NameRule::kSession,
                "a\xe9"
                "b"),
            "may not contain the byte 0xe9");
}

TEST(ExplainNameViolation, HostsMayHaveDots) {
  EXPECT_EQ(Why(NameRule::kHost, "build-01.example.net"), "ok");
  EXPECT_EQ(Why(NameRule::kHost, "a_b:1"),
            "may not contain ':' (tmux reads it as a window or pane separator)");
}

TEST(ExplainNameViolation, Directories) {
  EXPECT_EQ(Why(NameRule::kDirectory, "~"), "ok");
  EXPECT_EQ(Why(NameRule::kDirectory, "~/src"), "ok");
  EXPECT_EQ(Why(NameRule::kDirectory, "/srv/x y"), "ok");
  EXPECT_NE(Why(NameRule::kDirectory, "src"), "ok");
  EXPECT_NE(Why(NameRule::kDirectory, "~bob/src"), "ok");
}

TEST(Quoted, EscapesQuotesAndControlCharacters) { EXPECT_EQ(Quoted("a\"b\n"), "\"a\\\"b\\x0a\""); }

}  // namespace
}  // namespace mosaic
