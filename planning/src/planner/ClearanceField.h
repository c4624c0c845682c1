#pragma once
// Internal: how far (mm) a point lies from what the sheath and the needle must keep off, over the
// box round the canal: the no-go structures (dural sac, cord, cauda equina) and bone, and from the
// canal itself (the route stays in it until it leaves by the foramen). Signed
// Euclidean distances, negative inside, read with trilinear interpolation: the route's shaping
// asks them thousands of times, so they are computed once per anatomy.

#include "drg/imaging/Image.h"

#include <Eigen/Core>

#include <array>
#include <cstdint>
#include <functional>
#include <vector>

namespace drg::planning
{

class ClearanceField
{
public:
  /// Distance returned outside the box (mm): far from everything the box holds.
  static constexpr double kFar = 50.0;

  ClearanceField() = default;

  /// Computes both distance maps over the voxels of `labels` in the index box [lo, hi]
  /// (inclusive, clamped to the image). `noGo`, `bone` and `canal` say what a voxel (by its
  /// offset) is.
  ClearanceField(const imaging::ImageGeometry& geometry, std::array<long, 3> lo, std::array<long, 3> hi,
                 const std::function<bool(std::size_t)>& noGo, const std::function<bool(std::size_t)>& bone,
                 const std::function<bool(std::size_t)>& canal);

  /// Signed distance (mm) from `p` (LPS) to the no-go structures' surface: negative inside them.
  double noGo(const Eigen::Vector3d& p) const { return sample(m_noGo, p); }
  /// Signed distance (mm) from `p` to bone's surface: negative inside bone.
  double bone(const Eigen::Vector3d& p) const { return sample(m_bone, p); }

  /// Signed distance (mm) from `p` to the canal's outline: positive outside the canal.
  double canal(const Eigen::Vector3d& p) const { return sample(m_canal, p); }

  bool empty() const { return m_noGo.empty(); }

private:
  double sample(const std::vector<float>& field, const Eigen::Vector3d& p) const;

  Eigen::Vector3d m_origin = Eigen::Vector3d::Zero(); ///< LPS of the box's first voxel
  Eigen::Matrix3d m_toIndex = Eigen::Matrix3d::Identity();
  std::array<long, 3> m_size{ 0, 0, 0 };
  std::vector<float> m_noGo, m_bone, m_canal;
};

} // namespace drg::planning
