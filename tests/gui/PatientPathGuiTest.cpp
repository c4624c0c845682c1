// The patient's path in the workstation: the pain map marked on the body chart and its suggestions
// ticked, the accepted targets planned as leads, the trial results entered, and the start page's case
// library with a case's timeline (a missing stage file marked); pictures against baselines.
#include "BodyChartWidget.h"
#include "CasesPanel.h"
#include "PainMapDialog.h"
#include "TrialResultsDialog.h"
#include "WorkstationApp.h"

#include "ImageBaseline.h"

#include "drg/planning/CaseLibrary.h"
#include "drg/planning/Plan.h"

#include <QCheckBox>
#include <QListWidget>
#include <QPushButton>
#include <QSpinBox>
#include <QTableWidget>

#include <gtest/gtest.h>

using namespace drg::planning;
namespace fs = std::filesystem;

namespace
{

void expectBaseline(const QImage& image, const std::string& name)
{
  const auto check =
    drg::test::checkBaseline(image, DRG_BASELINE_DIR, name, fs::path(DRG_TEST_OUTPUT_DIR) / "baseline-check");
  EXPECT_TRUE(check.passed) << check.message;
}

/// The row of `target` in the suggestions, or -1.
int rowOf(QTableWidget* table, const QString& target)
{
  for (int row = 0; row < table->rowCount(); ++row) {
    if (table->item(row, 1)->text() == target) {
      return row;
    }
  }
  return -1;
}

} // namespace

TEST(PatientPathGui, PainMarkedOnTheChartGivesTargetsThatArePlannedAsLeads)
{
  DRG_REQUIRE_DISPLAY();
  application();
  PainMapDialog dialog(std::nullopt, 4);
  dialog.resize(1000, 560);
  dialog.show();
  ASSERT_TRUE(QTest::qWaitForWindowExposed(&dialog));
  BodyChartWidget* chart = dialog.chart();
  QTest::mouseClick(chart, Qt::LeftButton, {}, chart->pointIn("knee-front-left").toPoint());
  QTest::mouseClick(chart, Qt::LeftButton, {}, chart->pointIn("foot-sole-left").toPoint());
  EXPECT_EQ(chart->marked(), (std::vector<std::string>{ "knee-front-left", "foot-sole-left" }));
  QTableWidget* table = dialog.suggestions();
  ASSERT_GE(table->rowCount(), 3);
  const int l3 = rowOf(table, "L3-left"), s1 = rowOf(table, "S1-left");
  ASSERT_GE(l3, 0);
  ASSERT_GE(s1, 0);
  EXPECT_LT(std::max(l3, s1), 3) << "the knee's L3 and the sole's S1 among the first three";
  // nothing is ticked for the user
  for (int row = 0; row < table->rowCount(); ++row) {
    EXPECT_EQ(table->item(row, 0)->checkState(), Qt::Unchecked);
  }
  table->item(l3, 0)->setCheckState(Qt::Checked);
  table->item(s1, 0)->setCheckState(Qt::Checked);
  // a click on a marked region clears it: its targets' ticks go with their reason, the others stay
  QTest::mouseClick(chart, Qt::LeftButton, {}, chart->pointIn("foot-sole-left").toPoint());
  EXPECT_EQ(chart->marked(), (std::vector<std::string>{ "knee-front-left" }));
  EXPECT_EQ(dialog.indication().targets.size(), 1u);
  EXPECT_EQ(rowOf(table, "S1-left"), -1);
  QTest::mouseClick(chart, Qt::LeftButton, {}, chart->pointIn("foot-sole-left").toPoint());
  table->item(rowOf(table, "S1-left"), 0)->setCheckState(Qt::Checked);
  EXPECT_EQ(table->item(rowOf(table, "L3-left"), 0)->checkState(), Qt::Checked); // moved with its target
  QTest::qWait(50);
  const PlanIndication indication = dialog.indication();
  ASSERT_EQ(indication.targets.size(), 2u);
  expectBaseline(dialog.grab().toImage(), "pain-map");

  // the accepted targets become the plan's leads, the pain map its indication; the trial's results
  MainWindow window;
  ASSERT_TRUE(openDemoShown(window));
  PlanEditor* editor = window.planEditor();
  editor->setIndication(indication);
  ASSERT_EQ(editor->plan().leads.size(), 2u);
  EXPECT_TRUE(editor->plan().indication.has_value());
  editor->undo();
  EXPECT_TRUE(editor->plan().leads.empty()); // one undo step
  editor->redo();
  editor->setKind(PlanKind::Trial);
  TrialResultsDialog results(editor->plan());
  auto* relief = static_cast<QSpinBox*>(results.table()->cellWidget(0, 0));
  relief->setValue(70);
  static_cast<QCheckBox*>(results.table()->cellWidget(0, 3))->setChecked(true);
  const auto entered = results.results();
  ASSERT_EQ(entered.size(), 2u);
  ASSERT_TRUE(entered[0].has_value());
  EXPECT_EQ(entered[0]->reliefPercent, 70);
  EXPECT_TRUE(entered[0]->keep);
  EXPECT_FALSE(entered[1].has_value()); // relief not given: no result
  editor->setTrialResult(0, entered[0]);
  EXPECT_TRUE(editor->plan().leads[0].trialResult.has_value());
  window.refreshPlanView();
}

TEST(PatientPathGui, TheStartPageListsTheCasesWithTheirTimelines)
{
  DRG_REQUIRE_DISPLAY();
  application();
  // a fixed folder, so that the picture holds the same text every run
  const fs::path root = fs::temp_directory_path() / "drgplan-gui-cases";
  fs::remove_all(root);
  const fs::path caseDir = root / "case-knee";
  Plan trial;
  trial.kind = PlanKind::Trial;
  trial.study.source = (root / "images").string();
  LeadPlan lead;
  lead.name = "L3 left";
  lead.targetLevel = "L3";
  trial.leads.push_back(lead);
  fs::create_directories(caseDir / "trial");
  savePlan(trial, caseDir / "trial" / "plan.drgplan.json");
  CaseRecord r;
  r.label = "KNEE-0001";
  r.pain.regions = { "knee-front-left" };
  r.targets = { { "L3", Side::Left, true, "knee pain" } };
  r.targetsAcceptedAt = "2026-11-02T09:00:00Z";
  r.stages = { { "trial-plan", "trial/plan.drgplan.json", "2026-11-03T10:00:00Z", "L3 left" },
               { "trial-result", "trial/plan.drgplan.json", "2026-11-10T10:00:00Z",
                 "L3 left: 70 % relief, keep" },
               { "permanent-plan", "permanent/plan.drgplan.json", "2026-11-20T10:00:00Z", "kept L3 left" } };
  saveCase(r, caseDir);
  const fs::path library = CaseLibrary::defaultPath();
  fs::remove(library);
  {
    CaseLibrary lib(library);
    lib.add(caseDir);
  }
  CasesPanel panel(library);
  panel.resize(900, 300);
  panel.show();
  ASSERT_TRUE(QTest::qWaitForWindowExposed(&panel));
  ASSERT_EQ(panel.cases()->rowCount(), 1);
  panel.cases()->selectRow(0);
  QListWidget* timeline = panel.timeline();
  ASSERT_EQ(timeline->count(), 4); // targets, trial plan, trial result, permanent plan
  EXPECT_TRUE(timeline->item(3)->text().contains("[missing]")) << timeline->item(3)->text().toStdString();
  QSignalSpy chosen(&panel, &CasesPanel::planChosen);
  auto* open = panel.findChild<QPushButton*>("openCasePlan");
  ASSERT_NE(open, nullptr);
  ASSERT_TRUE(open->isEnabled()); // the latest plan that reads: the trial's
  open->click();
  ASSERT_EQ(chosen.count(), 1);
  EXPECT_EQ(chosen.at(0).at(1).toString().toStdString(), (caseDir / "trial" / "plan.drgplan.json").string());
  EXPECT_EQ(chosen.at(0).at(0).toString().toStdString(), (root / "images").string());
  QTest::qWait(50);
  expectBaseline(panel.grab().toImage(), "start-page-cases");
  fs::remove(library);
  fs::remove_all(root);
}
