// The generator's pocket on both sides of symmetric anatomy, the length budget that waits for its
// tunnel, a pocket the field of view cuts off (the finding, the CLI and the report say why), and the
// skin entry against the prone patient's bony landmarks checked against the phantom's truth.
#include "drg/imaging/SpineModel.h"
#include "drg/imaging/SpinePhantom.h"
#include "drg/planning/PlanEditor.h"
#include "drg/planning/Planner.h"

#include "PhantomPlanning.h"
#include "TestSupport.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <memory>

using namespace drg::imaging;
using namespace drg::planning;
using drg::test::runCommand;

namespace
{

/// The default phantom, its spine model and a planner on it: built once for the PocketPhantom tests
/// (registered as one ctest test).
struct PhantomPlanning : drg::test::PhantomPlanning
{
  PhantomPlanning()
    : drg::test::PhantomPlanning(PhantomOptions{})
  {}

  static const PhantomPlanning& get()
  {
    static const PhantomPlanning c;
    return c;
  }

  /// The truth's spinous process tip of `level`: the middle of its label's dorsal-most voxels
  /// within 10 mm of the midline plane (x = 0 on the default phantom), within 1.5 mm of the deepest.
  Eigen::Vector3d truthSpinousTip(const std::string& level) const
  {
    int label = -1;
    for (const auto& v : phantom.truth.vertebrae) {
      label = v.level == level ? v.label : label;
    }
    const auto& g = phantom.labels.geometry();
    std::vector<Eigen::Vector3d> pts;
    for (std::size_t k = 0; k < g.size[2]; ++k) {
      for (std::size_t j = 0; j < g.size[1]; ++j) {
        for (std::size_t i = 0; i < g.size[0]; ++i) {
          if (phantom.labels.at(i, j, k) == label) {
            const Eigen::Vector3d p = g.indexToLps(Eigen::Vector3d(double(i), double(j), double(k)));
            if (std::abs(p.x()) < 10.0) {
              pts.push_back(p);
            }
          }
        }
      }
    }
    double deepest = -1e9;
    for (const auto& p : pts) {
      deepest = std::max(deepest, p.y());
    }
    Eigen::Vector3d sum = Eigen::Vector3d::Zero();
    int n = 0;
    for (const auto& p : pts) {
      if (p.y() >= deepest - 1.5) {
        sum += p;
        ++n;
      }
    }
    return sum / std::max(n, 1);
  }
};

PocketPlan plannedPocket(PocketSite site, Side side)
{
  const auto& c = PhantomPlanning::get();
  PlanEditor editor(*c.planner);
  editor.addLead("L5 left", "L5", Side::Left);
  editor.setPocket(site, side);
  return *editor.plan().pocket;
}

bool hasFinding(const Plan& plan, const std::string& code)
{
  return std::any_of(plan.findings.begin(), plan.findings.end(),
                     [&](const Finding& f) { return f.code == code; });
}

} // namespace

// The default phantom is mirror-symmetric about x = 0: both buttock and both abdominal pockets are
// placed, each the mirror image of the other within a few mm.
TEST(PocketPhantom, BothSidesOfBothSitesArePlacedMirrorSymmetric)
{
  for (PocketSite site : { PocketSite::Buttock, PocketSite::Abdomen }) {
    const PocketPlan left = plannedPocket(site, Side::Left);
    const PocketPlan right = plannedPocket(site, Side::Right);
    const std::string who = pocketSiteName(site);
    ASSERT_TRUE(left.placed) << who << " left: " << left.problem;
    ASSERT_TRUE(right.placed) << who << " right: " << right.problem;
    EXPECT_TRUE(left.problem.empty() && right.problem.empty());
    const Eigen::Vector3d mirror(-1, 1, 1);
    EXPECT_LT((left.centre - right.centre.cwiseProduct(mirror)).norm(), 3.0)
      << who << ": " << left.centre.transpose() << " vs " << right.centre.transpose();
    EXPECT_LT((left.skinPoint - right.skinPoint.cwiseProduct(mirror)).norm(), 3.0) << who;
    EXPECT_GT(left.centre.x(), 40.0) << who << " left is on the left";
    EXPECT_LT(right.centre.x(), -40.0) << who << " right is on the right";
    // the generator lies under the skin, its face at the pocket's depth
    EXPECT_NEAR((left.skinPoint - left.centre).norm(), left.depthMm + 0.5 * left.sizeMm.z(), 1e-6);
  }
}

// Without a pocket the tunnel is not known: no lead length is chosen, the budget says it is
// incomplete, and a warning says why.
TEST(PocketPhantom, WithoutAPocketNoLeadLengthIsBudgeted)
{
  const auto& c = PhantomPlanning::get();
  PlanEditor editor(*c.planner);
  editor.addLead("L4 left", "L4", Side::Left);
  const Plan& plan = editor.plan();
  ASSERT_TRUE(plan.leads[0].planned) << plan.leads[0].problem;
  const LengthBudget& b = plan.leads[0].budget;
  EXPECT_FALSE(b.complete);
  EXPECT_EQ(b.leadCm, 0.0);
  EXPECT_EQ(b.extensionCm, 0.0);
  EXPECT_FALSE(b.fits);
  EXPECT_EQ(b.tunnelMm, 0.0);
  EXPECT_TRUE(hasFinding(plan, "length-budget-incomplete"));
  // with the pocket placed the same lead is budgeted in full
  editor.setPocket(PocketSite::Buttock, Side::Left);
  EXPECT_TRUE(editor.plan().leads[0].budget.complete);
  EXPECT_GT(editor.plan().leads[0].budget.leadCm, 0.0);
  EXPECT_FALSE(hasFinding(editor.plan(), "length-budget-incomplete"));
}

// The skin entry against the bone, checked against the phantom's truth: the midline offset (the
// truth's spinous processes lie at x = 0), the nearest spinous process tip and pedicle in height,
// and the window's epidural entry above the skin entry.
TEST(PocketPhantom, SkinEntryIsGivenAgainstTheTruthsSpinousProcessesAndPedicles)
{
  const auto& c = PhantomPlanning::get();
  PlanEditor editor(*c.planner);
  editor.addLead("L4 left", "L4", Side::Left);
  editor.addLead("L5 right", "L5", Side::Right);
  editor.addLead("S1 left", "S1", Side::Left);
  for (const LeadPlan& l : editor.plan().leads) {
    ASSERT_TRUE(l.planned) << l.name << ": " << l.problem;
    const EntryLandmarks& e = l.entryLandmarks;
    ASSERT_TRUE(e.found) << l.name;
    EXPECT_NEAR(e.midlineOffsetMm, l.skinEntry.x(), 2.5) << l.name << ": the truth's midline is x = 0";
    EXPECT_NEAR(e.belowWindowMm, l.epiduralEntry.z() - l.skinEntry.z(), 1e-9) << l.name;
    EXPECT_EQ(e.window.substr(0, l.entryLevel.size() + 1), l.entryLevel + "/") << l.name;
    // the spinous process named is the truth's nearest in height, and its tip where the truth has it
    double bestGap = 1e9;
    std::string nearest;
    for (const std::string level : { "L3", "L4", "L5", "S1" }) {
      const double gap = std::abs(c.truthSpinousTip(level).z() - l.skinEntry.z());
      if (gap < bestGap) {
        bestGap = gap;
        nearest = level;
      }
    }
    EXPECT_EQ(e.spinousLevel, nearest) << l.name;
    EXPECT_NEAR(l.skinEntry.z() + e.belowSpinousMm, c.truthSpinousTip(e.spinousLevel).z(), 3.0) << l.name;
    // the pedicle named is the truth's nearest in height on the entry's side
    const Side side = l.skinEntry.x() > 0 ? Side::Left : Side::Right;
    const PhantomPedicle* truthPedicle = nullptr;
    for (const auto& p : c.phantom.truth.pedicles) {
      if (p.side == side && (!truthPedicle || std::abs(p.centre.z() - l.skinEntry.z()) <
                                                std::abs(truthPedicle->centre.z() - l.skinEntry.z()))) {
        truthPedicle = &p;
      }
    }
    ASSERT_NE(truthPedicle, nullptr);
    EXPECT_EQ(e.pedicleLevel, truthPedicle->level) << l.name;
    EXPECT_NEAR(l.skinEntry.z() + e.belowPedicleMm, truthPedicle->centre.z(), 3.0) << l.name;
    EXPECT_FALSE(entryLandmarksText(e).empty());
  }
}

// A field of view 160 mm wide ends before the buttocks: the pocket is not placed, the finding says
// where the image ends, no lead length is budgeted, and the CLI and the report's first page say so.
TEST(Pocket, CutOffByTheFieldOfViewIsAnErrorNamingWhyAndTheReportSaysSo)
{
  DRG_REQUIRE_TOOL("pdftotext");
  drg::test::TemporaryFolder dir("pocket");
  const std::string cli = DRG_CLI_PATH;
  ASSERT_EQ(runCommand(cli + " -q phantom --out " + (dir.path() / "p").string() +
                       " --matrix 100,256,200 --spacing 1.6,1.6,2")
              .exitCode,
            0);
  const auto planned =
    runCommand(cli + " -q plan " + (dir.path() / "p" / "dicom").string() +
               " --targets L4-left --pocket buttock-left --out " + (dir.path() / "plan").string());
  ASSERT_EQ(planned.exitCode, 0) << planned.output;
  EXPECT_NE(planned.output.find("NOT PLACED: no skin found over the left buttock inside the image: the "
                                "field of view ends "),
            std::string::npos)
    << planned.output;
  EXPECT_NE(planned.output.find("lead lengths not budgeted"), std::string::npos) << planned.output;
  EXPECT_EQ(planned.output.find(" 50 cm"), std::string::npos) << "no lead length chosen: " << planned.output;
  // the scan was supine (the phantom's default, HFS): the note
  EXPECT_NE(planned.output.find("note: planning CT supine (HFS), procedure prone"), std::string::npos)
    << planned.output;
  const Plan plan = loadPlan(dir.path() / "plan" / "plan.drgplan.json");
  ASSERT_TRUE(plan.pocket.has_value());
  EXPECT_FALSE(plan.pocket->placed);
  EXPECT_NE(plan.pocket->problem.find("field of view ends"), std::string::npos) << plan.pocket->problem;
  ASSERT_TRUE(plan.leads[0].planned);
  EXPECT_FALSE(plan.leads[0].budget.complete);
  EXPECT_EQ(plan.leads[0].budget.leadCm, 0.0);
  const auto f = std::find_if(plan.findings.begin(), plan.findings.end(),
                              [](const Finding& x) { return x.code == "pocket-not-placed"; });
  ASSERT_NE(f, plan.findings.end());
  EXPECT_EQ(f->severity, Severity::Error);
  EXPECT_NE(f->message.find("mm left of S1's body"), std::string::npos) << f->message;
  EXPECT_EQ(plan.study.patientPosition, "HFS");
  // the report's first page says it plainly
  const auto r = runCommand(cli + " -q report " + (dir.path() / "plan" / "plan.drgplan.json").string() +
                            " --pdf --out " + (dir.path() / "r").string());
  ASSERT_EQ(r.exitCode, 0) << r.output;
  const auto page1 =
    runCommand("pdftotext -f 1 -l 1 -layout " + (dir.path() / "r" / "report.pdf").string() + " -");
  EXPECT_NE(page1.output.find("POCKET NOT PLACED"), std::string::npos) << page1.output;
  EXPECT_NE(page1.output.find("No lead length is budgeted"), std::string::npos) << page1.output;
  EXPECT_NE(page1.output.find("length not budgeted"), std::string::npos) << page1.output;
  EXPECT_NE(page1.output.find("supine (HFS)"), std::string::npos) << page1.output;
  const auto page2 = runCommand("pdftotext -f 2 -l 2 " + (dir.path() / "r" / "report.pdf").string() + " -");
  EXPECT_NE(page2.output.find("In the OR (prone)"), std::string::npos) << page2.output;
  EXPECT_NE(page2.output.find("NOT BUDGETED"), std::string::npos) << page2.output;
}
