#include "real_system.h"

#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-journal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <memory>
#include <thread>

#include "apply_lock.h"
#include "child_environment.h"
#include "fleet_contract.h"
#include "launch_prerequisites.h"
#include "process_tree.h"

namespace mosaic {
namespace {

class RealApplyLock : public ApplyLockHandle {
 public:
  explicit RealApplyLock(ApplyLock lock) : lock_(std::move(lock)) {}

 private:
  ApplyLock lock_;
};

}  // namespace

Environment CaptureEnvironment() {
  auto get = [](const char* name) {
    const char* value = std::getenv(name);
    return std::string(value ? value : "");
  };
  Environment env;
  env.home = get("HOME");
  env.xdg_config_home = get("XDG_CONFIG_HOME");
  env.xdg_runtime_dir = get("XDG_RUNTIME_DIR");
  env.mosaic_home = get("MOSAIC_HOME");
  env.tmux_tmpdir = get("TMUX_TMPDIR");
  env.fleet_timeout = get("MOSAIC_FLEET_TIMEOUT");
  env.fleet_binary = get("MOSAIC_FLEET_BINARY");
  env.tmux_socket = get(std::string(kEnvTmuxSocket).c_str());
  env.fleet_ssh = get("MOSAIC_FLEET_SSH");
  env.main_pid = std::strtoll(get("MAINPID").c_str(), nullptr, 10);
  env.unit_exit_code = get("EXIT_CODE");
  env.uid = static_cast<int64_t>(::getuid());
  env.clock_ticks = static_cast<int64_t>(::sysconf(_SC_CLK_TCK));
  env.page_size = static_cast<int64_t>(::sysconf(_SC_PAGESIZE));
  env.journal_stream = get("JOURNAL_STREAM");
  env.stderr_is_terminal = ::isatty(STDERR_FILENO) == 1;
  env.path = get("PATH");
  env.handed_off = get("MOSAIC_FLEET_HANDED_OFF");
  env.handoff_depth = get("MOSAIC_FLEET_HANDOFF_DEPTH");
  if (char* cwd = ::getcwd(nullptr, 0)) {
    env.working_directory = cwd;
    std::free(cwd);
  }
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) == 0) env.hostname = host;
  return env;
}

Result<std::unique_ptr<SystemdManager>> RealSystem::ConnectUserManager(BusTimeouts timeouts) {
  return mosaic::ConnectUserManager(environment_.xdg_runtime_dir, timeouts);
}

int64_t RealSystem::Now() { return static_cast<int64_t>(std::time(nullptr)); }

std::chrono::steady_clock::time_point RealSystem::Monotonic() {
  return std::chrono::steady_clock::now();
}

void RealSystem::Sleep(std::chrono::milliseconds duration) {
  std::this_thread::sleep_for(duration);
}

std::string RealSystem::SelfExecutable() {
  char buffer[PATH_MAX];
  ssize_t n = ::readlink("/proc/self/exe", buffer, sizeof buffer - 1);
  return n > 0 ? std::string(buffer, static_cast<size_t>(n)) : "mosaic-fleet";
}

Result<std::unique_ptr<ApplyLockHandle>> RealSystem::LockApply(const std::string& path,
                                                               double timeout_seconds,
                                                               const std::string& description) {
  Result<ApplyLock> lock = ApplyLock::Acquire(path, timeout_seconds, description);
  if (!lock.ok()) return lock.status();
  return std::unique_ptr<ApplyLockHandle>(std::make_unique<RealApplyLock>(std::move(lock).value()));
}

Result<std::unique_ptr<ApplyLockHandle>> RealSystem::LockAgent(const std::string& path,
                                                               double timeout_seconds,
                                                               const std::string& busy_with) {
  Result<ApplyLock> lock = ApplyLock::Acquire(path, timeout_seconds, busy_with, busy_with, "");
  if (!lock.ok()) return lock.status();
  return std::unique_ptr<ApplyLockHandle>(std::make_unique<RealApplyLock>(std::move(lock).value()));
}

void RealSystem::NotifyReady() { (void)sd_notify(0, "READY=1"); }

void RealSystem::NotifyStatus(const std::string& text) {
  std::string line = text.substr(0, text.find('\n'));  // one line: STATUS= ends at a newline
  (void)sd_notify(0, ("STATUS=" + line).c_str());
}

void RealSystem::Journal(int priority, const std::string& message,
                         const std::map<std::string, std::string>& fields) {
  std::vector<std::string> entries = {fmt::format("PRIORITY={}", priority),
                                      "SYSLOG_IDENTIFIER=mosaic-fleet", "MESSAGE=" + message};
  for (const auto& [name, value] : fields) entries.push_back(fmt::format("{}={}", name, value));
  std::vector<iovec> vectors;
  vectors.reserve(entries.size());
  for (std::string& entry : entries) vectors.push_back({entry.data(), entry.size()});
  (void)sd_journal_sendv(vectors.data(), static_cast<int>(vectors.size()));
}

bool RealSystem::Terminate(int64_t pid, std::chrono::milliseconds timeout) {
  int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, static_cast<pid_t>(pid), 0));
  if (::kill(static_cast<pid_t>(pid), SIGTERM) != 0) {
    if (pidfd >= 0) ::close(pidfd);
    return errno == ESRCH;
  }
  if (pidfd < 0) return false;
  pollfd p{pidfd, POLLIN, 0};
  int ready = ::poll(&p, 1, static_cast<int>(timeout.count()));
  ::close(pidfd);
  return ready > 0;
}

bool RealSystem::AwaitExit(int64_t pid, std::chrono::milliseconds bound) {
  const auto deadline = std::chrono::steady_clock::now() + bound;
  auto left = [&] {
    return std::max<int64_t>(0, std::chrono::duration_cast<std::chrono::milliseconds>(
                                    deadline - std::chrono::steady_clock::now())
                                    .count());
  };
  int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, static_cast<pid_t>(pid), 0));
  if (pidfd < 0 && errno == ESRCH) return true;
  if (pidfd < 0) {
    // No pidfd (a kernel before 5.3, or out of descriptors): look every quarter second.
    while (::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM) {
      if (left() == 0) return false;
      std::this_thread::sleep_for(
          std::min(std::chrono::milliseconds(250), std::chrono::milliseconds(left())));
    }
    return true;
  }
  pollfd p{pidfd, POLLIN, 0};
  int ready = 0;
  do {
    ready = ::poll(&p, 1, static_cast<int>(std::min<int64_t>(left(), INT32_MAX)));
  } while (ready < 0 && errno == EINTR);
  ::close(pidfd);
  return ready > 0;
}

void RealSystem::WakeReaper(int64_t pid) {
  if (pid > 1) ::kill(static_cast<pid_t>(pid), SIGCHLD);
}

namespace {

class BlockedInterrupts : public InterruptDeferral {
 public:
  BlockedInterrupts() {
    sigemptyset(&set_);
    // A signal this process ignores (nohup, a background job) interrupts nothing: a pending
    // one must not be taken for an interrupt.
    for (int signal : {SIGINT, SIGTERM, SIGHUP}) {
      struct sigaction action {};
      if (::sigaction(signal, nullptr, &action) == 0 && action.sa_handler == SIG_IGN) continue;
      sigaddset(&set_, signal);
    }
    ::pthread_sigmask(SIG_BLOCK, &set_, &previous_);
  }
  BlockedInterrupts(const BlockedInterrupts&) = delete;
  BlockedInterrupts& operator=(const BlockedInterrupts&) = delete;
  ~BlockedInterrupts() override { ::pthread_sigmask(SIG_SETMASK, &previous_, nullptr); }
  bool interrupted() const override {
    sigset_t pending;
    sigemptyset(&pending);
    ::sigpending(&pending);
    for (int signal : {SIGINT, SIGTERM, SIGHUP})
      if (sigismember(&set_, signal) == 1 && sigismember(&pending, signal) == 1) return true;
    return false;
  }

 private:
  sigset_t set_{};
  sigset_t previous_{};
};

}  // namespace

std::unique_ptr<InterruptDeferral> RealSystem::DeferInterrupts() {
  return std::make_unique<BlockedInterrupts>();
}

int64_t RealSystem::ProcessId() { return static_cast<int64_t>(::getpid()); }

std::vector<int64_t> RealSystem::ProcessTree(int64_t root) { return mosaic::ProcessTree(root); }

ExecFailure RealSystem::Exec(const std::vector<std::string>& argv, const std::string& directory,
                             const std::map<std::string, std::string>& set,
                             const std::vector<std::string>& unset) {
  if (argv.empty()) return {"nothing to run", 1};
  if (!directory.empty() && ::chdir(directory.c_str()) != 0)
    return {fmt::format("cannot enter working directory {}: {}", directory, std::strerror(errno)),
            1};
  std::map<std::string, std::string> vars = set;
  std::vector<std::string> without = unset;
  if (!directory.empty()) {
    // As a shell does: PWD names the directory the program starts in, not the one this
    // process was started in (a tool reading $PWD would work in the wrong place) — or, where
    // that cannot be told, is not set at all.
    std::unique_ptr<char, decltype(&std::free)> cwd(::getcwd(nullptr, 0), &std::free);
    if (directory.starts_with('/'))
      vars["PWD"] = directory;
    else if (cwd)
      vars["PWD"] = cwd.get();
    else
      without.push_back("PWD");
  }
  CStringArray args(argv);
  std::vector<std::string> environment = ChildEnvironment(OwnEnvironment(), vars, without);
  CStringArray envp(environment);
  // execvpe searches the PATH of this process, not of the environment it is given: ours is set
  // to the program's first — or, where that has none, to the shell's default (dash's, which is
  // systemd's), not passed on. (execvpe also runs a script without a #! line by /bin/sh.)
  auto path = std::find_if(environment.begin(), environment.end(),
                           [](const std::string& entry) { return entry.starts_with("PATH="); });
  if (::setenv("PATH", path != environment.end() ? path->c_str() + 5 : kSystemdDefaultPath, 1) != 0)
    return {fmt::format("cannot run {}: cannot set PATH: {}", argv[0], std::strerror(errno)), 126};
  ::execvpe(args.data()[0], args.data(), envp.data());
  int error = errno;
  bool searched = argv[0].find('/') == std::string::npos;
  return {fmt::format("cannot run {}: {}", argv[0],
                      error == ENOENT && searched ? "not found on its PATH" : std::strerror(error)),
          error == ENOENT ? 127 : 126};
}

}  // namespace mosaic
