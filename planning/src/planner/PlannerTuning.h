#pragma once
// Internal: the planner's own constants (the ones that are not rules of the device catalog or of
// assets/planning/rules.json), named with their units and why they hold.

namespace drg::planning::tuning
{

/// No adult's dorsal epidural space lies nearer the skin than this (mm): a "skin" found nearer
/// along a needle path is not the body's surface.
constexpr double kMinNeedleDepthMm = 25.0;

/// CT numbers from this up (HU) count as bone: the spine model's bone threshold, so that the
/// partial-volume edges of the laminae count too.
constexpr double kBoneHu = 150.0;

} // namespace drg::planning::tuning
