// Helpers for planner tests: a roster from inline YAML, its desired state, and the observed
// state of a fleet that already matches it (which tests then perturb).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "desired_state.h"
#include "observed_state.h"

namespace mosaic::testing_support {

inline constexpr char kHome[] = "/home/op";

/// The desired state of `roster_yaml` on host "here" (fails the test on a bad roster).
DesiredState Desired(const std::string& roster_yaml);

/// What a converged fleet for `desired` looks like: files written, units active and
/// enabled, one owned live session per agent with the identity `session start` records.
ObservedState Converged(const DesiredState& desired);

/// An observed-state fixture (fixtures/observed/README.md): its `base` ("converged" for
/// `desired`, else empty) with its `patch` merged in.
ObservedState ObservedFixture(const DesiredState& desired, const nlohmann::json& fixture);

/// The whole content of the file at `path` ("" when it cannot be read).
std::string Slurp(const std::string& path);

}  // namespace mosaic::testing_support
