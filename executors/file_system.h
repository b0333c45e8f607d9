// FileSystem: every file the tool reads or writes goes through this interface.
//
// The real implementation writes atomically (temp file in the same directory, fsync, rename,
// fsync of the directory; a batch syncs its files in one pass), never follows a symlink at a
// path it writes, and deletes only when asked to remove a regular file.
// Tests use MemoryFileSystem (memory_file_system.h).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "status.h"

namespace mosaic {

struct FileInfo {
  bool is_directory = false;
  bool is_symlink = false;
  int64_t mtime_seconds = 0;  ///< since the epoch
  int64_t size = 0;
  unsigned mode = 0644;  ///< permission bits
};

/// Bounds on what is read whole, by kind of file: reading stops there, with an error.
inline constexpr size_t kMaxEnvFileBytes = 4u << 20;
inline constexpr size_t kMaxUnitFileBytes = 1u << 20;
inline constexpr size_t kMaxPlanFileBytes = 64u << 20;

/// One file of a WriteFilesAtomic batch.
struct FileWrite {
  std::string path;
  std::string content;
  mode_t mode = 0644;
};

/// How far a batch of writes got: files [0, written) were replaced, in order; `failure` says
/// why file `written` was not (ok when every one was).
struct BatchWrite {
  size_t written = 0;
  Status failure = Status::Ok();
};

class FileSystem {
 public:
  virtual ~FileSystem() = default;

  /// The whole of regular file `path` (a symlink to one is followed). A missing file, one
  /// that is not a regular file (a FIFO would block, /dev/zero never end) and one longer
  /// than `max_bytes` (found while reading, not trusted from its size) are errors that say so.
  virtual Result<std::string> ReadFile(const std::string& path, size_t max_bytes) = 0;

  /// What is at `path` (not following a final symlink), or nullopt when nothing is.
  virtual std::optional<FileInfo> Stat(const std::string& path) = 0;

  /// Whether `path` is a directory, or a symlink to one.
  virtual bool IsDirectory(const std::string& path) = 0;
  /// Whether `path` is a regular file (or a symlink to one) this process may execute.
  virtual bool IsExecutable(const std::string& path) = 0;
  /// `path` with every symlink resolved (realpath); nullopt when it does not exist.
  virtual std::optional<std::string> CanonicalPath(const std::string& path) = 0;

  /// Names (not paths) in `directory`, sorted; empty when it does not exist.
  virtual std::vector<std::string> ListDirectory(const std::string& directory) = 0;

  /// Creates `directory` and missing parents with `mode`; existing ones are left as they are.
  virtual Status MakeDirectories(const std::string& directory, mode_t mode) = 0;

  /// Replaces `path` with `content` atomically: readers see the old or the new file, never a
  /// mix, and a crash leaves one of the two. Refuses to replace a symlink or a directory.
  virtual Status WriteFileAtomic(const std::string& path, const std::string& content,
                                 mode_t mode) = 0;
  /// WriteFileAtomic of each of `writes`, in order, stopping at the first that fails. This
  /// default writes them one after the other; RealFileSystem makes them durable together.
  virtual BatchWrite WriteFilesAtomic(const std::vector<FileWrite>& writes);

  /// Removes regular file `path` durably (the directory is synced). A missing file is
  /// success; a symlink or directory is refused.
  virtual Status RemoveFile(const std::string& path) = 0;
  /// Removes the unix socket at `path` (a tmux server leaves its socket behind when killed).
  /// A missing one is success; anything but a socket is refused.
  virtual Status RemoveSocket(const std::string& path) = 0;
};

/// The machine's own file system.
class RealFileSystem : public FileSystem {
 public:
  Result<std::string> ReadFile(const std::string& path, size_t max_bytes) override;
  std::optional<FileInfo> Stat(const std::string& path) override;
  bool IsDirectory(const std::string& path) override;
  bool IsExecutable(const std::string& path) override;
  std::optional<std::string> CanonicalPath(const std::string& path) override;
  std::vector<std::string> ListDirectory(const std::string& directory) override;
  Status MakeDirectories(const std::string& directory, mode_t mode) override;
  Status WriteFileAtomic(const std::string& path, const std::string& content, mode_t mode) override;
  Status RemoveFile(const std::string& path) override;
  Status RemoveSocket(const std::string& path) override;
  /// Every temporary file is written, then made durable in one pass (one syncfs per file
  /// system), then each is renamed into place — unless the file there changed since it was
  /// staged — and each directory is synced once: the syncs do not grow with the number of
  /// files. Where syncfs cannot be trusted (Linux before 5.8, FUSE), each file is synced by
  /// itself; a lone file is too.
  BatchWrite WriteFilesAtomic(const std::vector<FileWrite>& writes) override;

  /// How many fsync and syncfs calls this file system has made: what durability costs.
  int syncs() const { return syncs_; }
  /// For tests: runs in each batch once its files are written and synced, before any rename.
  void set_before_renames(std::function<void()> hook) { before_renames_ = std::move(hook); }

 private:
  int syncs_ = 0;
  std::function<void()> before_renames_;
};

/// Whether syncfs reports writeback errors on a Linux kernel of this release ("6.1.0-13-amd64"):
/// from 5.8 on. Before, it returned success whatever failed.
bool SyncfsReportsErrors(std::string_view kernel_release);

}  // namespace mosaic
