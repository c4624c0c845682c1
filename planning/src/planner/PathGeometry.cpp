// The geometry of the planning library's paths: lengths, distances and the sheath's rounded corners.
#include "planner/PathGeometry.h"

#include <Eigen/Geometry>

#include <algorithm>
#include <cmath>
#include <limits>

namespace drg::planning
{

double pathLength(const std::vector<Vector3d>& p)
{
  double s = 0;
  for (std::size_t i = 1; i < p.size(); ++i) {
    s += (p[i] - p[i - 1]).norm();
  }
  return s;
}

double segmentDistance(const Vector3d& p, const Vector3d& a, const Vector3d& b)
{
  const Vector3d ab = b - a;
  const double l2 = ab.squaredNorm();
  const double t = l2 > 0 ? std::clamp((p - a).dot(ab) / l2, 0.0, 1.0) : 0.0;
  return (a + t * ab - p).norm();
}

double polylineDistance(const std::vector<Vector3d>& a, const std::vector<Vector3d>& b)
{
  double best = std::numeric_limits<double>::infinity();
  for (const auto& p : a) {
    for (std::size_t j = 1; j < b.size(); ++j) {
      best = std::min(best, segmentDistance(p, b[j - 1], b[j]));
    }
  }
  return best;
}

double circleRadius(const Vector3d& a, const Vector3d& b, const Vector3d& c)
{
  const double area2 = (b - a).cross(c - a).norm(); // twice the triangle's area
  return area2 > 1e-12 ? (b - a).norm() * (c - b).norm() * (a - c).norm() / (2.0 * area2) : 1e9;
}

std::vector<Vector3d> resampled(const std::vector<Vector3d>& path, double step)
{
  std::vector<Vector3d> p;
  if (!path.empty()) {
    p.push_back(path.front());
  }
  double carry = 0;
  for (std::size_t i = 1; i < path.size(); ++i) {
    const Vector3d d = path[i] - path[i - 1];
    const double len = d.norm();
    double s = step - carry;
    for (; s <= len; s += step) {
      p.push_back(path[i - 1] + d * (s / len));
    }
    carry = len - (s - step);
  }
  return p;
}

double tightestBend(const std::vector<Vector3d>& path, double span)
{
  constexpr double step = 0.25;
  const std::vector<Vector3d> p = resampled(path, step);
  const auto n = static_cast<std::size_t>(std::max(1L, std::lround(span / step)));
  double best = 1e3;
  for (std::size_t i = 0; i + 2 * n < p.size(); ++i) {
    best = std::min(best, circleRadius(p[i], p[i + n], p[i + 2 * n]));
  }
  return best;
}

} // namespace drg::planning
