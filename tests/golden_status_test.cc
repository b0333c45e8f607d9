// Golden status reports: fixtures/status/roster.yaml against each
// fixtures/status/NAME.observed.json must show exactly as NAME.txt (the table) and NAME.json
// (docs/status-json.md), with the exit code both state. MOSAIC_UPDATE_GOLDEN=1 rewrites the
// expected files instead (review the diff!).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "exit_codes.h"
#include "make_plan.h"
#include "planner_fixture.h"
#include "status_view.h"

namespace mosaic {
namespace {

namespace fs = std::filesystem;
const fs::path kStatusFixtures = fs::path(MOSAIC_FIXTURES_DIR) / "status";
constexpr std::string_view kSuffix = ".observed.json";

std::vector<std::string> Cases() {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(kStatusFixtures)) {
    std::string file = entry.path().filename().string();
    if (file.ends_with(kSuffix)) names.push_back(file.substr(0, file.size() - kSuffix.size()));
  }
  std::sort(names.begin(), names.end());
  return names;
}

DesiredState FixtureRoster() {
  return testing_support::Desired(testing_support::Slurp(kStatusFixtures / "roster.yaml"));
}

// fixtures/status/NAME.observed.json, as the world `desired` is observed in.
ObservedState FixtureWorld(const DesiredState& desired, const std::string& name) {
  return testing_support::ObservedFixture(
      desired, nlohmann::json::parse(
                   testing_support::Slurp(kStatusFixtures / (name + std::string(kSuffix)))));
}

StatusReport Report(const DesiredState& desired, const ObservedState& observed) {
  return MakeStatusReport(desired, observed, MakePlan(desired, observed));
}

std::string Show(const StatusReport& report, bool json, bool color = false) {
  std::ostringstream out, err;
  Io io{out, err, color};
  MakeStatusView(json, io)->Show(report, report.healthy() ? kExitSuccess : kExitUnhealthy);
  return out.str();
}

class GoldenStatus : public testing::TestWithParam<std::string> {};

TEST_P(GoldenStatus, ShowsAsRecorded) {
  DesiredState desired = FixtureRoster();
  StatusReport report = Report(desired, FixtureWorld(desired, GetParam()));
  std::string text = Show(report, false);
  std::string json = Show(report, true);
  fs::path expected_text = kStatusFixtures / (GetParam() + ".txt");
  fs::path expected_json = kStatusFixtures / (GetParam() + ".json");
  if (std::getenv("MOSAIC_UPDATE_GOLDEN")) {
    std::ofstream(expected_text, std::ios::binary) << text;
    std::ofstream(expected_json, std::ios::binary) << json;
  }
  EXPECT_EQ(text, testing_support::Slurp(expected_text));
  EXPECT_EQ(json, testing_support::Slurp(expected_json));
}

INSTANTIATE_TEST_SUITE_P(Fixtures, GoldenStatus, testing::ValuesIn(Cases()));

// What the goldens must show, stated apart from them: a regenerated golden cannot hide a
// flag that went missing.
TEST(StatusReport, EveryFlagAndEveryExtraRowIsReported) {
  DesiredState desired = FixtureRoster();
  ObservedState observed = FixtureWorld(desired, "every-flag");
  StatusReport report = Report(desired, observed);
  std::map<std::string, std::vector<std::string>> flags;
  std::map<std::string, bool> healthy;
  for (const StatusRow& r : report.rows) flags[r.name] = r.flags, healthy[r.name] = r.healthy;
  using V = std::vector<std::string>;
  EXPECT_EQ(flags["_holder"], V{});
  EXPECT_EQ(flags["a"], V{kFlagConflict});
  EXPECT_EQ(flags["b"], V{kFlagDrift});
  EXPECT_EQ(flags["c"], (V{kFlagBootEnable, kFlagStaleHeartbeat}));
  EXPECT_EQ(flags["d"], V{kFlagStopped});
  EXPECT_EQ(flags["e"], V{kFlagDead});
  EXPECT_EQ(flags["f"], (V{kFlagMissing, kFlagCrashLoop}));
  EXPECT_EQ(flags["g"], (V{kFlagUnsupervised, kFlagStaleHeartbeat})) << "dated in the future";
  EXPECT_EQ(flags["mosaic-verify-canary"], V{kFlagVerifyCanary});
  EXPECT_TRUE(healthy["mosaic-verify-canary"]) << "a running verify is no fault of the fleet's";
  EXPECT_TRUE(report.changed_unit_files.empty());
  // A unit file of the tool's edited by hand: every agent runs from it.
  std::string& file = observed.files.at(desired.UnitFile("mosaic-agent@.service")->path);
  file.replace(file.find("Restart="), 8, "Restart=no\n#");
  StatusReport edited = Report(desired, observed);
  EXPECT_EQ(edited.changed_unit_files, std::vector<std::string>{"mosaic-agent@.service"});
  EXPECT_FALSE(edited.healthy());
  EXPECT_EQ(flags["far"], (V{kFlagElsewhere, kFlagOrphan}));
  const StatusRow& far = *std::find_if(report.rows.begin(), report.rows.end(),
                                       [](const StatusRow& r) { return r.name == "far"; });
  EXPECT_THAT(far.detail, testing::StartsWith("moved to host ")) << "what apply does about it";
  EXPECT_EQ(flags["old"], V{kFlagOrphan});
  EXPECT_EQ(flags["gone"], V{kFlagOrphan}) << "its unit, enabled, of an agent the tool managed";
  EXPECT_EQ(flags["scratch"], V{kFlagUnmanaged});
  EXPECT_EQ(flags["stranger"], V{kFlagUnmanaged}) << "a unit the tool never managed";
  EXPECT_TRUE(healthy["_holder"] && healthy["d"] && healthy["scratch"] && healthy["stranger"]);
  for (const char* name : {"a", "b", "c", "e", "f", "g", "far", "old", "gone"})
    EXPECT_FALSE(healthy[name]) << name;
  EXPECT_FALSE(report.healthy());
  const StatusRow& b = *std::find_if(report.rows.begin(), report.rows.end(),
                                     [](const StatusRow& r) { return r.name == "b"; });
  EXPECT_EQ(b.program, "claude") << "what runs, not what the roster says";
  EXPECT_EQ(b.runtime, "pi");
  EXPECT_EQ(b.idle_seconds, 1000);
  EXPECT_THAT(b.detail, testing::HasSubstr("runtime claude → pi"));
}

TEST(StatusReport, AHealthyFleetIsHealthyAndAStoppedAgentCountsAsHealthy) {
  DesiredState desired = FixtureRoster();
  ObservedState observed = FixtureWorld(desired, "healthy");
  EXPECT_TRUE(Report(desired, observed).healthy());
  observed.heartbeat_ages["b"] = 1801;  // the roster's 30min, passed by a second
  EXPECT_FALSE(Report(desired, observed).healthy());
}

TEST(StatusReport, NamesSelectRowsAndUnknownNamesAreReturned) {
  DesiredState desired = FixtureRoster();
  StatusReport report = Report(desired, testing_support::Converged(desired));
  std::vector<std::string> unknown;
  StatusReport some = SelectRows(report, {"b", "nobody", "a"}, unknown);
  ASSERT_EQ(some.rows.size(), 2u);
  EXPECT_EQ(some.rows[0].name, "b");
  EXPECT_EQ(some.rows[1].name, "a");
  EXPECT_EQ(unknown, std::vector<std::string>{"nobody"});
}

// On a terminal, rows that need attention stand out: red when unhealthy, yellow when only
// worth knowing; healthy rows and JSON stay plain (and NO_COLOR or a pipe turn colour off in
// main, which sets Io::out_color).
TEST(StatusView, ProblemRowsStandOutInColourOnATerminal) {
  DesiredState desired = FixtureRoster();
  StatusReport report = Report(desired, FixtureWorld(desired, "every-flag"));
  std::string coloured = Show(report, false, true);
  std::istringstream lines(coloured);
  std::map<std::string, std::string> line_of;
  for (std::string line; std::getline(lines, line);) {
    std::string plain = line.starts_with("\033[") ? line.substr(line.find('m') + 1) : line;
    line_of[plain.substr(0, plain.find(' '))] = line;
  }
  EXPECT_TRUE(line_of["e"].starts_with("\033[31m")) << "DEAD: red";
  EXPECT_TRUE(line_of["d"].starts_with("\033[33m")) << "STOPPED: yellow";
  EXPECT_TRUE(line_of["scratch"].starts_with("\033[33m")) << "UNMANAGED: yellow";
  EXPECT_EQ(line_of["_holder"].find('\033'), std::string::npos) << "healthy: plain";
  EXPECT_EQ(Show(report, false, false).find('\033'), std::string::npos);
  EXPECT_EQ(Show(report, true, true).find('\033'), std::string::npos) << "JSON is never coloured";
}

}  // namespace
}  // namespace mosaic
