#include "sandbox.h"

#include <dirent.h>
#include <fcntl.h>
#include <pty.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace mosaic::integration {
namespace {

namespace fs = std::filesystem;

std::vector<char*> CStrings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (std::string& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// Starts argv[0] (searched on the given PATH) with exactly `env`; stdout/stderr to files.
pid_t Spawn(const std::vector<std::string>& argv_in,
            const std::map<std::string, std::string>& env_in, const std::string& out_file,
            const std::string& err_file) {
  std::vector<std::string> argv = argv_in, env;
  for (const auto& [k, v] : env_in) env.push_back(k + "=" + v);
  std::vector<char*> argv_c = CStrings(argv), env_c = CStrings(env);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0600);
  posix_spawn_file_actions_addopen(&actions, 2, err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0600);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  // Its own process group, so a test can kill it without signalling the test runner.
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attr, 0);
  pid_t pid = 0;
  std::string program = argv[0];
  if (program.find('/') == std::string::npos) {
    std::string path = env_in.count("PATH") ? env_in.at("PATH") : "/usr/bin:/bin";
    std::stringstream dirs(path);
    for (std::string dir; std::getline(dirs, dir, ':');)
      if (::access((dir + "/" + program).c_str(), X_OK) == 0) {
        program = dir + "/" + program;
        break;
      }
  }
  if (::posix_spawn(&pid, program.c_str(), &actions, &attr, argv_c.data(), env_c.data()) != 0)
    pid = -1;
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  return pid;
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

}  // namespace

Sandbox::Sandbox(TmuxCalls calls) : calls_(calls) { Start(); }

void Sandbox::Start() {
  if (::access("/lib/systemd/systemd", X_OK) != 0) {
    unavailable_ = "no /lib/systemd/systemd";
    return;
  }
  std::error_code ec;
  fs::create_directories("/run/systemd/system", ec);  // makes systemd --user believe systemd runs
  if (ec && !fs::exists("/run/systemd/system")) {
    unavailable_ =
        "cannot create /run/systemd/system (integration tests run as root): " + ec.message();
    return;
  }
  std::string pattern = "/tmp/mosaic-it-XXXXXX";
  if (!::mkdtemp(pattern.data())) {
    unavailable_ = "mkdtemp failed";
    return;
  }
  root_ = pattern;
  for (const char* dir : {"/run", "/tmux", "/bin", "/home/.config/environment.d", "/out"})
    fs::create_directories(root_ + dir);
  ::chmod((root_ + "/run").c_str(), 0700);
  ::chmod((root_ + "/tmux").c_str(), 0700);
  // Every tmux command line, whoever runs it (the CLI, or a unit under the manager), is logged.
  if (calls_ == TmuxCalls::kLogged) {
    WriteFile(root_ + "/bin/tmux", "#!/bin/sh\nprintf '%s\\n' \"$*\" >> '" + root_ +
                                       "/tmux.log'\nexec /usr/bin/tmux \"$@\"\n");
    ::chmod((root_ + "/bin/tmux").c_str(), 0755);
  }
  WriteFile(Config() + "/environment.d/10-mosaic-test.conf",
            "PATH=" + root_ + "/bin:/usr/local/bin:/usr/bin:/bin\n");
  WriteFile(root_ + "/tmux.log", "");

  // Each manager gets a cgroup root of its own, as a real user@UID.service has: without one,
  // every sandbox's units share /app.slice/…, and stopping one sandbox's holder would kill
  // the tmux server of another running at the same time. The shell moves itself there and
  // then becomes the manager (exec keeps the pid).
  std::string enter_cgroups;
  for (const std::string& dir : CgroupDirectories()) {
    fs::create_directories(dir, ec);
    if (ec) {
      unavailable_ = "cannot create the sandbox's cgroup " + dir + ": " + ec.message();
      return;
    }
    enter_cgroups += "echo $$ > '" + dir + "/cgroup.procs' && ";
  }
  // No journald here: the manager logs to its stderr, and units inherit it, so a failing
  // test can show what the units said (ManagerLog()).
  manager_pid_ = Spawn({"/bin/sh", "-c",
                        enter_cgroups + "exec /lib/systemd/systemd --user --log-target=console "
                                        "--log-level=info --default-standard-output=inherit "
                                        "--default-standard-error=inherit"},
                       Env(), root_ + "/out/systemd.out", root_ + "/out/systemd.err");
  for (int i = 0; i < 200 && !Exists(root_ + "/run/systemd/private"); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  if (manager_pid_ <= 0 || !Exists(root_ + "/run/systemd/private")) {
    unavailable_ = "systemd --user did not start: " + Slurp(root_ + "/out/systemd.err");
    return;
  }
  // The sentinel: the user's own tmux, on the default socket. Nothing may touch it.
  Exec({"/usr/bin/tmux", "new-session", "-d", "-s", "sentinel", "--", "sleep", "100000"});
  sentinel_server_pid_ = ServerPid("");
}

void Sandbox::StopManager() {
  if (manager_pid_ <= 0) return;
  ::kill(manager_pid_, SIGTERM);  // stops every unit: the holder's ExecStop ends the fleet server
  for (int i = 0; i < 200; ++i) {
    if (::waitpid(manager_pid_, nullptr, WNOHANG) != 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ::kill(manager_pid_, SIGKILL);
  ::waitpid(manager_pid_, nullptr, 0);
  manager_pid_ = 0;
}

std::vector<pid_t> Sandbox::ProcessesInside() const {
  std::vector<pid_t> pids;
  std::error_code ec;
  for (const auto& proc : fs::directory_iterator("/proc", ec)) {
    std::string name = proc.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::string environ = Slurp((proc.path() / "environ").string());
    if (environ.find(root_) != std::string::npos) pids.push_back(std::stoi(name));
  }
  return pids;
}

Sandbox::~Sandbox() {
  StopManager();
  if (root_.empty()) return;
  // The test's own tmux servers (the sentinel, and any a test left): every socket in the sandbox.
  std::error_code ec;
  for (const auto& dir : fs::directory_iterator(root_ + "/tmux", ec))
    for (const auto& socket : fs::directory_iterator(dir.path(), ec))
      Exec({"/usr/bin/tmux", "-S", socket.path().string(), "kill-server"});
  // kill-server returns before the panes' programs have died of their SIGHUP: wait for them.
  for (int i = 0; i < 100 && !ProcessesInside().empty(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
  // A manager too loaded to stop its units within StopManager's bound was killed, leaving its
  // holder's server running: whatever still lives in the sandbox's cgroups goes now.
  KillWhatIsLeftInCgroups();
  RemoveCgroups();
  if (std::getenv("MOSAIC_KEEP_SANDBOX")) return;  // for debugging a failed test: look inside
  fs::remove_all(root_, ec);
}

std::vector<std::string> Sandbox::CgroupDirectories() const {
  // Hybrid hierarchy (systemd's own v1 tree plus the unified one), or pure cgroup v2.
  std::string name = "/" + fs::path(root_).filename().string() + "/user@0.service";
  if (fs::exists("/sys/fs/cgroup/unified/cgroup.procs"))
    return {"/sys/fs/cgroup/systemd" + name, "/sys/fs/cgroup/unified" + name};
  return {"/sys/fs/cgroup" + name};
}

void Sandbox::KillWhatIsLeftInCgroups() const {
  for (int round = 0; round < 100; ++round) {
    bool any = false;
    for (const std::string& dir : CgroupDirectories()) {
      std::error_code ec;
      std::string top = dir.substr(0, dir.rfind('/'));
      for (auto it = fs::recursive_directory_iterator(top, ec); !ec && it != fs::end(it);
           it.increment(ec)) {
        if (!it->is_directory()) continue;
        std::istringstream procs(Slurp((it->path() / "cgroup.procs").string()));
        for (pid_t pid = 0; procs >> pid;) any |= ::kill(pid, SIGKILL) == 0;
      }
    }
    if (!any) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

void Sandbox::RemoveCgroups() const {
  // Deepest first: a cgroup can be removed only once it has no children and no processes.
  for (const std::string& dir : CgroupDirectories()) {
    std::string top = dir.substr(0, dir.rfind('/'));
    std::vector<fs::path> dirs;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(top, ec); !ec && it != fs::end(it);
         it.increment(ec))
      if (it->is_directory()) dirs.push_back(it->path());
    std::sort(dirs.begin(), dirs.end(), [](const fs::path& a, const fs::path& b) {
      return a.string().size() > b.string().size();
    });
    dirs.push_back(top);
    for (const fs::path& d : dirs) {
      for (int i = 0; i < 50 && ::rmdir(d.c_str()) != 0 && errno == EBUSY; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
}

std::map<std::string, std::string> Sandbox::Env() const {
  return {{"HOME", Home()},
          {"XDG_CONFIG_HOME", Config()},
          {"XDG_RUNTIME_DIR", root_ + "/run"},
          {"TMUX_TMPDIR", root_ + "/tmux"},
          {"PATH", root_ + "/bin:/usr/local/bin:/usr/bin:/bin"},
          {"LANG", "C.UTF-8"},
          {"USER", "root"}};
}

RunResult Sandbox::Exec(const std::vector<std::string>& argv) const {
  static std::atomic<int> counter = 0;
  std::string base = root_ + "/out/exec" + std::to_string(++counter);
  RunResult run;
  pid_t pid = Spawn(argv, Env(), base + ".out", base + ".err");
  run.code = pid > 0 ? Wait(pid, &run.max_rss_kb, &run.cpu_seconds) : 127;
  run.out = Slurp(base + ".out");
  run.err = Slurp(base + ".err");
  return run;
}

RunResult Sandbox::Fleet(const std::vector<std::string>& args,
                         const std::vector<std::string>& unset,
                         const std::map<std::string, std::string>& set) const {
  std::vector<std::string> argv = {MOSAIC_FLEET_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  std::map<std::string, std::string> env = Env();
  for (const std::string& u : unset) env.erase(u);
  for (const auto& [key, value] : set) env[key] = value;
  static std::atomic<int> counter = 0;
  std::string base = root_ + "/out/fleet" + std::to_string(++counter);
  RunResult run;
  pid_t pid = Spawn(argv, env, base + ".out", base + ".err");
  run.code = pid > 0 ? Wait(pid, &run.max_rss_kb, &run.cpu_seconds) : 127;
  run.out = Slurp(base + ".out");
  run.err = Slurp(base + ".err");
  return run;
}

pid_t Sandbox::SpawnFleet(const std::vector<std::string>& args) const {
  std::vector<std::string> argv = {MOSAIC_FLEET_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  static std::atomic<int> counter = 0;
  std::string base = root_ + "/out/spawn" + std::to_string(++counter);
  return Spawn(argv, Env(), base + ".out", base + ".err");
}

pid_t Sandbox::SpawnFleetOnTerminal(const std::vector<std::string>& args, int* master, int columns,
                                    int rows) const {
  std::vector<std::string> argv = {MOSAIC_FLEET_BINARY}, env;
  argv.insert(argv.end(), args.begin(), args.end());
  for (const auto& [k, v] : Env()) env.push_back(k + "=" + v);
  env.push_back("TERM=xterm-256color");
  // Everything the child needs is built before the fork: after it, only exec.
  std::vector<char*> argv_c = CStrings(argv), env_c = CStrings(env);
  winsize size{static_cast<unsigned short>(rows), static_cast<unsigned short>(columns), 0, 0};
  pid_t pid = ::forkpty(master, nullptr, nullptr, &size);
  if (pid == 0) {
    ::execve(argv_c[0], argv_c.data(), env_c.data());
    ::_exit(127);
  }
  return pid;
}

int Sandbox::Wait(pid_t pid, long* max_rss_kb, double* cpu_seconds) {
  int status = 0;
  rusage usage{};
  while (::wait4(pid, &status, 0, &usage) < 0 && errno == EINTR) {
  }
  if (max_rss_kb) *max_rss_kb = usage.ru_maxrss;
  auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  if (cpu_seconds) *cpu_seconds = seconds(usage.ru_utime) + seconds(usage.ru_stime);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

RunResult Sandbox::Tmux(const std::string& socket, const std::vector<std::string>& args) const {
  std::vector<std::string> argv = {"/usr/bin/tmux"};
  if (!socket.empty()) argv.insert(argv.end(), {"-L", socket});
  argv.insert(argv.end(), args.begin(), args.end());
  return Exec(argv);
}

void Sandbox::WriteFile(const std::string& path, const std::string& content) const {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << content;
}

std::string Sandbox::ReadFile(const std::string& path) const { return Slurp(path); }

bool Sandbox::Exists(const std::string& path) const { return ::access(path.c_str(), F_OK) == 0; }

std::map<std::string, long> Sandbox::Sessions(const std::string& socket) const {
  std::map<std::string, long> sessions;
  RunResult r = Tmux(socket, {"list-panes", "-a", "-F", "#{pane_pid} #{session_name}"});
  if (r.code != 0) return sessions;
  std::stringstream lines(r.out);
  for (std::string line; std::getline(lines, line);) {
    size_t space = line.find(' ');
    std::string name = line.substr(space + 1);
    if (!sessions.count(name)) sessions[name] = std::stol(line.substr(0, space));
  }
  return sessions;
}

long Sandbox::ServerPid(const std::string& socket) const {
  RunResult r = Tmux(socket, {"list-sessions", "-F", "#{pid}"});
  return r.code == 0 && !r.out.empty() ? std::stol(r.out) : 0;
}

std::string Sandbox::UnitActive(const std::string& unit) const {
  std::string out = Exec({"systemctl", "--user", "is-active", unit}).out;
  return out.substr(0, out.find('\n'));
}

std::string Sandbox::UnitEnabled(const std::string& unit) const {
  std::string out = Exec({"systemctl", "--user", "is-enabled", unit}).out;
  return out.substr(0, out.find('\n'));
}

std::vector<std::string> Sandbox::TmuxLog() const {
  if (calls_ == TmuxCalls::kUnlogged) {
    // An empty log would let a check over every tmux call pass without looking at any.
    std::fprintf(stderr, "Sandbox::TmuxLog: this sandbox's tmux calls are not logged\n");
    std::abort();
  }
  std::vector<std::string> lines;
  std::stringstream log(Slurp(root_ + "/tmux.log"));
  for (std::string line; std::getline(log, line);) lines.push_back(line);
  return lines;
}

std::string Sandbox::ManagerLog() const {
  std::string log = Slurp(root_ + "/out/systemd.err");
  return log.size() > 6000 ? log.substr(log.size() - 6000) : log;
}

bool Sandbox::SentinelIntact() const {
  return sentinel_server_pid_ != 0 && ServerPid("") == sentinel_server_pid_ &&
         Sessions("").count("sentinel") == 1;
}

void Sandbox::InstallStandInAgent() const {
  WriteFile(root_ + "/bin/mosaic",
            "#!/bin/sh\n# Stand-in for `mosaic yolo RUNTIME`: an interactive agent that waits for "
            "input.\n"
            "echo \"stand-in agent: $*\"\nexec cat\n");
  ::chmod((root_ + "/bin/mosaic").c_str(), 0755);
}

}  // namespace mosaic::integration
