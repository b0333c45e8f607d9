// Table-driven: every roster under fixtures/rosters/valid loads; every one under
// fixtures/rosters/invalid fails with exactly the first error in its .expected file; every
// preset of the previous tool (fixtures/rosters/previous-tool) loads unchanged.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "roster_loader.h"

namespace mosaic {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> Fixtures(const std::string& kind) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(fs::path(MOSAIC_FIXTURES_DIR) / "rosters" / kind))
    if (entry.path().extension() == ".yaml") names.push_back(entry.path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

std::string Slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// Test names show the fixture: "InvalidRoster.FailsWithTheExpectedFirstError/name_colon".
std::string FixtureName(const testing::TestParamInfo<std::string>& info) {
  std::string name = info.param;
  std::replace(name.begin(), name.end(), '-', '_');
  return name;
}

class ValidRoster : public testing::TestWithParam<std::string> {};

TEST_P(ValidRoster, LoadsWithoutDiagnostics) {
  fs::path file = fs::path(MOSAIC_FIXTURES_DIR) / "rosters" / "valid" / (GetParam() + ".yaml");
  RosterLoad load = ParseRoster(Slurp(file), file.filename().string());
  for (const Diagnostic& d : load.diagnostics) ADD_FAILURE() << FormatDiagnosticText(d, "", false);
  EXPECT_TRUE(load.roster.has_value());
}

INSTANTIATE_TEST_SUITE_P(Fixtures, ValidRoster, testing::ValuesIn(Fixtures("valid")), FixtureName);

class InvalidRoster : public testing::TestWithParam<std::string> {};

TEST_P(InvalidRoster, FailsWithTheExpectedFirstError) {
  fs::path dir = fs::path(MOSAIC_FIXTURES_DIR) / "rosters" / "invalid";
  std::string name = GetParam() + ".yaml";
  std::string expected = Slurp(dir / (GetParam() + ".expected"));
  ASSERT_FALSE(expected.empty()) << "missing " << GetParam() << ".expected";
  RosterLoad load = ParseRoster(Slurp(dir / name), name);
  EXPECT_FALSE(load.roster.has_value());
  ASSERT_FALSE(load.diagnostics.empty());
  std::string first = FormatDiagnosticText(load.diagnostics.front(), "", false);
  EXPECT_EQ(first, expected);
}

INSTANTIATE_TEST_SUITE_P(Fixtures, InvalidRoster, testing::ValuesIn(Fixtures("invalid")),
                         FixtureName);

class PreviousToolRoster : public testing::TestWithParam<std::string> {};

// Its presets wrote `working_directory: ~` (null in YAML) for the home directory: read so,
// with a note at the place, never an error.
TEST_P(PreviousToolRoster, LoadsUnchangedWithANoteForEachBareTilde) {
  fs::path file =
      fs::path(MOSAIC_FIXTURES_DIR) / "rosters" / "previous-tool" / (GetParam() + ".yaml");
  std::string text = Slurp(file);
  RosterLoad load = ParseRoster(text, file.filename().string());
  ASSERT_TRUE(load.roster.has_value());
  // `working_directory: ~` and `workingDirectory: ~`, block or flow style.
  std::regex bare_tilde("irectory: ~[\n,}]");
  auto bare = static_cast<size_t>(std::distance(
      std::sregex_iterator(text.begin(), text.end(), bare_tilde), std::sregex_iterator()));
  size_t notes = 0;
  for (const Diagnostic& d : load.diagnostics) {
    ASSERT_EQ(d.severity, Severity::kNote) << FormatDiagnosticText(d, text, false);
    EXPECT_NE(d.message.find("read as \"~\", the home directory"), std::string::npos);
    EXPECT_TRUE(d.location.known());
    ++notes;
  }
  EXPECT_EQ(notes, bare);
  for (const AgentSpec& agent : load.roster->agents)
    EXPECT_TRUE(agent.working_directory == "~" || agent.working_directory.starts_with("~/"))
        << agent.name << ": " << agent.working_directory;
}

INSTANTIATE_TEST_SUITE_P(Fixtures, PreviousToolRoster, testing::ValuesIn(Fixtures("previous-tool")),
                         FixtureName);

TEST(RosterFixtures, CoverEveryPresetOfThePreviousTool) {
  EXPECT_GE(Fixtures("previous-tool").size(), 6u);
}

TEST(RosterFixtures, CoverAtLeastTwentyFiveInvalidCases) {
  EXPECT_GE(Fixtures("invalid").size(), 25u);
}

}  // namespace
}  // namespace mosaic
