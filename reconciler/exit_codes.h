// Exit codes of every mosaic-fleet command: the contract with scripts, timers and CI.
#pragma once

namespace mosaic {

inline constexpr int kExitSuccess = 0;    ///< done; with --detailed-exitcode: and no changes
inline constexpr int kExitError = 1;      ///< invalid input, failed action, unreachable manager
inline constexpr int kExitChanges = 2;    ///< only with --detailed-exitcode: changes present
inline constexpr int kExitUnhealthy = 3;  ///< status: an agent here is not as the roster says
/// agent send --verify: delivered, but the pane did not change within the wait.
inline constexpr int kExitUnconfirmed = 4;
/// The `mosaic` link: no Mosaic CLI on PATH to hand the call to (a shell's "not found").
inline constexpr int kExitNotFound = 127;

}  // namespace mosaic
