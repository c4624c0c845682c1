#include "PlanExporter.h"

#include "BackgroundJob.h"
#include "PlanSession.h"
#include "Prompts.h"
#include "View3D.h"

#include "drg/imaging/AtomicOutput.h"
#include "drg/imaging/DicomDocumentWriter.h"
#include "drg/imaging/DicomSeriesIndex.h"
#include "drg/imaging/Error.h"
#include "drg/imaging/Pacs.h"
#include "drg/planning/PlanExport.h"

#include <QApplication>
#include <QCryptographicHash>
#include <QDateTime>

#include <fstream>
#include <iterator>

PlanExporter::PlanExporter(const PlanSession& session, BackgroundJob& jobs, const Prompts& prompts,
                           View3D& view3d, QObject* parent)
  : QObject(parent)
  , m_session(session)
  , m_jobs(jobs)
  , m_prompts(prompts)
  , m_view3d(view3d)
{}

std::filesystem::path PlanExporter::pacsSettingsFile() const
{
  return m_pacsSettings.empty() ? drg::imaging::defaultPacsSettingsPath() : m_pacsSettings;
}

std::shared_ptr<drg::report::ReportInput> PlanExporter::reportInput(bool deidentify)
{
  const LoadedCase& c = *m_session.loadedCase();
  auto in = std::make_shared<drg::report::ReportInput>();
  in->plan = m_session.editor()->plan();
  const std::string text = drg::planning::planToJson(in->plan);
  const QString file = m_session.fileHolding(text);
  in->planFile =
    !file.isEmpty() ? file.toStdString() : "(not saved: the SHA-256 is of the plan as it would be saved now)";
  in->planSha256 = QCryptographicHash::hash(QByteArray::fromStdString(text), QCryptographicHash::Sha256)
                     .toHex()
                     .toStdString();
  in->identity = c.identity;
  in->identity.deidentified = deidentify;
  in->identity.pseudonym =
    drg::imaging::reportPseudonym(c.studyUid.empty() ? c.source : c.identity.patientId + "|" + c.studyUid);
  in->softwareVersion = QApplication::applicationVersion().toStdString();
  in->volume = &c.volume;
  in->isCt = c.isCt;
  in->model = c.model.get();
  in->catalog = &m_session.planner()->catalog();
  in->overview3d = m_view3d.grabFrame(); // the 3D view as the planner left it
  if (in->overview3d.isNull()) {
    in->overviewNote = "the 3D view was not shown";
  }
  return in;
}

void PlanExporter::exportReport(const QString& pdf, bool deidentify)
{
  if (!m_session.editor() || m_session.editor()->plan().leads.empty()) {
    emit failed(tr("Nothing to report yet: add a lead first"));
    return;
  }
  auto in = reportInput(deidentify);
  auto pages = std::make_shared<int>(0);
  std::shared_ptr<LoadedCase> keep = m_session.loadedCase(); // (the volume and model stay while it is made)
  m_jobs.start(
    tr("Writing the report"),
    [in, pdf, pages, keep](const BackgroundJob::Progress&) -> std::shared_ptr<LoadedCase> {
      *pages = drg::report::writePlacementReportPdf(*in, pdf.toStdString());
      return nullptr;
    },
    [this, pdf, pages] {
      m_jobs.hideProgress();
      if (*pages > 0) {
        m_prompts.status(tr("Report written: %1 (%2 pages)").arg(pdf).arg(*pages), 8000);
        emit reportWritten(pdf, *pages);
      }
    });
}

void PlanExporter::exportToPacs()
{
  // (copies kept beside the PACS cache, a folder per export)
  std::filesystem::path outgoing = drg::imaging::defaultPacsCacheFolder() / "sent";
  try {
    outgoing = drg::imaging::loadPacsSettings(pacsSettingsFile()).cacheFolder / "sent";
  } catch (const std::exception&) { // (the export says what is wrong with the settings)
  }
  const QString stamp = QDateTime::currentDateTimeUtc().toString("yyyyMMdd-HHmmss");
  exportDicom(QString::fromStdString((outgoing / stamp.toStdString()).string()), false, QString());
}

void PlanExporter::exportDicom(const QString& folder, bool deidentify, const std::optional<QString>& sendTo)
{
  if (!m_session.editor() || m_session.editor()->plan().leads.empty()) {
    emit failed(tr("Nothing to export yet: add a lead first"));
    return;
  }
  std::shared_ptr<LoadedCase> keep = m_session.loadedCase();
  if (keep->seriesUid.empty() || !keep->model) {
    emit failed(tr("The DICOM objects go into the planned study, and this case was not opened from DICOM: "
                   "open the series with File > Open DICOM folder"));
    return;
  }
  auto in = reportInput(deidentify);
  auto files = std::make_shared<QStringList>();
  const std::filesystem::path pacsSettings = pacsSettingsFile();
  m_jobs.start(
    sendTo ? tr("Sending to the PACS") : tr("Writing the DICOM objects"),
    [in, folder, files, keep, sendTo,
     pacsSettings](const BackgroundJob::Progress& progress) -> std::shared_ptr<LoadedCase> {
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
      m_jobs.hideProgress();
      if (!files->isEmpty()) {
        m_prompts.status(
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

void PlanExporter::exportMeshes(const QString& folder)
{
  std::shared_ptr<LoadedCase> keep = m_session.loadedCase();
  if (!keep || !keep->model || !m_session.editor()) {
    emit failed(tr("Nothing to export yet: open a study first"));
    return;
  }
  auto files = std::make_shared<QStringList>();
  const drg::planning::Plan plan = m_session.editor()->plan();
  const drg::planning::DeviceCatalog* catalog = &m_session.planner()->catalog();
  m_jobs.start(
    tr("Writing the surfaces"),
    [keep, plan, catalog, folder, files](const BackgroundJob::Progress&) -> std::shared_ptr<LoadedCase> {
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
      m_jobs.hideProgress();
      if (!files->isEmpty()) {
        m_prompts.status(tr("%1 STL surfaces written to %2 (LPS mm)").arg(files->size()).arg(folder), 8000);
        emit exported(*files);
      }
    });
}

bool PlanExporter::exportInterchange(const QString& path, bool csv)
{
  if (!m_session.editor() || m_session.editor()->plan().leads.empty()) {
    m_prompts.status(tr("Nothing to export yet: add a lead first"), 5000);
    return false;
  }
  try {
    const drg::planning::Plan& plan = m_session.editor()->plan();
    drg::imaging::writeFileAtomically(path.toStdString(), csv ? drg::planning::planToCsv(plan)
                                                              : drg::planning::planToSlicerMarkups(plan));
  } catch (const std::exception& e) {
    m_prompts.warn(tr("Export"), QString::fromStdString(e.what()));
    m_prompts.status(QString::fromStdString(e.what()));
    return false;
  }
  m_prompts.status(tr("Written: %1").arg(path), 5000);
  return true;
}
