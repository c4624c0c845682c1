// The real workstation window, driven in-process with QTest: open the demo, add a lead on L5 left
// from the Plan panel, drag its skin entry in a view, undo, redo, lock, save the plan, open it
// again and get the same plan.
#include "MainWindow.h"
#include "SliceView.h"

#include "ImageBaseline.h"
#include "Orthanc.h"
#include "PacsDialog.h"
#include "TestSupport.h"
#include "WorkstationApp.h"
#include "drg/imaging/Error.h"
#include "drg/imaging/NiftiIo.h"
#include "drg/imaging/SpinePhantom.h"

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDockWidget>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QLineEdit>
#include <QLineF>
#include <QListWidget>
#include <QMenu>
#include <QPushButton>
#include <QSignalSpy>
#include <QStatusBar>
#include <QTableWidget>
#include <QTest>
#include <QTreeWidget>
#include <QWheelEvent>

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>

TEST(Workstation, LeadOnL5LeftDragUndoRedoLockSaveReopen)
{
  DRG_REQUIRE_DISPLAY();
  application();
  MainWindow window;
  window.setInteractive(false);
  window.show();
  // the start page first: open the demo case from it
  auto* start = window.findChild<QWidget*>("startPage");
  ASSERT_NE(start, nullptr);
  EXPECT_TRUE(start->isVisible());
  QSignalSpy ready(&window, &MainWindow::caseReady);
  QTest::mouseClick(window.findChild<QPushButton*>("openDemo"), Qt::LeftButton);
  ASSERT_TRUE(ready.wait(180000)) << "the demo case did not open";
  ASSERT_NE(window.planEditor(), nullptr) << "no spine model to plan on";
  EXPECT_FALSE(start->isVisible()) << "the views replace the start page";

  // a lead named first, its target the L5 left ganglion clicked in the axial view
  auto* target = window.findChild<QComboBox*>("planTarget");
  auto* add = window.findChild<QPushButton*>("addLead");
  auto* name = window.findChild<QLineEdit*>("leadName");
  ASSERT_TRUE(target && add && name);
  target->setCurrentIndex(target->findText("L3 right"));
  Eigen::Vector3d l5left = Eigen::Vector3d::Zero();
  for (const auto& g : window.planEditor()->planner().anatomy().model().ganglia) {
    if (g.level == "L5" && g.side == drg::imaging::Side::Left) {
      l5left = g.centre;
    }
  }
  window.setCursorForTest(l5left + Eigen::Vector3d(15, 10, 0)); // the axial slice through it
  SliceView* axialView = nullptr;
  for (auto* v : window.findChildren<SliceView*>()) {
    if (v->isVisible() && v->plane() == drg::imaging::SlicePlane::Axial && !v->isOblique()) {
      axialView = v;
    }
  }
  ASSERT_NE(axialView, nullptr);
  QTest::mouseClick(axialView, Qt::LeftButton, {}, axialView->lpsToWidget(l5left).toPoint());
  EXPECT_EQ(target->currentText(), "L5 left") << "clicking the ganglion did not pick it";
  target->setCurrentIndex(target->findText("L5 left"));
  QTest::keyClicks(name, "Lead 1");
  QTest::mouseClick(add, Qt::LeftButton);
  const auto& plan = [&]() -> const drg::planning::Plan& { return window.planEditor()->plan(); };
  ASSERT_EQ(plan().leads.size(), 1u);
  EXPECT_EQ(plan().leads[0].name, "Lead 1");
  EXPECT_EQ(plan().leads[0].targetLevel, "L5");
  ASSERT_TRUE(plan().leads[0].planned) << plan().leads[0].problem;
  const std::string added = drg::planning::planToJson(plan());
  const Eigen::Vector3d skin = plan().leads[0].skinEntry;

  // drag its skin entry 12 pixels in the first view that shows it
  SliceView* view = nullptr;
  QPointF at;
  for (auto* v : window.findChildren<SliceView*>()) {
    const QPointF p = v->lpsToWidget(skin);
    if (v->rect().adjusted(20, 20, -20, -20).contains(p.toPoint())) {
      view = v;
      at = p;
      break;
    }
  }
  ASSERT_NE(view, nullptr) << "the skin entry is in no view";
  QTest::mousePress(view, Qt::LeftButton, {}, at.toPoint());
  QTest::mouseMove(view, (at + QPointF(6, 0)).toPoint());
  QTest::mouseMove(view, (at + QPointF(12, 0)).toPoint());
  QTest::mouseRelease(view, Qt::LeftButton, {}, (at + QPointF(12, 0)).toPoint());
  ASSERT_GT((plan().leads[0].skinEntry - skin).norm(), 1.0) << "the drag did not move the skin entry";
  const std::string dragged = drg::planning::planToJson(plan());

  // undo (Ctrl+Z) and redo (Ctrl+Shift+Z) as typed in the window: one step for the whole drag,
  // byte for byte
  window.activateWindow();
  ASSERT_TRUE(QTest::qWaitForWindowActive(&window));
  QWidget* focus = QApplication::focusWidget() ? QApplication::focusWidget() : &window;
  QTest::keyClick(focus, Qt::Key_Z, Qt::ControlModifier);
  EXPECT_EQ(drg::planning::planToJson(plan()), added);
  QTest::keyClick(focus, Qt::Key_Z, Qt::ControlModifier | Qt::ShiftModifier);
  EXPECT_EQ(drg::planning::planToJson(plan()), dragged);
  // the typed-coordinate boxes follow the drag, the undo and the redo: Move without typing changes
  // nothing (it once moved the skin entry back to where it was before the drag)
  auto boxesShow = [&](const Eigen::Vector3d& p) {
    for (int a = 0; a < 3; ++a) {
      if (std::abs(window.findChild<QDoubleSpinBox*>(QString("skinEntry%1").arg(a))->value() - p[a]) > 0.06) {
        return false;
      }
    }
    return true;
  };
  EXPECT_TRUE(boxesShow(plan().leads[0].skinEntry)) << "the boxes show an older skin entry after the redo";
  QTest::keyClick(focus, Qt::Key_Z, Qt::ControlModifier);
  EXPECT_TRUE(boxesShow(plan().leads[0].skinEntry)) << "the boxes show the dragged skin entry after the undo";
  QTest::keyClick(focus, Qt::Key_Z, Qt::ControlModifier | Qt::ShiftModifier);
  const Eigen::Vector3d beforeMove = plan().leads[0].skinEntry;
  QTest::mouseClick(window.findChild<QPushButton*>("moveSkinEntry"), Qt::LeftButton);
  EXPECT_LT((plan().leads[0].skinEntry - beforeMove).norm(), 0.06) << "Move without typing moved the entry";
  window.planEditor()->undo();
  window.refreshPlanView();
  EXPECT_EQ(drg::planning::planToJson(plan()), dragged);

  // type the skin entry exactly (LPS mm) in the panel, then undo that
  const std::string beforeTyped = drg::planning::planToJson(plan());
  const Eigen::Vector3d typed = plan().leads[0].skinEntry + Eigen::Vector3d(-4.0, 0.0, -6.0);
  for (int a = 0; a < 3; ++a) {
    auto* box = window.findChild<QDoubleSpinBox*>(QString("skinEntry%1").arg(a));
    ASSERT_NE(box, nullptr);
    box->setValue(typed[a]);
  }
  QTest::mouseClick(window.findChild<QPushButton*>("moveSkinEntry"), Qt::LeftButton);
  EXPECT_NEAR((plan().leads[0].skinEntry - typed).norm(), 0.0, 0.06); // (spin boxes keep 0.1 mm)
  window.planEditor()->undo();
  window.refreshPlanView();
  EXPECT_EQ(drg::planning::planToJson(plan()), beforeTyped);
  // the target typed the same way: it becomes a manual point there
  auto* which = window.findChild<QComboBox*>("entryPoint");
  ASSERT_NE(which, nullptr);
  which->setCurrentIndex(2);
  const Eigen::Vector3d typedTarget = plan().leads[0].target + Eigen::Vector3d(1.0, 0.0, 1.0);
  EXPECT_NEAR(window.findChild<QDoubleSpinBox*>("skinEntry2")->value(), plan().leads[0].target.z(), 0.06);
  for (int a = 0; a < 3; ++a) {
    window.findChild<QDoubleSpinBox*>(QString("skinEntry%1").arg(a))->setValue(typedTarget[a]);
  }
  QTest::mouseClick(window.findChild<QPushButton*>("moveSkinEntry"), Qt::LeftButton);
  ASSERT_TRUE(plan().leads[0].manualTarget.has_value());
  EXPECT_NEAR((*plan().leads[0].manualTarget - typedTarget).norm(), 0.0, 0.06);
  window.planEditor()->undo();
  window.refreshPlanView();
  which->setCurrentIndex(0);
  EXPECT_EQ(drg::planning::planToJson(plan()), beforeTyped);
  // drag the target (a manual point from then on) and the epidural entry, each undone in one step
  for (const bool target : { true, false }) {
    const std::string beforeDrag = drg::planning::planToJson(plan());
    const Eigen::Vector3d point = target ? plan().leads[0].target : plan().leads[0].epiduralEntry;
    SliceView* in = nullptr;
    QPointF from;
    for (auto* v : window.findChildren<SliceView*>()) {
      const QPointF p = v->lpsToWidget(point);
      bool clear = v->rect().adjusted(20, 20, -20, -20).contains(p.toPoint());
      // (no other handle of the lead within reach: the press must pick this one)
      for (const Eigen::Vector3d& other :
           { plan().leads[0].skinEntry, plan().leads[0].epiduralEntry, plan().leads[0].target }) {
        if ((other - point).norm() > 1e-9 && QLineF(v->lpsToWidget(other), p).length() < 10.0) {
          clear = false;
        }
      }
      if (clear) {
        in = v;
        from = p;
        break;
      }
    }
    ASSERT_NE(in, nullptr) << (target ? "target" : "epidural entry") << " in no view";
    QTest::mousePress(in, Qt::LeftButton, {}, from.toPoint());
    QTest::mouseMove(in, (from + QPointF(3, 2)).toPoint());
    QTest::mouseRelease(in, Qt::LeftButton, {}, (from + QPointF(3, 2)).toPoint());
    if (target) {
      EXPECT_TRUE(plan().leads[0].manualTarget.has_value()) << "the target did not become a manual point";
    } else {
      EXPECT_TRUE(plan().leads[0].epiduralEntryOverride.has_value());
    }
    EXPECT_NE(drg::planning::planToJson(plan()), beforeDrag);
    window.planEditor()->undo();
    window.refreshPlanView();
    EXPECT_EQ(drg::planning::planToJson(plan()), beforeDrag);
  }

  // the other layouts show the views (and the plan) too
  for (auto layout : { MainWindow::ViewLayout::OnePlusThree, MainWindow::ViewLayout::Sagittal,
                       MainWindow::ViewLayout::TwoByTwo }) {
    window.setViewLayout(layout);
    QApplication::processEvents();
    int shown = 0;
    for (auto* v : window.findChildren<SliceView*>()) {
      shown += v->isVisible() ? 1 : 0;
    }
    EXPECT_EQ(shown, layout == MainWindow::ViewLayout::Sagittal ? 1 : 3);
  }

  // the placement report from the File menu's export (in the background)
  drg::test::TemporaryFolder reportDir("workstation-report");
  const QString pdf = QString::fromStdString((reportDir.path() / "report.pdf").string());
  QSignalSpy written(&window, &MainWindow::reportWritten);
  window.exportReport(pdf);
  ASSERT_TRUE(written.wait(60000)) << "no report";
  EXPECT_GE(written.front().at(1).toInt(), 3);
  const auto text = drg::test::runCommand("pdftotext " + pdf.toStdString() + " -");
  EXPECT_NE(text.output.find("Lead 1"), std::string::npos) << text.output.substr(0, 400);
  EXPECT_NE(text.output.find("not saved"), std::string::npos) << "an unsaved plan is said to be so";
  // and the plan as 3D Slicer markups and a lead table
  const QString mrk = QString::fromStdString((reportDir.path() / "plan.mrk.json").string());
  const QString csv = QString::fromStdString((reportDir.path() / "leads.csv").string());
  ASSERT_TRUE(window.exportInterchange(mrk, false));
  ASSERT_TRUE(window.exportInterchange(csv, true));
  std::ifstream mrkFile(mrk.toStdString());
  const std::string mrkText((std::istreambuf_iterator<char>(mrkFile)), std::istreambuf_iterator<char>());
  EXPECT_NE(mrkText.find("\"coordinateSystem\": \"LPS\""), std::string::npos);
  EXPECT_NE(mrkText.find("Lead 1 needle"), std::string::npos);
  EXPECT_TRUE(std::filesystem::file_size(csv.toStdString()) > 100);

  // lock it from the panel: the lead refuses edits
  auto* locked = window.findChild<QCheckBox*>("leadLocked");
  ASSERT_NE(locked, nullptr);
  QTest::mouseClick(locked, Qt::LeftButton);
  EXPECT_TRUE(plan().leads[0].locked);
  EXPECT_THROW(window.planEditor()->moveSkinEntry(0, skin), drg::Error);

  // save, open again: the same plan
  drg::test::TemporaryFolder dir("workstation");
  const std::string file = (dir.path() / "case.drgplan.json").string();
  ASSERT_TRUE(window.savePlan(QString::fromStdString(file)));
  const std::string saved = drg::planning::planToJson(plan());
  std::ifstream in(file, std::ios::binary);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), saved);
  // change it (unlock), then open the saved file: the plan as saved comes back
  QTest::mouseClick(locked, Qt::LeftButton);
  EXPECT_FALSE(plan().leads[0].locked);
  ASSERT_TRUE(window.openPlan(QString::fromStdString(file)));
  EXPECT_EQ(drg::planning::planToJson(plan()), saved);

  // a finding clicked: its lead selected, the views moved to where it is; no empty measure shown
  auto* findings = window.findChild<QListWidget*>("findings");
  ASSERT_NE(findings, nullptr);
  ASSERT_GT(findings->count(), 0);
  for (int i = 0; i < findings->count(); ++i) {
    // (the measure without a unit read "(0.0 , limit 0.0)")
    EXPECT_FALSE(findings->item(i)->text().contains(" , limit ")) << findings->item(i)->text().toStdString();
  }
  int ofLead = -1;
  for (int i = 0; i < static_cast<int>(plan().findings.size()) && ofLead < 0; ++i) {
    ofLead = plan().findings[static_cast<std::size_t>(i)].lead == 0 ? i : -1;
  }
  ASSERT_GE(ofLead, 0) << "no finding of the lead";
  QListWidgetItem* item = findings->item(ofLead);
  findings->scrollToItem(item);
  QTest::mouseClick(findings->viewport(), Qt::LeftButton, {}, findings->visualItemRect(item).center());
  const auto place = drg::planning::findingPlace(plan(), plan().findings[static_cast<std::size_t>(ofLead)]);
  ASSERT_TRUE(place.has_value());
  EXPECT_LT((window.cursorPosition() - *place).norm(), 1e-6) << "the views did not go to the finding";
  EXPECT_EQ(window.findChild<QListWidget*>("leads")->currentRow(), 0);

  // renumbered (every vertebra one level lower) with the lead locked: asked, naming the locked lead;
  // then the anatomy panel names the levels as the model now does, not as the phantom's own label
  // map did (the panel said L4 where the plan said L5)
  QStringList asked;
  window.setQuestionHandler([&](const QString& q) {
    asked << q;
    return true;
  });
  QSignalSpy relabelled(&window, &MainWindow::caseReady);
  window.relabel(+1);
  ASSERT_TRUE(relabelled.wait(180000)) << "relabelling did not finish";
  ASSERT_EQ(asked.size(), 1);
  EXPECT_TRUE(asked[0].contains("locked ones too (Lead 1)")) << asked[0].toStdString();
  auto* tree = window.findChild<QTreeWidget*>();
  ASSERT_NE(tree, nullptr);
  QStringList shown, named;
  for (int i = 0; i < tree->topLevelItem(0)->childCount(); ++i) {
    shown << tree->topLevelItem(0)->child(i)->text(0);
  }
  for (const auto& v : window.planEditor()->planner().anatomy().model().vertebrae) {
    named << QString::fromStdString(v.level);
  }
  EXPECT_EQ(shown, named);
  EXPECT_TRUE(named.contains("L6") || named.first() != "T10") << named.join(" ").toStdString();
}

namespace
{

/// Share of vivid pixels (the vertebrae's colours; skin, background and slices are greyish).
double vividShare(const QImage& image)
{
  long long vivid = 0;
  for (int r = 0; r < image.height(); ++r) {
    for (int c = 0; c < image.width(); ++c) {
      const QColor p = image.pixelColor(c, r);
      vivid += p.hsvSaturation() > 120 && p.value() > 90 ? 1 : 0;
    }
  }
  return static_cast<double>(vivid) / std::max(1, image.width() * image.height());
}

} // namespace

// The four views of the demo with a lead on L5 left, against the baselines in tests/gui/baselines
// (tolerance: at most 2 % of the pixels may differ by more than 48 of 255 in a channel, for font
// and rasterisation differences). After an intended change of what the views show, look at the new
// images and rewrite the baselines with DRG_UPDATE_BASELINES=1 (docs/development.md).
TEST(Workstation, ViewsMatchTheirBaselinesAndTheThreeDimensionalViewShowsSpineAndLead)
{
  DRG_REQUIRE_DISPLAY();
  application();
  MainWindow window;
  // the docks at a set width: the views' size does not follow changes of the panels
  ASSERT_TRUE(openDemoShown(window, QSize(1280, 1024), 520)) << "the demo case did not open";
  const std::vector<QImage> without = window.viewScreenshots();
  ASSERT_EQ(without.size(), 4u);

  auto* target = window.findChild<QComboBox*>("planTarget");
  auto* add = window.findChild<QPushButton*>("addLead");
  ASSERT_TRUE(target && add);
  target->setCurrentIndex(target->findText("L5 left"));
  const Eigen::Vector3d cursor = window.cursorPosition();
  QTest::mouseClick(add, Qt::LeftButton);
  ASSERT_EQ(window.planEditor()->plan().leads.size(), 1u);
  ASSERT_TRUE(window.planEditor()->plan().leads[0].planned);
  window.setCursorForTest(cursor); // (selecting the lead moved the crosshair to its target)
  QApplication::processEvents();
  const std::vector<QImage> with = window.viewScreenshots();

  // the 3D view shows the spine (the vertebrae's colours) and the lead (what adding it changed)
  const QImage& threeD = with[3];
  ASSERT_FALSE(threeD.isNull());
  EXPECT_GT(vividShare(threeD), 0.03) << "no coloured vertebrae in the 3D view";
  QImage changes;
  const double changed = drg::test::differingShare(without[3], threeD, 40, &changes);
  // (seen from behind the lead lies under the laminae: its needle, end-on, and the route in the
  // window show; about 136 pixels for the L5 left lead)
  EXPECT_GT(changed * threeD.width() * threeD.height(), 100.0) << "the lead does not show in the 3D view";

  const char* names[] = { "axial", "sagittal", "coronal", "3d" };
  for (std::size_t i = 0; i < 4; ++i) {
    const auto check = drg::test::checkBaseline(
      with[i], DRG_BASELINE_DIR, names[i], std::filesystem::path(DRG_TEST_OUTPUT_DIR) / "baseline-check");
    EXPECT_TRUE(check.passed) << check.message;
  }

  // Ctrl + wheel zooms the axial view about the mouse, Home fits it again
  auto* axial = window.findChildren<SliceView*>().front();
  for (auto* v : window.findChildren<SliceView*>()) {
    if (v->isVisible() && !v->isOblique() && v->plane() == drg::imaging::SlicePlane::Axial) {
      axial = v;
    }
  }
  // (about a point off the centre: the anatomy under the mouse stays under it)
  const Eigen::Vector3d under = window.planEditor()->plan().leads[0].skinEntry;
  const QPointF mouse = axial->lpsToWidget(under);
  const Eigen::Vector3d aside = under + Eigen::Vector3d(30, 0, 0);
  const double before = QLineF(axial->lpsToWidget(aside), mouse).length();
  QWheelEvent zoomIn(mouse, axial->mapToGlobal(mouse), QPoint(), QPoint(0, 120), Qt::NoButton,
                     Qt::ControlModifier, Qt::NoScrollPhase, false);
  QApplication::sendEvent(axial, &zoomIn);
  EXPECT_NEAR(axial->zoom(), 1.25, 1e-9);
  EXPECT_LT(QLineF(axial->lpsToWidget(under), mouse).length(), 0.5);
  EXPECT_NEAR(QLineF(axial->lpsToWidget(aside), mouse).length(), 1.25 * before, 0.5); // magnified about it
  QTest::keyClick(axial, Qt::Key_Home);
  EXPECT_NEAR(axial->zoom(), 1.0, 1e-9);

  // the needle views: along the lead's needle and its probe's eye, oblique, showing the needle
  window.setViewLayout(MainWindow::ViewLayout::Needle);
  QApplication::processEvents();
  auto* along = window.findChild<SliceView*>("alongNeedle");
  auto* probe = window.findChild<SliceView*>("probesEye");
  ASSERT_TRUE(along && probe);
  EXPECT_TRUE(along->isVisible() && probe->isVisible());
  EXPECT_TRUE(along->isOblique() && probe->isOblique());
  const auto& lead = window.planEditor()->plan().leads[0];
  // the skin and epidural entries lie in the plane along the needle, posterior on the right
  EXPECT_LT(std::abs(along->distanceFromPlane(lead.skinEntry)), 0.5);
  EXPECT_LT(std::abs(along->distanceFromPlane(lead.epiduralEntry)), 0.5);
  const QPointF skinAt = along->lpsToWidget(lead.skinEntry), entryAt = along->lpsToWidget(lead.epiduralEntry);
  EXPECT_TRUE(along->rect().contains(skinAt.toPoint()) && along->rect().contains(entryAt.toPoint()));
  EXPECT_GT(skinAt.x(), entryAt.x()) << "the skin (posterior) is not on the right";
  // the probe's eye is across the needle at its epidural entry
  EXPECT_LT(std::abs(probe->distanceFromPlane(lead.epiduralEntry)), 0.5);
  EXPECT_GT(std::abs(probe->distanceFromPlane(lead.skinEntry)), 20.0);
  // the probe's eye looks down the needle: both entries on the same point of its plane
  EXPECT_LT(QLineF(probe->lpsToWidget(lead.skinEntry), probe->lpsToWidget(lead.epiduralEntry)).length(), 1.0);
  window.setViewLayout(MainWindow::ViewLayout::TwoByTwo);
}

// A study opened from a file is listed on the start page (most recent first, at most ten, kept
// across sessions in the settings), and opens again from there, offering back the plan that was
// never saved. Its levels are renumbered, its pocket dragged on the skin in one undo step.
TEST(Workstation, RecentStudiesAndPocketDrag)
{
  DRG_REQUIRE_DISPLAY();
  application();
  drg::test::TemporaryFolder dir("workstation-recent");
  const drg::imaging::PhantomCase phantom = drg::imaging::generateSpinePhantom(drg::test::spineTestPhantom());
  const std::filesystem::path file = dir.path() / "phantom-ct.nii.gz";
  drg::imaging::writeNifti(phantom.intensities, file);
  const QString path = QString::fromStdString(file.string());
  {
    MainWindow window;
    window.setInteractive(false);
    window.show();
    QSignalSpy ready(&window, &MainWindow::caseReady);
    window.openPath(path);
    ASSERT_TRUE(ready.wait(180000)) << "the NIfTI did not open";
    ASSERT_NE(window.planEditor(), nullptr);

    // every vertebra renamed one level lower (Spine menu; L3 becomes L4): the lead on "L4 left"
    // keeps its name and goes to the ganglion now called L4, one level higher up the spine
    window.planEditor()->addLead("L4 left", "L4", drg::imaging::Side::Left);
    window.refreshPlanView();
    ASSERT_TRUE(window.planEditor()->plan().leads[0].planned);
    const Eigen::Vector3d before = window.planEditor()->plan().leads[0].target;
    QSignalSpy relabelled(&window, &MainWindow::caseReady);
    window.relabel(+1);
    ASSERT_TRUE(relabelled.wait(180000)) << "relabelling did not finish";
    ASSERT_NE(window.planEditor(), nullptr);
    ASSERT_EQ(window.planEditor()->plan().leads.size(), 1u);
    EXPECT_EQ(window.planEditor()->plan().study.labelShift, 1);
    EXPECT_EQ(window.planEditor()->plan().leads[0].targetLevel, "L4");
    EXPECT_GT(window.planEditor()->plan().leads[0].target.z() - before.z(), 15.0)
      << "the lead did not follow the relabelled L4";
    // and back, by Undo (Ctrl+Z), which the Edit menu offers (a plan of renumbered levels is not
    // recovered onto images shown as found)
    auto* undoAction = window.findChild<QAction*>("undo");
    ASSERT_NE(undoAction, nullptr);
    EXPECT_TRUE(undoAction->isEnabled()) << "the renumbering cannot be undone from the menu";
    EXPECT_EQ(undoAction->text(), "&Undo the renumbering of the vertebrae");
    // the Spine menu says how the levels are numbered now
    auto* spineMenu = window.findChild<QMenu*>("spineMenu");
    ASSERT_NE(spineMenu, nullptr);
    emit spineMenu->aboutToShow();
    auto* levelsNow = spineMenu->findChild<QAction*>("levelsNow");
    ASSERT_NE(levelsNow, nullptr);
    EXPECT_EQ(levelsNow->text(), "Levels renumbered one level lower than the spine model counted");
    undoAction->trigger();
    ASSERT_TRUE(relabelled.wait(180000)) << "undoing the relabelling did not finish";
    EXPECT_EQ(window.planEditor()->plan().study.labelShift, 0);
    EXPECT_LT((window.planEditor()->plan().leads[0].target - before).norm(), 0.5);
    window.planEditor()->removeLead(0);

    // the pocket: placed, then dragged on the skin (the handle is its skin point)
    window.planEditor()->setPocket(drg::planning::PocketSite::Buttock, drg::imaging::Side::Left);
    window.refreshPlanView();
    ASSERT_TRUE(window.planEditor()->plan().pocket && window.planEditor()->plan().pocket->placed);
    const std::string placed = drg::planning::planToJson(window.planEditor()->plan());
    const Eigen::Vector3d skin = window.planEditor()->plan().pocket->skinPoint;
    SliceView* in = nullptr;
    for (auto* v : window.findChildren<SliceView*>()) {
      if (v->isVisible() && v->rect().adjusted(20, 20, -20, -20).contains(v->lpsToWidget(skin).toPoint())) {
        in = v;
      }
    }
    ASSERT_NE(in, nullptr) << "the pocket is in no view";
    window.setCursorForTest(skin); // the slices through the pocket
    const QPoint at = in->lpsToWidget(skin).toPoint();
    QTest::mousePress(in, Qt::LeftButton, {}, at);
    QTest::mouseMove(in, at + QPoint(0, -8));
    QTest::mouseMove(in, at + QPoint(0, -16));
    QTest::mouseRelease(in, Qt::LeftButton, {}, at + QPoint(0, -16));
    ASSERT_TRUE(window.planEditor()->plan().pocket->positionOverride.has_value())
      << "the drag did not move it";
    EXPECT_GT((window.planEditor()->plan().pocket->skinPoint - skin).norm(), 2.0);
    window.planEditor()->undo();
    EXPECT_EQ(drg::planning::planToJson(window.planEditor()->plan()), placed) << "not one undo step";

    // exports: the DICOM objects need a DICOM study (refused, saying so); the STL surfaces are written
    window.planEditor()->addLead("L4 left", "L4", drg::imaging::Side::Left);
    QSignalSpy failed(&window, &MainWindow::loadFailed);
    window.exportDicom(QString::fromStdString((dir.path() / "dicom-out").string()));
    ASSERT_EQ(failed.size(), 1);
    EXPECT_TRUE(failed.front().at(0).toString().contains("not opened from DICOM"))
      << failed.front().at(0).toString().toStdString();
    EXPECT_FALSE(std::filesystem::exists(dir.path() / "dicom-out"));
    QSignalSpy exported(&window, &MainWindow::exported);
    window.exportMeshes(QString::fromStdString((dir.path() / "meshes").string()));
    ASSERT_TRUE(exported.wait(120000)) << "no surfaces";
    const QStringList stl = exported.front().at(0).toStringList();
    EXPECT_GE(stl.size(), 8);
    EXPECT_TRUE(stl.join(" ").contains("l4.stl")) << stl.join(" ").toStdString();
    EXPECT_TRUE(stl.join(" ").contains("lead-1")) << stl.join(" ").toStdString();
    window.planEditor()->removeLead(0);
  }
  MainWindow again;
  again.setInteractive(false);
  auto* recent = again.findChild<QListWidget*>("recentStudies");
  ASSERT_NE(recent, nullptr);
  ASSERT_GE(recent->count(), 1);
  EXPECT_EQ(recent->item(0)->data(Qt::UserRole).toString(), path);
  // the first window closed without saving, as after a crash: the study's plan is offered back
  QStringList asked;
  again.setQuestionHandler([&](const QString& question) {
    asked << question;
    return true;
  });
  again.show();
  QSignalSpy ready(&again, &MainWindow::caseReady);
  emit recent->itemActivated(recent->item(0));
  ASSERT_TRUE(ready.wait(180000)) << "the recent study did not open";
  ASSERT_EQ(asked.size(), 1) << "no offer to recover the unsaved plan";
  EXPECT_TRUE(asked[0].contains("never saved")) << asked[0].toStdString();
  ASSERT_NE(again.planEditor(), nullptr);
  EXPECT_TRUE(again.planEditor()->plan().pocket.has_value()) << "the unsaved plan was not recovered";
}

// A study opened from DICOM: File > Export writes the report and its DICOM objects for the PACS (PDF, SR,
// SEG) into a folder, in the background; each passes dciodvfy and carries the study.
TEST(Workstation, DicomStudyExportsTheReportAndItsDicomObjects)
{
  DRG_REQUIRE_DISPLAY();
  DRG_REQUIRE_TOOL("dciodvfy");
  application();
  drg::test::TemporaryFolder dir("workstation-dicom");
  ASSERT_EQ(drg::test::runCommand(std::string(DRG_CLI_PATH) + " -q phantom --out " +
                                  (dir.path() / "p").string() + " --matrix 256,256,200 --spacing 1.6,1.6,2")
              .exitCode,
            0);
  MainWindow window;
  window.setInteractive(false);
  window.show();
  QSignalSpy ready(&window, &MainWindow::caseReady);
  window.openPath(QString::fromStdString((dir.path() / "p" / "dicom").string()));
  ASSERT_TRUE(ready.wait(180000)) << "the DICOM series did not open";
  ASSERT_NE(window.planEditor(), nullptr);
  // the plan knows its images: series and frame of reference (a stack loaded alone did not say them)
  EXPECT_FALSE(window.planEditor()->plan().study.seriesUid.empty());
  EXPECT_FALSE(window.planEditor()->plan().study.frameOfReferenceUid.empty());
  window.planEditor()->addLead("L5 left", "L5", drg::imaging::Side::Left);
  window.refreshPlanView();
  ASSERT_TRUE(window.planEditor()->plan().leads[0].planned);
  QSignalSpy exported(&window, &MainWindow::exported);
  QSignalSpy failed(&window, &MainWindow::loadFailed);
  const std::filesystem::path out = dir.path() / "pacs";
  window.exportDicom(QString::fromStdString(out.string()));
  for (int waited = 0; exported.isEmpty() && failed.isEmpty() && waited < 120; ++waited) {
    exported.wait(1000);
  }
  ASSERT_TRUE(failed.isEmpty()) << failed.front().at(0).toString().toStdString();
  ASSERT_FALSE(exported.isEmpty()) << "no DICOM objects";
  const QStringList files = exported.front().at(0).toStringList();
  EXPECT_EQ(files.size(), 4) << files.join(" ").toStdString();
  const std::string study = drg::test::dicomValue(dir.path() / "p" / "dicom", "StudyInstanceUID");
  for (const char* object : { "report.dcm", "plan-sr.dcm", "vertebrae-seg.dcm" }) {
    ASSERT_TRUE(std::filesystem::exists(out / object)) << object;
    const auto check = drg::test::runCommand("dciodvfy " + (out / object).string() + " 2>&1");
    EXPECT_EQ(check.output.find("Error"), std::string::npos) << object << ": " << check.output;
    EXPECT_NE(drg::test::runCommand("dcmdump " + (out / object).string()).output.find(study),
              std::string::npos)
      << object << " is not in the planned study";
  }
  const auto sr = drg::test::runCommand("dsrdump " + (out / "plan-sr.dcm").string());
  EXPECT_NE(sr.output.find("L5 left dorsal root ganglion"), std::string::npos) << sr.output.substr(0, 600);
}

// File > Open from PACS against a real Orthanc: search, pick the study and its series, retrieve it
// (C-GET) and the window opens it; then the report and its DICOM objects go back to the PACS.
TEST(Workstation, OpenFromPacsAndSendTheReportBack)
{
  DRG_REQUIRE_DISPLAY();
  DRG_REQUIRE_TOOL("Orthanc");
  application();
  drg::test::TemporaryFolder dir("workstation-pacs");
  ASSERT_EQ(drg::test::runCommand(std::string(DRG_CLI_PATH) + " -q phantom --out " +
                                  (dir.path() / "p").string() + " --matrix 256,256,200 --spacing 1.6,1.6,2")
              .exitCode,
            0);
  const int receivePort = drg::test::freePort();
  drg::test::Orthanc orthanc(dir.path() / "orthanc", "ORTHANCGUI", "DRGGUI", receivePort);
  ASSERT_TRUE(orthanc.started()) << orthanc.log();
  const drg::imaging::PacsSettings settings = orthanc.clientSettings(dir.path() / "cache");
  drg::imaging::savePacsSettings(settings, dir.path() / "pacs.json");
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(dir.path() / "p" / "dicom")) {
    files.push_back(e.path());
  }
  ASSERT_EQ(drg::imaging::PacsClient(settings, "").send(files), static_cast<int>(files.size()));

  MainWindow window;
  window.setInteractive(false);
  window.setPacsSettingsFile(dir.path() / "pacs.json");
  window.show();
  PacsDialog* dialog = window.openFromPacs();
  ASSERT_NE(dialog, nullptr);
  QSignalSpy done(dialog, &PacsDialog::finished);
  dialog->findChild<QComboBox*>("pacsModality")->setCurrentText("CT");
  dialog->search();
  ASSERT_TRUE(done.wait(60000)) << dialog->status().toStdString();
  auto* studies = dialog->findChild<QTableWidget*>("pacsStudies");
  ASSERT_EQ(studies->rowCount(), 1) << dialog->status().toStdString();
  EXPECT_EQ(studies->item(0, 0)->text(), "PHANTOM^SPINE");
  studies->selectRow(0); // lists its series
  ASSERT_TRUE(done.wait(60000)) << dialog->status().toStdString();
  auto* series = dialog->findChild<QTableWidget*>("pacsSeries");
  ASSERT_EQ(series->rowCount(), 1) << dialog->status().toStdString();
  EXPECT_EQ(series->item(0, 2)->text().toInt(), static_cast<int>(files.size()));
  series->selectRow(0);
  dialog->grab().save(QString::fromStdString(
    (std::filesystem::path(DRG_TEST_OUTPUT_DIR) / "pacs-dialog.png").string())); // (for a look)
  QSignalSpy ready(&window, &MainWindow::caseReady);
  dialog->retrieveSelected();
  ASSERT_TRUE(ready.wait(180000)) << "the retrieved series did not open";
  ASSERT_NE(window.planEditor(), nullptr);
  EXPECT_NE(window.planEditor()->plan().study.source.find((dir.path() / "cache").string()), std::string::npos)
    << window.planEditor()->plan().study.source;

  // the report and its DICOM objects back to the PACS (File > Export > ... to the PACS)
  window.planEditor()->addLead("L5 left", "L5", drg::imaging::Side::Left);
  window.refreshPlanView();
  QSignalSpy exported(&window, &MainWindow::exported);
  QSignalSpy failed(&window, &MainWindow::loadFailed);
  window.exportDicom(QString::fromStdString((dir.path() / "sent").string()), false, QString());
  for (int waited = 0; exported.isEmpty() && failed.isEmpty() && waited < 120; ++waited) {
    exported.wait(1000);
  }
  ASSERT_TRUE(failed.isEmpty()) << failed.front().at(0).toString().toStdString();
  ASSERT_FALSE(exported.isEmpty());
  const auto stats = drg::test::httpRequest(orthanc.httpPort(), "GET", "/statistics");
  EXPECT_NE(stats.body.find("\"CountInstances\" : " + std::to_string(files.size() + 3)), std::string::npos)
    << stats.body;
}

// A plan opens only on its own images: on another patient's it is refused, naming both in words;
// on another study of the same patient its targets are carried only when the user says so, and the
// result is a new, unsaved plan of these images.
TEST(Workstation, PlanOpensOnlyOnItsOwnImages)
{
  DRG_REQUIRE_DISPLAY();
  application();
  drg::test::TemporaryFolder dir("workstation-plan-images");
  const std::string cli = DRG_CLI_PATH;
  for (const auto& [name, options] :
       { std::pair<std::string, std::string>{ "a", "--matrix 256,256,200 --spacing 1.6,1.6,2 --seed 1" },
         { "a2", "--matrix 240,240,180 --spacing 1.7,1.7,2.2 --seed 1" },
         { "b", "--matrix 256,256,200 --spacing 1.6,1.6,2 --seed 2" } }) {
    ASSERT_EQ(drg::test::runCommand(cli + " -q phantom --out " + (dir.path() / name).string() + " " + options)
                .exitCode,
              0);
  }
  MainWindow window;
  window.setInteractive(false);
  QStringList asked;
  bool answer = false;
  window.setQuestionHandler([&](const QString& question) {
    asked << question;
    return answer;
  });
  window.show();
  auto open = [&](const std::string& name) {
    QSignalSpy ready(&window, &MainWindow::caseReady);
    window.openPath(QString::fromStdString((dir.path() / name / "dicom").string()));
    return ready.wait(180000);
  };
  ASSERT_TRUE(open("a"));
  window.planEditor()->addLead("L5 left", "L5", drg::imaging::Side::Left);
  window.refreshPlanView();
  const QString planFile = QString::fromStdString((dir.path() / "a.drgplan.json").string());
  ASSERT_TRUE(window.savePlan(planFile));
  // another patient's images: refused, in words, without a question
  ASSERT_TRUE(open("b"));
  EXPECT_FALSE(window.openPlan(planFile));
  const QString said = window.statusBar()->currentMessage(); // (the dialog's text, without interaction)
  EXPECT_TRUE(said.contains("another patient")) << said.toStdString();
  EXPECT_TRUE(said.contains("seed 1") && said.contains("seed 2"))
    << "both series named: " << said.toStdString();
  EXPECT_FALSE(said.contains("DRGPHANTOM")) << "the patient's ID shown: " << said.toStdString();
  EXPECT_TRUE(asked.isEmpty()) << "another patient's plan is never carried: "
                               << asked.join(" / ").toStdString();
  EXPECT_TRUE(window.planEditor()->plan().leads.empty());
  // another study of the same patient: asked; "no" opens nothing, "yes" carries the targets
  ASSERT_TRUE(open("a2"));
  EXPECT_FALSE(window.openPlan(planFile));
  ASSERT_EQ(asked.size(), 1);
  EXPECT_TRUE(asked[0].contains("same patient")) << asked[0].toStdString();
  EXPECT_TRUE(asked[0].contains("L5 left")) << asked[0].toStdString();
  EXPECT_TRUE(window.planEditor()->plan().leads.empty());
  answer = true;
  EXPECT_TRUE(window.openPlan(planFile));
  ASSERT_EQ(window.planEditor()->plan().leads.size(), 1u);
  EXPECT_TRUE(window.planEditor()->plan().leads[0].planned) << window.planEditor()->plan().leads[0].problem;
  EXPECT_EQ(window.planEditor()->plan().study.seriesUid,
            drg::test::dicomValue(dir.path() / "a2" / "dicom", "SeriesInstanceUID"))
    << "the carried plan is the open images' plan";
}

// No lost work: opening another study (or plan) with unsaved changes asks first, and Cancel keeps
// them, Save writes them to the plan's file, Discard drops them and their autosave; the study
// reopened offers the plan last saved for it; changes recovered from an autosave count as unsaved.
TEST(Workstation, NoLostWorkWhenAnotherStudyOpens)
{
  DRG_REQUIRE_DISPLAY();
  application();
  drg::test::TemporaryFolder dir("workstation-lost-work");
  const std::string cli = DRG_CLI_PATH;
  for (const char* name : { "a", "b" }) {
    ASSERT_EQ(drg::test::runCommand(cli + " -q phantom --out " + (dir.path() / name).string() +
                                    " --matrix 256,256,200 --spacing 1.6,1.6,2")
                .exitCode,
              0);
  }
  MainWindow window;
  window.setInteractive(false);
  QStringList unsavedAsked, asked;
  Prompts::Unsaved choice = Prompts::Unsaved::Cancel;
  window.setUnsavedHandler([&](const QString& q) {
    unsavedAsked << q;
    return choice;
  });
  window.setQuestionHandler([&](const QString& q) {
    asked << q;
    return true;
  });
  window.show();
  auto open = [&](const char* name, int waitMs) {
    QSignalSpy ready(&window, &MainWindow::caseReady);
    window.openPath(QString::fromStdString((dir.path() / name / "dicom").string()));
    return ready.wait(waitMs);
  };
  ASSERT_TRUE(open("a", 180000));
  auto* editor = window.planEditor();
  EXPECT_FALSE(window.isWindowModified());
  editor->addLead("L5 left", "L5", drg::imaging::Side::Left);
  window.refreshPlanView();
  EXPECT_TRUE(window.isWindowModified()) << "no unsaved marker in the title";
  // Cancel: the study stays, with its plan
  EXPECT_FALSE(open("b", 3000)) << "another study replaced an unsaved plan";
  ASSERT_EQ(unsavedAsked.size(), 1);
  EXPECT_TRUE(unsavedAsked[0].contains("not saved") && unsavedAsked[0].contains("1 leads"))
    << unsavedAsked[0].toStdString();
  ASSERT_EQ(window.planEditor(), editor);
  EXPECT_EQ(editor->plan().leads.size(), 1u);
  // Save: into the plan's file
  const QString planFile = QString::fromStdString((dir.path() / "a.drgplan.json").string());
  ASSERT_TRUE(window.savePlan(planFile));
  EXPECT_FALSE(window.isWindowModified()) << "the unsaved marker stays after the save";
  editor->addLead("L4 left", "L4", drg::imaging::Side::Left);
  choice = Prompts::Unsaved::Save;
  ASSERT_TRUE(open("b", 180000));
  EXPECT_EQ(drg::planning::loadPlan(planFile.toStdString()).leads.size(), 2u) << "the changes were not saved";
  // the study reopened offers its plan
  asked.clear();
  ASSERT_TRUE(open("a", 180000));
  ASSERT_GE(asked.size(), 1);
  EXPECT_TRUE(asked.back().contains("last saved for this study")) << asked.back().toStdString();
  ASSERT_EQ(window.planEditor()->plan().leads.size(), 2u);
  // Discard: the changes and their autosave are gone
  window.planEditor()->addLead("L3 left", "L3", drg::imaging::Side::Left);
  const auto autosave = drg::planning::autosavePath(planFile.toStdString());
  ASSERT_TRUE(std::filesystem::exists(autosave));
  choice = Prompts::Unsaved::Discard;
  ASSERT_TRUE(open("b", 180000));
  EXPECT_FALSE(std::filesystem::exists(autosave)) << "discarded changes are offered back later";
  EXPECT_EQ(drg::planning::loadPlan(planFile.toStdString()).leads.size(), 2u);
  // changes recovered from an autosave are unsaved until saved (quitting then asks)
  ASSERT_TRUE(open("a", 180000));
  window.planEditor()->addLead("L3 left", "L3", drg::imaging::Side::Left);
  MainWindow again;
  again.setInteractive(false);
  QStringList againAsked;
  again.setQuestionHandler([&](const QString& q) {
    againAsked << q;
    return true;
  });
  again.show();
  QSignalSpy ready(&again, &MainWindow::caseReady);
  again.openPath(QString::fromStdString((dir.path() / "a" / "dicom").string()));
  ASSERT_TRUE(ready.wait(180000));
  ASSERT_EQ(againAsked.size(), 2) << againAsked.join(" | ").toStdString();
  EXPECT_TRUE(againAsked[1].contains("never saved to it")) << againAsked[1].toStdString();
  EXPECT_FALSE(againAsked[1].contains("stopped")) << "blames a crash: " << againAsked[1].toStdString();
  ASSERT_EQ(again.planEditor()->plan().leads.size(), 3u);
  QStringList quitAsked;
  again.setUnsavedHandler([&](const QString& q) {
    quitAsked << q;
    return Prompts::Unsaved::Cancel;
  });
  EXPECT_FALSE(again.close()) << "quitting with recovered, unsaved changes did not ask";
  EXPECT_EQ(quitAsked.size(), 1);
  again.setUnsavedHandler([](const QString&) { return Prompts::Unsaved::KeepAutosave; });
  window.setUnsavedHandler([](const QString&) { return Prompts::Unsaved::KeepAutosave; });
}

// Safety text in full where it cannot be missed: the case's warnings (here the spine model's
// refusal on a volume without a spine) in a banner above the views, not cut short in the status bar;
// a status message does not hide the position readout.
TEST(Workstation, WarningsInFullAboveTheViews)
{
  DRG_REQUIRE_DISPLAY();
  application();
  drg::test::TemporaryFolder dir("workstation-banner");
  drg::imaging::ImageGeometry g;
  g.size = { 64, 64, 48 };
  g.spacing = Eigen::Vector3d(1.5, 1.5, 2.0);
  drg::imaging::Image<std::int16_t> box(g);
  for (std::size_t i = 0; i < box.voxels().size(); ++i) {
    box.voxels()[i] = static_cast<std::int16_t>((i / 64) % 64 > 8 ? 40 : -1000); // soft tissue under air
  }
  const std::filesystem::path file = dir.path() / "no-spine.nii.gz";
  drg::imaging::writeNifti(box, file);
  MainWindow window;
  window.setInteractive(false);
  window.show();
  QSignalSpy ready(&window, &MainWindow::caseReady);
  window.openPath(QString::fromStdString(file.string()));
  ASSERT_TRUE(ready.wait(180000)) << "the volume did not open";
  auto* banner = window.findChild<QLabel*>("safetyBanner");
  ASSERT_NE(banner, nullptr);
  EXPECT_TRUE(banner->isVisible()) << "no warning shown above the views";
  EXPECT_TRUE(banner->text().contains("spine model:")) << banner->text().toStdString();
  EXPECT_TRUE(banner->wordWrap());
  EXPECT_TRUE(window.statusBar()->currentMessage().contains("warning(s) above the views"))
    << window.statusBar()->currentMessage().toStdString();
}

// Orientation letters stay on a zoomed view, and the next study opens unzoomed.
TEST(Workstation, LettersOnZoomedViewsAndZoomPerStudy)
{
  DRG_REQUIRE_DISPLAY();
  application();
  drg::test::TemporaryFolder dir("workstation-zoom");
  const drg::imaging::PhantomCase phantom = drg::imaging::generateSpinePhantom(drg::test::spineTestPhantom());
  const std::filesystem::path file = dir.path() / "phantom-ct.nii.gz";
  drg::imaging::writeNifti(phantom.intensities, file);
  MainWindow window;
  window.setInteractive(false);
  window.resize(1280, 900);
  window.show();
  auto open = [&] {
    QSignalSpy ready(&window, &MainWindow::caseReady);
    window.openPath(QString::fromStdString(file.string()));
    return ready.wait(180000);
  };
  ASSERT_TRUE(open());
  SliceView* view = window.findChildren<SliceView*>().front();
  view->setZoom(4.0, QPointF(view->width() / 2.0, view->height() / 2.0));
  // the letters' colour (255, 200, 60) at the view's edges
  const QImage shot = view->grab().toImage();
  int letters = 0;
  for (int y = 0; y < shot.height(); ++y) {
    for (int x = 0; x < shot.width(); ++x) {
      const QRgb p = shot.pixel(x, y);
      letters += qRed(p) > 240 && std::abs(qGreen(p) - 200) < 20 && qBlue(p) < 100 ? 1 : 0;
    }
  }
  EXPECT_GT(letters, 40) << "no orientation letters on the zoomed view";
  ASSERT_TRUE(open()); // (the same file opened again is another study shown)
  EXPECT_DOUBLE_EQ(view->zoom(), 1.0) << "the zoom carried over to the next study";
}

// The 3D view shows the plan: the lead no thinner than a few pixels, seen through the laminae that
// cover the canal from behind, named on a plate; the selected lead stands out. The Plan panel chooses
// the selected lead's approach, window and sheath, each one undoable edit that the panel follows.
TEST(Workstation, LeadTechniqueChosenInThePanelAndThePlanSeenInThreeDimensions)
{
  DRG_REQUIRE_DISPLAY();
  application();
  MainWindow window;
  ASSERT_TRUE(openDemoShown(window, QSize(1280, 1024), 520)) << "the demo case did not open";
  const QImage empty = window.viewScreenshots().at(3);

  auto* target = window.findChild<QComboBox*>("planTarget");
  auto* add = window.findChild<QPushButton*>("addLead");
  auto* leads = window.findChild<QListWidget*>("leads");
  ASSERT_TRUE(target && add && leads);
  target->setCurrentIndex(target->findText("L5 left"));
  QTest::mouseClick(add, Qt::LeftButton);
  const auto& plan = [&]() -> const drg::planning::Plan& { return window.planEditor()->plan(); };
  ASSERT_EQ(plan().leads.size(), 1u);
  ASSERT_TRUE(plan().leads[0].planned) << plan().leads[0].problem;
  const Eigen::Vector3d cursor = plan().leads[0].target; // (where selecting a lead puts the cursor)
  leads->setCurrentRow(-1);
  window.setCursorForTest(cursor);
  QApplication::processEvents();
  const QImage unselected = window.viewScreenshots().at(3);
  const double pixels = unselected.width() * unselected.height();
  // (the lead at its true 1 mm, under the laminae, changed about 136 pixels of this view)
  EXPECT_GT(drg::test::differingShare(empty, unselected, 40) * pixels, 600.0)
    << "the lead is hard to find in the 3D view";
  leads->setCurrentRow(0);
  window.setCursorForTest(cursor);
  QApplication::processEvents();
  const QImage selected = window.viewScreenshots().at(3);
  EXPECT_GT(drg::test::differingShare(unselected, selected, 40) * pixels, 100.0)
    << "the selected lead does not stand out";

  auto* approach = window.findChild<QComboBox*>("leadApproach");
  auto* entry = window.findChild<QComboBox*>("leadEntryLevel");
  auto* sheath = window.findChild<QComboBox*>("leadSheath");
  ASSERT_TRUE(approach && entry && sheath);
  EXPECT_TRUE(approach->isEnabled() && entry->isEnabled() && sheath->isEnabled());
  EXPECT_EQ(approach->currentText(), "contralateral");
  EXPECT_EQ(entry->currentText().toStdString(), plan().leads[0].entryLevel);
  EXPECT_EQ(sheath->currentText(), "Auto");
  const std::string before = drg::planning::planToJson(plan());
  // the other approach, chosen with the keyboard: the lead planned again, the choice its own
  approach->setFocus();
  QTest::keyClick(approach, Qt::Key_Down);
  EXPECT_EQ(plan().leads[0].approach, drg::planning::Approach::IpsilateralInterlaminar);
  EXPECT_TRUE(plan().leads[0].techniqueChosen);
  EXPECT_TRUE(plan().leads[0].planned) << plan().leads[0].problem;
  EXPECT_EQ(approach->currentText(), "ipsilateral");
  // one undo step, and the panel follows it
  window.undo();
  EXPECT_EQ(drg::planning::planToJson(plan()), before);
  EXPECT_EQ(approach->currentText(), "contralateral");
  // a sheath of the catalog instead of the planner's choice
  sheath->setFocus();
  QTest::keyClick(sheath, Qt::Key_Down);
  EXPECT_EQ(plan().leads[0].sheath, window.planEditor()->planner().catalog().sheaths().front().id);
  // a locked lead's technique cannot be changed
  window.planEditor()->setLocked(0, true);
  window.refreshPlanView();
  EXPECT_FALSE(approach->isEnabled() || entry->isEnabled() || sheath->isEnabled());
}
