#include "drg/imaging/DerivedUid.h"

#include <gtest/gtest.h>

#include <set>

using drg::imaging::derivedUid;

TEST(DerivedUid, IsValidStableAndDistinct)
{
  std::set<std::string> seen;
  for (int i = 0; i < 2000; ++i) {
    std::string uid = derivedUid("case/" + std::to_string(i));
    EXPECT_LE(uid.size(), 64u);
    EXPECT_EQ(uid.rfind("2.25.", 0), 0u);
    EXPECT_NE(uid[5], '0') << "no leading zero in a UID component: " << uid;
    for (char c : uid) {
      EXPECT_TRUE((c >= '0' && c <= '9') || c == '.') << uid;
    }
    EXPECT_TRUE(seen.insert(uid).second) << "collision at " << i;
  }
  EXPECT_EQ(derivedUid("same key"), derivedUid("same key"));
}
