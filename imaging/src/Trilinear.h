#pragma once
// Internal: trilinear sampling of an Image (the slicer, the fluoroscopy-like views and the spine
// model's look at the input itself).

#include "drg/imaging/Image.h"

#include <Eigen/Core>

#include <algorithm>
#include <cstddef>

namespace drg::imaging
{

/// Trilinear value of `image` at a continuous voxel index, clamped to the volume.
template<typename T>
double trilinear(const Image<T>& image, const Eigen::Vector3d& idx)
{
  const ImageGeometry& g = image.geometry();
  const double fx = std::clamp(idx.x(), 0.0, g.size[0] - 1.0);
  const double fy = std::clamp(idx.y(), 0.0, g.size[1] - 1.0);
  const double fz = std::clamp(idx.z(), 0.0, g.size[2] - 1.0);
  const auto x0 = static_cast<std::size_t>(fx), y0 = static_cast<std::size_t>(fy),
             z0 = static_cast<std::size_t>(fz);
  const std::size_t x1 = std::min(x0 + 1, g.size[0] - 1);
  const std::size_t y1 = std::min(y0 + 1, g.size[1] - 1);
  const std::size_t z1 = std::min(z0 + 1, g.size[2] - 1);
  const double ax = fx - static_cast<double>(x0), ay = fy - static_cast<double>(y0),
               az = fz - static_cast<double>(z0);
  auto v = [&](std::size_t i, std::size_t j, std::size_t k) {
    return static_cast<double>(image.at(i, j, k));
  };
  const double c00 = v(x0, y0, z0) * (1 - ax) + v(x1, y0, z0) * ax;
  const double c10 = v(x0, y1, z0) * (1 - ax) + v(x1, y1, z0) * ax;
  const double c01 = v(x0, y0, z1) * (1 - ax) + v(x1, y0, z1) * ax;
  const double c11 = v(x0, y1, z1) * (1 - ax) + v(x1, y1, z1) * ax;
  return (c00 * (1 - ay) + c10 * ay) * (1 - az) + (c01 * (1 - ay) + c11 * ay) * az;
}

} // namespace drg::imaging
