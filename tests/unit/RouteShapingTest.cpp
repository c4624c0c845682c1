// The route's shaping on synthetic fields: the signed distance maps measure what they should (on
// an anisotropic grid too), and the optimiser keeps the sheath's curve, goes round a no-go ball and
// keeps the needle's and the contacts' directions at its ends.
#include "planner/ClearanceField.h"
#include "planner/RouteOptimiser.h"

#include <gtest/gtest.h>

#include <cmath>

using drg::imaging::ImageGeometry;
using drg::planning::ClearanceField;
using drg::planning::optimiseRoute;
using drg::planning::RouteEnds;
using Eigen::Vector3d;

namespace
{

ImageGeometry grid(std::size_t nx, std::size_t ny, std::size_t nz, const Vector3d& spacing,
                   const Vector3d& origin)
{
  ImageGeometry g;
  g.size = { nx, ny, nz };
  g.spacing = spacing;
  g.origin = origin;
  return g;
}

/// A field over `g` whose no-go set is a ball (centre, radius mm), with no bone and the whole box
/// canal.
ClearanceField ballField(const ImageGeometry& g, const Vector3d& centre, double radius)
{
  // the "canal" runs along z through the middle of the grid; the maps reach far past its edges
  std::vector<Vector3d> centreline;
  for (std::size_t k = 0; k < g.size[2]; ++k) {
    centreline.push_back(g.indexToLps(Vector3d(0.5 * static_cast<double>(g.size[0] - 1),
                                               0.5 * static_cast<double>(g.size[1] - 1), static_cast<double>(k))));
  }
  ClearanceField::Sources sources;
  sources.noGo = [g, centre, radius](std::size_t at) {
    const std::size_t i = at % g.size[0], j = (at / g.size[0]) % g.size[1], k = at / (g.size[0] * g.size[1]);
    return (g.indexToLps(Vector3d(static_cast<double>(i), static_cast<double>(j), static_cast<double>(k))) - centre)
             .norm() <= radius;
  };
  sources.bone = [](std::size_t) { return false; };
  sources.canal = [](std::size_t) { return true; };
  return ClearanceField(g, std::move(centreline), 100.0, std::move(sources));
}

/// Ends for a route from the origin to `end`, leaving and arriving along +z, within an 8 mm curve
/// and 1.25 mm off the no-go set.
RouteEnds alongZ(const Vector3d& end)
{
  RouteEnds ends;
  ends.start = Vector3d::Zero();
  ends.startDirection = Vector3d(0, 0, 1);
  ends.end = end;
  ends.endDirection = Vector3d(0, 0, 1);
  ends.radiusMm = 8.0;
  ends.noGoMarginMm = 1.25;
  return ends;
}

/// Smallest radius of circles through samples `span` apart (indices) along a polyline.
double tightest(const std::vector<Vector3d>& p, std::size_t span)
{
  double r = 1e9;
  for (std::size_t i = span; i + span < p.size(); ++i) {
    const Vector3d a = p[i - span], b = p[i], c = p[i + span];
    const double area2 = (b - a).cross(c - a).norm();
    if (area2 > 1e-9) {
      r = std::min(r, (b - a).norm() * (c - b).norm() * (c - a).norm() / (2.0 * area2));
    }
  }
  return r;
}

} // namespace

TEST(ClearanceField, SignedDistanceToABall)
{
  const ImageGeometry g = grid(61, 61, 61, Vector3d(0.5, 0.5, 0.5), Vector3d(-15, -15, -15));
  const ClearanceField f = ballField(g, Vector3d::Zero(), 5.0);
  // outside: the distance to the ball's surface, within a voxel
  EXPECT_NEAR(f.noGo(Vector3d(10, 0, 0)), 5.0, 0.5);
  EXPECT_NEAR(f.noGo(Vector3d(0, 7, 7)), std::hypot(7.0, 7.0) - 5.0, 0.5);
  // inside: negative
  EXPECT_NEAR(f.noGo(Vector3d(0, 0, 2)), -3.0, 0.5);
  EXPECT_LT(f.noGo(Vector3d::Zero()), -4.0);
  // nothing else is in the box: bone at least as far as distances are measured, the canal
  // everywhere (inside it)
  EXPECT_GE(f.bone(Vector3d(1, 1, 1)), ClearanceField::kExactWithinMm - 1e-6);
  EXPECT_LT(f.canal(Vector3d(1, 1, 1)), 0.0);
  // outside the box: far
  EXPECT_GE(f.noGo(Vector3d(40, 0, 0)), ClearanceField::kFar - 1e-9);
}

TEST(ClearanceField, MeasuresInMillimetresOnThickSlices)
{
  // 3 mm slices, 0.5 mm pixels: a distance along the slices is in millimetres, not in voxels
  const ImageGeometry g = grid(61, 61, 21, Vector3d(0.5, 0.5, 3.0), Vector3d(-15, -15, -30));
  const ClearanceField f = ballField(g, Vector3d::Zero(), 6.0);
  EXPECT_NEAR(f.noGo(Vector3d(0, 0, 18)), 12.0, 1.6);
  EXPECT_NEAR(f.noGo(Vector3d(12, 0, 0)), 6.0, 0.5);
}

TEST(ClearanceField, SlabsMadeInAnyOrderAgreeAcrossTheirBorders)
{
  // 161 slices of 1 mm: several slabs; a ball just below a slab's border, asked from the next slab
  const ImageGeometry g = grid(31, 31, 161, Vector3d(1, 1, 1), Vector3d(-15, -15, 0));
  const Vector3d centre(0, 0, ClearanceField::kSlabMm - 5.0); // the ball ends 2 mm short of it
  const ClearanceField first = ballField(g, centre, 3.0), second = ballField(g, centre, 3.0);
  const Vector3d above = centre + Vector3d(0, 0, 14.0), across = centre + Vector3d(0, 0, 5.5);
  // the next slab first in one field, the ball's own slab first in the other
  const double a1 = first.noGo(above), a2 = first.noGo(across);
  const double b2 = second.noGo(across), b1 = second.noGo(above);
  EXPECT_NEAR(a1, 11.0, 0.6) << "a distance into the next slab is measured through the border";
  EXPECT_DOUBLE_EQ(a1, b1);
  EXPECT_DOUBLE_EQ(a2, b2);
  EXPECT_NEAR(a2, 2.5, 0.6);
  // beyond kExactWithinMm the distance is reported as that
  EXPECT_DOUBLE_EQ(first.noGo(centre + Vector3d(0, 0, 3.0 + ClearanceField::kExactWithinMm + 5.0)),
                   ClearanceField::kExactWithinMm);
}

TEST(RouteOptimiser, KeepsTheSheathsCurveAndTheEndsDirections)
{
  // nothing in the way: an S from the needle's tip to the contacts' stretch, 10 mm across over 40 mm
  const ImageGeometry g = grid(41, 41, 61, Vector3d(1, 1, 1), Vector3d(-20, -20, -10));
  const ClearanceField f = ballField(g, Vector3d(100, 100, 100), 1.0);
  const RouteEnds ends = alongZ(Vector3d(10, 0, 40));
  std::vector<Vector3d> guess;
  for (int i = 1; i <= 5; ++i) {
    guess.push_back(Vector3d(2.0 * i, 0, 6.5 * i)); // a straight diagonal: corners at both ends
  }
  const auto r = optimiseRoute(f, ends, guess);
  ASSERT_GE(r.samples.size(), 10u);
  EXPECT_TRUE(r.samples.front().isApprox(ends.start, 1e-9));
  EXPECT_LT((r.samples.back() - ends.end).norm(), 1e-6);
  EXPECT_GE(r.tightestBendMm, ends.radiusMm - 0.5);
  // the route, the needle's last millimetres and the stretch's first, as one path
  std::vector<Vector3d> path{ ends.start - 2.0 * ends.startDirection,
                              ends.start - 1.0 * ends.startDirection };
  path.insert(path.end(), r.samples.begin(), r.samples.end());
  path.push_back(ends.end + 1.0 * ends.endDirection);
  path.push_back(ends.end + 2.0 * ends.endDirection);
  EXPECT_GE(tightest(path, 4), ends.radiusMm - 1.0);
  EXPECT_LT(r.turningDeg, 90.0);
}

TEST(RouteOptimiser, GoesRoundANoGoBall)
{
  // a ball of 4 mm radius astride the straight way from the tip to the stretch
  const ImageGeometry g = grid(61, 61, 81, Vector3d(0.5, 0.5, 0.5), Vector3d(-15, -15, -5));
  const ClearanceField f = ballField(g, Vector3d(0, 0, 18), 4.0);
  const RouteEnds ends = alongZ(Vector3d(0, 0, 34));
  std::vector<Vector3d> guess;
  for (int i = 1; i <= 5; ++i) {
    guess.push_back(Vector3d(i == 3 ? 1.0 : 0.5, 0, 34.0 * i / 6.0)); // through the ball, a little aside
  }
  const auto r = optimiseRoute(f, ends, guess);
  double closest = 1e9;
  for (const Vector3d& q : r.samples) {
    closest = std::min(closest, (q - Vector3d(0, 0, 18)).norm() - 4.0);
  }
  EXPECT_GE(closest, 1.0) << "the route comes within " << closest << " mm of the ball";
  EXPECT_GE(r.noGoClearanceMm, 1.0);
}
