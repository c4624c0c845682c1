#pragma once
// Internal: the VTK geometry the scene, the surfaces and the meshes share (matrices, polylines).

#include "drg/imaging/ImageGeometry.h"

#include <vtkMatrix4x4.h>
#include <vtkPolyData.h>
#include <vtkSmartPointer.h>
#include <vtkTransform.h>

#include <Eigen/Core>

#include <vector>

namespace drg::render
{

/// The 4x4 matrix of x -> linear x + translation.
vtkSmartPointer<vtkMatrix4x4> affine(const Eigen::Matrix3d& linear, const Eigen::Vector3d& translation);

/// From index*spacing space (where VTK's image filters work) to LPS.
vtkSmartPointer<vtkTransform> toLps(const imaging::ImageGeometry& g);

/// A polyline through `points` (LPS mm); repeated points are dropped, since the tube filter cannot
/// orient a zero-length segment.
vtkSmartPointer<vtkPolyData> polyline(const std::vector<Eigen::Vector3d>& points);

} // namespace drg::render
