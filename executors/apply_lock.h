// ApplyLock: one reconciler at a time, on $XDG_RUNTIME_DIR/mosaic-fleet.lock (close-on-exec,
// so no tmux server started meanwhile inherits it; never followed through a link). Two locks
// are taken together: a POSIX record lock, whose holder the kernel can name — a waiting apply
// says exactly which process holds it and what it runs — and the flock earlier versions took,
// so that an old timer and a new operator still exclude each other.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "status.h"

namespace mosaic {

class ApplyLock {
 public:
  /// Waits up to `timeout_seconds` for the lock; the error names the process holding it and
  /// what it is busy with ("apply is running").
  static Result<ApplyLock> Acquire(
      const std::string& path, double timeout_seconds, const std::string& description,
      std::string_view busy_with = "apply is running",
      std::string_view hint = " (raise --lock-timeout to wait longer)");
  ApplyLock(ApplyLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  ApplyLock& operator=(ApplyLock&&) = delete;
  ApplyLock(const ApplyLock&) = delete;
  ~ApplyLock();

 private:
  explicit ApplyLock(int fd) : fd_(fd) {}
  int fd_;
};

/// $XDG_RUNTIME_DIR/mosaic-fleet.lock, or /tmp/mosaic-fleet-UID.lock without XDG_RUNTIME_DIR.
std::string DefaultLockPath(const std::string& xdg_runtime_dir, int64_t uid);

/// One of agent `name`'s locks (System::LockAgent), beside the apply lock:
/// $XDG_RUNTIME_DIR/mosaic-fleet-PURPOSE-NAME.lock, or /tmp/mosaic-fleet-UID-PURPOSE-NAME.lock.
std::string AgentLockPath(const std::string& xdg_runtime_dir, int64_t uid, std::string_view purpose,
                          const std::string& name);

}  // namespace mosaic
