#include "drg/imaging/OrthogonalSlicer.h"

#include "Trilinear.h"

#include <Eigen/Geometry>

#include <algorithm>
#include <cmath>
#include <limits>

namespace drg::imaging
{

void slicePlaneAxes(SlicePlane plane, Eigen::Vector3d& right, Eigen::Vector3d& down)
{
  switch (plane) {
    case SlicePlane::Axial:
      right = Eigen::Vector3d(1, 0, 0); // towards patient left
      down = Eigen::Vector3d(0, 1, 0);  // towards posterior
      break;
    case SlicePlane::Coronal:
      right = Eigen::Vector3d(1, 0, 0);
      down = Eigen::Vector3d(0, 0, -1); // towards the feet
      break;
    case SlicePlane::Sagittal:
      right = Eigen::Vector3d(0, 1, 0); // towards posterior
      down = Eigen::Vector3d(0, 0, -1);
      break;
  }
}

namespace
{

/// The patient plane closest to an oblique one (by its normal's largest component).
SlicePlane nearestPlane(const PlaneFrame& f)
{
  const Eigen::Vector3d n = f.right.cross(f.down).cwiseAbs();
  return n.z() >= n.x() && n.z() >= n.y() ? SlicePlane::Axial
         : n.y() >= n.x()                 ? SlicePlane::Coronal
                                          : SlicePlane::Sagittal;
}

template<typename T, typename Sample>
Slice sampleSlice(const Image<T>& image, const PlaneFrame& frame, const Eigen::Vector3d& centre,
                  double pixelMm, Sample sample)
{
  const ImageGeometry& g = image.geometry();
  Slice s;
  s.plane = nearestPlane(frame);
  s.pixelMm = pixelMm > 0.0 ? pixelMm : g.spacing.minCoeff();
  s.right = frame.right.normalized();
  s.down = frame.down.normalized();
  // the extent of the volume's corners along the screen axes
  double lo[2] = { 1e30, 1e30 };
  double hi[2] = { -1e30, -1e30 };
  for (int c = 0; c < 8; ++c) {
    Eigen::Vector3d idx((c & 1) ? g.size[0] - 1.0 : 0.0, (c & 2) ? g.size[1] - 1.0 : 0.0,
                        (c & 4) ? g.size[2] - 1.0 : 0.0);
    Eigen::Vector3d p = g.indexToLps(idx) - centre;
    lo[0] = std::min(lo[0], p.dot(s.right));
    hi[0] = std::max(hi[0], p.dot(s.right));
    lo[1] = std::min(lo[1], p.dot(s.down));
    hi[1] = std::max(hi[1], p.dot(s.down));
  }
  const double half[2] = { frame.halfWidthMm, frame.halfHeightMm };
  for (int a = 0; a < 2; ++a) {
    if (half[a] > 0.0) {
      lo[a] = -half[a];
      hi[a] = half[a];
    }
  }
  s.width = std::max(1, static_cast<int>(std::floor((hi[0] - lo[0]) / s.pixelMm)) + 1);
  s.height = std::max(1, static_cast<int>(std::floor((hi[1] - lo[1]) / s.pixelMm)) + 1);
  s.topLeft = centre + s.right * lo[0] + s.down * lo[1];
  s.values.assign(static_cast<std::size_t>(s.width) * static_cast<std::size_t>(s.height),
                  std::numeric_limits<float>::quiet_NaN());
  const Eigen::Matrix3d toIndex = g.spacing.cwiseInverse().asDiagonal() * g.direction.inverse();
  const Eigen::Vector3d stepX = toIndex * (s.right * s.pixelMm);
  const Eigen::Vector3d stepY = toIndex * (s.down * s.pixelMm);
  Eigen::Vector3d row = toIndex * (s.topLeft - g.origin);
  for (int y = 0; y < s.height; ++y, row += stepY) {
    Eigen::Vector3d idx = row;
    for (int x = 0; x < s.width; ++x, idx += stepX) {
      if (g.containsIndex(idx, 0.5)) {
        s.values[static_cast<std::size_t>(x + s.width * y)] = sample(idx);
      }
    }
  }
  return s;
}

PlaneFrame patientPlane(SlicePlane plane)
{
  PlaneFrame f;
  slicePlaneAxes(plane, f.right, f.down);
  return f;
}

} // namespace

template<typename T>
Slice extractSlice(const Image<T>& image, SlicePlane plane, const Eigen::Vector3d& centre, double pixelMm)
{
  Slice s = extractPlane(image, patientPlane(plane), centre, pixelMm);
  s.plane = plane;
  return s;
}

template<typename T>
Slice extractPlane(const Image<T>& image, const PlaneFrame& frame, const Eigen::Vector3d& centre,
                   double pixelMm)
{
  return sampleSlice(image, frame, centre, pixelMm,
                     [&](const Eigen::Vector3d& idx) { return static_cast<float>(trilinear(image, idx)); });
}

template Slice extractSlice(const Image<std::int16_t>&, SlicePlane, const Eigen::Vector3d&, double);
template Slice extractSlice(const Image<float>&, SlicePlane, const Eigen::Vector3d&, double);
template Slice extractPlane(const Image<std::int16_t>&, const PlaneFrame&, const Eigen::Vector3d&, double);
template Slice extractPlane(const Image<float>&, const PlaneFrame&, const Eigen::Vector3d&, double);

Slice extractLabelSlice(const Image<std::uint8_t>& labels, SlicePlane plane, const Eigen::Vector3d& centre,
                        double pixelMm)
{
  Slice s = extractLabelPlane(labels, patientPlane(plane), centre, pixelMm);
  s.plane = plane;
  return s;
}

Slice extractLabelPlane(const Image<std::uint8_t>& labels, const PlaneFrame& frame,
                        const Eigen::Vector3d& centre, double pixelMm)
{
  const ImageGeometry& g = labels.geometry();
  return sampleSlice(labels, frame, centre, pixelMm, [&](const Eigen::Vector3d& idx) {
    auto at = [&](double v, int a) {
      return static_cast<std::size_t>(
        std::clamp(std::lround(v), 0L, static_cast<long>(g.size[static_cast<std::size_t>(a)] - 1)));
    };
    return static_cast<float>(labels.at(at(idx.x(), 0), at(idx.y(), 1), at(idx.z(), 2)));
  });
}

Slice projectCt(const Image<float>& ct, const PlaneFrame& frame, const Eigen::Vector3d& centre,
                double pixelMm, double depthMm, double stepMm)
{
  const ImageGeometry& g = ct.geometry();
  const Eigen::Vector3d normal = frame.right.cross(frame.down).normalized();
  const Eigen::Matrix3d toIndex = g.spacing.cwiseInverse().asDiagonal() * g.direction.inverse();
  const Eigen::Vector3d along = toIndex * (normal * stepMm);
  const int samples = std::max(1, static_cast<int>(std::ceil(2.0 * depthMm / stepMm)));
  // the plane's pixels (NaN outside the volume) give the geometry; the values are replaced
  return sampleSlice(ct, frame, centre, pixelMm, [&](const Eigen::Vector3d& idx) {
    Eigen::Vector3d p = idx - along * (0.5 * samples);
    double soft = 0.0, bone = 0.0;
    for (int k = 0; k < samples; ++k, p += along) {
      if (p.x() < 0 || p.y() < 0 || p.z() < 0 || p.x() > g.size[0] - 1.0 || p.y() > g.size[1] - 1.0 ||
          p.z() > g.size[2] - 1.0) {
        continue;
      }
      const double hu = trilinear(ct, p); // (nearest sampling showed the slices of thick CT as bands)
      soft += std::max(0.0, (hu + 1000.0) / 1000.0);
      bone += std::max(0.0, (hu - 100.0) / 1000.0);
    }
    return static_cast<float>(stepMm * (soft + 4.0 * bone));
  });
}

} // namespace drg::imaging
