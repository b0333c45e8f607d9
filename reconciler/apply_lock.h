// ApplyLock: one reconciler at a time. An flock on $XDG_RUNTIME_DIR/mosaic-fleet.lock
// (close-on-exec, so no tmux server started meanwhile inherits it); the holder writes its
// pid and command into the file so a waiting apply can say who holds it.
#pragma once

#include <string>

#include "status.h"

namespace mosaic {

class ApplyLock {
 public:
  /// Waits up to `timeout_seconds` for the lock; the error names the holder.
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
