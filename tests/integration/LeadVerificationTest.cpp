// Post-operative verification against the phantom's truth: a plan on one phantom, post-operative
// phantoms made from it (another lordosis, 3 mm slices, a migrated or bent lead, pedicle screws
// near the leads), and each contact found, numbered and brought into the planning frame within
// the issue's figures. One planning case is shared (one process: see tests/CMakeLists.txt).
#include "PhantomPlanning.h"

#include "drg/imaging/Error.h"
#include "drg/imaging/LeadFinder.h"
#include "drg/planning/LeadVerification.h"
#include "drg/planning/PlanEditor.h"
#include "drg/planning/PlanImplants.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <iostream>
#include <memory>

namespace drg::test
{
namespace
{
using namespace drg::imaging;
using namespace drg::planning;
using Eigen::Vector3d;

PhantomOptions planningOptions()
{
  PhantomOptions o;
  o.matrix = { 512, 512, 220 };
  o.fieldOfViewFrom = "L2";
  o.fieldOfViewTo = "S1";
  return o;
}

Image<float> asFloat(const Image<std::int16_t>& in)
{
  Image<float> out(in.geometry(), Uninitialized{});
  std::copy(in.voxels().begin(), in.voxels().end(), out.voxels().begin());
  return out;
}

/// The planning case, its plan of three leads and the implants of that plan.
struct PlannedCase
{
  std::unique_ptr<PhantomPlanning> planning;
  Plan plan;
  PhantomImplants implants;

  explicit PlannedCase(const PhantomOptions& options)
    : planning(std::make_unique<PhantomPlanning>(options))
  {
    PlanEditor editor(*planning->planner);
    editor.addLead("L4 left", "L4", Side::Left);
    editor.addLead("L5 right", "L5", Side::Right);
    editor.addLead("L3 right", "L3", Side::Right);
    plan = editor.plan();
    implants = implantsOfPlan(plan, DeviceCatalog::builtIn());
    for (const auto& v : planning->phantom.truth.vertebrae) {
      implants.plannedPoses[v.level] = { v.bodyCentre, v.frame };
    }
  }
};

struct Outcome
{
  Verification verification;
  PhantomTruth truth;
  std::vector<double> errors; ///< every contact's distance from the truth (planning frame)
};

Outcome verifyAgainst(const PlannedCase& c, const PhantomOptions& postop,
                      std::optional<PreviousContacts> previous = std::nullopt)
{
  PhantomCase post = generateSpinePhantom(postop);
  Image<float> image = asFloat(post.intensities);
  const DeviceCatalog catalog = DeviceCatalog::builtIn();
  VerifyInput in;
  in.plan = &c.plan;
  in.planning = &c.planning->volume;
  in.postop = &image;
  in.model = &c.planning->model;
  in.catalog = &catalog;
  in.previous = std::move(previous);
  Outcome out{ verifyLeads(in), post.truth, {} };
  for (const auto& lead : out.verification.leads) {
    auto truth = std::find_if(post.truth.implantedLeads.begin(), post.truth.implantedLeads.end(),
                              [&](const PhantomImplantedLead& t) { return t.name == lead.name; });
    EXPECT_NE(truth, post.truth.implantedLeads.end()) << "a lead the phantom has not: " << lead.name;
    if (truth == post.truth.implantedLeads.end()) {
      continue;
    }
    EXPECT_TRUE(lead.found) << lead.name;
    EXPECT_EQ(lead.contacts.size(), truth->contacts.size()) << lead.name;
    for (const auto& contact : lead.contacts) {
      const Vector3d t = truth->plannedFrameContacts[static_cast<std::size_t>(contact.number - 1)];
      out.errors.push_back((contact.planning - t).norm());
      std::cout << lead.name << " contact " << contact.number << ": " << out.errors.back()
                << " mm from the truth, " << contact.deviationMm << " mm from the plan\n";
    }
  }
  return out;
}

void expectWithinIssueFigures(const std::vector<double>& errors, const std::string& variant)
{
  ASSERT_FALSE(errors.empty()) << variant;
  std::vector<double> sorted = errors;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_LE(sorted.back(), 1.0) << variant << ": every contact within 1 mm of the truth";
  EXPECT_LE(sorted[sorted.size() / 2], 0.5) << variant << ": median within 0.5 mm";
}

class PostopVerify : public ::testing::Test
{
protected:
  static void SetUpTestSuite() { s_case = std::make_unique<PlannedCase>(planningOptions()); }
  static void TearDownTestSuite() { s_case.reset(); }

  static PhantomOptions postop()
  {
    PhantomOptions o = planningOptions();
    o.implants = s_case->implants;
    return o;
  }

  static std::unique_ptr<PlannedCase> s_case;
};

std::unique_ptr<PlannedCase> PostopVerify::s_case;

TEST_F(PostopVerify, EveryLeadFoundAndInPlaceWhenNothingMoved)
{
  Outcome out = verifyAgainst(*s_case, postop());
  ASSERT_EQ(out.verification.leads.size(), 3u) << "no lead missing, none extra";
  for (const auto& l : out.verification.leads) {
    EXPECT_TRUE(l.inPlan) << l.name;
    EXPECT_EQ(l.verdict, "in place") << l.name;
    EXPECT_TRUE(l.coversGanglion) << l.name;
    ASSERT_TRUE(l.inIntendedForamen.has_value()) << l.name;
    EXPECT_TRUE(*l.inIntendedForamen) << l.name << " (nearest foramen " << l.foramenFound << ")";
  }
  expectWithinIssueFigures(out.errors, "same pose");
}

TEST_F(PostopVerify, TheSpineLyingDifferentlyIsRegisteredLevelByLevel)
{
  PhantomOptions o = postop();
  o.lordosisDegrees = 55.0; // planned at 45
  Outcome out = verifyAgainst(*s_case, o);
  ASSERT_EQ(out.verification.leads.size(), 3u);
  expectWithinIssueFigures(out.errors, "lordosis 55 against 45");
  for (const auto& l : out.verification.leads) {
    EXPECT_EQ(l.verdict, "in place") << l.name;
  }
}

TEST_F(PostopVerify, ALeadMovedThreeMillimetresIsMeasuredWithinOne)
{
  PhantomOptions o = postop();
  shiftImplantedLead(o.implants, "L4 left", Vector3d(0, 0, -3));
  o.lordosisDegrees = 40.0;
  Outcome out = verifyAgainst(*s_case, o);
  expectWithinIssueFigures(out.errors, "L4 left moved 3 mm");
  const auto& moved = out.verification.leads.front();
  ASSERT_EQ(moved.name, "L4 left");
  for (const auto& c : moved.contacts) {
    EXPECT_NEAR(c.deviationMm, 3.0, 1.0) << "contact " << c.number;
  }
  EXPECT_NE(moved.verdict, "in place");
  EXPECT_EQ(out.verification.leads[1].verdict, "in place");
}

TEST_F(PostopVerify, ALeadSlidToAnotherLevelIsNamedAndOutOfItsForamen)
{
  PhantomOptions o = postop();
  shiftImplantedLead(o.implants, "L4 left", Vector3d(0, 0, 30));   // to the L3/L4 foramen
  shiftImplantedLead(o.implants, "L5 right", Vector3d(0, 0, -20)); // into the sacrum
  Outcome out = verifyAgainst(*s_case, o);
  ASSERT_EQ(out.verification.leads.size(), 3u) << "no lead 'not found' beside an 'unplanned' one";
  for (const auto& l : out.verification.leads) {
    EXPECT_TRUE(l.found && l.inPlan) << l.name << ": " << l.verdict;
    if (l.name != "L3 right") {
      ASSERT_TRUE(l.inIntendedForamen.has_value()) << l.name;
      EXPECT_FALSE(*l.inIntendedForamen) << l.name << " (nearest: " << l.foramenFound << ")";
      EXPECT_EQ(l.verdict.rfind("out of its foramen", 0), 0u) << l.name << ": " << l.verdict;
    }
  }
  const auto& slid = out.verification.leads.front();
  EXPECT_NE(slid.displacementText.find("cranial"), std::string::npos) << slid.displacementText;
}

TEST_F(PostopVerify, ThreeMillimetreSlicesAndABentLead)
{
  PhantomOptions o = postop();
  o.matrix = { 512, 512, 74 };
  o.spacing = Vector3d(0.8, 0.8, 3.0);
  bendImplantedLead(o.implants, "L3 right", 1.5);
  Outcome out = verifyAgainst(*s_case, o);
  ASSERT_EQ(out.verification.leads.size(), 3u);
  expectWithinIssueFigures(out.errors, "3 mm slices");
}

TEST_F(PostopVerify, MigrationBetweenTwoScans)
{
  PhantomOptions first = postop();
  Outcome before = verifyAgainst(*s_case, first);
  PreviousContacts previous;
  for (const auto& l : before.verification.leads) {
    for (const auto& c : l.contacts) {
      previous[l.name].push_back(c.planning);
    }
  }
  PhantomOptions second = postop();
  second.seed = 2; // another scan's noise
  second.lordosisDegrees = 50.0;
  shiftImplantedLead(second.implants, "L5 right", Vector3d(0, -2, 3)); // 3.6 mm
  Outcome after = verifyAgainst(*s_case, second, previous);
  for (const auto& l : after.verification.leads) {
    ASSERT_TRUE(l.maxMigrationMm.has_value()) << l.name;
    const double truth = l.name == "L5 right" ? std::sqrt(13.0) : 0.0;
    for (const auto& c : l.contacts) {
      ASSERT_TRUE(c.migrationMm.has_value());
      EXPECT_NEAR(*c.migrationMm, truth, 1.0) << l.name << " contact " << c.number;
    }
  }
}

TEST_F(PostopVerify, APreoperativeScanHasNoLeadAndIsRefused)
{
  PhantomOptions o = planningOptions();
  o.lordosisDegrees = 50.0;
  PhantomCase pre = generateSpinePhantom(o);
  Image<float> image = asFloat(pre.intensities);
  EXPECT_TRUE(findLeads(image).leads.empty());
  EXPECT_TRUE(findLeads(s_case->planning->volume).leads.empty());
  const DeviceCatalog catalog = DeviceCatalog::builtIn();
  VerifyInput in;
  in.plan = &s_case->plan;
  in.planning = &s_case->planning->volume;
  in.postop = &image;
  in.catalog = &catalog;
  try {
    verifyLeads(in);
    ADD_FAILURE() << "a scan without leads was verified";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::InvalidArgument);
    EXPECT_NE(std::string(e.what()).find("no lead found"), std::string::npos) << e.what();
  }
}

TEST(PostopVerifyFusion, ScrewsBesideTheLeadsAreNotLeads)
{
  PhantomOptions o;
  o.matrix = { 512, 512, 260 };
  o.fieldOfViewFrom = "T12";
  o.fieldOfViewTo = "S1";
  o.surgery.fusionFrom = "L4";
  o.surgery.fusionTo = "S1";
  PlannedCase c(o);
  PhantomOptions post = o;
  post.implants = c.implants;
  post.lordosisDegrees = 50.0;
  Outcome out = verifyAgainst(c, post);
  ASSERT_EQ(out.verification.leads.size(), 3u) << "the screws and rods made no lead";
  EXPECT_GE(out.verification.search.thickObjects, 2) << "both rods with their screws set aside";
  expectWithinIssueFigures(out.errors, "fusion L4-S1");
}

} // namespace
} // namespace drg::test
