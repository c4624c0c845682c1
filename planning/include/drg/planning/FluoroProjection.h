#pragma once
// The projections of the report's reconstructed radiographs (app/report FluoroscopyView) and of the
// plan's needle angles, defined once so that the printed angles and the pictures agree.

#include <Eigen/Core>

namespace drg::planning
{

/// A parallel projection onto an image plane: the image's right and down directions (unit, LPS);
/// the beam runs along right x down. A point's image coordinates are (p . right, p . down).
struct FluoroProjection
{
  Eigen::Vector3d right, down;
};

/// The AP image as the surgeon sees a prone patient from behind: the patient's left on the image's
/// left (image right = patient right, -x), the head up (image down = feet, -z). The patient's axes,
/// not a level's frame: the C-arm is not squared to an endplate.
inline FluoroProjection apProjection()
{
  return { Eigen::Vector3d(-1, 0, 0), Eigen::Vector3d(0, 0, -1) };
}

/// The lateral image from the patient's left: the back on the image's right (+y, posterior), the
/// head up. Its plane is the patient's sagittal plane.
inline FluoroProjection lateralProjection()
{
  return { Eigen::Vector3d(0, 1, 0), Eigen::Vector3d(0, 0, -1) };
}

} // namespace drg::planning
