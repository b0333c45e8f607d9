// ApplyLock: one reconciler at a time. A POSIX record lock (fcntl) on
// $XDG_RUNTIME_DIR/mosaic-fleet.lock: close-on-exec, so no tmux server started meanwhile
// inherits it, and held by a process the kernel can name — a waiting apply says exactly which
// process holds it and what it is running. The lock file is never followed through a link.
#pragma once

#include <string>

#include "status.h"

namespace mosaic {

class ApplyLock {
 public:
  /// Waits up to `timeout_seconds` for the lock; the error names the process holding it.
  static Result<ApplyLock> Acquire(const std::string& path, double timeout_seconds,
                                   const std::string& description);
  ApplyLock(ApplyLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  ApplyLock& operator=(ApplyLock&&) = delete;
  ApplyLock(const ApplyLock&) = delete;
  ~ApplyLock();

 private:
  explicit ApplyLock(int fd) : fd_(fd) {}
  int fd_;
};

/// $XDG_RUNTIME_DIR/mosaic-fleet.lock, or /tmp/mosaic-fleet-UID.lock without XDG_RUNTIME_DIR.
std::string DefaultLockPath(const std::string& xdg_runtime_dir);

}  // namespace mosaic
