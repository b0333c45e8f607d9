#include "located_json.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace mosaic {
namespace {

nlohmann::json Value(std::string_view yaml) {
  ParsedYaml parsed = ParseYaml(yaml);
  EXPECT_TRUE(parsed.diagnostics.empty())
      << (parsed.diagnostics.empty() ? "" : parsed.diagnostics[0].message);
  return parsed.document.value;
}

std::string FirstError(std::string_view yaml, const YamlLimits& limits = {}) {
  ParsedYaml parsed = ParseYaml(yaml, limits);
  return parsed.diagnostics.empty() ? "" : parsed.diagnostics.front().message;
}

TEST(ParseYaml, TypesPlainScalarsByTheYaml12CoreSchema) {
  nlohmann::json v =
      Value("a: 12\nb: -3\nc: 0x1f\nd: 1.5\ne: true\nf: FALSE\ng: ~\nh: null\ni: yes\nj: on\nk:\n");
  EXPECT_EQ(v["a"], 12);
  EXPECT_EQ(v["b"], -3);
  EXPECT_EQ(v["c"], 31);
  EXPECT_EQ(v["d"], 1.5);
  EXPECT_EQ(v["e"], true);
  EXPECT_EQ(v["f"], false);
  EXPECT_TRUE(v["g"].is_null());
  EXPECT_TRUE(v["h"].is_null());
  EXPECT_EQ(v["i"], "yes");  // YAML 1.1 booleans are plain strings in 1.2
  EXPECT_EQ(v["j"], "on");
  EXPECT_TRUE(v["k"].is_null());
}

TEST(ParseYaml, QuotedScalarsAreAlwaysStrings) {
  nlohmann::json v = Value("a: \"12\"\nb: 'true'\nc: \"~\"\nd: !!str 7\n");
  EXPECT_EQ(v["a"], "12");
  EXPECT_EQ(v["b"], "true");
  EXPECT_EQ(v["c"], "~");
  EXPECT_EQ(v["d"], "7");
}

TEST(ParseYaml, RecordsOneBasedLocationsOfValuesAndKeys) {
  ParsedYaml parsed = ParseYaml("top:\n  - name: x\n    runtime:   pi\n");
  ASSERT_TRUE(parsed.diagnostics.empty());
  EXPECT_EQ(parsed.document.ValueLocation("/top/0/runtime"), (SourceLocation{3, 16}));
  EXPECT_EQ(parsed.document.KeyLocation("/top/0/runtime"), (SourceLocation{3, 5}));
  EXPECT_EQ(parsed.document.ValueLocation("/top/0/name"), (SourceLocation{2, 11}));
  // A place with no value of its own falls back to the nearest ancestor.
  EXPECT_EQ(parsed.document.ValueLocation("/top/0/missing"), (SourceLocation{2, 5}));
}

TEST(ParseYaml, EmptyValueIsLocatedAtItsKeyNotTheNextLine) {
  ParsedYaml parsed = ParseYaml("a:\nb: 1\n");
  ASSERT_TRUE(parsed.diagnostics.empty());
  EXPECT_EQ(parsed.document.ValueLocation("/a").line, 1);
}

TEST(ParseYaml, AliasesExpandToCopies) {
  nlohmann::json v = Value("a: &x {k: 1}\nb: *x\nc: [*x, *x]\n");
  EXPECT_EQ(v["b"], v["a"]);
  EXPECT_EQ(v["c"][1]["k"], 1);
}

TEST(ParseYaml, RejectsDuplicateKeysWhichYamlCppAccepts) {
  EXPECT_EQ(FirstError("a: 1\nb: 2\na: 3\n"), "duplicate key 'a' (first defined at line 1)");
}

TEST(ParseYaml, RejectsASecondDocumentWhichYamlCppIgnores) {
  EXPECT_EQ(FirstError("a: 1\n---\nb: 2\n"),
            "more than one YAML document ('---'): a roster is a single document");
}

TEST(ParseYaml, AcceptsOneExplicitDocument) { EXPECT_EQ(Value("---\na: 1\n...\n")["a"], 1); }

TEST(ParseYaml, StopsAnAliasBombAtTheNodeBudget) {
  std::string bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  for (char c = 'b'; c <= 'k'; ++c)
    bomb += fmt::format("{0}: &{0} [*{1}, *{1}, *{1}, *{1}, *{1}, *{1}, *{1}, *{1}, *{1}, *{1}]\n",
                        c, char(c - 1));
  YamlLimits limits;
  limits.max_nodes = 10'000;
  EXPECT_EQ(FirstError(bomb, limits),
            "document too large: more than 10000 values after expanding aliases");
}

TEST(ParseYaml, RejectsAnAnchorThatRefersToItself) {
  EXPECT_EQ(FirstError("a: &x [1, *x]\n"), "recursive alias: an anchor may not refer to itself");
  EXPECT_EQ(FirstError("a: &x {b: *x}\n"), "recursive alias: an anchor may not refer to itself");
}

TEST(ParseYaml, BoundsNestingDepth) {
  std::string deep = std::string(100, '[') + std::string(100, ']');
  EXPECT_EQ(FirstError(deep), "nesting is too deep (more than 64 levels)");
  std::string very_deep = std::string(200000, '[') + std::string(200000, ']');
  EXPECT_FALSE(FirstError(very_deep).empty());
}

TEST(ParseYaml, RejectsBinaryAndOversizedInput) {
  EXPECT_EQ(FirstError(std::string("a: 1\n\0", 6)), "NUL byte: this is not a text file");
  EXPECT_EQ(FirstError("a: \xff\xfe\n"), "invalid UTF-8: a roster must be UTF-8 text");
  YamlLimits limits;
  limits.max_bytes = 10;
  EXPECT_EQ(FirstError("a: 123456789012\n", limits), "file is too large (16 bytes; at most 10)");
  EXPECT_EQ(FirstError("a: " + std::string(5000, 'x')),
            "value is too long (5000 bytes; at most 4096)");
}

TEST(ParseYaml, EmptyAndCommentOnlyInputIsEmpty) {
  EXPECT_EQ(FirstError(""), "the roster is empty");
  EXPECT_EQ(FirstError("# hello\n\n"), "the roster is empty");
}

TEST(ParseYaml, SyntaxErrorsWinOverWhatTheEventsLookedLike) {
  ParsedYaml parsed = ParseYaml("agents: [\n  { name: a\n");
  ASSERT_EQ(parsed.diagnostics.size(), 1u);
  EXPECT_TRUE(parsed.diagnostics[0].message.starts_with("YAML syntax:"))
      << parsed.diagnostics[0].message;
}

TEST(ParseYaml, TerminatesOnInputThatMakesYamlCppYieldEndlessDocuments) {
  // Found by the fuzzer: yaml-cpp 0.7 returns an empty document for this forever.
  EXPECT_FALSE(ParseYaml(", pntime: pi").diagnostics.empty());
}

TEST(AppendPointer, EscapesTildeAndSlash) { EXPECT_EQ(AppendPointer("/a", "b/c~d"), "/a/b~1c~0d"); }

}  // namespace
}  // namespace mosaic
