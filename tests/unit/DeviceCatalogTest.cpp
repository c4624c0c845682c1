#include "drg/planning/DeviceCatalog.h"
#include "drg/imaging/Error.h"

#include "TestSupport.h"

#include <gtest/gtest.h>

#include <fstream>

using namespace drg::planning;

TEST(DeviceCatalog, BuiltInSeedValuesAreFlaggedUnverified)
{
  DeviceCatalog c = DeviceCatalog::builtIn();
  const LeadModel* lead = c.lead("drg-lead-4ring");
  ASSERT_NE(lead, nullptr);
  EXPECT_EQ(lead->contactCount.value, 4);
  EXPECT_FALSE(lead->contactCount.verified);
  EXPECT_FALSE(lead->contactCount.source.empty());
  auto centres = lead->contactCentresFromTipMm();
  ASSERT_EQ(centres.size(), 4u);
  EXPECT_NEAR(centres[1] - centres[0], 5.0, 1e-9);
  EXPECT_GT(c.unverifiedCount(), 10u);
  EXPECT_EQ(c.sheaths().size(), 2u);
}

TEST(DeviceCatalog, UserFilesAddModelsAndReplaceSeedsWithoutRebuilding)
{
  drg::test::TemporaryFolder dir("catalog");
  std::ofstream(dir.path() / "site.json") << R"({
    "format": "drgplan-device-catalog", "version": 1,
    "leads": [{"id": "drg-lead-4ring", "name": "checked lead",
      "contact_count": {"value": 4, "source": "IFU rev B p.12", "verified": true},
      "contact_length_mm": {"value": 1.25, "source": "IFU", "verified": true},
      "contact_spacing_mm": {"value": [4.0, 5.0, 6.0], "source": "IFU", "verified": true},
      "diameter_mm": {"value": 1.0, "source": "IFU", "verified": true},
      "tip_length_mm": {"value": 1.0, "source": "IFU", "verified": true},
      "lengths_cm": {"value": [50, 90], "source": "IFU", "verified": true}}]})";
  DeviceCatalog c = DeviceCatalog::withUserFolder(dir.path());
  const LeadModel* lead = c.lead("drg-lead-4ring");
  ASSERT_NE(lead, nullptr);
  EXPECT_EQ(lead->name, "checked lead");
  EXPECT_TRUE(lead->contactSpacingMm.verified);
  auto centres = lead->contactCentresFromTipMm();
  EXPECT_NEAR(centres[3] - centres[0], 15.0, 1e-9); // unequal spacing: 4 + 5 + 6
  EXPECT_EQ(c.leads().size(), 1u);
}

TEST(DeviceCatalog, RejectsModelsWithMissingOrInconsistentValues)
{
  auto expectFormatError = [](const std::string& text, const std::string& fragment) {
    try {
      DeviceCatalog::fromJson(text, "test.json");
      ADD_FAILURE() << "accepted: " << text;
    } catch (const drg::Error& e) {
      EXPECT_EQ(e.code(), drg::ErrorCode::Format);
      EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
    }
  };
  expectFormatError("{", "not valid JSON");
  expectFormatError(R"({"format": "other"})", "not a drgplan device catalog");
  expectFormatError(R"({"format": "drgplan-device-catalog", "sheaths": [{"id": "s"}]})", "curve_radius_mm");
  expectFormatError(R"({"format": "drgplan-device-catalog", "sheaths": [{"id": "s",
      "curve_radius_mm": {"value": 5}}]})",
                    "no source");
  expectFormatError(R"({"format": "drgplan-device-catalog", "leads": [{"id": "l",
      "contact_count": {"value": 4, "source": "x"}, "contact_length_mm": {"value": 1.25, "source": "x"},
      "contact_spacing_mm": {"value": [5, 5], "source": "x"}, "diameter_mm": {"value": 1, "source": "x"},
      "tip_length_mm": {"value": 1, "source": "x"}, "lengths_cm": {"value": [50], "source": "x"}}]})",
                    "contact_count - 1");
}
