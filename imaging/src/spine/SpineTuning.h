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
/// Bone once inside a pedicle (HU): osteoporotic marrow (about 80 HU) is still above muscle
/// (about 40-60 HU).
inline constexpr double kPedicleInsideHu = 70.0;
/// Faint bone absorbed by a neighbouring vertebra after the growth (HU): above disc, muscle and
/// blurred edges, below healthy cancellous bone.
inline constexpr float kFaintBoneHu = 120.0f;
/// The body's outline on CT (HU): air and lung below, every tissue above.
inline constexpr double kBodyHu = -400.0;
/// A vertebra's surface voxel is peeled (HU) when below 85 % of its inner median, kept within these
/// bounds: soft tissue in partial volume lies under the lower one, and above the upper one dense
/// bone would lose its cortex.
inline constexpr double kPeelLowHu = 100.0, kPeelHighHu = 200.0;
/// Half-maximum peel on fine grids: a surface voxel this far (HU) above the tissue outside it is bone.
inline constexpr double kPeelAboveOutsideHu = 400.0;

// ---- T2 MR. Signal is measured as a share of the CSF signal (T2-weighted fast spin echo without
// fat suppression: CSF brightest, fat and the nucleus pulposus bright, marrow intermediate, muscle
// and cortex dark), then mapped onto the bone scale above so that the same stages serve CT and T2.

/// A CSF blob: at least this share of the CSF signal.
inline constexpr double kT2CsfShare = 0.7;
/// Marrow: between these shares of the CSF signal (brighter is fluid or fat, darker soft tissue).
inline constexpr double kT2MarrowLow = 0.28, kT2MarrowHigh = 0.62;
/// The bone-scale values T2 is mapped onto: marrow reads as bone, fluid and fat as fluid, the rest
/// as soft tissue.
inline constexpr float kMappedMarrow = 400.0f, kMappedFluid = -50.0f, kMappedSoftTissue = 20.0f;
/// On the mapped scale, above this is marrow.
inline constexpr float kMappedMarrowAbove = 100.0f;
/// The foramen's walls on T2, on the same scale: the vertebrae's bone, dark tissue (cortex,
/// annulus, ligament: mapped soft tissue), and the rest, free.
inline constexpr float kT2WallBone = 400.0f, kT2WallDark = 150.0f, kT2WallFree = -50.0f;
/// On the walls' scale, above this is a vertebra's bone.
inline constexpr float kT2WallBoneAbove = 300.0f;
/// The ganglion's T2 signal: between these shares of the CSF signal.
inline constexpr float kT2GanglionLow = 0.38f, kT2GanglionHigh = 0.58f;
/// T2: a piece of the ganglion's signal taken for it lies at most half the ganglion's width and this
/// much (mm) medial of its place by the priors.
inline constexpr double kT2GanglionMedialSlackMm = 2.0;
/// T2: S1's body wall measured in front of the ganglion lies this much (mm) behind the wall at the
/// canal's midline before a root there is taken to have joined the body's label.
inline constexpr double kT2RootBeforeS1GanglionMm = 1.5;
/// Fat round the ganglion: between these shares (brighter is CSF, a root's sleeve).
inline constexpr float kT2FatLow = 0.56f, kT2FatHigh = 0.85f;

} // namespace drg::imaging::spine
