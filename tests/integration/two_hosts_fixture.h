// TwoHosts: two sandboxes acting as two hosts, alpha (the fixture's own) and beta, over one
// roster; beta gets the same end-of-test checks as alpha (its default socket untouched, every
// tmux call on a named socket).
#pragma once

#include <iostream>
#include <string>
#include <vector>

#include "fleet_fixture.h"

namespace mosaic::integration {

class TwoHosts : public FleetIntegration {
 protected:
  void SetUp() override {
    FleetIntegration::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    if (Usable(beta_)) beta_.InstallStandInAgent();
  }

  void TearDown() override {
    FleetIntegration::TearDown();
    if (!beta_.unavailable().empty()) return;
    if (HasFailure()) std::cerr << "--- beta's systemd --user said:\n" << beta_.ManagerLog();
    EXPECT_TRUE(beta_.SentinelIntact()) << "beta's default tmux socket was touched";
    for (const std::string& line : beta_.TmuxLog()) {
      EXPECT_TRUE(line.starts_with("-L ") || line.starts_with("-S ")) << line;
      EXPECT_FALSE(line.starts_with("-L default ")) << line;
    }
  }

  // The same roster text on both hosts, as a git checkout or a sync would leave it.
  void Share(const std::string& roster) {
    WriteRoster(roster);
    beta_.WriteFile(beta_.RosterPath(), roster);
  }
  RunResult OnAlpha(std::vector<std::string> args) {
    args.insert(args.end(), {"--host", "alpha"});
    return sandbox_.Fleet(args);
  }
  RunResult OnBeta(std::vector<std::string> args) {
    args.insert(args.end(), {"--host", "beta"});
    return beta_.Fleet(args);
  }

  Sandbox beta_;
};

}  // namespace mosaic::integration
