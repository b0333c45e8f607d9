// The saved-plan format both ways: every kind of step, change and note survives a round
// trip, and a malformed plan is refused with the field it is wrong about — never guessed.
#include "plan_json.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

namespace mosaic {
namespace {

using testing::HasSubstr;

Plan EveryKindOfEverything() {
  Plan plan;
  plan.socket = "fleet";
  plan.observed_fingerprint = "0123456789abcdef";
  plan.roster_path = "/home/op/.config/mosaic/fleet/roster.yaml";
  plan.roster_fingerprint = "fedcba9876543210";
  plan.targets = {"a"};
  for (ChangeAction action : {ChangeAction::kCreate, ChangeAction::kUpdate, ChangeAction::kReplace,
                              ChangeAction::kDelete})
    plan.changes.push_back(
        {"agent.a", action, "why", {{"runtime", "pi", "claude", true}}, {"+ x"}});
  // Every kind there is, counted by its value: a kind a saved plan cannot spell is a plan
  // that can never be applied.
  for (int kind = 0; kind <= static_cast<int>(kLastStepKind); ++kind)
    plan.steps.push_back(
        {static_cast<StepKind>(kind), {"u.service"}, "/p", "content", 0600, {{"K", "v"}}});
  for (int kind = 0; kind <= static_cast<int>(kLastNoteKind); ++kind)
    plan.notes.push_back({static_cast<NoteKind>(kind), "s", "m"});
  plan.errors.push_back({Severity::kError, "/x/a.env", {3, 0}, "", "bad"});
  plan.errors.push_back({Severity::kWarning, "", {}, "", "whole file"});
  return plan;
}

TEST(PlanJson, EveryStepChangeNoteAndErrorRoundTrips) {
  Plan plan = EveryKindOfEverything();
  Result<Plan> back = PlanFromJson(PlanToJson(plan));
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back.value(), plan);
}

TEST(PlanJson, TheStreamedPlanIsTheDocumentsDumpByteForByte) {
  for (const Plan& plan : {EveryKindOfEverything(), Plan{}}) {
    std::ostringstream streamed;
    WritePlanJson(plan, streamed);
    EXPECT_EQ(streamed.str(), PlanToJson(plan).dump(2));
  }
}

TEST(PlanJson, BytesThatAreNotUtf8BecomeReplacementCharactersInAWholeDocument) {
  // A hand-edited unit file's line reaches the plan's diff as it is; JSON cannot carry it.
  Plan plan = EveryKindOfEverything();
  plan.changes[0].diff = {"+ Description=caf\xe9"};
  plan.notes[0].subject = "\xff";
  std::ostringstream streamed;
  WritePlanJson(plan, streamed);
  nlohmann::json j = nlohmann::json::parse(streamed.str());
  EXPECT_EQ(j["resource_changes"][0]["diff"][0], "+ Description=caf\uFFFD");
  EXPECT_EQ(j["notes"][0]["subject"], "\uFFFD");
  EXPECT_EQ(j["steps"].size(), plan.steps.size()) << "the document goes on to its end";
}

// kLastStepKind and kLastNoteKind are the last kinds there are: one added after them, and not
// made the last, would be missing from every round trip above (and from the plan reader).
TEST(PlanJson, TheLastKindsAreTheLast) {
  EXPECT_EQ(StepName(static_cast<StepKind>(static_cast<int>(kLastStepKind) + 1)), "?");
  EXPECT_EQ(NoteKindName(static_cast<NoteKind>(static_cast<int>(kLastNoteKind) + 1)), "?");
}

TEST(PlanJson, SpellsReplacementTheTerraformWay) {
  nlohmann::json j = PlanToJson(EveryKindOfEverything());
  EXPECT_EQ(j["resource_changes"][2]["actions"], nlohmann::json({"delete", "create"}));
  EXPECT_EQ(j["steps"][static_cast<int>(StepKind::kRemoveFile)]["kind"], "remove-file");
  EXPECT_EQ(j["steps"][static_cast<int>(StepKind::kKillSessions)]["kind"], "kill-sessions");
}

std::string Refusal(const std::function<void(nlohmann::json&)>& edit) {
  nlohmann::json j = PlanToJson(EveryKindOfEverything());
  edit(j);
  Result<Plan> plan = PlanFromJson(j);
  EXPECT_FALSE(plan.ok());
  return plan.ok() ? "" : plan.status().message();
}

TEST(PlanJson, RefusesWhatItDoesNotKnowNamingTheField) {
  EXPECT_EQ(Refusal([](nlohmann::json& j) { j["steps"][1]["kind"] = "remove-everything"; }),
            "steps[1].kind: unknown step kind \"remove-everything\"");
  EXPECT_EQ(Refusal([](nlohmann::json& j) { j["resource_changes"][0]["action"] = "nuke"; }),
            "resource_changes[0].action: unknown action \"nuke\"");
  EXPECT_EQ(Refusal([](nlohmann::json& j) { j["notes"][0]["kind"] = "x"; }),
            "notes[0].kind: unknown note kind \"x\"");
}

TEST(PlanJson, RefusesMissingFieldsAndWrongTypes) {
  EXPECT_EQ(Refusal([](nlohmann::json& j) { j["steps"][0].erase("path"); }),
            "steps[0].path: is missing");
  EXPECT_EQ(Refusal([](nlohmann::json& j) { j.erase("roster_fingerprint"); }),
            "roster_fingerprint: is missing");
  EXPECT_EQ(Refusal([](nlohmann::json& j) { j["steps"][0]["mode"] = "0600"; }),
            "steps[0].mode: must be an integer");
  EXPECT_EQ(Refusal([](nlohmann::json& j) { j["steps"][0]["mode"] = 99999; }),
            "steps[0].mode: must be a file mode (0 to 4095)");
  EXPECT_EQ(Refusal([](nlohmann::json& j) { j["steps"][1]["owned"][0] = {"K"}; }),
            "steps[1].owned[0]: must be a [key, value] pair of strings");
  EXPECT_EQ(Refusal([](nlohmann::json& j) { j["targets"] = {1}; }), "targets[0]: must be a string");
  EXPECT_EQ(Refusal([](nlohmann::json& j) { j = nlohmann::json::array(); }),
            "the plan: must be an object");
}

TEST(PlanJson, RefusesAnotherFormatVersion) {
  EXPECT_THAT(Refusal([](nlohmann::json& j) { j["format_version"] = 2; }),
              HasSubstr("format_version: this mosaic-fleet reads plans of version 1, not 2"));
}

}  // namespace
}  // namespace mosaic
