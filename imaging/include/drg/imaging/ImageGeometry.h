#pragma once

#include <Eigen/Core>
#include <Eigen/LU>

#include <array>
#include <cstddef>

namespace drg::imaging
{

/// Voxel grid placed in DICOM patient space (LPS, millimetres).
/// A voxel index (i, j, k) maps to `origin + direction * (spacing .* (i, j, k))`; the columns of
/// `direction` are the unit vectors of the i, j and k axes in LPS. This is the only place where index
/// and patient coordinates meet.
struct ImageGeometry
{
  std::array<std::size_t, 3> size{ 0, 0, 0 };              ///< voxels along i, j, k
  Eigen::Vector3d spacing{ 1.0, 1.0, 1.0 };                ///< mm between voxel centres along i, j, k
  Eigen::Vector3d origin{ 0.0, 0.0, 0.0 };                 ///< LPS mm of the centre of voxel (0,0,0)
  Eigen::Matrix3d direction = Eigen::Matrix3d::Identity(); ///< columns: i, j, k axes in LPS

  std::size_t voxelCount() const { return size[0] * size[1] * size[2]; }

  /// LPS position (mm) of a continuous voxel index.
  Eigen::Vector3d indexToLps(const Eigen::Vector3d& index) const
  {
    return origin + direction * spacing.cwiseProduct(index);
  }

  /// Continuous voxel index of an LPS position (mm).
  Eigen::Vector3d lpsToIndex(const Eigen::Vector3d& lps) const
  {
    return (direction.inverse() * (lps - origin)).cwiseQuotient(spacing);
  }

  /// True when the continuous index lies within the voxel centres' span (inclusive), with `margin`
  /// voxels of slack.
  bool containsIndex(const Eigen::Vector3d& index, double margin = 0.0) const
  {
    for (int a = 0; a < 3; ++a) {
      if (index[a] < -margin || index[a] > static_cast<double>(size[a]) - 1.0 + margin) {
        return false;
      }
    }
    return true;
  }

  /// Linear offset of voxel (i, j, k) in an i-fastest buffer.
  std::size_t offset(std::size_t i, std::size_t j, std::size_t k) const
  {
    return i + size[0] * (j + size[1] * k);
  }
};

} // namespace drg::imaging
