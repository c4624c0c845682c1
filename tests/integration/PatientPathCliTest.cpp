// The patient's path through the CLI: a pain map to ranked targets, the targets accepted into a case,
// the trial plan from the case, trial results, and the permanent plan made from the leads the trial
// kept (on the trial's images and on a newer study), with the case's timeline; on the phantom and,
// when ../shared/data is there, on the real CT.
#include "TestSupport.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

using drg::test::runCommand;
namespace fs = std::filesystem;

namespace
{

const std::string kCli = DRG_CLI_PATH;

nlohmann::json readJson(const fs::path& file)
{
  std::ifstream in(file);
  std::stringstream ss;
  ss << in.rdbuf();
  return nlohmann::json::parse(ss.str());
}

/// Runs the CLI and expects success.
std::string cli(const std::string& args)
{
  const auto r = runCommand(kCli + " -q " + args);
  EXPECT_EQ(r.exitCode, 0) << args << "\n" << r.output;
  return r.output;
}

/// The trial on `images` for `caseDir` (three targets accepted from a knee-and-foot pain map), its
/// results (one lead dropped) and the permanent plan from it; checks each stage's files.
void trialToPermanent(const std::string& images, const fs::path& caseDir, const std::string& targets)
{
  cli("targets --pain knee-front-left,foot-dorsum-left --case " + caseDir.string() + " --accept " + targets);
  cli("plan " + images + " --from-case " + caseDir.string() + " --kind trial --out " +
      (caseDir / "trial").string());
  const nlohmann::json trial = readJson(caseDir / "trial" / "plan.drgplan.json");
  EXPECT_EQ(trial["kind"], "trial");
  EXPECT_TRUE(trial["pocket"].is_null());
  ASSERT_EQ(trial["leads"].size(), 3u);
  for (const auto& l : trial["leads"]) {
    const auto& b = l["derived"]["length_budget"];
    EXPECT_TRUE(b["complete"].get<bool>()) << l["name"]; // a trial lead's length needs no pocket
    EXPECT_EQ(b["tunnel_mm"].get<double>(), 0.0);
    EXPECT_GT(b["lead_cm"].get<double>(), 0.0) << l["name"];
  }
  EXPECT_EQ(trial["indication"]["pain_regions"].size(), 2u);
  // results: the first and last kept, the middle one dropped
  const std::vector<std::string> names = { trial["leads"][0]["name"], trial["leads"][1]["name"],
                                           trial["leads"][2]["name"] };
  cli("trial-result " + caseDir.string() + " --lead '" + names[0] + "' --relief 70 --coverage 80 --keep");
  cli("trial-result " + caseDir.string() + " --lead '" + names[1] + "' --relief 20 --drop");
  cli("trial-result " + caseDir.string() + " --lead '" + names[2] + "' --relief 45 --contacts 2-3 --keep");
  cli("trial-result " + caseDir.string() +
      " --started 2026-11-03 --ended 2026-11-10 --pain-before 8 --pain-during 3");
  const std::string out =
    cli("permanent " + caseDir.string() + " --pocket buttock-left --out " + (caseDir / "permanent").string());
  EXPECT_NE(out.find("permanent plan written"), std::string::npos) << out;
  const nlohmann::json perm = readJson(caseDir / "permanent" / "plan.drgplan.json");
  EXPECT_EQ(perm["kind"], "permanent");
  ASSERT_EQ(perm["leads"].size(), 2u);
  EXPECT_EQ(perm["leads"][0]["name"], names[0]);
  EXPECT_EQ(perm["leads"][1]["name"], names[2]);
  ASSERT_EQ(perm["from_trial"]["leads"].size(), 3u);
  EXPECT_FALSE(perm["from_trial"]["leads"][1]["kept"].get<bool>());
  EXPECT_EQ(perm["from_trial"]["leads"][1]["result"]["relief_percent"], 20.0);
  EXPECT_EQ(perm["indication"], trial["indication"]); // why these targets, carried over
  EXPECT_EQ(perm["from_trial"]["summary"]["ended"], "2026-11-10");
  // the lead kept below the success criterion is said where the plan is read
  bool flagged = false;
  for (const auto& f : perm["findings"]) {
    flagged = flagged || (f["code"] == "trial-kept-below-criterion" && f["lead"] == 1);
  }
  EXPECT_TRUE(flagged) << perm["findings"].dump();
  for (std::size_t i = 0; i < 2; ++i) {
    const auto& pb = perm["leads"][i]["derived"]["length_budget"];
    const auto& tb = trial["leads"][i == 0 ? 0 : 2]["derived"]["length_budget"];
    // re-budgeted with the pocket: the tunnel to the buttock replaces the length outside the skin
    EXPECT_TRUE(pb["complete"].get<bool>());
    EXPECT_GT(pb["tunnel_mm"].get<double>(), 50.0);
    EXPECT_NE(pb["total_mm"].get<double>(), tb["total_mm"].get<double>());
    EXPECT_GT(pb["lead_cm"].get<double>(), 0.0);
  }
  // the case's timeline: trial plan, three results, the permanent plan (files inside the case folder)
  const nlohmann::json c = readJson(caseDir / "case.json");
  std::vector<std::string> kinds;
  for (const auto& s : c["stages"]) {
    kinds.push_back(s["kind"]);
    EXPECT_FALSE(fs::path(s["file"].get<std::string>()).is_absolute()) << s;
  }
  EXPECT_EQ(kinds, (std::vector<std::string>{ "trial-plan", "trial-result", "trial-result", "trial-result",
                                              "trial-result", "permanent-plan" }));
}

} // namespace

TEST(TargetsCli, ListsRegionsAndRanksTargetsWithReasons)
{
  const std::string regions = cli("targets --list-regions");
  EXPECT_NE(regions.find("foot-sole-left"), std::string::npos);
  EXPECT_NE(regions.find("knee-front-right"), std::string::npos);
  const auto j = nlohmann::json::parse(cli("targets --pain foot-sole-left,knee-front-left --json"));
  ASSERT_GE(j["suggestions"].size(), 3u);
  std::vector<std::string> top;
  for (std::size_t i = 0; i < 3; ++i) {
    const auto& s = j["suggestions"][i];
    top.push_back(s["target"]);
    EXPECT_FALSE(s["reason"].get<std::string>().empty());
    EXPECT_EQ(s["side"], "left");
    EXPECT_EQ(s["rank"], static_cast<int>(i) + 1);
  }
  EXPECT_NE(std::find(top.begin(), top.end(), "S1-left"), top.end());
  EXPECT_NE(std::find(top.begin(), top.end(), "L3-left"), top.end());
}

TEST(TargetsCli, BadInputGetsAnActionableMessage)
{
  auto r = runCommand(kCli + " -q targets --pain foot-sol-left");
  EXPECT_EQ(r.exitCode, 2) << r.output;
  EXPECT_NE(r.output.find("foot-sole-left"), std::string::npos) << r.output;
  r = runCommand(kCli + " -q targets --pain knee-front-left --accept L3-left");
  EXPECT_EQ(r.exitCode, 2) << r.output; // accepting needs a case
  drg::test::TemporaryFolder dir("targets");
  r = runCommand(kCli + " -q plan /nonexistent --from-case " + dir.path().string() + " --out " +
                 (dir.path() / "p").string());
  EXPECT_NE(r.exitCode, 0);
  EXPECT_NE(r.output.find("holds no case"), std::string::npos) << r.output;
}

TEST(PatientPath, TrialToPermanentWithTwoOfThreeLeadsOnThePhantom)
{
  drg::test::TemporaryFolder dir("patient-path");
  const std::string grid = "--matrix 256,256,200 --spacing 1.6,1.6,2 --seed 5";
  cli("phantom --out " + (dir.path() / "ct").string() + " " + grid);
  const std::string images = (dir.path() / "ct" / "dicom").string();
  // a trial plan has no pocket
  const auto refused = runCommand(kCli + " -q plan " + images +
                                  " --targets L4-left --kind trial --pocket "
                                  "buttock-left --out " +
                                  (dir.path() / "x").string());
  EXPECT_EQ(refused.exitCode, 2) << refused.output;
  EXPECT_NE(refused.output.find("no pocket"), std::string::npos) << refused.output;
  trialToPermanent(images, dir.path() / "case", "L3-left,L4-left,L5-left");
  // the report shows the pain map, the targets and the trial's outcome beside the permanent plan
  const fs::path report = dir.path() / "report";
  cli("report " + (dir.path() / "case" / "permanent" / "plan.drgplan.json").string() + " --pdf --out " +
      report.string());
  if (drg::test::haveTool("pdftotext")) {
    const auto text = runCommand("pdftotext " + (report / "report.pdf").string() + " -");
    EXPECT_NE(text.output.find("Pain map and targets"), std::string::npos);
    EXPECT_NE(text.output.find("From the trial"), std::string::npos);
    EXPECT_NE(text.output.find("dropped"), std::string::npos);
    EXPECT_NE(text.output.find("Success criterion"), std::string::npos);
    EXPECT_NE(text.output.find("(7 days)"), std::string::npos);
  }
  // a newer study of the same patient (another grid): the kept leads are planned again on it, and
  // its levels want confirming again
  cli("phantom --out " + (dir.path() / "ct2").string() +
      " --matrix 240,240,180 --spacing 1.7,1.7,2.2 --seed 5");
  const std::string newer =
    cli("permanent " + (dir.path() / "case" / "trial" / "plan.drgplan.json").string() +
        " --keep L3-left,L5-left --pocket abdomen-left --images " + (dir.path() / "ct2" / "dicom").string() +
        " --out " + (dir.path() / "p2").string());
  EXPECT_NE(newer.find("other images of the same patient"), std::string::npos) << newer;
  const nlohmann::json p2 = readJson(dir.path() / "p2" / "plan.drgplan.json");
  EXPECT_EQ(p2["leads"].size(), 2u);
  EXPECT_NE(p2["study"]["series_uid"],
            readJson(dir.path() / "case" / "trial" / "plan.drgplan.json")["study"]["series_uid"]);
  EXPECT_FALSE(p2["study"].contains("levels_confirmed_by"));
  // images whose patient cannot be told (a volume file): only when the user says they are the patient's
  cli("convert " + (dir.path() / "ct2" / "dicom").string() + " " + (dir.path() / "ct2.nii.gz").string());
  const std::string trialFile = (dir.path() / "case" / "trial" / "plan.drgplan.json").string();
  const std::string toVolume = "permanent " + trialFile + " --keep L3-left --pocket buttock-left --images " +
                               (dir.path() / "ct2.nii.gz").string() + " --out " +
                               (dir.path() / "p4").string();
  const auto unknown = runCommand(kCli + " -q " + toVolume);
  EXPECT_EQ(unknown.exitCode, 2) << unknown.output;
  EXPECT_NE(unknown.output.find("--same-patient"), std::string::npos) << unknown.output;
  cli(toVolume + " --same-patient");
  // another patient's images are refused
  cli("phantom --out " + (dir.path() / "other").string() + " " + grid.substr(0, grid.find("--seed")) +
      "--seed 6");
  const auto other =
    runCommand(kCli + " -q permanent " + (dir.path() / "case").string() + " --pocket buttock-left --images " +
               (dir.path() / "other" / "dicom").string() + " --out " + (dir.path() / "p3").string());
  EXPECT_NE(other.exitCode, 0) << other.output;
  EXPECT_NE(other.output.find("another patient"), std::string::npos) << other.output;
}

TEST(PatientPath, TrialToPermanentWithTwoOfThreeLeadsOnTheRealCt)
{
  const auto data = drg::test::sharedData();
  if (!data) {
    GTEST_SKIP()
      << "../shared/data is absent (a fresh clone without the shared folder): skipping the real CT";
  }
  drg::test::TemporaryFolder dir("patient-path-real");
  trialToPermanent((*data / "ct-lumbar-totalseg" / "dicom").string(), dir.path() / "case",
                   "L3-left,L4-left,L5-left");
}

TEST(CasesCli, AddListShowAndExportACaseWithItsTimeline)
{
  drg::test::TemporaryFolder dir("cases-cli");
  const std::string lib = " --library " + (dir.path() / "cases.sqlite").string();
  const fs::path caseDir = dir.path() / "case";
  // a new case needs a label
  auto r = runCommand(kCli + " -q cases" + lib + " add " + caseDir.string());
  EXPECT_EQ(r.exitCode, 2) << r.output;
  cli("cases" + lib + " add " + caseDir.string() + " --label PSEUDO-1");
  cli("targets --pain groin-left --case " + caseDir.string() + " --accept L1-left,T12-left");
  cli("cases" + lib + " refresh");
  const auto list = nlohmann::json::parse(cli("cases" + lib + " list --search pseudo --json"));
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0]["targets"], "L1-left, T12-left");
  const std::string show = cli("cases" + lib + " show " + std::to_string(list[0]["id"].get<int>()));
  EXPECT_NE(show.find("groin-left"), std::string::npos) << show;
  // a stage whose file is gone: reported, the rest shown, exit 9
  const auto record = readJson(caseDir / "case.json");
  nlohmann::json edited = record;
  edited["stages"].push_back(
    { { "kind", "trial-plan" }, { "file", "trial/missing.drgplan.json" }, { "at", "t" }, { "note", "" } });
  std::ofstream(caseDir / "case.json") << edited.dump(2);
  r = runCommand(kCli + " -q cases" + lib + " show " + caseDir.string());
  EXPECT_EQ(r.exitCode, 9) << r.output;
  EXPECT_NE(r.output.find("[missing]"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("groin-left"), std::string::npos) << r.output;
  // export, de-identified
  r = runCommand(kCli + " -q cases" + lib + " export " + caseDir.string() +
                 " --deidentify --pseudonym SHARE-1 --out " + (dir.path() / "shared").string());
  EXPECT_EQ(r.exitCode, 9) << r.output; // the missing file said, the rest exported
  EXPECT_NE(r.output.find("not exported: trial/missing.drgplan.json"), std::string::npos) << r.output;
  EXPECT_EQ(readJson(dir.path() / "shared" / "case.json")["label"], "SHARE-1");
}
