#include "file_system.h"

#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <random>
#include <set>

namespace mosaic {
namespace {

Status Errno(const std::string& what, const std::string& path) {
  return Status::Error(fmt::format("{} {}: {}", what, path, std::strerror(errno)));
}

// Closes a descriptor on every path out of a function.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

std::string DirName(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string BaseName(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

Status WriteAll(int fd, const std::string& content, const std::string& path) {
  size_t done = 0;
  while (done < content.size()) {
    ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Errno("cannot write", path);
    done += static_cast<size_t>(n);
  }
  return Status::Ok();
}

Status NotARegularFile(const std::string& path, mode_t mode) {
  std::string_view kind = S_ISDIR(mode)                    ? "a directory"
                          : S_ISFIFO(mode)                 ? "a FIFO"
                          : S_ISCHR(mode) || S_ISBLK(mode) ? "a device"
                          : S_ISSOCK(mode)                 ? "a socket"
                                                           : "something else";
  return Status::Error(fmt::format("cannot read {}: it is {}, not a regular file", path, kind));
}

}  // namespace

Result<std::string> RealFileSystem::ReadFile(const std::string& path, size_t max_bytes) {
  // Looked at before it is opened (opening some devices has effects), and again after (it
  // may have been replaced in between). O_NONBLOCK: a FIFO would wait for a writer forever.
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return Errno("cannot read", path);
  if (!S_ISREG(st.st_mode)) return NotARegularFile(path, st.st_mode);
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY));
  if (fd.get() < 0) return Errno("cannot read", path);
  if (::fstat(fd.get(), &st) != 0) return Errno("cannot read", path);
  if (!S_ISREG(st.st_mode)) return NotARegularFile(path, st.st_mode);
  if (::fcntl(fd.get(), F_SETFL, 0) != 0) return Errno("cannot read", path);
  std::string content;
  char buffer[65536];
  while (true) {
    ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Errno("cannot read", path);
    if (n == 0) break;
    content.append(buffer, static_cast<size_t>(n));
    if (content.size() > max_bytes)
      return Status::Error(fmt::format("cannot read {}: larger than {} bytes", path, max_bytes));
  }
  return content;
}

std::optional<FileInfo> RealFileSystem::Stat(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return std::nullopt;
  return FileInfo{S_ISDIR(st.st_mode), S_ISLNK(st.st_mode), static_cast<int64_t>(st.st_mtim.tv_sec),
                  static_cast<int64_t>(st.st_size), static_cast<unsigned>(st.st_mode & 07777)};
}

bool RealFileSystem::IsDirectory(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

bool RealFileSystem::IsExecutable(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

std::optional<std::string> RealFileSystem::CanonicalPath(const std::string& path) {
  char* resolved = ::realpath(path.c_str(), nullptr);
  if (resolved == nullptr) return std::nullopt;
  std::string result(resolved);
  std::free(resolved);
  return result;
}

std::vector<std::string> RealFileSystem::ListDirectory(const std::string& directory) {
  std::vector<std::string> names;
  DIR* dir = ::opendir(directory.c_str());
  if (!dir) return names;
  while (dirent* entry = ::readdir(dir)) {
    std::string name = entry->d_name;
    if (name != "." && name != "..") names.push_back(name);
  }
  ::closedir(dir);
  std::sort(names.begin(), names.end());
  return names;
}

Status RealFileSystem::MakeDirectories(const std::string& directory, mode_t mode) {
  if (directory.empty() || directory == "/" || directory == ".") return Status::Ok();
  struct stat st {};
  if (::stat(directory.c_str(), &st) == 0) {
    return S_ISDIR(st.st_mode)
               ? Status::Ok()
               : Status::Error(fmt::format("{} exists and is not a directory", directory));
  }
  if (Status parent = MakeDirectories(DirName(directory), mode); !parent.ok()) return parent;
  if (::mkdir(directory.c_str(), mode) != 0 && errno != EEXIST)
    return Errno("cannot create directory", directory);
  return Status::Ok();
}

Status RealFileSystem::RemoveFile(const std::string& path) {
  const std::string dir = DirName(path);
  Fd dir_fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir_fd.get() < 0) return errno == ENOENT ? Status::Ok() : Errno("cannot open directory", dir);
  struct stat st {};
  if (::fstatat(dir_fd.get(), BaseName(path).c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0)
    return errno == ENOENT ? Status::Ok() : Errno("cannot remove", path);
  if (!S_ISREG(st.st_mode))
    return Status::Error(fmt::format("refusing to remove {}: not a regular file", path));
  if (::unlinkat(dir_fd.get(), BaseName(path).c_str(), 0) != 0 && errno != ENOENT)
    return Errno("cannot remove", path);
  ++syncs_;
  if (::fsync(dir_fd.get()) != 0) return Errno("cannot sync directory", dir);
  return Status::Ok();
}

Status RealFileSystem::RemoveSocket(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0)
    return errno == ENOENT ? Status::Ok() : Errno("cannot remove", path);
  if (!S_ISSOCK(st.st_mode))
    return Status::Error(fmt::format("refusing to remove {}: not a socket", path));
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return Errno("cannot remove", path);
  return Status::Ok();
}

BatchWrite FileSystem::WriteFilesAtomic(const std::vector<FileWrite>& writes) {
  BatchWrite result;
  for (const FileWrite& write : writes) {
    result.failure = WriteFileAtomic(write.path, write.content, write.mode);
    if (!result.failure.ok()) break;
    ++result.written;
  }
  return result;
}

namespace {

// A file written under a hidden temporary name beside `path`, waiting to be renamed over it.
struct StagedFile {
  int dir_fd;  ///< the directory's, owned by the batch
  std::string dir;
  std::string temp_name;
  std::string path;
};

// Writes `write` under a temporary name in its directory (`dir_fd`), synced only when `sync`.
Result<StagedFile> StageFile(int dir_fd, const std::string& dir, const FileWrite& write, bool sync,
                             int& syncs) {
  const std::string& path = write.path;
  struct stat st {};
  if (::fstatat(dir_fd, BaseName(path).c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) {
    if (S_ISLNK(st.st_mode))
      return Status::Error(fmt::format("refusing to replace {}: it is a symbolic link", path));
    if (S_ISDIR(st.st_mode))
      return Status::Error(fmt::format("refusing to replace {}: it is a directory", path));
  }
  // A hidden, unique name in the same directory, so the rename cannot cross file systems.
  static thread_local std::mt19937_64 random{std::random_device{}()};
  std::string temp_name;
  int temp = -1;
  for (int attempt = 0; attempt < 16 && temp < 0; ++attempt) {
    temp_name = fmt::format(".{}.tmp-{:016x}", BaseName(path), random());
    temp = ::openat(dir_fd, temp_name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                    write.mode);
    if (temp < 0 && errno != EEXIST) return Errno("cannot create temporary file in", dir);
  }
  if (temp < 0) return Errno("cannot create temporary file in", dir);
  Fd temp_fd(temp);
  auto discard = [&](Status status) {
    ::unlinkat(dir_fd, temp_name.c_str(), 0);
    return status;
  };
  // The umask may have narrowed the mode; the file must end up exactly as asked.
  if (::fchmod(temp_fd.get(), write.mode) != 0) return discard(Errno("cannot set mode of", path));
  if (Status written = WriteAll(temp_fd.get(), write.content, path); !written.ok())
    return discard(written);
  if (sync && (++syncs, ::fsync(temp_fd.get()) != 0)) return discard(Errno("cannot sync", path));
  if (::close(temp_fd.release()) != 0) return discard(Errno("cannot close", path));
  return StagedFile{dir_fd, dir, std::move(temp_name), path};
}

// Syncs once each directory files[0, count) were renamed into: a rename is durable only once
// its directory entry is.
Status SyncDirectories(const std::vector<StagedFile>& files, size_t count, int& syncs) {
  std::set<int> synced;
  for (size_t i = 0; i < count; ++i)
    if (synced.insert(files[i].dir_fd).second && (++syncs, ::fsync(files[i].dir_fd) != 0))
      return Errno("cannot sync directory", files[i].dir);
  return Status::Ok();
}

}  // namespace

Status RealFileSystem::WriteFileAtomic(const std::string& path, const std::string& content,
                                       mode_t mode) {
  return WriteFilesAtomic({FileWrite{path, content, mode}}).failure;
}

BatchWrite RealFileSystem::WriteFilesAtomic(const std::vector<FileWrite>& writes) {
  // A lone file is synced by itself; a batch in one pass per file system (syncfs), which costs
  // what one fsync does on a journaling file system, whatever the number of files.
  const bool alone = writes.size() == 1;
  std::map<std::string, Fd> directories;
  std::vector<StagedFile> staged;
  Status stopped = Status::Ok();  // why staging stopped before the end
  for (const FileWrite& write : writes) {
    const std::string dir = DirName(write.path);
    auto open = directories.find(dir);
    if (open == directories.end()) {
      int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (fd < 0) {
        stopped = Errno("cannot open directory", dir);
        break;
      }
      open = directories.emplace(dir, fd).first;
    }
    Result<StagedFile> file = StageFile(open->second.get(), dir, write, alone, syncs_);
    if (!file.ok()) {
      stopped = file.status();
      break;
    }
    staged.push_back(std::move(file).value());
  }
  auto discard_from = [&](size_t first) {
    for (size_t i = first; i < staged.size(); ++i)
      ::unlinkat(staged[i].dir_fd, staged[i].temp_name.c_str(), 0);
  };
  if (!alone) {
    std::set<dev_t> synced;
    for (const StagedFile& file : staged) {
      struct stat st {};
      if (::fstat(file.dir_fd, &st) != 0 ||
          (synced.insert(st.st_dev).second && (++syncs_, ::syncfs(file.dir_fd) != 0))) {
        Status failed = Errno("cannot sync", file.path);
        discard_from(0);
        return {0, failed};
      }
    }
  }
  for (size_t i = 0; i < staged.size(); ++i) {
    const StagedFile& file = staged[i];
    if (::renameat(file.dir_fd, file.temp_name.c_str(), file.dir_fd, BaseName(file.path).c_str()) !=
        0) {
      Status failed = Errno("cannot replace", file.path);
      discard_from(i);
      (void)SyncDirectories(staged, i, syncs_);
      return {i, failed};
    }
  }
  // Every file is in place; one whose directory cannot be synced is not known to stay there,
  // and the last one takes the blame (the next apply sees what stayed).
  if (Status synced = SyncDirectories(staged, staged.size(), syncs_); !synced.ok())
    return {staged.size() - 1, synced};
  return {staged.size(), stopped};
}

}  // namespace mosaic
