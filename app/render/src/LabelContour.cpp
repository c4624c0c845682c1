// One label of a label map as a surface.
#include "LabelContour.h"

#include <vtkCellData.h>
#include <vtkDiscreteFlyingEdges3D.h>
#include <vtkFlyingEdges3D.h>
#include <vtkNew.h>
#include <vtkQuadricClustering.h>
#include <vtkTransformPolyDataFilter.h>
#include <vtkUnsignedCharArray.h>
#include <vtkWindowedSincPolyDataFilter.h>

#include <algorithm>

namespace drg::render
{

vtkSmartPointer<vtkImageData> block(const imaging::Image<std::uint8_t>& labels, const LabelBox& box)
{
  const auto& g = labels.geometry();
  std::array<int, 3> lo{}, n{};
  for (int a = 0; a < 3; ++a) {
    lo[a] = std::max(0, box.lo[a] - 1);
    n[a] = std::min(static_cast<int>(g.size[a]) - 1, box.hi[a] + 1) - lo[a] + 1;
  }
  auto img = vtkSmartPointer<vtkImageData>::New();
  img->SetDimensions(n[0], n[1], n[2]);
  img->SetSpacing(g.spacing[0], g.spacing[1], g.spacing[2]);
  img->SetOrigin(lo[0] * g.spacing[0], lo[1] * g.spacing[1], lo[2] * g.spacing[2]);
  img->AllocateScalars(VTK_UNSIGNED_CHAR, 1);
  auto* out = static_cast<std::uint8_t*>(img->GetScalarPointer());
  const auto& v = labels.voxels();
  for (int k = 0; k < n[2]; ++k) {
    for (int j = 0; j < n[1]; ++j) {
      const std::size_t from = g.offset(static_cast<std::size_t>(lo[0]), static_cast<std::size_t>(lo[1] + j),
                                        static_cast<std::size_t>(lo[2] + k));
      std::copy_n(v.begin() + static_cast<std::ptrdiff_t>(from), n[0],
                  out + (static_cast<std::size_t>(k) * n[1] + j) * n[0]);
    }
  }
  return img;
}

/// Contour of `value` in `image`, decimated by vertex clustering to `detailMm`, smoothed, in LPS.
vtkSmartPointer<vtkPolyData> contour(vtkImageData* image, int value, bool discrete, double detailMm,
                                     vtkTransform* transform, int smoothing)
{
  vtkSmartPointer<vtkPolyData> surface;
  if (discrete) {
    vtkNew<vtkDiscreteFlyingEdges3D> fe;
    fe->SetInputData(image);
    fe->SetValue(0, value);
    fe->ComputeScalarsOff();
    fe->ComputeNormalsOff();
    fe->ComputeGradientsOff();
    fe->Update();
    surface = fe->GetOutput();
  } else {
    vtkNew<vtkFlyingEdges3D> fe;
    fe->SetInputData(image);
    fe->SetValue(0, value);
    fe->ComputeScalarsOff();
    fe->ComputeNormalsOff();
    fe->Update();
    surface = fe->GetOutput();
  }
  if (surface->GetNumberOfPolys() == 0) {
    return surface;
  }
  double b[6];
  surface->GetBounds(b);
  vtkNew<vtkQuadricClustering> decimate;
  decimate->SetInputData(surface);
  decimate->AutoAdjustNumberOfDivisionsOff();
  decimate->SetDivisionSpacing(detailMm, detailMm, detailMm);
  decimate->SetDivisionOrigin(b[0], b[2], b[4]);
  decimate->CopyCellDataOff();
  vtkNew<vtkWindowedSincPolyDataFilter> smooth;
  smooth->SetInputConnection(decimate->GetOutputPort());
  smooth->SetNumberOfIterations(smoothing);
  smooth->SetPassBand(0.1);
  smooth->NormalizeCoordinatesOn();
  smooth->BoundarySmoothingOff();
  vtkNew<vtkTransformPolyDataFilter> place;
  place->SetInputConnection(smooth->GetOutputPort());
  place->SetTransform(transform);
  place->Update();
  return place->GetOutput();
}

void paint(vtkPolyData* poly, const imaging::labels::Rgba& c)
{
  vtkNew<vtkUnsignedCharArray> colours;
  colours->SetName("colours");
  colours->SetNumberOfComponents(3);
  colours->SetNumberOfTuples(poly->GetNumberOfCells());
  for (vtkIdType i = 0; i < poly->GetNumberOfCells(); ++i) {
    colours->SetTypedTuple(i, std::array<unsigned char, 3>{ c.r, c.g, c.b }.data());
  }
  poly->GetCellData()->SetScalars(colours);
}

} // namespace drg::render
