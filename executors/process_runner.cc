#include "process_runner.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

#include "child_environment.h"

namespace mosaic {
namespace {

// Whether child `pid` exits before `deadline` (without reaping it).
bool ExitsBy(pid_t pid, std::chrono::steady_clock::time_point deadline) {
  int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  if (pidfd < 0) {
    // No pidfd (a kernel before 5.3): look every few milliseconds instead.
    while (std::chrono::steady_clock::now() < deadline) {
      siginfo_t info{};
      if (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
          info.si_pid == pid)
        return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return false;
  }
  bool exited = false;
  while (!exited) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    pollfd p{pidfd, POLLIN, 0};
    int ready = ::poll(&p, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno != EINTR) break;
    exited = ready > 0;
  }
  ::close(pidfd);
  return exited;
}

}  // namespace

Result<ProcessResult> RealProcessRunner::Run(const ProcessRequest& request) {
  const std::vector<std::string>& argv = request.argv;
  const std::vector<std::string>& unset_env = request.unset_env;
  if (argv.empty()) return Status::Error("no program to run");
  CStringArray args(argv);
  CStringArray envp(ChildEnvironment(OwnEnvironment(), {}, unset_env));

  // O_CLOEXEC everywhere: the child gets exactly stdin (/dev/null), stdout and stderr, and no
  // other descriptor of ours (a lock held by apply must never leak into a tmux server).
  int out_pipe[2], err_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0)
    return Status::Error(fmt::format("pipe: {}", std::strerror(errno)));
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) {
    ::close(out_pipe[0]), ::close(out_pipe[1]);
    return Status::Error(fmt::format("pipe: {}", std::strerror(errno)));
  }
  // Input goes through a socket pair rather than a pipe: a program that quits before reading
  // it all is EPIPE for send(MSG_NOSIGNAL), not a SIGPIPE that kills this process. Both ends
  // block (the child's must: programs take EAGAIN on stdin for an error); our sends do not
  // (MSG_DONTWAIT).
  int in_pair[2] = {-1, -1};
  if (request.input && ::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in_pair) != 0) {
    ::close(out_pipe[0]), ::close(out_pipe[1]), ::close(err_pipe[0]), ::close(err_pipe[1]);
    return Status::Error(fmt::format("socketpair: {}", std::strerror(errno)));
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (request.input)
    posix_spawn_file_actions_adddup2(&actions, in_pair[1], 0);
  else
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err_pipe[1], 2);
  // Children start with no signal blocked, whatever this process holds back meanwhile
  // (System::DeferInterrupts): a tmux server started now must still die of SIGTERM.
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attributes, &none);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK);
  pid_t pid = 0;
  int rc = ::posix_spawnp(&pid, args.data()[0], &actions, &attributes, args.data(), envp.data());
  posix_spawnattr_destroy(&attributes);
  posix_spawn_file_actions_destroy(&actions);
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  if (request.input) ::close(in_pair[1]);
  if (rc != 0) {
    ::close(out_pipe[0]), ::close(err_pipe[0]);
    if (request.input) ::close(in_pair[0]);
    return Status::Error(fmt::format("cannot run {}: {}", argv[0], std::strerror(rc)));
  }
  ++started_;

  ProcessResult result;
  // The input's end is polled with the outputs (POLLOUT), so that a program that writes
  // before it reads never deadlocks with us.
  size_t written = 0;
  const std::string no_input;
  const std::string& input = request.input ? *request.input : no_input;
  if (request.input && input.empty()) ::close(in_pair[0]), in_pair[0] = -1;
  pollfd fds[3] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}, {in_pair[0], POLLOUT, 0}};
  std::string* sinks[2] = {&result.out, &result.err};
  int open_fds = 2;
  char buffer[65536];
  const auto deadline = std::chrono::steady_clock::now() + request.timeout;
  while (open_fds > 0) {
    int wait_ms = -1;
    if (request.timeout.count() > 0) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) {
        // A program that does not answer (a stopped tmux server) must not hang us.
        ::kill(pid, SIGKILL);
        result.timed_out = true;
        for (pollfd& f : fds)
          if (f.fd >= 0) ::close(f.fd), f.fd = -1;
        break;
      }
      wait_ms = static_cast<int>(left.count());
    }
    int ready = ::poll(fds, 3, wait_ms);
    if (ready < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[2].fd >= 0 && (fds[2].revents & (POLLOUT | POLLHUP | POLLERR))) {
      ssize_t n = ::send(fds[2].fd, input.data() + written, input.size() - written,
                         MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n > 0) written += static_cast<size_t>(n);
      // All of it sent (end of file follows), or the program stopped reading.
      if (written == input.size() || (n < 0 && errno != EAGAIN && errno != EINTR))
        ::close(fds[2].fd), fds[2].fd = -1;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      ssize_t n = ::read(fds[i].fd, buffer, sizeof buffer);
      if (n > 0) {
        sinks[i]->append(buffer, static_cast<size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        ::close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      }
    }
  }
  for (pollfd& f : fds)
    if (f.fd >= 0) ::close(f.fd);
  // The program may close its output and still not exit: the wait for it is bounded too.
  if (!result.timed_out && request.timeout.count() > 0 && !ExitsBy(pid, deadline)) {
    ::kill(pid, SIGKILL);
    result.timed_out = true;
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

Result<TerminalResult> RealProcessRunner::RunInTerminal(const ProcessRequest& request) {
  if (request.argv.empty()) return Status::Error("no program to run");
  CStringArray args(request.argv);
  CStringArray envp(ChildEnvironment(OwnEnvironment(), {}, request.unset_env));
  // The interrupts wait (blocked) while the program runs, and so does SIGCHLD, whose arrival
  // ends the wait at once. A signal this process ignores (nohup) stays ignored.
  sigset_t wait_set, previous;
  sigemptyset(&wait_set);
  sigaddset(&wait_set, SIGCHLD);
  for (int signal : {SIGINT, SIGTERM, SIGHUP}) {
    struct sigaction action {};
    if (::sigaction(signal, nullptr, &action) == 0 && action.sa_handler == SIG_IGN) continue;
    sigaddset(&wait_set, signal);
  }
  ::pthread_sigmask(SIG_BLOCK, &wait_set, &previous);
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  sigset_t none, defaults;
  sigemptyset(&none);
  sigemptyset(&defaults);
  for (int signal : {SIGINT, SIGTERM, SIGHUP, SIGCHLD}) sigaddset(&defaults, signal);
  posix_spawnattr_setsigmask(&attributes, &none);
  posix_spawnattr_setsigdefault(&attributes, &defaults);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  pid_t pid = 0;
  int rc = ::posix_spawnp(&pid, args.data()[0], nullptr, &attributes, args.data(), envp.data());
  posix_spawnattr_destroy(&attributes);
  if (rc != 0) {
    ::pthread_sigmask(SIG_SETMASK, &previous, nullptr);
    return Status::Error(fmt::format("cannot run {}: {}", request.argv[0], std::strerror(rc)));
  }
  ++started_;
  TerminalResult result;
  int status = 0;
  std::chrono::steady_clock::time_point interrupted_at;
  for (;;) {
    pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) break;
    if (done < 0 && errno != EINTR) break;
    timespec tick{0, 200'000'000};  // SIGCHLD ends the wait sooner; this bounds a lost one
    int signal = ::sigtimedwait(&wait_set, nullptr, &tick);
    if (signal > 0 && signal != SIGCHLD && result.interrupted_by == 0) {
      result.interrupted_by = signal;
      interrupted_at = std::chrono::steady_clock::now();
      ::kill(pid, SIGTERM);
    }
    // A program that does not end when asked (stopped, wedged) is not waited for forever.
    if (result.interrupted_by != 0 &&
        std::chrono::steady_clock::now() - interrupted_at > std::chrono::seconds(2))
      ::kill(pid, SIGKILL);
  }
  ::pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

}  // namespace mosaic
