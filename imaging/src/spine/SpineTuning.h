#pragma once
// Internal: the spine model's intensity thresholds, on CT's Hounsfield scale (T2 MR is first mapped
// onto a bone-like scale, see CanalOnT2.cpp, so the same thresholds serve both). Each says what it
// separates and why it sits where it does.

#include "drg/imaging/BoneThreshold.h"

namespace drg::imaging::spine
{

/// Cortex and normal cancellous bone (HU): drg/imaging/BoneThreshold.h, shared with the planner.
using drg::imaging::kBoneHu;
/// Bone or disc around the foramen's free space (HU): fat (-100), nerve and the ganglion (30-60)
/// lie below it.
inline constexpr double kWallHu = 75.0;
/// Osteoporotic laminae in partial volume (HU), used only to find the canal, never for the bone.
inline constexpr double kFaintRingHu = 100.0;
/// One sample this bright (HU) is bone even when the bone is thinner than two samples.
inline constexpr double kThinBoneHu = 200.0;
/// Highest mean of a canal hole (HU): CSF, cord and epidural fat are below, cancellous bone above.
inline constexpr double kCanalMaxMeanHu = 60.0;
/// Enclosed by cortex and above this (HU): marrow, fatty marrow included.
inline constexpr double kFattyMarrowHu = -30.0;

} // namespace drg::imaging::spine
