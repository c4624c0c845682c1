#pragma once
// Internal: where a ray from inside the body meets the skin, for the pocket and its tunnel, and why
// it did not when it did not.

#include "planner/PlanAnatomyImpl.h"

#include <optional>
#include <string>

namespace drg::planning
{

/// The skin met along a ray, or the reason none was.
struct SurfaceHit
{
  enum class Miss
  {
    None,      ///< `skin` holds the skin point
    ImageEnds, ///< the ray left the image before any skin
    BodyCut    ///< the body runs to the image's edge there: the field of view cuts it
  };
  std::optional<Vector3d> skin;
  Miss miss = Miss::None;
  Vector3d last{ 0, 0, 0 }; ///< the last point of the ray inside the image
  bool lastInBody = false;  ///< the image's value there is tissue, not air (a volume is needed)
};

/// Walks from `from` along `dir` (unit) for at most `limit` mm and returns the first skin point:
/// the skin label at the point or half a voxel beside the ray (the label is a one-voxel shell that a
/// ray crossing it diagonally can slip through between two voxels that touch at a corner), where the
/// image shows air beyond (MR). Skin within two voxels of the image's border is where the image
/// ends, not the skin.
SurfaceHit skinOutward(const PlanAnatomy::Impl& anatomy, const Vector3d& from, const Vector3d& dir,
                       double limit);

/// Why `hit` found no skin, for a finding: e.g. "the field of view ends 31 mm beyond the landmark,
/// inside the body (at L 118, P 155, S 169 mm)". `from` is the ray's start, `what` names it.
std::string describeMiss(const SurfaceHit& hit, const Vector3d& from, const std::string& what);

} // namespace drg::planning
