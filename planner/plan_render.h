// PlanRender: a Plan as text for people, in the manner of `terraform plan`.
// (The machine view is PlanToJson in plan.h; both show the same plan.)
#pragma once

#include <string>

#include "plan.h"

namespace mosaic {

/// Blocks per resource change with +, ~, -/+ and - markers, attribute diffs `old -> new`, the
/// reason, notes, and the summary line ("Plan: 2 to add, 1 to change, 1 to replace, 0 to
/// destroy." or "No changes. The fleet matches the roster."). `color` adds ANSI colours.
std::string RenderPlanText(const Plan& plan, bool color);

/// Just the summary line.
std::string RenderPlanSummary(const Plan& plan);

}  // namespace mosaic
