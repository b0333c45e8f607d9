#include "suggest.h"

#include <gtest/gtest.h>

namespace mosaic {
namespace {

const std::vector<std::string> kKeys = {"name", "runtime", "model_hint", "working_directory"};

TEST(SuggestClosest, FindsTyposAndTranspositions) {
  EXPECT_EQ(SuggestClosest("nmae", kKeys), "name");
  EXPECT_EQ(SuggestClosest("runtim", kKeys), "runtime");
  EXPECT_EQ(SuggestClosest("modle_hint", kKeys), "model_hint");
}

TEST(SuggestClosest, FindsOtherSpellingsOfTheSameWords) {
  EXPECT_EQ(SuggestClosest("workingDirectory", kKeys), "working_directory");
  EXPECT_EQ(SuggestClosest("WORKING-DIRECTORY", kKeys), "working_directory");
}

TEST(SuggestClosest, StaysQuietWhenNothingIsClose) {
  EXPECT_EQ(SuggestClosest("colour", kKeys), std::nullopt);
  EXPECT_EQ(SuggestClosest("x", kKeys), std::nullopt);
}

}  // namespace
}  // namespace mosaic
