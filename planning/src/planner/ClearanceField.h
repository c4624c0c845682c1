#pragma once
// Internal: how far (mm) a point lies from what the sheath and the needle must keep off, round the
// canal: the no-go structures (dural sac, cord, cauda equina) and bone, and from the canal itself
// (the route stays in it until it leaves by the foramen). Signed Euclidean distances, negative
// inside, read with trilinear interpolation: the route's shaping asks them thousands of times.
//
// The maps are made slab by slab along the image's slice axis, each slab the first time a point in
// it is asked (thread-safe), over a box that follows the canal through that slab: a case opens
// without waiting for maps of levels nobody plans, and a lordotic canal does not make one box
// bound the whole curve. Each slab is computed with kExactWithinMm of its neighbours' slices, so
// every distance up to kExactWithinMm is exact (the same whichever slab is made first); larger ones
// are reported as kExactWithinMm, which is all the planner asks of them.

#include "drg/imaging/Image.h"

#include <Eigen/Core>

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

namespace drg::planning
{

class ClearanceField
{
public:
  /// Distance returned outside the maps' boxes (mm): far from everything they hold.
  static constexpr double kFar = 50.0;
  /// Distances are exact up to this (mm); larger ones are reported as this, sign kept.
  static constexpr double kExactWithinMm = 20.0;
  /// A slab is about this thick (mm) along the slice axis.
  static constexpr double kSlabMm = 40.0;

  /// What a voxel (by its offset in the image) is.
  struct Sources
  {
    std::function<bool(std::size_t)> noGo, bone, canal;
  };

  ClearanceField() = default;

  /// Maps over the voxels of `geometry` within `marginMm` of the points of `centreline` (LPS) on
  /// every side, slab by slab: at each slab's slices, round the centreline points there.
  ClearanceField(const imaging::ImageGeometry& geometry, std::vector<Eigen::Vector3d> centreline,
                 double marginMm, Sources sources);

  /// Signed distance (mm) from `p` (LPS) to the no-go structures' surface: negative inside them.
  double noGo(const Eigen::Vector3d& p) const { return at(p)[0]; }
  /// Signed distance (mm) from `p` to bone's surface: negative inside bone.
  double bone(const Eigen::Vector3d& p) const { return at(p)[1]; }
  /// Signed distance (mm) from `p` to the canal's outline: positive outside the canal.
  double canal(const Eigen::Vector3d& p) const { return at(p)[2]; }
  /// The three at once (no-go, bone, canal): the route's shaping asks all three at each point.
  std::array<double, 3> at(const Eigen::Vector3d& p) const;

  bool empty() const { return m_slabs.empty(); }

private:
  /// The maps at the slices [z0, z1] (z1 is the next slab's first slice, so that every cell's
  /// eight corners are in one slab) over the in-slice index box from `lo` of `size`.
  struct Slab
  {
    long z0 = 0, z1 = 0;
    std::array<long, 2> lo{ 0, 0 }, size{ 0, 0 };
    std::once_flag made;
    std::array<std::vector<float>, 3> maps; ///< no-go, bone, canal
  };

  const Slab& made(std::size_t slab) const;
  void make(Slab& slab) const;

  imaging::ImageGeometry m_geometry;
  Eigen::Matrix3d m_toIndex = Eigen::Matrix3d::Identity();
  Sources m_sources;
  long m_slabSlices = 1;
  std::vector<std::unique_ptr<Slab>> m_slabs; ///< along the slice axis; empty where no canal is near
};

} // namespace drg::planning
