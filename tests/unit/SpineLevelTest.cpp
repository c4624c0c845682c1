#include "drg/imaging/SpineLevel.h"
#include "drg/imaging/Error.h"

#include <gtest/gtest.h>

using namespace drg::imaging;

TEST(SpineLevel, RanksRunHeadToFoot)
{
  EXPECT_LT(*levelRank("T12"), *levelRank("T13"));
  EXPECT_LT(*levelRank("T13"), *levelRank("L1"));
  EXPECT_LT(*levelRank("L5"), *levelRank("L6"));
  EXPECT_LT(*levelRank("L6"), *levelRank("S1"));
  EXPECT_LT(*levelRank("S1"), *levelRank("sacrum"));
}

TEST(SpineLevel, RejectsNamesThatAreNotLevels)
{
  for (const char* bad : { "", "L", "L0", "L7", "T14", "S2", "X3", "l4", "L4a" }) {
    EXPECT_FALSE(isLevelName(bad)) << bad;
  }
}

TEST(SpineLevel, ParsesRangesAndExplainsMistakes)
{
  auto [a, b] = parseLevelRange("L3-S1");
  EXPECT_EQ(a, "L3");
  EXPECT_EQ(b, "S1");
  try {
    parseLevelRange("S1-L3");
    FAIL() << "an upward range must be refused";
  } catch (const drg::Error& e) {
    EXPECT_EQ(e.code(), drg::ErrorCode::InvalidArgument);
    EXPECT_NE(std::string(e.what()).find("upper level first"), std::string::npos);
  }
  EXPECT_THROW(parseLevelRange("L3"), drg::Error);
  EXPECT_THROW(parseLevelRange("L3-Q1"), drg::Error);
}
