// Golden plans: fixtures/observed/roster.yaml planned against each fixtures/observed/NAME.json
// must render exactly as fixtures/plans/NAME.txt (text) and NAME.json (machine format).
// MOSAIC_UPDATE_GOLDEN=1 rewrites the expected files instead (review the diff!).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "make_plan.h"
#include "plan_json.h"
#include "plan_render.h"
#include "planner_fixture.h"

namespace mosaic {
namespace {

namespace fs = std::filesystem;
const fs::path kFixtures = MOSAIC_FIXTURES_DIR;

using testing_support::Slurp;

std::vector<std::string> Cases() {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(kFixtures / "observed"))
    if (entry.path().extension() == ".json") names.push_back(entry.path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

class GoldenPlan : public testing::TestWithParam<std::string> {};

TEST_P(GoldenPlan, RendersAsRecorded) {
  DesiredState desired = testing_support::Desired(Slurp(kFixtures / "observed" / "roster.yaml"));
  nlohmann::json fixture =
      nlohmann::json::parse(Slurp(kFixtures / "observed" / (GetParam() + ".json")));
  Plan plan = MakePlan(desired, testing_support::ObservedFixture(desired, fixture));
  std::string text = RenderPlanText(plan, false);
  std::ostringstream streamed;  // what plan --json prints
  WritePlanJson(plan, streamed);
  std::string json = streamed.str() + "\n";
  EXPECT_EQ(json, PlanToJson(plan).dump(2) + "\n") << "the streamed plan is the document's dump";
  fs::path expected_text = kFixtures / "plans" / (GetParam() + ".txt");
  fs::path expected_json = kFixtures / "plans" / (GetParam() + ".json");
  if (std::getenv("MOSAIC_UPDATE_GOLDEN")) {
    std::ofstream(expected_text, std::ios::binary) << text;
    std::ofstream(expected_json, std::ios::binary) << json;
  }
  EXPECT_EQ(text, Slurp(expected_text));
  EXPECT_EQ(json, Slurp(expected_json));
}

INSTANTIATE_TEST_SUITE_P(Fixtures, GoldenPlan, testing::ValuesIn(Cases()));

}  // namespace
}  // namespace mosaic
