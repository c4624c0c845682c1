// The body chart, the target guidance and the ranked suggestions for typical presentations, and the
// case file that records the accepted targets.
#include "drg/planning/PainMap.h"
#include "drg/imaging/Error.h"
#include "drg/planning/CaseFile.h"

#include "TestSupport.h"

#include <gtest/gtest.h>

#include <fstream>

using namespace drg::planning;
using drg::imaging::Side;

namespace
{

std::vector<TargetSuggestion> suggest(std::vector<std::string> regions)
{
  static const BodyChart chart = BodyChart::builtIn();
  static const TargetGuidance guidance = TargetGuidance::builtIn();
  return suggestTargets(PainMap{ std::move(regions) }, chart, guidance);
}

/// The first `n` suggestions as "L5-left" names.
std::vector<std::string> top(const std::vector<TargetSuggestion>& s, std::size_t n)
{
  std::vector<std::string> out;
  for (std::size_t i = 0; i < s.size() && i < n; ++i) {
    out.push_back(targetId(s[i].level, s[i].side));
  }
  return out;
}

bool has(const std::vector<std::string>& names, const std::string& name)
{
  return std::find(names.begin(), names.end(), name) != names.end();
}

} // namespace

TEST(BodyChart, EveryRegionHasBothSidesDrawnMirroredOnItsView)
{
  const BodyChart chart = BodyChart::builtIn();
  EXPECT_GE(chart.regions().size(), 30u);
  const ChartRegion* left = chart.region("knee-front-left");
  const ChartRegion* right = chart.region("knee-front-right");
  ASSERT_TRUE(left && right);
  EXPECT_EQ(left->view, ChartView::Front);
  // the front view shows the patient's left on the viewer's right
  EXPECT_GT(left->polygon[0].x(), chart.width() / 2);
  EXPECT_LT(right->polygon[0].x(), chart.width() / 2);
  const ChartRegion* sole = chart.region("foot-sole-left");
  ASSERT_TRUE(sole);
  EXPECT_EQ(sole->view, ChartView::Back);
  // the back view shows the patient's left on the viewer's left
  EXPECT_LT(sole->polygon[0].x(), chart.width() / 2);
  EXPECT_EQ(chart.outline(ChartView::Front).size(), 3u); // body and two arms
}

TEST(BodyChart, AClickFindsTheRegionUnderIt)
{
  const BodyChart chart = BodyChart::builtIn();
  // a point in the middle of each region's polygon finds that region, on its view only
  for (const auto& r : chart.regions()) {
    Eigen::Vector2d c(0, 0);
    for (const auto& p : r.polygon) {
      c += p;
    }
    c /= static_cast<double>(r.polygon.size());
    const ChartRegion* hit = chart.regionAt(r.view, c);
    ASSERT_NE(hit, nullptr) << r.id;
    EXPECT_EQ(hit->id, r.id);
  }
  EXPECT_EQ(chart.regionAt(ChartView::Front, { 1, 1 }), nullptr); // outside the body
}

TEST(BodyChart, BrokenChartsAreRefusedNamingTheRegion)
{
  EXPECT_THROW(BodyChart::fromJson("{}", "x"), drg::Error);
  const std::string bad = R"({"format": "drgplan-body-chart", "width": 100, "height": 210, "source": "s",
    "outline": {"half_body": [[0, 1], [5, 2], [0, 9]]},
    "regions": [{"id": "knee", "label": "knee", "view": "side", "polygon": [[0, 1], [5, 2], [0, 9]]}]})";
  try {
    BodyChart::fromJson(bad, "chart.json");
    FAIL();
  } catch (const drg::Error& e) {
    EXPECT_NE(std::string(e.what()).find("regions[knee]"), std::string::npos) << e.what();
  }
}

TEST(TargetGuidance, EveryRegionHasDermatomesAndEveryRuleASource)
{
  const TargetGuidance g = TargetGuidance::builtIn();
  EXPECT_FALSE(g.dermatomeSource.empty());
  EXPECT_FALSE(g.dermatomesVerified);
  EXPECT_GE(g.rules.size(), 4u);
  for (const auto& r : g.rules) {
    EXPECT_FALSE(r.source.empty()) << r.id;
    EXPECT_FALSE(r.verified) << r.id << ": seed guidance is unverified until a person checks it";
  }
}

TEST(TargetGuidance, GuidanceLeavingAChartRegionWithoutDermatomesIsRefused)
{
  const BodyChart chart = BodyChart::builtIn();
  const std::string head =
    R"({"format": "drgplan-target-guidance", "dermatomes": {"source": "s", "regions": {}},
    "rules": []})";
  // every region of the chart needs its dermatomes
  EXPECT_THROW(TargetGuidance::fromJson(head, "g.json", chart), drg::Error);
}

TEST(PainTargets, FootPainSuggestsL5AndS1)
{
  const auto s = suggest({ "foot-dorsum-left", "foot-sole-left" });
  EXPECT_EQ(top(s, 3), (std::vector<std::string>{ "L5-left", "S1-left", "L4-left" }));
  EXPECT_NE(s[0].reason.find("foot pain"), std::string::npos) << s[0].reason;
  EXPECT_FALSE(s[0].sources.empty());
}

TEST(PainTargets, PainInTheSoleAloneSuggestsS1First)
{
  const auto s = suggest({ "foot-sole-right" });
  EXPECT_EQ(top(s, 1)[0], "S1-right");
  for (const auto& t : s) {
    EXPECT_EQ(t.side, Side::Right); // one-sided pain, one-sided targets
  }
}

TEST(PainTargets, KneePainSuggestsL3ThenL4)
{
  const auto s = suggest({ "knee-front-left" });
  EXPECT_EQ(top(s, 2), (std::vector<std::string>{ "L3-left", "L4-left" }));
}

TEST(PainTargets, GroinPainSuggestsL1ThenT12)
{
  const auto s = suggest({ "groin-right" });
  EXPECT_EQ(top(s, 2), (std::vector<std::string>{ "L1-right", "T12-right" }));
}

TEST(PainTargets, DiscogenicLowBackPainSuggestsL2OnBothSides)
{
  const auto s = suggest({ "low-back-left", "low-back-right" });
  const auto best = top(s, 2);
  EXPECT_TRUE(has(best, "L2-left") && has(best, "L2-right"));
  EXPECT_NE(s[0].reason.find("discogenic"), std::string::npos) << s[0].reason;
}

TEST(PainTargets, CrpsOfTheFootSuggestsL4ToS1)
{
  // the whole foot and ankle: dorsum, sole, heel and the lower shin
  const auto s = suggest({ "foot-dorsum-left", "foot-sole-left", "heel-left", "leg-front-medial-left" });
  const auto best = top(s, 3);
  EXPECT_TRUE(has(best, "S1-left") && has(best, "L5-left") && has(best, "L4-left"));
  // the foot rule counts once however many of its regions are marked
  int footRules = 0;
  for (std::size_t at = s[0].reason.find("foot pain"); at != std::string::npos;
       at = s[0].reason.find("foot pain", at + 1)) {
    ++footRules;
  }
  EXPECT_EQ(footRules, 1) << s[0].reason;
}

TEST(PainTargets, PostHerniorrhaphyGroinPainSuggestsL1FirstThenT12AndL2)
{
  // the groin and the front of the upper thigh (genitofemoral and ilioinguinal territory)
  const auto s = suggest({ "groin-left", "thigh-front-upper-left" });
  EXPECT_EQ(top(s, 1)[0], "L1-left");
  const auto next = top(s, 3);
  EXPECT_TRUE(has(next, "L2-left") && has(next, "T12-left"));
}

TEST(PainTargets, CalfPainSuggestsS1BeforeTheUnplannableS2)
{
  const auto s = suggest({ "calf-right" });
  ASSERT_GE(s.size(), 2u);
  EXPECT_EQ(top(s, 1)[0], "S1-right");
}

TEST(PainTargets, ReasonsDoNotClaimADiagnosisThePainMapCannotKnow)
{
  const auto s = suggest({ "low-back-left" });
  EXPECT_NE(s[0].reason.find("if discogenic low back pain"), std::string::npos) << s[0].reason;
}

TEST(PainTargets, GangliaBelowS1AreSuggestedButSaidNotPlannable)
{
  const auto s = suggest({ "thigh-back-left" });
  ASSERT_FALSE(s.empty());
  EXPECT_EQ(s[0].level, "S2");
  EXPECT_FALSE(s[0].plannable);
}

TEST(PainTargets, AnUnknownRegionIsRefusedWithTheNearestNames)
{
  try {
    suggest({ "foot-soles-left" });
    FAIL();
  } catch (const drg::Error& e) {
    EXPECT_EQ(e.code(), drg::ErrorCode::InvalidArgument);
    EXPECT_NE(std::string(e.what()).find("foot-sole-left"), std::string::npos) << e.what();
  }
  EXPECT_THROW(suggest({}), drg::Error);
  EXPECT_THROW(suggest({ "knee-front-left", "knee-front-left" }), drg::Error);
}

TEST(CaseFile, AcceptedTargetsRoundTripAndSayWhereTheyCameFrom)
{
  const auto s = suggest({ "knee-front-left" });
  CaseRecord r;
  r.pain.regions = { "knee-front-left" };
  r.targets = acceptTargets({ "L3-left", "L2-left" }, s, 4);
  r.targetsAcceptedAt = "2026-12-07T10:00:00Z";
  ASSERT_EQ(r.targets.size(), 2u);
  EXPECT_TRUE(r.targets[0].suggested);
  EXPECT_FALSE(r.targets[1].suggested); // L2 is not among the knee's suggestions
  EXPECT_EQ(r.targets[1].reason, "chosen by the user");
  drg::test::TemporaryFolder dir("case");
  saveCase(r, dir.path() / "case-1");
  const CaseRecord back = loadCase(dir.path() / "case-1");
  EXPECT_EQ(caseToJson(back), caseToJson(r));
}

TEST(CaseFile, TooManyRepeatedOrBadTargetsAreRefused)
{
  EXPECT_THROW(acceptTargets({ "L1-left", "L2-left", "L3-left", "L4-left", "L5-left" }, {}, 4), drg::Error);
  EXPECT_THROW(acceptTargets({ "L1-left", "L1-left" }, {}, 4), drg::Error);
  EXPECT_THROW(acceptTargets({ "L9-left" }, {}, 4), drg::Error);
}

TEST(CaseFile, AFolderWithoutACaseAndANewerCaseFileAreRefusedClearly)
{
  drg::test::TemporaryFolder dir("case");
  try {
    loadCase(dir.path());
    FAIL();
  } catch (const drg::Error& e) {
    EXPECT_EQ(e.code(), drg::ErrorCode::NotFound);
  }
  std::ofstream(dir.path() / "case.json") << R"({"format": "drgplan-case", "version": 99})";
  try {
    loadCase(dir.path());
    FAIL();
  } catch (const drg::Error& e) {
    EXPECT_EQ(e.code(), drg::ErrorCode::Unsupported);
  }
  std::ofstream(dir.path() / "case.json") << "not json";
  EXPECT_THROW(loadCase(dir.path()), drg::Error);
}

TEST(CaseFile, APlanSavedInACaseFolderJoinsItsTimelineOnce)
{
  drg::test::TemporaryFolder dir("case");
  CaseRecord r;
  r.label = "X";
  saveCase(r, dir.path() / "case");
  std::filesystem::create_directories(dir.path() / "case" / "trial");
  const auto plan = dir.path() / "case" / "trial" / "plan.drgplan.json";
  std::ofstream(plan) << "{}";
  EXPECT_EQ(caseFolderOf(plan), dir.path() / "case");
  EXPECT_EQ(recordPlanInCase(plan, PlanKind::Trial, "3 leads"), dir.path() / "case");
  EXPECT_TRUE(recordPlanInCase(plan, PlanKind::Trial, "3 leads").empty()); // the same file: not again
  const CaseRecord back = loadCase(dir.path() / "case");
  ASSERT_EQ(back.stages.size(), 1u);
  EXPECT_EQ(back.stages[0].kind, "trial-plan");
  EXPECT_EQ(back.stages[0].file, "trial/plan.drgplan.json");
  // a plan in no case's folder
  std::filesystem::create_directories(dir.path() / "loose");
  EXPECT_TRUE(recordPlanInCase(dir.path() / "loose" / "p.drgplan.json", PlanKind::Permanent, "").empty());
}
