#include "MainWindow.h"

#include "drg/imaging/AnatomyLabels.h"
#include "drg/imaging/DicomVolumeLoader.h"
#include "drg/imaging/Error.h"
#include "drg/imaging/NiftiIo.h"
#include "drg/imaging/SpineModel.h"

#include "SeriesChooser.h"

#include <QApplication>
#include <QComboBox>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QGridLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QSlider>
#include <QStatusBar>
#include <QThread>
#include <QToolBar>
#include <QTreeWidget>

#include <algorithm>

using drg::imaging::SlicePlane;

MainWindow::MainWindow()
{
  setWindowTitle("drgplan");
  auto* central = new QWidget(this);
  auto* grid = new QGridLayout(central);
  grid->setContentsMargins(2, 2, 2, 2);
  grid->setSpacing(2);
  const SlicePlane planes[] = { SlicePlane::Axial, SlicePlane::Sagittal, SlicePlane::Coronal };
  const int cells[][2] = { { 0, 0 }, { 0, 1 }, { 1, 0 } };
  for (int i = 0; i < 3; ++i) {
    auto* view = new SliceView(planes[i], central);
    grid->addWidget(view, cells[i][0], cells[i][1]);
    connect(view, &SliceView::cursorMoved, this, &MainWindow::setCursor);
    connect(view, &SliceView::hovered, this, &MainWindow::hover);
    connect(view, &SliceView::windowChanged, this, &MainWindow::setWindow);
    m_views.push_back(view);
  }
  m_anatomy = new QTreeWidget(central);
  m_anatomy->setHeaderLabels({ tr("Structure"), tr("Zone / view"), tr("Position (LPS mm)") });
  m_anatomy->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
  grid->addWidget(m_anatomy, 1, 1);
  grid->setColumnStretch(0, 1);
  grid->setColumnStretch(1, 1);
  grid->setRowStretch(0, 1);
  grid->setRowStretch(1, 1);
  m_anatomy->setMinimumWidth(200);
  m_anatomy->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Ignored);
  connect(m_anatomy, &QTreeWidget::itemClicked, this, [this](QTreeWidgetItem* item) {
    QVariant v = item->data(0, Qt::UserRole);
    if (v.isValid()) {
      QList<QVariant> p = v.toList();
      setCursor(Eigen::Vector3d(p[0].toDouble(), p[1].toDouble(), p[2].toDouble()));
    }
  });
  setCentralWidget(central);

  QMenu* file = menuBar()->addMenu(tr("&File"));
  file->addAction(tr("Open &demo case"), this, &MainWindow::openDemo);
  file->addAction(tr("Open &NIfTI..."), this, [this] {
    QString path =
      QFileDialog::getOpenFileName(this, tr("Open NIfTI volume"), QString(), tr("NIfTI (*.nii *.nii.gz)"));
    if (!path.isEmpty()) {
      openVolumeFile(path);
    }
  });
  file->addSeparator();
  file->addAction(tr("&Quit"), QKeySequence::Quit, qApp, &QApplication::quit);

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
  connect(this, &MainWindow::scanReady, this, &MainWindow::chooseAndLoad, Qt::QueuedConnection);
  resize(1400, 950);
}

MainWindow::~MainWindow() = default;

void MainWindow::whenLoaded(std::function<void()> callback)
{
  m_onLoaded.push_back(std::move(callback));
}

void MainWindow::startLoading(
  const QString& what, std::function<std::shared_ptr<LoadedCase>(const std::function<bool(double)>&)> job)
{
  m_cancelRequested = false;
  m_progress->setValue(0);
  m_progress->setFormat(what + " %p%");
  m_progress->show();
  m_cancel->show();
  QThread* thread = QThread::create([this, job] {
    try {
      auto progress = [this](double f) {
        QMetaObject::invokeMethod(m_progress, "setValue", Qt::QueuedConnection,
                                  Q_ARG(int, static_cast<int>(f * 100)));
        return !m_cancelRequested.load();
      };
      std::shared_ptr<LoadedCase> loaded = job(progress);
      if (loaded) { // a scan hands over to the series chooser instead
        QMetaObject::invokeMethod(
          this, [this, loaded] { showCase(loaded); }, Qt::QueuedConnection);
      }
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
  connect(thread, &QThread::finished, thread, &QObject::deleteLater);
  thread->start();
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
    return loaded;
  });
}

namespace
{

/// Builds the spine model of a freshly loaded case (progress from `from` to 1): the label map
/// (unless the case brought its own), the anatomy panel's vertebrae and ganglia, and the anchor
/// the levels were counted from. An image without a spine keeps its volume, with a warning.
void addSpineModel(LoadedCase& loaded, const std::function<bool(double)>& progress, double from)
{
  try {
    drg::imaging::SpineModelOptions options;
    options.modality = loaded.isCt ? drg::imaging::SpineModality::Ct : drg::imaging::SpineModality::Auto;
    drg::imaging::SpineModel model = drg::imaging::buildSpineModel(
      loaded.volume, options, [&](double f) { return progress(from + (1.0 - from) * f); });
    if (loaded.labels.voxels().empty()) {
      loaded.labels = std::move(model.labels);
    }
    drg::imaging::PhantomTruth& anatomy = loaded.anatomy;
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
      g.label = drg::imaging::labels::kGanglionBase + 2 * drg::imaging::labels::vertebraLabel(d.level) +
                (d.side == drg::imaging::Side::Right ? 1 : 0);
      anatomy.ganglia.push_back(g);
      anatomy.labelNames[g.label] = "DRG estimate " + d.level + " " + drg::imaging::sideName(d.side);
    }
    anatomy.labelNames[drg::imaging::labels::kSpinalCanal] = "spinal canal";
    if (!model.vertebrae.empty()) {
      loaded.spineSummary = "spine model " + model.vertebrae.front().level + "-" +
                            model.vertebrae.back().level + ", " + std::to_string(model.ganglia.size()) +
                            " DRG estimates, levels counted from the " + model.anchor;
    }
    loaded.warnings.insert(loaded.warnings.end(), model.warnings.begin(), model.warnings.end());
  } catch (const drg::Error& e) {
    if (e.code() == drg::ErrorCode::Cancelled) {
      throw;
    }
    loaded.warnings.push_back(std::string("spine model: ") + e.what());
  }
}

} // namespace

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
  startLoading(
    tr("Scanning"), [this, path](const std::function<bool(double)>& progress) -> std::shared_ptr<LoadedCase> {
      auto scan =
        std::make_shared<drg::imaging::DicomScan>(drg::imaging::scanDicom(path.toStdString(), progress));
      if (scan->imageStacks().empty()) {
        throw drg::Error(drg::ErrorCode::Format, "no DICOM image series in " + path.toStdString() + " (" +
                                                   std::to_string(scan->filesSeen) + " files, " +
                                                   std::to_string(scan->dicomFiles) + " DICOM)");
      }
      emit scanReady(scan, path);
      return nullptr;
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
    if (series) {
      loaded->warnings.insert(loaded->warnings.end(), series->warnings.begin(), series->warnings.end());
    }
    addSpineModel(*loaded, progress, 0.4);
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
    addSpineModel(*loaded, progress, 0.2);
    return loaded;
  });
}

void MainWindow::showCase(std::shared_ptr<LoadedCase> loaded)
{
  m_case = std::move(loaded);
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
  std::vector<drg::report::SliceMarker> markers;
  for (const auto& gang : m_case->anatomy.ganglia) {
    markers.push_back(
      { gang.centre, QString::fromStdString(gang.level + (gang.side == drg::imaging::Side::Left ? "L" : "R")),
        0.5 * gang.lengthMm });
  }
  const auto* labels = m_case->labels.voxels().empty() ? nullptr : &m_case->labels;
  for (auto* view : m_views) {
    view->setVolume(&m_case->volume, labels);
    view->setMarkers(markers);
    view->setLabelOpacity(m_overlay->value() / 100.0);
  }
  m_preset->setCurrentIndex(m_case->isCt ? 0 : 3); // MR intensities vary by scanner: auto window
  applyPreset(m_preset->currentText());
  setCursor(m_cursor);
  fillAnatomyPanel();
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
