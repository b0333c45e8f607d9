#include "time_span.h"

#include <gtest/gtest.h>

namespace mosaic {
namespace {

TEST(TimeSpan, ReadsSystemdSpellings) {
  EXPECT_EQ(ParseTimeSpan("30s"), 30);
  EXPECT_EQ(ParseTimeSpan("5min"), 300);
  EXPECT_EQ(ParseTimeSpan("5m"), 300);
  EXPECT_EQ(ParseTimeSpan("1h 30min"), 5400);
  EXPECT_EQ(ParseTimeSpan("1h30min"), 5400);
  EXPECT_EQ(ParseTimeSpan("2 d"), 172800);
  EXPECT_EQ(ParseTimeSpan("10sec"), 10);
}

TEST(TimeSpan, RefusesWhatIsNotOne) {
  for (const char* bad : {"", " ", "5", "min", "5 minutes", "-5s", "5s,", "1y", "99999999999d"})
    EXPECT_EQ(ParseTimeSpan(bad), std::nullopt) << bad;
}

}  // namespace
}  // namespace mosaic
