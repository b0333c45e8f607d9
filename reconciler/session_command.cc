#include "session_command.h"

#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "env_file.h"
#include "exit_codes.h"
#include "file_system.h"
#include "fleet_context.h"
#include "make_plan.h"
#include "name_rules.h"
#include "process_tree.h"
#include "systemd_manager.h"
#include "tmux.h"
#include "unit_files.h"

namespace mosaic {
namespace {

int Fail(Io& io, const std::string& message) {
  io.err << "error: " << message << "\n";
  return kExitError;
}

bool IsDirectory(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

struct AgentEnv {
  std::string path;
  std::string content;
  std::map<std::string, std::string> vars;
};

Result<AgentEnv> ReadAgentEnv(const std::string& path) {
  RealFileSystem fs;
  Result<std::string> content = fs.ReadFile(path, kMaxEnvFileBytes);
  if (!content.ok())
    return Status::Error(content.status().message() +
                         " (run `mosaic-fleet apply --yes` to create it)");
  return AgentEnv{path, content.value(), ParseEnvFile(content.value()).Variables()};
}

// Names arrive from systemd's %i or the command line: refuse anything the roster would have
// refused (tmux expands formats in -s).
Status CheckName(const std::string& name) { return CheckSessionName("agent name", name); }

// Moves `pids` into mosaic-agent@NAME.service's cgroup.
Status JoinAgentUnit(const std::string& name, const std::vector<int64_t>& pids) {
  if (Status s = CheckName(name); !s.ok()) return s;
  const char* runtime_dir = std::getenv("XDG_RUNTIME_DIR");
  Result<std::unique_ptr<SystemdManager>> manager =
      ConnectUserManager(runtime_dir ? runtime_dir : "");
  if (!manager.ok()) return manager.status();
  return manager.value()->AttachProcesses(AgentUnitName(name), pids);
}

}  // namespace

int RunSessionStart(const SessionOptions& options, const Environment& env, Io& io) {
  if (Status s = CheckName(options.name); !s.ok()) return Fail(io, s.message());
  Result<FleetPaths> resolved = ResolveFleetPaths(env);
  if (!resolved.ok()) return Fail(io, resolved.status().message());
  const FleetPaths& paths = resolved.value();
  Result<AgentEnv> agent = ReadAgentEnv(paths.EnvFile(options.name));
  if (!agent.ok()) return Fail(io, agent.status().message());
  const auto& vars = agent.value().vars;
  auto get = [&](const char* key) {
    auto it = vars.find(key);
    return it == vars.end() ? std::string() : it->second;
  };
  std::string runtime = get("MOSAIC_AGENT_RUNTIME");
  if (runtime.empty())
    return Fail(io, fmt::format("MOSAIC_AGENT_RUNTIME is empty in {}", agent.value().path));
  std::string workdir = get("MOSAIC_AGENT_WORKDIR");
  if (workdir.empty()) workdir = paths.home;
  if (!IsDirectory(workdir))
    return Fail(io,
                fmt::format("working directory {} of agent {} does not exist (create it, or change "
                            "working_directory in the roster)",
                            workdir, options.name));
  LaunchIdentity identity = IdentityOfEnv(agent.value().content);
  if (identity.command.empty())
    return Fail(
        io, fmt::format("no launch command for agent {} in {}", options.name, agent.value().path));

  RealProcessRunner runner;
  Result<std::chrono::milliseconds> timeout = CallTimeout(0, env);
  if (!timeout.ok()) return Fail(io, timeout.status().message());
  Result<Tmux> tmux = Tmux::ForSocket(get("MOSAIC_TMUX_SOCKET"), runner, {"", timeout.value()});
  if (!tmux.ok())
    return Fail(io, tmux.status().message() +
                        fmt::format(" (MOSAIC_TMUX_SOCKET in {})", agent.value().path));
  Result<TmuxSessions> sessions = tmux.value().ListSessions();
  if (!sessions.ok()) return Fail(io, sessions.status().message());
  // Only the holder may start the tmux server: a server started here would live in this
  // unit's cgroup and die with it, taking every session along.
  if (!sessions.value().server_running)
    return Fail(io, fmt::format("the fleet's tmux server (-L {}) is not running; start "
                                "mosaic-tmux-holder.service first "
                                "(only the holder starts it)",
                                tmux.value().socket()));
  auto existing = sessions.value().sessions.find(options.name);
  if (existing != sessions.value().sessions.end()) {
    const ObservedSession& s = existing->second;
    if (!s.owned())
      return Fail(
          io, fmt::format(
                  "a session named {} already exists on -L {} and was not created by mosaic-fleet; "
                  "not touching it",
                  options.name, tmux.value().socket()));
    if (!s.dead && !options.replace) {
      io.out << fmt::format("session {} is already running (use --replace to recreate it)\n",
                            options.name);
      // Adopted by the unit starting now: its program (started by hand, or by an older
      // mosaic-fleet) joins the unit's cgroup, so that stopping the unit stops it.
      if (Status joined = JoinAgentUnit(options.name, ProcessTree(s.pane_pid)); !joined.ok())
        io.err << "warning: " << joined.message() << "\n";
      return kExitSuccess;
    }
    if (Status killed = tmux.value().KillOwnedSession(options.name); !killed.ok())
      return Fail(io, killed.message());
  }
  SessionRecord record{kOwnerAgent, runtime, get("MOSAIC_AGENT_WORKDIR"), identity.command_hash,
                       identity.env_hash};
  Status created = tmux.value().NewSession(
      options.name, {SelfExecutable(), "session", "exec", "--env-file", agent.value().path},
      record);
  if (!created.ok()) return Fail(io, created.message());
  io.out << fmt::format("started session {} on -L {} ({})\n", options.name, tmux.value().socket(),
                        runtime);
  return kExitSuccess;
}

int RunSessionStop(const SessionOptions& options, const Environment& env, Io& io) {
  if (Status s = CheckName(options.name); !s.ok()) return Fail(io, s.message());
  // The socket comes from the unit's environment (EnvironmentFile=) or the env file itself.
  const char* from_env = std::getenv("MOSAIC_TMUX_SOCKET");
  std::string socket = from_env ? from_env : "";
  if (socket.empty()) {
    Result<FleetPaths> paths = ResolveFleetPaths(env);
    if (!paths.ok()) return Fail(io, paths.status().message());
    Result<AgentEnv> agent = ReadAgentEnv(paths.value().EnvFile(options.name));
    if (!agent.ok()) return Fail(io, agent.status().message());
    socket = agent.value().vars["MOSAIC_TMUX_SOCKET"];
  }
  RealProcessRunner runner;
  Result<std::chrono::milliseconds> timeout = CallTimeout(0, env);
  if (!timeout.ok()) return Fail(io, timeout.status().message());
  Result<Tmux> tmux = Tmux::ForSocket(socket, runner, {"", timeout.value()});
  if (!tmux.ok()) return Fail(io, tmux.status().message());
  if (Status killed = tmux.value().KillOwnedSession(options.name); !killed.ok())
    return Fail(io, killed.message());
  return kExitSuccess;
}

int RunSessionExec(const SessionOptions& options, Io& io) {
  Result<AgentEnv> agent = ReadAgentEnv(options.env_file);
  if (!agent.ok()) return Fail(io, agent.status().message());
  for (const auto& [key, value] : agent.value().vars) ::setenv(key.c_str(), value.c_str(), 1);
  ::unsetenv("TMUX");
  ::unsetenv("TMUX_PANE");
  // The directory is changed here, not by tmux: tmux would expand `#(…)` in a start directory.
  const char* workdir = std::getenv("MOSAIC_AGENT_WORKDIR");
  if (!workdir || !*workdir) workdir = std::getenv("HOME");
  if (workdir && ::chdir(workdir) != 0)
    return Fail(
        io, fmt::format("cannot enter working directory {}: {}", workdir, std::strerror(errno)));
  // Into the agent unit's cgroup, so that stopping the unit stops this program and all it
  // starts, even what ignores SIGHUP. Run by hand without the unit, the agent still starts.
  std::string name = agent.value().vars[std::string(kEnvAgentName)];
  if (Status joined = JoinAgentUnit(name, {::getpid()}); !joined.ok())
    io.err << "mosaic-fleet: warning: " << joined.message()
           << " (stopping the agent's unit will not stop programs that ignore SIGHUP)\n";
  std::string command = IdentityOfEnv(agent.value().content).command;
  // The user's own command line (or the runtime's): the one roster value run by a shell.
  ::execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
  return Fail(io, fmt::format("cannot run /bin/sh: {}", std::strerror(errno)));
}

int RunHolderStart(const HolderOptions& options, const Environment& env, Io& io) {
  if (Status s = CheckName(options.session); !s.ok())
    return Fail(io, "holder session: " + s.message());
  RealProcessRunner runner;
  Result<std::chrono::milliseconds> timeout = CallTimeout(0, env);
  if (!timeout.ok()) return Fail(io, timeout.status().message());
  Result<Tmux> tmux = Tmux::ForSocket(options.socket, runner, {"", timeout.value()});
  if (!tmux.ok()) return Fail(io, tmux.status().message());
  Result<TmuxSessions> sessions = tmux.value().ListSessions();
  if (!sessions.ok()) return Fail(io, sessions.status().message());
  if (sessions.value().sessions.contains(options.session)) return kExitSuccess;  // idempotent
  if (sessions.value().server_running)
    io.err << fmt::format(
        "warning: a tmux server already runs on -L {} without the holder session; it was not "
        "started "
        "by the holder and dies with whatever started it\n",
        options.socket);
  // remain-on-exit (server-wide, this socket only): an agent whose program exits stays
  // visible as a dead pane, so plan can report and restart it.
  // A server reads ~/.tmux.conf: whatever it sets globally under the tool's option names
  // would be inherited by every session and make a foreign one look like the tool's.
  std::vector<TmuxCommand> start = {
      {"new-session", "-d", "-s", options.session, "--", "sleep", "infinity"},
      {"set-option", "-g", "remain-on-exit", "on"}};
  for (std::string_view option :
       {kOptionOwner, kOptionRuntime, kOptionWorkdir, kOptionCommand, kOptionEnv})
    start.push_back({"set-option", "-gu", std::string(option)});
  start.push_back(
      {"set-option", "-t", "=" + options.session + ":", std::string(kOptionOwner), kOwnerHolder});
  Result<ProcessResult> r = tmux.value().StartServerWithHolder(start);
  if (!r.ok()) return Fail(io, r.status().message());
  if (r.value().exit_code != 0)
    return Fail(io,
                fmt::format("tmux -L {} new-session failed: {}", options.socket, r.value().err));
  return kExitSuccess;
}

int RunHolderStop(const HolderOptions& options, const Environment& env, Io& io) {
  RealProcessRunner runner;
  Result<std::chrono::milliseconds> timeout = CallTimeout(0, env);
  if (!timeout.ok()) return Fail(io, timeout.status().message());
  Result<Tmux> tmux = Tmux::ForSocket(options.socket, runner, {"", timeout.value()});
  if (!tmux.ok()) return Fail(io, tmux.status().message());
  if (Status s = tmux.value().KillServer(); !s.ok()) return Fail(io, s.message());
  return kExitSuccess;
}

}  // namespace mosaic
