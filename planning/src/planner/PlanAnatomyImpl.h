#pragma once
// Internal: the anatomy queries the planner's steps ask of the spine model and the volume (bone,
// skin and canal at a point or along a ray), and the canal's frame along its centreline.

#include "drg/imaging/AnatomyLabels.h"
#include "drg/planning/PlanAnatomy.h"
#include "planner/ClearanceField.h"
#include "planner/PlannerTuning.h"

#include <Eigen/Geometry>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <optional>
#include <utility>
#include <vector>

namespace drg::planning
{

/// The spine model's label map and the volume (on the same grid) asked point by point (LPS mm),
/// and the canal as stations along its centreline, head to foot.
struct PlanAnatomy::Impl
{
  const imaging::SpineModel& model;
  const imaging::Image<float>* volume = nullptr;
  bool ct = false;
  float airBelow = tuning::kCtAirBelowHu; ///< image values below this are air
  std::array<bool, 256> boneLabel{};
  /// The canal at one centreline point: its frame and its half widths.
  struct Station
  {
    Vector3d centre, toHead, posterior, left;
    double rPost = 7, rAnt = 7, rLeft = 9, rRight = 9; ///< canal half widths (mm)
    Vector3d bodyAxis;                                 ///< middle of the body at this height
  };
  /// The inverse of the label map's direction: every point asked is turned into an index by it.
  Eigen::Matrix3d fromLps = Eigen::Matrix3d::Identity();
  std::vector<Station> line; ///< head to foot
  int conusIndex = -1;       ///< the cord runs above this index (-1: no cord in view)
  /// Distances to the no-go structures and to bone round the canal (tuning::kClearanceBoxMarginMm
  /// beyond its centreline on every side).
  ClearanceField clearance;
  /// How far (mm) needle and route keep off the dural sac as the label map shows it: its edge is
  /// uncertain by about a voxel, so the mean voxel size, and never under tuning::kDuraMarginMm.
  double duraMarginMm = tuning::kDuraMarginMm;
  /// Each vertebra's spinous process tip (by its index in the model; none for the sacrum or where
  /// not found): landmarks for the skin entries, found once.
  std::vector<std::optional<Vector3d>> spinousTips;

  Impl(const imaging::SpineModel& m, const imaging::Image<float>* v);

  // ---- the label map and the volume at a point (the planner's inner loops: kept inline) --------

  /// Continuous voxel index of `p` (as ImageGeometry::lpsToIndex, its direction's inverse kept).
  Vector3d indexOf(const Vector3d& p) const
  {
    const auto& g = model.labels.geometry();
    return (fromLps * (p - g.origin)).cwiseQuotient(g.spacing);
  }

  /// Offset of the voxel nearest to `p` (labels and volume share one grid: checked when the
  /// anatomy is built), or nullopt outside the image.
  std::optional<std::size_t> offsetOf(const Vector3d& p) const
  {
    const auto& g = model.labels.geometry();
    const Vector3d idx = indexOf(p);
    if (!idx.allFinite() || idx.cwiseAbs().maxCoeff() > 1e7) {
      return std::nullopt;
    }
    const long i = static_cast<long>(std::floor(idx.x() + 0.5)),
               j = static_cast<long>(std::floor(idx.y() + 0.5)),
               k = static_cast<long>(std::floor(idx.z() + 0.5));
    if (i < 0 || j < 0 || k < 0 || i >= static_cast<long>(g.size[0]) || j >= static_cast<long>(g.size[1]) ||
        k >= static_cast<long>(g.size[2])) {
      return std::nullopt;
    }
    return g.offset(static_cast<std::size_t>(i), static_cast<std::size_t>(j), static_cast<std::size_t>(k));
  }

  /// The label at `p`, or -1 outside the image.
  int labelAt(const Vector3d& p) const
  {
    const auto at = offsetOf(p);
    return at ? model.labels.voxels()[*at] : -1;
  }

  /// The image value at `p`, or NaN outside the image or without a volume.
  float valueAt(const Vector3d& p) const
  {
    const auto at = volume ? offsetOf(p) : std::nullopt;
    return at ? volume->voxels()[*at] : std::numeric_limits<float>::quiet_NaN();
  }

  /// True when `p` is bone: a labelled vertebra, or on CT tuning::kBoneHu and more.
  bool isBone(const Vector3d& p) const
  {
    const auto at = offsetOf(p);
    return at && (boneLabel[model.labels.voxels()[*at]] || (ct && volume->voxels()[*at] >= tuning::kBoneHu));
  }

  // ---- along a ray -------------------------------------------------------------------------------

  /// True for the canal's labels: the canal itself, the epidural fat, the dural sac, the cord and
  /// the cauda equina.
  static bool inCanal(int label)
  {
    return label == imaging::labels::kSpinalCanal || label == imaging::labels::kEpiduralFat ||
           label == imaging::labels::kThecalSac || label == imaging::labels::kCord ||
           label == imaging::labels::kCaudaEquina;
  }

  /// True for what no needle, sheath or lead may cross: the dural sac, the cord, the cauda equina.
  static bool isNoGoLabel(int label)
  {
    return label == imaging::labels::kThecalSac || label == imaging::labels::kCord ||
           label == imaging::labels::kCaudaEquina;
  }

  /// True when `p` lies in the dural sac, the cord or the cauda equina of the label map.
  bool isNoGo(const Vector3d& p) const { return isNoGoLabel(labelAt(p)); }

  /// Walks from `p` along `dir` while the label map shows the canal (at most `limit` mm).
  double canalRun(const Vector3d& p, const Vector3d& dir, double limit) const;

  /// True when the skin at `q` is the body's surface (MR: dark for 6 mm further out along `dir`;
  /// an MR outline can mark skin inside the body, e.g. where the image was cropped).
  bool airBeyond(const Vector3d& q, const Vector3d& dir) const;

  /// First skin voxel from `p` along `dir` (within `limit` mm); nullopt when the image ends first.
  std::optional<Vector3d> skinAlong(const Vector3d& p, const Vector3d& dir, double limit) const;

  /// The skin point "above" `q` and the outward direction: from the body's axis at that height out
  /// through `q`, in the patient's axial plane.
  std::optional<std::pair<Vector3d, Vector3d>> skinAbove(const Vector3d& q) const;

  // ---- the canal's stations ----------------------------------------------------------------------

  /// Depth behind the canal's centre of the dorsal epidural space at `lat` mm to the left: the
  /// canal's outline taken as an ellipse, tuning::kDorsalSpaceInsetMm inside its wall.
  static double dorsalDepth(const Station& st, double lat)
  {
    const double r = lat > 0 ? st.rLeft : st.rRight;
    const double f = std::sqrt(std::max(0.0, 1.0 - (lat / r) * (lat / r)));
    return std::max(st.rPost * f - tuning::kDorsalSpaceInsetMm, 0.5 * st.rPost * f);
  }

  /// Index of the station whose centre is nearest to `p`.
  int nearestIndex(const Vector3d& p) const
  {
    int best = 0;
    double bestD = std::numeric_limits<double>::infinity();
    for (std::size_t i = 0; i < line.size(); ++i) {
      const double d = (line[i].centre - p).squaredNorm();
      if (d < bestD) {
        bestD = d;
        best = static_cast<int>(i);
      }
    }
    return best;
  }

  /// Index of the station at the height of `q` (nearest along the canal).
  int nearestIndexByHeight(const Vector3d& q) const;

  /// The station `i`, clamped to the centreline's ends.
  const Station& at(int i) const
  {
    return line[static_cast<std::size_t>(std::clamp(i, 0, static_cast<int>(line.size()) - 1))];
  }

  /// Distance (mm) from `p` to the surface of a cord of `radius` mm along the centreline above the
  /// conus (1e9 when no cord is in view).
  double cordDistance(const Vector3d& p, double radius) const;

private:
  void buildStations();
  void findConus();
  void buildClearance();
};

} // namespace drg::planning
