// FleetPaths: where a fleet's files live, derived from the environment — never from cwd.
//
//   MOSAIC_HOME   = $MOSAIC_HOME, else ${XDG_CONFIG_HOME:-$HOME/.config}/mosaic
//   roster        = MOSAIC_HOME/fleet/roster.yaml
//   env files     = MOSAIC_HOME/fleet/agents/NAME.env
//   heartbeats    = MOSAIC_HOME/fleet/run/NAME.hb
//   old sockets   = MOSAIC_HOME/fleet/run/previous-sockets
//   unit files    = ${XDG_CONFIG_HOME:-$HOME/.config}/systemd/user/
#pragma once

#include <cstdint>
#include <string>

#include "status.h"

namespace mosaic {

/// The environment variables the tool reads, captured once so that everything downstream is
/// a pure function of them (tests build one by hand).
struct Environment {
  std::string home;
  std::string xdg_config_home;
  std::string xdg_runtime_dir;
  std::string mosaic_home;
  std::string hostname;
  std::string tmux_tmpdir;     ///< $TMUX_TMPDIR of this process (the units may have another)
  std::string fleet_timeout;   ///< $MOSAIC_FLEET_TIMEOUT: seconds a tmux or bus call may take
  std::string fleet_binary;    ///< $MOSAIC_FLEET_BINARY: the mosaic-fleet the units run
  std::string fleet_ssh;       ///< $MOSAIC_FLEET_SSH: the ssh command for other hosts' agents
  std::string tmux_socket;     ///< $MOSAIC_TMUX_SOCKET (set for agent units by their env file)
  int64_t main_pid = 0;        ///< $MAINPID: given to ExecStop= while the main process runs
  std::string unit_exit_code;  ///< $EXIT_CODE: given to ExecStop= once the main process ended
  int64_t uid = 0;
  int64_t clock_ticks = 100;      ///< sysconf(_SC_CLK_TCK): /proc's unit of CPU time
  int64_t page_size = 4096;       ///< sysconf(_SC_PAGESIZE): /proc's unit of memory
  std::string working_directory;  ///< this process's current directory (relative paths)
  std::string journal_stream;     ///< $JOURNAL_STREAM: set when stderr goes to the journal
  bool stderr_is_terminal = false;
  std::string path;  ///< $PATH: where the `mosaic` link looks for the real Mosaic CLI
  /// $MOSAIC_FLEET_HANDED_OFF: "PID:PROGRAM…", the programs the `mosaic` link already handed a
  /// call past in this process, so that two copies of mosaic-fleet, or a shim, never hand a
  /// call back and forth.
  std::string handed_off;
  std::string handoff_depth;  ///< $MOSAIC_FLEET_HANDOFF_DEPTH
};

/// fleet/run/NAME.stopped: the mark `mosaic-fleet stop` leaves, and `start` removes.
inline constexpr char kOperatorStopSuffix[] = ".stopped";

struct FleetPaths {
  std::string home;
  std::string config_home;  ///< $XDG_CONFIG_HOME, else ~/.config
  std::string mosaic_home;
  std::string fleet_dir;  ///< the roster, agents/ and run/ live here, beside the user's files
  std::string roster;
  std::string agents_dir;
  std::string run_dir;
  std::string unit_dir;

  std::string EnvFile(const std::string& agent) const { return agents_dir + "/" + agent + ".env"; }
  std::string Heartbeat(const std::string& agent) const { return run_dir + "/" + agent + ".hb"; }
  /// Present while an operator keeps the agent stopped (`mosaic-fleet stop`).
  std::string OperatorStop(const std::string& agent) const {
    return run_dir + "/" + agent + kOperatorStopSuffix;
  }
  /// The sockets the fleet moved away from (previous_sockets.h).
  std::string PreviousSockets() const { return run_dir + "/previous-sockets"; }
};

/// The fleet's paths, or why they cannot be known: HOME unset or relative (cron, `env -i`, a
/// system service), or a relative XDG_CONFIG_HOME or MOSAIC_HOME.
Result<FleetPaths> ResolveFleetPaths(const Environment& env);

/// The heartbeat file beside env file `env_file` (…/fleet/agents/NAME.env → …/fleet/run/NAME.hb),
/// or "" when it is not in an agents/ directory. What an agent's program is told comes from
/// its env file's place, not from MOSAIC_HOME: the tmux server it runs under (the holder's)
/// may have another MOSAIC_HOME, or none.
std::string HeartbeatBesideEnvFile(const std::string& env_file);

/// The default roster's path, or why there is none (HOME unset, …).
Result<std::string> DefaultRoster(const Environment& env);

/// The directory tmux keeps its sockets in for a process whose $TMUX_TMPDIR is `tmux_tmpdir`:
/// ${TMUX_TMPDIR:-/tmp}/tmux-UID (tmux ignores a relative TMUX_TMPDIR).
std::string TmuxSocketDirectory(const std::string& tmux_tmpdir, int64_t uid);

/// "~" and "~/x" under `home`; anything else unchanged.
std::string ExpandHome(const std::string& path, const std::string& home);

}  // namespace mosaic
