// drgplan-cli-graphics.so: the CLI's drawing on QtGui and VTK, loaded on demand (see Graphics.h).
#include "../Graphics.h"

#include "drg/imaging/Error.h"
#include "drg/render/SpineScene.h"
#include "drg/report/PlacementReport.h"
#include "drg/report/SliceImages.h"
#include "drg/report/VerificationReport.h"

#include <QCryptographicHash>
#include <QFile>
#include <QGuiApplication>
#include <QTemporaryDir>

#include <cstdlib>

namespace drg::cli
{
namespace
{

using drg::Error;
using drg::ErrorCode;

/// Creates the QGuiApplication that QtGui painting needs (offscreen platform unless one is set).
void ensureGuiApplication()
{
  if (QGuiApplication::instance() != nullptr) {
    return;
  }
  if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) {
    qputenv("QT_QPA_PLATFORM", "offscreen");
  }
  static int argc = 1;
  static char name[] = "drgplan-cli";
  static char* argv[] = { name, nullptr };
  static QGuiApplication app(argc, argv);
}

void phantomPreview(const drg::imaging::PhantomCase& phantom, const std::string& path)
{
  ensureGuiApplication();
  const auto& g = phantom.intensities.geometry();
  Eigen::Vector3d centre =
    g.indexToLps(Eigen::Vector3d(g.size[0] - 1.0, g.size[1] - 1.0, g.size[2] - 1.0) * 0.5);
  std::vector<drg::report::SliceMarker> markers;
  for (const auto& d : phantom.truth.ganglia) {
    markers.push_back({ d.centre,
                        QString::fromStdString(d.level + (d.side == drg::imaging::Side::Left ? "L" : "R")),
                        0.5 * d.lengthMm });
    if (d.level == "L4" && d.side == drg::imaging::Side::Left && d.inFieldOfView) {
      centre = d.centre;
    }
  }
  bool ct = phantom.options.contrast == drg::imaging::PhantomContrast::Ct;
  QImage sheet = drg::report::renderOrthogonalSheet(
    phantom.intensities, nullptr, centre, drg::report::windowPreset(ct ? "bone" : "spine-mr"), markers, 600);
  if (!sheet.save(QString::fromStdString(path))) {
    throw Error(ErrorCode::Io, "cannot write preview " + path);
  }
}

void spineOverview(const drg::imaging::Image<std::uint8_t>& labels, const std::string& png)
{
  drg::render::renderSpineOverview(labels, png, drg::render::OverviewView::PosteriorOblique, 900, 900, false);
}

int placementReport(const ReportRequest& r)
{
  ensureGuiApplication();
  drg::report::ReportInput in;
  in.plan = r.plan;
  in.planFile = r.planFile;
  QFile file(QString::fromStdString(r.planFile));
  if (!file.open(QIODevice::ReadOnly)) {
    throw Error(ErrorCode::Io, "cannot read " + r.planFile);
  }
  in.planSha256 = QCryptographicHash::hash(file.readAll(), QCryptographicHash::Sha256).toHex().toStdString();
  in.identity = { r.patientName, r.patientId,        r.birthDate,       r.sex,
                  r.studyDate,   r.studyDescription, r.accessionNumber, r.seriesDescription,
                  r.modality,    r.deidentify,       r.pseudonym };
  in.planner = r.planner;
  in.reviewer = r.reviewer;
  in.softwareVersion = r.softwareVersion;
  in.volume = r.volume;
  in.isCt = r.isCt;
  in.model = r.model;
  in.catalog = r.catalog;
  // the 3D overview: VTK needs an X display (even offscreen)
  const char* display = std::getenv("DISPLAY");
  if (r.model == nullptr || r.model->labels.voxels().empty()) {
    in.overviewNote = "no spine model";
  } else if (display == nullptr || *display == '\0') {
    in.overviewNote = "no X display to render it (run the command under xvfb-run -a)";
  } else {
    QTemporaryDir dir;
    const std::string png = dir.filePath("overview.png").toStdString();
    drg::render::renderSpineOverview(r.model->labels, png, drg::render::OverviewView::PosteriorOblique, 1000,
                                     900, true, r.model, &r.plan, r.catalog);
    in.overview3d.load(QString::fromStdString(png));
  }
  return drg::report::writePlacementReportPdf(in, r.pdf);
}

std::vector<std::string> meshes(const ReportRequest& r, const std::string& folder)
{
  if (r.model == nullptr || r.model->labels.voxels().empty() || r.catalog == nullptr) {
    throw Error(ErrorCode::NotFound, "no spine model of the images: no surfaces to write");
  }
  drg::render::SurfaceOptions options;
  options.ct = r.isCt ? r.volume : nullptr;
  const auto surfaces = drg::render::buildAnatomySurfaces(r.model->labels, r.model, options);
  std::vector<std::string> files;
  for (const auto& f : drg::render::writeMeshes(*surfaces, r.plan, *r.catalog, folder)) {
    files.push_back(f.string());
  }
  return files;
}

int verificationReport(const VerifyReportRequest& r)
{
  ensureGuiApplication();
  drg::report::VerificationReportInput in;
  in.plan = r.plan;
  in.verification = *r.verification;
  in.rules = r.rules;
  in.planFile = r.planFile;
  in.postopSource = r.postopSource;
  in.postopSeries = r.postopSeries;
  in.migrationMeasured = r.migrationMeasured;
  in.identity.patientName = r.patientName;
  in.identity.patientId = r.patientId;
  in.softwareVersion = r.softwareVersion;
  in.planning = r.planning;
  in.model = r.model;
  return drg::report::writeVerificationReportPdf(in, r.pdf);
}

const GraphicsModule kModule{ kGraphicsModuleVersion, &phantomPreview, &spineOverview,
                              &placementReport,       &meshes,         &verificationReport };

} // namespace
} // namespace drg::cli

extern "C" __attribute__((visibility("default"))) const drg::cli::GraphicsModule* drgplanCliGraphics()
{
  return &drg::cli::kModule;
}
