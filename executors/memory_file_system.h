// MemoryFileSystem: a FileSystem held in memory, for tests of code that reads and writes
// files. It records every write, and refuses what the real one refuses (writing into a
// missing directory, replacing a symlink).
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "file_system.h"

namespace mosaic {

class MemoryFileSystem : public FileSystem {
 public:
  /// Adds a file (and its parent directories).
  void Put(const std::string& path, const std::string& content, int64_t mtime = 0);
  void PutSymlink(const std::string& path) { symlinks_.insert(path); }

  Result<std::string> ReadFile(const std::string& path, size_t max_bytes) override;
  std::optional<FileInfo> Stat(const std::string& path) override;
  bool IsDirectory(const std::string& path) override { return directories_.contains(path); }
  bool IsExecutable(const std::string& path) override { return executables.contains(path); }
  /// No symlinks here: a path that exists is its own canonical form.
  std::optional<std::string> CanonicalPath(const std::string& path) override {
    if (Stat(path) || IsExecutable(path)) return path;
    return std::nullopt;
  }
  std::vector<std::string> ListDirectory(const std::string& directory) override;
  Status MakeDirectories(const std::string& directory, mode_t mode) override;
  Status WriteFileAtomic(const std::string& path, const std::string& content, mode_t mode) override;
  Status RemoveFile(const std::string& path) override;
  /// Sockets are not modelled: nothing to remove.
  Status RemoveSocket(const std::string&) override { return Status::Ok(); }

  const std::map<std::string, std::string>& files() const { return files_; }
  std::map<std::string, mode_t> modes;  ///< mode of each file written
  std::vector<std::string> writes;      ///< paths written, in order
  std::vector<std::string> removals;    ///< paths removed, in order
  std::set<std::string> executables;    ///< programs that IsExecutable() finds

 private:
  std::map<std::string, std::string> files_;
  std::map<std::string, int64_t> mtimes_;
  std::set<std::string> directories_;
  std::set<std::string> symlinks_;
};

}  // namespace mosaic
