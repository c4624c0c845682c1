#pragma once
// Internal: the spinal canal's contents split into the dural sac and the epidural fat around it
// (the stage after the label map is painted; the planner keeps needles and routes out of the sac).

#include "drg/imaging/Image.h"

#include <Eigen/Core>

#include <cstdint>
#include <vector>

namespace drg::imaging::spine
{

/// What the split found, in voxels of the input grid.
struct CanalContents
{
  std::size_t fatVoxels = 0;
  std::size_t sacVoxels = 0;
};

/// Relabels the canal (labels::kSpinalCanal) of `labels` as labels::kEpiduralFat or
/// labels::kThecalSac. CT: the sac (CSF, cord and roots: about 0-40 HU) from fat (about -100 HU) by
/// the mean CT number of each voxel's canal neighbours; voxels touching bone (partial volume) take
/// the majority of their inner neighbours; soft tissue reached from the `centreline` (LPS mm) only
/// through fat is the canal's wall (a window's ligamentum flavum) and leaves the canal. T2 MR: the canal
/// found there is the CSF and what it encloses, the sac itself; it is relabelled whole.
CanalContents splitCanalContents(const Image<float>& input, Image<std::uint8_t>& labels,
                                 const std::vector<Eigen::Vector3d>& centreline, bool mr);

} // namespace drg::imaging::spine
