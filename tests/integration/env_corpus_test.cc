// The env-file parser against systemd itself: for every file in fixtures/env/, the variables
// ParseEnvFile says systemd sets must be exactly those a unit started with
// `EnvironmentFile=-FILE` (as the agent units use it) receives — byte for byte. And where
// MergeEnvFile agrees to rewrite a file, systemd must read the result as the owned values
// plus every one of the user's variables unchanged.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>

#include "env_file.h"
#include "env_merge.h"
#include "sandbox.h"

namespace mosaic::integration {
namespace {

namespace fs = std::filesystem;
using Vars = std::map<std::string, std::string>;

class EnvCorpus : public testing::Test {
 protected:
  void SetUp() override {
    if (!sandbox_.unavailable().empty()) {
      if (std::getenv("MOSAIC_REQUIRE_INTEGRATION"))
        FAIL() << "integration sandbox unavailable: " << sandbox_.unavailable();
      GTEST_SKIP() << "integration sandbox unavailable: " << sandbox_.unavailable();
    }
    baseline_ = UnitEnvironment(sandbox_.root() + "/no-such-file.env");
  }

  // What a unit started with EnvironmentFile=-PATH receives, minus what every unit receives.
  Vars SystemdReads(const std::string& path) {
    Vars vars = UnitEnvironment(path);
    for (const auto& [key, value] : baseline_) vars.erase(key);
    return vars;
  }

  Vars UnitEnvironment(const std::string& path) {
    RunResult r = sandbox_.Exec({"systemd-run", "--user", "--wait", "--pipe", "--quiet", "-p",
                                 "EnvironmentFile=-" + path, "/usr/bin/env", "-0"});
    EXPECT_EQ(r.code, 0) << r.err;
    Vars vars;
    for (size_t start = 0; start < r.out.size();) {
      size_t end = r.out.find('\0', start);
      std::string entry = r.out.substr(start, end - start);
      size_t eq = entry.find('=');
      vars[entry.substr(0, eq)] = entry.substr(eq + 1);
      start = end == std::string::npos ? r.out.size() : end + 1;
    }
    // Different for every unit, so never part of a comparison.
    vars.erase("INVOCATION_ID");
    vars.erase("SYSTEMD_EXEC_PID");
    return vars;
  }

  static std::vector<fs::path> Corpus() {
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(fs::path(MOSAIC_FIXTURES_DIR) / "env"))
      if (entry.path().extension() == ".env") files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    return files;
  }

  Sandbox sandbox_;
  Vars baseline_;
};

TEST_F(EnvCorpus, TheParserReadsEveryFileExactlyAsSystemdDoes) {
  std::vector<fs::path> corpus = Corpus();
  ASSERT_GE(corpus.size(), 25u);
  for (const fs::path& file : corpus) {
    Vars expected = SystemdReads(file.string());
    EXPECT_EQ(ParseEnvFile(sandbox_.ReadFile(file.string())).Variables(), expected)
        << file.filename();
  }
}

TEST_F(EnvCorpus, SystemdReadsEveryMergedFileAsTheOwnedValuesPlusTheUsersVariables) {
  const OwnedEnv owned = {{"MOSAIC_AGENT_NAME", "a"},
                          {"MOSAIC_AGENT_MODEL", "m \"3\" $x `y` \\z"},
                          {"MOSAIC_AGENT_RUNTIME", ""}};
  int merged_files = 0;
  for (const fs::path& file : Corpus()) {
    EnvMerge merge = MergeEnvFile(sandbox_.ReadFile(file.string()), owned);
    if (!merge.ok()) continue;  // refused: the file stays as it is (the unit tests say why)
    ++merged_files;
    Vars expected = SystemdReads(file.string());
    for (const auto& [key, value] : owned) expected[key] = value;
    std::string merged_path = sandbox_.root() + "/merged-" + file.filename().string();
    sandbox_.WriteFile(merged_path, merge.content);
    EXPECT_EQ(SystemdReads(merged_path), expected) << file.filename();
  }
  EXPECT_GE(merged_files, 20);
}

}  // namespace
}  // namespace mosaic::integration
