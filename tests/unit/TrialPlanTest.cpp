// Trial and permanent plans in the plan file (version 2, and version 1 files opening as permanent
// plans), trial results, which leads a permanent plan keeps and what is said about the choice.
#include "drg/planning/TrialPlan.h"
#include "drg/imaging/Error.h"
#include "drg/planning/Plan.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

using namespace drg::planning;

namespace
{

/// A trial plan of three unplanned leads (no images needed for the file's parts under test).
Plan trialPlan()
{
  Plan p;
  p.kind = PlanKind::Trial;
  p.study.source = "/data/ct";
  p.study.seriesUid = "1.2.3";
  p.study.frameOfReferenceUid = "1.2.4";
  for (const char* level : { "L3", "L4", "L5" }) {
    LeadPlan l;
    l.name = std::string(level) + " left";
    l.targetLevel = level;
    l.entryLevel = "L5";
    l.leadModel = "drg-lead-4ring";
    p.leads.push_back(l);
  }
  p.indication =
    PlanIndication{ { "knee-front-left" }, { { "L3", Side::Left, true, "knee pain: L3 DRG" } }, "t" };
  return p;
}

TrialResult result(double relief, bool keep)
{
  TrialResult r;
  r.reliefPercent = relief;
  r.keep = keep;
  r.enteredAt = "2026-12-07T10:00:00Z";
  return r;
}

} // namespace

TEST(TrialPlan, KindResultsAndIndicationRoundTrip)
{
  Plan p = trialPlan();
  setTrialResult(p, 0, result(70, true));
  p.leads[0].trialResult->coveragePercent = 80;
  p.leads[0].trialResult->contactsUsed = "2-3";
  const std::string text = planToJson(p);
  const Plan back = planFromJson(text, "memory");
  EXPECT_EQ(back.kind, PlanKind::Trial);
  ASSERT_TRUE(back.leads[0].trialResult.has_value());
  EXPECT_EQ(*back.leads[0].trialResult, *p.leads[0].trialResult);
  EXPECT_FALSE(back.leads[1].trialResult.has_value());
  ASSERT_TRUE(back.indication.has_value());
  EXPECT_EQ(*back.indication, *p.indication);
  EXPECT_EQ(planToJson(back), text);
}

TEST(TrialPlan, AVersionOneFileOpensAsAPermanentPlan)
{
  // today's plan files (version 1) knew no kind: they open unchanged, as permanent plans
  Plan p = trialPlan();
  p.kind = PlanKind::Permanent;
  p.indication.reset();
  nlohmann::json j = nlohmann::json::parse(planToJson(p));
  j["version"] = 1;
  j.erase("kind");
  const Plan back = planFromJson(j.dump(1), "old.drgplan.json");
  EXPECT_EQ(back.kind, PlanKind::Permanent);
  EXPECT_EQ(back.leads.size(), 3u);
  EXPECT_TRUE(back == p);
}

TEST(TrialPlan, FilesMixingTheKindsPartsAreRefusedNamingTheField)
{
  auto refused = [](const std::function<void(nlohmann::json&)>& change, const std::string& fragment) {
    Plan p = trialPlan();
    setTrialResult(p, 0, result(70, true));
    nlohmann::json j = nlohmann::json::parse(planToJson(p));
    change(j);
    try {
      planFromJson(j.dump(1), "t.drgplan.json");
      ADD_FAILURE() << "accepted; expected " << fragment;
    } catch (const drg::Error& e) {
      EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
    }
  };
  refused([](nlohmann::json& j) { j["kind"] = "permanent"; }, "leads[0].trial_result");
  refused([](nlohmann::json& j) { j["pocket"] = nlohmann::json::object(); }, "a trial plan has no pocket");
  refused([](nlohmann::json& j) { j["leads"][0]["trial_result"]["relief_percent"] = 140; }, "relief_percent");
  refused([](nlohmann::json& j) { j["kind"] = "temporary"; }, "kind");
  refused([](nlohmann::json& j) { j.erase("kind"); }, "kind");
}

TEST(TrialPlan, ResultsBelongToATrialAndArePercentages)
{
  Plan p = trialPlan();
  EXPECT_THROW(setTrialResult(p, 0, result(140, true)), drg::Error);
  EXPECT_THROW(setTrialResult(p, 7, result(40, true)), drg::Error);
  TrialResult overCovered = result(40, true);
  overCovered.coveragePercent = 101;
  EXPECT_THROW(setTrialResult(p, 0, overCovered), drg::Error);
  p.kind = PlanKind::Permanent;
  EXPECT_THROW(setTrialResult(p, 0, result(40, true)), drg::Error);
}

TEST(TrialPlan, LeadsAreFoundByNameOrTargetWhateverTheSpelling)
{
  const Plan p = trialPlan();
  EXPECT_EQ(findLead(p, "L4 left"), 1);
  EXPECT_EQ(findLead(p, "l4-LEFT"), 1);
  EXPECT_EQ(findLead(p, "L5_left"), 2);
  try {
    findLead(p, "L4-right");
    FAIL();
  } catch (const drg::Error& e) {
    EXPECT_NE(std::string(e.what()).find("L3 left, L4 left, L5 left"), std::string::npos) << e.what();
  }
}

TEST(TrialPlan, ThePermanentPlanKeepsWhatTheResultsSayUnlessTold)
{
  Plan p = trialPlan();
  EXPECT_THROW(leadsToKeep(p, {}), drg::Error); // no results, nothing named
  setTrialResult(p, 0, result(70, true));
  setTrialResult(p, 1, result(20, false));
  setTrialResult(p, 2, result(40, true));
  EXPECT_EQ(leadsToKeep(p, {}), (std::vector<int>{ 0, 2 }));
  EXPECT_EQ(leadsToKeep(p, { "L4-left" }), (std::vector<int>{ 1 }));
  EXPECT_THROW(leadsToKeep(p, { "L4-left", "L4 left" }), drg::Error);
  // what a person should hear: below the success criterion, against the result, a kept one left out
  const PlanRules rules = PlanRules::builtIn();
  const auto notes = keepNotes(p, { 1, 2 }, rules);
  ASSERT_EQ(notes.size(), 3u);
  EXPECT_NE(notes[0].find("left out although its trial result says keep"), std::string::npos) << notes[0];
  EXPECT_NE(notes[1].find("says drop"), std::string::npos) << notes[1];
  EXPECT_NE(notes[2].find("below the 50 % success criterion"), std::string::npos) << notes[2];
  Plan permanent = p;
  permanent.kind = PlanKind::Permanent;
  EXPECT_THROW(leadsToKeep(permanent, {}), drg::Error);
}

TEST(TrialPlan, TheTrialSummaryIsCheckedAndCountsItsDays)
{
  Plan p = trialPlan();
  setTrialSummary(p, TrialSummary{ "2026-11-28", "2026-12-05", 8, 3 });
  EXPECT_EQ(p.trialSummary->days(), 7);                                      // across the month's end
  EXPECT_EQ((TrialSummary{ "2024-02-27", "2024-03-01", -1, -1 }.days()), 3); // a leap year
  EXPECT_EQ((TrialSummary{ "2026-11-28", "", -1, -1 }.days()), -1);
  EXPECT_THROW(setTrialSummary(p, TrialSummary{ "28.11.2026", "", -1, -1 }), drg::Error);
  EXPECT_THROW(setTrialSummary(p, TrialSummary{ "2026-12-05", "2026-11-28", -1, -1 }), drg::Error);
  EXPECT_THROW(setTrialSummary(p, TrialSummary{ "", "", 11, -1 }), drg::Error);
  const Plan back = planFromJson(planToJson(p), "memory");
  ASSERT_TRUE(back.trialSummary.has_value());
  EXPECT_EQ(*back.trialSummary, *p.trialSummary);
  p.kind = PlanKind::Permanent;
  EXPECT_THROW(setTrialSummary(p, TrialSummary{}), drg::Error);
}
