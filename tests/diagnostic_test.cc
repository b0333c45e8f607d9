#include "diagnostic.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace mosaic {
namespace {

Diagnostic Sample() {
  return {
      Severity::kError, "roster.yaml", {2, 11}, "agents[0].name", "\"a:b\" may not contain ':'"};
}

TEST(FormatDiagnosticText, ShowsTheSourceLineAndACaretUnderTheColumn) {
  std::string text = FormatDiagnosticText(Sample(), "version: 1\n- name: a:b\n", false);
  EXPECT_EQ(text,
            "roster.yaml:2:11: error: agents[0].name: \"a:b\" may not contain ':'\n"
            "    2 | - name: a:b\n"
            "      |           ^\n");
}

TEST(FormatDiagnosticText, MasksControlCharactersFromTheFile) {
  Diagnostic d = Sample();
  d.location = {1, 1};
  std::string text = FormatDiagnosticText(d, "\x1b[2Jevil\n", false);
  EXPECT_EQ(text.find('\x1b'), std::string::npos);
}

TEST(FormatDiagnosticText, MasksControlCharactersTheMessageQuotes) {
  // An unknown key is quoted in the message; a key can be any bytes YAML lets through.
  Diagnostic d = Sample();
  d.path = "agents/0/\x1b]0;pwned\a";
  d.message = "unknown key '\x1b]0;pwned\a'";
  std::string text = FormatDiagnosticText(d, "", false);
  EXPECT_EQ(text.find('\x1b'), std::string::npos) << text;
  EXPECT_EQ(text.find('\a'), std::string::npos) << text;
  EXPECT_NE(text.find("unknown key '?]0;pwned?'"), std::string::npos) << text;
}

TEST(FormatDiagnosticText, WindowsVeryLongLines) {
  Diagnostic d = Sample();
  d.location = {1, 5000};
  std::string text =
      FormatDiagnosticText(d, std::string(4999, 'x') + "!" + std::string(5000, 'y'), false);
  EXPECT_LT(text.size(), 600u);
  size_t bang = text.find('!');
  size_t caret = text.find('^');
  ASSERT_NE(bang, std::string::npos);
  // The caret sits in the same column of its line as the '!' does in the echoed line.
  EXPECT_EQ(bang - text.rfind('\n', bang), caret - text.rfind('\n', caret));
}

TEST(FormatDiagnosticText, WholeFileProblemsHaveNoPosition) {
  Diagnostic d{Severity::kError, "r.yaml", {}, "", "the roster is empty"};
  EXPECT_EQ(FormatDiagnosticText(d, "", false), "r.yaml: error: the roster is empty\n");
}

TEST(FormatDiagnosticGithub, EscapesAsWorkflowCommandsRequire) {
  Diagnostic d{Severity::kError, "dir,a:b.yaml", {3, 4}, "x", "100% bad\nreally"};
  EXPECT_EQ(FormatDiagnosticGithub(d),
            "::error file=dir%2Ca%3Ab.yaml,line=3,col=4::x: 100%25 bad%0Areally");
  d.message = "unknown key '\x1b[2J'";
  EXPECT_EQ(FormatDiagnosticGithub(d),
            "::error file=dir%2Ca%3Ab.yaml,line=3,col=4::x: unknown key '?[2J'")
      << "a CI log shows escape sequences";
}

TEST(DiagnosticToJson, CarriesEveryField) {
  nlohmann::json j = DiagnosticToJson(Sample());
  EXPECT_EQ(j["file"], "roster.yaml");
  EXPECT_EQ(j["line"], 2);
  EXPECT_EQ(j["column"], 11);
  EXPECT_EQ(j["severity"], "error");
  EXPECT_EQ(j["path"], "agents[0].name");
}

TEST(SortDiagnostics, OrdersByPosition) {
  Diagnostics ds = {{Severity::kError, "f", {9, 1}, "", "b"},
                    {Severity::kError, "f", {2, 5}, "", "a"}};
  SortDiagnostics(ds);
  EXPECT_EQ(ds[0].message, "a");
  EXPECT_TRUE(HasErrors(ds));
}

}  // namespace
}  // namespace mosaic
