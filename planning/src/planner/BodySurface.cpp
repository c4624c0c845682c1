// The skin along a ray from inside the body, robust to the thin skin label, and why none was met.
#include "planner/BodySurface.h"

#include "drg/imaging/AnatomyLabels.h"

#include <cmath>
#include <cstdio>

namespace drg::planning
{

SurfaceHit skinOutward(const PlanAnatomy::Impl& anatomy, const Vector3d& from, const Vector3d& dir,
                       double limit)
{
  const auto& A = anatomy;
  const auto& g = A.model.labels.geometry();
  SurfaceHit hit;
  hit.last = from;
  // two directions across the ray, half the coarsest voxel long
  const double half = 0.5 * g.spacing.maxCoeff();
  const Vector3d u = dir.unitOrthogonal() * half;
  const Vector3d v = dir.cross(dir.unitOrthogonal()).normalized() * half;
  const std::array<Vector3d, 5> beside{ Vector3d::Zero(), u, -u, v, -v };
  for (double t = 0; t <= limit; t += 0.5) {
    const Vector3d q = from + t * dir;
    if (A.labelAt(q) < 0) {
      hit.miss = SurfaceHit::Miss::ImageEnds;
      const float value = A.valueAt(hit.last);
      hit.lastInBody = std::isfinite(value) && value >= A.airBelow;
      return hit;
    }
    hit.last = q;
    bool skin = false;
    for (const Vector3d& b : beside) {
      skin = skin || A.labelAt(q + b) == imaging::labels::kSkin;
    }
    if (!skin) {
      continue;
    }
    if (!g.containsIndex(A.indexOf(q), -2.0)) {
      hit.miss = SurfaceHit::Miss::BodyCut;
      return hit;
    }
    if (A.airBeyond(q, dir)) {
      hit.skin = q;
      return hit;
    }
  }
  hit.miss = SurfaceHit::Miss::ImageEnds;
  return hit;
}

std::string describeMiss(const SurfaceHit& hit, const Vector3d& from, const std::string& what)
{
  char at[96];
  std::snprintf(at, sizeof at, "%s %.0f, %s %.0f, %s %.0f mm", hit.last.x() >= 0 ? "L" : "R",
                std::abs(hit.last.x()), hit.last.y() >= 0 ? "P" : "A", std::abs(hit.last.y()),
                hit.last.z() >= 0 ? "S" : "I", std::abs(hit.last.z()));
  const long beyond = std::lround((hit.last - from).norm());
  switch (hit.miss) {
    case SurfaceHit::Miss::BodyCut:
      return "the body runs to the image's edge " + std::to_string(beyond) + " mm beyond " + what +
             ": the field of view cuts it there (at " + at + ")";
    case SurfaceHit::Miss::ImageEnds:
      return "the field of view ends " + std::to_string(beyond) + " mm beyond " + what +
             (hit.lastInBody ? ", inside the body" : "") + " (at " + at + ")";
    case SurfaceHit::Miss::None:
      break;
  }
  return {};
}

} // namespace drg::planning
