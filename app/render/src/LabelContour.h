#pragma once
// Internal: one label of a label map as a surface (its block, the contour, decimated and smoothed).

#include "drg/imaging/AnatomyLabels.h"
#include "drg/imaging/Image.h"

#include <vtkImageData.h>
#include <vtkPolyData.h>
#include <vtkSmartPointer.h>
#include <vtkTransform.h>

#include <Eigen/Core>

#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>

namespace drg::render
{

/// Where one label lies in a label map: its bounding box (voxel indices) and the sum of its voxels'
/// indices (for the centroid).
struct LabelBox
{
  std::array<int, 3> lo{ std::numeric_limits<int>::max(), std::numeric_limits<int>::max(),
                         std::numeric_limits<int>::max() };
  std::array<int, 3> hi{ -1, -1, -1 };
  Eigen::Vector3d sum{ 0, 0, 0 };
  std::size_t count = 0;
};

/// The sub-block `box` (plus one voxel) of `labels` as vtkImageData in index*spacing space.
vtkSmartPointer<vtkImageData> block(const imaging::Image<std::uint8_t>& labels, const LabelBox& box);

/// Contour of `value` in `image` (discrete: of a label; else an iso-surface), decimated by vertex
/// clustering to `detailMm`, smoothed by `smoothing` windowed-sinc iterations, placed in LPS by
/// `transform`.
vtkSmartPointer<vtkPolyData> contour(vtkImageData* image, int value, bool discrete, double detailMm,
                                     vtkTransform* transform, int smoothing);

/// Colours every cell of `poly` `c` (cell scalars "colours").
void paint(vtkPolyData* poly, const imaging::labels::Rgba& c);

} // namespace drg::render
