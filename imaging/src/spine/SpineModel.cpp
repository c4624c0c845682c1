// The spine model from CT (and T2 MR): canal centreline from the bone-enclosed holes of the axial
// slices (T2: the CSF-bright tube), vertebral bodies and discs from a bone profile along it, levels
// from the sacrum (checked with the lowest ribs), vertebrae by geodesic growth from the bodies,
// pedicles, foramina and the DRG estimate from the priors of assets/anatomy/drg_priors.json.
// Everything is measured on an isotropic grid aligned with the patient axes, so any acquisition
// orientation gives the same model. The stages: spine/SpineAnalysis.h.
#include "drg/imaging/SpineModel.h"

#include "spine/SpineAnalysis.h"
#include "spine/SpineMath.h"

#include "drg/imaging/Error.h"

#include <cmath>
#include <cstdio>
#include <sstream>
#include <vector>

namespace drg::imaging
{
using Eigen::Vector3d;

std::string LevelCheck::why() const
{
  std::string out;
  for (const auto& r : reasons) {
    out += (out.empty() ? "" : "; ") + r;
  }
  return out;
}

SpineModality modalityFromIntensities(const Image<float>& volume)
{
  const auto& v = volume.voxels();
  const std::size_t step = std::max<std::size_t>(1, v.size() / 400000);
  std::size_t n = 0, air = 0, fat = 0, cortex = 0, negative = 0;
  for (std::size_t i = 0; i < v.size(); i += step) {
    const float x = v[i];
    if (std::isnan(x)) {
      continue;
    }
    ++n;
    air += x < -500.0f ? 1 : 0;
    fat += x < -50.0f && x > -250.0f ? 1 : 0;
    cortex += x > 400.0f ? 1 : 0;
    negative += x < -1.0f ? 1 : 0;
  }
  const double share = 1.0 / static_cast<double>(std::max<std::size_t>(n, 1));
  // CT numbers: air (below -500) around a body, or, in a crop tight on the spine, fat (about -100:
  // epidural, paraspinal) beside bone far brighter than soft tissue. Magnitude MR has no negative
  // values at all.
  if (air * share >= 0.02 || (fat * share >= 0.005 && cortex * share >= 0.002)) {
    return SpineModality::Ct;
  }
  if (negative * share < 1e-4) {
    return SpineModality::MrT2;
  }
  throw Error(ErrorCode::InvalidArgument,
              "cannot tell from its values whether this volume is CT or MR (negative values, but neither "
              "air nor fat beside bright bone): give the modality (--modality ct or t2)");
}

LevelAnchorPoint parseLevelAnchorPoint(const std::string& text)
{
  const auto fail = [&] {
    return Error(ErrorCode::InvalidArgument,
                 "level anchor '" + text +
                   "' must be X,Y,Z=LEVEL: a point in a vertebral body (LPS mm) and its "
                   "name, e.g. 12.5,-30,88=L3");
  };
  const auto eq = text.find('=');
  if (eq == std::string::npos) {
    throw fail();
  }
  LevelAnchorPoint a;
  a.level = text.substr(eq + 1);
  std::istringstream in(text.substr(0, eq));
  char c1 = 0, c2 = 0;
  if (!(in >> a.point.x() >> c1 >> a.point.y() >> c2 >> a.point.z()) || c1 != ',' || c2 != ',' ||
      !(in >> std::ws).eof() || !std::isfinite(a.point.sum()) || !isLevelName(a.level) ||
      a.level == "sacrum") {
    throw fail();
  }
  return a;
}

std::string levelAnchorPointText(const LevelAnchorPoint& anchor)
{
  char text[96];
  std::snprintf(text, sizeof text, "%.1f,%.1f,%.1f=", anchor.point.x(), anchor.point.y(), anchor.point.z());
  return text + anchor.level;
}

const char* spineModalityName(SpineModality modality) noexcept
{
  switch (modality) {
    case SpineModality::Ct:
      return "CT";
    case SpineModality::MrT2:
      return "MR T2";
    case SpineModality::Auto:
      break;
  }
  return "auto";
}

bool DrgEstimate::contains(const Vector3d& p) const
{
  Vector3d q = ellipsoidAxes.transpose() * (p - centre);
  return q.cwiseQuotient(semiAxesMm).squaredNorm() <= 1.0;
}

const SpineVertebra* SpineModel::vertebra(const std::string& level) const
{
  for (const auto& v : vertebrae) {
    if (v.level == level) {
      return &v;
    }
  }
  return nullptr;
}

const DrgEstimate* SpineModel::ganglion(const std::string& level, Side side) const
{
  for (const auto& d : ganglia) {
    if (d.level == level && d.side == side) {
      return &d;
    }
  }
  return nullptr;
}

SpineModel buildSpineModel(const Image<float>& volume, const SpineModelOptions& options,
                           const ProgressCallback& progress)
{
  const ImageGeometry& g = volume.geometry();
  if (g.voxelCount() == 0 || g.size[0] < 16 || g.size[1] < 16 || g.size[2] < 16) {
    throw Error(ErrorCode::InvalidArgument,
                "the volume is too small for a spine model (at least 16 voxels along "
                "each axis are needed)");
  }
  if (g.spacing.minCoeff() < 0.2 || g.spacing.maxCoeff() > 5.0) {
    throw Error(ErrorCode::InvalidArgument, "voxel spacing " + spine::mm1(g.spacing.minCoeff()) + "-" +
                                              spine::mm1(g.spacing.maxCoeff()) +
                                              " mm is outside what the spine model handles (0.2-5 mm)");
  }
  SpineModality modality = options.modality;
  if (modality == SpineModality::Auto) {
    modality = modalityFromIntensities(volume);
  }
  spine::SpineAnalysis analysis(volume, options, progress, modality == SpineModality::MrT2);
  return analysis.run();
}

} // namespace drg::imaging
