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
  /// What a file held when its new content was made from it (an env file merged with the
  /// user's lines): it is replaced only if it still holds that.
  struct Basis {
    std::optional<std::string> content;  ///< nullopt: the file did not exist
  };

  std::string path;
  std::string content;
  mode_t mode = 0644;
  std::optional<Basis> made_from;  ///< unset: whatever the file holds is replaced
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
  /// files. Where syncfs cannot be trusted (see SyncfsIsTrustworthy), each file is synced by
  /// itself; a lone file is too. A batch of several also removes the temporary files that an
  /// interrupted one left for these same files.
  BatchWrite WriteFilesAtomic(const std::vector<FileWrite>& writes) override;

  /// How many fsync and syncfs calls this file system has made: what durability costs.
  int syncs() const { return syncs_; }
  /// Of those, the syncfs calls (each syncs a whole file system).
  int whole_file_system_syncs() const { return whole_file_system_syncs_; }
  /// For tests: runs in each batch once its files are written and synced, before any rename.
  /// (It must neither replace itself nor write through this file system.)
  void set_before_renames(std::function<void()> hook) { before_renames_ = std::move(hook); }
  /// For tests: behave as where syncfs cannot be trusted, syncing each file by itself.
  void distrust_syncfs() { trust_syncfs_ = false; }

 private:
  int syncs_ = 0;
  int whole_file_system_syncs_ = 0;
  bool trust_syncfs_ = true;
  std::function<void()> before_renames_;
};

/// Whether one syncfs on a file system of type `file_system_type` (statfs's f_type), on a
/// Linux kernel of this release ("6.1.0-13-amd64"), makes its files durable and reports when
/// it could not: from 5.8 on (before, it returned success whatever failed), from 5.17 on for
/// overlayfs (which dropped the upper file system's errors), never for FUSE (which does not
/// pass it on to its daemon).
bool SyncfsIsTrustworthy(std::string_view kernel_release, int64_t file_system_type);

}  // namespace mosaic
