#pragma once
// The CT number above which the spine model counts a voxel as bone, shared with the planner so that
// a needle or route "through bone" means the same bone the model labelled.

namespace drg::imaging
{

/// Cortex and normal cancellous bone (HU). Cortical bone is several hundred to over 1000 HU and
/// healthy cancellous bone about 90-230 HU (L1, by age: Jang et al., Radiology 2019), so the
/// shell is thresholded here and the marrow it encloses is filled in afterwards; partial-volume
/// edges of cortex count.
inline constexpr double kBoneHu = 150.0;

} // namespace drg::imaging
