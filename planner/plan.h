// Plan: what apply will do, why, and in which order — a value that can be shown, saved,
// loaded and executed later exactly as it was made.
//
// A plan has two faces. `changes` are for people and scripts: one per resource, with a
// closed set of actions (create +, update ~, replace -/+, delete -), attribute diffs and a
// reason. `steps` are for the executors: an ordered list of idempotent operations (files →
// daemon-reload → enable → holder → agents → removals), batched so that N agents cost one
// bus round trip, not N. Executors never read reasons.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "diagnostic.h"

namespace mosaic {

enum class ChangeAction { kCreate, kUpdate, kReplace, kDelete };

struct AttributeDiff {
  std::string name;
  std::string before;  ///< "" when absent
  std::string after;
  bool forces_replacement = false;
  friend bool operator==(const AttributeDiff&, const AttributeDiff&) = default;
};

struct ResourceChange {
  std::string address;  ///< "unit_file.mosaic-tmux-holder.service", "env_file.coder0", "unit.…",
                        ///< "agent.coder0"
  ChangeAction action = ChangeAction::kUpdate;
  std::string reason;  ///< for people only
  std::vector<AttributeDiff> attributes;
  std::vector<std::string> diff;  ///< file line diff: "+ …", "- …", "  …"; user values masked
  /// Changed outside mosaic-fleet (a unit stopped by hand, a killed session, an edited file),
  /// as opposed to a change that comes from editing the roster.
  bool drift = false;
  /// Non-empty: the change is shown but not made in this run, and this says why and how to
  /// release it (a persistent persona, an unattended run, …).
  std::string held;
  friend bool operator==(const ResourceChange&, const ResourceChange&) = default;
};

enum class StepKind {
  kWriteFile,     ///< path, content, mode
  kMergeEnvFile,  ///< path, owned (keys the tool owns): merged with the file as it is at apply
  kRemoveFile,    ///< path: a unit file the tool wrote (recognised by its header)
  kDaemonReload,
  kEnableUnits,    ///< names
  kStartUnits,     ///< names: enqueue all, then wait for all
  kRestartUnits,   ///< names
  kStopUnits,      ///< names
  kDisableUnits,   ///< names
  kKillSessions,   ///< names: exact =NAME targets on `socket` ("": the fleet's)
  kAdoptSessions,  ///< names: sessions the tool did not create, ended for agents of their
                   ///< names to start in their place (`apply --replace NAME`)
  // A socket move (docs/operations.md, "Moving the socket"):
  kRecordSockets,  ///< names: sockets added to fleet/run/previous-sockets (`path`)
  kDetachServer,   ///< socket: its server moved out of the holder's cgroup into its own scope
  kRetireSocket,   ///< socket: its server killed if nothing but the tool's remains, then
                   ///< forgotten (`path`) once gone
};
/// The last StepKind: a new kind goes before it, or becomes it (plan_json.cc counts on this).
inline constexpr StepKind kLastStepKind = StepKind::kRetireSocket;

/// One operation of a plan. Built only through the named constructors, which set exactly the
/// fields that kind of step uses (the others stay empty, so equal steps compare equal).
struct Step {
  StepKind kind = StepKind::kDaemonReload;
  std::vector<std::string> names;
  std::string path;
  std::string content;
  unsigned mode = 0;
  std::vector<std::pair<std::string, std::string>> owned;
  std::string socket;  ///< a socket the fleet moved away from
  friend bool operator==(const Step&, const Step&) = default;

  static Step WriteFile(std::string path, std::string content, unsigned mode) {
    return {StepKind::kWriteFile, {}, std::move(path), std::move(content), mode, {}};
  }
  static Step MergeEnvFile(std::string path,
                           std::vector<std::pair<std::string, std::string>> owned) {
    return {StepKind::kMergeEnvFile, {}, std::move(path), "", 0600, std::move(owned)};
  }
  static Step RemoveFile(std::string path) {
    return {StepKind::kRemoveFile, {}, std::move(path), "", 0, {}};
  }
  static Step DaemonReload() { return {StepKind::kDaemonReload, {}, "", "", 0, {}}; }
  /// Enable, start, restart, stop or disable `units`; or kill the sessions named `units`.
  static Step OnUnits(StepKind kind, std::vector<std::string> units) {
    return {kind, std::move(units), "", "", 0, {}};
  }
  /// Kill the tool's sessions `names` on `socket`, a socket the fleet moved away from.
  static Step KillSessionsOn(std::string socket, std::vector<std::string> names) {
    return {StepKind::kKillSessions, std::move(names), "", "", 0, {}, std::move(socket)};
  }
  static Step RecordSockets(std::string record, std::vector<std::string> sockets) {
    return {StepKind::kRecordSockets, std::move(sockets), std::move(record), "", 0, {}};
  }
  static Step DetachServer(std::string socket) {
    return {StepKind::kDetachServer, {}, "", "", 0, {}, std::move(socket)};
  }
  static Step RetireSocket(std::string record, std::string socket) {
    return {StepKind::kRetireSocket, {}, std::move(record), "", 0, {}, std::move(socket)};
  }
};

enum class NoteKind {
  kTargeted,          ///< --target limited the plan
  kManagedElsewhere,  ///< agent on another host
  kUnmanagedSession,  ///< a session on the socket the tool did not create
  kNameConflict,      ///< an unmanaged session has an agent's name: left alone, agent not started
  kPreservedData,     ///< user data left in place
  kStaleHeartbeat,
  kHolderUnitChanged,    ///< takes effect at the next holder restart, which apply never does
  kUnmanagedUnit,        ///< a mosaic-agent@ unit the tool never managed: left alone
  kCrashLoop,            ///< systemd gave up on an agent (its start limit): not started again
  kOperatorStopped,      ///< `mosaic-fleet stop` keeps the agent stopped until `start`
  kBuildTreeBinary,      ///< the unit files written would run a binary in a build tree
  kInstalledBinaryKept,  ///< the units keep an installed binary, not the build that planned
  kPreviousSocket,       ///< a socket the fleet moved away from still serves others' sessions
};
/// The last NoteKind: a new kind goes before it, or becomes it (plan_json.cc counts on this).
inline constexpr NoteKind kLastNoteKind = NoteKind::kPreviousSocket;

struct Note {
  NoteKind kind = NoteKind::kTargeted;
  std::string subject;
  std::string message;
  friend bool operator==(const Note&, const Note&) = default;
};

struct Plan {
  std::vector<ResourceChange> changes;
  std::vector<Step> steps;
  std::vector<Note> notes;
  /// What stops this plan from being applied (an env file that cannot be rewritten without
  /// losing the user's lines, …), located where possible. Apply refuses a plan with errors.
  Diagnostics errors;
  std::vector<std::string> targets;  ///< --target names; empty: the whole fleet
  std::vector<std::string> replace;  ///< --replace names: held personas this plan may end
  std::string socket;                ///< the fleet's tmux socket, for the executors
  std::string observed_fingerprint;  ///< ObservedFingerprint of what the plan was made from
  std::string roster_path;           ///< the roster it was made from …
  std::string roster_fingerprint;    ///< … and Fingerprint of that roster's text
  bool empty() const { return changes.empty(); }
  /// Whether some change is held: the run leaves it pending.
  bool has_held() const;
  bool has_errors() const { return HasErrors(errors); }
  friend bool operator==(const Plan&, const Plan&) = default;
};

/// Counts by action, for "Plan: 2 to add, 1 to change, 1 to replace, 0 to destroy."
struct PlanSummary {
  int add = 0, change = 0, replace = 0, destroy = 0;
  int held = 0;   ///< of those, held (pending)
  int drift = 0;  ///< of those, changed outside mosaic-fleet
};
PlanSummary Summarize(const Plan& plan);

std::string_view ActionSymbol(ChangeAction action);  ///< "+", "~", "-/+", "-"
std::string_view ActionName(ChangeAction action);    ///< "create", "update", "replace", "delete"
std::string_view StepName(StepKind kind);            ///< "write-file", "daemon-reload", …
std::string_view NoteKindName(NoteKind kind);        ///< "targeted", "unmanaged-session", …

}  // namespace mosaic
