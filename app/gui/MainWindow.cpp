#include "MainWindow.h"

#include "AnatomyPanel.h"
#include "BackgroundJob.h"
#include "CaseLoader.h"
#include "MainMenus.h"
#include "PacsDialog.h"
#include "PlanExporter.h"
#include "PlanOverlays.h"
#include "PlanPanel.h"
#include "PlanSession.h"
#include "PostopView.h"
#include "StartPage.h"

#include <QAction>
#include <QCloseEvent>
#include <QComboBox>
#include <QDir>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QPainter>
#include <QScreen>
#include <QScrollArea>
#include <QSignalBlocker>
#include <QSlider>
#include <QStackedWidget>
#include <QStatusBar>
#include <QToolBar>
#include <QVBoxLayout>

#include <cmath>
#include <cstring>

MainWindow::MainWindow()
  : m_prompts(this)
{
  setWindowTitle("drgplan");
  m_session = new PlanSession(m_prompts, this);
  m_jobs = new BackgroundJob(this);
  m_loader = new CaseLoader(this, *m_jobs, m_prompts);
  m_loader->setGuard([this] { return mayDropPlan(tr("opening another study")); });
  m_viewGrid = new ViewGrid(this);
  m_exporter = new PlanExporter(*m_session, *m_jobs, m_prompts, m_viewGrid->view3d(), this);
  m_postop = new PostopView(*m_session, *m_jobs, m_prompts, *m_viewGrid, this);
  connect(m_postop, &PostopView::lookAt, this, [this](const Eigen::Vector3d& lps) { setCursor(lps); });
  // (the widgets are made in this order, the views first: it is the keyboard's focus order)
  QDockWidget* anatomyDock = addAnatomyDock();
  // the start page until a case is shown, then the views
  m_pages = new QStackedWidget(this);
  m_startPage = new StartPage(*m_loader, this);
  m_startPage->showRecentStudies(PlanSession::recentStudies());
  m_pages->addWidget(m_startPage);
  // the views under a banner that holds the case's warnings in full (the level count, the import):
  // safety text is never cut short in the status bar or hidden by the next status message
  auto* viewsPage = new QWidget(this);
  auto* viewsLayout = new QVBoxLayout(viewsPage);
  viewsLayout->setContentsMargins(0, 0, 0, 0);
  viewsLayout->setSpacing(0);
  m_banner = new QLabel(viewsPage);
  m_banner->setObjectName("safetyBanner");
  m_banner->setWordWrap(true);
  m_banner->setTextInteractionFlags(Qt::TextSelectableByMouse);
  m_banner->setStyleSheet("QLabel { background: #fff3cd; color: #5c3c00; border-bottom: 1px solid #d9a400; "
                          "padding: 4px 8px; }");
  m_banner->hide();
  viewsLayout->addWidget(m_banner);
  viewsLayout->addWidget(m_viewGrid, 1);
  m_pages->addWidget(viewsPage);
  setCentralWidget(m_pages);
  m_menus = new MainMenus(*this, *m_loader, *m_exporter, m_viewGrid->view3d());
  m_planDock = addPlanDock(anatomyDock);
  // View > the panels, to hide them on a small screen and bring them back
  if (auto* viewMenu = menuBar()->findChild<QMenu*>("viewMenu")) {
    viewMenu->addSeparator();
    viewMenu->addAction(m_planDock->toggleViewAction());
    viewMenu->addAction(anatomyDock->toggleViewAction());
  }
  QToolBar* tools = addViewToolBar();
  m_position = new QLabel(this);
  statusBar()->addPermanentWidget(m_position); // (status messages do not hide where the mouse is)
  m_jobs->addProgressToStatusBar();
  connectComponents();
  // the start page alone until a case is shown
  m_caseWidgets = { anatomyDock, m_planDock, tools };
  for (QWidget* w : m_caseWidgets) {
    w->hide();
  }
  // as large as planning needs, but never larger than the screen (a 1024 x 768 laptop)
  QSize size(1400, 950);
  if (const QScreen* s = screen()) {
    size = size.boundedTo(s->availableGeometry().size() - QSize(0, 30)); // (the title bar)
  }
  resize(size);
}

MainWindow::~MainWindow()
{
  m_jobs->stop();
}

QDockWidget* MainWindow::addAnatomyDock()
{
  // the anatomy list (vertebrae and ganglia; click to go there) in a dock
  auto* dock = new QDockWidget(tr("Anatomy"), this);
  dock->setObjectName("anatomy");
  m_anatomy = new AnatomyPanel(dock);
  dock->setWidget(m_anatomy);
  addDockWidget(Qt::RightDockWidgetArea, dock);
  return dock;
}

QDockWidget* MainWindow::addPlanDock(QDockWidget* besides)
{
  // the plan dock: leads (add from a target, remove, lock), pocket, findings
  auto* dock = new QDockWidget(tr("Plan"), this);
  dock->setObjectName("plan");
  // (in a scroll area: on a small screen the panel scrolls rather than squeezing the views)
  auto* scroll = new QScrollArea(dock);
  scroll->setWidgetResizable(true);
  scroll->setFrameShape(QFrame::NoFrame);
  scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff); // (the panel fits the width)
  m_planPanel = new PlanPanel(
    *m_session, m_prompts, [this](const std::function<void()>& edit) { planEdit(edit); }, scroll);
  m_planPanel->setMinimumHeight(560); // (the lists keep a usable height; the area scrolls)
  scroll->setWidget(m_planPanel);
  dock->setWidget(scroll);
  addDockWidget(Qt::RightDockWidgetArea, dock);
  tabifyDockWidget(besides, dock); // the anatomy list and the plan share the right side
  dock->raise();
  return dock;
}

QToolBar* MainWindow::addViewToolBar()
{
  QToolBar* tools = addToolBar(tr("View"));
  tools->addWidget(new QLabel(tr(" Window: ")));
  m_preset = new QComboBox(tools);
  m_preset->setObjectName("windowPreset");
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
    for (auto* view : m_viewGrid->sliceViews()) {
      view->setLabelOpacity(v / 100.0);
    }
  });
  return tools;
}

void MainWindow::connectComponents()
{
  for (auto* view : m_viewGrid->sliceViews()) {
    connect(view, &SliceView::cursorMoved, this, &MainWindow::setCursor);
    connect(view, &SliceView::hovered, this, &MainWindow::hover);
    connect(view, &SliceView::windowChanged, this, [this](const drg::report::WindowLevel& w) {
      setWindow(w);
      showCustomWindow(); // (dragged: no preset's any more)
    });
    connect(view, &SliceView::markerClicked, this, &MainWindow::pickGanglion);
    connect(view, &SliceView::handleMoved, this, &MainWindow::moveHandle);
  }
  connect(m_anatomy, &AnatomyPanel::pointChosen, this, &MainWindow::setCursor);
  connect(m_startPage, &StartPage::casePlanChosen, this, [this](const QString& images, const QString& plan) {
    whenLoaded([this, plan] { openPlan(plan); }); // (a case's plan, on its images once they are shown)
    openPath(images);
  });
  connect(m_session, &PlanSession::recentStudiesChanged, this,
          [this] { m_startPage->showRecentStudies(PlanSession::recentStudies()); });
  connect(m_session, &PlanSession::planReplaced, this, &MainWindow::refreshPlan);
  connect(m_planPanel, &PlanPanel::currentLeadChanged, this, &MainWindow::selectLead);
  connect(m_planPanel, &PlanPanel::placeChosen, this, &MainWindow::setCursor);
  connect(m_menus, &MainMenus::undoRequested, this, &MainWindow::undo);
  connect(m_menus, &MainMenus::redoRequested, this,
          [this] { planEdit([this] { m_session->editor()->redo(); }); });
  connect(m_menus->boneVolume(), &QAction::toggled, this, &MainWindow::showBoneVolume);
  // a job's failure is said on the job's thread, as it happens (listeners queue what they show)
  connect(m_jobs, &BackgroundJob::failed, this, &MainWindow::loadFailed, Qt::DirectConnection);
  connect(m_jobs, &BackgroundJob::caseLoaded, this, &MainWindow::showCase);
  connect(m_exporter, &PlanExporter::failed, this, &MainWindow::loadFailed);
  connect(m_exporter, &PlanExporter::reportWritten, this, &MainWindow::reportWritten);
  connect(m_exporter, &PlanExporter::exported, this, &MainWindow::exported);
  connect(this, &MainWindow::loadFailed, this, [this](const QString& message) {
    m_jobs->hideProgress();
    m_prompts.warn(tr("Could not open"), message);
  });
}

void MainWindow::openDemo()
{
  m_loader->openDemo();
}

void MainWindow::openVolumeFile(const QString& path)
{
  m_loader->openVolumeFile(path);
}

void MainWindow::openDicom(const QString& path)
{
  m_loader->openDicom(path);
}

void MainWindow::openPath(const QString& path)
{
  m_loader->openPath(path);
}

PacsDialog* MainWindow::openFromPacs()
{
  return m_loader->openFromPacs(m_exporter->pacsSettingsFile());
}

void MainWindow::setPacsSettingsFile(const std::filesystem::path& file)
{
  m_exporter->setPacsSettingsFile(file);
}

bool MainWindow::openPlan(const QString& path)
{
  return mayDropPlan(tr("opening another plan")) && m_session->open(path);
}

bool MainWindow::mayDropPlan(const QString& before)
{
  if (!m_session->hasUnsavedChanges()) {
    return true;
  }
  const QString question = tr("The plan has changes that are not saved (%1 leads%2). Save them before %3?")
                             .arg(m_session->editor()->plan().leads.size())
                             .arg(m_session->editor()->plan().pocket ? tr(", a pocket") : QString())
                             .arg(before);
  switch (m_prompts.askUnsaved(tr("Save the plan?"), question)) {
    case Prompts::Unsaved::Cancel:
      m_prompts.status(tr("Kept the plan: its changes are still not saved"), 5000);
      return false;
    case Prompts::Unsaved::Discard:
      m_session->discardAutosave(); // discarded: nothing to recover next time
      return true;
    case Prompts::Unsaved::KeepAutosave:
      return true; // (without interaction the autosave stays, as after a crash)
    case Prompts::Unsaved::Save:
      break;
  }
  QString path = m_session->planPath();
  if (path.isEmpty() && m_prompts.interactive()) {
    path = QFileDialog::getSaveFileName(this, tr("Save plan"), suggestedPlanPath(),
                                        tr("drgplan plans (*.drgplan.json)"));
  }
  return !path.isEmpty() && savePlan(path);
}

QString MainWindow::suggestedPlanPath() const
{
  if (!m_session->planPath().isEmpty()) {
    return m_session->planPath();
  }
  const auto& loaded = m_session->loadedCase();
  if (!loaded || loaded->source.empty()) {
    return QStringLiteral("plan.drgplan.json");
  }
  // beside a volume file, named after it; for a DICOM folder, beside the folder, named after it
  const QFileInfo source(QString::fromStdString(loaded->source));
  QString base = source.fileName();
  for (const char* ext : { ".nii.gz", ".nii", ".nrrd", ".nhdr", ".mha", ".mhd" }) {
    if (base.endsWith(QLatin1String(ext))) {
      base.chop(static_cast<int>(std::strlen(ext)));
    }
  }
  if (base.isEmpty() || loaded->source == "demo phantom") {
    return QStringLiteral("demo-phantom.drgplan.json");
  }
  return source.dir().filePath(base + ".drgplan.json");
}

bool MainWindow::savePlan(const QString& path)
{
  const bool saved = m_session->save(path);
  setWindowModified(m_session->hasUnsavedChanges());
  return saved;
}

drg::planning::PlanEditor* MainWindow::planEditor()
{
  return m_session->editor();
}

void MainWindow::exportReport(const QString& pdf, bool deidentify)
{
  m_exporter->exportReport(pdf, deidentify);
}

std::shared_ptr<drg::report::ReportInput> MainWindow::reportInput(bool deidentify)
{
  return m_exporter->reportInput(deidentify);
}

bool MainWindow::exportInterchange(const QString& path, bool csv)
{
  return m_exporter->exportInterchange(path, csv);
}

void MainWindow::exportDicom(const QString& folder, bool deidentify, const std::optional<QString>& sendTo)
{
  m_exporter->exportDicom(folder, deidentify, sendTo);
}

void MainWindow::exportMeshes(const QString& folder)
{
  m_exporter->exportMeshes(folder);
}

void MainWindow::setViewLayout(ViewLayout layout)
{
  m_viewGrid->arrange(layout);
}

drg::imaging::SpineLabelOverride MainWindow::labelOverride() const
{
  return m_case ? m_case->labelOverride : drg::imaging::SpineLabelOverride{};
}

std::string MainWindow::levelCheckStatus() const
{
  return m_case && m_case->model ? m_case->model->levelCheck.status : std::string();
}

QString MainWindow::levelAtCursor() const
{
  if (!m_case || !m_case->model || m_case->model->vertebrae.empty()) {
    return {};
  }
  const drg::imaging::SpineVertebra* nearest = nullptr;
  for (const auto& v : m_case->model->vertebrae) {
    if (!nearest || (v.bodyCentre - m_cursor).norm() < (nearest->bodyCentre - m_cursor).norm()) {
      nearest = &v;
    }
  }
  return QString::fromStdString(nearest->level);
}

void MainWindow::set3dView(drg::render::OverviewView view)
{
  m_viewGrid->view3d().resetCamera(view);
}

void MainWindow::setBoneVolumeRendering(bool on)
{
  m_menus->boneVolume()->setChecked(on);
}

QString MainWindow::openGlRenderer() const
{
  return m_viewGrid->view3d().glRenderer();
}

void MainWindow::showBoneVolume(bool on)
{
  View3D& view3d = m_viewGrid->view3d();
  try {
    view3d.scene().setBoneVolume(on && m_case ? &m_case->volume : nullptr, m_case && m_case->isCt);
  } catch (const std::exception& e) {
    m_menus->boneVolume()->setChecked(false);
    m_prompts.status(QString::fromStdString(e.what()), 6000);
  }
  view3d.update();
}

void MainWindow::relabel(int shiftDelta, std::optional<drg::imaging::TransitionalAnatomy> declared)
{
  if (!m_case || !m_case->model) {
    m_prompts.status(tr("No spine model to relabel: open a spine image first"), 5000);
    return;
  }
  drg::imaging::SpineLabelOverride wanted = m_case->labelOverride;
  if (wanted.anchorAt && shiftDelta != 0) {
    // the levels hang on the vertebra the user named: renumbering renames that vertebra (as its
    // neighbour is called now)
    const auto& vs = m_case->model->vertebrae;
    const auto at =
      std::find_if(vs.begin(), vs.end(), [&](const auto& v) { return v.level == wanted.anchorAt->level; });
    const long to = (at - vs.begin()) + shiftDelta;
    if (at == vs.end() || to < 0 || to >= static_cast<long>(vs.size())) {
      m_prompts.status(tr("Cannot renumber past the vertebrae in view: name a vertebra instead (Spine menu)"),
                       6000);
      return;
    }
    wanted.anchorAt->level = vs[static_cast<std::size_t>(to)].level;
  } else {
    wanted.shift += shiftDelta;
  }
  if (declared) {
    wanted.declared = *declared;
    wanted.declaredSet = true;
  }
  relabelAsked(wanted);
}

void MainWindow::nameVertebra(const Eigen::Vector3d& point, const QString& level)
{
  if (!m_case || !m_case->model) {
    m_prompts.status(tr("No spine model to name: open a spine image first"), 5000);
    return;
  }
  drg::imaging::SpineLabelOverride wanted = m_case->labelOverride;
  wanted.anchorAt = drg::imaging::LevelAnchorPoint{ point, level.toStdString() };
  wanted.shift = 0; // (the anchor replaces the count and its shift)
  relabelAsked(wanted);
}

void MainWindow::relabelAsked(const drg::imaging::SpineLabelOverride& wanted)
{
  if (const auto* editor = planEditor(); editor && !editor->plan().leads.empty()) {
    // locked leads are re-planned too (their names now mean other ganglia): said, and asked
    QStringList locked;
    for (const auto& l : editor->plan().leads) {
      if (l.locked) {
        locked << QString::fromStdString(l.name);
      }
    }
    const QString question =
      tr("The plan's %1 leads keep their level names and will be re-planned to the ganglia called so "
         "after relabelling%2. Continue? (Undo takes the relabelling back.)")
        .arg(editor->plan().leads.size())
        .arg(locked.isEmpty()
               ? QString()
               : tr(", the locked ones too (%1): their geometry will change").arg(locked.join(", ")));
    if (!m_prompts.ask(tr("Relabel the levels?"), question, true)) {
      return;
    }
  }
  relabelTo(wanted, std::nullopt);
}

void MainWindow::confirmLevels(const QString& how)
{
  if (auto* editor = planEditor()) {
    planEdit([&] { editor->confirmLevels(how.toStdString()); });
  }
}

void MainWindow::undo()
{
  auto* editor = m_session->editor();
  if (editor && !editor->canUndo() && !m_relabelUndo.empty()) {
    RelabelStep step = std::move(m_relabelUndo.back());
    m_relabelUndo.pop_back();
    relabelTo(step.before, std::move(step.plan));
    return;
  }
  planEdit([editor] { editor->undo(); });
}

void MainWindow::relabelTo(const drg::imaging::SpineLabelOverride& wanted,
                           std::optional<drg::planning::Plan> restore)
{
  const bool undoing = restore.has_value();
  std::shared_ptr<LoadedCase> c = m_case; // (kept alive while the model is rebuilt)
  m_loader->relabel(c, wanted, [this, c, wanted, undoing, restore](const CaseLoader::Relabelled& done) {
    if (c != m_case) {
      return; // another case was opened meanwhile
    }
    std::optional<drg::planning::Plan> plan = restore;
    if (planEditor()) {
      if (!undoing) {
        m_relabelUndo.push_back({ m_case->labelOverride, planEditor()->plan() });
        plan = planEditor()->plan();
      }
      plan->study.levelAnchor = done.model->anchor;
      plan->study.labelShift = done.model->labelShift;
    }
    m_case->labelOverride = wanted;
    if (plan) {
      plan->study.declaredTransitional = m_case->declaredTransitional();
      plan->study.levelAt = m_case->levelAnchorText();
      plan->study.levelCheck = done.model->levelCheck.status;
      plan->study.levelCheckWhy = done.model->levelCheck.why();
      if (!undoing) { // (names that changed are no longer the ones confirmed)
        plan->study.levelsConfirmedBy.clear();
        plan->study.levelsConfirmedAt.clear();
      }
    }
    // the names the user gave are the names shown everywhere: the model's label map and anatomy,
    // not a label map brought with the case (a phantom's truth) that still names the levels as before
    m_case->labelsFromModel = true;
    m_case->anatomyFromModel = true;
    m_case->takeModel(done.model);
    m_case->surfaces = done.surfaces;
    View3D& view3d = m_viewGrid->view3d();
    view3d.scene().setAnatomy(done.surfaces);
    view3d.scene().setGanglia(done.model->ganglia);
    view3d.scene().setForamina(done.model->foramina);
    const auto* labels = m_case->labels.voxels().empty() ? nullptr : &m_case->labels;
    for (auto* view : m_viewGrid->sliceViews()) {
      view->setVolume(&m_case->volume, labels);
    }
    refreshMarkers();
    m_anatomy->showCase(*m_case);
    setUpPlanning(plan); // the same leads, re-planned to the ganglia of their names
    showWarnings();
    m_prompts.status((undoing ? tr("Relabelling undone: %1") : tr("Relabelled: %1"))
                       .arg(QString::fromStdString(m_case->spineSummary)));
    emit caseReady();
  });
}

void MainWindow::showStartPageForScreenshot()
{
  auto callbacks = std::move(m_onLoaded);
  m_onLoaded.clear();
  for (auto& c : callbacks) {
    c();
  }
}

void MainWindow::whenLoaded(std::function<void()> callback)
{
  m_onLoaded.push_back(std::move(callback));
}

void MainWindow::showCase(std::shared_ptr<LoadedCase> loaded)
{
  m_sinceLoaded.start();
  m_relabelUndo.clear();      // (another case: its relabellings are its own)
  m_case = std::move(loaded); // (a new case: its labels as found)
  m_pages->setCurrentIndex(1);
  for (QWidget* w : m_caseWidgets) {
    w->show();
  }
  m_planDock->raise(); // planning is what the case is opened for
  if (width() < 1300) {
    // a small window: the panels narrower, the views keep most of the width (the panel scrolls)
    resizeDocks({ m_planDock }, { std::max(300, width() * 36 / 100) }, Qt::Horizontal);
  }
  if (QFileInfo::exists(QString::fromStdString(m_case->source))) {
    m_session->rememberStudy(QString::fromStdString(m_case->source), m_case->title);
  }
  m_jobs->hideProgress();
  setWindowTitle("drgplan - " + m_case->title + "[*]"); // ([*]: "*" while the plan has unsaved changes)
  const auto& g = m_case->volume.geometry();
  m_cursor = g.indexToLps(Eigen::Vector3d(g.size[0] - 1.0, g.size[1] - 1.0, g.size[2] - 1.0) * 0.5);
  for (const auto& gang : m_case->anatomy.ganglia) {
    if (gang.level == "L4" && gang.side == drg::imaging::Side::Left) {
      m_cursor = gang.centre;
    }
  }
  const auto* labels = m_case->labels.voxels().empty() ? nullptr : &m_case->labels;
  for (auto* view : m_viewGrid->sliceViews()) {
    view->setVolume(&m_case->volume, labels);
    view->setLabelOpacity(m_overlay->value() / 100.0);
  }
  refreshMarkers();
  if (m_menus->boneVolume()->isChecked()) { // (a new case: its own volume, when asked for again)
    m_menus->boneVolume()->setChecked(false);
  }
  View3D& view3d = m_viewGrid->view3d();
  view3d.scene().setAnatomy(m_case->surfaces);
  view3d.scene().setGanglia(m_case->model ? m_case->model->ganglia
                                          : std::vector<drg::imaging::DrgEstimate>{});
  view3d.scene().setForamina(m_case->model ? m_case->model->foramina
                                           : std::vector<drg::imaging::SpineForamen>{});
  view3d.resetCamera(drg::render::OverviewView::Posterior);
  m_preset->setCurrentIndex(m_case->isCt ? 0 : 3); // MR intensities vary by scanner: auto window
  applyPreset(m_preset->currentText());
  setCursor(m_cursor);
  m_anatomy->showCase(*m_case);
  setUpPlanning();
  if (!m_session->offerUnsavedPlan()) {
    m_session->offerLastPlan();
  }
  QString loadedText = tr("Loaded %1").arg(m_case->title);
  if (!m_case->spineSummary.empty()) {
    loadedText += " - " + QString::fromStdString(m_case->spineSummary);
  }
  showWarnings();
  m_prompts.status(m_case->warnings.empty()
                     ? loadedText
                     : tr("%1 - %2 warning(s) above the views").arg(loadedText).arg(m_case->warnings.size()),
                   m_case->spineSummary.empty() ? 5000 : 0);
  auto callbacks = std::move(m_onLoaded);
  m_onLoaded.clear();
  for (auto& c : callbacks) {
    c();
  }
  emit caseReady();
}

void MainWindow::setCursor(const Eigen::Vector3d& lps)
{
  m_cursor = lps;
  for (auto* view : m_viewGrid->sliceViews()) {
    view->setCursor(lps);
  }
  m_viewGrid->view3d().scene().setCursor(lps);
  m_viewGrid->view3d().update();
  hover(lps);
}

void MainWindow::showWarnings()
{
  QStringList lines;
  const auto* editor = planEditor();
  const bool confirmed = editor && !editor->plan().study.levelsConfirmedBy.empty();
  if (m_case) {
    for (const auto& w : m_case->warnings) {
      if (confirmed && (w.rfind("levels unconfirmed", 0) == 0 ||
                        w.rfind("the levels follow the vertebra you named", 0) == 0)) {
        continue; // (said below: confirmed since)
      }
      lines << QString::fromStdString(w).toHtmlEscaped();
    }
  }
  const bool onlyConfirmation = confirmed && lines.isEmpty();
  if (confirmed) {
    lines << tr("Levels confirmed: %1 (%2)")
               .arg(QString::fromStdString(editor->plan().study.levelsConfirmedBy).toHtmlEscaped(),
                    QString::fromStdString(editor->plan().study.levelsConfirmedAt));
  }
  m_banner->setText(lines.isEmpty() ? QString()
                                    : "<b>" + (onlyConfirmation ? tr("Levels") : tr("Warnings")) +
                                        "</b><br>" + lines.join("<br>"));
  m_banner->setVisible(!lines.isEmpty());
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

void MainWindow::showCustomWindow()
{
  const QSignalBlocker quiet(m_preset);
  if (m_preset->findText(tr("Custom")) < 0) {
    m_preset->addItem(tr("Custom"));
  }
  m_preset->setCurrentIndex(m_preset->findText(tr("Custom")));
  m_preset->setToolTip(tr("window W %1, level L %2 (dragged with the right mouse button)")
                         .arg(m_window.width, 0, 'f', 0)
                         .arg(m_window.centre, 0, 'f', 0));
}

void MainWindow::applyPreset(const QString& name)
{
  if (!m_case || name == tr("Custom")) {
    return; // (Custom: the window as dragged, kept)
  }
  m_preset->setToolTip(QString());
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
  for (auto* view : m_viewGrid->sliceViews()) {
    view->setWindow(m_window);
  }
}

void MainWindow::setUpPlanning(std::optional<drg::planning::Plan> keep)
{
  m_session->setUp(m_case, std::move(keep));
  // the targets a lead can be aimed at: the model's ganglia, once there is a plan to add leads to
  m_planPanel->setTargets(m_session->editor() ? m_case->model->ganglia
                                              : std::vector<drg::imaging::DrgEstimate>{});
  refreshPlan();
}

void MainWindow::planEdit(const std::function<void()>& edit)
{
  if (!m_session->editor()) {
    return;
  }
  try {
    edit();
  } catch (const std::exception& e) {
    if (m_prompts.interactive() && !m_dragging) { // (a dialog would take the mouse from the drag)
      m_prompts.warn(tr("Plan"), QString::fromStdString(e.what()));
    } else {
      m_prompts.status(QString::fromStdString(e.what()), 5000);
    }
  }
  refreshPlan();
}

void MainWindow::refreshPlan()
{
  const drg::planning::PlanEditor* editor = m_session->editor();
  m_planPanel->showPlan(editor ? &editor->plan() : nullptr);
  showWarnings(); // (the levels' confirmation is the plan's: an undo takes it back)
  const PlanOverlays drawn =
    editor ? PlanOverlays::of(editor->plan(), m_session->planner()->catalog()) : PlanOverlays{};
  m_menus->undo()->setEnabled(editor && (editor->canUndo() || !m_relabelUndo.empty()));
  // Undo and Redo say what they take back or bring back
  m_menus->undo()->setText(editor && editor->canUndo()
                             ? tr("&Undo %1").arg(QString::fromStdString(editor->undoName()))
                           : editor && !m_relabelUndo.empty() ? tr("&Undo the renumbering of the vertebrae")
                                                              : tr("&Undo"));
  m_menus->redo()->setText(editor && editor->canRedo()
                             ? tr("&Redo %1").arg(QString::fromStdString(editor->redoName()))
                             : tr("&Redo"));
  setWindowModified(m_session->hasUnsavedChanges());
  m_menus->redo()->setEnabled(editor && editor->canRedo());
  for (auto* view : m_viewGrid->sliceViews()) {
    view->setOverlays(drawn.overlays, drawn.handles);
  }
  if (!m_dragging) {
    updateNeedleViews();
  }
  View3D& view3d = m_viewGrid->view3d();
  if (editor) {
    view3d.scene().setPlan(editor->plan(), m_session->planner()->catalog(), m_planPanel->currentLead());
  } else {
    view3d.scene().setPlan({}, drg::planning::DeviceCatalog{});
  }
  view3d.update();
}

void MainWindow::selectLead(int row)
{
  if (m_dragging) {
    return;
  }
  const drg::planning::PlanEditor* editor = m_session->editor();
  if (editor && row >= 0 && row < static_cast<int>(editor->plan().leads.size())) {
    const auto& l = editor->plan().leads[static_cast<std::size_t>(row)];
    m_planPanel->showLead(row);
    setCursor(l.target);
    // the selected lead bright
    m_viewGrid->view3d().scene().setPlan(editor->plan(), m_session->planner()->catalog(), row);
    updateNeedleViews();
  } else if (editor) {
    m_viewGrid->view3d().scene().setPlan(editor->plan(), m_session->planner()->catalog(),
                                         -1); // none stands out
    m_viewGrid->view3d().update();
  }
}

void MainWindow::pickGanglion(int index)
{
  if (!m_case || index < 0 || index >= static_cast<int>(m_case->anatomy.ganglia.size())) {
    return;
  }
  const auto& g = m_case->anatomy.ganglia[static_cast<std::size_t>(index)];
  m_planPanel->pickTarget(QString::fromStdString(g.level + " " + drg::imaging::sideName(g.side)));
}

void MainWindow::moveHandle(int id, const Eigen::Vector3d& lps, bool done)
{
  drg::planning::PlanEditor* editor = m_session->editor();
  if (!editor) {
    return;
  }
  View3D& view3d = m_viewGrid->view3d();
  if (done) {
    editor->endDrag(); // the last move was already applied
    m_dragging = false;
    view3d.setInteracting(false); // a full-quality frame once the handle is let go
    view3d.update();
    updateNeedleViews(); // re-sliced once the handle is let go
    return;
  }
  m_dragging = true;
  view3d.setInteracting(true);
  // one undo step per drag; the views and findings follow while it lasts. The handle's id is
  // 3 x lead + what it moves (0 skin entry, 1 epidural entry, 2 target), or the pocket's
  const int lead = id / 3;
  planEdit([&] {
    if (id == PlanOverlays::kPocketHandle) {
      editor->movePocket(lps, true);
      return;
    }
    switch (id % 3) {
      case 0:
        editor->moveSkinEntry(lead, lps, true);
        break;
      case 1:
        editor->moveEpiduralEntry(lead, lps, true);
        break;
      default:
        editor->setManualTarget(lead, lps, true);
    }
  });
}

void MainWindow::refreshMarkers()
{
  std::vector<drg::report::SliceMarker> markers;
  for (const auto& gang : m_case->anatomy.ganglia) {
    markers.push_back(
      { gang.centre, QString::fromStdString(gang.level + (gang.side == drg::imaging::Side::Left ? "L" : "R")),
        0.5 * gang.lengthMm });
  }
  for (auto* view : m_viewGrid->sliceViews()) {
    view->setMarkers(markers);
  }
}

void MainWindow::updateNeedleViews()
{
  const drg::planning::LeadPlan* lead = nullptr;
  int index = m_planPanel->currentLead();
  if (const auto* editor = m_session->editor()) {
    const auto& leads = editor->plan().leads;
    if (index < 0 || index >= static_cast<int>(leads.size())) {
      index = 0; // none selected: the first lead
    }
    if (index < static_cast<int>(leads.size()) && leads[static_cast<std::size_t>(index)].planned) {
      lead = &leads[static_cast<std::size_t>(index)];
    }
  }
  m_viewGrid->showNeedle(lead);
}

void MainWindow::closeEvent(QCloseEvent* event)
{
  if (!mayDropPlan(tr("quitting"))) {
    event->ignore();
    return;
  }
  m_jobs->stop();
  event->accept();
}

QImage MainWindow::screenshot()
{
  QImage shot = grab().toImage();
  View3D& view3d = m_viewGrid->view3d();
  if (view3d.widget()->isVisible()) {
    QPainter painter(&shot);
    painter.drawImage(view3d.widget()->mapTo(this, QPoint(0, 0)), view3d.grabFrame());
  }
  return shot;
}

std::vector<QImage> MainWindow::viewScreenshots()
{
  return m_viewGrid->screenshots();
}

MainWindow::RenderBench MainWindow::benchmarkRendering()
{
  if (!m_case) {
    return {};
  }
  RenderBenchmark bench(
    *m_viewGrid, *m_session, [this](const Eigen::Vector3d& lps) { setCursor(lps); },
    [this] { refreshPlan(); });
  return bench.run(size(), m_cursor, m_case->volume.geometry().spacing.z(),
                   m_menus->boneVolume()->isChecked());
}
