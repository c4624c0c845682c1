#pragma once
// Internal: the foramen's free space, measured along the centreline frame's anterior axis between its
// walls (bone or disc; on T2 the vertebrae and dark tissue).

#include "spine/SpineWork.h"

#include <Eigen/Core>

#include <functional>
#include <utility>

namespace drg::imaging::spine
{

/// Free interval along v (anterior +) around v = `v0` at (n, u): first wall each way, or the limit.
/// With `wallOf`, only samples it accepts can be walls (e.g. the bone of the vertebrae around).
std::pair<double, double> freeIntervalAlongV(const WorkVolume& w, const CentrelinePoint& p, double u,
                                             double v0, double limit,
                                             const std::function<bool(const Eigen::Vector3d&)>& wallOf = {});

} // namespace drg::imaging::spine
