#include "apply_lock.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

namespace mosaic {

std::string DefaultLockPath(const std::string& xdg_runtime_dir) {
  if (!xdg_runtime_dir.empty()) return xdg_runtime_dir + "/mosaic-fleet.lock";
  return fmt::format("/tmp/mosaic-fleet-{}.lock", ::getuid());
}

Result<ApplyLock> ApplyLock::Acquire(const std::string& path, double timeout_seconds,
                                     const std::string& description) {
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0)
    return Status::Error(fmt::format("cannot open the lock {}: {}", path, std::strerror(errno)));
  auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_seconds);
  while (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK && errno != EINTR) {
      ::close(fd);
      return Status::Error(fmt::format("cannot lock {}: {}", path, std::strerror(errno)));
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      char holder[256] = {};
      ssize_t n = ::pread(fd, holder, sizeof holder - 1, 0);
      std::string who = n > 0 ? std::string(holder, static_cast<size_t>(n)) : "unknown";
      while (!who.empty() && who.back() == '\n') who.pop_back();
      ::close(fd);
      return Status::Error(
          fmt::format("another mosaic-fleet apply is running ({}); waited {:.0f}s for {} "
                      "(raise --lock-timeout to wait longer)",
                      who, timeout_seconds, path));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  std::string me = fmt::format("pid {}: {}\n", ::getpid(), description);
  if (::ftruncate(fd, 0) == 0) {
    ssize_t ignored = ::pwrite(fd, me.data(), me.size(), 0);
    (void)ignored;
  }
  return ApplyLock(fd);
}

ApplyLock::~ApplyLock() {
  if (fd_ >= 0) ::close(fd_);  // closing releases the flock
}

}  // namespace mosaic
