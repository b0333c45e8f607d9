// FleetContext: what every fleet command needs before it can act — the roster loaded and
// valid, the desired state, and connections to the systemd user manager and the fleet's
// tmux socket, each made on first use (a command that needs only tmux never waits for the
// manager). All of it through System. Each step fails with a message and touches nothing.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "desired_state.h"
#include "io.h"
#include "launch_prerequisites.h"
#include "observed_state.h"
#include "system.h"
#include "tmux.h"

namespace mosaic {

struct FleetOptions {
  std::string roster;                ///< empty: the default roster path
  std::string host;                  ///< empty: this machine's hostname
  double timeout_seconds = 0;        ///< bound on each tmux and bus call; 0: CallTimeout's default
  double job_timeout_seconds = 120;  ///< bound on systemd jobs (starting, stopping units)
  std::string binary;                ///< --binary: the mosaic-fleet the units run
  /// The command writes or compares unit files (AddBinaryOption): only then is the binary
  /// they run chosen and checked, so a bad $MOSAIC_FLEET_BINARY never stops `agent tail`.
  bool writes_units = false;
  /// Run over ssh by another host's agent verb (`--forwarded`): an agent of yet another host
  /// is an error here, never a further hop.
  bool forwarded = false;
};

/// The bound on each tmux and bus call: `flag_seconds` if given, else $MOSAIC_FLEET_TIMEOUT,
/// else 10 s. An unreadable $MOSAIC_FLEET_TIMEOUT is an error naming it.
Result<std::chrono::milliseconds> CallTimeout(double flag_seconds, const Environment& env);

class FleetContext {
 public:
  /// Loads and validates the roster and computes the desired state. Prints located
  /// diagnostics to io.err and returns nullopt when the roster is not valid.
  static std::optional<FleetContext> Load(System& system, const FleetOptions& options, Io& io);

  /// The user manager, connected on first use. Its unit path must hold the unit directory
  /// (else unit files would be written where it never looks).
  Result<SystemdManager*> systemd();
  /// The fleet's tmux socket, resolved on first use as the units resolve it: under the
  /// manager's TMUX_TMPDIR when the manager answers, else this process's (and note() says so).
  /// Needs no more of the manager than its environment: a tmux-only command works wherever
  /// the manager's unit path is.
  Result<const Tmux*> tmux();
  /// Observes the world now (one tmux process, a constant number of bus calls, file reads).
  Result<ObservedState> Observe();

  /// Agent `name` of this host's roster; another host's or an unknown name is an error
  /// saying which.
  Result<const DesiredAgent*> Agent(const std::string& name) const;

  /// Said once, when it matters: the shell's TMUX_TMPDIR is not the manager's.
  const std::string& note() const { return note_; }
  const DesiredState& desired() const { return desired_; }
  const std::string& roster_path() const { return roster_path_; }
  const std::string& roster_text() const { return roster_text_; }
  System& system() { return *system_; }
  /// This run came over ssh from another host's agent verb (FleetOptions::forwarded).
  bool forwarded() const { return forwarded_; }

 private:
  explicit FleetContext(System& system) : system_(&system) {}
  System* system_;
  DesiredState desired_;
  std::string roster_path_;
  std::string roster_text_;
  BusTimeouts timeouts_;
  /// The manager's connection on its own (tmux() needs only its environment), and whether
  /// its unit path has been checked for systemd().
  SystemdManager* Connection();
  std::optional<Result<std::unique_ptr<SystemdManager>>> connection_;
  std::optional<Status> unit_path_checked_;
  std::optional<Result<mosaic::Tmux>> tmux_;
  std::string tmux_tmpdir_;                         ///< the TMUX_TMPDIR the units use
  std::string manager_path_ = kSystemdDefaultPath;  ///< the PATH the units run with
  std::string note_;
  bool forwarded_ = false;
};

/// Load(), then connects to the manager and tmux: a context ready to observe, or nullopt
/// after telling the user why. Says the context's note, if any.
std::optional<FleetContext> OpenFleet(System& system, const FleetOptions& options, Io& io);

}  // namespace mosaic
