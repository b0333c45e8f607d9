#include "file_system.h"

#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <functional>
#include <map>
#include <random>
#include <set>
#include <span>

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

Status ChangedMeanwhile(const std::string& path) {
  return Status::Error(
      fmt::format("{} changed while mosaic-fleet was replacing it (another program wrote it); "
                  "it is left as it now is: run apply again",
                  path));
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
    if (write.made_from) {
      Result<std::string> now = ReadFile(write.path, kMaxEnvFileBytes);
      bool holds = now.ok() ? write.made_from->content == now.value()
                            : !write.made_from->content && !Stat(write.path);
      if (!holds) {
        result.failure = ChangedMeanwhile(write.path);
        break;
      }
    }
    result.failure = WriteFileAtomic(write.path, write.content, write.mode);
    if (!result.failure.ok()) break;
    ++result.written;
  }
  return result;
}

namespace {

// What was at a path when its replacement was staged. The rename goes ahead only if the same
// is still there: the user may edit an env file, or put a symlink in its place, while a
// batch is being synced, and neither may be lost to the rename.
struct TargetState {
  bool exists = false;
  dev_t dev = 0;
  ino_t ino = 0;
  mode_t mode = 0;
  off_t size = 0;
  timespec mtime{};
  timespec ctime{};

  bool operator==(const TargetState& other) const {
    auto same = [](const timespec& a, const timespec& b) {
      return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec;
    };
    return exists == other.exists && dev == other.dev && ino == other.ino && mode == other.mode &&
           size == other.size && same(mtime, other.mtime) && same(ctime, other.ctime);
  }
};

// What is at `name` in `dir_fd` (not following a symlink); nullopt, with errno, when that
// cannot be known: only a missing file is absent.
std::optional<TargetState> StateAt(int dir_fd, const std::string& name) {
  struct stat st {};
  if (::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0)
    return errno == ENOENT ? std::optional<TargetState>(TargetState{}) : std::nullopt;
  return TargetState{true, st.st_dev, st.st_ino, st.st_mode, st.st_size, st.st_mtim, st.st_ctim};
}

// Whether regular file `name` in `dir_fd` holds exactly `expected` (nullopt: is absent).
bool Holds(int dir_fd, const std::string& name, const std::optional<std::string>& expected) {
  Fd fd(::openat(dir_fd, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (fd.get() < 0) return errno == ENOENT && !expected;
  if (!expected) return false;
  // One byte more than expected is enough to tell a longer file.
  std::string content(expected->size() + 1, '\0');
  size_t got = 0;
  while (got < content.size()) {
    ssize_t n = ::read(fd.get(), content.data() + got, content.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<size_t>(n);
  }
  return got == expected->size() && content.compare(0, got, *expected) == 0;
}

// Whether one syncfs makes the files written in `dir_fd`'s file system durable, and says when
// it could not (see SyncfsIsTrustworthy).
bool SyncfsIsTrustworthyAt(int dir_fd) {
  static const std::string release = [] {
    struct utsname name {};
    return ::uname(&name) == 0 ? std::string(name.release) : std::string();
  }();
  struct statfs fs {};
  return ::fstatfs(dir_fd, &fs) == 0 && SyncfsIsTrustworthy(release, fs.f_type);
}

}  // namespace

bool SyncfsIsTrustworthy(std::string_view kernel_release, int64_t file_system_type) {
  constexpr int64_t kFuse = 0x65735546, kOverlay = 0x794c7630;
  int major = 0, minor = 0;
  const char* end = kernel_release.data() + kernel_release.size();
  auto [after_major, e1] = std::from_chars(kernel_release.data(), end, major);
  if (e1 != std::errc() || after_major == end || *after_major != '.') return false;
  auto [after_minor, e2] = std::from_chars(after_major + 1, end, minor);
  if (e2 != std::errc()) return false;
  auto at_least = [&](int a, int b) { return major > a || (major == a && minor >= b); };
  // FUSE does not pass syncfs on to its daemon; overlayfs dropped the upper file system's
  // errors until 5.17; before 5.8, syncfs returned success whatever writeback failed.
  if (file_system_type == kFuse) return false;
  if (file_system_type == kOverlay) return at_least(5, 17);
  return at_least(5, 8);
}

namespace {

// A temporary file is named ".NAME" + kTemporaryMark + 16 hex digits, beside NAME.
constexpr std::string_view kTemporaryMark = ".tmp-";
constexpr size_t kTemporaryDigits = 16;

// The temporary files an interrupted batch left in directory `dir_fd` (killed between
// writing them and renaming them), by the name of the file each was to replace.
std::map<std::string, std::vector<std::string>> LeftoverTemporaries(int dir_fd) {
  std::map<std::string, std::vector<std::string>> found;
  int copy = ::fcntl(dir_fd, F_DUPFD_CLOEXEC, 0);
  DIR* dir = copy < 0 ? nullptr : ::fdopendir(copy);
  if (!dir) {
    if (copy >= 0) ::close(copy);
    return found;
  }
  while (dirent* entry = ::readdir(dir)) {
    std::string_view name = entry->d_name;
    if (name.size() <= 1 + kTemporaryMark.size() + kTemporaryDigits || name[0] != '.') continue;
    std::string_view digits = name.substr(name.size() - kTemporaryDigits);
    std::string_view head = name.substr(1, name.size() - 1 - kTemporaryDigits);
    if (!head.ends_with(kTemporaryMark) || !std::all_of(digits.begin(), digits.end(), [](char c) {
          return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
        }))
      continue;
    found[std::string(head.substr(0, head.size() - kTemporaryMark.size()))].emplace_back(name);
  }
  ::closedir(dir);  // closes `copy`
  return found;
}

// One batch of WriteFilesAtomic: stages the files, makes them durable, renames them.
class Batch {
 public:
  Batch(int& syncs, int& whole_file_system_syncs, bool trust_syncfs,
        const std::function<void()>& before_renames)
      : syncs_(syncs),
        whole_file_system_syncs_(whole_file_system_syncs),
        trust_syncfs_(trust_syncfs),
        before_renames_(before_renames) {}

  // Writes a prefix of `writes` (`taken` of them: it stops short when it holds as many
  // directories open as it may). `alone`: the only file of the whole call.
  BatchWrite WriteSome(std::span<const FileWrite> writes, bool alone, size_t& taken);

 private:
  // A file written under a hidden temporary name beside `path`, waiting to be renamed over it.
  struct Staged {
    int dir_fd;  ///< the directory's, held open by the batch
    std::string dir;
    std::string temp_name;
    std::string path;
    bool synced;         ///< by itself, as it was written
    TargetState target;  ///< what the rename replaces
  };

  int Sync(int fd) {
    ++syncs_;
    return ::fsync(fd);
  }
  Result<Staged> Stage(int dir_fd, const std::string& dir, const FileWrite& write, bool sync);
  // Syncs once each directory staged_[0, count) were renamed into; how many of those files
  // are known to be durable, and why the next is not.
  BatchWrite SyncDirectories(size_t count);
  void DiscardFrom(size_t first) {
    for (size_t i = first; i < staged_.size(); ++i)
      ::unlinkat(staged_[i].dir_fd, staged_[i].temp_name.c_str(), 0);
  }

  int& syncs_;
  int& whole_file_system_syncs_;
  bool trust_syncfs_;
  const std::function<void()>& before_renames_;
  std::vector<Staged> staged_;
};

Result<Batch::Staged> Batch::Stage(int dir_fd, const std::string& dir, const FileWrite& write,
                                   bool sync) {
  const std::string& path = write.path;
  std::optional<TargetState> target = StateAt(dir_fd, BaseName(path));
  if (!target) return Errno("cannot look at", path);
  if (target->exists && S_ISLNK(target->mode))
    return Status::Error(fmt::format("refusing to replace {}: it is a symbolic link", path));
  if (target->exists && S_ISDIR(target->mode))
    return Status::Error(fmt::format("refusing to replace {}: it is a directory", path));
  // Made from what the file held when it was read: someone may have written it since.
  if (write.made_from && !Holds(dir_fd, BaseName(path), write.made_from->content))
    return ChangedMeanwhile(path);
  // A hidden, unique name in the same directory, so the rename cannot cross file systems.
  static thread_local std::mt19937_64 random{std::random_device{}()};
  std::string temp_name;
  int temp = -1;
  for (int attempt = 0; attempt < 16 && temp < 0; ++attempt) {
    temp_name =
        fmt::format(".{}{}{:0{}x}", BaseName(path), kTemporaryMark, random(), kTemporaryDigits);
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
  if (sync && Sync(temp_fd.get()) != 0) return discard(Errno("cannot sync", path));
  if (::close(temp_fd.release()) != 0) return discard(Errno("cannot close", path));
  return Staged{dir_fd, dir, std::move(temp_name), path, sync, *target};
}

BatchWrite Batch::WriteSome(std::span<const FileWrite> writes, bool alone, size_t& taken) {
  // Each directory is held open from staging to its sync, so that no rename can land
  // anywhere else; a batch holds no more than this many at once (a fleet's drop-in
  // directories are one per agent), and the rest are written by the next.
  constexpr size_t kMaxOpenDirectories = 64;
  std::map<std::string, Fd> directories;
  std::map<std::string, bool> syncfs_trusted;
  std::map<std::string, std::map<std::string, std::vector<std::string>>> leftovers;
  Status stopped = Status::Ok();  // why staging stopped before the end
  for (const FileWrite& write : writes) {
    const std::string dir = DirName(write.path);
    auto open = directories.find(dir);
    if (open == directories.end()) {
      if (directories.size() == kMaxOpenDirectories) break;
      int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (fd < 0) {
        stopped = Errno("cannot open directory", dir);
        break;
      }
      open = directories.emplace(dir, fd).first;
      syncfs_trusted[dir] = trust_syncfs_ && SyncfsIsTrustworthyAt(fd);
      if (!alone) leftovers[dir] = LeftoverTemporaries(fd);
    }
    // What an interrupted batch left for this same file goes. Only apply batches, and it
    // writes these files under its lock; and a temporary file of the tool's is a regular file
    // of this user with one link, named as Stage names it.
    if (!alone)
      for (const std::string& temp : leftovers[dir][BaseName(write.path)]) {
        struct stat st {};
        if (::fstatat(open->second.get(), temp.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 &&
            S_ISREG(st.st_mode) && st.st_uid == ::geteuid() && st.st_nlink == 1)
          ::unlinkat(open->second.get(), temp.c_str(), 0);
      }
    // A lone file, or one where syncfs cannot be trusted, is synced by itself as it is written.
    Result<Staged> file = Stage(open->second.get(), dir, write, alone || !syncfs_trusted[dir]);
    if (!file.ok()) {
      stopped = file.status();
      break;
    }
    staged_.push_back(std::move(file).value());
  }
  taken = staged_.size();
  // The others are made durable in one pass per file system, before any is renamed: syncfs
  // writes back every file of that file system with unwritten data, these among them.
  // A file system that fails it ends the batch at its first file: those before it are
  // durable, and are renamed.
  std::set<dev_t> synced;
  for (size_t i = 0; i < staged_.size(); ++i) {
    if (staged_[i].synced) continue;
    struct stat st {};
    if (::fstat(staged_[i].dir_fd, &st) != 0 ||
        (synced.insert(st.st_dev).second &&
         (++syncs_, ++whole_file_system_syncs_, ::syncfs(staged_[i].dir_fd) != 0))) {
      stopped = Errno("cannot sync", staged_[i].path);
      DiscardFrom(i);
      staged_.resize(i);
      break;
    }
  }
  if (before_renames_) before_renames_();
  for (size_t i = 0; i < staged_.size(); ++i) {
    const Staged& file = staged_[i];
    Status failed = Status::Ok();
    if (std::optional<TargetState> now = StateAt(file.dir_fd, BaseName(file.path)); !now)
      failed = Errno("cannot look at", file.path);
    else if (!(*now == file.target))
      failed = ChangedMeanwhile(file.path);
    else if (::renameat(file.dir_fd, file.temp_name.c_str(), file.dir_fd,
                        BaseName(file.path).c_str()) != 0)
      failed = Errno("cannot replace", file.path);
    if (!failed.ok()) {
      DiscardFrom(i);
      BatchWrite durable = SyncDirectories(i);
      return durable.failure.ok() ? BatchWrite{i, failed} : durable;
    }
  }
  BatchWrite done = SyncDirectories(staged_.size());
  if (done.failure.ok()) done.failure = stopped;
  return done;
}

BatchWrite Batch::SyncDirectories(size_t count) {
  // In the order of the files, so that when a directory fails, the files before its first
  // one are known to be durable.
  std::set<int> synced;
  for (size_t i = 0; i < count; ++i)
    if (synced.insert(staged_[i].dir_fd).second && Sync(staged_[i].dir_fd) != 0)
      return {i, Errno("cannot sync directory", staged_[i].dir)};
  return {count, Status::Ok()};
}

}  // namespace

Status RealFileSystem::WriteFileAtomic(const std::string& path, const std::string& content,
                                       mode_t mode) {
  return WriteFilesAtomic({FileWrite{path, content, mode}}).failure;
}

BatchWrite RealFileSystem::WriteFilesAtomic(const std::vector<FileWrite>& writes) {
  BatchWrite total;
  std::span<const FileWrite> rest(writes);
  while (!rest.empty()) {
    size_t taken = 0;
    Batch batch(syncs_, whole_file_system_syncs_, trust_syncfs_, before_renames_);
    BatchWrite part = batch.WriteSome(rest, writes.size() == 1, taken);
    total.written += part.written;
    if (!part.failure.ok() || part.written < taken) {
      total.failure = part.failure;
      break;
    }
    rest = rest.subspan(taken);
  }
  return total;
}

}  // namespace mosaic
