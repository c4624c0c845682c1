#include "MainMenus.h"

#include "CaseLoader.h"
#include "MainWindow.h"
#include "PlanExporter.h"
#include "View3D.h"

#include <QFileDialog>
#include <QMenuBar>
#include <QMessageBox>

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
  viewMenu->addAction(tr("2 x 2"), this, [this] { m_window.setViewLayout(Layout::TwoByTwo); });
  viewMenu->addAction(tr("1 + 3"), this, [this] { m_window.setViewLayout(Layout::OnePlusThree); });
  viewMenu->addAction(tr("Axial only"), this, [this] { m_window.setViewLayout(Layout::Axial); });
  viewMenu->addAction(tr("Sagittal only"), this, [this] { m_window.setViewLayout(Layout::Sagittal); });
  viewMenu->addAction(tr("Coronal only"), this, [this] { m_window.setViewLayout(Layout::Coronal); });
  viewMenu->addAction(tr("3D only"), this, [this] { m_window.setViewLayout(Layout::ThreeD); });
  QMenu* spine = window.menuBar()->addMenu(tr("&Spine"));
  spine->setObjectName("spineMenu");
  spine->addAction(tr("Renumber: each vertebra one level higher (L4 becomes L3)"), this,
                   [this] { m_window.relabel(-1); });
  spine->addAction(tr("Renumber: each vertebra one level lower (L3 becomes L4)"), this,
                   [this] { m_window.relabel(+1); });
  spine->addSeparator();
  using drg::imaging::TransitionalAnatomy;
  spine->addAction(tr("Declare six lumbar vertebrae (L6)"), this,
                   [this] { m_window.relabel(0, TransitionalAnatomy::L6); });
  spine->addAction(tr("Declare thirteen rib-bearing vertebrae (T13)"), this,
                   [this] { m_window.relabel(0, TransitionalAnatomy::T13); });
  spine->addAction(tr("Declare a sacralised L5"), this,
                   [this] { m_window.relabel(0, TransitionalAnatomy::SacralizedL5); });
  spine->addAction(tr("Declare no transitional anatomy"), this,
                   [this] { m_window.relabel(0, TransitionalAnatomy::None); });
  viewMenu->addAction(tr("Needle views (selected lead)"), this,
                      [this] { m_window.setViewLayout(Layout::Needle); });
  viewMenu->addSeparator();
  viewMenu->addAction(tr("3D from behind"), this,
                      [this] { m_view3d.resetCamera(drg::render::OverviewView::Posterior); });
  viewMenu->addAction(tr("3D from the left"), this,
                      [this] { m_view3d.resetCamera(drg::render::OverviewView::LeftLateral); });
  m_boneVolume = viewMenu->addAction(tr("3D bone as volume rendering (CT)"));
  m_boneVolume->setObjectName("boneVolume");
  m_boneVolume->setCheckable(true);
  QAction* skin = viewMenu->addAction(tr("3D skin"));
  skin->setCheckable(true);
  skin->setChecked(true);
  connect(skin, &QAction::toggled, this, [this](bool on) {
    m_view3d.scene().setSkinVisible(on);
    m_view3d.update();
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
