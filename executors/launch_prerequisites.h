// LaunchPrerequisites: what would make an agent's start fail, looked for before starting it —
// a working directory that is not one, a program that its unit's PATH does not find — so that
// the plan says so on the agent, instead of a unit failing with a pointer to the journal.
#pragma once

#include <string>
#include <string_view>

#include "desired_state.h"
#include "file_system.h"
#include "observed_state.h"

namespace mosaic {

/// The PATH of a systemd user manager that sets none (systemd's own default for units).
inline constexpr char kSystemdDefaultPath[] =
    "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// Fills observed.missing_directories and observed.missing_programs for `desired`'s agents. An
/// agent's command and PATH are its env file's (as observed) where it sets them, else the
/// roster's command and `manager_path`.
void ObserveLaunchPrerequisites(const DesiredState& desired, FileSystem& fs,
                                std::string_view manager_path, ObservedState& observed);

}  // namespace mosaic
