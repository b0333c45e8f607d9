// FleetContext: what every fleet command needs before it can act — the roster loaded and
// valid, the desired state, the tmux socket and the systemd user manager connected, and the
// world observed. Each step fails with a message for the user and touches nothing.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "desired_state.h"
#include "file_system.h"
#include "io.h"
#include "observed_state.h"
#include "process_runner.h"
#include "systemd_manager.h"
#include "tmux.h"

namespace mosaic {

struct FleetOptions {
  std::string roster;                ///< empty: the default roster path
  std::string host;                  ///< empty: this machine's hostname
  double timeout_seconds = 0;        ///< bound on each tmux and bus call; 0: CallTimeout's default
  double job_timeout_seconds = 120;  ///< bound on systemd jobs (starting, stopping units)
};

/// The bound on each tmux and bus call: `flag_seconds` if given, else $MOSAIC_FLEET_TIMEOUT,
/// else 10 s. An unreadable $MOSAIC_FLEET_TIMEOUT is an error naming it.
Result<std::chrono::milliseconds> CallTimeout(double flag_seconds, const Environment& env);

class FleetContext {
 public:
  /// Loads and validates the roster and computes the desired state. Prints located
  /// diagnostics to io.err and returns nullopt when the roster is not valid.
  static std::optional<FleetContext> Load(const FleetOptions& options, const Environment& env,
                                          Io& io);

  /// Connects to the systemd user manager and the fleet's tmux socket; a message on failure.
  Status Connect(const Environment& env, BusTimeouts timeouts);

  /// Observes the world now (one tmux process, a constant number of bus calls, file reads).
  Result<ObservedState> Observe();

  const DesiredState& desired() const { return desired_; }
  const std::string& roster_path() const { return roster_path_; }
  const std::string& roster_text() const { return roster_text_; }
  FileSystem& fs() { return *fs_; }
  SystemdManager& systemd() { return *systemd_; }
  const Tmux& tmux() const { return *tmux_; }
  ProcessRunner& processes() { return *runner_; }

 private:
  FleetContext() = default;
  DesiredState desired_;
  std::string roster_path_;
  std::string roster_text_;
  std::unique_ptr<FileSystem> fs_ = std::make_unique<RealFileSystem>();
  std::unique_ptr<ProcessRunner> runner_ = std::make_unique<RealProcessRunner>();
  std::unique_ptr<SystemdManager> systemd_;
  std::optional<Tmux> tmux_;
  std::string tmux_tmpdir_;  ///< the user manager's TMUX_TMPDIR
  std::string note_;         ///< said once the fleet is open (a TMUX_TMPDIR mismatch)
  friend std::optional<FleetContext> OpenFleet(const FleetOptions&, const Environment&, Io&);
};

/// Load() then Connect(): a context ready to observe, or nullopt after telling the user why.
std::optional<FleetContext> OpenFleet(const FleetOptions& options, const Environment& env, Io& io);

/// The absolute path of the running binary (written into unit files).
std::string SelfExecutable();

}  // namespace mosaic
