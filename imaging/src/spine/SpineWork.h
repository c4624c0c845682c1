#pragma once
// Internal: the spine model's working volume (an isotropic grid aligned with the patient axes) and
// the centreline frame the analysis measures in.

#include "drg/imaging/Image.h"

#include <Eigen/Core>

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

namespace drg::imaging::spine
{

/// Isotropic grid with axes along L, P, S (voxel (i,j,k) at origin + h * (i,j,k)).
struct WorkGrid
{
  int nx = 0, ny = 0, nz = 0;
  double h = 1.0;
  Eigen::Vector3d origin{ 0, 0, 0 };

  std::size_t count() const { return static_cast<std::size_t>(nx) * ny * nz; }
  std::size_t index(int i, int j, int k) const
  {
    return static_cast<std::size_t>(i) +
           static_cast<std::size_t>(nx) * (j + static_cast<std::size_t>(ny) * k);
  }
  bool inside(int i, int j, int k) const { return i >= 0 && j >= 0 && k >= 0 && i < nx && j < ny && k < nz; }
  Eigen::Vector3d lps(double i, double j, double k) const { return origin + h * Eigen::Vector3d(i, j, k); }
  Eigen::Vector3d continuousIndex(const Eigen::Vector3d& p) const { return (p - origin) / h; }
};

/// The resampled intensities (NaN outside the input) on a WorkGrid.
struct WorkVolume
{
  WorkGrid grid;
  std::vector<float> values;

  float at(int i, int j, int k) const
  {
    return grid.inside(i, j, k) ? values[grid.index(i, j, k)] : std::numeric_limits<float>::quiet_NaN();
  }
  /// Trilinear value at an LPS point (NaN outside).
  float sample(const Eigen::Vector3d& p) const;
  /// Nearest voxel value at an LPS point (NaN outside).
  float nearest(const Eigen::Vector3d& p) const
  {
    Eigen::Vector3d c = grid.continuousIndex(p);
    return at(static_cast<int>(std::lround(c.x())), static_cast<int>(std::lround(c.y())),
              static_cast<int>(std::lround(c.z())));
  }
};

/// Resamples `volume` onto an LPS-aligned grid of spacing `h` covering it (trilinear).
WorkVolume resampleToWorkGrid(const Image<float>& volume, double h);

/// A point of the canal centreline with its local frame: `tangent` towards the head, `anterior`
/// and `left` perpendicular to it (left = tangent x anterior).
struct CentrelinePoint
{
  Eigen::Vector3d centre{ 0, 0, 0 };
  Eigen::Vector3d tangent{ 0, 0, 1 };
  Eigen::Vector3d anterior{ 0, -1, 0 };
  Eigen::Vector3d left{ 1, 0, 0 };

  /// LPS point at (u left, v anterior, w along the tangent) from the centre.
  Eigen::Vector3d at(double u, double v, double w = 0.0) const
  {
    return centre + u * left + v * anterior + w * tangent;
  }
};

} // namespace drg::imaging::spine
