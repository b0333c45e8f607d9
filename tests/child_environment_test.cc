#include "child_environment.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace mosaic {
namespace {

using testing::ElementsAre;

TEST(ChildEnvironment, DropsUnsetKeysAndReplacesSetOnes) {
  EXPECT_THAT(ChildEnvironment({"PATH=/bin", "TMUX=/tmp/s,1,0", "LANG=C", "TMUXX=kept"},
                               {{"LANG", "en_US.UTF-8"}, {"NEW", "a=b"}}, {"TMUX"}),
              ElementsAre("PATH=/bin", "TMUXX=kept", "LANG=en_US.UTF-8", "NEW=a=b"));
}

// An env file may name TMUX; the agent still never learns a tmux client's socket.
TEST(ChildEnvironment, AKeyBothSetAndUnsetStaysUnset) {
  EXPECT_THAT(ChildEnvironment({"TMUX=/tmp/default,1,0"}, {{"TMUX", "/tmp/x"}, {"A", "1"}},
                               {"TMUX", "TMUX_PANE"}),
              ElementsAre("A=1"));
}

TEST(CStringArray, IsNullTerminated) {
  CStringArray array({"a", "bc"});
  EXPECT_STREQ(array.data()[0], "a");
  EXPECT_STREQ(array.data()[1], "bc");
  EXPECT_EQ(array.data()[2], nullptr);
}

}  // namespace
}  // namespace mosaic
