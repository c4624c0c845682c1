// The case library: indexing case folders, search, a case opened with a damaged or missing stage
// file, two processes writing at once, and the de-identified export.
#include "drg/planning/CaseLibrary.h"
#include "drg/imaging/Error.h"
#include "drg/planning/Plan.h"

#include "TestSupport.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <sys/wait.h>
#include <unistd.h>

using namespace drg::planning;
namespace fs = std::filesystem;

namespace
{

/// A case folder `dir` with a label, accepted targets and a trial plan stage (its plan file written).
void makeCase(const fs::path& dir, const std::string& label)
{
  CaseRecord r;
  r.label = label;
  r.pain.regions = { "knee-front-left" };
  r.targets = { { "L3", Side::Left, true, "knee pain is treated at the L3 DRG" } };
  r.targetsAcceptedAt = "2026-12-07T10:00:00Z";
  Plan trial;
  trial.kind = PlanKind::Trial;
  trial.study.source = "/home/someone/Jane Doe CT";
  trial.study.patientKey = "key-of-the-patient";
  trial.study.patientLabel = "J.D. 1960";
  trial.study.studyUid = "1.2.840.1";
  trial.study.seriesUid = "1.2.840.2";
  trial.study.frameOfReferenceUid = "1.2.840.3";
  trial.study.studyDescription = "CT lumbar spine Jane Doe";
  trial.study.levelsConfirmedBy = "counted from S1, Dr A. Surgeon";
  LeadPlan lead;
  lead.name = "L3 left";
  lead.targetLevel = "L3";
  TrialResult result;
  result.reliefPercent = 70;
  result.keep = true;
  result.note = "Mrs Doe happy";
  lead.trialResult = result;
  trial.leads.push_back(lead);
  fs::create_directories(dir / "trial");
  savePlan(trial, dir / "trial" / "plan.drgplan.json");
  addStage(r, dir, "trial-plan", dir / "trial" / "plan.drgplan.json", "L3 left");
  addStage(r, dir, "trial-result", dir / "trial" / "plan.drgplan.json",
           "L3 left: 70 % relief, keep (Mrs Doe happy)");
  saveCase(r, dir);
}

std::string readAll(const fs::path& f)
{
  std::ifstream in(f, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

} // namespace

TEST(CaseLibrary, IndexesFoldersAndFindsThemByLabelFolderOrTarget)
{
  drg::test::TemporaryFolder dir("library");
  makeCase(dir.path() / "case-a", "JD-1960");
  makeCase(dir.path() / "case-b", "pseudonym-7");
  CaseLibrary lib(dir.path() / "lib" / "cases.sqlite");
  const auto a = lib.add(dir.path() / "case-a");
  lib.add(dir.path() / "case-b");
  EXPECT_EQ(lib.add(dir.path() / "case-a"), a); // again: refreshed, not added twice
  EXPECT_EQ(lib.count(), 2);
  EXPECT_EQ(lib.list("jd-19").size(), 1u);
  EXPECT_EQ(lib.list("case-b").size(), 1u);
  EXPECT_EQ(lib.list("L3-left").size(), 2u);
  const auto found = lib.find(a);
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->label, "JD-1960");
  EXPECT_EQ(found->stageCount, 2);
  EXPECT_EQ(found->lastStage, "trial-result");
  EXPECT_EQ(lib.integrityCheck(), "ok");
  // a second process's view: the same file
  CaseLibrary again(dir.path() / "lib" / "cases.sqlite");
  EXPECT_EQ(again.count(), 2);
  EXPECT_THROW(lib.open(999), drg::Error);
}

TEST(CaseLibrary, ADamagedOrMissingStageFileIsReportedAndTheRestOpens)
{
  drg::test::TemporaryFolder dir("library");
  makeCase(dir.path() / "case", "X");
  CaseLibrary lib(dir.path() / "cases.sqlite");
  const auto id = lib.add(dir.path() / "case");
  std::ofstream(dir.path() / "case" / "trial" / "plan.drgplan.json") << "{ cut short";
  CaseDetails d = lib.open(id);
  ASSERT_TRUE(d.record.has_value());
  ASSERT_EQ(d.stages.size(), 2u);
  EXPECT_NE(d.stages[0].problem.find("damaged"), std::string::npos) << d.stages[0].problem;
  fs::remove(dir.path() / "case" / "trial" / "plan.drgplan.json");
  d = lib.open(id);
  EXPECT_EQ(d.stages[0].problem, "missing");
  // case.json itself damaged: the library's copy of the timeline says what the case held
  std::ofstream(dir.path() / "case" / "case.json") << "garbage";
  d = lib.open(id);
  EXPECT_FALSE(d.record.has_value());
  EXPECT_FALSE(d.problem.empty());
  EXPECT_EQ(d.stages.size(), 2u);
  const auto problems = lib.refreshAll();
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(lib.count(), 1); // still listed
}

TEST(CaseLibrary, TwoProcessesWritingAtOnceLoseNothing)
{
  drg::test::TemporaryFolder dir("library");
  const fs::path db = dir.path() / "cases.sqlite";
  const int perProcess = 60;
  for (int p = 0; p < 2; ++p) {
    for (int i = 0; i < perProcess; ++i) {
      makeCase(dir.path() / ("p" + std::to_string(p)) / std::to_string(i), "case " + std::to_string(i));
    }
  }
  {
    CaseLibrary create(db);
  } // (both children open an existing library)
  pid_t children[2];
  for (int p = 0; p < 2; ++p) {
    children[p] = fork();
    ASSERT_GE(children[p], 0);
    if (children[p] == 0) {
      int rc = 0;
      try {
        CaseLibrary lib(db);
        for (int i = 0; i < perProcess; ++i) {
          lib.add(dir.path() / ("p" + std::to_string(p)) / std::to_string(i));
          lib.list("case");
        }
      } catch (...) {
        rc = 1;
      }
      _exit(rc);
    }
  }
  for (pid_t child : children) {
    int status = 0;
    waitpid(child, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "a writer failed";
  }
  CaseLibrary lib(db);
  EXPECT_EQ(lib.count(), 2 * perProcess);
  EXPECT_EQ(lib.integrityCheck(), "ok");
  for (const auto& c : lib.list("", 1000)) {
    EXPECT_EQ(c.stageCount, 2) << c.folder;
  }
}

TEST(CaseLibrary, AFileThatIsNotALibraryIsRefused)
{
  drg::test::TemporaryFolder dir("library");
  std::ofstream(dir.path() / "cases.sqlite")
    << "this is not a database, just text that is long enough to look like one";
  EXPECT_THROW(CaseLibrary(dir.path() / "cases.sqlite"), drg::Error);
}

TEST(CaseExport, DeidentifiedCaseKeepsThePathAndLosesWho)
{
  drg::test::TemporaryFolder dir("export");
  makeCase(dir.path() / "case", "J.D. 1960");
  std::ofstream(dir.path() / "case" / "report.pdf") << "%PDF with the name in it";
  EXPECT_THROW(exportCase(dir.path() / "case", dir.path() / "out", true, ""), drg::Error); // no pseudonym
  const auto files = exportCase(dir.path() / "case", dir.path() / "out", true, "CASE-0042").written;
  EXPECT_EQ(files.size(), 2u); // the plan and case.json; not the report
  EXPECT_FALSE(fs::exists(dir.path() / "out" / "report.pdf"));
  const std::string plan = readAll(dir.path() / "out" / "trial" / "plan.drgplan.json");
  for (const char* identity :
       { "Jane", "Doe", "key-of-the-patient", "J.D.", "Surgeon", "1.2.840.1\"", "someone" }) {
    EXPECT_EQ(plan.find(identity), std::string::npos) << identity;
  }
  EXPECT_NE(plan.find("CASE-0042"), std::string::npos);
  const Plan back = loadPlan(dir.path() / "out" / "trial" / "plan.drgplan.json");
  EXPECT_EQ(back.leads[0].trialResult->reliefPercent, 70); // the path kept
  const std::string record = readAll(dir.path() / "out" / "case.json");
  EXPECT_EQ(record.find("Doe"), std::string::npos);
  EXPECT_EQ(loadCase(dir.path() / "out").label, "CASE-0042");
  // into a folder that is not empty: refused
  EXPECT_THROW(exportCase(dir.path() / "case", dir.path() / "out", true, "P"), drg::Error);
  // whole: every file
  EXPECT_EQ(exportCase(dir.path() / "case", dir.path() / "whole", false, "").written.size(), 3u);
  // a stage's file gone: said, the rest exported
  fs::remove(dir.path() / "case" / "trial" / "plan.drgplan.json");
  const ExportResult partial = exportCase(dir.path() / "case", dir.path() / "partial", true, "P");
  EXPECT_EQ(partial.skipped.size(), 1u);
  EXPECT_EQ(partial.written, (std::vector<std::string>{ "case.json" }));
}

TEST(CaseLibrary, TheMostRecentlyChangedCaseIsListedFirst)
{
  drg::test::TemporaryFolder dir("library");
  for (const auto& [name, at] : { std::pair<std::string, std::string>{ "old", "2026-01-05T10:00:00Z" },
                                  { "new", "2026-11-20T10:00:00Z" },
                                  { "middle", "2026-06-01T10:00:00Z" } }) {
    CaseRecord r;
    r.label = name;
    r.stages = { { "trial-plan", "trial/plan.drgplan.json", at, "" } };
    saveCase(r, dir.path() / name);
  }
  CaseLibrary lib(dir.path() / "cases.sqlite");
  for (const char* name : { "new", "old", "middle" }) {
    lib.add(dir.path() / name);
  }
  const auto listed = lib.list();
  ASSERT_EQ(listed.size(), 3u);
  EXPECT_EQ(listed[0].label, "new");
  EXPECT_EQ(listed[1].label, "middle");
  EXPECT_EQ(listed[2].label, "old");
  // the latest stage's file, to tell whether it is still there
  EXPECT_EQ(listed[0].lastStageFile,
            (fs::weakly_canonical(dir.path() / "new") / "trial/plan.drgplan.json").string());
}
