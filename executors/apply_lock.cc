#include "apply_lock.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <thread>

#include "utf8.h"

namespace mosaic {
namespace {

// What process `pid` runs, for a message: its command line, shown safely.
std::string CommandLine(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/cmdline", std::ios::binary);
  std::string cmdline((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  while (!cmdline.empty() && cmdline.back() == '\0') cmdline.pop_back();
  for (char& c : cmdline)
    if (c == '\0') c = ' ';
  if (cmdline.size() > 200) cmdline = cmdline.substr(0, 200) + "…";
  return cmdline.empty() ? "command unknown" : PrintableText(cmdline);
}

// Takes both locks or neither: the record lock, which names its holder, and the flock that
// earlier versions of mosaic-fleet took (they and this one must still exclude each other).
// False when another process holds either.
Result<bool> TryLock(int fd) {
  struct flock whole {};
  whole.l_type = F_WRLCK;
  whole.l_whence = SEEK_SET;
  if (::fcntl(fd, F_SETLK, &whole) != 0) {
    if (errno == EAGAIN || errno == EACCES || errno == EINTR) return false;
    return Status::Error(std::strerror(errno));
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) == 0) return true;
  int error = errno;
  whole.l_type = F_UNLCK;
  (void)::fcntl(fd, F_SETLK, &whole);
  if (error == EWOULDBLOCK || error == EINTR) return false;
  return Status::Error(std::strerror(error));
}

// Which process holds the lock on `fd`, in words: the kernel knows the record lock's holder;
// an earlier version holding only the flock wrote its pid into the file.
std::string Holder(int fd) {
  struct flock probe {};
  probe.l_type = F_WRLCK;
  probe.l_whence = SEEK_SET;
  if (::fcntl(fd, F_GETLK, &probe) == 0 && probe.l_type != F_UNLCK && probe.l_pid > 0)
    return fmt::format("pid {}: {}", probe.l_pid, CommandLine(probe.l_pid));
  char written[256] = {};
  ssize_t n = ::pread(fd, written, sizeof written - 1, 0);
  std::string who = n > 0 ? std::string(written, static_cast<size_t>(n)) : "";
  while (!who.empty() && who.back() == '\n') who.pop_back();
  return who.empty() ? "holder unknown" : PrintableText(who) + ", an earlier mosaic-fleet";
}

}  // namespace

std::string DefaultLockPath(const std::string& xdg_runtime_dir, int64_t uid) {
  if (!xdg_runtime_dir.empty()) return xdg_runtime_dir + "/mosaic-fleet.lock";
  return fmt::format("/tmp/mosaic-fleet-{}.lock", uid);
}

std::string AgentLockPath(const std::string& xdg_runtime_dir, int64_t uid, std::string_view purpose,
                          const std::string& name) {
  if (!xdg_runtime_dir.empty())
    return fmt::format("{}/mosaic-fleet-{}-{}.lock", xdg_runtime_dir, purpose, name);
  return fmt::format("/tmp/mosaic-fleet-{}-{}-{}.lock", uid, purpose, name);
}

Result<ApplyLock> ApplyLock::Acquire(const std::string& path, double timeout_seconds,
                                     const std::string& description, std::string_view busy_with,
                                     std::string_view hint) {
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0 && errno == ELOOP)
    return Status::Error(fmt::format(
        "the lock {} is a symbolic link, and mosaic-fleet never follows one for its lock; "
        "remove it (rm {}) and run again",
        path, path));
  if (fd < 0)
    return Status::Error(fmt::format("cannot open the lock {}: {}", path, std::strerror(errno)));
  auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_seconds);
  while (true) {
    Result<bool> locked = TryLock(fd);
    if (!locked.ok()) {
      ::close(fd);
      return Status::Error(fmt::format("cannot lock {}: {}", path, locked.status().message()));
    }
    if (locked.value()) break;
    if (std::chrono::steady_clock::now() >= deadline) {
      std::string who = Holder(fd);
      ::close(fd);
      return Status::Error(fmt::format("another mosaic-fleet {} ({}); waited {:.0f}s for {}{}",
                                       busy_with, who, timeout_seconds, path, hint));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  // For people looking at the file; waiting applies ask the kernel instead.
  std::string me = fmt::format("pid {}: {}\n", ::getpid(), description);
  if (::ftruncate(fd, 0) == 0) {
    ssize_t ignored = ::pwrite(fd, me.data(), me.size(), 0);
    (void)ignored;
  }
  return ApplyLock(fd);
}

ApplyLock::~ApplyLock() {
  if (fd_ >= 0) ::close(fd_);  // closing releases the lock
}

}  // namespace mosaic
