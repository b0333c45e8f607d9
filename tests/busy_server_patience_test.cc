// A supervisor's patience with a tmux server that does not answer: it looks again, a second
// apart, for five minutes, then gives up with the error (so that systemd acts).
#include "busy_server_patience.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

#include "fake_system.h"

namespace mosaic {
namespace {

using testing::HasSubstr;

TEST(BusyServerPatience, LooksAgainForFiveMinutesThenGivesUpAndAnAnswerStartsOver) {
  FakeSystem system;
  BusyServerPatience patience;
  std::ostringstream err;
  Status silent = Status::Error("tmux -L f did not answer within 60 s");
  int looks = 0;
  while (patience.LookAgain(system, silent, err)) {
    ++looks;
    system.monotonic += std::chrono::seconds(59);  // each failed look itself took its bound
  }
  EXPECT_EQ(looks, 5) << "one look a minute (59 s bound + 1 s pause) for five minutes";
  EXPECT_THAT(err.str(), HasSubstr("warning: tmux -L f did not answer within 60 s; looking again"));
  EXPECT_THAT(err.str(),
              HasSubstr("error: tmux -L f did not answer within 60 s (no answer for 5 minutes)"));
  patience.Answered();
  EXPECT_TRUE(patience.LookAgain(system, silent, err)) << "an answer in between starts over";
}

}  // namespace
}  // namespace mosaic
