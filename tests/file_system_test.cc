#include "file_system.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "temp_dir.h"

namespace mosaic {
namespace {

mode_t ModeOf(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0);
  return st.st_mode & 07777;
}

TEST(RealFileSystem, WriteFileAtomicReplacesContentAndSetsTheExactMode) {
  TempDir dir;
  RealFileSystem fs;
  dir.Write("a.env", "old\n");
  ::chmod((dir / "a.env").c_str(), 0644);
  ASSERT_TRUE(fs.WriteFileAtomic(dir / "a.env", "new\n", 0600).ok());
  EXPECT_EQ(dir.Read("a.env"), "new\n");
  EXPECT_EQ(ModeOf(dir / "a.env"), 0600u);
}

TEST(RealFileSystem, WriteFileAtomicLeavesNoTemporaryFiles) {
  TempDir dir;
  RealFileSystem fs;
  for (int i = 0; i < 5; ++i)
    ASSERT_TRUE(fs.WriteFileAtomic(dir / "f", std::to_string(i), 0600).ok());
  EXPECT_EQ(fs.ListDirectory(dir.path()), std::vector<std::string>{"f"});
}

TEST(RealFileSystem, WriteFileAtomicRefusesToReplaceASymlink) {
  TempDir dir;
  RealFileSystem fs;
  dir.Write("target", "precious\n");
  ASSERT_EQ(::symlink((dir / "target").c_str(), (dir / "link").c_str()), 0);
  Status status = fs.WriteFileAtomic(dir / "link", "clobber", 0600);
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find("symbolic link"), std::string::npos);
  EXPECT_EQ(dir.Read("target"), "precious\n");
}

TEST(RealFileSystem, WriteFileAtomicFailsClearlyWithoutTheDirectory) {
  TempDir dir;
  RealFileSystem fs;
  Status status = fs.WriteFileAtomic(dir / "missing/f", "x", 0600);
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find("missing"), std::string::npos);
}

TEST(RealFileSystem, MakeDirectoriesCreatesParentsWithTheMode) {
  TempDir dir;
  RealFileSystem fs;
  ASSERT_TRUE(fs.MakeDirectories(dir / "a/b/c", 0700).ok());
  EXPECT_EQ(ModeOf(dir / "a/b/c"), 0700u);
  EXPECT_TRUE(fs.MakeDirectories(dir / "a/b/c", 0700).ok());  // idempotent
}

TEST(RealFileSystem, ReadFileReportsWhatIsMissing) {
  RealFileSystem fs;
  Result<std::string> r = fs.ReadFile("/nonexistent/roster.yaml", 100);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "cannot read /nonexistent/roster.yaml: No such file or directory");
}

TEST(RealFileSystem, ReadFileRefusesWhatIsNotARegularFileWithoutBlocking) {
  // A FIFO without a writer would block the open forever; /dev/zero would never end.
  TempDir dir;
  RealFileSystem fs;
  ASSERT_EQ(::mkfifo((dir / "fifo").c_str(), 0600), 0);
  EXPECT_THAT(fs.ReadFile(dir / "fifo", 100).status().message(),
              testing::HasSubstr("it is a FIFO, not a regular file"));
  EXPECT_THAT(fs.ReadFile("/dev/zero", 100).status().message(),
              testing::HasSubstr("it is a device, not a regular file"));
  EXPECT_THAT(fs.ReadFile(dir.path(), 100).status().message(),
              testing::HasSubstr("it is a directory, not a regular file"));
}

TEST(RealFileSystem, ReadFileStopsAtItsBound) {
  TempDir dir;
  RealFileSystem fs;
  dir.Write("big", std::string(200'000, 'x'));
  EXPECT_THAT(fs.ReadFile(dir / "big", 100'000).status().message(),
              testing::HasSubstr("larger than 100000 bytes"));
  EXPECT_EQ(fs.ReadFile(dir / "big", 200'000).value().size(), 200'000u);
  // Followed through a symlink: a roster may well be a link into a dotfiles repository.
  ASSERT_EQ(::symlink((dir / "big").c_str(), (dir / "link").c_str()), 0);
  EXPECT_TRUE(fs.ReadFile(dir / "link", 200'000).ok());
}

TEST(RealFileSystem, StatSeesSymlinksAsSuch) {
  TempDir dir;
  RealFileSystem fs;
  dir.Write("t", "x");
  ASSERT_EQ(::symlink((dir / "t").c_str(), (dir / "l").c_str()), 0);
  ASSERT_TRUE(fs.Stat(dir / "l"));
  EXPECT_TRUE(fs.Stat(dir / "l")->is_symlink);
  EXPECT_FALSE(fs.Stat(dir / "nothing"));
}

}  // namespace
}  // namespace mosaic
