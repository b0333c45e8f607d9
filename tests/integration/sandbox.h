// Sandbox: a throwaway world for integration tests — a real `systemd --user` with private
// XDG_RUNTIME_DIR, HOME, XDG_CONFIG_HOME and TMUX_TMPDIR; a sentinel session on the
// sandbox's *default* tmux socket; and a `tmux` shim first on PATH (for the CLI and, through
// environment.d, for units) that logs every tmux command line before running the real one
// (not for benchmarks: the shim is a shell more per tmux call, which no real install pays).
//
// The destructor stops the manager (which stops the holder and so the fleet's tmux server),
// kills what is left, and removes the directory. Tests check the sentinel and the log.
#pragma once

#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

namespace mosaic::integration {

struct RunResult {
  int code = -1;
  std::string out;
  std::string err;
  long max_rss_kb = 0;     ///< the process's peak resident memory
  double cpu_seconds = 0;  ///< the process's user + system time
};

/// Whether the sandbox's tmux calls go through the logging shim (TmuxLog) or straight to tmux.
enum class TmuxCalls { kLogged, kUnlogged };

class Sandbox {
 public:
  explicit Sandbox(TmuxCalls calls = TmuxCalls::kLogged);
  ~Sandbox();
  Sandbox(const Sandbox&) = delete;
  Sandbox& operator=(const Sandbox&) = delete;

  /// Why the sandbox could not start (not root, no systemd); empty when it runs.
  const std::string& unavailable() const { return unavailable_; }

  const std::string& root() const { return root_; }
  std::string Home() const { return root_ + "/home"; }
  std::string Config() const { return root_ + "/home/.config"; }
  std::string RosterPath() const { return Config() + "/mosaic/fleet/roster.yaml"; }
  std::string EnvFile(const std::string& agent) const {
    return Config() + "/mosaic/fleet/agents/" + agent + ".env";
  }

  /// The sandbox environment, for processes started by the test.
  std::map<std::string, std::string> Env() const;

  /// Runs build/mosaic-fleet with `args` in the sandbox environment, minus `unset`, with `set`.
  RunResult Fleet(const std::vector<std::string>& args, const std::vector<std::string>& unset = {},
                  const std::map<std::string, std::string>& set = {}) const;
  /// Starts it without waiting; returns the pid (for SIGKILL tests).
  pid_t SpawnFleet(const std::vector<std::string>& args) const;
  /// Starts mosaic-fleet on a new terminal of `columns` x `rows` (a pty whose master end is
  /// returned in *master; closing it hangs the terminal up).
  pid_t SpawnFleetOnTerminal(const std::vector<std::string>& args, int* master, int columns,
                             int rows) const;
  /// Waits for a spawned process; its exit code (128+signal when killed).
  static int Wait(pid_t pid, long* max_rss_kb = nullptr, double* cpu_seconds = nullptr);

  /// Runs any program (e.g. tmux, systemctl) in the sandbox environment; its CPU time and peak
  /// memory are those of the program and what it waited for.
  RunResult Exec(const std::vector<std::string>& argv) const;
  /// `tmux -L socket args…` with the real tmux, not logged (the test's own observations).
  RunResult Tmux(const std::string& socket, const std::vector<std::string>& args) const;

  void WriteFile(const std::string& path, const std::string& content) const;
  std::string ReadFile(const std::string& path) const;
  bool Exists(const std::string& path) const;

  /// Session name → first pane pid on a socket; empty when no server.
  std::map<std::string, long> Sessions(const std::string& socket) const;
  /// The tmux server pid on a socket, 0 when none.
  long ServerPid(const std::string& socket) const;
  /// `systemctl --user is-active/is-enabled UNIT` answers.
  std::string UnitActive(const std::string& unit) const;
  std::string UnitEnabled(const std::string& unit) const;

  /// Every tmux command line the tool (and its units) ran, one per entry. Aborts for an
  /// unlogged sandbox.
  std::vector<std::string> TmuxLog() const;
  /// The end of what the user manager and its units printed.
  std::string ManagerLog() const;
  /// The sentinel on the default socket: its server pid and session, as at the start.
  bool SentinelIntact() const;

  /// Stops the user manager as logout or shutdown would (SIGTERM): every unit stops.
  void StopManager();
  /// The user manager's pid (to freeze it with SIGSTOP, say).
  pid_t ManagerPid() const { return manager_pid_; }

  /// Pids of processes whose environment mentions the sandbox directory.
  std::vector<pid_t> ProcessesInside() const;

  /// The cgroup roots this sandbox's manager runs under (one per mounted hierarchy), removed
  /// with the sandbox.
  std::vector<std::string> CgroupDirectories() const;

  /// Installs a stand-in `mosaic` (`mosaic yolo RUNTIME …` prints and waits for input) in the
  /// sandbox bin directory, which is on the units' PATH.
  void InstallStandInAgent() const;

 private:
  void Start();
  void KillWhatIsLeftInCgroups() const;
  void RemoveCgroups() const;
  TmuxCalls calls_;
  std::string root_;
  std::string unavailable_;
  pid_t manager_pid_ = 0;
  long sentinel_server_pid_ = 0;
};

}  // namespace mosaic::integration
