// StatusReport: the fleet's health as a value — one row per agent of the roster (the holder
// first, then the agents here, then those managed on other hosts), plus rows for what runs on
// the fleet's socket or under its units without the roster naming it. Computed from what was
// observed and the plan made from it, without I/O. `status` shows it through a human or a
// JSON view (reconciler/status_view.h; the JSON format is docs/status-json.md).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "desired_state.h"
#include "observed_state.h"
#include "plan.h"

namespace mosaic {

// The flags a row can carry (docs/operations.md, "Reading status").
inline constexpr char kFlagDrift[] = "DRIFT";                ///< runs another launch identity
inline constexpr char kFlagBootEnable[] = "BOOT-ENABLE";     ///< active but not enabled at boot
inline constexpr char kFlagDead[] = "DEAD";                  ///< its program ended
inline constexpr char kFlagMissing[] = "MISSING";            ///< its session does not exist
inline constexpr char kFlagUnsupervised[] = "UNSUPERVISED";  ///< its session runs, its unit not
inline constexpr char kFlagStaleHeartbeat[] = "STALE-HB";
inline constexpr char kFlagCrashLoop[] = "CRASHLOOP";  ///< systemd stopped restarting it
inline constexpr char kFlagStopped[] = "STOPPED";      ///< `state: stopped`, or `mosaic-fleet stop`
inline constexpr char kFlagConflict[] = "CONFLICT";    ///< a foreign session holds its name
inline constexpr char kFlagElsewhere[] = "ELSEWHERE";  ///< the roster places it on another host
inline constexpr char kFlagUnmanaged[] = "UNMANAGED";  ///< a session the roster does not name
inline constexpr char kFlagVerifyCanary[] = "VERIFY";  ///< `verify`'s throwaway agent, running
inline constexpr char kFlagOrphan[] = "ORPHAN";  ///< the tool's session or unit, not in the roster

enum class StatusRowKind { kHolder, kAgent, kElsewhere, kUnmanaged, kOrphan };

struct StatusRow {
  StatusRowKind kind = StatusRowKind::kAgent;
  std::string name;
  // What the roster says (empty for rows the roster does not name).
  std::string host;
  std::string tenant_id;
  std::string agent_class;
  std::string runtime;
  std::string model_hint;
  // What was observed.
  std::string unit_state;   ///< systemd's active state, or "not-found"
  std::string unit_result;  ///< systemd's result when the unit failed ("exit-code", …)
  bool enabled = false;
  std::string session;  ///< "running", "dead (exit N)", "dead (signal N)", "dead", "missing",
                        ///< "stopped", "foreign" (a session the tool did not create)
  int64_t pid = 0;      ///< the session's pane process; 0 when there is none
  std::string program;  ///< the runtime `session start` recorded on the session ("" unknown)
  std::optional<int> exit_status;        ///< of a dead session's program, when tmux reported one
  std::optional<int64_t> idle_seconds;   ///< since the session's last activity
  std::optional<int64_t> memory_bytes;   ///< its unit's cgroup, now
  std::optional<double> cpu_seconds;     ///< its unit's cgroup, since its processes started
  std::optional<int64_t> heartbeat_age;  ///< seconds; none when the agent never wrote one
  int64_t heartbeat_stale_after = 0;     ///< seconds (agents only)
  std::vector<std::string> flags;        ///< kFlag…, in a fixed order
  std::string detail;                    ///< why, when a flag needs saying (the drift)
  bool healthy = false;
  bool HasFlag(std::string_view flag) const;
};

struct StatusReport {
  std::string socket;
  std::string tenant_id;
  bool server = false;
  int64_t server_pid = 0;
  std::vector<StatusRow> rows;
  /// The tool's unit files changed outside it (plan's drift): every agent runs from them.
  std::vector<std::string> changed_unit_files;
  bool healthy() const;
};

/// The report of `observed` against `desired`; `plan` is MakePlan's of the same two (it says
/// which sessions drift and which agents crash-loop, exactly as plan and apply see it).
StatusReport MakeStatusReport(const DesiredState& desired, const ObservedState& observed,
                              const Plan& plan);

/// `report` with only the rows named in `names` (the holder's included when named); the
/// names no row has are returned in `unknown`.
StatusReport SelectRows(const StatusReport& report, const std::vector<std::string>& names,
                        std::vector<std::string>& unknown);

}  // namespace mosaic
