#include "file_system.h"

#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <random>

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

Status RealFileSystem::WriteFileAtomic(const std::string& path, const std::string& content,
                                       mode_t mode) {
  const std::string dir = DirName(path);
  Fd dir_fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir_fd.get() < 0) return Errno("cannot open directory", dir);

  struct stat st {};
  if (::fstatat(dir_fd.get(), BaseName(path).c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) {
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
    temp = ::openat(dir_fd.get(), temp_name.c_str(),
                    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
    if (temp < 0 && errno != EEXIST) return Errno("cannot create temporary file in", dir);
  }
  if (temp < 0) return Errno("cannot create temporary file in", dir);
  Fd temp_fd(temp);
  auto discard = [&](Status status) {
    ::unlinkat(dir_fd.get(), temp_name.c_str(), 0);
    return status;
  };
  // The umask may have narrowed `mode`; the file must end up exactly as asked.
  if (::fchmod(temp_fd.get(), mode) != 0) return discard(Errno("cannot set mode of", path));
  if (Status written = WriteAll(temp_fd.get(), content, path); !written.ok())
    return discard(written);
  if (::fsync(temp_fd.get()) != 0) return discard(Errno("cannot sync", path));
  if (::close(temp_fd.release()) != 0) return discard(Errno("cannot close", path));
  if (::renameat(dir_fd.get(), temp_name.c_str(), dir_fd.get(), BaseName(path).c_str()) != 0)
    return discard(Errno("cannot replace", path));
  // The rename is durable only once the directory entry is.
  if (::fsync(dir_fd.get()) != 0) return Errno("cannot sync directory", dir);
  return Status::Ok();
}

}  // namespace mosaic
