#include "agent_session.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <optional>
#include <vector>

#include "busy_server_patience.h"
#include "env_file.h"
#include "fleet_contract.h"
#include "launch_identity.h"
#include "name_rules.h"
#include "shell_command.h"
#include "tmux.h"
#include "unit_files.h"

namespace mosaic {
namespace {

struct AgentEnv {
  std::string path;
  std::string content;
  std::map<std::string, std::string> vars;

  std::string Get(std::string_view key) const {
    auto it = vars.find(std::string(key));
    return it == vars.end() ? std::string() : it->second;
  }
};

Result<AgentEnv> ReadAgentEnv(FileSystem& fs, const std::string& path) {
  Result<std::string> content = fs.ReadFile(path, kMaxEnvFileBytes);
  if (!content.ok())
    return Status::Error(content.status().message() +
                         " (run `mosaic-fleet apply --yes` to create it)");
  EnvFile file = ParseEnvFile(content.value());
  if (file.ignored_by_systemd)
    return Status::Error(
        fmt::format("{}: systemd ignores this file (see `mosaic-fleet plan`)", path));
  return AgentEnv{path, content.value(), file.Variables()};
}

// Names arrive from systemd's %i or the command line: refuse anything the roster would have
// refused (tmux expands formats in -s).
Status CheckName(const std::string& name) { return CheckSessionName("agent name", name); }

Result<AgentEnv> ReadAgentEnvOf(System& system, const std::string& name) {
  Result<FleetPaths> paths = ResolveFleetPaths(system.environment());
  if (!paths.ok()) return paths.status();
  return ReadAgentEnv(system.files(), paths.value().EnvFile(name));
}

// Moves `pids` into mosaic-agent@NAME.service's cgroup.
Status JoinAgentUnit(System& system, const std::string& name, const std::vector<int64_t>& pids) {
  if (Status s = CheckName(name); !s.ok()) return s;
  Result<std::unique_ptr<SystemdManager>> manager = system.ConnectUserManager({});
  if (!manager.ok()) return manager.status();
  return manager.value()->AttachProcesses(AgentUnitName(name), pids);
}

bool IsDirectory(FileSystem& fs, const std::string& path) {
  std::optional<FileInfo> info = fs.Stat(path);
  if (info && info->is_symlink) info = fs.Stat(path + "/.");  // a link to a directory is fine
  return info && info->is_directory;
}

}  // namespace

namespace {

// StartAgentSession, giving the pid of the session's pane (its program).
Result<int64_t> StartSession(System& system, const AgentSessionOptions& options, std::ostream& out,
                             std::ostream& err) {
  if (Status s = CheckName(options.name); !s.ok()) return s;
  Result<AgentEnv> agent = ReadAgentEnvOf(system, options.name);
  if (!agent.ok()) return agent.status();
  const AgentEnv& env = agent.value();
  std::string runtime = env.Get(kEnvAgentRuntime);
  if (runtime.empty())
    return Status::Error(fmt::format("{} is empty in {}", kEnvAgentRuntime, env.path));
  std::string workdir = env.Get(kEnvAgentWorkdir);
  if (workdir.empty()) workdir = system.environment().home;
  if (!IsDirectory(system.files(), workdir))
    return Status::Error(
        fmt::format("working directory {} of agent {} does not exist (create it, or change "
                    "working_directory in the roster)",
                    workdir, options.name));
  LaunchIdentity identity = IdentityOfEnv(env.content);
  if (identity.command.empty())
    return Status::Error(
        fmt::format("no launch command for agent {} in {}", options.name, env.path));

  Result<Tmux> tmux =
      Tmux::ForSocket(env.Get(kEnvTmuxSocket), system.processes(), {"", options.timeout});
  if (!tmux.ok())
    return Status::Error(tmux.status().message() +
                         fmt::format(" ({} in {})", kEnvTmuxSocket, env.path));
  // Only the holder may start the tmux server: a server started here would live in this
  // unit's cgroup and die with it, taking every session along (every call carries -N).
  auto no_server = [&] {
    return Status::Error(fmt::format(
        "the fleet's tmux server ({}) is not running; start mosaic-tmux-holder.service first "
        "(only the holder starts it)",
        tmux.value().Describe()));
  };
  SessionRecord record{kOwnerAgent, runtime, env.Get(kEnvAgentWorkdir), identity.command_hash,
                       identity.env_hash};
  std::vector<std::string> program = {system.SelfExecutable(), "session", "exec", "--env-file",
                                      env.path};
  auto started = [&](int64_t pane_pid) -> Result<int64_t> {
    out << fmt::format("started session {} on {} ({})\n", options.name, tmux.value().Describe(),
                       runtime);
    return pane_pid;
  };
  // The common case, a unit starting at boot or after apply, costs one tmux process: the
  // server itself refuses a name that is taken, and only then is there anything to look at.
  if (!options.replace) {
    Result<CreatedSession> created = tmux.value().CreateSession(options.name, program, record);
    if (!created.ok()) return created.status();
    if (created.value().outcome == CreatedSession::Outcome::kNoServer) return no_server();
    if (created.value().outcome == CreatedSession::Outcome::kCreated)
      return started(created.value().pane_pid);
  }
  Result<TmuxSessions> sessions = tmux.value().ListSession(options.name);
  if (!sessions.ok()) return sessions.status();
  if (!sessions.value().server_running) return no_server();
  auto existing = sessions.value().sessions.find(options.name);
  if (existing != sessions.value().sessions.end()) {
    const ObservedSession& s = existing->second;
    if (!s.owned())
      return Status::Error(fmt::format(
          "a session named {} already exists on {} and was not created by mosaic-fleet; not "
          "touching it",
          options.name, tmux.value().Describe()));
    if (!s.dead && !options.replace) {
      out << fmt::format("session {} is already running (use --replace to recreate it)\n",
                         options.name);
      // Adopted by the unit starting now: its program (started by hand, or by an older
      // mosaic-fleet) joins the unit's cgroup, so that stopping the unit stops it.
      if (Status joined = JoinAgentUnit(system, options.name, system.ProcessTree(s.pane_pid));
          !joined.ok())
        err << "warning: " << joined.message() << "\n";
      return s.pane_pid;
    }
    if (Status killed = tmux.value().KillOwnedSession(options.name); !killed.ok()) return killed;
  }
  Result<CreatedSession> created = tmux.value().CreateSession(options.name, program, record);
  if (!created.ok()) return created.status();
  switch (created.value().outcome) {
    case CreatedSession::Outcome::kCreated:
      return started(created.value().pane_pid);
    case CreatedSession::Outcome::kNoServer:
      return no_server();
    case CreatedSession::Outcome::kNameTaken:
      break;
  }
  return Status::Error(
      fmt::format("a session named {} appeared on {} while this one was being started; run again",
                  options.name, tmux.value().Describe()));
}

}  // namespace

Status StartAgentSession(System& system, const AgentSessionOptions& options, std::ostream& out,
                         std::ostream& err) {
  Result<int64_t> started = StartSession(system, options, out, err);
  return started.ok() ? Status::Ok() : started.status();
}

namespace {

// What happened to a watched session, from one look at the server.
struct SessionFate {
  enum class Kind { kAlive, kDead, kGone, kNoServer } kind = Kind::kAlive;
  ObservedSession session;  ///< kDead: how its program ended
  int64_t server_pid = 0;
  bool dead_unreaped() const {
    return kind == Kind::kDead && session.dead_status < 0 && session.dead_signal < 0;
  }
};

Result<SessionFate> LookAt(const Tmux& tmux, const std::string& name) {
  Result<TmuxSessions> sessions = tmux.ListSession(name);
  if (!sessions.ok()) return sessions.status();
  if (!sessions.value().server_running) return SessionFate{SessionFate::Kind::kNoServer};
  auto it = sessions.value().sessions.find(name);
  if (it == sessions.value().sessions.end()) return SessionFate{SessionFate::Kind::kGone};
  if (it->second.dead)
    return SessionFate{SessionFate::Kind::kDead, it->second, sessions.value().server_pid};
  return SessionFate{SessionFate::Kind::kAlive, it->second, sessions.value().server_pid};
}

// A dead pane whose program tmux has not reaped: tmux either reaps it in a moment or missed its
// SIGCHLD (see System::WakeReaper), so it is asked to look, a few times, before the program's
// end is reported without its status.
Result<SessionFate> LookUntilReaped(System& system, const Tmux& tmux, const std::string& name) {
  Result<SessionFate> fate = LookAt(tmux, name);
  for (int i = 0; i < 10 && fate.ok() && fate.value().dead_unreaped(); ++i) {
    system.WakeReaper(fate.value().server_pid);
    system.Sleep(std::chrono::milliseconds(100));
    fate = LookAt(tmux, name);
  }
  return fate;
}

}  // namespace

int SuperviseAgent(System& system, const AgentSessionOptions& options, std::ostream& out,
                   std::ostream& err) {
  Result<int64_t> started = StartSession(system, options, out, err);
  if (!started.ok()) {
    err << "error: " << started.status().message() << "\n";
    system.NotifyStatus("error: " + started.status().message());
    return 1;
  }
  Result<AgentEnv> agent = ReadAgentEnvOf(system, options.name);
  if (!agent.ok()) return err << "error: " << agent.status().message() << "\n", 1;
  Result<Tmux> tmux =
      Tmux::ForSocket(agent.value().Get(kEnvTmuxSocket), system.processes(), {"", options.timeout});
  if (!tmux.ok()) return err << "error: " << tmux.status().message() << "\n", 1;
  system.NotifyReady();
  // Waits on the pane's program itself (a pidfd: no process started, no polling). Whatever
  // ends a session ends that program too: its own exit, kill-session or a lost server (the
  // terminal hangs up). A program that ignores the hangup is caught by the look once a minute.
  int64_t watched = started.value();
  BusyServerPatience patience;
  int unreaped_looks = 0;
  while (true) {
    bool ended = false;
    if (watched > 0)
      ended = system.AwaitExit(watched, kSupervisorRecheck);
    else
      system.Sleep(kSupervisorRecheck);
    Result<SessionFate> fate = LookUntilReaped(system, tmux.value(), options.name);
    if (!fate.ok()) {
      // A program that has ended wakes the next wait at once: its end is not missed.
      if (patience.LookAgain(system, fate.status(), err)) continue;
      return 1;
    }
    patience.Answered();
    if (ended && fate.value().kind == SessionFate::Kind::kAlive &&
        fate.value().session.pane_pid == watched) {
      // The program has ended but tmux has not reaped it yet (or missed its SIGCHLD, see
      // System::WakeReaper): look again in a moment, and after 5 s only once a minute.
      system.WakeReaper(fate.value().server_pid);
      system.Sleep(++unreaped_looks <= 50 ? std::chrono::milliseconds(100) : kSupervisorRecheck);
      continue;
    }
    unreaped_looks = 0;
    switch (fate.value().kind) {
      case SessionFate::Kind::kNoServer:
        out << "the fleet's tmux server is gone; its holder unit restarts it\n";
        return 1;
      case SessionFate::Kind::kGone:
        out << fmt::format("session {} was killed (not by mosaic-fleet)\n", options.name);
        return 1;
      case SessionFate::Kind::kDead: {
        std::string how = HowItEnded(fate.value().session);
        out << fmt::format("{}'s program {}", options.name, how);
        Result<std::vector<std::string>> last = tmux.value().CapturePane(options.name, 20);
        if (last.ok() && !last.value().empty()) {
          out << "; its last lines:\n";
          for (const std::string& line : last.value()) out << "  | " << line << "\n";
        } else {
          out << "\n";
        }
        system.NotifyStatus("its program " + how);
        // The unit ends as its program did, so that systemd's ExecMainStatus tells it too: a
        // program killed by signal N as a shell reports it, 128+N.
        const ObservedSession& dead = fate.value().session;
        return dead.dead_status >= 0  ? dead.dead_status
               : dead.dead_signal > 0 ? 128 + dead.dead_signal
                                      : 1;
      }
      case SessionFate::Kind::kAlive:
        watched = fate.value().session.pane_pid;  // respawned panes included
        break;
    }
  }
}

Status StopAgentSession(System& system, const AgentSessionOptions& options) {
  if (Status s = CheckName(options.name); !s.ok()) return s;
  // Run as ExecStop= while the supervisor still runs: this is a stop. It ends first, so that
  // the session's end, which wakes it, is not taken for a failure.
  const Environment& env = system.environment();
  if (env.main_pid > 0) (void)system.Terminate(env.main_pid, std::chrono::seconds(5));
  // Run as ExecStop= after the supervisor exited by itself ($EXIT_CODE): the agent's program
  // died, or its session went. What is left, a dead pane, stays for status to show and for
  // the next start to replace.
  if (env.main_pid <= 0 && !env.unit_exit_code.empty()) return Status::Ok();
  // The unit has the socket from its EnvironmentFile=; by hand, the env file says.
  std::string socket = system.environment().tmux_socket;
  if (socket.empty()) {
    Result<AgentEnv> agent = ReadAgentEnvOf(system, options.name);
    if (!agent.ok()) return agent.status();
    socket = agent.value().Get(kEnvTmuxSocket);
  }
  Result<Tmux> tmux = Tmux::ForSocket(socket, system.processes(), {"", options.timeout});
  if (!tmux.ok()) return tmux.status();
  return tmux.value().KillOwnedSession(options.name);
}

ExecFailure ExecAgent(System& system, const std::string& env_file, std::ostream& err) {
  Result<AgentEnv> agent = ReadAgentEnv(system.files(), env_file);
  if (!agent.ok()) return {agent.status().message(), 1};
  const AgentEnv& env = agent.value();
  // Into the agent unit's cgroup, so that stopping the unit stops this program and all it
  // starts, even what ignores SIGHUP. Run by hand without the unit, the agent still starts.
  if (Status joined = JoinAgentUnit(system, env.Get(kEnvAgentName), {system.ProcessId()});
      !joined.ok())
    err << "mosaic-fleet: warning: " << joined.message()
        << " (stopping the agent's unit will not stop programs that ignore SIGHUP)\n";
  // The directory is changed here, not by tmux: tmux would expand `#(…)` in a start directory.
  std::string workdir = env.Get(kEnvAgentWorkdir);
  if (workdir.empty()) workdir = system.environment().home;
  // Where the agent says it is alive: derived, not configuration, so it is set here rather
  // than written to the env file (a new owned key would change every agent's identity).
  std::map<std::string, std::string> vars = env.vars;
  if (std::string heartbeat = HeartbeatBesideEnvFile(env_file); !heartbeat.empty()) {
    vars[std::string(kEnvHeartbeatFile)] = heartbeat;
    // The agent only touches the file: its directory must be there.
    (void)system.files().MakeDirectories(heartbeat.substr(0, heartbeat.rfind('/')), 0700);
  }
  // The user's own command line (or the runtime's): the one roster value run by a shell — or,
  // when it is plain words, run as the shell would run it, without one (shell_command.h).
  // ("--": a command line starting with '-' is a command, not the shell's options.)
  std::string command = IdentityOfEnv(env.content).command;
  std::optional<std::vector<std::string>> words = PlainCommandWords(command);
  return system.Exec(words ? *words : std::vector<std::string>{"/bin/sh", "-c", "--", command},
                     workdir, vars, {"TMUX", "TMUX_PANE"});
}

}  // namespace mosaic
