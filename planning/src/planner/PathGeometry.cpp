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

double tightestBend(const std::vector<Vector3d>& path, double span)
{
  constexpr double step = 0.25;
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
  const auto n = static_cast<std::size_t>(std::max(1L, std::lround(span / step)));
  double best = 1e3;
  for (std::size_t i = 0; i + 2 * n < p.size(); ++i) {
    const Vector3d a = p[i], b = p[i + n], c = p[i + 2 * n];
    const double area2 = (b - a).cross(c - a).norm();
    if (area2 > 1e-9) {
      best = std::min(best, (b - a).norm() * (c - b).norm() * (a - c).norm() / (2.0 * area2));
    }
  }
  return best;
}

std::vector<Vector3d> filletAndSample(const std::vector<Vector3d>& in, double radius, double firstRadius,
                                      double step, double& minRadius)
{
  std::vector<Vector3d> p;
  for (const auto& q : in) {
    if (p.empty() || (q - p.back()).norm() > 0.5) {
      p.push_back(q);
    }
  }
  minRadius = std::numeric_limits<double>::infinity();
  const std::size_t n = p.size();
  if (n < 2) {
    return p;
  }
  // tangent lengths each corner wants, then shared out where two corners compete for a segment
  std::vector<double> phi(n, 0.0), want(n, 0.0);
  for (std::size_t i = 1; i + 1 < n; ++i) {
    const Vector3d u = (p[i] - p[i - 1]).normalized(), v = (p[i + 1] - p[i]).normalized();
    phi[i] = std::acos(std::clamp(u.dot(v), -1.0, 1.0));
    want[i] =
      phi[i] > 1e-4 ? (i == 1 ? firstRadius : radius) * std::tan(0.5 * std::min(phi[i], kPi - 1e-3)) : 0.0;
  }
  std::vector<double> give = want;
  for (std::size_t s = 0; s + 1 < n; ++s) {
    const double len = (p[s + 1] - p[s]).norm();
    const double a = s > 0 ? want[s] : 0.0;             // corner at the segment's start
    const double b = s + 1 < n - 1 ? want[s + 1] : 0.0; // corner at its end
    if (!std::isfinite(a + b)) {
      continue; // (a sheath radius from a broken catalog; the catalog refuses such values)
    }
    if (a + b > len && a + b > 0) {
      const double f = len / (a + b);
      if (s > 0) {
        give[s] = std::min(give[s], a * f);
      }
      if (s + 1 < n - 1) {
        give[s + 1] = std::min(give[s + 1], b * f);
      }
    }
  }
  std::vector<Vector3d> out;
  out.push_back(p[0]);
  auto lineTo = [&](const Vector3d& q) {
    const Vector3d a = out.back();
    const double len = (q - a).norm();
    if (!(len > 1e-9)) {
      return; // no zero-length segments (tangents of the route stay defined)
    }
    const int k = std::max(1, static_cast<int>(std::ceil(std::min(len, 1e4) / step)));
    for (int j = 1; j <= k; ++j) {
      out.push_back(a + (q - a) * (static_cast<double>(j) / k));
    }
  };
  for (std::size_t i = 1; i + 1 < n; ++i) {
    if (want[i] <= 0) {
      lineTo(p[i]);
      continue;
    }
    const Vector3d u = (p[i] - p[i - 1]).normalized(), v = (p[i + 1] - p[i]).normalized();
    const double t = give[i];
    const double r = t / std::tan(0.5 * std::min(phi[i], kPi - 1e-3));
    if (i > 1) {
      minRadius = std::min(minRadius, r);
    }
    const Vector3d a = p[i] - u * t;
    lineTo(a);
    Vector3d nrm = v - v.dot(u) * u;
    if (nrm.norm() < 1e-9) {
      continue;
    }
    nrm.normalize();
    const Vector3d centre = a + r * nrm;
    const int k = std::max(2, static_cast<int>(std::ceil(r * phi[i] / step)));
    for (int j = 1; j <= k; ++j) {
      const double th = phi[i] * j / k;
      out.push_back(centre + r * (-nrm * std::cos(th) + u * std::sin(th)));
    }
  }
  lineTo(p[n - 1]);
  return out;
}

} // namespace drg::planning
