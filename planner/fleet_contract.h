// FleetContract: the names the planner and the runtime (`session start`, the observer) must
// agree on. Each is written in one place, here; a change here is a change of the on-disk and
// in-tmux format that running fleets depend on.
//
//  - the keys the tool owns in an agent's env file (everything else there is the user's);
//  - the user key that replaces the runtime's launch command;
//  - the tmux user options `session start` records on each session it creates, and the
//    values of @mosaic-owner that mark a session as the tool's.
#pragma once

#include <algorithm>
#include <array>
#include <string_view>

namespace mosaic {

// Owned env keys, in the order the tool writes them.
inline constexpr std::string_view kEnvAgentName = "MOSAIC_AGENT_NAME";
inline constexpr std::string_view kEnvAgentRuntime = "MOSAIC_AGENT_RUNTIME";
inline constexpr std::string_view kEnvAgentModel = "MOSAIC_AGENT_MODEL";
inline constexpr std::string_view kEnvAgentWorkdir = "MOSAIC_AGENT_WORKDIR";
inline constexpr std::string_view kEnvRuntimeCommand = "MOSAIC_RUNTIME_COMMAND";
inline constexpr std::string_view kEnvTmuxSocket = "MOSAIC_TMUX_SOCKET";
inline constexpr std::string_view kEnvTmuxHolder = "MOSAIC_TMUX_HOLDER";
inline constexpr std::array<std::string_view, 7> kOwnedEnvKeys = {
    kEnvAgentName,      kEnvAgentRuntime, kEnvAgentModel, kEnvAgentWorkdir,
    kEnvRuntimeCommand, kEnvTmuxSocket,   kEnvTmuxHolder,
};
inline bool IsOwnedEnvKey(std::string_view key) {
  return std::find(kOwnedEnvKeys.begin(), kOwnedEnvKeys.end(), key) != kOwnedEnvKeys.end();
}

/// Set in every agent's environment when its program starts (not written to its env file):
/// the file it touches to say it is alive (docs/operations.md, "Heartbeats").
inline constexpr std::string_view kEnvHeartbeatFile = "MOSAIC_HEARTBEAT_FILE";

/// A user key: when set and non-empty, it replaces the runtime's launch command. A user
/// value, so it is never printed.
inline constexpr std::string_view kEnvUserCommand = "MOSAIC_AGENT_COMMAND";

// tmux user options recorded on every session the tool creates.
inline constexpr std::string_view kOptionOwner = "@mosaic-owner";
inline constexpr std::string_view kOptionRuntime = "@mosaic-runtime";
inline constexpr std::string_view kOptionWorkdir = "@mosaic-workdir";
inline constexpr std::string_view kOptionCommand = "@mosaic-command";  ///< launch command hash
inline constexpr std::string_view kOptionEnv = "@mosaic-env";          ///< env variables hash
/// On an agent's window while `agent watch` viewers pin its size: its own window-size
/// setting, to put back ("-": none).
inline constexpr std::string_view kOptionWindowSize = "@mosaic-window-size";

/// The tmux wait-for channel that wakes agent NAME's supervisor (`session run`): signalled by
/// a hook on its session when its pane dies, and by the server-wide session-closed hook (with
/// the closed session's name, stripped to safe characters) when a session is killed.
inline constexpr std::string_view kChannelPrefix = "mosaic-";
/// The index of the server-wide session-closed hook the tool sets (user hooks keep theirs).
inline constexpr int kSessionClosedHookIndex = 77;

/// @mosaic-owner of agent sessions and of the holder's keep-alive session.
inline constexpr char kOwnerAgent[] = "mosaic-fleet";
inline constexpr char kOwnerHolder[] = "mosaic-fleet-holder";
/// @mosaic-owner of `agent watch`'s viewer: a second view of an agent's window, not a session
/// of the fleet (observers leave it out).
inline constexpr char kOwnerViewer[] = "mosaic-fleet-viewer";

}  // namespace mosaic
