// FleetIntegration: the fixture of the end-to-end tests — a sandboxed `systemd --user` and real
// tmux (sandbox.h), a stand-in agent program, and the checks every test ends with: the sentinel
// on the default tmux socket kept its server and session, and every tmux command line anyone
// ran named a non-default socket.
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <iostream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "sandbox.h"

namespace mosaic::integration {

inline constexpr char kSocket[] = "itest";
inline constexpr char kRoster[] =
    "version: 1\n"
    "tmux: {socket_name: itest}\n"
    "agents:\n"
    "  - {name: a, runtime: claude}\n"
    "  - {name: a0, runtime: pi}\n";

class FleetIntegration : public testing::Test {
 protected:
  void SetUp() override {
    if (Usable(sandbox_)) sandbox_.InstallStandInAgent();
  }

  // Whether `sandbox` runs. If not, the test is skipped, or fails where integration tests are
  // required (CI); either way its body does not run.
  static bool Usable(const Sandbox& sandbox) {
    if (sandbox.unavailable().empty()) return true;
    if (std::getenv("MOSAIC_REQUIRE_INTEGRATION"))
      [&] { FAIL() << "integration sandbox unavailable: " << sandbox.unavailable(); }();
    else
      [&] { GTEST_SKIP() << "integration sandbox unavailable: " << sandbox.unavailable(); }();
    return false;
  }

  void TearDown() override {
    if (!sandbox_.unavailable().empty()) return;
    if (HasFailure())
      std::cerr << "--- systemd --user and its units said:\n" << sandbox_.ManagerLog() << "---\n";
    EXPECT_TRUE(sandbox_.SentinelIntact()) << "the default tmux socket was touched";
    for (const std::string& line : sandbox_.TmuxLog()) {
      EXPECT_TRUE(line.starts_with("-L ") || line.starts_with("-S "))
          << "tmux ran without a socket: " << line;
      EXPECT_FALSE(line.starts_with("-L default ")) << line;
    }
  }

  void WriteRoster(const std::string& yaml) { sandbox_.WriteFile(sandbox_.RosterPath(), yaml); }

  RunResult Apply(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"apply", "--yes"};
    args.insert(args.end(), extra.begin(), extra.end());
    return sandbox_.Fleet(args);
  }

  // An `apply --yes` killed (SIGKILL, with everything it started) `delay_ms` after it began,
  // then an apply that must finish what it left: its result.
  RunResult KillApplyThenApply(int delay_ms) {
    pid_t pid = sandbox_.SpawnFleet({"apply", "--yes"});
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
    ::kill(-pid, SIGKILL);
    Sandbox::Wait(pid);
    return Apply({"--lock-timeout", "30"});
  }

  // Converges kRoster from nothing; every test that needs a running fleet starts here.
  void Converge(const std::string& roster = kRoster) {
    WriteRoster(roster);
    RunResult r = Apply();
    ASSERT_EQ(r.code, 0) << r.out << r.err;
    ASSERT_THAT(r.err, testing::HasSubstr("The fleet has converged"));
  }

  // Polls `condition` until it holds or `seconds` pass: the world settles asynchronously (a
  // pane's program changes directory after tmux reports its session).
  static bool WaitFor(const std::function<bool()>& condition, double seconds = 10) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    while (!condition()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return true;
  }

  // A format expanded for session `name`'s first pane, without the newline.
  std::string PaneValue(const std::string& name, const std::string& format) {
    std::string out =
        sandbox_.Tmux(kSocket, {"display-message", "-p", "-t", "=" + name + ":", format}).out;
    if (!out.empty() && out.back() == '\n') out.pop_back();
    return out;
  }

  bool PlanIsEmpty() {
    RunResult r = sandbox_.Fleet({"plan", "--detailed-exitcode"});
    EXPECT_NE(r.code, 1) << r.err;
    return r.code == 0 && r.out.find("No changes.") != std::string::npos;
  }

  // Files under the sandbox's home, with contents; sessions with pane pids; unit states.
  std::string Snapshot() {
    // Units between states (systemd still restarting one, say) are waited out: a snapshot
    // compares what the test did, not how far systemd got.
    WaitFor([&] {
      for (std::string unit :
           {"mosaic-tmux-holder.service", "mosaic-agent@a.service", "mosaic-agent@a0.service"}) {
        std::string state = sandbox_.UnitActive(unit);
        if (state == "activating" || state == "deactivating" || state == "reloading") return false;
      }
      return true;
    });
    std::string snapshot;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(sandbox_.Home())) {
      snapshot += entry.path().string() + (entry.is_symlink() ? " -> link" : "") + "\n";
      if (entry.is_regular_file() && !entry.is_symlink())
        snapshot += sandbox_.ReadFile(entry.path().string());
    }
    for (const auto& [name, pid] : sandbox_.Sessions(kSocket))
      snapshot += "session " + name + " " + std::to_string(pid) + "\n";
    for (std::string unit :
         {"mosaic-tmux-holder.service", "mosaic-agent@a.service", "mosaic-agent@a0.service"})
      snapshot += unit + " " + sandbox_.UnitActive(unit) + " " + sandbox_.UnitEnabled(unit) + "\n";
    return snapshot;
  }

  Sandbox sandbox_;
};

}  // namespace mosaic::integration
