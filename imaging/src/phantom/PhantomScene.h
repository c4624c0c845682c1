#pragma once
// Internal: the phantom's anatomy as a scene of signed-distance primitives grouped into objects.
// An object is the union of its parts (smooth minimum) with one material and one label; objects are
// composited in priority order, so a higher object (the canal, a root) carves a lower one (bone).

#include <Eigen/Core>
#include <Eigen/Geometry>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace drg::imaging::phantom
{

/// Axis-aligned box in LPS mm.
struct Box
{
  Eigen::Vector3d lo{ 1e30, 1e30, 1e30 };
  Eigen::Vector3d hi{ -1e30, -1e30, -1e30 };
  void extend(const Eigen::Vector3d& p)
  {
    lo = lo.cwiseMin(p);
    hi = hi.cwiseMax(p);
  }
  void extend(const Box& b)
  {
    lo = lo.cwiseMin(b.lo);
    hi = hi.cwiseMax(b.hi);
  }
  bool empty() const { return lo.x() > hi.x(); }
};

enum class Shape : std::uint8_t
{
  Ellipsoid,        // semi-axes size
  Capsule,          // radius size.x, half length size.z along local z
  RoundedBox,       // half extents size, edge radius `round`
  EllipticCylinder, // semi-axes size.x, size.y, half height size.z, edge radius `round`
  Outline           // body outline from the z-profile table (object-specific offset in size.x)
};

/// One primitive placed in LPS by a rigid frame.
struct Part
{
  Shape shape = Shape::Ellipsoid;
  Eigen::Matrix3d toLocal = Eigen::Matrix3d::Identity(); // rows: local axes in LPS
  Eigen::Vector3d centre = Eigen::Vector3d::Zero();
  Eigen::Vector3d size = Eigen::Vector3d::Ones();
  double round = 0.0;
  int object = -1;
  Box box; // LPS bounds of the part's interior
};

/// Tissue with an optional shell (cortex, skin, the bright rim of a ganglion).
struct Material
{
  double core = 0.0;
  double shell = 0.0;
  double shellThickness = 0.0; // mm; 0: homogeneous
  /// When set (not NaN): bowel loops in mesenteric fat, a smooth pattern mixing `core` with this
  /// value by position (deterministic, a few centimetres in scale).
  double texture = std::numeric_limits<double>::quiet_NaN();
};

/// Share (0-1) of the texture value at p: a network of thin septa between rounded loops, from four
/// plane waves in incommensurate oblique directions (irregular, but smooth and deterministic).
inline double textureShare(const Eigen::Vector3d& p)
{
  double t = std::sin(0.151 * p.x() + 0.083 * p.y() + 0.047 * p.z()) +
             std::sin(-0.067 * p.x() + 0.163 * p.y() + 0.071 * p.z() + 1.7) +
             std::sin(0.109 * p.x() - 0.041 * p.y() + 0.137 * p.z() + 4.1) +
             std::sin(-0.121 * p.x() - 0.113 * p.y() + 0.059 * p.z() + 2.3);
  double u = std::clamp((std::abs(t) - 0.25) / 0.4, 0.0, 1.0);
  return 1.0 - u * u * (3.0 - 2.0 * u);
}

struct Object
{
  std::string name;
  int label = 0;
  int priority = 0;
  Material material;
  double blend = 0.0; // smooth-minimum radius between parts (mm)
  std::vector<int> parts;
};

/// Approximate distance to an ellipse with semi-axes (a, b) (first order, exact on the curve).
inline double ellipseDistance(double x, double y, double a, double b)
{
  double k0 = std::sqrt((x * x) / (a * a) + (y * y) / (b * b));
  double k1 = std::sqrt((x * x) / (a * a * a * a) + (y * y) / (b * b * b * b));
  if (k1 < 1e-12) {
    return -std::min(a, b);
  }
  return k0 * (k0 - 1.0) / k1;
}

/// Body outline: an elliptic cross-section (anterior and posterior halves of different depth) whose extents
/// vary with LPS z (table, 1 mm steps).
struct OutlineProfile
{
  double zStart = 0.0;
  double step = 1.0;
  struct Row
  {
    double halfWidth, yAnterior, yPosterior;
  };
  std::vector<Row> rows;

  Row at(double z) const
  {
    if (rows.empty()) {
      return { 0, 0, 0 };
    }
    double t = (z - zStart) / step;
    if (t <= 0) {
      return rows.front();
    }
    auto n = static_cast<double>(rows.size() - 1);
    if (t >= n) {
      return rows.back();
    }
    auto i = static_cast<std::size_t>(t);
    double f = t - static_cast<double>(i);
    const Row& a = rows[i];
    const Row& b = rows[i + 1];
    return { a.halfWidth + f * (b.halfWidth - a.halfWidth), a.yAnterior + f * (b.yAnterior - a.yAnterior),
             a.yPosterior + f * (b.yPosterior - a.yPosterior) };
  }

  /// Approximate signed distance (mm) to the outline shrunk by the insets (mm) on the lateral,
  /// anterior and posterior sides (fat and muscle layers).
  double distance(const Eigen::Vector3d& p, double insetLateral, double insetAnterior,
                  double insetPosterior) const
  {
    Row r = at(p.z());
    double yA = r.yAnterior + insetAnterior;
    double yP = r.yPosterior - insetPosterior;
    double a = r.halfWidth - insetLateral;
    double b = 0.5 * (yP - yA);
    if (a < 1.0 || b < 1.0) {
      return 1e3;
    }
    return ellipseDistance(p.x(), p.y() - 0.5 * (yA + yP), a, b);
  }
};

inline double smoothMin(double a, double b, double k)
{
  if (k <= 0.0) {
    return std::min(a, b);
  }
  double h = std::max(k - std::abs(a - b), 0.0) / k;
  return std::min(a, b) - h * h * k * 0.25;
}

/// Signed distance of a part at an LPS point (negative inside), in mm.
inline double partDistance(const Part& part, const Eigen::Vector3d& p, const OutlineProfile& outline)
{
  if (part.shape == Shape::Outline) {
    return outline.distance(p, part.size.x(), part.size.y(), part.size.z());
  }
  Eigen::Vector3d q = part.toLocal * (p - part.centre);
  switch (part.shape) {
    case Shape::Ellipsoid: {
      const Eigen::Vector3d& r = part.size;
      double k0 = q.cwiseQuotient(r).norm();
      double k1 = q.cwiseQuotient(r.cwiseProduct(r)).norm();
      if (k1 < 1e-12) {
        return -r.minCoeff();
      }
      return k0 * (k0 - 1.0) / k1;
    }
    case Shape::Capsule: {
      double z = std::clamp(q.z(), -part.size.z(), part.size.z());
      Eigen::Vector3d d(q.x(), q.y(), q.z() - z);
      return d.norm() - part.size.x();
    }
    case Shape::RoundedBox: {
      Eigen::Vector3d d = q.cwiseAbs() - part.size + Eigen::Vector3d::Constant(part.round);
      Eigen::Vector3d dp = d.cwiseMax(0.0);
      return dp.norm() + std::min(d.maxCoeff(), 0.0) - part.round;
    }
    case Shape::EllipticCylinder: {
      // rounded edges of radius r: distance to the cylinder shrunk by r, minus r
      double r = part.round;
      double ax = ellipseDistance(q.x(), q.y(), part.size.x() - r, part.size.y() - r);
      double az = std::abs(q.z()) - part.size.z() + r;
      double outside =
        std::sqrt(std::max(ax, 0.0) * std::max(ax, 0.0) + std::max(az, 0.0) * std::max(az, 0.0));
      return outside + std::min(std::max(ax, az), 0.0) - r;
    }
    case Shape::Outline:
      break;
  }
  return 1e30;
}

/// The whole anatomy: parts, objects and the outline profile.
struct Scene
{
  std::vector<Part> parts;
  std::vector<Object> objects;
  OutlineProfile outline;

  /// Signed distance of object `o` at `p` (union of its parts).
  double objectDistance(int o, const Eigen::Vector3d& p) const
  {
    const Object& obj = objects[static_cast<std::size_t>(o)];
    double d = 1e30;
    for (int pi : obj.parts) {
      d = smoothMin(d, partDistance(parts[static_cast<std::size_t>(pi)], p, outline), obj.blend);
    }
    return d;
  }
};

/// Rigid frame: columns are the local x (left), y (posterior), z (superior) axes in LPS.
struct Frame
{
  Eigen::Matrix3d axes = Eigen::Matrix3d::Identity();
  Eigen::Vector3d origin = Eigen::Vector3d::Zero();
  Eigen::Vector3d toWorld(const Eigen::Vector3d& local) const { return origin + axes * local; }
  Eigen::Vector3d dirToWorld(const Eigen::Vector3d& local) const { return axes * local; }
};

} // namespace drg::imaging::phantom
