// The VTK geometry the scene, the surfaces and the meshes share.
#include "VtkGeometry.h"

#include <vtkCellArray.h>
#include <vtkNew.h>
#include <vtkPoints.h>

namespace drg::render
{

vtkSmartPointer<vtkMatrix4x4> affine(const Eigen::Matrix3d& linear, const Eigen::Vector3d& translation)
{
  auto m = vtkSmartPointer<vtkMatrix4x4>::New();
  for (int r = 0; r < 3; ++r) {
    for (int c = 0; c < 3; ++c) {
      m->SetElement(r, c, linear(r, c));
    }
    m->SetElement(r, 3, translation[r]);
  }
  return m;
}

vtkSmartPointer<vtkTransform> toLps(const imaging::ImageGeometry& g)
{
  auto t = vtkSmartPointer<vtkTransform>::New();
  t->SetMatrix(affine(g.direction, g.origin));
  return t;
}

vtkSmartPointer<vtkPolyData> polyline(const std::vector<Eigen::Vector3d>& points)
{
  auto poly = vtkSmartPointer<vtkPolyData>::New();
  vtkNew<vtkPoints> pts;
  vtkNew<vtkCellArray> lines;
  std::vector<vtkIdType> ids;
  for (std::size_t i = 0; i < points.size(); ++i) {
    // drop repeated points: the tube filter cannot orient a zero-length segment
    if (i > 0 && (points[i] - points[i - 1]).norm() < 1e-6) {
      continue;
    }
    ids.push_back(pts->InsertNextPoint(points[i].data()));
  }
  if (ids.size() >= 2) {
    lines->InsertNextCell(static_cast<vtkIdType>(ids.size()), ids.data());
  }
  poly->SetPoints(pts);
  poly->SetLines(lines);
  return poly;
}

} // namespace drg::render
