// PlanJson: a Plan in its versioned machine format (docs/plan-json.md), both ways.
//
// Reading is strict, because a saved plan is input like any other: an unknown step kind,
// action or note kind, a missing field, a value of the wrong type or another format_version
// is refused with a message naming the field ("steps[2].kind: unknown step kind
// \"remove-everything\""). Nothing is defaulted and nothing throws.
#pragma once

#include <nlohmann/json.hpp>
#include <ostream>

#include "plan.h"
#include "status.h"

namespace mosaic {

inline constexpr int kPlanFormatVersion = 1;

nlohmann::json PlanToJson(const Plan& plan);
/// JsonText(PlanToJson(plan), 2), byte for byte (bytes that are not UTF-8 become U+FFFD),
/// written as it is made: no document of the whole plan is built (at 1000 agents it would
/// take more memory than the plan itself).
void WritePlanJson(const Plan& plan, std::ostream& out);

/// The plan `j` describes. PlanFromJson(PlanToJson(p)) == p for every plan p whose text is
/// UTF-8.
Result<Plan> PlanFromJson(const nlohmann::json& j);

}  // namespace mosaic
