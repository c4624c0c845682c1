#pragma once
// Internal: where an LPS box falls on a voxel grid (its eight corners in continuous indices).

#include "drg/imaging/ImageGeometry.h"

#include <Eigen/Core>

namespace drg::imaging
{

/// The smallest and largest continuous index per axis of the corners of the LPS box [lo, hi].
inline void indexBox(const ImageGeometry& g, const Eigen::Vector3d& lo, const Eigen::Vector3d& hi,
                     Eigen::Vector3d& indexLo, Eigen::Vector3d& indexHi)
{
  indexLo = Eigen::Vector3d::Constant(1e30);
  indexHi = Eigen::Vector3d::Constant(-1e30);
  for (int c = 0; c < 8; ++c) {
    const Eigen::Vector3d corner((c & 1) ? hi.x() : lo.x(), (c & 2) ? hi.y() : lo.y(),
                                 (c & 4) ? hi.z() : lo.z());
    const Eigen::Vector3d idx = g.lpsToIndex(corner);
    indexLo = indexLo.cwiseMin(idx);
    indexHi = indexHi.cwiseMax(idx);
  }
}

} // namespace drg::imaging
