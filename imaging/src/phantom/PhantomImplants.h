#pragma once
// Internal: the post-operative phantom's implants (PhantomImplants.cpp): DRG leads and the pulse
// generator, drawn into a rasterised case with their partial volume.

#include "drg/imaging/Image.h"
#include "drg/imaging/SpinePhantom.h"

#include <Eigen/Core>

#include <cstdint>

namespace drg::imaging::phantom
{

/// A rigid motion p -> rotation * p + translation.
struct RigidMotion
{
  Eigen::Matrix3d rotation = Eigen::Matrix3d::Identity();
  Eigen::Vector3d translation = Eigen::Vector3d::Zero();
  Eigen::Vector3d apply(const Eigen::Vector3d& p) const { return rotation * p + translation; }
};

/// How vertebra `level` moved from its planned pose (implants.plannedPoses) to its pose in `truth`;
/// identity when either is not known.
RigidMotion vertebraMotion(const PhantomImplants& implants, const PhantomTruth& truth,
                           const std::string& level);

/// Draws the implants into `values` and `labels` (each voxel takes the share of it an implant covers,
/// sampled finely across the voxel, so that thin contacts keep their partial volume on thick
/// slices) and records each lead's contacts in `truth.implantedLeads`. Stored values stay in [lo, hi].
void drawImplants(const PhantomImplants& implants, PhantomContrast contrast, PhantomTruth& truth,
                  Image<std::int16_t>& values, Image<std::uint8_t>& labels, double lo, double hi);

} // namespace drg::imaging::phantom
