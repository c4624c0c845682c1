#pragma once
// Rigid registration of two CTs of one patient around a point of interest (a lead's ganglion): the
// post-operative spine is brought onto the planning spine level by level, since the patient lies
// differently in each scan and the spine bends between them.
//
// Intensity based: the sum of squared differences of CT numbers clamped to the soft-tissue-to-bone
// range, over a box of the planning image; metal (and what it touches) left out on either side.
// First an exhaustive search for the translation (coarse to fine), then Gauss-Newton over rotation
// and translation.

#include "drg/imaging/Image.h"

#include <Eigen/Core>

namespace drg::imaging
{

/// y = rotation * x + translation (LPS mm).
struct RigidTransform
{
  Eigen::Matrix3d rotation = Eigen::Matrix3d::Identity();
  Eigen::Vector3d translation = Eigen::Vector3d::Zero();

  Eigen::Vector3d apply(const Eigen::Vector3d& x) const { return rotation * x + translation; }
  RigidTransform inverse() const
  {
    RigidTransform t;
    t.rotation = rotation.transpose();
    t.translation = -(t.rotation * translation);
    return t;
  }
  double angleDegrees() const; ///< the rotation's angle
};

struct RegistrationOptions
{
  Eigen::Vector3d halfSizeMm{ 30.0, 30.0, 30.0 }; ///< the box about the point, in the planning image
  double searchMm = 60.0;                         ///< translation searched about the start
  double sampleMm = 1.5;                          ///< sample spacing of the fine steps
  double clampLowHu = -200.0, clampHighHu = 1300.0;
  double metalHu = 1800.0; ///< samples whose interpolated value reaches this, on either side, are left out
};

struct RegistrationResult
{
  RigidTransform planningToImage; ///< maps planning-image LPS to the other image's LPS
  double correlation = 0.0;       ///< of the box's clamped CT numbers after registration (1: identical)
  int samples = 0;                ///< used in the last step
  int iterations = 0;
};

/// Registers the box about `point` (planning LPS) of `planning` to `image`, starting from `start`.
RegistrationResult registerRigid(const Image<float>& planning, const Image<float>& image,
                                 const Eigen::Vector3d& point, const RigidTransform& start = {},
                                 const RegistrationOptions& options = {});

} // namespace drg::imaging
