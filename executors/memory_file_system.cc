#include "memory_file_system.h"

#include <fmt/format.h>

namespace mosaic {
namespace {

std::string Parent(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos || slash == 0 ? "/" : path.substr(0, slash);
}

}  // namespace

void MemoryFileSystem::Put(const std::string& path, const std::string& content, int64_t mtime) {
  (void)MakeDirectories(Parent(path), 0700);
  files_[path] = content;
  mtimes_[path] = mtime;
}

Result<std::string> MemoryFileSystem::ReadFile(const std::string& path, size_t max_bytes) {
  auto it = files_.find(path);
  if (it == files_.end())
    return Status::Error(fmt::format("cannot read {}: No such file or directory", path));
  if (it->second.size() > max_bytes)
    return Status::Error(fmt::format("cannot read {}: larger than {} bytes", path, max_bytes));
  return it->second;
}

std::optional<FileInfo> MemoryFileSystem::Stat(const std::string& path) {
  if (symlinks_.contains(path)) return FileInfo{false, true, 0, 0};
  if (directories_.contains(path)) return FileInfo{true, false, 0, 0};
  auto it = files_.find(path);
  if (it == files_.end()) return std::nullopt;
  return FileInfo{false, false, mtimes_[path], static_cast<int64_t>(it->second.size())};
}

std::vector<std::string> MemoryFileSystem::ListDirectory(const std::string& directory) {
  std::set<std::string> names;
  std::string prefix = directory + "/";
  auto collect = [&](const std::string& path) {
    if (path.starts_with(prefix) && path.find('/', prefix.size()) == std::string::npos)
      names.insert(path.substr(prefix.size()));
  };
  for (const auto& [path, _] : files_) collect(path);
  for (const std::string& path : directories_) collect(path);
  for (const std::string& path : symlinks_) collect(path);
  return {names.begin(), names.end()};
}

Status MemoryFileSystem::MakeDirectories(const std::string& directory, mode_t) {
  for (std::string d = directory; d != "/" && !d.empty(); d = Parent(d)) directories_.insert(d);
  return Status::Ok();
}

Status MemoryFileSystem::WriteFileAtomic(const std::string& path, const std::string& content,
                                         mode_t mode) {
  if (!directories_.contains(Parent(path)))
    return Status::Error(
        fmt::format("cannot open directory {}: No such file or directory", Parent(path)));
  if (symlinks_.contains(path))
    return Status::Error(fmt::format("refusing to replace {}: it is a symbolic link", path));
  files_[path] = content;
  modes[path] = mode;
  writes.push_back(path);
  return Status::Ok();
}

Status MemoryFileSystem::RemoveFile(const std::string& path) {
  if (symlinks_.contains(path) || directories_.contains(path))
    return Status::Error(fmt::format("refusing to remove {}: not a regular file", path));
  if (files_.erase(path) > 0) removals.push_back(path);
  return Status::Ok();
}

}  // namespace mosaic
