#pragma once
// Internal: the sheath's route as a smooth curve pulled clear of the dura and bone. The curve is a
// clamped cubic B-spline from the needle's tip (leaving it along the needle) to where the straight
// stretch through the contacts begins (arriving along the root); its inner control points are moved
// to lower a cost: the length run closer than a margin to the dural sac, cord and cauda equina or to
// bone, the length bent tighter than the sheath's curve, and a little of the route's length.

#include "planner/ClearanceField.h"

#include <Eigen/Geometry>

#include <vector>

namespace drg::planning
{

using Eigen::Vector3d;

/// What the route must join and keep to.
struct RouteEnds
{
  Vector3d start, startDirection; ///< the needle's tip and its direction (unit)
  Vector3d end, endDirection;     ///< the straight stretch's start and the root's direction (unit)
  double radiusMm = 12.0;         ///< the sheath's curve: no bend tighter
  double noGoMarginMm = 1.25;     ///< kept off the no-go structures
};

/// A route shaped and how well it keeps the rules.
struct ShapedRoute
{
  std::vector<Vector3d> samples; ///< start to end, about every tuning::kRouteStepMm
  double cost = 1e18;
  double noGoClearanceMm = 0; ///< smallest signed distance to the no-go structures along it
  double boneClearanceMm = 0; ///< smallest signed distance to bone along it
  double tightestBendMm = 0;  ///< smallest radius of curvature along it
  double turningDeg = 0;      ///< how far its direction turns in all, needle to stretch (degrees)
};

/// Moves the inner control points `guess` (the route's course from start to end, excluding both)
/// to lower the cost and returns the route.
ShapedRoute optimiseRoute(const ClearanceField& field, const RouteEnds& ends,
                          const std::vector<Vector3d>& guess);

} // namespace drg::planning
