// The workstation's controls show their state and say what they do (issue 24, item 9): the View
// and Spine menus check the layout and the declaration in force and name the levels' numbering;
// the window combo says "Custom" once the window is dragged; Undo and Redo name their step; the
// keys act on the view under the mouse without moving the crosshair; a lead that failed shows no
// made-up coordinates; at 1024 x 700 the views keep their size and the Plan panel all its controls.
#include "MainWindow.h"
#include "SliceView.h"

#include "TestSupport.h"
#include "WorkstationApp.h"

#include "drg/imaging/NiftiIo.h"
#include "drg/imaging/SpinePhantom.h"

#include <QAction>
#include <QComboBox>
#include <QDockWidget>
#include <QDoubleSpinBox>
#include <QEnterEvent>
#include <QLabel>
#include <QListWidget>
#include <QMenu>
#include <QMenuBar>
#include <QPushButton>
#include <QScrollArea>
#include <QSignalSpy>
#include <QTest>

#include <gtest/gtest.h>

#include <algorithm>

namespace
{

SliceView* axialView(MainWindow& window)
{
  for (auto* v : window.findChildren<SliceView*>()) {
    if (v->isVisible() && !v->isOblique() && v->plane() == drg::imaging::SlicePlane::Axial) {
      return v;
    }
  }
  return nullptr;
}

/// The checked action of `menu` once it is about to show (as when the user opens it), or "".
QString checkedIn(QMenu* menu)
{
  emit menu->aboutToShow();
  for (QAction* a : menu->actions()) {
    if (a->isCheckable() && a->isChecked() && a->actionGroup() != nullptr) {
      return a->text();
    }
  }
  return {};
}

} // namespace

TEST(WorkstationControls, MenusWindowUndoKeysAndFailedLeadsShowTheirState)
{
  DRG_REQUIRE_DISPLAY();
  application();
  MainWindow window;
  ASSERT_TRUE(openDemoShown(window)) << "the demo case did not open";

  // View: the layout shown is the one checked, however it was set
  auto* viewMenu = window.menuBar()->findChild<QMenu*>("viewMenu");
  auto* spineMenu = window.menuBar()->findChild<QMenu*>("spineMenu");
  ASSERT_TRUE(viewMenu && spineMenu);
  EXPECT_EQ(checkedIn(viewMenu), "2 x 2");
  window.setViewLayout(MainWindow::ViewLayout::OnePlusThree);
  EXPECT_EQ(checkedIn(viewMenu), "1 + 3");
  window.setViewLayout(MainWindow::ViewLayout::TwoByTwo);
  // Spine: how the levels are numbered now; no declaration checked when none was made
  EXPECT_EQ(checkedIn(spineMenu), "");
  auto* now = spineMenu->findChild<QAction*>("levelsNow");
  ASSERT_NE(now, nullptr);
  EXPECT_TRUE(now->text().contains("as the spine model counted")) << now->text().toStdString();
  QApplication::processEvents();

  // the window dragged with the right button: the combo says Custom (and the values), a preset
  // chosen again replaces it
  SliceView* axial = axialView(window);
  ASSERT_NE(axial, nullptr);
  auto* preset = window.findChild<QComboBox*>("windowPreset");
  ASSERT_NE(preset, nullptr);
  EXPECT_EQ(preset->currentText(), "Bone");
  const QPoint middle = axial->rect().center();
  QTest::mousePress(axial, Qt::RightButton, {}, middle);
  QTest::mouseMove(axial, middle + QPoint(40, 25));
  QTest::mouseRelease(axial, Qt::RightButton, {}, middle + QPoint(40, 25));
  EXPECT_EQ(preset->currentText(), "Custom");
  EXPECT_TRUE(preset->toolTip().contains("W ")) << preset->toolTip().toStdString();
  preset->setCurrentIndex(preset->findText("Soft tissue"));
  EXPECT_EQ(preset->currentText(), "Soft tissue");
  EXPECT_TRUE(preset->toolTip().isEmpty());

  // keys act on the view under the mouse: no click, so the crosshair stays where it was
  const Eigen::Vector3d cursor = window.cursorPosition();
  window.activateWindow();
  ASSERT_TRUE(QTest::qWaitForWindowActive(&window));
  QEnterEvent enter(QPointF(middle), axial->mapToGlobal(QPointF(middle)),
                    axial->mapToGlobal(QPointF(middle)));
  QApplication::sendEvent(axial, &enter);
  EXPECT_TRUE(axial->hasFocus()) << "the view under the mouse does not take the keys";
  QTest::keyClick(QApplication::focusWidget(), Qt::Key_Plus);
  EXPECT_NEAR(axial->zoom(), 1.25, 1e-9);
  QTest::keyClick(QApplication::focusWidget(), Qt::Key_Home);
  EXPECT_NEAR(axial->zoom(), 1.0, 1e-9);
  EXPECT_TRUE(window.cursorPosition().isApprox(cursor)) << "the keys moved the crosshair";

  // Undo and Redo say what they take back and bring back
  auto* target = window.findChild<QComboBox*>("planTarget");
  auto* add = window.findChild<QPushButton*>("addLead");
  auto* retarget = window.findChild<QPushButton*>("retarget");
  ASSERT_TRUE(target && add && retarget);
  target->setCurrentIndex(target->findText("L5 left"));
  QTest::mouseClick(add, Qt::LeftButton);
  auto* editor = window.planEditor();
  ASSERT_EQ(editor->plan().leads.size(), 1u);
  QAction* undo = window.findChild<QAction*>("undo");
  ASSERT_NE(undo, nullptr);
  EXPECT_EQ(undo->text(), "&Undo add lead L5 left");
  editor->moveSkinEntry(0, editor->plan().leads[0].skinEntry + Eigen::Vector3d(0, 0, -5));
  window.refreshPlanView();
  EXPECT_EQ(undo->text(), "&Undo move the skin entry of L5 left");
  window.undo();
  QAction* redo = nullptr;
  for (QAction* a : window.findChildren<QAction*>()) {
    redo = a->text().startsWith("&Redo") ? a : redo;
  }
  ASSERT_NE(redo, nullptr);
  EXPECT_EQ(redo->text(), "&Redo move the skin entry of L5 left");

  // Retarget renames the lead named after its target
  target->setCurrentIndex(target->findText("L4 left"));
  QTest::mouseClick(retarget, Qt::LeftButton);
  EXPECT_EQ(editor->plan().leads[0].name, "L4 left");
  EXPECT_EQ(undo->text(), "&Undo retarget L5 left to L4 left");

  // a lead that failed: its needle's points read "none", not 0, 0, 0, and cannot be typed
  editor->moveSkinEntry(0, editor->plan().leads[0].epiduralEntry + Eigen::Vector3d(0, 5, 0));
  ASSERT_FALSE(editor->plan().leads[0].planned);
  window.refreshPlanView();
  auto* x = window.findChild<QDoubleSpinBox*>("skinEntry0");
  ASSERT_NE(x, nullptr);
  EXPECT_EQ(x->text(), "none");
  EXPECT_FALSE(x->isEnabled());
}

// A 1024 x 700 window (a small laptop): the slice views keep over 300 pixels across, and the Plan
// panel shows its buttons within its width (it scrolls rather than squeezing the views).
TEST(WorkstationControls, SmallWindowKeepsTheViewsAndThePanelUsable)
{
  DRG_REQUIRE_DISPLAY();
  application();
  MainWindow window;
  ASSERT_TRUE(openDemoShown(window, QSize(1024, 700))) << "the demo case did not open";
  QApplication::processEvents();
  int views = 0;
  for (auto* v : window.findChildren<SliceView*>()) {
    if (v->isVisible()) {
      EXPECT_GE(v->width(), 300) << "a view squeezed to " << v->width() << " pixels";
      ++views;
    }
  }
  EXPECT_EQ(views, 3);
  auto* dock = window.findChild<QDockWidget*>("plan");
  ASSERT_NE(dock, nullptr);
  auto* scroll = dock->findChild<QScrollArea*>();
  ASSERT_NE(scroll, nullptr);
  for (const char* name : { "addLead", "retarget" }) {
    auto* button = window.findChild<QPushButton*>(name);
    ASSERT_NE(button, nullptr);
    const QRect inViewport(button->mapTo(scroll->viewport(), QPoint(0, 0)), button->size());
    EXPECT_TRUE(scroll->viewport()->rect().contains(inViewport)) << name << " is cut off";
  }
}

// Levels counted from one anchor only (the sacrum, no ribs in view) are unconfirmed: the banner and
// the Spine menu say so and a plan carries an error until the user confirms them (one undoable edit);
// naming a vertebra counts the levels from it instead.
TEST(WorkstationControls, UnconfirmedLevelsAreConfirmedOrNamedByTheUser)
{
  DRG_REQUIRE_DISPLAY();
  application();
  drg::test::TemporaryFolder dir("levels");
  const std::string cli = DRG_CLI_PATH;
  ASSERT_EQ(drg::test::runCommand(cli + " -q phantom --out " + (dir.path() / "lower").string() +
                                  " --levels L3-S1 --matrix 256,256,100 --spacing 1.6,1.6,2")
              .exitCode,
            0);
  MainWindow window;
  window.setInteractive(false);
  window.resize(1280, 1024);
  window.show();
  QSignalSpy ready(&window, &MainWindow::caseReady);
  window.openPath(QString::fromStdString((dir.path() / "lower" / "dicom").string()));
  ASSERT_TRUE(ready.wait(180000)) << "the phantom did not open";
  ASSERT_NE(window.planEditor(), nullptr);
  EXPECT_EQ(window.levelCheckStatus(), "unconfirmed");
  auto* banner = window.findChild<QLabel*>("safetyBanner");
  ASSERT_NE(banner, nullptr);
  EXPECT_TRUE(banner->isVisible() && banner->text().contains("levels unconfirmed"))
    << banner->text().toStdString();
  auto* spineMenu = window.menuBar()->findChild<QMenu*>("spineMenu");
  ASSERT_NE(spineMenu, nullptr);
  emit spineMenu->aboutToShow();
  EXPECT_TRUE(spineMenu->findChild<QAction*>("levelsNow")->text().contains("UNCONFIRMED"));

  auto* editor = window.planEditor();
  editor->addLead("L4 left", "L4", drg::imaging::Side::Left);
  window.refreshPlanView();
  auto errorOn = [&] {
    const auto& f = window.planEditor()->plan().findings;
    return std::any_of(f.begin(), f.end(), [](const auto& x) { return x.code == "levels-unconfirmed"; });
  };
  EXPECT_TRUE(errorOn());
  window.confirmLevels("counted up from S1 on the sagittal view, the test");
  EXPECT_FALSE(errorOn());
  EXPECT_TRUE(banner->text().contains("Levels confirmed: counted up from S1"))
    << banner->text().toStdString();
  EXPECT_FALSE(banner->text().contains("levels unconfirmed"));
  window.undo();
  EXPECT_TRUE(errorOn());
  EXPECT_TRUE(banner->text().contains("levels unconfirmed"));

  // the vertebra the model calls L4 named L4 by the user: counted from it, no error
  const auto* l4 = window.planEditor()->planner().anatomy().model().vertebra("L4");
  ASSERT_NE(l4, nullptr);
  window.nameVertebra(l4->bodyCentre, "L4");
  ASSERT_TRUE(ready.wait(180000)) << "naming the vertebra did not finish";
  EXPECT_EQ(window.levelCheckStatus(), "user-anchored");
  ASSERT_NE(window.planEditor(), nullptr);
  EXPECT_FALSE(errorOn());
  EXPECT_FALSE(window.planEditor()->plan().study.levelAt.empty());
  EXPECT_TRUE(window.planEditor()->plan().study.levelAt.find("=L4") != std::string::npos);
  emit spineMenu->aboutToShow();
  EXPECT_TRUE(spineMenu->findChild<QAction*>("levelsNow")->text().contains("you named L4"));
}

// A volume file whose values do not tell CT from MR (no air, no fat, but negative values): the
// workstation asks, and opens it as the user says; cancelled, nothing opens.
TEST(WorkstationControls, AVolumeOfUntoldModalityIsAskedAbout)
{
  DRG_REQUIRE_DISPLAY();
  application();
  drg::test::TemporaryFolder dir("workstation-modality");
  drg::imaging::PhantomOptions o = drg::test::spineTestPhantom();
  o.contrast = drg::imaging::PhantomContrast::MrT2;
  drg::imaging::PhantomCase phantom = drg::imaging::generateSpinePhantom(o);
  for (auto& v : phantom.intensities.voxels()) {
    v = static_cast<std::int16_t>(v - 20); // an offset MR: negative values, yet neither air nor fat
  }
  const std::filesystem::path file = dir.path() / "offset-t2.nii.gz";
  drg::imaging::writeNifti(phantom.intensities, file);
  const QString path = QString::fromStdString(file.string());

  MainWindow window;
  window.setInteractive(false);
  window.show();
  QStringList asked;
  window.setModalityHandler([&](const QString& question) -> std::optional<bool> {
    asked << question;
    return std::nullopt;
  });
  window.openPath(path);
  for (int i = 0; i < 1200 && asked.isEmpty(); ++i) {
    QTest::qWait(100);
  }
  ASSERT_EQ(asked.size(), 1) << "not asked";
  EXPECT_TRUE(asked.front().contains("do not tell a CT from an MR")) << asked.front().toStdString();
  EXPECT_FALSE(window.windowTitle().contains("offset-t2")) << "opened although the user cancelled";

  window.setModalityHandler([&](const QString& question) -> std::optional<bool> {
    asked << question;
    return false; // T2 MR
  });
  QSignalSpy ready(&window, &MainWindow::caseReady);
  window.openPath(path);
  ASSERT_TRUE(ready.wait(180000)) << "the volume did not open once said to be MR";
  EXPECT_EQ(asked.size(), 2);
  EXPECT_TRUE(window.windowTitle().contains("offset-t2.nii.gz")) << window.windowTitle().toStdString();
}
