#include "spine/SpineWork.h"

#include "ParallelFor.h"

#include <Eigen/LU>

#include <algorithm>

namespace drg::imaging::spine
{

float WorkVolume::sample(const Eigen::Vector3d& p) const
{
  Eigen::Vector3d c = grid.continuousIndex(p);
  const double fx = std::floor(c.x()), fy = std::floor(c.y()), fz = std::floor(c.z());
  const int i = static_cast<int>(fx), j = static_cast<int>(fy), k = static_cast<int>(fz);
  if (i < 0 || j < 0 || k < 0 || i + 1 >= grid.nx || j + 1 >= grid.ny || k + 1 >= grid.nz) {
    return nearest(p);
  }
  const double dx = c.x() - fx, dy = c.y() - fy, dz = c.z() - fz;
  const std::size_t sx = 1, sy = static_cast<std::size_t>(grid.nx),
                    sz = sy * static_cast<std::size_t>(grid.ny);
  const float* v = values.data() + grid.index(i, j, k);
  const double c00 = v[0] * (1 - dx) + v[sx] * dx;
  const double c10 = v[sy] * (1 - dx) + v[sy + sx] * dx;
  const double c01 = v[sz] * (1 - dx) + v[sz + sx] * dx;
  const double c11 = v[sz + sy] * (1 - dx) + v[sz + sy + sx] * dx;
  const double c0 = c00 * (1 - dy) + c10 * dy;
  const double c1 = c01 * (1 - dy) + c11 * dy;
  return static_cast<float>(c0 * (1 - dz) + c1 * dz);
}

WorkVolume resampleToWorkGrid(const Image<float>& volume, double h)
{
  const ImageGeometry& g = volume.geometry();
  Eigen::Vector3d lo = Eigen::Vector3d::Constant(1e30), hi = Eigen::Vector3d::Constant(-1e30);
  for (int c = 0; c < 8; ++c) {
    Eigen::Vector3d idx((c & 1) ? g.size[0] - 1.0 : 0.0, (c & 2) ? g.size[1] - 1.0 : 0.0,
                        (c & 4) ? g.size[2] - 1.0 : 0.0);
    Eigen::Vector3d p = g.indexToLps(idx);
    lo = lo.cwiseMin(p);
    hi = hi.cwiseMax(p);
  }
  WorkVolume w;
  w.grid.h = h;
  w.grid.origin = lo;
  w.grid.nx = static_cast<int>(std::floor((hi.x() - lo.x()) / h)) + 1;
  w.grid.ny = static_cast<int>(std::floor((hi.y() - lo.y()) / h)) + 1;
  w.grid.nz = static_cast<int>(std::floor((hi.z() - lo.z()) / h)) + 1;
  w.values.resize(w.grid.count());

  // index of the input = A * (p - origin), p = lo + h * (i, j, k)
  const Eigen::Matrix3d toIndex = g.spacing.cwiseInverse().asDiagonal() * g.direction.inverse();
  const Eigen::Vector3d step = toIndex.col(0) * h;
  const std::size_t nx = g.size[0], ny = g.size[1], nz = g.size[2];
  const float* src = volume.voxels().data();
  const float nan = std::numeric_limits<float>::quiet_NaN();
  parallelFor(static_cast<std::size_t>(w.grid.nz), [&](std::size_t kk) {
    const int k = static_cast<int>(kk);
    for (int j = 0; j < w.grid.ny; ++j) {
      Eigen::Vector3d c = toIndex * (w.grid.lps(0, j, k) - g.origin);
      float* out = w.values.data() + w.grid.index(0, j, k);
      for (int i = 0; i < w.grid.nx; ++i, c += step) {
        // clamp half a voxel beyond the outer centres (their partial volume), NaN further out
        double x = c.x(), y = c.y(), z = c.z();
        if (x < -0.5 || y < -0.5 || z < -0.5 || x > nx - 0.5 || y > ny - 0.5 || z > nz - 0.5) {
          out[i] = nan;
          continue;
        }
        x = std::clamp(x, 0.0, nx - 1.0);
        y = std::clamp(y, 0.0, ny - 1.0);
        z = std::clamp(z, 0.0, nz - 1.0);
        const std::size_t x0 = std::min(static_cast<std::size_t>(x), nx > 1 ? nx - 2 : 0);
        const std::size_t y0 = std::min(static_cast<std::size_t>(y), ny > 1 ? ny - 2 : 0);
        const std::size_t z0 = std::min(static_cast<std::size_t>(z), nz > 1 ? nz - 2 : 0);
        const double dx = nx > 1 ? x - x0 : 0.0, dy = ny > 1 ? y - y0 : 0.0, dz = nz > 1 ? z - z0 : 0.0;
        const std::size_t sx = nx > 1 ? 1 : 0, sy = ny > 1 ? nx : 0, sz = nz > 1 ? nx * ny : 0;
        const float* v = src + x0 + nx * (y0 + ny * z0);
        const double c00 = v[0] * (1 - dx) + v[sx] * dx;
        const double c10 = v[sy] * (1 - dx) + v[sy + sx] * dx;
        const double c01 = v[sz] * (1 - dx) + v[sz + sx] * dx;
        const double c11 = v[sz + sy] * (1 - dx) + v[sz + sy + sx] * dx;
        out[i] =
          static_cast<float>((c00 * (1 - dy) + c10 * dy) * (1 - dz) + (c01 * (1 - dy) + c11 * dy) * dz);
      }
    }
  });
  return w;
}

} // namespace drg::imaging::spine
