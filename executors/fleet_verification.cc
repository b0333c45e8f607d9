#include "fleet_verification.h"

#include <fmt/format.h>

#include <map>
#include <optional>

#include "env_file.h"
#include "env_merge.h"
#include "fleet_contract.h"
#include "fleet_paths.h"
#include "unit_cgroup.h"
#include "unit_files.h"

namespace mosaic {
namespace {

VerificationCheck Passed(VerificationCheck check, std::string detail) {
  check.passed = true;
  check.detail = std::move(detail);
  return check;
}

VerificationCheck Failed(VerificationCheck check, std::string detail) {
  check.passed = false;
  check.detail = std::move(detail);
  return check;
}

// ---- holder-owns-server ----

VerificationCheck HolderOwnsServer(System& system, const VerificationContext& c) {
  VerificationCheck check{"holder-owns-server",
                          fmt::format("the fleet's tmux server runs in {}'s cgroup", kHolderUnit)};
  if (!c.observed.tmux_server)
    return Failed(check, fmt::format("no tmux server runs on {} (run `mosaic-fleet apply`)",
                                     c.fleet.Describe()));
  std::vector<std::string> cgroups = UnitCgroupsOf(system.files(), c.observed.tmux_server_pid);
  if (cgroups.empty())
    return Failed(check, fmt::format("server pid {} is in no unit's cgroup (or is gone)",
                                     c.observed.tmux_server_pid));
  // Every hierarchy that names a unit must name the holder: a server started by another unit
  // (or by hand) lives and dies with that.
  std::string holder = "/" + std::string(kHolderUnit);
  for (const std::string& cgroup : cgroups)
    if (!cgroup.ends_with(holder))
      return Failed(check, fmt::format("server pid {} is in {}, not in the holder: it dies with "
                                       "whatever started it. End that server (`{} kill-server` "
                                       "ends every session on it), then run `mosaic-fleet apply`",
                                       c.observed.tmux_server_pid, cgroup, c.fleet.Describe()));
  return Passed(check,
                fmt::format("server pid {} is in {}", c.observed.tmux_server_pid, kHolderUnit));
}

// ---- exact-targets ----

VerificationCheck ExactTargets(System& system, const VerificationContext& c) {
  VerificationCheck check{"exact-targets",
                          "stopping session x leaves x0 (targets are exact, never prefixes)"};
  std::string socket = fmt::format("mosaic-verify-{}", system.ProcessId());
  // Where tmux puts the socket (it leaves the file behind when its server is killed).
  const Environment& env = system.environment();
  std::string socket_path = TmuxSocketDirectory(env.tmux_tmpdir, env.uid) + "/" + socket;
  Result<Tmux> tmux = Tmux::ForSocket(socket, system.processes(), {"", c.call_timeout});
  if (!tmux.ok()) return Failed(check, tmux.status().message());
  // A throwaway server, started by this process and killed below: never the fleet's. An
  // interrupt waits for that; its sessions end by themselves should this process be killed.
  std::unique_ptr<InterruptDeferral> deferred = system.DeferInterrupts();
  std::vector<TmuxCommand> make;
  for (const char* name : {"x", "x0"}) {
    make.push_back({"new-session", "-d", "-s", name, "--", "sleep", "300"});
    make.push_back(
        {"set-option", "-t", fmt::format("={}:", name), std::string(kOptionOwner), kOwnerAgent});
  }
  Result<ProcessResult> made = tmux.value().StartServerWithHolder(make);
  std::string result;
  if (!made.ok() || made.value().exit_code != 0) {
    result = fmt::format("could not make sessions x and x0 on {}: {}", tmux.value().Describe(),
                         made.ok() ? made.value().err : made.status().message());
  } else if (Status killed = tmux.value().KillOwnedSession("x"); !killed.ok()) {
    result = killed.message();
  } else if (Result<TmuxSessions> left = tmux.value().ListSessions(); !left.ok()) {
    result = left.status().message();
  } else if (left.value().sessions.contains("x")) {
    result = "session x is still there after it was stopped";
  } else if (!left.value().sessions.contains("x0")) {
    result = "stopping x also ended x0";
  }
  Status gone = tmux.value().KillServer();
  if (result.empty() && !gone.ok()) result = gone.message();
  if (Status removed = system.files().RemoveSocket(socket_path); !removed.ok() && result.empty())
    result = removed.message();
  if (!result.empty()) return Failed(check, result);
  return Passed(check, fmt::format("on the throwaway socket {} (removed)", socket));
}

// ---- restart-isolation ----

constexpr char kCanaryRuntime[] = "verify-canary";  ///< marks a canary env file as verify's

// The fleet's sessions as one look saw them.
struct ServerLook {
  int64_t server_pid = 0;
  std::map<std::string, int64_t> panes;  ///< every session but the canary's, by name
  std::optional<ObservedSession> canary;
};

Result<ServerLook> Look(const Tmux& tmux) {
  Result<TmuxSessions> sessions = tmux.ListSessions();
  if (!sessions.ok()) return sessions.status();
  ServerLook look;
  look.server_pid = sessions.value().server_running ? sessions.value().server_pid : 0;
  for (const auto& [name, s] : sessions.value().sessions) {
    if (name == kVerifyCanary)
      look.canary = s;
    else
      look.panes[name] = s.pane_pid;
  }
  return look;
}

// Why the canary's name is not verify's to use, or "" when it is: an env file of that name
// that verify did not write is a user's (an agent removed from the roster keeps it), and
// nothing of that name is ever touched.
std::string CanaryNameTaken(System& system, const VerificationContext& c) {
  for (const DesiredAgent& a : c.desired.agents)
    if (a.spec.name == kVerifyCanary)
      return fmt::format("the roster names an agent {}", kVerifyCanary);
  for (const AgentSpec& a : c.desired.elsewhere)
    if (a.name == kVerifyCanary) return fmt::format("the roster names an agent {}", kVerifyCanary);
  std::string path = c.desired.paths.EnvFile(kVerifyCanary);
  Result<std::string> existing = system.files().ReadFile(path, size_t{1} << 20);
  if (existing.ok() &&
      ParseEnvFile(existing.value()).Variables()[std::string(kEnvAgentRuntime)] != kCanaryRuntime)
    return fmt::format("{} exists and was not written by verify", path);
  return "";
}

// The throwaway agent: its env file, unit and session, created by Create() and gone again
// after Remove() — which the destructor makes sure of.
class Canary {
 public:
  Canary(System& system, const VerificationContext& c)
      : system_(system),
        c_(c),
        unit_(AgentUnitName(kVerifyCanary)),
        env_path_(c.desired.paths.EnvFile(kVerifyCanary)) {}
  Canary(const Canary&) = delete;
  Canary& operator=(const Canary&) = delete;
  // The safety net: an early return between Create() and Remove() still removes it.
  ~Canary() {
    if (created_) (void)Remove();
  }

  Status Create() {
    created_ = true;
    OwnedEnv owned = {
        {std::string(kEnvAgentName), kVerifyCanary},
        {std::string(kEnvAgentRuntime), kCanaryRuntime},
        {std::string(kEnvAgentModel), ""},
        {std::string(kEnvAgentWorkdir), c_.desired.paths.home},
        {std::string(kEnvRuntimeCommand), "exec sleep 2147483647"},
        {std::string(kEnvTmuxSocket), c_.desired.socket},
        {std::string(kEnvTmuxHolder), c_.desired.holder_session},
    };
    if (Status dir = system_.files().MakeDirectories(c_.desired.paths.agents_dir, 0700); !dir.ok())
      return dir;
    return system_.files().WriteFileAtomic(env_path_, MergeEnvFile("", owned).content, 0600);
  }

  // Stops the unit (its stop ends the session), forgets a failure, and removes what is left:
  // also what a killed verify left behind. Idempotent.
  Status Remove() {
    created_ = false;
    Status stopped = c_.systemd.RunJobs(JobKind::kStop, {unit_}, nullptr);
    (void)c_.systemd.ResetFailed({unit_});
    Status killed = c_.fleet.KillOwnedSession(kVerifyCanary);
    Status removed = system_.files().RemoveFile(env_path_);
    if (!stopped.ok()) return stopped;
    if (!killed.ok()) return killed;
    return removed;
  }

  const std::string& unit() const { return unit_; }

 private:
  System& system_;
  const VerificationContext& c_;
  std::string unit_;
  std::string env_path_;
  bool created_ = false;  ///< Create() ran and Remove() has not since
};

// The steps of the check, each a reason to stop early (an error, or an interrupt).
class IsolationRun {
 public:
  IsolationRun(System& system, const VerificationContext& c, const InterruptDeferral& deferred)
      : system_(system), c_(c), deferred_(deferred), canary_(system, c) {}

  // The fleet before and after the canary's restart; or why it could not be seen.
  Result<std::pair<ServerLook, ServerLook>> Run() {
    (void)canary_.Remove();  // what a killed verify may have left
    if (Status created = canary_.Create(); !created.ok()) return created;
    if (Status start = c_.systemd.RunJobs(JobKind::kStart, {canary_.unit()}, nullptr); !start.ok())
      return Status::Error("the canary could not start: " + start.message());
    Result<ServerLook> started = Await(0);
    if (!started.ok()) return started.status();
    if (deferred_.interrupted()) return Interrupted();
    Status restart = c_.systemd.RunJobs(JobKind::kRestart, {canary_.unit()}, nullptr);
    if (!restart.ok()) return Status::Error("the canary could not restart: " + restart.message());
    Result<ServerLook> restarted = Await(started.value().canary->pane_pid);
    if (!restarted.ok()) return restarted.status();
    return std::make_pair(std::move(started).value(), std::move(restarted).value());
  }

  Status Remove() { return canary_.Remove(); }

 private:
  static Status Interrupted() { return Status::Error("interrupted"); }

  // Waits (bounded, and no longer than an interrupt) until the canary's session is alive with
  // a pane other than `not_pane`.
  Result<ServerLook> Await(int64_t not_pane) {
    auto deadline = system_.Monotonic() + c_.settle;
    while (true) {
      Result<ServerLook> look = Look(c_.fleet);
      if (!look.ok()) return look.status();
      const std::optional<ObservedSession>& canary = look.value().canary;
      if (canary && !canary->dead && canary->pane_pid != not_pane) return look;
      if (deferred_.interrupted()) return Interrupted();
      if (system_.Monotonic() > deadline)
        return Status::Error(fmt::format(
            "the canary's session did not {} within {}s (see `journalctl --user -u {}`)",
            not_pane == 0 ? "start" : "come back", c_.settle.count(), canary_.unit()));
      system_.Sleep(std::chrono::milliseconds(100));
    }
  }

  System& system_;
  const VerificationContext& c_;
  const InterruptDeferral& deferred_;
  Canary canary_;
};

VerificationCheck RestartIsolation(System& system, const VerificationContext& c) {
  VerificationCheck check{"restart-isolation",
                          "restarting one agent keeps the server and every other session"};
  if (std::string taken = CanaryNameTaken(system, c); !taken.empty())
    return Failed(check, taken + ": verify's canary needs that name (nothing was touched)");
  // A canary would start the holder unit into a server it does not own: not run.
  if (VerificationCheck holder = HolderOwnsServer(system, c); !holder.passed)
    return Failed(check,
                  "not run, as the holder does not own the fleet's server (see "
                  "holder-owns-server); nothing was touched");
  // An interrupt now would leave the canary running: it waits for the cleanup instead.
  std::unique_ptr<InterruptDeferral> deferred = system.DeferInterrupts();
  Result<std::pair<ServerLook, ServerLook>> seen = Status::Error("");
  Status removed = Status::Ok();
  {
    IsolationRun run(system, c, *deferred);
    seen = run.Run();
    removed = run.Remove();
  }
  if (!seen.ok())
    return Failed(check,
                  seen.status().message() +
                      (removed.ok() ? " (the canary was removed)"
                                    : "; the canary could not be removed: " + removed.message()));
  if (!removed.ok()) return Failed(check, "the canary could not be removed: " + removed.message());
  const auto& [before, after] = seen.value();
  if (after.server_pid != before.server_pid)
    return Failed(check, fmt::format("the server changed: pid {} before, {} after",
                                     before.server_pid, after.server_pid));
  std::vector<std::string> changed;
  for (const auto& [name, pane] : before.panes) {
    auto it = after.panes.find(name);
    if (it == after.panes.end() || it->second != pane) changed.push_back(name);
  }
  if (!changed.empty())
    return Failed(check,
                  fmt::format("restarting the canary also changed: {}", fmt::join(changed, ", ")));
  return Passed(check, fmt::format("canary {} restarted; server pid {} and {} other session(s) "
                                   "unchanged; canary removed",
                                   kVerifyCanary, before.server_pid, before.panes.size()));
}

// ---- default-socket-unused ----

VerificationCheck DefaultSocketUnused(const VerificationContext& c) {
  VerificationCheck check{"default-socket-unused",
                          "the fleet's server, unit files and env files use its own socket"};
  std::vector<std::string> problems;
  if (c.desired.socket.empty() || c.desired.socket == "default")
    problems.push_back("the roster names the default socket");
  if (Result<ProcessResult> path = c.fleet.Run({{"display-message", "-p", "#{socket_path}"}});
      path.ok() && path.value().exit_code == 0) {
    std::string socket_path = path.value().out;
    while (!socket_path.empty() && socket_path.back() == '\n') socket_path.pop_back();
    if (!socket_path.ends_with("/" + c.desired.socket))
      problems.push_back(fmt::format("the fleet's server listens on {}", socket_path));
  } else if (c.observed.tmux_server) {
    problems.push_back("the fleet's server did not say where it listens");
  }
  size_t unit_files = 0, env_files = 0;
  for (const ManagedUnitFile& file : c.desired.unit_files) {
    auto found = c.observed.files.find(file.path);
    if (found == c.observed.files.end()) continue;  // not written yet: plan says so
    ++unit_files;
    // A unit file that names the socket must still name it (the holder's does).
    std::string named = "--socket " + c.desired.socket;
    if (file.content.find(named) != std::string::npos &&
        found->second.find(named) == std::string::npos)
      problems.push_back(
          fmt::format("{} does not name the socket {}", file.path, c.desired.socket));
  }
  for (const DesiredAgent& agent : c.desired.agents) {
    auto found = c.observed.files.find(agent.env_path);
    if (found == c.observed.files.end()) continue;
    ++env_files;
    std::map<std::string, std::string> vars = ParseEnvFile(found->second).Variables();
    auto socket = vars.find(std::string(kEnvTmuxSocket));
    if (socket == vars.end() || socket->second != c.desired.socket)
      problems.push_back(
          fmt::format("{} does not set {}={}", agent.env_path, kEnvTmuxSocket, c.desired.socket));
  }
  if (!problems.empty()) return Failed(check, fmt::format("{}", fmt::join(problems, "; ")));
  return Passed(check, fmt::format("socket {}; {} unit file(s) and {} env file(s) checked",
                                   c.desired.socket, unit_files, env_files));
}

// ---- unit-files ----

VerificationCheck UnitFiles(System& system, const VerificationContext& c) {
  VerificationCheck check{"unit-files",
                          "the unit files are the tool's, and systemd-analyze --user verify "
                          "accepts them"};
  std::vector<std::string> edited;
  for (const ManagedUnitFile& file : c.desired.unit_files)
    if (auto found = c.observed.files.find(file.path);
        found != c.observed.files.end() && found->second != file.content)
      edited.push_back(file.path);
  if (!edited.empty())
    return Failed(check, fmt::format("changed outside mosaic-fleet: {} (`mosaic-fleet plan` shows "
                                     "how; `apply` writes them back)",
                                     fmt::join(edited, ", ")));
  std::vector<std::string> argv = {"systemd-analyze", "--user", "verify"};
  for (const ManagedUnitFile& file : c.desired.unit_files) {
    if (!c.observed.files.contains(file.path)) continue;
    // A drop-in is verified as part of its unit, which systemd loads from the unit path.
    size_t drop_in = file.name.find(".d/");
    argv.push_back(drop_in == std::string::npos ? file.path : file.name.substr(0, drop_in));
  }
  if (argv.size() == 3)
    return Failed(check, "no unit file is written yet (run `mosaic-fleet apply`)");
  Result<ProcessResult> r =
      system.processes().Run({argv, {"TMUX", "TMUX_PANE"}, std::chrono::seconds(60)});
  if (!r.ok()) return Failed(check, r.status().message());
  std::string said = r.value().err + r.value().out;
  while (!said.empty() && said.back() == '\n') said.pop_back();
  if (r.value().exit_code != 0 || !said.empty())
    return Failed(check, fmt::format("systemd-analyze exited {}: {}", r.value().exit_code,
                                     said.empty() ? "(nothing said)" : said));
  return Passed(check, fmt::format("{} unit file(s)", argv.size() - 3));
}

}  // namespace

std::vector<VerificationCheck> VerifyFleet(
    System& system, const VerificationContext& context,
    const std::function<void(const std::string& title)>& starting,
    const std::function<void(const VerificationCheck&)>& finished) {
  using Check = std::function<VerificationCheck()>;
  const std::vector<std::pair<std::string, Check>> checks = {
      {"holder-owns-server", [&] { return HolderOwnsServer(system, context); }},
      {"exact-targets", [&] { return ExactTargets(system, context); }},
      {"restart-isolation", [&] { return RestartIsolation(system, context); }},
      {"default-socket-unused", [&] { return DefaultSocketUnused(context); }},
      {"unit-files", [&] { return UnitFiles(system, context); }},
  };
  std::vector<VerificationCheck> results;
  results.reserve(checks.size());
  for (const auto& [id, run] : checks) {
    if (starting) starting(id);
    results.push_back(run());
    if (finished) finished(results.back());
  }
  return results;
}

}  // namespace mosaic
