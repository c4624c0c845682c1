// Plan files: round trip, refusals of corrupt, foreign and newer files, and a save killed midway
// that loses nothing. No images needed: the plans are made up.
#include "drg/imaging/Error.h"
#include "drg/planning/Plan.h"

#include "TestSupport.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <csignal>
#include <fstream>
#include <functional>
#include <limits>
#include <random>
#include <sstream>
#include <sys/wait.h>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace drg::planning;

namespace
{

Plan madeUpPlan(int seed, int routePoints)
{
  std::mt19937 rng(static_cast<unsigned>(seed));
  std::uniform_real_distribution<double> u(-100.0, 100.0);
  auto point = [&] { return Vector3d(u(rng), u(rng), u(rng)); };
  Plan p;
  p.study.source = "/data/case " + std::to_string(seed);
  p.study.modality = "CT";
  p.study.seriesUid = "1.2.3." + std::to_string(seed);
  p.study.frameOfReferenceUid = "1.2.4";
  p.study.levelAnchor = "sacrum";
  for (int i = 0; i < 2; ++i) {
    LeadPlan l;
    l.name = "lead " + std::to_string(i + 1);
    l.targetLevel = i == 0 ? "L4" : "S1";
    l.targetSide = i == 0 ? Side::Left : Side::Right;
    l.approach = i == 0 ? Approach::ContralateralInterlaminar : Approach::Sacral;
    l.entryLevel = "L5";
    l.leadModel = "drg-lead-4ring";
    l.needle = "tuohy-14g";
    l.skinEntryOverride = point();
    l.locked = i == 1;
    l.planned = true;
    l.target = point();
    l.skinEntry = point();
    l.epiduralEntry = point();
    l.needleDepthMm = std::abs(u(rng));
    for (int k = 0; k < routePoints; ++k) {
      l.route.push_back(point());
    }
    for (int k = 0; k < 4; ++k) {
      l.contacts.push_back(point());
    }
    l.tunnel = { point(), point() };
    l.budget.totalMm = 400.0 + seed;
    l.budget.leadCm = 50;
    l.budget.fits = true;
    p.leads.push_back(l);
  }
  PocketPlan pocket;
  pocket.generator = "ipg-4port";
  pocket.depthMm = 15;
  pocket.centre = point();
  pocket.placed = true;
  p.pocket = pocket;
  p.findings.push_back({ "needle-angle-steep", Severity::Warning, 0, 45.0, 30.0, "deg", "steep" });
  return p;
}

std::string readAll(const fs::path& f)
{
  std::ifstream in(f, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void expectError(const std::string& text, drg::ErrorCode code, const std::string& fragment)
{
  try {
    planFromJson(text, "test.drgplan.json");
    FAIL() << "accepted: " << text.substr(0, 80);
  } catch (const drg::Error& e) {
    EXPECT_EQ(e.code(), code) << e.what();
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
  }
}

} // namespace

TEST(PlanFile, RoundTripIsExact)
{
  const Plan plan = madeUpPlan(1, 50);
  const std::string text = planToJson(plan);
  const Plan back = planFromJson(text, "memory");
  EXPECT_EQ(planToJson(back), text);
  EXPECT_TRUE(back == plan);
  EXPECT_EQ(back.leads.size(), 2u);
  EXPECT_TRUE(back.leads[1].locked);
  EXPECT_EQ(back.leads[1].approach, Approach::Sacral);
  ASSERT_TRUE(back.leads[0].skinEntryOverride.has_value());
  EXPECT_EQ(*back.leads[0].skinEntryOverride, *plan.leads[0].skinEntryOverride);
  EXPECT_FALSE(back.leads[0].epiduralEntryOverride.has_value());
}

// The transitional anatomy the user declared travels with the plan (reports and reopening rebuild
// the levels so); a plan without one is written as before, and an unknown word is refused.
TEST(PlanFile, NeedleAnglesRoundTripAndUnknownOnesStayUnknown)
{
  Plan plan = madeUpPlan(3, 5);
  plan.leads[0].needleToSkinDeg = 28.5;
  plan.leads[0].needleToLaminaLineDeg = 37.25;
  plan.leads[0].needleApMedioLateralDeg = 12.0;
  plan.leads[1].needleToSkinDeg = std::numeric_limits<double>::quiet_NaN(); // the skin line not seen
  const Plan back = planFromJson(planToJson(plan), "memory");
  EXPECT_EQ(back.leads[0].needleToSkinDeg, 28.5);
  EXPECT_EQ(back.leads[0].needleToLaminaLineDeg, 37.25);
  EXPECT_EQ(back.leads[0].needleApMedioLateralDeg, 12.0);
  EXPECT_TRUE(std::isnan(back.leads[1].needleToSkinDeg));
}

TEST(PlanFile, FileFromBeforeTheFluoroscopicAnglesLoadsWithThemUnknown)
{
  // the old fields (the angle to the table, a 3D tilt) in place of the new ones
  auto j = nlohmann::json::parse(planToJson(madeUpPlan(4, 5)));
  for (auto& lead : j["leads"]) {
    auto& needle = lead["derived"]["needle"];
    needle.erase("to_skin_deg");
    needle.erase("to_lamina_line_deg");
    needle.erase("ap_medio_lateral_deg");
    needle["cranio_caudal_deg"] = 65.0;
    needle["medio_lateral_deg"] = 15.0;
  }
  const Plan back = planFromJson(j.dump(), "old.drgplan.json");
  for (const auto& l : back.leads) {
    EXPECT_TRUE(std::isnan(l.needleToSkinDeg) && std::isnan(l.needleToLaminaLineDeg) &&
                std::isnan(l.needleApMedioLateralDeg))
      << l.name;
  }
}

TEST(PlanFile, DeclaredTransitionalAnatomyRoundTrips)
{
  Plan plan = madeUpPlan(1, 50);
  const std::string before = planToJson(plan);
  EXPECT_EQ(before.find("declared_transitional"), std::string::npos) << "written when nothing was declared";
  plan.study.declaredTransitional = "L6";
  const Plan back = planFromJson(planToJson(plan), "memory");
  EXPECT_EQ(back.study.declaredTransitional, "L6");
  nlohmann::json j = nlohmann::json::parse(before);
  j["study"]["declared_transitional"] = "sacralised-l5";
  EXPECT_EQ(planFromJson(j.dump(), "memory").study.declaredTransitional, "sacralized-L5");
  j["study"]["declared_transitional"] = "L7";
  expectError(j.dump(), drg::ErrorCode::Format, "declared_transitional");
}

// The scan's patient position, the skin entry's bony landmarks, whether the length budget is
// complete and why the pocket was not placed travel with the plan.
TEST(PlanFile, PatientPositionEntryLandmarksBudgetAndPocketProblemRoundTrip)
{
  Plan plan = madeUpPlan(3, 20);
  plan.study.patientPosition = "HFS";
  EntryLandmarks& e = plan.leads[0].entryLandmarks;
  e.found = true;
  e.midlineOffsetMm = -18.5;
  e.spinousLevel = "L5";
  e.belowSpinousMm = 4.25;
  e.pedicleLevel = "S1";
  e.belowPedicleMm = -7.5;
  e.window = "L5/S1";
  e.belowWindowMm = 38.0;
  plan.leads[0].budget.complete = true;
  plan.pocket->placed = false;
  plan.pocket->problem = "no skin found over the left buttock inside the image";
  const Plan back = planFromJson(planToJson(plan), "memory");
  EXPECT_TRUE(back == plan);
  EXPECT_EQ(back.study.patientPosition, "HFS");
  EXPECT_TRUE(back.leads[0].entryLandmarks.found);
  EXPECT_EQ(back.leads[0].entryLandmarks.spinousLevel, "L5");
  EXPECT_DOUBLE_EQ(back.leads[0].entryLandmarks.belowSpinousMm, 4.25);
  EXPECT_FALSE(back.leads[1].entryLandmarks.found);
  EXPECT_TRUE(back.leads[0].budget.complete);
  EXPECT_FALSE(back.leads[1].budget.complete);
  EXPECT_EQ(back.pocket->problem, plan.pocket->problem);
}

// A file written before these fields existed still loads: no position (unknown), no landmarks, and
// a budget is complete when it holds a tunnel.
TEST(PlanFile, OlderFilesWithoutPositionLandmarksOrBudgetCompletenessLoad)
{
  Plan plan = madeUpPlan(4, 20);
  plan.leads[0].budget.tunnelMm = 120.0;
  nlohmann::json j = nlohmann::json::parse(planToJson(plan));
  for (auto& l : j["leads"]) {
    l["derived"]["length_budget"].erase("complete");
    EXPECT_FALSE(l["derived"].contains("entry_landmarks"));
  }
  EXPECT_FALSE(j["study"].contains("patient_position"));
  const Plan back = planFromJson(j.dump(), "older.drgplan.json");
  EXPECT_EQ(back.study.patientPosition, "");
  EXPECT_TRUE(back.leads[0].budget.complete) << "a budget with its tunnel";
  EXPECT_FALSE(back.leads[1].budget.complete) << "a budget without a tunnel";
  EXPECT_FALSE(back.leads[0].entryLandmarks.found);
  EXPECT_EQ(back.pocket->problem, "");
}

TEST(PlanFile, RefusesCorruptForeignAndNewerFiles)
{
  const std::string good = planToJson(madeUpPlan(2, 10));
  expectError(good.substr(0, good.size() / 2), drg::ErrorCode::Format, "damaged or cut short");
  expectError("", drg::ErrorCode::Format, "damaged");
  expectError(R"({"format": "drgplan-device-catalog", "version": 1})", drg::ErrorCode::Format,
              "not a drgplan plan file");
  expectError(R"([1, 2, 3])", drg::ErrorCode::Format, "not a drgplan plan file");
  std::string newer = good;
  newer.replace(newer.find("\"version\": 2"), 12, "\"version\": 7");
  expectError(newer, drg::ErrorCode::Unsupported, "newer drgplan");
  std::string badSide = good;
  badSide.replace(badSide.find("\"side\": \"left\""), 14, "\"side\": \"up\"");
  expectError(badSide, drg::ErrorCode::Format, "leads[0].target.side");
  auto edited = [&](const std::function<void(nlohmann::json&)>& change) {
    nlohmann::json j = nlohmann::json::parse(good);
    change(j);
    return j.dump(1);
  };
  expectError(edited([](nlohmann::json& j) { j["leads"][0]["derived"]["tip"][0] = 1e12; }),
              drg::ErrorCode::Format, "within 10 m");
  expectError(edited([](nlohmann::json& j) { j["leads"][0]["derived"]["coverage"] = 5; }),
              drg::ErrorCode::Format, "coverage");
  expectError(edited([](nlohmann::json& j) { j["findings"][0]["lead"] = 99; }), drg::ErrorCode::Format,
              "findings[0].lead");
  expectError(edited([](nlohmann::json& j) { j["leads"][0]["moved"] = 5; }), drg::ErrorCode::Format, "moved");
  std::string huge = good;
  huge.replace(huge.find("\"version\": 2"), 12, "\"version\": 4294967297");
  expectError(huge, drg::ErrorCode::Unsupported, "newer drgplan");
  std::string badPoint = good;
  const auto at = badPoint.find("\"epidural_entry\": [");
  badPoint.replace(at, 19, "\"epidural_entry\": [\"x\", ");
  expectError(badPoint, drg::ErrorCode::Format, "epidural_entry");
}

TEST(PlanFile, RefusesMoreLeadsThanAPulseGeneratorCarriesNamingTheField)
{
  nlohmann::json j = nlohmann::json::parse(planToJson(madeUpPlan(3, 5)));
  const nlohmann::json lead = j["leads"][0];
  j["leads"] = nlohmann::json::array();
  for (int i = 0; i < 10; ++i) {
    nlohmann::json l = lead;
    l["name"] = "lead " + std::to_string(i + 1);
    j["leads"].push_back(l);
  }
  j["findings"] = nlohmann::json::array();
  expectError(j.dump(1), drg::ErrorCode::Format, "leads: holds 10 leads; a plan has at most 4");
  j["leads"].erase(j["leads"].begin() + 4, j["leads"].end()); // four leads: a plan
  EXPECT_EQ(planFromJson(j.dump(1), "four leads").leads.size(), 4u);
}

TEST(PlanFile, RefusesTwoLeadsOfOneNameOrALeadWithoutOne)
{
  nlohmann::json j = nlohmann::json::parse(planToJson(madeUpPlan(4, 5)));
  j["leads"][1]["name"] = j["leads"][0]["name"];
  expectError(j.dump(1), drg::ErrorCode::Format, "leads[1].name");
  j["leads"][1]["name"] = "";
  expectError(j.dump(1), drg::ErrorCode::Format, "leads[1].name: must not be empty");
}

TEST(PlanFile, SaveIsAtomicAndLoadReadsItBack)
{
  drg::test::TemporaryFolder dir("planfile");
  const fs::path file = dir.path() / "case.drgplan.json";
  const Plan a = madeUpPlan(3, 20);
  savePlan(a, file);
  EXPECT_TRUE(loadPlan(file) == a);
  // no temporary file left beside it
  int entries = 0;
  for (const auto& e : fs::directory_iterator(dir.path())) {
    (void)e;
    ++entries;
  }
  EXPECT_EQ(entries, 1);
  try {
    loadPlan(dir.path() / "missing.drgplan.json");
    FAIL();
  } catch (const drg::Error& e) {
    EXPECT_EQ(e.code(), drg::ErrorCode::Io);
  }
  // autosave: offered while newer than the plan, not after the plan is saved again
  EXPECT_FALSE(recoverableAutosave(file).has_value());
  savePlan(madeUpPlan(4, 20), autosavePath(file));
  fs::last_write_time(autosavePath(file), fs::last_write_time(file) + std::chrono::seconds(5));
  ASSERT_TRUE(recoverableAutosave(file).has_value());
  EXPECT_TRUE(loadPlan(*recoverableAutosave(file)) == madeUpPlan(4, 20));
  fs::last_write_time(file, fs::last_write_time(autosavePath(file)) + std::chrono::seconds(5));
  EXPECT_FALSE(recoverableAutosave(file).has_value());
}

TEST(PlanFile, KillDuringSaveLosesNothing)
{
  drg::test::TemporaryFolder dir("planfile");
  const fs::path file = dir.path() / "case.drgplan.json";
  // two large plans (about 1 MB of text each) saved in turn by a child that is killed at random
  const Plan a = madeUpPlan(5, 6000), b = madeUpPlan(6, 6000);
  const std::string textA = planToJson(a), textB = planToJson(b);
  // how long one save takes here (serialising, writing, syncing): the kills are spread over that
  const auto t0 = std::chrono::steady_clock::now();
  savePlan(a, file);
  const int saveUs = static_cast<int>(
    std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0).count());
  std::mt19937 rng(7);
  int killedMidway = 0, rounds = 0;
  // at least 12 rounds, and on until a few kills have landed inside the writing (the moment a
  // half-written temporary exists is a small part of a save on a fast disk)
  for (int round = 0; round < 12 || (killedMidway < 3 && round < 300); ++round, ++rounds) {
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      for (int i = 0;; ++i) {
        savePlan(i % 2 ? a : b, file);
      }
    }
    usleep(static_cast<useconds_t>(std::uniform_int_distribution<int>(1000, 1000 + 3 * saveUs)(rng)));
    kill(child, SIGKILL);
    int status = 0;
    waitpid(child, &status, 0);
    const std::string now = readAll(file);
    EXPECT_TRUE(now == textA || now == textB) << "round " << round << ": a half-written plan";
    EXPECT_NO_THROW(loadPlan(file));
    for (const auto& e : fs::directory_iterator(dir.path())) {
      if (e.path().filename().string().find(".partial-") != std::string::npos) {
        ++killedMidway;
        fs::remove(e.path()); // counted once
      }
    }
  }
  // the kills did land inside saves (temporary files left behind), and never harmed the plan
  EXPECT_GT(killedMidway, 0) << rounds << " rounds, one save " << saveUs << " us";
}

TEST(PlanRules, BuiltInRulesAreDataWithSources)
{
  const PlanRules r = PlanRules::builtIn();
  EXPECT_EQ(r.maxLeads.value, 4);
  EXPECT_GT(r.unverifiedCount(), 0u);
  EXPECT_FALSE(r.pocketDepthMm.source.empty());
  EXPECT_THROW(PlanRules::fromJson(R"({"format": "drgplan-planning-rules"})", "x"), drg::Error);
}

// Whether a lead's approach and window are the user's travels with the plan (the planner never
// moves a chosen one), and so does what the planner did when it moved a lead clear of another; a
// plan from before either was recorded keeps its technique as it is (taken as chosen).
TEST(PlanFile, ChosenTechniqueAndSpreadNoteRoundTripAndOlderPlansKeepTheirTechnique)
{
  Plan plan = madeUpPlan(5, 5);
  plan.leads[0].techniqueChosen = false;
  plan.leads[0].spreadNote = "ipsilateral approach through the L5/S1 window";
  plan.leads[1].techniqueChosen = true;
  const Plan back = planFromJson(planToJson(plan), "memory");
  EXPECT_FALSE(back.leads[0].techniqueChosen);
  EXPECT_EQ(back.leads[0].spreadNote, plan.leads[0].spreadNote);
  EXPECT_TRUE(back.leads[1].techniqueChosen);
  nlohmann::json j = nlohmann::json::parse(planToJson(plan));
  for (auto& l : j["leads"]) {
    l.erase("technique_chosen");
    l["derived"].erase("spread_note");
  }
  const Plan older = planFromJson(j.dump(), "older.drgplan.json");
  EXPECT_TRUE(older.leads[0].techniqueChosen);
  EXPECT_EQ(older.leads[0].spreadNote, "");
}
