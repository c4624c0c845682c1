#include "MainMenus.h"

#include "CaseLoader.h"
#include "CaseMenu.h"
#include "MainWindow.h"
#include "PlanExporter.h"
#include "PostopView.h"
#include "View3D.h"

#include <QActionGroup>
#include <QFileDialog>
#include <QInputDialog>
#include <QLineEdit>
#include <QMenuBar>
#include <QMessageBox>
#include <QSignalBlocker>

#include <cstdlib>

MainMenus::MainMenus(MainWindow& window, CaseLoader& loader, PlanExporter& exporter, View3D& view3d)
  : QObject(&window)
  , m_window(window)
  , m_loader(loader)
  , m_exporter(exporter)
  , m_view3d(view3d)
{
  addFileMenu();
  QMenu* edit = window.menuBar()->addMenu(tr("&Edit"));
  m_undo = edit->addAction(tr("&Undo"), QKeySequence::Undo, this, [this] { emit undoRequested(); });
  m_undo->setObjectName("undo");
  m_redo = edit->addAction(tr("&Redo"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Z), this,
                           [this] { emit redoRequested(); });
  m_undo->setEnabled(false);
  m_redo->setEnabled(false);
  using Layout = MainWindow::ViewLayout;
  QMenu* viewMenu = window.menuBar()->addMenu(tr("&View"));
  viewMenu->setObjectName("viewMenu");
  // the layouts: one checked, the one shown (also when set otherwise: the command line, a test)
  auto* layouts = new QActionGroup(this);
  const std::pair<QString, Layout> layoutItems[] = {
    { tr("2 x 2"), Layout::TwoByTwo },
    { tr("1 + 3"), Layout::OnePlusThree },
    { tr("Axial only"), Layout::Axial },
    { tr("Sagittal only"), Layout::Sagittal },
    { tr("Coronal only"), Layout::Coronal },
    { tr("3D only"), Layout::ThreeD },
    { tr("Needle views (selected lead)"), Layout::Needle },
  };
  for (const auto& [text, layout] : layoutItems) {
    QAction* a = viewMenu->addAction(text, this, [this, layout = layout] { m_window.setViewLayout(layout); });
    a->setCheckable(true);
    a->setData(static_cast<int>(layout));
    layouts->addAction(a);
  }
  connect(viewMenu, &QMenu::aboutToShow, this, [this, layouts] {
    for (QAction* a : layouts->actions()) {
      a->setChecked(a->data().toInt() == static_cast<int>(m_window.viewLayout()));
    }
  });
  addSpineMenu();
  new CaseMenu(m_window, window.menuBar()->addMenu(tr("&Case")));
  // the 3D view's camera and skin, with the keys that do the same in the view (under the mouse)
  viewMenu->addSeparator();
  viewMenu->addAction(tr("3D from behind\tR"), this,
                      [this] { m_view3d.resetCamera(drg::render::OverviewView::Posterior); });
  viewMenu->addAction(tr("3D from the left\tL"), this,
                      [this] { m_view3d.resetCamera(drg::render::OverviewView::LeftLateral); });
  viewMenu->addAction(tr("3D oblique, from behind and the left\tO"), this,
                      [this] { m_view3d.resetCamera(drg::render::OverviewView::PosteriorOblique); });
  QAction* turn = viewMenu->addAction(tr("3D turn: drag, or the arrow keys\tLeft, Right"));
  turn->setEnabled(false); // (a hint: the keys act in the 3D view)
  m_boneVolume = viewMenu->addAction(tr("3D bone as volume rendering (CT)"));
  m_boneVolume->setObjectName("boneVolume");
  m_boneVolume->setCheckable(true);
  QAction* skin = viewMenu->addAction(tr("3D skin\tS"));
  skin->setObjectName("skin3d");
  skin->setCheckable(true);
  skin->setChecked(m_view3d.skinShown());
  connect(skin, &QAction::toggled, &m_view3d, &View3D::setSkinShown);
  connect(&m_view3d, &View3D::skinShownChanged, skin, [skin](bool on) {
    const QSignalBlocker quiet(skin);
    skin->setChecked(on);
  });
}

void MainMenus::addSpineMenu()
{
  QMenu* spine = m_window.menuBar()->addMenu(tr("&Spine"));
  spine->setObjectName("spineMenu");
  // how the levels are named now, above the ways to change it
  QAction* now = spine->addAction(QString());
  now->setObjectName("levelsNow");
  now->setEnabled(false);
  spine->addAction(tr("Renumber: each vertebra one level higher (L4 becomes L3)"), this,
                   [this] { m_window.relabel(-1); });
  spine->addAction(tr("Renumber: each vertebra one level lower (L3 becomes L4)"), this,
                   [this] { m_window.relabel(+1); });
  spine->addAction(tr("Name the vertebra at the crosshair..."), this, [this] {
    // the name it has now offered first; the levels are then counted from it
    const QStringList names = { "T10", "T11", "T12", "T13", "L1", "L2", "L3", "L4", "L5", "L6", "S1" };
    bool ok = false;
    const QString level =
      QInputDialog::getItem(&m_window, tr("Name the vertebra"),
                            tr("The vertebra at the crosshair is (the others are counted from "
                               "it, and checked against the sacrum and the ribs in view):"),
                            names, names.indexOf(m_window.levelAtCursor()), false, &ok);
    if (ok) {
      m_window.nameVertebra(m_window.cursorPosition(), level);
    }
  });
  spine->addAction(tr("Confirm the levels..."), this, [this] {
    bool ok = false;
    const QString how = QInputDialog::getText(
      &m_window, tr("Confirm the levels"),
      tr("How were the level names confirmed, and by whom?\n(e.g. counted up from S1 on the sagittal view "
         "and the ribs on the coronal, A. Surgeon)"),
      QLineEdit::Normal, QString(), &ok);
    if (ok) {
      m_window.confirmLevels(how);
    }
  });
  spine->addSeparator();
  using drg::imaging::TransitionalAnatomy;
  auto* declarations = new QActionGroup(this);
  const std::pair<QString, TransitionalAnatomy> declared[] = {
    { tr("Declare six lumbar vertebrae (L6)"), TransitionalAnatomy::L6 },
    { tr("Declare thirteen rib-bearing vertebrae (T13)"), TransitionalAnatomy::T13 },
    { tr("Declare a sacralised L5"), TransitionalAnatomy::SacralizedL5 },
    { tr("Declare no transitional anatomy"), TransitionalAnatomy::None },
  };
  for (const auto& [text, anatomy] : declared) {
    QAction* a = spine->addAction(text, this, [this, anatomy = anatomy] { m_window.relabel(0, anatomy); });
    a->setCheckable(true);
    a->setData(static_cast<int>(anatomy));
    declarations->addAction(a);
  }
  connect(spine, &QMenu::aboutToShow, this, [this, now, declarations] {
    const drg::imaging::SpineLabelOverride o = m_window.labelOverride();
    const int n = std::abs(o.shift);
    const QString levels = n == 1 ? tr("one level") : tr("%1 levels").arg(n);
    const QString counted =
      o.anchorAt
        ? tr("Levels counted from the vertebra you named %1").arg(QString::fromStdString(o.anchorAt->level))
      : o.shift == 0 ? tr("Levels as the spine model counted them")
      : o.shift < 0  ? tr("Levels renumbered %1 higher than the spine model counted").arg(levels)
                     : tr("Levels renumbered %1 lower than the spine model counted").arg(levels);
    const std::string check = m_window.levelCheckStatus();
    now->setText(counted + (check == "consistent"    ? tr(" (sacrum and ribs agree)")
                            : check == "unconfirmed" ? tr(" (UNCONFIRMED: confirm them)")
                                                     : QString()));
    // the declaration in force checked (none checked: nothing declared)
    for (QAction* a : declarations->actions()) {
      a->setChecked(o.declaredSet && a->data().toInt() == static_cast<int>(o.declared));
    }
  });
}

void MainMenus::addFileMenu()
{
  QMenu* file = m_window.menuBar()->addMenu(tr("&File"));
  file->addAction(tr("Open &demo case"), &m_loader, &CaseLoader::openDemo);
  file->addAction(tr("Open DICOM &folder..."), QKeySequence::Open, &m_loader, &CaseLoader::chooseDicomFolder);
  file->addAction(tr("Open from &PACS..."), this, [this] { m_window.openFromPacs(); });
  file->addAction(tr("Open &NIfTI..."), &m_loader, &CaseLoader::chooseVolumeFile);
  file->addSeparator();
  file->addAction(tr("Open &plan..."), this, [this] {
    QString path = QFileDialog::getOpenFileName(&m_window, tr("Open plan"), QString(),
                                                tr("drgplan plans (*.drgplan.json)"));
    if (!path.isEmpty()) {
      m_window.openPlan(path);
    }
  });
  file->addAction(tr("&Verify a post-operative CT against the plan..."), this,
                  [this] { m_window.postop().choose(); });
  file->addAction(tr("&Save plan as..."), QKeySequence::Save, this, [this] {
    QString path = QFileDialog::getSaveFileName(&m_window, tr("Save plan"), m_window.suggestedPlanPath(),
                                                tr("drgplan plans (*.drgplan.json)"));
    if (!path.isEmpty()) {
      m_window.savePlan(path);
    }
  });
  file->addSeparator();
  addExportMenu(file);
  file->addSeparator();
  file->addAction(tr("&Quit"), QKeySequence::Quit, &m_window, &QWidget::close); // (asks to save)
}

void MainMenus::addExportMenu(QMenu* file)
{
  QMenu* exportMenu = file->addMenu(tr("&Export"));
  exportMenu->addAction(tr("Window as PNG..."), this, [this] {
    const QString path =
      QFileDialog::getSaveFileName(&m_window, tr("Export the window"), "drgplan.png", tr("PNG (*.png)"));
    if (!path.isEmpty() && !m_window.screenshot().save(path)) {
      QMessageBox::warning(&m_window, tr("Export"), tr("Could not write %1").arg(path));
    }
  });
  exportMenu->addAction(tr("3D view as PNG..."), this, [this] {
    const QString path =
      QFileDialog::getSaveFileName(&m_window, tr("Export the 3D view"), "drgplan-3d.png", tr("PNG (*.png)"));
    if (!path.isEmpty() && !m_view3d.grabFrame().save(path)) {
      QMessageBox::warning(&m_window, tr("Export"), tr("Could not write %1").arg(path));
    }
  });
  exportMenu->addSeparator();
  exportMenu->addAction(tr("Placement report (PDF)..."), this, [this] {
    const QString path = QFileDialog::getSaveFileName(&m_window, tr("Export the placement report"),
                                                      "report.pdf", tr("PDF (*.pdf)"));
    if (!path.isEmpty()) {
      m_exporter.exportReport(path);
    }
  });
  exportMenu->addAction(tr("Placement report, de-identified (PDF)..."), this, [this] {
    const QString path =
      QFileDialog::getSaveFileName(&m_window, tr("Export the de-identified placement report"),
                                   "report-deidentified.pdf", tr("PDF (*.pdf)"));
    if (!path.isEmpty()) {
      m_exporter.exportReport(path, true);
    }
  });
  exportMenu->addAction(tr("Report and DICOM objects for the PACS (PDF, SR, SEG)..."), this, [this] {
    const QString folder =
      QFileDialog::getExistingDirectory(&m_window, tr("Folder for the report and its DICOM objects"));
    if (!folder.isEmpty()) {
      m_exporter.exportDicom(folder);
    }
  });
  exportMenu->addAction(tr("Report and DICOM objects to the PACS"), &m_exporter, &PlanExporter::exportToPacs);
  exportMenu->addAction(tr("Report and DICOM objects, de-identified..."), this, [this] {
    const QString folder = QFileDialog::getExistingDirectory(
      &m_window, tr("Folder for the de-identified report and DICOM objects"));
    if (!folder.isEmpty()) {
      m_exporter.exportDicom(folder, true);
    }
  });
  exportMenu->addSeparator();
  exportMenu->addAction(tr("3D Slicer markups (.mrk.json)..."), this, [this] {
    const QString path = QFileDialog::getSaveFileName(&m_window, tr("Export the plan as 3D Slicer markups"),
                                                      "plan.mrk.json", tr("Slicer markups (*.mrk.json)"));
    if (!path.isEmpty()) {
      m_exporter.exportInterchange(path, false);
    }
  });
  exportMenu->addAction(tr("Lead table (CSV)..."), this, [this] {
    const QString path =
      QFileDialog::getSaveFileName(&m_window, tr("Export the lead table"), "leads.csv", tr("CSV (*.csv)"));
    if (!path.isEmpty()) {
      m_exporter.exportInterchange(path, true);
    }
  });
  exportMenu->addAction(tr("Surfaces for 3D printing (STL)..."), this, [this] {
    const QString folder = QFileDialog::getExistingDirectory(&m_window, tr("Folder for the STL surfaces"));
    if (!folder.isEmpty()) {
      m_exporter.exportMeshes(folder);
    }
  });
}
