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

/// Radius (mm) of the circle through three points (1e9 when they are in line).
double circleRadius(const Vector3d& a, const Vector3d& b, const Vector3d& c);

/// `path` resampled every `step` mm along its length from its first point (its last point is kept
/// only when it falls on a step).
std::vector<Vector3d> resampled(const std::vector<Vector3d>& path, double step);

/// Tightest bend (mm) of a sampled path: the smallest circle through three points `span` mm apart
/// along it (the path is resampled every 0.25 mm first); 1e3 for a straight path.
double tightestBend(const std::vector<Vector3d>& path, double span);

} // namespace drg::planning
