// ObservedState: what is there, as one value — tmux sessions on the fleet socket, systemd
// user units, the files the tool writes, heartbeats, and the user data it must preserve.
//
// Observers (executors/observer.h) fill it with a constant number of tmux processes and bus
// calls whatever the fleet size; tests and fixtures (fixtures/observed/*.json) build it by
// hand. It round-trips through JSON so that a plan can fingerprint what it was made from.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "fleet_contract.h"

namespace mosaic {

struct ObservedSession {
  std::string name;
  int64_t pane_pid = 0;
  bool dead = false;         ///< the pane's command has exited (remain-on-exit keeps it)
  std::string owner;         ///< @mosaic-owner: kOwnerAgent, kOwnerHolder, or "" (not ours)
  std::string runtime;       ///< @mosaic-runtime, recorded at creation
  std::string workdir;       ///< @mosaic-workdir
  std::string command_hash;  ///< @mosaic-command: Fingerprint of the launch command
  std::string env_hash;      ///< @mosaic-env: EnvFingerprint of the env file it started with
  /// How a dead pane's program ended: its exit status, or the signal that killed it; both -1
  /// while alive, and while tmux has not reaped the program (see HowItEnded).
  int dead_status = -1;
  int dead_signal = -1;
  /// When the session's window last had output or input (seconds since the epoch; 0:
  /// unknown). Not part of the observed fingerprint: it changes whenever an agent writes.
  int64_t activity = 0;
  bool owned() const { return owner == kOwnerAgent; }
  friend bool operator==(const ObservedSession&, const ObservedSession&) = default;
};

/// How a dead session's program ended, for messages: "exited with status 3", "was killed by
/// signal 9 (KILL)", or, when tmux has not reaped it (tmux before 3.5 built with libutempter
/// can miss the SIGCHLD of a program that exits while another pane is being created), "ended
/// (tmux has not reported how)".
std::string HowItEnded(const ObservedSession& session);

struct ObservedUnit {
  std::string name;
  std::string load_state;    ///< loaded, not-found, ...
  std::string active_state;  ///< active, inactive, failed, activating, ...
  bool enabled = false;      ///< linked into the .wants/ of a target (its [Install] one)
  std::string sub_state;     ///< running, exited, auto-restart, dead, failed, …
  std::string result;        ///< for failed units: exit-code, signal, start-limit-hit, …
  bool active() const {
    return active_state == "active" || active_state == "activating" || active_state == "reloading";
  }
  friend bool operator==(const ObservedUnit&, const ObservedUnit&) = default;
};

/// What an agent's unit costs now (executors/agent_usage.h).
struct AgentUsage {
  int64_t memory_bytes = 0;
  double cpu_seconds = 0;  ///< since its processes started
  friend bool operator==(const AgentUsage&, const AgentUsage&) = default;
};

/// A tmux socket the fleet moved away from: named by fleet/run/previous-sockets, or by the
/// holder's unit file on disk while an apply has not rewritten it yet.
struct ObservedPreviousSocket {
  std::string name;
  bool recorded = false;  ///< in fleet/run/previous-sockets
  bool server = false;    ///< its tmux server runs
  int64_t server_pid = 0;
  /// Its server is still in the holder unit's cgroup: restarting the holder would end it and
  /// every session on it, so it is moved out first.
  bool server_in_holder = false;
  std::map<std::string, ObservedSession> sessions;  ///< by name (`agent watch` viewers left out)
  std::string unreadable;  ///< why tmux could not be asked about it ("" when it could)
  friend bool operator==(const ObservedPreviousSocket&, const ObservedPreviousSocket&) = default;
};

struct ObservedState {
  /// TMUX_TMPDIR in the user manager's environment ("" when unset): where the units' tmux, and
  /// so the fleet's server, keeps its socket.
  std::string tmux_tmpdir;
  bool tmux_server = false;
  int64_t tmux_server_pid = 0;
  /// The fleet's server runs, but not in the holder's cgroup (started by hand, or kept for
  /// others' sessions after a move away from this socket): the holder does not own it.
  bool tmux_server_outside_holder = false;
  std::map<std::string, ObservedSession> sessions;  ///< on the fleet socket, by name
  /// Sockets the fleet moved away from, other than the roster's (empty unless it moved).
  std::vector<ObservedPreviousSocket> previous_sockets;
  std::map<std::string, ObservedUnit> units;  ///< the holder and every mosaic-agent@ unit seen
  std::map<std::string, std::string> files;   ///< unit and env files that exist: path → content
  /// Unit files ("mosaic-agent@.service", …) changed on disk since the manager loaded them
  /// (NeedDaemonReload): written by an apply that was stopped before its daemon-reload.
  std::vector<std::string> stale_unit_files;
  /// Unit files the tool wrote (they begin with its header) that the roster no longer calls
  /// for, by name: removed by apply.
  std::vector<std::string> retired_unit_files;
  /// Files the tool writes (unit files, agents' env files) that are symbolic links: it never
  /// writes through one.
  std::vector<std::string> symlinks;
  std::vector<std::string> env_files;             ///< agents with an env file, by name
  std::map<std::string, int64_t> heartbeat_ages;  ///< agent → seconds since its last heartbeat
  /// Agents an operator stopped (`mosaic-fleet stop`: fleet/run/NAME.stopped), by name: kept
  /// stopped like `state: stopped` until `mosaic-fleet start`.
  std::vector<std::string> operator_stopped;
  int64_t observed_at = 0;  ///< when (seconds since the epoch): sessions' idle time counts to it
  /// Agent → its unit's memory and CPU; filled only for `status` (not part of the fingerprint).
  std::map<std::string, AgentUsage> usage;
  std::vector<std::string> preserved;  ///< user data found and left alone (paths)
  /// What would make an agent's start fail, found before starting it: agents whose working
  /// directory is not a directory, and agent → program its command names that is not on the
  /// PATH its unit runs with.
  std::vector<std::string> missing_directories;
  std::map<std::string, std::string> missing_programs;
  friend bool operator==(const ObservedState&, const ObservedState&) = default;
};

nlohmann::json ToJson(const ObservedState& observed);
ObservedState ObservedFromJson(const nlohmann::json& j);

/// Fingerprint of everything in `observed` that a plan depends on (heartbeat ages excluded:
/// they change every second and never change a plan's actions).
std::string ObservedFingerprint(const ObservedState& observed);

}  // namespace mosaic
