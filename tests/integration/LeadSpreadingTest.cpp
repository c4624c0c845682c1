// Leads kept apart: two leads whose default techniques make them cross are spread by the planner
// (another approach or window), never when the user chose the technique; Retarget renames a lead
// named after its target. On the phantom, checked on the routes themselves.
#include "drg/imaging/SpineModel.h"
#include "drg/imaging/SpinePhantom.h"
#include "drg/planning/PlanEditor.h"
#include "drg/planning/Planner.h"

#include "PhantomPlanning.h"
#include "TestSupport.h"

#include <gtest/gtest.h>

#include <algorithm>

using namespace drg::imaging;
using namespace drg::planning;

namespace
{

/// The demo's phantom (the coarse test phantom's default leads pass 4 mm apart), built once.
const drg::test::PhantomPlanning& spreadCase()
{
  static const drg::test::PhantomPlanning c(PhantomOptions{});
  return c;
}

/// The closest approach of two leads' routes (mm).
double apart(const LeadPlan& a, const LeadPlan& b)
{
  double best = 1e9;
  for (const auto& p : a.route) {
    for (const auto& q : b.route) {
      best = std::min(best, (p - q).norm());
    }
  }
  return best;
}

bool hasFinding(const Plan& plan, const std::string& code)
{
  return std::any_of(plan.findings.begin(), plan.findings.end(),
                     [&](const Finding& f) { return f.code == code; });
}

} // namespace

// The L4 and L5 ganglia of one side both default to the contralateral approach through L5/S1: the
// two leads then run together (or cross) in the canal. The planner moves the second to another approach or
// window and says so; chosen by the user, the technique stays and the crossing is a finding.
TEST(LeadSpreading, SecondLeadThroughTheSameWindowIsMovedClearUnlessChosen)
{
  const drg::test::PhantomPlanning& c = spreadCase();
  // apart: at least the rules' spacing between two leads (and never less than a lead's diameter)
  const double spacing = std::max(DeviceCatalog::builtIn().leads().front().diameterMm.value,
                                  PlanRules::builtIn().leadSpacingMm.value);

  PlanEditor chosen(*c.planner);
  chosen.addLead("L4 left", "L4", Side::Left);
  chosen.addLead("L5 left", "L5", Side::Left);
  const LeadPlan defaults = c.planner->newLead("L5 left", "L5", Side::Left);
  chosen.setApproach(1, defaults.approach, defaults.entryLevel); // the default, but as the user's choice
  const Plan& kept = chosen.plan();
  ASSERT_TRUE(kept.leads[0].planned && kept.leads[1].planned);
  EXPECT_EQ(kept.leads[1].approach, defaults.approach);
  EXPECT_EQ(kept.leads[1].entryLevel, defaults.entryLevel);
  EXPECT_EQ(kept.leads[1].spreadNote, "");
  ASSERT_LT(apart(kept.leads[0], kept.leads[1]), spacing)
    << "this phantom's two default leads no longer cross: the test needs another pair";
  EXPECT_TRUE(hasFinding(kept, "leads-crossing") || hasFinding(kept, "leads-crowding"));
  EXPECT_FALSE(hasFinding(kept, "lead-spread"));

  PlanEditor spread(*c.planner);
  spread.addLead("L4 left", "L4", Side::Left);
  spread.addLead("L5 left", "L5", Side::Left);
  const Plan& p = spread.plan();
  ASSERT_TRUE(p.leads[0].planned && p.leads[1].planned);
  EXPECT_TRUE(p.leads[1].approach != defaults.approach || p.leads[1].entryLevel != defaults.entryLevel);
  // clearer than before: no longer crossing where the default crossed, clear where it crowded
  const double before = apart(kept.leads[0], kept.leads[1]);
  const double diameter = DeviceCatalog::builtIn().leads().front().diameterMm.value;
  EXPECT_GE(apart(p.leads[0], p.leads[1]), before < diameter ? diameter : spacing);
  if (before < diameter) {
    EXPECT_FALSE(hasFinding(p, "leads-crossing"));
  } else {
    EXPECT_FALSE(hasFinding(p, "leads-crowding"));
  }
  EXPECT_TRUE(hasFinding(p, "lead-spread"));
  EXPECT_NE(p.leads[1].spreadNote.find(" L4 left"), std::string::npos) << p.leads[1].spreadNote;
  EXPECT_FALSE(p.leads[1].techniqueChosen);
  // the first lead is where it was: only the later one moves
  EXPECT_EQ(p.leads[0].epiduralEntry, kept.leads[0].epiduralEntry);
  // re-planning the same plan keeps the spread lead as it is (no flip back and forth)
  Plan again = p;
  c.planner->recompute(again);
  EXPECT_EQ(planToJson(again), planToJson(p));
}

// Retarget: a lead named after its target takes the new target's name ("L2 left" aimed at L1 is
// "L1 left"); a name the user gave stays.
TEST(LeadSpreading, RetargetRenamesALeadNamedAfterItsTarget)
{
  const drg::test::PhantomPlanning& c = spreadCase();
  PlanEditor editor(*c.planner);
  editor.addLead("L2-left", "L2", Side::Left);
  editor.addLead("the painful knee", "L3", Side::Left);
  editor.setTarget(0, "L1", Side::Left);
  editor.setTarget(1, "L4", Side::Right);
  EXPECT_EQ(editor.plan().leads[0].name, "L1 left");
  EXPECT_EQ(editor.plan().leads[1].name, "the painful knee");
  editor.undo();
  editor.undo();
  EXPECT_EQ(editor.plan().leads[0].name, "L2-left");
}
