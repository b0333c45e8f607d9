// Roster: the fleet as the operator described it, after validation and with defaults applied.
//
// A Roster is plain data. Spellings are normalised (socketName → socket_name); paths are kept
// as written ("~/src"): expanding "~" needs a home directory, which is the caller's to give.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "diagnostic.h"

namespace mosaic {

inline constexpr char kDefaultSocketName[] = "mosaic-fleet";
inline constexpr char kDefaultHolderSession[] = "_holder";
inline constexpr char kDefaultWorkingDirectory[] = "~";
inline constexpr char kDefaultRestart[] = "on-failure";
/// The throwaway agent `verify` starts and removes: no roster may name an agent so.
inline constexpr char kVerifyCanary[] = "mosaic-verify-canary";
inline constexpr int64_t kDefaultHeartbeatStaleAfter = 600;  ///< seconds (10 minutes)

/// The `reconcile:` block: drift correction by a systemd timer.
struct ReconcileSettings {
  std::string interval;  ///< a systemd time span, e.g. "5min"
  int64_t interval_seconds = 0;
  bool allow_destroy = false;  ///< unattended runs may replace or destroy live sessions
  friend bool operator==(const ReconcileSettings&, const ReconcileSettings&) = default;
};

struct RuntimeSettings {
  std::string reset_command;  ///< typed into a reusable slot to reset it, e.g. "/clear"
  std::string command;        ///< launch command line; empty means `mosaic yolo RUNTIME`
  friend bool operator==(const RuntimeSettings&, const RuntimeSettings&) = default;
};

struct AgentSpec {
  std::string name;
  std::string runtime;
  std::string agent_class;  ///< `class` in YAML
  std::string model_hint;
  std::string persistent_persona;  ///< "", "true", "false" or "semi"
  bool reset_between_tasks = false;
  std::string kickstart_template;
  std::string working_directory;  ///< the agent's own, else the roster default
  std::string host;               ///< the agent's own, else the roster's; empty = any host
  std::string ssh;       ///< how to reach its host from another machine (user@host); "" when unsaid
  bool stopped = false;  ///< `state: stopped`: kept stopped, its session ended
  std::string restart = kDefaultRestart;  ///< on-failure, always or never (systemd's Restart=)
  /// Seconds after which its heartbeat is stale: its own, else the roster's health default.
  int64_t heartbeat_stale_after = kDefaultHeartbeatStaleAfter;
  SourceLocation location;  ///< where the agent's entry starts
  friend bool operator==(const AgentSpec&, const AgentSpec&) = default;
};

struct Roster {
  int version = 1;
  std::string transport = "tmux";
  std::string tenant_id;
  std::string host;
  std::string socket_name = kDefaultSocketName;
  std::string holder_session = kDefaultHolderSession;
  std::string default_working_directory = kDefaultWorkingDirectory;
  std::map<std::string, RuntimeSettings> runtimes;
  std::vector<AgentSpec> agents;
  std::optional<ReconcileSettings> reconcile;  ///< absent: no drift correction timer
  friend bool operator==(const Roster&, const Roster&) = default;
};

}  // namespace mosaic
