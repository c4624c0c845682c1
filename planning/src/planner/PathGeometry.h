#pragma once
// Internal: the geometry of the planning library's paths (needle, route, tunnel), written once:
// pi, degree/radian conversion, path lengths and distances, the tightest bend.

#include <Eigen/Core>

#include <vector>

namespace drg::planning
{

using Eigen::Vector3d;

constexpr double kPi = 3.14159265358979323846;

/// Radians to degrees.
inline double deg(double rad)
{
  return rad * 180.0 / kPi;
}

/// Degrees to radians.
inline double rad(double degrees)
{
  return degrees * kPi / 180.0;
}

/// Length (mm) of a polyline.
double pathLength(const std::vector<Vector3d>& p);

/// Distance (mm) from `p` to the segment from `a` to `b`.
double segmentDistance(const Vector3d& p, const Vector3d& a, const Vector3d& b);

/// Smallest distance (mm) between two polylines (the points of `a` against the segments of `b`).
double polylineDistance(const std::vector<Vector3d>& a, const std::vector<Vector3d>& b);

/// Tightest bend (mm) of a sampled path: the smallest circle through three points `span` mm apart
/// along it (the path is resampled every 0.25 mm first); 1e3 for a straight path.
double tightestBend(const std::vector<Vector3d>& path, double span);

} // namespace drg::planning
