#include "CaseLoader.h"

#include "PacsDialog.h"
#include "Prompts.h"
#include "SeriesChooser.h"

#include "drg/imaging/DicomVolumeLoader.h"
#include "drg/imaging/Error.h"
#include "drg/imaging/NiftiIo.h"
#include "drg/imaging/SpineCaseLoader.h"

#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QMainWindow>
#include <QMessageBox>

#include <algorithm>

namespace
{

/// The spine model: the label map (unless the case brought its own), the anatomy panel's vertebrae
/// and ganglia, and the anchor the levels were counted from. An image without a spine keeps its
/// volume, with a warning.
void addModelAndAnatomy(LoadedCase& loaded, const BackgroundJob::Progress& progress, bool listAnatomy)
{
  try {
    drg::imaging::SpineCaseLoader spine;
    spine.assumeCt(loaded.isCt);
    loaded.anatomyFromModel = listAnatomy;
    loaded.labelsFromModel = loaded.labels.voxels().empty();
    loaded.takeModel(std::make_shared<drg::imaging::SpineModel>(spine.buildModel(loaded.volume, progress)));
  } catch (const drg::Error& e) {
    if (e.code() == drg::ErrorCode::Cancelled) {
      throw;
    }
    loaded.warnings.push_back(std::string("spine model: ") + e.what());
  }
}

/// Builds the spine model of a freshly loaded case (progress from `from` to 1), then the 3D view's
/// surfaces.
void addSpineModel(LoadedCase& loaded, const BackgroundJob::Progress& progress, double from, bool listAnatomy)
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

} // namespace

CaseLoader::CaseLoader(QMainWindow* window, BackgroundJob& jobs, const Prompts& prompts)
  : QObject(window)
  , m_window(window)
  , m_jobs(jobs)
  , m_prompts(prompts)
{}

void CaseLoader::chooseDicomFolder()
{
  const QString path =
    QFileDialog::getExistingDirectory(m_window, tr("Open a DICOM folder (or a DICOMDIR's folder)"));
  if (!path.isEmpty()) {
    openDicom(path);
  }
}

void CaseLoader::chooseVolumeFile()
{
  const QString path = QFileDialog::getOpenFileName(m_window, tr("Open a volume"), QString(),
                                                    tr("Volumes (*.nii *.nii.gz *.nrrd *.nhdr *.mha *.mhd)"));
  if (!path.isEmpty()) {
    openVolumeFile(path);
  }
}

void CaseLoader::openRecent(const QString& path)
{
  if (!QFileInfo::exists(path)) {
    m_prompts.warn(tr("Could not open"), tr("%1 is no longer there.").arg(path));
    m_prompts.status(tr("%1 is no longer there").arg(path), 5000);
    return;
  }
  openPath(path);
}

void CaseLoader::openDemo()
{
  if (m_mayReplace && !m_mayReplace()) {
    return;
  }
  m_jobs.start(tr("Generating demo phantom"), [](const BackgroundJob::Progress& progress) {
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
    loaded->images = drg::imaging::volumeIdentity(loaded->volume, loaded->source);
    addSpineModel(*loaded, progress, 0.6, false); // the model the planner starts from
    return loaded;
  });
}

void CaseLoader::openPath(const QString& path)
{
  if (drg::imaging::isVolumeFileName(path.toStdString())) {
    openVolumeFile(path);
    return;
  }
  openDicom(path);
}

void CaseLoader::openDicom(const QString& path)
{
  if (m_mayReplace && !m_mayReplace()) {
    return;
  }
  // scan off the GUI thread, choose on it, load off it again
  auto scanned = std::make_shared<std::shared_ptr<drg::imaging::DicomScan>>();
  m_jobs.start(
    tr("Scanning"),
    [path, scanned](const BackgroundJob::Progress& progress) -> std::shared_ptr<LoadedCase> {
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

void CaseLoader::chooseAndLoad(std::shared_ptr<drg::imaging::DicomScan> scan, const QString& path)
{
  QString stackId;
  auto stacks = scan->imageStacks();
  if (stacks.size() == 1 || !m_prompts.interactive()) { // without interaction: the first series
    stackId = QString::fromStdString(stacks.front()->id);
  } else {
    SeriesChooser chooser(*scan, m_window);
    if (chooser.exec() != QDialog::Accepted) {
      m_jobs.hideProgress();
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
  m_jobs.start(tr("Loading"), [scan, stack, series, path](const BackgroundJob::Progress& progress) {
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
    loaded->patientPosition = series != nullptr ? series->patientPosition : std::string();
    if (series) {
      loaded->warnings.insert(loaded->warnings.end(), series->warnings.begin(), series->warnings.end());
    }
    loaded->source = path.toStdString();
    loaded->images =
      drg::imaging::dicomImageIdentity(*scan, loaded->seriesUid, loaded->volume, loaded->source);
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

void CaseLoader::openVolumeFile(const QString& path, std::optional<bool> ct)
{
  if (!ct && m_mayReplace && !m_mayReplace()) { // (asked already when the modality is given)
    return;
  }
  // the values may not tell CT from MR: then the job stops, and the user is asked
  auto undecided = std::make_shared<QString>();
  auto job = [path, ct, undecided](const BackgroundJob::Progress& progress) -> std::shared_ptr<LoadedCase> {
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
    // no DICOM header: CT or MR from the values, or from the user when they do not tell
    if (ct) {
      loaded->isCt = *ct;
    } else {
      try {
        loaded->isCt =
          drg::imaging::modalityFromIntensities(loaded->volume) == drg::imaging::SpineModality::Ct;
      } catch (const drg::Error& e) {
        if (e.code() != drg::ErrorCode::InvalidArgument) {
          throw;
        }
        *undecided = QString::fromStdString(e.what());
        return nullptr;
      }
    }
    loaded->source = path.toStdString();
    loaded->images = drg::imaging::volumeIdentity(loaded->volume, loaded->source);
    addSpineModel(*loaded, progress, 0.2, true);
    return loaded;
  };
  m_jobs.start(tr("Loading"), job, [this, path, undecided] {
    if (undecided->isEmpty()) {
      return;
    }
    m_jobs.hideProgress();
    const auto answer = m_prompts.askModality(
      tr("%1 has no DICOM header, and its values do not tell a CT from an MR (%2).\n\nWhat is it?")
        .arg(QFileInfo(path).fileName(), *undecided));
    if (answer) {
      openVolumeFile(path, answer);
    } else {
      m_prompts.status(
        tr("Not opened: %1 is neither told nor said to be CT or MR").arg(QFileInfo(path).fileName()));
    }
  });
}

void CaseLoader::relabel(std::shared_ptr<LoadedCase> loaded, const drg::imaging::SpineLabelOverride& labels,
                         std::function<void(const Relabelled&)> done)
{
  auto rebuilt = std::make_shared<Relabelled>();
  m_jobs.start(
    tr("Relabelling"),
    [c = loaded, labels, rebuilt](const BackgroundJob::Progress& progress) -> std::shared_ptr<LoadedCase> {
      drg::imaging::SpineModelOptions options;
      options.labels = labels;
      drg::imaging::SpineCaseLoader spine(options);
      spine.assumeCt(c->isCt);
      auto model = std::make_shared<drg::imaging::SpineModel>(
        spine.buildModel(c->volume, [&](double f) { return progress(0.8 * f); }));
      // the surfaces again, from the model's label map: the names the user gave are the names shown
      // (a label map brought with the case, a phantom's truth, still names the levels as before)
      drg::render::SurfaceOptions surfaceOptions;
      surfaceOptions.ct = c->isCt ? &c->volume : nullptr;
      rebuilt->surfaces = drg::render::buildAnatomySurfaces(
        model->labels, model.get(), surfaceOptions, [&](double f) { return progress(0.8 + 0.2 * f); });
      rebuilt->model = model;
      return nullptr;
    },
    [this, rebuilt, done] {
      m_jobs.hideProgress();
      if (rebuilt->model) { // (failed or cancelled: said already)
        done(*rebuilt);
      }
    });
}

PacsDialog* CaseLoader::openFromPacs(const std::filesystem::path& settingsFile)
{
  if (m_pacsDialog) { // one at a time (two retrieves would compete for the C-MOVE port)
    m_pacsDialog->raise();
    m_pacsDialog->activateWindow();
    return m_pacsDialog;
  }
  auto* dialog = new PacsDialog(settingsFile, m_window);
  dialog->setAttribute(Qt::WA_DeleteOnClose);
  connect(dialog, &PacsDialog::seriesRetrieved, this, [this, dialog](const QString& folder) {
    if (m_jobs.busy()) { // (the window is busy: the series stays in the cache, the dialog says where)
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
