// A needle's angles as read on the report's fluoroscopy-like images: projected with the images' own
// projections (drg/planning/FluoroProjection.h), measured against the skin line and the lamina line
// on the lateral image and against the cranio-caudal axis on the AP image.
#include "planner/FluoroAngles.h"

#include "drg/imaging/AnatomyLabels.h"
#include "drg/planning/FluoroProjection.h"
#include "planner/PathGeometry.h"

#include <Eigen/Eigenvalues>

#include <limits>
#include <optional>

namespace drg::planning
{
namespace
{

using Eigen::Vector2d;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

/// The skin points that make the skin line lie this far above and below the entry (mm): far enough
/// that a voxel's step in the outline tilts the line by little (1 mm in 20 mm: about 3 degrees at
/// worst), near enough that the line is the skin's at the entry, not the back's curve.
constexpr double kSkinChordHalfMm = 10.0;
/// Half the stretch searched for a skin point, across the skin (mm): skin sloping up to 50 degrees
/// from the image's cranio-caudal axis is found.
constexpr double kSkinSearchHalfMm = 12.0;
/// Half the stretch searched for the second skin point around where the first one predicts it (mm).
constexpr double kSkinPredictedHalfMm = 4.0;
/// The lamina line's stretch either side of the needle's tip when the model lacks the entry level (mm).
constexpr double kLaminaFallbackHalfMm = 12.0;

Vector2d projected(const Vector3d& v, const FluoroProjection& p)
{
  return { v.dot(p.right), v.dot(p.down) };
}

/// The acute angle (degrees, 0-90) between two lines of an image given by their directions; NaN
/// when either is too short to have one.
double acuteAngleDeg(const Vector2d& a, const Vector2d& b)
{
  if (a.norm() < 1e-6 || b.norm() < 1e-6) {
    return kNaN;
  }
  const double cross = a.x() * b.y() - a.y() * b.x();
  return deg(std::atan2(std::abs(cross), std::abs(a.dot(b))));
}

/// The skin's outline in the lateral plane through `skinEntry`, `along` mm along the image's down
/// axis: the first skin voxel met going `outward` from `offset - half` to `offset + half` mm across.
std::optional<Vector3d> skinPointAt(const PlanAnatomy::Impl& anatomy, const FluoroProjection& lateral,
                                    const Vector3d& skinEntry, const Vector3d& outward, double along,
                                    double offset, double half)
{
  const Vector3d start = skinEntry + along * lateral.down + (offset - half) * outward;
  return anatomy.skinAlong(start, outward, 2.0 * half);
}

/// The skin line's direction on the lateral image at the skin entry (nullopt: not measurable).
std::optional<Vector2d> skinLine(const PlanAnatomy::Impl& anatomy, const FluoroProjection& lateral,
                                 const Vector3d& skinEntry, const Vector3d& needle)
{
  // across the skin, towards the outside: the way the needle came from
  const double side = -needle.dot(lateral.right);
  const Vector3d outward = side >= 0 ? lateral.right : Vector3d(-lateral.right);
  const auto above =
    skinPointAt(anatomy, lateral, skinEntry, outward, -kSkinChordHalfMm, 0.0, kSkinSearchHalfMm);
  if (!above) {
    return std::nullopt;
  }
  // the point below first where a straight skin would put it (fewer lookups), then anywhere near
  const double aboveOffset = (*above - skinEntry).dot(outward);
  auto below =
    skinPointAt(anatomy, lateral, skinEntry, outward, kSkinChordHalfMm, -aboveOffset, kSkinPredictedHalfMm);
  if (!below) {
    below = skinPointAt(anatomy, lateral, skinEntry, outward, kSkinChordHalfMm, 0.0, kSkinSearchHalfMm);
  }
  if (!below) {
    return std::nullopt;
  }
  return projected(*above - *below, lateral);
}

/// The lamina line's direction on the lateral image: a line fitted to the canal's dorsal wall where
/// the laminae close it (the label map's canal, walked along the image's antero-posterior axis from
/// the centreline at a few heights; the map has no canal where no bony ring encloses it, at the discs
/// and the windows) over the entry level: its upper endplate down to the window below it.
Vector2d laminaLine(const PlanAnatomy::Impl& anatomy, const FluoroProjection& lateral,
                    const Vector3d& epiduralEntry, const std::string& entryLevel)
{
  const auto& A = anatomy;
  int first = -1, last = -1;
  const imaging::SpineVertebra* v = A.model.vertebra(entryLevel);
  for (const auto& d : A.model.discs) {
    if (v && d.upperLevel == entryLevel) {
      first = A.nearestIndexByHeight(v->superiorEndplate);
      last = A.nearestIndexByHeight(d.centre);
    }
  }
  if (first < 0 || std::abs(last - first) < 3) {
    const int tip = A.nearestIndex(epiduralEntry);
    first = tip;
    last = tip;
    while (first > 0 && (A.at(first).centre - A.at(tip).centre).norm() < kLaminaFallbackHalfMm) {
      --first;
    }
    while (last + 1 < static_cast<int>(A.line.size()) &&
           (A.at(last).centre - A.at(tip).centre).norm() < kLaminaFallbackHalfMm) {
      ++last;
    }
  }
  if (first > last) {
    std::swap(first, last);
  }
  // the canal's dorsal wall at every station of the stretch (its dorsal half width, steadied along
  // the canal as the planner's dorsal epidural space is), a line fitted through it
  std::vector<Vector2d> wall;
  Vector2d mean = Vector2d::Zero();
  for (int i = first; i <= last; ++i) {
    const auto& st = A.at(i);
    wall.push_back(projected(st.centre + st.rPost * st.posterior, lateral));
    mean += wall.back();
  }
  mean /= static_cast<double>(wall.size());
  Eigen::Matrix2d cov = Eigen::Matrix2d::Zero();
  for (const Vector2d& w : wall) {
    cov += (w - mean) * (w - mean).transpose();
  }
  if (wall.size() < 2 || cov.trace() < 1e-6) {
    return projected(A.at(first).toHead, lateral); // a single station: the canal's own direction
  }
  const Eigen::SelfAdjointEigenSolver<Eigen::Matrix2d> eig(cov);
  return eig.eigenvectors().col(1); // (eigenvalues ascending: the larger spread is the line)
}

} // namespace

NeedleAngles fluoroscopicAngles(const PlanAnatomy::Impl& anatomy, const Vector3d& skinEntry,
                                const Vector3d& epiduralEntry, const std::string& entryLevel)
{
  const FluoroProjection lateral = lateralProjection(), ap = apProjection();
  const Vector3d needle = epiduralEntry - skinEntry;
  NeedleAngles a;
  const Vector2d onLateral = projected(needle, lateral);
  const std::optional<Vector2d> skin = skinLine(anatomy, lateral, skinEntry, needle);
  a.skinLineFound = skin.has_value();
  a.toSkinDeg = skin ? acuteAngleDeg(onLateral, *skin) : kNaN;
  a.toLaminaLineDeg = acuteAngleDeg(onLateral, laminaLine(anatomy, lateral, epiduralEntry, entryLevel));
  a.apMedioLateralDeg = acuteAngleDeg(projected(needle, ap), Vector2d(0, 1));
  return a;
}

} // namespace drg::planning
