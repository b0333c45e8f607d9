// MakePlan: the diff of desired against observed, as a Plan. Pure and deterministic.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "desired_state.h"
#include "launch_identity.h"
#include "observed_state.h"
#include "plan.h"

namespace mosaic {

struct PlanOptions {
  std::vector<std::string> targets;  ///< limit agent changes to these names
  /// Agents this run may replace or destroy although their persona is held (--replace).
  std::set<std::string> replace;
  /// A run nobody watches (the reconcile timer): only what is safe without a person is made;
  /// replacing or destroying a live session is held unless the roster's reconcile.allow_destroy.
  bool unattended = false;
};

/// Every change needed to make `observed` match `desired`, with reasons, and the ordered,
/// batched steps that make them. No I/O; same inputs, same plan.
Plan MakePlan(const DesiredState& desired, const ObservedState& observed,
              const PlanOptions& options = {});

}  // namespace mosaic
