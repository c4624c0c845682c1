#pragma once
// Internal: what AnatomySurfaces holds (VTK surfaces in LPS mm), shared by the scene and the meshes.

#include "drg/render/SpineScene.h"

#include <vtkPolyData.h>
#include <vtkSmartPointer.h>

#include <Eigen/Core>

#include <array>
#include <string>
#include <utility>
#include <vector>

namespace drg::render
{

/// The surfaces of a case, in LPS millimetres, and where the bone lies (to place the camera).
struct AnatomySurfaces::Data
{
  vtkSmartPointer<vtkPolyData> bone;    ///< every bony structure, cell colours ("colours")
  vtkSmartPointer<vtkPolyData> ganglia; ///< ganglion labels, when the label map has them
  vtkSmartPointer<vtkPolyData> skin;
  struct Name
  {
    std::string text;
    Eigen::Vector3d position;
    std::array<unsigned char, 3> colour;
  };
  std::vector<Name> names; ///< vertebra names, placed beside each vertebra
  /// each structure's own surface (for meshes): "L4", "sacrum", "rib 21", "ilium left" ...
  std::vector<std::pair<std::string, vtkSmartPointer<vtkPolyData>>> parts;
  Eigen::Vector3d centre{ 0, 0, 0 };
  double extentMm = 100;
  Eigen::Vector3d lo{ -50, -50, -50 }, hi{ 50, 50, 50 }; ///< the bone's bounding box (LPS)
};

} // namespace drg::render
