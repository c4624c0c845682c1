// The generator's pocket: under the skin at its landmark (lower abdominal wall or upper outer
// buttock) or at the user's point, its length along the body, its face under the skin at its depth.
// When it cannot be placed, `problem` says why in the clinician's words.
#include "drg/planning/Planner.h"
#include "planner/BodySurface.h"
#include "planner/PlanAnatomyImpl.h"

#include <cmath>

namespace drg::planning
{
namespace
{

/// The station nearest in the patient's axial plane (height along S): the two sides of the body
/// at one height share it, so mirror-image landmarks give mirror-image pockets (the station nearest
/// along the canal's own axis differs from side to side where the canal is tilted, as in the sacrum).
int stationAtHeight(const PlanAnatomy::Impl& A, double z)
{
  int best = 0;
  double bestD = std::numeric_limits<double>::infinity();
  for (std::size_t i = 0; i < A.line.size(); ++i) {
    const double d = std::abs(A.line[i].centre.z() - z);
    if (d < bestD) {
      bestD = d;
      best = static_cast<int>(i);
    }
  }
  return best;
}

/// "the left buttock", "the lower abdominal wall on the right"
std::string siteWords(const PocketPlan& p)
{
  const std::string side = imaging::sideName(p.side);
  return p.site == PocketSite::Buttock ? "the " + side + " buttock"
                                       : "the lower abdominal wall on the " + side;
}

/// Why the site's landmark is missing: the vertebra it is found beside is not in the image, or the
/// image ends beside it before the body does.
std::string missingLandmark(const PlanAnatomy::Impl& A, const PocketPlan& p)
{
  const std::string level = p.site == PocketSite::Abdomen ? "L5" : "S1";
  const imaging::SpineVertebra* v = A.model.vertebra(level);
  if (!v) {
    return level + " is not in the image (the landmark of " + siteWords(p) + " is sought beside " + level +
           ")";
  }
  // how far the image reaches to that side at the vertebra's height
  const Vector3d out(p.side == Side::Left ? 1.0 : -1.0, 0.0, 0.0);
  double reach = 0;
  while (reach < 600.0 && A.labelAt(v->bodyCentre + (reach + 1.0) * out) >= 0) {
    reach += 1.0;
  }
  return "no skin found over " + siteWords(p) + " inside the image: the field of view ends " +
         std::to_string(std::lround(reach)) + " mm " + imaging::sideName(p.side) + " of " + level +
         "'s body, and no body surface was found beside it";
}

} // namespace

void Planner::placePocket(PocketPlan& pocket) const
{
  const auto& A = *m_anatomy.m_impl;
  pocket.placed = false;
  pocket.problem.clear();
  const GeneratorModel* gen = m_catalog.generator(pocket.generator);
  if (!gen) {
    pocket.problem = "the generator '" + pocket.generator + "' is not in the device catalog";
    return;
  }
  pocket.sizeMm = Vector3d(gen->sizeMm.value[0], gen->sizeMm.value[1], gen->sizeMm.value[2]);
  Vector3d start;
  if (pocket.positionOverride) {
    start = *pocket.positionOverride;
  } else {
    const std::string name =
      std::string(pocket.site == PocketSite::Abdomen ? "lower_abdominal_wall_" : "upper_outer_buttock_") +
      imaging::sideName(pocket.side);
    const auto& lm = A.model.landmarks;
    auto it =
      std::find_if(lm.begin(), lm.end(), [&](const imaging::SpineLandmark& l) { return l.name == name; });
    if (it == lm.end()) {
      pocket.problem = missingLandmark(A, pocket);
      return;
    }
    start = it->position;
  }
  // the skin "above" the point: from the body's axis at its height out through it, in the patient's
  // axial plane (the sacral canal's own frame is tilted far from it), from up to 40 mm inside
  const auto& st = A.at(stationAtHeight(A, start.z()));
  Vector3d outward = start - Vector3d(st.bodyAxis.x(), st.bodyAxis.y(), start.z());
  outward.z() = 0.0;
  if (outward.norm() < 1e-3) {
    pocket.problem = "the point chosen for the pocket lies on the body's axis: no skin above it";
    return;
  }
  const double inside = std::min(40.0, outward.norm());
  outward.normalize();
  const Vector3d from = start - inside * outward;
  const SurfaceHit hit = skinOutward(A, from, outward, 400.0);
  if (!hit.skin) {
    pocket.problem = "no skin found over " + siteWords(pocket) + " inside the image: " +
                     describeMiss(hit, start, pocket.positionOverride ? "the point chosen" : "the landmark");
    return;
  }
  pocket.skinPoint = *hit.skin;
  pocket.outward = outward;
  Vector3d length = st.toHead - st.toHead.dot(pocket.outward) * pocket.outward;
  length = length.norm() > 1e-6 ? Vector3d(length.normalized()) : pocket.outward.unitOrthogonal();
  pocket.axes.col(0) = length;
  pocket.axes.col(1) = pocket.outward.cross(length).normalized();
  pocket.axes.col(2) = pocket.outward;
  pocket.centre = pocket.skinPoint - pocket.outward * (pocket.depthMm + 0.5 * pocket.sizeMm.z());
  pocket.placed = true;
}

} // namespace drg::planning
