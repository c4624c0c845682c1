// drgplan-cli-graphics.so: the CLI's drawing on QtGui and VTK, loaded on demand (see Graphics.h).
#include "../Graphics.h"

#include "drg/imaging/Error.h"
#include "drg/render/SpineScene.h"
#include "drg/report/SliceImages.h"

#include <QGuiApplication>

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

const GraphicsModule kModule{ kGraphicsModuleVersion, &phantomPreview, &spineOverview };

} // namespace
} // namespace drg::cli

extern "C" __attribute__((visibility("default"))) const drg::cli::GraphicsModule* drgplanCliGraphics()
{
  return &drg::cli::kModule;
}
