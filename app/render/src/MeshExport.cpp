// The anatomy's structures and the planned leads as STL meshes.
#include "drg/render/SpineScene.h"

#include "AnatomySurfacesData.h"
#include "VtkGeometry.h"

#include "drg/imaging/AtomicOutput.h"

#include <vtkCellArray.h>
#include <vtkIdList.h>
#include <vtkNew.h>
#include <vtkTriangleFilter.h>
#include <vtkTubeFilter.h>

#include <Eigen/Geometry>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <string>

namespace drg::render
{

namespace
{

/// Binary STL of a surface's triangles (strips and polygons split), LPS mm.
std::string stlBytes(vtkPolyData* poly, const std::string& name)
{
  vtkNew<vtkTriangleFilter> triangles;
  triangles->SetInputData(poly);
  triangles->PassLinesOff();
  triangles->PassVertsOff();
  triangles->Update();
  vtkPolyData* t = triangles->GetOutput();
  std::string out(80, ' ');
  out.replace(0, std::min<std::size_t>(79, name.size()), name.substr(0, 79));
  auto put32 = [&](std::uint32_t v) { out.append(reinterpret_cast<const char*>(&v), 4); };
  auto putF = [&](float v) { out.append(reinterpret_cast<const char*>(&v), 4); };
  const vtkIdType n = t->GetNumberOfPolys();
  put32(static_cast<std::uint32_t>(n));
  vtkCellArray* polys = t->GetPolys();
  vtkNew<vtkIdList> ids;
  polys->InitTraversal();
  while (polys->GetNextCell(ids)) {
    if (ids->GetNumberOfIds() != 3) {
      continue;
    }
    Eigen::Vector3d p[3];
    for (int k = 0; k < 3; ++k) {
      t->GetPoint(ids->GetId(k), p[k].data());
    }
    Eigen::Vector3d normal = (p[1] - p[0]).cross(p[2] - p[0]);
    normal = normal.norm() > 0 ? normal.normalized() : Eigen::Vector3d::Zero();
    for (int a = 0; a < 3; ++a) {
      putF(static_cast<float>(normal[a]));
    }
    for (const auto& v : p) {
      for (int a = 0; a < 3; ++a) {
        putF(static_cast<float>(v[a]));
      }
    }
    out.append(2, '\0');
  }
  return out;
}

std::string fileName(const std::string& name)
{
  std::string out;
  for (char c : name) {
    out += std::isalnum(static_cast<unsigned char>(c)) ? static_cast<char>(std::tolower(c)) : '-';
  }
  return out;
}

} // namespace

std::vector<std::filesystem::path> writeMeshes(const AnatomySurfaces& surfaces, const planning::Plan& plan,
                                               const planning::DeviceCatalog& catalog,
                                               const std::filesystem::path& folder)
{
  std::filesystem::create_directories(folder);
  std::vector<std::filesystem::path> written;
  auto write = [&](vtkPolyData* poly, const std::string& name) {
    if (poly == nullptr || poly->GetNumberOfPolys() + poly->GetNumberOfStrips() == 0) {
      return;
    }
    const std::filesystem::path file = folder / (fileName(name) + ".stl");
    imaging::writeFileAtomically(file, stlBytes(poly, "drgplan " + name + " (LPS mm)"));
    written.push_back(file);
  };
  for (const auto& [name, poly] : surfaces.data->parts) {
    write(poly, name);
  }
  write(surfaces.data->skin, "skin");
  for (std::size_t i = 0; i < plan.leads.size(); ++i) {
    const auto& l = plan.leads[i];
    if (!l.planned) {
      continue;
    }
    const auto* lead = catalog.lead(l.leadModel);
    std::vector<Eigen::Vector3d> path{ l.anchor, l.epiduralEntry };
    path.insert(path.end(), l.route.begin(), l.route.end());
    vtkNew<vtkTubeFilter> tubeFilter;
    tubeFilter->SetInputData(polyline(path));
    tubeFilter->SetRadius(0.5 * (lead ? lead->diameterMm.value : 1.0));
    tubeFilter->SetNumberOfSides(12);
    tubeFilter->CappingOn();
    tubeFilter->Update();
    write(tubeFilter->GetOutput(), "lead " + std::to_string(i + 1) + " " + l.name);
  }
  return written;
}

} // namespace drg::render
