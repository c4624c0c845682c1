#include "MainWindow.h"

#include "drg/imaging/AnatomyLabels.h"
#include "drg/imaging/AtomicOutput.h"
#include "drg/imaging/DicomDocumentWriter.h"
#include "drg/imaging/DicomSeriesIndex.h"
#include "drg/imaging/DicomVolumeLoader.h"
#include "drg/imaging/Error.h"
#include "drg/imaging/NiftiIo.h"
#include "drg/imaging/Pacs.h"
#include "drg/imaging/SpineModel.h"
#include "drg/planning/PlanExport.h"

#include "PacsDialog.h"
#include "SeriesChooser.h"

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QCloseEvent>
#include <QComboBox>
#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QDockWidget>
#include <QDoubleSpinBox>
#include <QElapsedTimer>
#include <QFileDialog>
#include <QFileInfo>
#include <QGridLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QPainter>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSignalBlocker>
#include <QSlider>
#include <QStackedWidget>
#include <QStandardPaths>
#include <QStatusBar>
#include <QThread>
#include <QToolBar>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <Eigen/Geometry>

#include <algorithm>
#include <fstream>
#include <iterator>

using drg::imaging::SlicePlane;

namespace
{
constexpr int kPocketHandle = 1000; ///< the pocket's handle id (a lead's are 3 x lead + 0..2)
}

/// Takes a built spine model into the case: its label map (when the case has none of its own), the
/// anatomy panel's vertebrae and ganglia (when they come from the model) and the status summary.
void describeModel(LoadedCase& loaded, std::shared_ptr<drg::imaging::SpineModel> built);

MainWindow::MainWindow()
{
  setWindowTitle("drgplan");
  auto* central = new QWidget(this);
  auto* grid = new QGridLayout(central);
  m_grid = grid;
  grid->setContentsMargins(2, 2, 2, 2);
  grid->setSpacing(2);
  // axial, sagittal, coronal; then the needle views (oblique: along the needle, probe's eye), shown
  // in their own layout
  const SlicePlane planes[] = { SlicePlane::Axial, SlicePlane::Sagittal, SlicePlane::Coronal,
                                SlicePlane::Sagittal, SlicePlane::Axial };
  const int cells[][2] = { { 0, 0 }, { 0, 1 }, { 1, 0 } };
  for (int i = 0; i < 5; ++i) {
    auto* view = new SliceView(planes[i], central);
    if (i < 3) {
      grid->addWidget(view, cells[i][0], cells[i][1]);
    } else {
      view->setObjectName(i == 3 ? "alongNeedle" : "probesEye");
      view->hide();
    }
    connect(view, &SliceView::cursorMoved, this, &MainWindow::setCursor);
    connect(view, &SliceView::hovered, this, &MainWindow::hover);
    connect(view, &SliceView::windowChanged, this, &MainWindow::setWindow);
    m_views.push_back(view);
  }
  m_view3d = new View3D(central);
  m_view3d->setObjectName("view3d");
  grid->addWidget(m_view3d->widget(), 1, 1);
  grid->setColumnStretch(0, 1);
  grid->setColumnStretch(1, 1);
  grid->setRowStretch(0, 1);
  grid->setRowStretch(1, 1);
  // the anatomy list (vertebrae and ganglia; click to go there) in a dock
  auto* anatomyDock = new QDockWidget(tr("Anatomy"), this);
  anatomyDock->setObjectName("anatomy");
  m_anatomy = new QTreeWidget(anatomyDock);
  m_anatomy->setHeaderLabels({ tr("Structure"), tr("Zone / view"), tr("Position (LPS mm)") });
  m_anatomy->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
  m_anatomy->setMinimumWidth(200);
  anatomyDock->setWidget(m_anatomy);
  addDockWidget(Qt::RightDockWidgetArea, anatomyDock);
  connect(m_anatomy, &QTreeWidget::itemClicked, this, [this](QTreeWidgetItem* item) {
    QVariant v = item->data(0, Qt::UserRole);
    if (v.isValid()) {
      QList<QVariant> p = v.toList();
      setCursor(Eigen::Vector3d(p[0].toDouble(), p[1].toDouble(), p[2].toDouble()));
    }
  });
  // the start page until a case is shown, then the views
  m_pages = new QStackedWidget(this);
  m_pages->addWidget(buildStartPage());
  m_pages->addWidget(central);
  setCentralWidget(m_pages);

  QMenu* file = menuBar()->addMenu(tr("&File"));
  file->addAction(tr("Open &demo case"), this, &MainWindow::openDemo);
  file->addAction(tr("Open DICOM &folder..."), QKeySequence::Open, this, &MainWindow::chooseDicomFolder);
  file->addAction(tr("Open from &PACS..."), this, [this] { openFromPacs(); });
  file->addAction(tr("Open &NIfTI..."), this, &MainWindow::chooseVolumeFile);
  file->addSeparator();
  file->addAction(tr("Open &plan..."), this, [this] {
    QString path =
      QFileDialog::getOpenFileName(this, tr("Open plan"), QString(), tr("drgplan plans (*.drgplan.json)"));
    if (!path.isEmpty()) {
      openPlan(path);
    }
  });
  file->addAction(tr("&Save plan as..."), QKeySequence::Save, this, [this] {
    QString path = QFileDialog::getSaveFileName(this, tr("Save plan"), "plan.drgplan.json",
                                                tr("drgplan plans (*.drgplan.json)"));
    if (!path.isEmpty()) {
      savePlan(path);
    }
  });
  file->addSeparator();
  QMenu* exportMenu = file->addMenu(tr("&Export"));
  exportMenu->addAction(tr("Window as PNG..."), this, [this] {
    const QString path =
      QFileDialog::getSaveFileName(this, tr("Export the window"), "drgplan.png", tr("PNG (*.png)"));
    if (!path.isEmpty() && !screenshot().save(path)) {
      QMessageBox::warning(this, tr("Export"), tr("Could not write %1").arg(path));
    }
  });
  exportMenu->addAction(tr("3D view as PNG..."), this, [this] {
    const QString path =
      QFileDialog::getSaveFileName(this, tr("Export the 3D view"), "drgplan-3d.png", tr("PNG (*.png)"));
    if (!path.isEmpty() && !m_view3d->grabFrame().save(path)) {
      QMessageBox::warning(this, tr("Export"), tr("Could not write %1").arg(path));
    }
  });
  exportMenu->addSeparator();
  exportMenu->addAction(tr("Placement report (PDF)..."), this, [this] {
    const QString path =
      QFileDialog::getSaveFileName(this, tr("Export the placement report"), "report.pdf", tr("PDF (*.pdf)"));
    if (!path.isEmpty()) {
      exportReport(path);
    }
  });
  exportMenu->addAction(tr("Placement report, de-identified (PDF)..."), this, [this] {
    const QString path = QFileDialog::getSaveFileName(this, tr("Export the de-identified placement report"),
                                                      "report-deidentified.pdf", tr("PDF (*.pdf)"));
    if (!path.isEmpty()) {
      exportReport(path, true);
    }
  });
  exportMenu->addAction(tr("Report and DICOM objects for the PACS (PDF, SR, SEG)..."), this, [this] {
    const QString folder =
      QFileDialog::getExistingDirectory(this, tr("Folder for the report and its DICOM objects"));
    if (!folder.isEmpty()) {
      exportDicom(folder);
    }
  });
  exportMenu->addAction(tr("Report and DICOM objects to the PACS"), this, [this] {
    // (copies kept beside the PACS cache, a folder per export)
    const auto settingsFile =
      m_pacsSettings.empty() ? drg::imaging::defaultPacsSettingsPath() : m_pacsSettings;
    std::filesystem::path outgoing = drg::imaging::defaultPacsCacheFolder() / "sent";
    try {
      outgoing = drg::imaging::loadPacsSettings(settingsFile).cacheFolder / "sent";
    } catch (const std::exception&) { // (the export says what is wrong with the settings)
    }
    const QString stamp = QDateTime::currentDateTimeUtc().toString("yyyyMMdd-HHmmss");
    exportDicom(QString::fromStdString((outgoing / stamp.toStdString()).string()), false, QString());
  });
  exportMenu->addAction(tr("Report and DICOM objects, de-identified..."), this, [this] {
    const QString folder =
      QFileDialog::getExistingDirectory(this, tr("Folder for the de-identified report and DICOM objects"));
    if (!folder.isEmpty()) {
      exportDicom(folder, true);
    }
  });
  exportMenu->addSeparator();
  exportMenu->addAction(tr("3D Slicer markups (.mrk.json)..."), this, [this] {
    const QString path = QFileDialog::getSaveFileName(this, tr("Export the plan as 3D Slicer markups"),
                                                      "plan.mrk.json", tr("Slicer markups (*.mrk.json)"));
    if (!path.isEmpty()) {
      exportInterchange(path, false);
    }
  });
  exportMenu->addAction(tr("Lead table (CSV)..."), this, [this] {
    const QString path =
      QFileDialog::getSaveFileName(this, tr("Export the lead table"), "leads.csv", tr("CSV (*.csv)"));
    if (!path.isEmpty()) {
      exportInterchange(path, true);
    }
  });
  exportMenu->addAction(tr("Surfaces for 3D printing (STL)..."), this, [this] {
    const QString folder = QFileDialog::getExistingDirectory(this, tr("Folder for the STL surfaces"));
    if (!folder.isEmpty()) {
      exportMeshes(folder);
    }
  });
  file->addSeparator();
  file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close); // (asks to save)
  QMenu* edit = menuBar()->addMenu(tr("&Edit"));
  m_undo = edit->addAction(tr("&Undo"), QKeySequence::Undo, this,
                           [this] { planEdit([this] { m_editor->undo(); }); });
  m_redo = edit->addAction(tr("&Redo"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Z), this,
                           [this] { planEdit([this] { m_editor->redo(); }); });
  m_undo->setEnabled(false);
  m_redo->setEnabled(false);
  QMenu* viewMenu = menuBar()->addMenu(tr("&View"));
  viewMenu->addAction(tr("2 x 2"), this, [this] { setViewLayout(ViewLayout::TwoByTwo); });
  viewMenu->addAction(tr("1 + 3"), this, [this] { setViewLayout(ViewLayout::OnePlusThree); });
  viewMenu->addAction(tr("Axial only"), this, [this] { setViewLayout(ViewLayout::Axial); });
  viewMenu->addAction(tr("Sagittal only"), this, [this] { setViewLayout(ViewLayout::Sagittal); });
  viewMenu->addAction(tr("Coronal only"), this, [this] { setViewLayout(ViewLayout::Coronal); });
  viewMenu->addAction(tr("3D only"), this, [this] { setViewLayout(ViewLayout::ThreeD); });
  QMenu* spine = menuBar()->addMenu(tr("&Spine"));
  spine->setObjectName("spineMenu");
  spine->addAction(tr("Renumber: each vertebra one level higher (L4 becomes L3)"), this,
                   [this] { relabel(-1); });
  spine->addAction(tr("Renumber: each vertebra one level lower (L3 becomes L4)"), this,
                   [this] { relabel(+1); });
  spine->addSeparator();
  using drg::imaging::TransitionalAnatomy;
  spine->addAction(tr("Declare six lumbar vertebrae (L6)"), this,
                   [this] { relabel(0, TransitionalAnatomy::L6); });
  spine->addAction(tr("Declare thirteen rib-bearing vertebrae (T13)"), this,
                   [this] { relabel(0, TransitionalAnatomy::T13); });
  spine->addAction(tr("Declare a sacralised L5"), this,
                   [this] { relabel(0, TransitionalAnatomy::SacralizedL5); });
  spine->addAction(tr("Declare no transitional anatomy"), this,
                   [this] { relabel(0, TransitionalAnatomy::None); });
  viewMenu->addAction(tr("Needle views (selected lead)"), this,
                      [this] { setViewLayout(ViewLayout::Needle); });
  viewMenu->addSeparator();
  viewMenu->addAction(tr("3D from behind"), this,
                      [this] { m_view3d->resetCamera(drg::render::OverviewView::Posterior); });
  viewMenu->addAction(tr("3D from the left"), this,
                      [this] { m_view3d->resetCamera(drg::render::OverviewView::LeftLateral); });
  QAction* volume = viewMenu->addAction(tr("3D bone as volume rendering (CT)"));
  m_boneVolume = volume;
  volume->setObjectName("boneVolume");
  volume->setCheckable(true);
  connect(volume, &QAction::toggled, this, [this, volume](bool on) {
    try {
      m_view3d->scene().setBoneVolume(on && m_case ? &m_case->volume : nullptr, m_case && m_case->isCt);
    } catch (const std::exception& e) {
      volume->setChecked(false);
      statusBar()->showMessage(QString::fromStdString(e.what()), 6000);
    }
    m_view3d->update();
  });
  QAction* skin = viewMenu->addAction(tr("3D skin"));
  skin->setCheckable(true);
  skin->setChecked(true);
  connect(skin, &QAction::toggled, this, [this](bool on) {
    m_view3d->scene().setSkinVisible(on);
    m_view3d->update();
  });

  // the plan dock: leads (add from a target, remove, lock), pocket, findings
  auto* planDock = new QDockWidget(tr("Plan"), this);
  planDock->setObjectName("plan");
  auto* planPanel = new QWidget(planDock);
  auto* planLayout = new QVBoxLayout(planPanel);
  auto* addRow = new QHBoxLayout();
  m_target = new QComboBox(planPanel);
  m_target->setObjectName("planTarget");
  m_target->setToolTip(tr("the ganglion the new lead targets (from the spine model)"));
  auto* add = new QPushButton(tr("Add lead"), planPanel);
  add->setObjectName("addLead");
  m_leadName = new QLineEdit(planPanel);
  m_leadName->setObjectName("leadName");
  m_leadName->setPlaceholderText(tr("name (default: the target)"));
  m_leadName->setToolTip(tr("the new lead's name, as the report and the OR will call it"));
  auto* retarget = new QPushButton(tr("Retarget"), planPanel);
  retarget->setObjectName("retarget");
  retarget->setToolTip(tr("aim the selected lead at the ganglion chosen here (or clicked in a view)"));
  addRow->addWidget(m_leadName, 1);
  addRow->addWidget(m_target, 1);
  addRow->addWidget(add);
  addRow->addWidget(retarget);
  planLayout->addLayout(addRow);
  auto* hint =
    new QLabel(tr("Target: pick it here or click a ganglion in a view, then add a lead or retarget "
                  "the selected one; the route is planned automatically."),
               planPanel);
  hint->setWordWrap(true);
  planLayout->addWidget(hint);
  m_leads = new QListWidget(planPanel);
  m_leads->setObjectName("leads");
  m_leads->setWordWrap(true);
  planLayout->addWidget(m_leads, 2);
  auto* leadRow = new QHBoxLayout();
  auto* remove = new QPushButton(tr("Remove"), planPanel);
  m_locked = new QCheckBox(tr("Locked"), planPanel);
  m_locked->setObjectName("leadLocked");
  leadRow->addWidget(remove);
  leadRow->addWidget(m_locked);
  leadRow->addStretch(1);
  planLayout->addLayout(leadRow);
  // a point of the selected lead (skin entry, epidural entry or target), typed exactly (LPS mm)
  auto* entryRow = new QHBoxLayout();
  m_entryPoint = new QComboBox(planPanel);
  m_entryPoint->setObjectName("entryPoint");
  m_entryPoint->addItems({ tr("Skin entry"), tr("Epidural entry"), tr("Target") });
  m_entryPoint->setToolTip(tr("which point of the selected lead the coordinates (LPS mm) are"));
  entryRow->addWidget(m_entryPoint);
  for (int a = 0; a < 3; ++a) {
    m_entry[a] = new QDoubleSpinBox(planPanel);
    m_entry[a]->setRange(-1000.0, 1000.0);
    m_entry[a]->setDecimals(1);
    m_entry[a]->setObjectName(QString("skinEntry%1").arg(a));
    entryRow->addWidget(m_entry[a]);
  }
  auto* moveEntry = new QPushButton(tr("Move"), planPanel);
  moveEntry->setObjectName("moveSkinEntry");
  entryRow->addWidget(moveEntry);
  planLayout->addLayout(entryRow);
  connect(moveEntry, &QPushButton::clicked, this, [this] {
    const int row = m_leads->currentRow();
    if (m_editor && row >= 0) {
      const Eigen::Vector3d p(m_entry[0]->value(), m_entry[1]->value(), m_entry[2]->value());
      planEdit([&] {
        switch (m_entryPoint->currentIndex()) {
          case 0:
            m_editor->moveSkinEntry(row, p);
            break;
          case 1:
            m_editor->moveEpiduralEntry(row, p);
            break;
          default:
            m_editor->setManualTarget(row, p);
        }
      });
    }
  });
  connect(m_entryPoint, &QComboBox::currentIndexChanged, this, [this] { showTypedPoint(); });
  m_pocket = new QComboBox(planPanel);
  m_pocket->addItems(
    { tr("No pocket"), tr("Buttock left"), tr("Buttock right"), tr("Abdomen left"), tr("Abdomen right") });
  planLayout->addWidget(m_pocket);
  planLayout->addWidget(new QLabel(tr("Findings"), planPanel));
  m_findings = new QListWidget(planPanel);
  m_findings->setWordWrap(true);
  planLayout->addWidget(m_findings, 3);
  planDock->setWidget(planPanel);
  addDockWidget(Qt::RightDockWidgetArea, planDock);
  tabifyDockWidget(anatomyDock, planDock); // the anatomy list and the plan share the right side
  planDock->raise();
  connect(add, &QPushButton::clicked, this, [this] {
    if (!m_editor || m_target->currentIndex() < 0) {
      return;
    }
    const QStringList t = m_target->currentText().split(' ');
    const auto side = t.value(1) == "left" ? drg::imaging::Side::Left : drg::imaging::Side::Right;
    const QString name =
      m_leadName->text().trimmed().isEmpty() ? m_target->currentText() : m_leadName->text().trimmed();
    planEdit([&] { m_editor->addLead(name.toStdString(), t.value(0).toStdString(), side); });
    m_leadName->clear();
    m_leads->setCurrentRow(m_leads->count() - 1); // the new lead is the one being worked on
  });
  connect(retarget, &QPushButton::clicked, this, [this] {
    const int row = m_leads->currentRow();
    if (!m_editor || row < 0 || m_target->currentIndex() < 0) {
      statusBar()->showMessage(tr("Select a lead to retarget (and a target)"), 4000);
      return;
    }
    const QStringList t = m_target->currentText().split(' ');
    const auto side = t.value(1) == "left" ? drg::imaging::Side::Left : drg::imaging::Side::Right;
    planEdit([&] { m_editor->setTarget(row, t.value(0).toStdString(), side); });
  });
  connect(remove, &QPushButton::clicked, this, [this] {
    const int row = m_leads->currentRow();
    if (m_editor && row >= 0) {
      planEdit([&] { m_editor->removeLead(row); });
    }
  });
  connect(m_locked, &QCheckBox::clicked, this, [this](bool on) {
    const int row = m_leads->currentRow();
    if (m_editor && row >= 0) {
      planEdit([&] { m_editor->setLocked(row, on); });
    }
  });
  connect(m_leads, &QListWidget::currentRowChanged, this, [this](int row) {
    for (auto* box : m_entry) {
      box->setEnabled(row >= 0);
    }
    if (m_dragging) {
      return;
    }
    if (m_editor && row >= 0 && row < static_cast<int>(m_editor->plan().leads.size())) {
      const auto& l = m_editor->plan().leads[static_cast<std::size_t>(row)];
      m_locked->setChecked(l.locked);
      showTypedPoint();
      setCursor(l.target);
      m_view3d->scene().setPlan(m_editor->plan(), m_planner->catalog(), row); // the selected lead bright
      updateNeedleViews();
    }
  });
  connect(m_pocket, &QComboBox::activated, this, [this](int index) {
    if (!m_editor) {
      return;
    }
    using drg::planning::PocketSite;
    planEdit([&] {
      if (index == 0) {
        m_editor->removePocket();
      } else {
        m_editor->setPocket(index <= 2 ? PocketSite::Buttock : PocketSite::Abdomen,
                            index % 2 == 1 ? drg::imaging::Side::Left : drg::imaging::Side::Right);
      }
    });
  });
  for (auto* view : m_views) {
    connect(view, &SliceView::markerClicked, this, [this](int index) {
      if (!m_case || index < 0 || index >= static_cast<int>(m_case->anatomy.ganglia.size())) {
        return;
      }
      const auto& g = m_case->anatomy.ganglia[static_cast<std::size_t>(index)];
      const int at =
        m_target->findText(QString::fromStdString(g.level + " " + drg::imaging::sideName(g.side)));
      if (at >= 0) {
        m_target->setCurrentIndex(at);
        statusBar()->showMessage(
          tr("Target %1: Add lead, or Retarget the selected lead").arg(m_target->currentText()), 6000);
      }
    });
    connect(view, &SliceView::handleMoved, this, [this](int id, const Eigen::Vector3d& lps, bool done) {
      if (!m_editor) {
        return;
      }
      if (done) {
        m_editor->endDrag(); // the last move was already applied
        m_dragging = false;
        m_view3d->setInteracting(false); // a full-quality frame once the handle is let go
        m_view3d->update();
        updateNeedleViews(); // re-sliced once the handle is let go
        return;
      }
      m_dragging = true;
      m_view3d->setInteracting(true);
      // one undo step per drag; the views and findings follow while it lasts. The handle's id is
      // 3 x lead + what it moves (0 skin entry, 1 epidural entry, 2 target), or the pocket's
      const int lead = id / 3;
      planEdit([&] {
        if (id == kPocketHandle) {
          m_editor->movePocket(lps, true);
          return;
        }
        switch (id % 3) {
          case 0:
            m_editor->moveSkinEntry(lead, lps, true);
            break;
          case 1:
            m_editor->moveEpiduralEntry(lead, lps, true);
            break;
          default:
            m_editor->setManualTarget(lead, lps, true);
        }
      });
    });
  }

  QToolBar* tools = addToolBar(tr("View"));
  tools->addWidget(new QLabel(tr(" Window: ")));
  m_preset = new QComboBox(tools);
  m_preset->addItems({ tr("Bone"), tr("Soft tissue"), tr("Spine MR"), tr("Auto") });
  tools->addWidget(m_preset);
  connect(m_preset, &QComboBox::currentTextChanged, this, &MainWindow::applyPreset);
  tools->addWidget(new QLabel(tr("  Labels: ")));
  m_overlay = new QSlider(Qt::Horizontal, tools);
  m_overlay->setRange(0, 100);
  m_overlay->setValue(30);
  m_overlay->setMaximumWidth(140);
  tools->addWidget(m_overlay);
  connect(m_overlay, &QSlider::valueChanged, this, [this](int v) {
    for (auto* view : m_views) {
      view->setLabelOpacity(v / 100.0);
    }
  });

  m_position = new QLabel(this);
  statusBar()->addWidget(m_position, 1);
  m_progress = new QProgressBar(this);
  m_progress->setMaximumWidth(220);
  m_progress->setRange(0, 100);
  m_progress->hide();
  m_cancel = new QPushButton(tr("Cancel"), this);
  m_cancel->hide();
  statusBar()->addPermanentWidget(m_progress);
  statusBar()->addPermanentWidget(m_cancel);
  connect(m_cancel, &QPushButton::clicked, this, [this] { m_cancelRequested = true; });
  connect(this, &MainWindow::loadFailed, this, [this](const QString& message) {
    m_progress->hide();
    m_cancel->hide();
    if (m_interactive) {
      QMessageBox::warning(this, tr("Could not open"), message);
    }
  });
  // the start page alone until a case is shown
  m_caseWidgets = { anatomyDock, planDock, tools };
  m_planDock = planDock;
  for (QWidget* w : m_caseWidgets) {
    w->hide();
  }
  for (auto* box : m_entry) {
    box->setEnabled(false);
  }
  resize(1400, 950);
}

MainWindow::~MainWindow()
{
  stopJob();
}

namespace
{
/// What a plan file records of a label override's declaration ("" when nothing was declared).
std::string declaredName(const drg::imaging::SpineLabelOverride& o)
{
  return o.declaredSet ? drg::imaging::transitionalAnatomyName(o.declared) : std::string();
}
} // namespace

void MainWindow::relabel(int shiftDelta, std::optional<drg::imaging::TransitionalAnatomy> declared)
{
  if (!m_case || !m_case->model) {
    statusBar()->showMessage(tr("No spine model to relabel: open a spine image first"), 5000);
    return;
  }
  drg::imaging::SpineLabelOverride wanted = m_labelOverride;
  wanted.shift += shiftDelta;
  if (declared) {
    wanted.declared = *declared;
    wanted.declaredSet = true;
  }
  const std::size_t leads = m_editor ? m_editor->plan().leads.size() : 0;
  if (leads > 0 && !ask(tr("Relabel the levels?"),
                        tr("The plan's %1 leads keep their level names and will be re-planned to the "
                           "ganglia called so after relabelling. Continue?")
                          .arg(leads),
                        true)) {
    return;
  }
  std::shared_ptr<LoadedCase> c = m_case; // (kept alive while the model is rebuilt)
  struct Relabelled
  {
    std::shared_ptr<drg::imaging::SpineModel> model;
    std::shared_ptr<const drg::render::AnatomySurfaces> surfaces;
  };
  auto done = std::make_shared<Relabelled>();
  startLoading(
    tr("Relabelling"),
    [c, wanted, done](const std::function<bool(double)>& progress) -> std::shared_ptr<LoadedCase> {
      drg::imaging::SpineModelOptions options;
      options.modality = c->isCt ? drg::imaging::SpineModality::Ct : drg::imaging::SpineModality::Auto;
      options.labels = wanted;
      auto model = std::make_shared<drg::imaging::SpineModel>(
        drg::imaging::buildSpineModel(c->volume, options, [&](double f) { return progress(0.8 * f); }));
      // the surfaces again: the model's label map changed, or at least the vertebrae's names
      drg::render::SurfaceOptions surfaceOptions;
      surfaceOptions.ct = c->isCt ? &c->volume : nullptr;
      done->surfaces =
        drg::render::buildAnatomySurfaces(c->labelsFromModel ? model->labels : c->labels, model.get(),
                                          surfaceOptions, [&](double f) { return progress(0.8 + 0.2 * f); });
      done->model = model;
      return nullptr;
    },
    [this, c, wanted, done] {
      m_progress->hide();
      m_cancel->hide();
      if (!done->model || c != m_case) {
        return; // failed or cancelled (said already), or another case was opened meanwhile
      }
      std::optional<drg::planning::Plan> plan;
      if (m_editor) {
        plan = m_editor->plan();
        plan->study.levelAnchor = done->model->anchor;
        plan->study.labelShift = done->model->labelShift;
        plan->study.declaredTransitional = declaredName(wanted);
      }
      m_labelOverride = wanted;
      describeModel(*m_case, done->model);
      m_case->surfaces = done->surfaces;
      m_view3d->scene().setAnatomy(done->surfaces);
      m_view3d->scene().setGanglia(done->model->ganglia);
      m_view3d->scene().setForamina(done->model->foramina);
      const auto* labels = m_case->labels.voxels().empty() ? nullptr : &m_case->labels;
      for (auto* view : m_views) {
        view->setVolume(&m_case->volume, labels);
      }
      refreshMarkers();
      fillAnatomyPanel();
      setUpPlanning(plan); // the same leads, re-planned to the ganglia of their names
      statusBar()->showMessage(tr("Relabelled: %1").arg(QString::fromStdString(m_case->spineSummary)));
      emit caseReady();
    });
}

void MainWindow::chooseDicomFolder()
{
  const QString path =
    QFileDialog::getExistingDirectory(this, tr("Open a DICOM folder (or a DICOMDIR's folder)"));
  if (!path.isEmpty()) {
    openDicom(path);
  }
}

void MainWindow::chooseVolumeFile()
{
  const QString path = QFileDialog::getOpenFileName(this, tr("Open a volume"), QString(),
                                                    tr("Volumes (*.nii *.nii.gz *.nrrd *.nhdr *.mha *.mhd)"));
  if (!path.isEmpty()) {
    openVolumeFile(path);
  }
}

QWidget* MainWindow::buildStartPage()
{
  auto* page = new QWidget(this);
  page->setObjectName("startPage");
  auto* outer = new QVBoxLayout(page);
  outer->addStretch(1);
  auto* column = new QVBoxLayout();
  auto* title =
    new QLabel(tr("<h1>drgplan</h1><p>Dorsal root ganglion stimulation planning: find the ganglia, "
                  "plan up to four leads and the generator pocket, report.</p>"),
               page);
  title->setWordWrap(true);
  column->addWidget(title);
  auto* buttons = new QHBoxLayout();
  auto* demo = new QPushButton(tr("Open demo case"), page);
  demo->setObjectName("openDemo");
  demo->setToolTip(tr("A CT phantom of the spine (T10 to the sacrum), ready to plan"));
  auto* dicom = new QPushButton(tr("Open DICOM folder..."), page);
  auto* volume = new QPushButton(tr("Open NIfTI / NRRD..."), page);
  buttons->addWidget(demo);
  buttons->addWidget(dicom);
  buttons->addWidget(volume);
  buttons->addStretch(1);
  column->addLayout(buttons);
  column->addSpacing(12);
  column->addWidget(new QLabel(tr("<b>Recent studies</b> (double-click to open)"), page));
  m_recent = new QListWidget(page);
  m_recent->setObjectName("recentStudies");
  m_recent->setMinimumHeight(220);
  column->addWidget(m_recent);
  auto* row = new QHBoxLayout();
  row->addStretch(1);
  row->addLayout(column, 3);
  row->addStretch(1);
  outer->addLayout(row);
  outer->addStretch(2);
  connect(demo, &QPushButton::clicked, this, &MainWindow::openDemo);
  connect(dicom, &QPushButton::clicked, this, &MainWindow::chooseDicomFolder);
  connect(volume, &QPushButton::clicked, this, &MainWindow::chooseVolumeFile);
  connect(m_recent, &QListWidget::itemActivated, this, [this](QListWidgetItem* item) {
    const QString path = item->data(Qt::UserRole).toString();
    if (!QFileInfo::exists(path)) {
      if (m_interactive) {
        QMessageBox::warning(this, tr("Could not open"), tr("%1 is no longer there.").arg(path));
      }
      statusBar()->showMessage(tr("%1 is no longer there").arg(path), 5000);
      return;
    }
    openPath(path);
  });
  fillRecentStudies();
  return page;
}

void MainWindow::showStartPageForScreenshot()
{
  auto callbacks = std::move(m_onLoaded);
  m_onLoaded.clear();
  for (auto& c : callbacks) {
    c();
  }
}

void MainWindow::fillRecentStudies()
{
  m_recent->clear();
  QSettings settings;
  const QStringList paths = settings.value("recent/paths").toStringList();
  const QStringList titles = settings.value("recent/titles").toStringList();
  for (int i = 0; i < paths.size(); ++i) {
    auto* item = new QListWidgetItem(
      QString("%1\n    %2").arg(titles.value(i, QFileInfo(paths[i]).fileName()), paths[i]), m_recent);
    item->setData(Qt::UserRole, paths[i]);
    if (!QFileInfo::exists(paths[i])) {
      item->setForeground(Qt::gray);
      item->setToolTip(tr("no longer there"));
    }
  }
  if (paths.isEmpty()) {
    auto* none = new QListWidgetItem(tr("(none yet: studies you open are listed here)"), m_recent);
    none->setFlags(Qt::NoItemFlags);
  }
}

void MainWindow::rememberStudy(const QString& path, const QString& title)
{
  QSettings settings;
  QStringList paths = settings.value("recent/paths").toStringList();
  QStringList titles = settings.value("recent/titles").toStringList();
  while (titles.size() < paths.size()) {
    titles << QString();
  }
  const int at = static_cast<int>(paths.indexOf(path));
  if (at >= 0) {
    paths.removeAt(at);
    titles.removeAt(at);
  }
  paths.prepend(path);
  titles.prepend(title);
  while (paths.size() > 10) {
    paths.removeLast();
    titles.removeLast();
  }
  settings.setValue("recent/paths", paths);
  settings.setValue("recent/titles", titles);
  fillRecentStudies();
}

void MainWindow::whenLoaded(std::function<void()> callback)
{
  m_onLoaded.push_back(std::move(callback));
}

void MainWindow::startLoading(
  const QString& what, std::function<std::shared_ptr<LoadedCase>(const std::function<bool(double)>&)> job,
  std::function<void()> then)
{
  if (m_job) {
    // one background job at a time (they share the progress bar, the cancel button and the case)
    statusBar()->showMessage(tr("Busy: wait for the current job to finish, or cancel it"), 5000);
    return;
  }
  m_cancelRequested = false;
  m_progress->setValue(0);
  m_progress->setFormat(what + " %p%");
  m_progress->show();
  m_cancel->show();
  // what the job produced, taken over on the GUI thread once the thread has ended (the window
  // waits for a running job before it goes, so the thread never outlives it)
  auto result = std::make_shared<std::shared_ptr<LoadedCase>>();
  QThread* thread = QThread::create([this, job, result] {
    try {
      auto progress = [this](double f) {
        QMetaObject::invokeMethod(m_progress, "setValue", Qt::QueuedConnection,
                                  Q_ARG(int, static_cast<int>(f * 100)));
        return !m_cancelRequested.load();
      };
      *result = job(progress);
    } catch (const drg::Error& e) {
      if (e.code() != drg::ErrorCode::Cancelled) {
        emit loadFailed(QString::fromStdString(e.what()));
      } else {
        QMetaObject::invokeMethod(
          this,
          [this] {
            m_progress->hide();
            m_cancel->hide();
            statusBar()->showMessage(tr("Cancelled"), 4000);
          },
          Qt::QueuedConnection);
      }
    } catch (const std::exception& e) {
      emit loadFailed(QString::fromStdString(e.what()));
    }
  });
  connect(thread, &QThread::finished, this, [this, result, then] {
    m_job = nullptr;
    if (*result) {
      showCase(*result);
    }
    if (then) {
      then();
    }
  });
  connect(thread, &QThread::finished, thread, &QObject::deleteLater);
  m_job = thread;
  thread->start();
}

void MainWindow::stopJob()
{
  if (m_job) {
    m_cancelRequested = true;
    m_job->wait();
  }
}

namespace
{
void addSpineModel(LoadedCase& loaded, const std::function<bool(double)>& progress, double from,
                   bool listAnatomy);
}

void MainWindow::openDemo()
{
  startLoading(tr("Generating demo phantom"), [](const std::function<bool(double)>& progress) {
    drg::imaging::PhantomOptions options;
    drg::imaging::PhantomCase phantom = drg::imaging::generateSpinePhantom(options, progress);
    auto loaded = std::make_shared<LoadedCase>();
    loaded->title = QObject::tr("Demo case: spine phantom (CT, T10 to sacrum)");
    loaded->volume =
      drg::imaging::Image<float>(phantom.intensities.geometry(), drg::imaging::Uninitialized{});
    std::copy(phantom.intensities.voxels().begin(), phantom.intensities.voxels().end(),
              loaded->volume.voxels().begin());
    loaded->labels = std::move(phantom.labels);
    loaded->anatomy = std::move(phantom.truth);
    loaded->source = "demo phantom";
    addSpineModel(*loaded, progress, 0.6, false); // the model the planner starts from
    return loaded;
  });
}

namespace
{

void addModelAndAnatomy(LoadedCase& loaded, const std::function<bool(double)>& progress, bool listAnatomy);

/// Builds the spine model of a freshly loaded case (progress from `from` to 1), then the 3D view's
/// surfaces.
void addSpineModel(LoadedCase& loaded, const std::function<bool(double)>& progress, double from,
                   bool listAnatomy)
{
  addModelAndAnatomy(
    loaded, [&](double f) { return progress(from + (1.0 - from) * 0.85 * f); }, listAnatomy);
  // the 3D view's surfaces: of the case's own labels (the phantom's, or the model's)
  if (!loaded.labels.voxels().empty()) {
    try {
      drg::render::SurfaceOptions options;
      options.ct = loaded.isCt ? &loaded.volume : nullptr;
      loaded.surfaces =
        drg::render::buildAnatomySurfaces(loaded.labels, loaded.model.get(), options, [&](double f) {
          return progress(from + (1.0 - from) * (0.85 + 0.15 * f));
        });
    } catch (const drg::Error& e) {
      if (e.code() == drg::ErrorCode::Cancelled) {
        throw;
      }
      loaded.warnings.push_back(std::string("3D view: ") + e.what());
    }
  }
}

/// The spine model: the label map (unless the case brought its own), the anatomy panel's vertebrae
/// and ganglia, and the anchor the levels were counted from. An image without a spine keeps its
/// volume, with a warning.
void addModelAndAnatomy(LoadedCase& loaded, const std::function<bool(double)>& progress, bool listAnatomy)
{
  try {
    drg::imaging::SpineModelOptions options;
    options.modality = loaded.isCt ? drg::imaging::SpineModality::Ct : drg::imaging::SpineModality::Auto;
    loaded.anatomyFromModel = listAnatomy;
    loaded.labelsFromModel = loaded.labels.voxels().empty();
    describeModel(loaded, std::make_shared<drg::imaging::SpineModel>(
                            drg::imaging::buildSpineModel(loaded.volume, options, progress)));
  } catch (const drg::Error& e) {
    if (e.code() == drg::ErrorCode::Cancelled) {
      throw;
    }
    loaded.warnings.push_back(std::string("spine model: ") + e.what());
  }
}

} // namespace

void describeModel(LoadedCase& loaded, std::shared_ptr<drg::imaging::SpineModel> built)
{
  loaded.model = std::move(built);
  const drg::imaging::SpineModel& model = *loaded.model;
  if (loaded.labelsFromModel) {
    loaded.labels = model.labels; // (the model keeps its own: planning reads it)
  }
  std::string shift;
  if (model.labelShift != 0) {
    shift = ", labels shifted " + std::string(model.labelShift > 0 ? "+" : "") +
            std::to_string(model.labelShift) + " by the user";
  }
  if (!loaded.anatomyFromModel) {
    loaded.spineSummary =
      "spine model: " + std::to_string(model.ganglia.size()) + " DRG estimates for planning" + shift;
    return;
  }
  drg::imaging::PhantomTruth& anatomy = loaded.anatomy;
  anatomy = {};
  for (const auto& v : model.vertebrae) {
    drg::imaging::PhantomVertebra pv;
    pv.level = v.level;
    pv.label = v.label;
    pv.centroid = v.centroid;
    pv.bodyCentre = v.bodyCentre;
    pv.visibility = v.complete ? "found" : "partial";
    anatomy.vertebrae.push_back(pv);
    anatomy.labelNames[v.label] = v.level;
  }
  for (const auto& d : model.ganglia) {
    drg::imaging::PhantomGanglion g;
    g.level = d.level;
    g.side = d.side;
    g.centre = d.centre;
    g.axis = d.axis;
    g.lengthMm = d.lengthMm;
    g.widthMm = d.widthMm;
    g.zone = d.zone;
    g.inFieldOfView = true;
    g.label = drg::imaging::labels::ganglionLabel(d.level, d.side == drg::imaging::Side::Right);
    anatomy.ganglia.push_back(g);
    anatomy.labelNames[g.label] = "DRG estimate " + d.level + " " + drg::imaging::sideName(d.side);
  }
  anatomy.labelNames[drg::imaging::labels::kSpinalCanal] = "spinal canal";
  if (!model.vertebrae.empty()) {
    loaded.spineSummary = "spine model " + model.vertebrae.front().level + "-" +
                          model.vertebrae.back().level + ", " + std::to_string(model.ganglia.size()) +
                          " DRG estimates, levels counted from the " + model.anchor + shift;
  }
  for (const auto& w : model.warnings) {
    if (std::find(loaded.warnings.begin(), loaded.warnings.end(), w) == loaded.warnings.end()) {
      loaded.warnings.push_back(w);
    }
  }
}

void MainWindow::openPath(const QString& path)
{
  if (drg::imaging::isVolumeFileName(path.toStdString())) {
    openVolumeFile(path);
    return;
  }
  openDicom(path);
}

void MainWindow::openDicom(const QString& path)
{
  // scan off the GUI thread, choose on it, load off it again
  auto scanned = std::make_shared<std::shared_ptr<drg::imaging::DicomScan>>();
  startLoading(
    tr("Scanning"),
    [path, scanned](const std::function<bool(double)>& progress) -> std::shared_ptr<LoadedCase> {
      auto scan =
        std::make_shared<drg::imaging::DicomScan>(drg::imaging::scanDicom(path.toStdString(), progress));
      if (scan->imageStacks().empty()) {
        throw drg::Error(drg::ErrorCode::Format, "no DICOM image series in " + path.toStdString() + " (" +
                                                   std::to_string(scan->filesSeen) + " files, " +
                                                   std::to_string(scan->dicomFiles) + " DICOM)");
      }
      *scanned = scan;
      return nullptr;
    },
    [this, scanned, path] {
      if (*scanned) {
        chooseAndLoad(*scanned, path);
      }
    });
}

void MainWindow::chooseAndLoad(std::shared_ptr<drg::imaging::DicomScan> scan, const QString& path)
{
  QString stackId;
  auto stacks = scan->imageStacks();
  if (stacks.size() == 1 || !m_interactive) { // without interaction: the first series
    stackId = QString::fromStdString(stacks.front()->id);
  } else {
    SeriesChooser chooser(*scan, this);
    if (chooser.exec() != QDialog::Accepted) {
      m_progress->hide();
      m_cancel->hide();
      return;
    }
    stackId = chooser.chosenStack();
  }
  const drg::imaging::DicomStack* stack = nullptr;
  for (const auto* s : stacks) {
    if (QString::fromStdString(s->id) == stackId) {
      stack = s;
    }
  }
  if (stack == nullptr) {
    return;
  }
  const drg::imaging::DicomSeriesInfo* series = scan->seriesOfStack(stack->id);
  startLoading(tr("Loading"), [scan, stack, series, path](const std::function<bool(double)>& progress) {
    drg::imaging::LoadedVolume v =
      drg::imaging::loadDicomStack(*stack, [&](double f) { return progress(0.4 * f); });
    auto loaded = std::make_shared<LoadedCase>();
    loaded->title =
      QFileInfo(path).fileName() +
      (series ? " - " + QString::fromStdString(series->modality + " " + series->description) : QString());
    loaded->volume = std::move(v.volume);
    loaded->isCt = series != nullptr && series->modality == "CT";
    loaded->warnings = v.warnings;
    loaded->invertedGreyscale = v.invertedGreyscale;
    // (a stack loaded on its own does not know its series: the scan does)
    loaded->seriesUid = !v.seriesUid.empty() || series == nullptr ? v.seriesUid : series->seriesUid;
    loaded->frameOfReferenceUid = !v.frameOfReferenceUid.empty() || series == nullptr
                                    ? v.frameOfReferenceUid
                                    : series->frameOfReferenceUid;
    if (series) {
      loaded->warnings.insert(loaded->warnings.end(), series->warnings.begin(), series->warnings.end());
    }
    loaded->source = path.toStdString();
    if (series != nullptr) {
      if (const auto at = scan->findSeries(series->seriesUid); at.series != nullptr) {
        loaded->identity = { at.patient->name,
                             at.patient->id,
                             at.patient->birthDate,
                             at.patient->sex,
                             at.study->date,
                             at.study->description,
                             at.study->accessionNumber,
                             series->description,
                             series->modality,
                             false,
                             {} };
        loaded->studyUid = at.study->studyUid;
      }
    }
    addSpineModel(*loaded, progress, 0.4, true);
    return loaded;
  });
}

void MainWindow::openVolumeFile(const QString& path)
{
  startLoading(tr("Loading"), [path](const std::function<bool(double)>& progress) {
    auto loaded = std::make_shared<LoadedCase>();
    loaded->title = QFileInfo(path).fileName();
    loaded->volume = drg::imaging::readVolumeFile(path.toStdString());
    QString labels = QFileInfo(path).dir().filePath("labels.nii.gz");
    if (QFileInfo::exists(labels)) {
      auto l = drg::imaging::readNiftiLabels(labels.toStdString());
      if (l.geometry().size == loaded->volume.geometry().size) {
        loaded->labels = std::move(l);
      }
    }
    const auto& v = loaded->volume.voxels();
    loaded->isCt = !v.empty() && *std::min_element(v.begin(), v.end()) < -500.0f;
    loaded->source = path.toStdString();
    addSpineModel(*loaded, progress, 0.2, true);
    return loaded;
  });
}

void MainWindow::showCase(std::shared_ptr<LoadedCase> loaded)
{
  m_sinceLoaded.start();
  m_case = std::move(loaded);
  m_pages->setCurrentIndex(1);
  m_labelOverride = {}; // a new case: its labels as found
  for (QWidget* w : m_caseWidgets) {
    w->show();
  }
  m_planDock->raise(); // planning is what the case is opened for
  if (QFileInfo::exists(QString::fromStdString(m_case->source))) {
    rememberStudy(QString::fromStdString(m_case->source), m_case->title);
  }
  m_progress->hide();
  m_cancel->hide();
  setWindowTitle("drgplan - " + m_case->title);
  const auto& g = m_case->volume.geometry();
  m_cursor = g.indexToLps(Eigen::Vector3d(g.size[0] - 1.0, g.size[1] - 1.0, g.size[2] - 1.0) * 0.5);
  for (const auto& gang : m_case->anatomy.ganglia) {
    if (gang.level == "L4" && gang.side == drg::imaging::Side::Left) {
      m_cursor = gang.centre;
    }
  }
  const auto* labels = m_case->labels.voxels().empty() ? nullptr : &m_case->labels;
  for (auto* view : m_views) {
    view->setVolume(&m_case->volume, labels);
    view->setLabelOpacity(m_overlay->value() / 100.0);
  }
  refreshMarkers();
  if (m_boneVolume->isChecked()) { // (a new case: its own volume, when asked for again)
    m_boneVolume->setChecked(false);
  }
  m_view3d->scene().setAnatomy(m_case->surfaces);
  m_view3d->scene().setGanglia(m_case->model ? m_case->model->ganglia
                                             : std::vector<drg::imaging::DrgEstimate>{});
  m_view3d->scene().setForamina(m_case->model ? m_case->model->foramina
                                              : std::vector<drg::imaging::SpineForamen>{});
  m_view3d->resetCamera(drg::render::OverviewView::Posterior);
  m_preset->setCurrentIndex(m_case->isCt ? 0 : 3); // MR intensities vary by scanner: auto window
  applyPreset(m_preset->currentText());
  setCursor(m_cursor);
  fillAnatomyPanel();
  setUpPlanning();
  offerUnsavedPlan();
  QString loadedText = tr("Loaded %1").arg(m_case->title);
  if (!m_case->spineSummary.empty()) {
    loadedText += " - " + QString::fromStdString(m_case->spineSummary);
  }
  if (m_case->warnings.empty()) {
    statusBar()->showMessage(loadedText, m_case->spineSummary.empty() ? 5000 : 0);
  } else {
    QStringList w;
    for (const auto& x : m_case->warnings) {
      w << QString::fromStdString(x);
    }
    statusBar()->showMessage(tr("%1 - warnings: %2").arg(loadedText, w.join("; ")));
  }
  auto callbacks = std::move(m_onLoaded);
  m_onLoaded.clear();
  for (auto& c : callbacks) {
    c();
  }
  emit caseReady();
}

void MainWindow::fillAnatomyPanel()
{
  m_anatomy->clear();
  if (m_case->anatomy.vertebrae.empty()) {
    new QTreeWidgetItem(m_anatomy, { tr("No spine model for this image (the status bar says why)") });
    return;
  }
  auto point = [](const Eigen::Vector3d& p) { return QVariant(QList<QVariant>{ p.x(), p.y(), p.z() }); };
  auto text = [](const Eigen::Vector3d& p) {
    return QString("%1, %2, %3").arg(p.x(), 0, 'f', 1).arg(p.y(), 0, 'f', 1).arg(p.z(), 0, 'f', 1);
  };
  auto* vertebrae = new QTreeWidgetItem(m_anatomy, { tr("Vertebrae") });
  for (const auto& v : m_case->anatomy.vertebrae) {
    auto* item = new QTreeWidgetItem(
      vertebrae, { QString::fromStdString(v.level), QString::fromStdString(v.visibility), text(v.centroid) });
    item->setData(0, Qt::UserRole, point(v.bodyCentre));
  }
  auto* ganglia = new QTreeWidgetItem(m_anatomy, { tr("Dorsal root ganglia") });
  for (const auto& g : m_case->anatomy.ganglia) {
    auto* item =
      new QTreeWidgetItem(ganglia, { QString::fromStdString(g.level + "-" + drg::imaging::sideName(g.side)),
                                     QString::fromStdString(g.zone), text(g.centre) });
    item->setData(0, Qt::UserRole, point(g.centre));
  }
  m_anatomy->expandAll();
}

void MainWindow::setCursor(const Eigen::Vector3d& lps)
{
  m_cursor = lps;
  for (auto* view : m_views) {
    view->setCursor(lps);
  }
  m_view3d->scene().setCursor(lps);
  m_view3d->update();
  hover(lps);
}

void MainWindow::hover(const Eigen::Vector3d& lps)
{
  if (!m_case) {
    return;
  }
  const auto& g = m_case->volume.geometry();
  Eigen::Vector3d idx = g.lpsToIndex(lps);
  QString where =
    QString("LPS %1, %2, %3 mm").arg(lps.x(), 0, 'f', 1).arg(lps.y(), 0, 'f', 1).arg(lps.z(), 0, 'f', 1);
  if (g.containsIndex(idx, 0.49)) {
    auto i = static_cast<std::size_t>(std::lround(idx.x()));
    auto j = static_cast<std::size_t>(std::lround(idx.y()));
    auto k = static_cast<std::size_t>(std::lround(idx.z()));
    where +=
      QString("   value %1%2").arg(m_case->volume.at(i, j, k), 0, 'f', 0).arg(m_case->isCt ? " HU" : "");
    if (!m_case->labels.voxels().empty()) {
      int label = m_case->labels.at(i, j, k);
      auto it = m_case->anatomy.labelNames.find(label);
      if (it != m_case->anatomy.labelNames.end()) {
        where += "   " + QString::fromStdString(it->second);
      }
    }
    // the level: the vertebra whose body centre is nearest along the spine (head-foot)
    if (m_case->model && !m_case->model->vertebrae.empty()) {
      const drg::imaging::SpineVertebra* nearest = nullptr;
      for (const auto& v : m_case->model->vertebrae) {
        if (nearest == nullptr ||
            std::abs(v.bodyCentre.z() - lps.z()) < std::abs(nearest->bodyCentre.z() - lps.z())) {
          nearest = &v;
        }
      }
      where += QString("   level %1").arg(QString::fromStdString(nearest->level));
    }
  }
  m_position->setText(where);
}

void MainWindow::applyPreset(const QString& name)
{
  if (!m_case) {
    return;
  }
  if (name == tr("Auto")) {
    setWindow(drg::report::automaticWindow(m_case->volume.voxels(), m_window));
    return;
  }
  QString key = name == tr("Soft tissue") ? "soft" : name == tr("Spine MR") ? "spine-mr" : "bone";
  setWindow(drg::report::windowPreset(key));
}

void MainWindow::setWindow(const drg::report::WindowLevel& window)
{
  m_window = window;
  m_window.inverted = m_case && m_case->invertedGreyscale;
  for (auto* view : m_views) {
    view->setWindow(m_window);
  }
}

void MainWindow::setUpPlanning(std::optional<drg::planning::Plan> keep)
{
  const std::filesystem::path keptAutosave = keep ? m_autosave : std::filesystem::path();
  m_editor.reset();
  m_planner.reset();
  m_planAnatomy.reset();
  m_target->clear();
  if (m_case && m_case->model) {
    try {
      m_planAnatomy = std::make_unique<drg::planning::PlanAnatomy>(*m_case->model, &m_case->volume);
      m_planner = std::make_unique<drg::planning::Planner>(
        *m_planAnatomy, drg::planning::DeviceCatalog::builtIn(), drg::planning::PlanRules::builtIn());
      drg::planning::Plan plan;
      plan.study.source = m_case->source;
      plan.study.seriesUid = m_case->seriesUid;
      plan.study.frameOfReferenceUid = m_case->frameOfReferenceUid;
      plan.study.modality = m_case->model->modality;
      plan.study.levelAnchor = m_case->model->anchor;
      plan.study.labelShift = m_case->model->labelShift;
      plan.study.declaredTransitional = declaredName(m_labelOverride);
      if (keep) {
        // the plan as it was, re-planned on the new model (its first state: nothing to undo). Locked
        // leads too: they keep their names, so they move to the ganglia now called so
        plan = std::move(*keep);
        std::vector<bool> locked;
        for (auto& lead : plan.leads) {
          locked.push_back(lead.locked);
          lead.locked = false;
          lead.plannedFrom.clear();
        }
        m_planner->recompute(plan);
        for (std::size_t i = 0; i < plan.leads.size(); ++i) {
          plan.leads[i].locked = locked[i];
        }
      }
      m_editor = std::make_unique<drg::planning::PlanEditor>(*m_planner, plan);
      if (keep) {
        setAutosave(keptAutosave);
        m_editor->autosaveNow(); // the re-planned plan, should drgplan stop now
      }
    } catch (const std::exception& e) {
      m_case->warnings.push_back(std::string("planning: ") + e.what());
    }
  }
  if (m_editor && !keep) {
    try {
      // until the plan has a file, every edit is kept in the user's data folder, one file per study
      // (offered back when the study is opened after a crash)
      m_unsavedPlan.clear();
      const QString data = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + "/autosave";
      if (QDir().mkpath(data)) {
        const std::string key = m_case->seriesUid.empty() ? m_case->source : m_case->seriesUid;
        const QString name =
          QCryptographicHash::hash(QByteArray::fromStdString(key), QCryptographicHash::Sha1).toHex().left(16);
        m_unsavedPlan = QDir(data).filePath(name + ".drgplan.json").toStdString();
        setAutosave(drg::planning::autosavePath(m_unsavedPlan));
      }
      m_savedJson = drg::planning::planToJson(m_editor->plan());
    } catch (const std::exception& e) {
      m_case->warnings.push_back(std::string("planning: ") + e.what());
    }
  }
  if (m_editor) {
    try {
      for (const auto& g : m_case->model->ganglia) {
        m_target->addItem(QString::fromStdString(g.level + " " + drg::imaging::sideName(g.side)));
      }
      const int l5 = m_target->findText("L5 left");
      m_target->setCurrentIndex(l5 >= 0 ? l5 : 0);
    } catch (const std::exception& e) {
      m_case->warnings.push_back(std::string("planning: ") + e.what());
    }
  }
  refreshPlan();
}

void MainWindow::planEdit(const std::function<void()>& edit)
{
  if (!m_editor) {
    return;
  }
  try {
    edit();
  } catch (const std::exception& e) {
    if (m_interactive && !m_dragging) { // (a dialog would take the mouse from the drag)
      QMessageBox::warning(this, tr("Plan"), QString::fromStdString(e.what()));
    } else {
      statusBar()->showMessage(QString::fromStdString(e.what()), 5000);
    }
  }
  refreshPlan();
}

void MainWindow::refreshPlan()
{
  const int row = m_leads->currentRow();
  const QSignalBlocker quiet(m_leads); // rebuilding the list is no change of the selected lead
  m_leads->clear();
  m_findings->clear();
  std::vector<SliceOverlay> overlays;
  std::vector<SliceHandle> handles;
  if (m_editor) {
    const drg::planning::Plan& plan = m_editor->plan();
    const QColor colours[] = { QColor(255, 215, 0), QColor(0, 220, 120), QColor(255, 120, 255),
                               QColor(0, 200, 255) };
    for (std::size_t i = 0; i < plan.leads.size(); ++i) {
      const auto& l = plan.leads[i];
      const QColor c = colours[i % 4];
      QString text = QString::fromStdString(l.name) + (l.locked ? tr("  [locked]") : QString());
      if (l.planned) {
        text += tr("\n  %1, window below %2, needle %3 mm at %4/%5 deg, contacts %6 %, lead %7 cm")
                  .arg(QString::fromStdString(drg::planning::approachName(l.approach)),
                       QString::fromStdString(l.entryLevel))
                  .arg(l.needleDepthMm, 0, 'f', 0)
                  .arg(l.needleCranioCaudalDeg, 0, 'f', 0)
                  .arg(l.needleMedioLateralDeg, 0, 'f', 0)
                  .arg(l.coverage * 100.0, 0, 'f', 0)
                  .arg(l.budget.leadCm + l.budget.extensionCm, 0, 'f', 0);
        const auto* needle = m_planner->catalog().needle(l.needle);
        overlays.push_back(
          { { l.skinEntry, l.epiduralEntry }, c, needle ? needle->outerDiameterMm.value : 2.0, false });
        // the needle's line beyond its tip (where it would go if pushed on), thin and dashed
        const Eigen::Vector3d ahead = (l.epiduralEntry - l.skinEntry).normalized();
        SliceOverlay beyond{ { l.epiduralEntry, l.epiduralEntry + 40.0 * ahead }, c, 0.0, false };
        beyond.dashed = true;
        overlays.push_back(beyond);
        const auto* lead = m_planner->catalog().lead(l.leadModel);
        overlays.push_back({ l.route, c, lead ? lead->diameterMm.value : 1.0, false }); // the lead
        overlays.push_back({ l.contacts, QColor(255, 60, 60), 1.3, true });
        if (!l.tunnel.empty()) {
          overlays.push_back({ l.tunnel, QColor(200, 200, 200), 1.0, false });
        }
        if (!l.locked) {
          const int base = 3 * static_cast<int>(i);
          handles.push_back({ base, l.skinEntry, c });
          handles.push_back({ base + 1, l.epiduralEntry, c.lighter(130) });
          handles.push_back({ base + 2, l.target, QColor(255, 60, 60) });
        }
      } else {
        text += "\n  " + QString::fromStdString(l.problem);
      }
      auto* item = new QListWidgetItem(text, m_leads);
      item->setForeground(l.planned ? c.darker(160) : QColor(200, 0, 0));
    }
    if (plan.pocket && plan.pocket->placed) {
      const auto& p = *plan.pocket;
      std::vector<Eigen::Vector3d> box;
      const Eigen::Vector3d a = p.axes.col(0) * 0.5 * p.sizeMm.x(), b = p.axes.col(1) * 0.5 * p.sizeMm.y();
      const Eigen::Vector3d corners[] = { a + b, a - b, -a - b, -a + b, a + b };
      for (const Eigen::Vector3d& corner : corners) {
        box.push_back(p.centre + corner);
      }
      overlays.push_back({ box, QColor(255, 255, 255), p.sizeMm.z(), false });
      handles.push_back({ kPocketHandle, p.skinPoint, QColor(255, 255, 255) }); // dragged on the skin
    }
    for (const auto& f : plan.findings) {
      auto* item = new QListWidgetItem(QString("%1: %2 (%3 %4, limit %5)")
                                         .arg(QString::fromStdString(drg::planning::severityName(f.severity)),
                                              QString::fromStdString(f.message))
                                         .arg(f.measured, 0, 'f', 1)
                                         .arg(QString::fromStdString(f.unit))
                                         .arg(f.threshold, 0, 'f', 1),
                                       m_findings);
      item->setForeground(f.severity == drg::planning::Severity::Error     ? QColor(200, 0, 0)
                          : f.severity == drg::planning::Severity::Warning ? QColor(170, 110, 0)
                                                                           : QColor(60, 60, 60));
    }
    m_pocket->setCurrentIndex(!plan.pocket
                                ? 0
                                : (plan.pocket->site == drg::planning::PocketSite::Buttock ? 1 : 3) +
                                    (plan.pocket->side == drg::imaging::Side::Left ? 0 : 1));
  }
  if (row >= 0 && row < m_leads->count()) {
    m_leads->setCurrentRow(row);
  }
  // the typed skin entry belongs to the selected lead: without one there is nothing to type
  for (auto* box : m_entry) {
    box->setEnabled(m_leads->currentRow() >= 0);
  }
  m_undo->setEnabled(m_editor && m_editor->canUndo());
  m_redo->setEnabled(m_editor && m_editor->canRedo());
  for (auto* view : m_views) {
    view->setOverlays(overlays, handles);
  }
  if (!m_dragging) {
    updateNeedleViews();
  }
  if (m_editor) {
    m_view3d->scene().setPlan(m_editor->plan(), m_planner->catalog(), m_leads->currentRow());
  } else {
    m_view3d->scene().setPlan({}, drg::planning::DeviceCatalog{});
  }
  m_view3d->update();
}

bool MainWindow::openPlan(const QString& path)
{
  if (!m_editor) {
    statusBar()->showMessage(tr("Open a case with a spine first: a plan belongs to its images"), 5000);
    return false;
  }
  try {
    std::string file = path.toStdString();
    if (const auto autosave = drg::planning::recoverableAutosave(file)) {
      // (without interaction the file asked for is opened; the autosave stays for later)
      const bool recover =
        ask(tr("Recover the plan?"),
            tr("There are changes to this plan that were not saved (drgplan stopped before "
               "saving). Open them?"),
            false);
      if (recover) {
        file = autosave->string();
      }
    }
    drg::planning::Plan plan = drg::planning::loadPlan(file);
    if (!plan.study.frameOfReferenceUid.empty() && !m_case->frameOfReferenceUid.empty() &&
        plan.study.frameOfReferenceUid != m_case->frameOfReferenceUid) {
      throw drg::Error(drg::ErrorCode::InvalidArgument,
                       "this plan belongs to other images (frame of reference " +
                         plan.study.frameOfReferenceUid + "): open its series first");
    }
    if (plan.study.declaredTransitional != declaredName(m_labelOverride)) {
      throw drg::Error(drg::ErrorCode::InvalidArgument,
                       "this plan was made with transitional anatomy declared as '" +
                         (plan.study.declaredTransitional.empty() ? std::string("nothing")
                                                                  : plan.study.declaredTransitional) +
                         "': declare the same first (Spine menu), then open the plan");
    }
    if (plan.study.labelShift != m_case->model->labelShift) {
      throw drg::Error(drg::ErrorCode::InvalidArgument,
                       "this plan was made with the vertebrae renumbered by " +
                         std::to_string(plan.study.labelShift) + " level(s), the images are shown with " +
                         std::to_string(m_case->model->labelShift) +
                         ": renumber them the same way first (Spine menu), then open the plan");
    }
    setAutosave({}); // (the opened plan must not land in the previous plan's autosave)
    m_editor->replace(std::move(plan));
    setAutosave(drg::planning::autosavePath(path.toStdString()));
    forgetUnsavedPlan();
    m_savedJson = drg::planning::planToJson(m_editor->plan());
    m_planPath = path;
  } catch (const std::exception& e) {
    if (m_interactive) {
      QMessageBox::warning(this, tr("Could not open the plan"), QString::fromStdString(e.what()));
    }
    statusBar()->showMessage(QString::fromStdString(e.what()));
    return false;
  }
  refreshPlan();
  statusBar()->showMessage(tr("Plan %1: %2 leads").arg(path).arg(m_editor->plan().leads.size()));
  return true;
}

bool MainWindow::savePlan(const QString& path)
{
  if (!m_editor) {
    return false;
  }
  try {
    m_editor->save(path.toStdString());
    setAutosave(drg::planning::autosavePath(path.toStdString())); // edits after the save
    m_savedJson = drg::planning::planToJson(m_editor->plan());
    m_planPath = path;
    forgetUnsavedPlan(); // the plan has a file now: its unsaved copy is done with
  } catch (const std::exception& e) {
    if (m_interactive) {
      QMessageBox::warning(this, tr("Could not save the plan"), QString::fromStdString(e.what()));
    }
    statusBar()->showMessage(QString::fromStdString(e.what()));
    return false;
  }
  statusBar()->showMessage(tr("Plan saved to %1").arg(path), 5000);
  return true;
}

void MainWindow::refreshMarkers()
{
  std::vector<drg::report::SliceMarker> markers;
  for (const auto& gang : m_case->anatomy.ganglia) {
    markers.push_back(
      { gang.centre, QString::fromStdString(gang.level + (gang.side == drg::imaging::Side::Left ? "L" : "R")),
        0.5 * gang.lengthMm });
  }
  for (auto* view : m_views) {
    view->setMarkers(markers);
  }
}

void MainWindow::showTypedPoint()
{
  const int row = m_leads->currentRow();
  if (!m_editor || row < 0 || row >= static_cast<int>(m_editor->plan().leads.size())) {
    return;
  }
  const auto& l = m_editor->plan().leads[static_cast<std::size_t>(row)];
  const Eigen::Vector3d& p = m_entryPoint->currentIndex() == 0   ? l.skinEntry
                             : m_entryPoint->currentIndex() == 1 ? l.epiduralEntry
                                                                 : l.target;
  for (int a = 0; a < 3; ++a) {
    m_entry[a]->setValue(p[a]);
  }
}

void MainWindow::updateNeedleViews()
{
  SliceView* along = m_views[3];
  SliceView* probe = m_views[4];
  const drg::planning::LeadPlan* lead = nullptr;
  int index = m_leads->currentRow();
  if (m_editor) {
    const auto& leads = m_editor->plan().leads;
    if (index < 0 || index >= static_cast<int>(leads.size())) {
      index = 0; // none selected: the first lead
    }
    if (index < static_cast<int>(leads.size()) && leads[static_cast<std::size_t>(index)].planned) {
      lead = &leads[static_cast<std::size_t>(index)];
    }
  }
  if (lead == nullptr || (lead->epiduralEntry - lead->skinEntry).norm() < 1.0) {
    along->setPlaceholder(tr("Needle views: add a lead (Plan panel) and select it"));
    probe->setPlaceholder(tr("Needle views: add a lead (Plan panel) and select it"));
    return;
  }
  along->setPlaceholder({});
  probe->setPlaceholder({});
  const Eigen::Vector3d n = (lead->epiduralEntry - lead->skinEntry).normalized();
  // the plane holding the needle and the head-foot direction: the interlaminar window side on
  Eigen::Vector3d up = Eigen::Vector3d::UnitZ() - n * n.z();
  if (up.norm() < 1e-3) {
    up = Eigen::Vector3d::UnitY() - n * n.y();
  }
  up.normalize();
  drg::imaging::PlaneFrame alongFrame;
  alongFrame.right = n.y() < 0 ? -n : n; // posterior on the right, as in the sagittal view
  alongFrame.down = -up;
  const double reach = (lead->target - lead->skinEntry).norm();
  alongFrame.halfWidthMm = 0.5 * reach + 30.0;
  alongFrame.halfHeightMm = 0.5 * reach + 30.0;
  const QString name = QString::fromStdString(lead->name);
  // centred on the needle's line, half way to the target's depth: the needle lies in the plane
  along->setOblique(alongFrame, lead->skinEntry + n * 0.5 * reach, tr("Along the needle (%1)").arg(name));
  // looking down the needle from the skin, at the epidural entry (scroll: deeper or shallower)
  drg::imaging::PlaneFrame eye;
  eye.down = -up;
  eye.right = eye.down.cross(n);
  eye.halfWidthMm = 30.0;
  eye.halfHeightMm = 30.0;
  probe->setOblique(eye, lead->epiduralEntry, tr("Probe's eye (%1), at the epidural entry").arg(name));
}

void MainWindow::offerUnsavedPlan()
{
  if (!m_editor || m_unsavedPlan.empty()) {
    return;
  }
  const auto autosave = drg::planning::recoverableAutosave(m_unsavedPlan);
  if (!autosave) {
    return;
  }
  try {
    drg::planning::Plan plan = drg::planning::loadPlan(*autosave);
    if (!plan.study.frameOfReferenceUid.empty() &&
        plan.study.frameOfReferenceUid != m_case->frameOfReferenceUid) {
      return; // (the same key but other images: not this study's)
    }
    if (plan.study.labelShift != m_case->model->labelShift ||
        plan.study.declaredTransitional != declaredName(m_labelOverride)) {
      statusBar()->showMessage(tr("An unsaved plan of this study was made with the vertebrae renumbered or "
                                  "transitional anatomy declared: "
                                  "renumber them the same way (Spine menu) and open it with File > Open plan "
                                  "(%1)")
                                 .arg(QString::fromStdString(autosave->string())));
      return;
    }
    const QString question =
      tr("A plan for this study (%1 leads%2) was not saved when drgplan last stopped. Recover it?")
        .arg(plan.leads.size())
        .arg(plan.pocket ? tr(", a pocket") : QString());
    if (ask(tr("Recover the unsaved plan?"), question, false)) {
      m_editor->replace(std::move(plan));
      refreshPlan();
      statusBar()->showMessage(tr("Recovered the unsaved plan: save it with File > Save plan"), 8000);
    } else if (m_interactive || m_answer) {
      std::error_code ec; // declined: not offered again
      std::filesystem::remove(*autosave, ec);
    }
  } catch (const std::exception& e) {
    statusBar()->showMessage(
      tr("An unsaved plan could not be read: %1").arg(QString::fromStdString(e.what())));
  }
}

std::shared_ptr<drg::report::ReportInput> MainWindow::reportInput(bool deidentify)
{
  auto in = std::make_shared<drg::report::ReportInput>();
  in->plan = m_editor->plan();
  const std::string text = drg::planning::planToJson(in->plan);
  const bool saved = !m_planPath.isEmpty() && text == m_savedJson;
  in->planFile =
    saved ? m_planPath.toStdString() : "(not saved: the SHA-256 is of the plan as it would be saved now)";
  in->planSha256 = QCryptographicHash::hash(QByteArray::fromStdString(text), QCryptographicHash::Sha256)
                     .toHex()
                     .toStdString();
  in->identity = m_case->identity;
  in->identity.deidentified = deidentify;
  in->identity.pseudonym = drg::imaging::reportPseudonym(
    m_case->studyUid.empty() ? m_case->source : m_case->identity.patientId + "|" + m_case->studyUid);
  in->softwareVersion = QApplication::applicationVersion().toStdString();
  in->volume = &m_case->volume;
  in->isCt = m_case->isCt;
  in->model = m_case->model.get();
  in->catalog = &m_planner->catalog();
  in->overview3d = m_view3d->grabFrame(); // the 3D view as the planner left it
  if (in->overview3d.isNull()) {
    in->overviewNote = "the 3D view was not shown";
  }
  return in;
}

void MainWindow::exportReport(const QString& pdf, bool deidentify)
{
  if (!m_editor || m_editor->plan().leads.empty()) {
    emit loadFailed(tr("Nothing to report yet: add a lead first"));
    return;
  }
  auto in = reportInput(deidentify);
  auto pages = std::make_shared<int>(0);
  std::shared_ptr<LoadedCase> keep = m_case; // (the volume and model stay while the report is made)
  startLoading(
    tr("Writing the report"),
    [in, pdf, pages, keep](const std::function<bool(double)>&) -> std::shared_ptr<LoadedCase> {
      *pages = drg::report::writePlacementReportPdf(*in, pdf.toStdString());
      return nullptr;
    },
    [this, pdf, pages] {
      m_progress->hide();
      m_cancel->hide();
      if (*pages > 0) {
        statusBar()->showMessage(tr("Report written: %1 (%2 pages)").arg(pdf).arg(*pages), 8000);
        emit reportWritten(pdf, *pages);
      }
    });
}

PacsDialog* MainWindow::openFromPacs()
{
  if (m_pacsDialog) { // one at a time (two retrieves would compete for the C-MOVE port)
    m_pacsDialog->raise();
    m_pacsDialog->activateWindow();
    return m_pacsDialog;
  }
  auto* dialog =
    new PacsDialog(m_pacsSettings.empty() ? drg::imaging::defaultPacsSettingsPath() : m_pacsSettings, this);
  dialog->setAttribute(Qt::WA_DeleteOnClose);
  connect(dialog, &PacsDialog::seriesRetrieved, this, [this, dialog](const QString& folder) {
    if (m_job) { // (the window is busy: the series stays in the cache, the dialog says where)
      QMessageBox::information(
        dialog, tr("Open from PACS"),
        tr("The series is in %1. The window is busy with another job: open it with File > "
           "Open DICOM folder when that has finished.")
          .arg(folder));
      return;
    }
    dialog->close();
    openDicom(folder);
  });
  dialog->show();
  m_pacsDialog = dialog;
  return dialog;
}

void MainWindow::exportDicom(const QString& folder, bool deidentify, const std::optional<QString>& sendTo)
{
  if (!m_editor || m_editor->plan().leads.empty()) {
    emit loadFailed(tr("Nothing to export yet: add a lead first"));
    return;
  }
  if (m_case->seriesUid.empty() || !m_case->model) {
    emit loadFailed(
      tr("The DICOM objects go into the planned study, and this case was not opened from DICOM: "
         "open the series with File > Open DICOM folder"));
    return;
  }
  auto in = reportInput(deidentify);
  auto files = std::make_shared<QStringList>();
  std::shared_ptr<LoadedCase> keep = m_case;
  const std::filesystem::path pacsSettings =
    m_pacsSettings.empty() ? drg::imaging::defaultPacsSettingsPath() : m_pacsSettings;
  startLoading(
    sendTo ? tr("Sending to the PACS") : tr("Writing the DICOM objects"),
    [in, folder, files, keep, sendTo,
     pacsSettings](const std::function<bool(double)>& progress) -> std::shared_ptr<LoadedCase> {
      const std::filesystem::path out = folder.toStdString();
      const auto series = drg::imaging::scanDicom(keep->source).seriesFiles(keep->seriesUid);
      if (series.empty()) {
        throw drg::Error(drg::ErrorCode::NotFound, "the planned series is no longer in " + keep->source);
      }
      progress(0.2);
      std::filesystem::create_directories(out);
      drg::report::writePlacementReportPdf(*in, (out / "report.pdf").string());
      progress(0.6);
      std::ifstream pdf(out / "report.pdf", std::ios::binary);
      const std::string bytes((std::istreambuf_iterator<char>(pdf)), std::istreambuf_iterator<char>());
      drg::imaging::DicomDocumentOptions options;
      options.deidentify = in->identity.deidentified;
      options.pseudonym = in->identity.pseudonym;
      const auto objects =
        drg::planning::writePlanDicomObjects(in->plan, "", keep->model->labels, series, bytes, out, options);
      if (sendTo) { // and to the PACS, beside the images
        progress(0.8);
        drg::imaging::PacsClient(drg::imaging::loadPacsSettings(pacsSettings), sendTo->toStdString())
          .send(objects);
      }
      files->append(QString::fromStdString((out / "report.pdf").string()));
      for (const auto& f : objects) {
        files->append(QString::fromStdString(f.string()));
      }
      return nullptr;
    },
    [this, folder, files, sendTo] {
      m_progress->hide();
      m_cancel->hide();
      if (!files->isEmpty()) {
        statusBar()->showMessage(
          sendTo
            ? tr("Sent to the PACS: the report and its DICOM objects (PDF, SR, SEG); copies in %1")
                .arg(folder)
            : tr("Written to %1: the report and its DICOM objects (PDF, SR, SEG), ready to send to the PACS")
                .arg(folder),
          8000);
        emit exported(*files);
      }
    });
}

void MainWindow::exportMeshes(const QString& folder)
{
  if (!m_case || !m_case->model || !m_editor) {
    emit loadFailed(tr("Nothing to export yet: open a study first"));
    return;
  }
  auto files = std::make_shared<QStringList>();
  std::shared_ptr<LoadedCase> keep = m_case;
  const drg::planning::Plan plan = m_editor->plan();
  const drg::planning::DeviceCatalog* catalog = &m_planner->catalog();
  startLoading(
    tr("Writing the surfaces"),
    [keep, plan, catalog, folder, files](const std::function<bool(double)>&) -> std::shared_ptr<LoadedCase> {
      std::shared_ptr<const drg::render::AnatomySurfaces> surfaces = keep->surfaces;
      if (!surfaces) {
        drg::render::SurfaceOptions options;
        options.ct = keep->isCt ? &keep->volume : nullptr;
        surfaces = drg::render::buildAnatomySurfaces(keep->labels, keep->model.get(), options);
      }
      for (const auto& f : drg::render::writeMeshes(*surfaces, plan, *catalog, folder.toStdString())) {
        files->append(QString::fromStdString(f.string()));
      }
      return nullptr;
    },
    [this, folder, files] {
      m_progress->hide();
      m_cancel->hide();
      if (!files->isEmpty()) {
        statusBar()->showMessage(tr("%1 STL surfaces written to %2 (LPS mm)").arg(files->size()).arg(folder),
                                 8000);
        emit exported(*files);
      }
    });
}

bool MainWindow::exportInterchange(const QString& path, bool csv)
{
  if (!m_editor || m_editor->plan().leads.empty()) {
    statusBar()->showMessage(tr("Nothing to export yet: add a lead first"), 5000);
    return false;
  }
  try {
    const drg::planning::Plan& plan = m_editor->plan();
    drg::imaging::writeFileAtomically(path.toStdString(), csv ? drg::planning::planToCsv(plan)
                                                              : drg::planning::planToSlicerMarkups(plan));
  } catch (const std::exception& e) {
    if (m_interactive) {
      QMessageBox::warning(this, tr("Export"), QString::fromStdString(e.what()));
    }
    statusBar()->showMessage(QString::fromStdString(e.what()));
    return false;
  }
  statusBar()->showMessage(tr("Written: %1").arg(path), 5000);
  return true;
}

void MainWindow::setAutosave(const std::filesystem::path& path)
{
  m_autosave = path;
  if (m_editor) {
    m_editor->setAutosave(path);
  }
}

void MainWindow::forgetUnsavedPlan()
{
  if (!m_unsavedPlan.empty()) {
    std::error_code ec;
    std::filesystem::remove(drg::planning::autosavePath(m_unsavedPlan), ec);
    m_unsavedPlan.clear();
  }
}

bool MainWindow::ask(const QString& title, const QString& question, bool unattended)
{
  if (m_answer) {
    return m_answer(question);
  }
  if (!m_interactive) {
    return unattended;
  }
  return QMessageBox::question(this, title, question) == QMessageBox::Yes;
}

void MainWindow::closeEvent(QCloseEvent* event)
{
  const bool unsaved = m_editor && drg::planning::planToJson(m_editor->plan()) != m_savedJson;
  if (unsaved && m_interactive) {
    const auto choice = QMessageBox::question(this, tr("Save the plan?"),
                                              tr("The plan has changes that are not saved. Save them?"),
                                              QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel);
    if (choice == QMessageBox::Cancel) {
      event->ignore();
      return;
    }
    if (choice == QMessageBox::Save) {
      const QString path = QFileDialog::getSaveFileName(this, tr("Save plan"), "plan.drgplan.json",
                                                        tr("drgplan plans (*.drgplan.json)"));
      if (path.isEmpty() || !savePlan(path)) {
        event->ignore();
        return;
      }
    } else if (!m_autosave.empty()) {
      std::error_code ec; // discarded: nothing to recover next time
      std::filesystem::remove(m_autosave, ec);
    }
  }
  // (without interaction the autosave stays, as after a crash)
  stopJob();
  event->accept();
}

QImage MainWindow::screenshot()
{
  QImage shot = grab().toImage();
  if (m_view3d->widget()->isVisible()) {
    QPainter painter(&shot);
    painter.drawImage(m_view3d->widget()->mapTo(this, QPoint(0, 0)), m_view3d->grabFrame());
  }
  return shot;
}

std::vector<QImage> MainWindow::viewScreenshots()
{
  std::vector<QImage> shots;
  for (int i = 0; i < 3; ++i) {
    shots.push_back(m_views[static_cast<std::size_t>(i)]->grab().toImage());
  }
  shots.push_back(m_view3d->grabFrame());
  return shots;
}

MainWindow::RenderBench MainWindow::benchmarkRendering()
{
  RenderBench b;
  if (!m_case) {
    return b;
  }
  b.width = width();
  b.height = height();
  const Eigen::Vector3d start = m_cursor;
  // scrolling: the cursor steps through 60 axial slices; each step re-slices and repaints all views
  const Eigen::Vector3d step(0, 0, m_case->volume.geometry().spacing.z());
  QElapsedTimer t;
  t.start();
  const int frames = 60;
  for (int i = 0; i < frames; ++i) {
    setCursor(start + step * (i % 2 == 0 ? i : -i) * 0.5);
    for (auto* view : m_views) {
      view->repaint();
    }
  }
  b.scrollFps = frames / std::max(1e-6, t.elapsed() / 1000.0);
  setCursor(start);
  // 3D rotation: the camera turns 6 degrees a frame, each frame rendered (with the skin)
  if (m_view3d->widget()->isVisible()) {
    m_view3d->renderNow();
    b.volumeRendering = m_boneVolume->isChecked();
    t.restart();
    m_view3d->rotate(1.0);
    m_view3d->renderNow(); // full quality, as when the view stands still
    b.stillFrameMs = static_cast<double>(t.nsecsElapsed()) / 1e6;
    const int turns = 60;
    m_view3d->setInteracting(true); // as while the mouse turns the view
    t.restart();
    for (int i = 0; i < turns; ++i) {
      m_view3d->rotate(6.0);
      m_view3d->renderNow();
    }
    b.rotationFps = turns / std::max(1e-6, t.elapsed() / 1000.0);
    m_view3d->setInteracting(false);
    b.triangles = m_view3d->scene().triangleCount();
    m_view3d->resetCamera(drg::render::OverviewView::Posterior);
  }
  // dragging a skin entry: each update re-plans the lead, refreshes the panel and repaints all views
  if (m_editor) {
    try {
      setAutosave({}); // (the benchmark's lead is no plan to recover)
      const int lead = m_editor->addLead("bench L5 left", "L5", drg::imaging::Side::Left);
      refreshPlan();
      const Eigen::Vector3d skin = m_editor->plan().leads[static_cast<std::size_t>(lead)].skinEntry;
      const int updates = 40;
      m_view3d->setInteracting(true); // as during a drag with the mouse
      t.restart();
      for (int i = 0; i < updates; ++i) {
        m_editor->moveSkinEntry(lead, skin + Eigen::Vector3d(0.25 * (i % 8), 0.0, -0.25 * (i % 8)), true);
        refreshPlan();
        for (auto* view : m_views) {
          view->repaint();
        }
        m_view3d->renderNow();
      }
      b.dragUpdatesPerS = updates / std::max(1e-6, t.elapsed() / 1000.0);
      m_editor->endDrag();
      m_view3d->setInteracting(false);
    } catch (const std::exception&) {
      b.dragUpdatesPerS = 0;
    }
  }
  return b;
}

void MainWindow::setViewLayout(ViewLayout layout)
{
  // views in m_views: axial, sagittal, coronal
  for (auto* v : m_views) {
    m_grid->removeWidget(v);
    v->hide();
  }
  m_grid->removeWidget(m_view3d->widget());
  m_view3d->widget()->hide();
  for (int i = 0; i < 3; ++i) {
    m_grid->setRowStretch(i, 0);
    m_grid->setColumnStretch(i, 0);
  }
  auto place = [&](QWidget* w, int row, int col, int rows = 1, int cols = 1) {
    m_grid->addWidget(w, row, col, rows, cols);
    w->show();
  };
  auto grid2x2 = [&](QWidget* topLeft, QWidget* topRight, QWidget* bottomLeft, QWidget* bottomRight) {
    place(topLeft, 0, 0);
    place(topRight, 0, 1);
    place(bottomLeft, 1, 0);
    place(bottomRight, 1, 1);
    for (int i = 0; i < 2; ++i) {
      m_grid->setRowStretch(i, 1);
      m_grid->setColumnStretch(i, 1);
    }
  };
  switch (layout) {
    case ViewLayout::TwoByTwo:
      grid2x2(m_views[0], m_views[1], m_views[2], m_view3d->widget());
      break;
    case ViewLayout::OnePlusThree:
      place(m_views[1], 0, 0, 3, 1); // the sagittal view large: the plan's levels at a glance
      place(m_views[0], 0, 1);
      place(m_views[2], 1, 1);
      place(m_view3d->widget(), 2, 1);
      for (int i = 0; i < 3; ++i) {
        m_grid->setRowStretch(i, 1);
      }
      m_grid->setColumnStretch(0, 2);
      m_grid->setColumnStretch(1, 1);
      break;
    case ViewLayout::Axial:
    case ViewLayout::Sagittal:
    case ViewLayout::Coronal:
      place(m_views[layout == ViewLayout::Axial ? 0 : layout == ViewLayout::Sagittal ? 1 : 2], 0, 0);
      m_grid->setRowStretch(0, 1);
      m_grid->setColumnStretch(0, 1);
      break;
    case ViewLayout::Needle:
      grid2x2(m_views[3], m_views[4], m_views[0], m_view3d->widget());
      break;
    case ViewLayout::ThreeD:
      place(m_view3d->widget(), 0, 0);
      m_grid->setRowStretch(0, 1);
      m_grid->setColumnStretch(0, 1);
      break;
  }
}
