#include "file_system.h"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "memory_file_system.h"
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

TEST(RealFileSystem, WriteFileAtomicSyncsTheFileAndItsDirectory) {
  TempDir dir;
  RealFileSystem fs;
  ASSERT_TRUE(fs.WriteFileAtomic(dir / "f", "x", 0600).ok());
  EXPECT_EQ(fs.syncs(), 2);
}

// 50 env files and 2 unit files, as a cold apply of 50 agents writes them.
std::vector<FileWrite> AFleetOfFiles(TempDir& dir) {
  std::vector<FileWrite> writes;
  for (int i = 0; i < 50; ++i)
    writes.push_back({dir / fmt::format("agents/a{}.env", i), fmt::format("N={}\n", i), 0600});
  writes.push_back({dir / "units/holder.service", "[Service]\n", 0644});
  writes.push_back({dir / "units/agent@.service", "[Service]\n", 0644});
  return writes;
}

// Whether this machine's kernel and the file system of `dir` make a batch use syncfs.
bool SyncfsTrustedIn(const std::string& dir) {
  struct utsname name {};
  struct statfs fs {};
  return ::uname(&name) == 0 && ::statfs(dir.c_str(), &fs) == 0 &&
         SyncfsIsTrustworthy(name.release, fs.f_type);
}

TEST(RealFileSystem, WriteFilesAtomicReplacesEveryFileWithItsModeInOneSyncPass) {
  TempDir dir;
  if (!SyncfsTrustedIn(dir.path())) GTEST_SKIP() << "syncfs is not trusted here";
  RealFileSystem fs;
  ASSERT_TRUE(fs.MakeDirectories(dir / "agents", 0700).ok());
  ASSERT_TRUE(fs.MakeDirectories(dir / "units", 0700).ok());
  dir.Write("agents/a7.env", "old\n");
  std::vector<FileWrite> writes = AFleetOfFiles(dir);
  BatchWrite batch = fs.WriteFilesAtomic(writes);
  ASSERT_TRUE(batch.failure.ok()) << batch.failure.message();
  EXPECT_EQ(batch.written, writes.size());
  for (const FileWrite& write : writes) {
    EXPECT_EQ(dir.Read(write.path.substr(dir.path().size() + 1)), write.content);
    EXPECT_EQ(ModeOf(write.path), write.mode) << write.path;
  }
  // One syncfs for the temporary files, one fsync for each of the two directories: not two
  // syncs per file.
  EXPECT_EQ(fs.syncs(), 3);
  EXPECT_EQ(fs.whole_file_system_syncs(), 1);
  EXPECT_EQ(fs.ListDirectory(dir / "agents").size(), 50u);  // no temporary file left
  EXPECT_EQ(fs.ListDirectory(dir / "units").size(), 2u);
}

TEST(RealFileSystem, WriteFilesAtomicMakesEveryFileDurableBeforeItRenamesAny) {
  TempDir dir;
  RealFileSystem fs;
  dir.Write("a", "old a\n");
  dir.Write("b", "old b\n");
  int syncs_before_renames = -1;
  std::vector<std::string> seen;
  fs.set_before_renames([&] {
    syncs_before_renames = fs.syncs();
    seen = fs.ListDirectory(dir.path());
    EXPECT_EQ(dir.Read("a"), "old a\n");
    EXPECT_EQ(dir.Read("b"), "old b\n");
  });
  BatchWrite batch = fs.WriteFilesAtomic({{dir / "a", "A", 0600}, {dir / "b", "B", 0600}});
  ASSERT_TRUE(batch.failure.ok()) << batch.failure.message();
  EXPECT_EQ(dir.Read("a"), "A");
  EXPECT_EQ(dir.Read("b"), "B");
  // Each file was synced before the first rename; after them, only the directory.
  EXPECT_GE(syncs_before_renames, 1);
  EXPECT_EQ(fs.syncs(), syncs_before_renames + 1);
  EXPECT_EQ(seen.size(), 4u) << "both files and both temporary files before the renames";
  // Named as a later batch recognises what an interrupted one left.
  EXPECT_THAT(seen, testing::Contains(testing::MatchesRegex("\\.a\\.tmp-[0-9a-f]{16}")));
  EXPECT_EQ(fs.ListDirectory(dir.path()), (std::vector<std::string>{"a", "b"}));
}

TEST(RealFileSystem, WriteFilesAtomicKeepsAnEditMadeWhileTheBatchWasSynced) {
  TempDir dir;
  RealFileSystem fs;
  dir.Write("a.env", "A=1\n");
  dir.Write("b.env", "B=1\n");
  dir.Write("c.env", "C=1\n");
  // The user edits b.env after it was staged, before it is renamed over.
  fs.set_before_renames([&] { dir.Write("b.env", "B=1\nMINE=kept\n"); });
  BatchWrite batch = fs.WriteFilesAtomic({{dir / "a.env", "A=2\n", 0600},
                                          {dir / "b.env", "B=2\n", 0600},
                                          {dir / "c.env", "C=2\n", 0600}});
  EXPECT_EQ(batch.written, 1u);
  EXPECT_THAT(batch.failure.message(), testing::HasSubstr("b.env changed while"));
  EXPECT_EQ(dir.Read("a.env"), "A=2\n");
  EXPECT_EQ(dir.Read("b.env"), "B=1\nMINE=kept\n");
  EXPECT_EQ(dir.Read("c.env"), "C=1\n");
  EXPECT_EQ(fs.ListDirectory(dir.path()), (std::vector<std::string>{"a.env", "b.env", "c.env"}));
}

TEST(RealFileSystem, WriteFilesAtomicNeverReplacesASymlinkPutInPlaceWhileTheBatchWasSynced) {
  TempDir dir;
  RealFileSystem fs;
  dir.Write("target", "precious\n");
  fs.set_before_renames(
      [&] { ASSERT_EQ(::symlink((dir / "target").c_str(), (dir / "b").c_str()), 0); });
  BatchWrite batch = fs.WriteFilesAtomic({{dir / "a", "A", 0600}, {dir / "b", "B", 0600}});
  EXPECT_EQ(batch.written, 1u);
  EXPECT_THAT(batch.failure.message(), testing::HasSubstr("b changed while"));
  struct stat st {};
  ASSERT_EQ(::lstat((dir / "b").c_str(), &st), 0);
  EXPECT_TRUE(S_ISLNK(st.st_mode));
  EXPECT_EQ(dir.Read("target"), "precious\n");
}

TEST(RealFileSystem, ABatchRemovesWhatAnInterruptedOneLeftForItsFilesAndNothingElse) {
  TempDir dir;
  RealFileSystem fs;
  // What a batch killed between writing its temporary files and renaming them leaves.
  dir.Write(".a.env.tmp-0123456789abcdef", "A=old\n");
  dir.Write(".b.env.tmp-fedcba9876543210", "B=old\n");
  // Not the tool's, or not for a file this batch writes: kept.
  dir.Write(".c.env.tmp-0123456789abcdef", "C=old\n");
  dir.Write(".a.env.tmp-mine", "the user's\n");
  dir.Write(".a.env.tmp-0123456789ABCDEF", "the user's\n");
  ASSERT_EQ(::symlink((dir / "c.env").c_str(), (dir / ".a.env.tmp-00000000000000ff").c_str()), 0);
  ASSERT_EQ(::mkdir((dir / ".b.env.tmp-00000000000000aa").c_str(), 0700), 0);
  dir.Write("user-file", "the user's\n");
  ASSERT_EQ(::link((dir / "user-file").c_str(), (dir / ".b.env.tmp-00000000000000bb").c_str()), 0);
  BatchWrite batch =
      fs.WriteFilesAtomic({{dir / "a.env", "A\n", 0600}, {dir / "b.env", "B\n", 0600}});
  ASSERT_TRUE(batch.failure.ok()) << batch.failure.message();
  EXPECT_EQ(fs.ListDirectory(dir.path()),
            (std::vector<std::string>{".a.env.tmp-00000000000000ff", ".a.env.tmp-0123456789ABCDEF",
                                      ".a.env.tmp-mine", ".b.env.tmp-00000000000000aa",
                                      ".b.env.tmp-00000000000000bb", ".c.env.tmp-0123456789abcdef",
                                      "a.env", "b.env", "user-file"}));
}

TEST(RealFileSystem, ALoneWriteLeavesWhatAnInterruptedBatchLeft) {
  TempDir dir;
  RealFileSystem fs;
  dir.Write(".a.env.tmp-0123456789abcdef", "A=old\n");
  ASSERT_TRUE(fs.WriteFileAtomic(dir / "a.env", "A\n", 0600).ok());
  EXPECT_EQ(fs.ListDirectory(dir.path()),
            (std::vector<std::string>{".a.env.tmp-0123456789abcdef", "a.env"}));
}

TEST(SyncfsIsTrustworthy, FromLinux58OnOverlayFrom517OnNeverOnFuse) {
  constexpr int64_t kExt4 = 0xef53, kFuse = 0x65735546, kOverlay = 0x794c7630;
  EXPECT_TRUE(SyncfsIsTrustworthy("6.1.0-13-amd64", kExt4));
  EXPECT_TRUE(SyncfsIsTrustworthy("5.8.0", kExt4));
  EXPECT_TRUE(SyncfsIsTrustworthy("5.10.0", kExt4)) << "10 is after 8";
  EXPECT_TRUE(SyncfsIsTrustworthy("10.0.1", kExt4));
  EXPECT_FALSE(SyncfsIsTrustworthy("5.7.19", kExt4));
  EXPECT_FALSE(SyncfsIsTrustworthy("4.18.0-553.el8_10.x86_64", kExt4));
  EXPECT_FALSE(SyncfsIsTrustworthy("", kExt4));
  EXPECT_FALSE(SyncfsIsTrustworthy("six.one", kExt4));
  EXPECT_FALSE(SyncfsIsTrustworthy("6.1.0", kFuse));
  EXPECT_FALSE(SyncfsIsTrustworthy("5.15.0", kOverlay));
  EXPECT_TRUE(SyncfsIsTrustworthy("5.17.0", kOverlay));
}

TEST(RealFileSystem, WhereSyncfsIsNotTrustedEachFileIsSyncedByItself) {
  TempDir dir;
  RealFileSystem fs;
  fs.distrust_syncfs();
  BatchWrite batch =
      fs.WriteFilesAtomic({{dir / "a", "A", 0600}, {dir / "b", "B", 0600}, {dir / "c", "C", 0600}});
  ASSERT_TRUE(batch.failure.ok()) << batch.failure.message();
  EXPECT_EQ(dir.Read("c"), "C");
  EXPECT_EQ(fs.whole_file_system_syncs(), 0);
  EXPECT_EQ(fs.syncs(), 4) << "each of the three files, then the directory";
}

TEST(RealFileSystem, ALoneFileIsSyncedByItselfNotWithItsFileSystem) {
  TempDir dir;
  RealFileSystem fs;
  ASSERT_TRUE(fs.WriteFileAtomic(dir / "f", "x", 0600).ok());
  EXPECT_EQ(fs.whole_file_system_syncs(), 0);
}

TEST(RealFileSystem, WriteFilesAtomicRefusesAFileThatNoLongerHoldsWhatItWasMadeFrom) {
  TempDir dir;
  RealFileSystem fs;
  // a.env was read as "A=1\n" and merged; the user added a line before the batch began.
  dir.Write("a.env", "A=1\nMINE=kept\n");
  dir.Write("b.env", "B=1\n");
  BatchWrite batch =
      fs.WriteFilesAtomic({{dir / "b.env", "B=2\n", 0600, FileWrite::Basis{"B=1\n"}},
                           {dir / "a.env", "A=2\n", 0600, FileWrite::Basis{"A=1\n"}},
                           {dir / "new.env", "N=1\n", 0600, FileWrite::Basis{std::nullopt}}});
  EXPECT_EQ(batch.written, 1u);
  EXPECT_THAT(batch.failure.message(), testing::HasSubstr("a.env changed while"));
  EXPECT_EQ(dir.Read("b.env"), "B=2\n");
  EXPECT_EQ(dir.Read("a.env"), "A=1\nMINE=kept\n");
  EXPECT_FALSE(fs.Stat(dir / "new.env"));
  // A file that appeared since it was read as missing is not replaced either.
  dir.Write("new.env", "MINE=1\n");
  batch = fs.WriteFilesAtomic({{dir / "new.env", "N=1\n", 0600, FileWrite::Basis{std::nullopt}}});
  EXPECT_THAT(batch.failure.message(), testing::HasSubstr("new.env changed while"));
  EXPECT_EQ(dir.Read("new.env"), "MINE=1\n");
}

TEST(RealFileSystem, WriteFilesAtomicWritesBeyondItsOpenDirectoriesInTurnAndCountsAcrossThem) {
  TempDir dir;
  RealFileSystem fs;
  std::vector<FileWrite> writes;
  for (int i = 0; i < 70; ++i) {
    ASSERT_TRUE(fs.MakeDirectories(dir / fmt::format("d{}", i), 0700).ok());
    writes.push_back({dir / fmt::format("d{}/f", i), fmt::format("{}", i), 0600});
  }
  dir.Write("target", "precious\n");
  ASSERT_EQ(::symlink((dir / "target").c_str(), (dir / "d66/f").c_str()), 0);
  BatchWrite batch = fs.WriteFilesAtomic(writes);
  EXPECT_EQ(batch.written, 66u) << "64 in the first batch, 2 in the next";
  EXPECT_THAT(batch.failure.message(), testing::HasSubstr("symbolic link"));
  EXPECT_EQ(dir.Read("d65/f"), "65");
  EXPECT_EQ(dir.Read("d67/f"), "");
  EXPECT_EQ(dir.Read("target"), "precious\n");
}

TEST(RealFileSystem, WriteFilesAtomicWritesTheFilesBeforeOneItRefusesAndNoneAfter) {
  TempDir dir;
  RealFileSystem fs;
  dir.Write("target", "precious\n");
  dir.Write("c", "untouched\n");
  ASSERT_EQ(::symlink((dir / "target").c_str(), (dir / "b").c_str()), 0);
  BatchWrite batch = fs.WriteFilesAtomic(
      {{dir / "a", "A", 0600}, {dir / "b", "clobber", 0600}, {dir / "c", "C", 0600}});
  EXPECT_EQ(batch.written, 1u);
  EXPECT_THAT(batch.failure.message(), testing::HasSubstr("refusing to replace"));
  EXPECT_THAT(batch.failure.message(), testing::HasSubstr("symbolic link"));
  EXPECT_EQ(dir.Read("a"), "A");
  EXPECT_EQ(dir.Read("target"), "precious\n");
  EXPECT_EQ(dir.Read("c"), "untouched\n");
  EXPECT_EQ(fs.ListDirectory(dir.path()), (std::vector<std::string>{"a", "b", "c", "target"}));
}

TEST(MemoryFileSystem, WriteFilesAtomicWritesOneAfterTheOtherUntilOneFails) {
  MemoryFileSystem fs;
  ASSERT_TRUE(fs.MakeDirectories("/d", 0700).ok());
  BatchWrite batch =
      fs.WriteFilesAtomic({{"/d/a", "A", 0600}, {"/missing/b", "B", 0600}, {"/d/c", "C", 0600}});
  EXPECT_EQ(batch.written, 1u);
  EXPECT_FALSE(batch.failure.ok());
  EXPECT_TRUE(fs.Stat("/d/a").has_value());
  EXPECT_FALSE(fs.Stat("/d/c").has_value());
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
