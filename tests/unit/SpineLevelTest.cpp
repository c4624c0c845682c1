#include "drg/imaging/SpineLevel.h"
#include "drg/imaging/Error.h"
#include "drg/imaging/SpineModel.h"

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

// The user's level anchor as typed on the command line: a point (LPS mm) and a level name.
TEST(SpineLevel, ParsesAUsersLevelAnchorAndExplainsMistakes)
{
  const drg::imaging::LevelAnchorPoint a = drg::imaging::parseLevelAnchorPoint("12.5,-30,88=L3");
  EXPECT_EQ(a.point, Eigen::Vector3d(12.5, -30, 88));
  EXPECT_EQ(a.level, "L3");
  for (const char* bad : { "12.5,-30=L3", "12.5,-30,88", "12.5,-30,88=L9", "a,b,c=L3", "1,2,3=sacrum",
                           "1,2,3x=L3", "1;2;3=L3" }) {
    try {
      drg::imaging::parseLevelAnchorPoint(bad);
      ADD_FAILURE() << bad << " was accepted";
    } catch (const drg::Error& e) {
      EXPECT_NE(std::string(e.what()).find("X,Y,Z=LEVEL"), std::string::npos) << e.what();
    }
  }
}
