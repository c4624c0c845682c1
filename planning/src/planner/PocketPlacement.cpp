// The generator's pocket: under the skin at its landmark (lower abdominal wall or upper outer
// buttock) or at the user's point, its length along the body, its face under the skin at its depth.
#include "drg/planning/Planner.h"
#include "planner/PlanAnatomyImpl.h"

namespace drg::planning
{

void Planner::placePocket(PocketPlan& pocket) const
{
  const auto& A = *m_anatomy.m_impl;
  pocket.placed = false;
  const GeneratorModel* gen = m_catalog.generator(pocket.generator);
  if (!gen) {
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
      return;
    }
    start = it->position;
  }
  auto skin = A.skinAbove(start);
  if (!skin) {
    return;
  }
  pocket.skinPoint = skin->first;
  pocket.outward = skin->second;
  const auto& st = A.at(A.nearestIndexByHeight(pocket.skinPoint));
  Vector3d length = st.toHead - st.toHead.dot(pocket.outward) * pocket.outward;
  length = length.norm() > 1e-6 ? Vector3d(length.normalized()) : pocket.outward.unitOrthogonal();
  pocket.axes.col(0) = length;
  pocket.axes.col(1) = pocket.outward.cross(length).normalized();
  pocket.axes.col(2) = pocket.outward;
  pocket.centre = pocket.skinPoint - pocket.outward * (pocket.depthMm + 0.5 * pocket.sizeMm.z());
  pocket.placed = true;
}

} // namespace drg::planning
