#include "drg/render/SpineOverviewRenderer.h"

#include "drg/imaging/Error.h"

#include <vtkActor.h>
#include <vtkCamera.h>
#include <vtkDiscreteFlyingEdges3D.h>
#include <vtkImageData.h>
#include <vtkLookupTable.h>
#include <vtkMatrix4x4.h>
#include <vtkNew.h>
#include <vtkPNGWriter.h>
#include <vtkPointData.h>
#include <vtkPolyDataMapper.h>
#include <vtkPolyDataNormals.h>
#include <vtkProperty.h>
#include <vtkRenderWindow.h>
#include <vtkRenderer.h>
#include <vtkTransform.h>
#include <vtkTransformPolyDataFilter.h>
#include <vtkUnsignedCharArray.h>
#include <vtkWindowToImageFilter.h>
#include <vtkWindowedSincPolyDataFilter.h>

#include <algorithm>
#include <cstdlib>
#include <vector>

namespace drg::render
{
namespace
{

/// Label map as vtkImageData in index*spacing space (VTK filters ignore direction matrices).
vtkSmartPointer<vtkImageData> toVtk(const imaging::Image<std::uint8_t>& labels)
{
  const auto& g = labels.geometry();
  auto img = vtkSmartPointer<vtkImageData>::New();
  img->SetDimensions(static_cast<int>(g.size[0]), static_cast<int>(g.size[1]), static_cast<int>(g.size[2]));
  img->SetSpacing(g.spacing[0], g.spacing[1], g.spacing[2]);
  img->SetOrigin(0, 0, 0);
  vtkNew<vtkUnsignedCharArray> scalars;
  scalars->SetNumberOfComponents(1);
  scalars->SetArray(const_cast<std::uint8_t*>(labels.voxels().data()),
                    static_cast<vtkIdType>(labels.voxels().size()), 1);
  img->GetPointData()->SetScalars(scalars);
  return img;
}

/// Transform from index*spacing space to LPS.
vtkSmartPointer<vtkTransform> toLps(const imaging::ImageGeometry& g)
{
  vtkNew<vtkMatrix4x4> m;
  for (int r = 0; r < 3; ++r) {
    for (int c = 0; c < 3; ++c) {
      m->SetElement(r, c, g.direction(r, c));
    }
    m->SetElement(r, 3, g.origin[r]);
  }
  auto t = vtkSmartPointer<vtkTransform>::New();
  t->SetMatrix(m);
  return t;
}

vtkSmartPointer<vtkActor> surface(vtkImageData* image, vtkTransform* transform,
                                  const std::vector<int>& values, double r, double g, double b,
                                  double opacity, int smoothing)
{
  vtkNew<vtkDiscreteFlyingEdges3D> contour;
  contour->SetInputData(image);
  for (std::size_t i = 0; i < values.size(); ++i) {
    contour->SetValue(static_cast<int>(i), values[i]);
  }
  contour->ComputeScalarsOff();
  vtkNew<vtkWindowedSincPolyDataFilter> smooth;
  smooth->SetInputConnection(contour->GetOutputPort());
  smooth->SetNumberOfIterations(smoothing);
  smooth->SetPassBand(0.08);
  smooth->NormalizeCoordinatesOn();
  vtkNew<vtkTransformPolyDataFilter> place;
  place->SetInputConnection(smooth->GetOutputPort());
  place->SetTransform(transform);
  vtkNew<vtkPolyDataNormals> normals;
  normals->SetInputConnection(place->GetOutputPort());
  normals->SplittingOff();
  normals->ConsistencyOn();
  normals->AutoOrientNormalsOn();
  vtkNew<vtkPolyDataMapper> mapper;
  mapper->SetInputConnection(normals->GetOutputPort());
  mapper->ScalarVisibilityOff();
  auto actor = vtkSmartPointer<vtkActor>::New();
  actor->SetMapper(mapper);
  actor->GetProperty()->SetColor(r, g, b);
  actor->GetProperty()->SetOpacity(opacity);
  actor->GetProperty()->SetSpecular(0.2);
  return actor;
}

} // namespace

void renderSpineOverview(const imaging::Image<std::uint8_t>& labels, const std::filesystem::path& png,
                         OverviewView view, int width, int height, bool withSkin)
{
  const char* display = std::getenv("DISPLAY");
  if (display == nullptr || *display == '\0') {
    throw Error(ErrorCode::Unsupported,
                "3D rendering needs an X display (Debian's VTK cannot render without one); run the command "
                "under `xvfb-run -a`");
  }
  if (labels.geometry().voxelCount() == 0) {
    throw Error(ErrorCode::InvalidArgument, "nothing to render: the label map is empty");
  }
  std::vector<bool> present(256, false);
  for (std::uint8_t v : labels.voxels()) {
    present[v] = true;
  }
  auto keep = [&](std::vector<int> values) {
    values.erase(std::remove_if(values.begin(), values.end(),
                                [&](int v) { return !present[static_cast<std::size_t>(v)]; }),
                 values.end());
    return values;
  };
  auto image = toVtk(labels);
  auto transform = toLps(labels.geometry());
  vtkNew<vtkRenderer> renderer;
  renderer->SetBackground(0.08, 0.09, 0.11);
  // vertebrae in their colours, ribs and ilia in bone white, ganglia in yellow
  static const double colours[12][3] = { { 0.90, 0.10, 0.29 }, { 0.24, 0.71, 0.29 }, { 0.00, 0.51, 0.78 },
                                         { 0.96, 0.51, 0.19 }, { 0.57, 0.12, 0.71 }, { 0.27, 0.94, 0.94 },
                                         { 0.94, 0.20, 0.90 }, { 0.82, 0.96, 0.24 }, { 0.98, 0.75, 0.83 },
                                         { 0.00, 0.50, 0.50 }, { 0.86, 0.75, 1.00 }, { 0.67, 0.43, 0.16 } };
  auto add = [&](const std::vector<int>& values, double r, double g, double b, double opacity,
                 int smoothing) {
    std::vector<int> kept = keep(values);
    if (!kept.empty()) {
      renderer->AddActor(surface(image, transform, kept, r, g, b, opacity, smoothing));
    }
  };
  for (int l = 1; l <= 12; ++l) {
    add({ l }, colours[l - 1][0], colours[l - 1][1], colours[l - 1][2], 1.0, 12);
  }
  add({ 20, 21, 22, 23, 30, 31 }, 0.92, 0.90, 0.84, 1.0, 12);
  std::vector<int> ganglia;
  for (int l = 100; l < 130; ++l) {
    ganglia.push_back(l);
  }
  add(ganglia, 1.0, 0.86, 0.0, 1.0, 6);
  if (withSkin) {
    add({ 70 }, 0.95, 0.80, 0.70, 0.12, 8);
  }

  vtkNew<vtkRenderWindow> window;
  window->SetOffScreenRendering(1);
  window->SetSize(width, height);
  window->AddRenderer(renderer);
  renderer->ResetCamera();
  vtkCamera* camera = renderer->GetActiveCamera();
  double* focal = camera->GetFocalPoint();
  double distance = camera->GetDistance();
  Eigen::Vector3d from(0, 1, 0); // posterior
  if (view == OverviewView::LeftLateral) {
    from = Eigen::Vector3d(1, 0, 0);
  } else if (view == OverviewView::PosteriorOblique) {
    from = Eigen::Vector3d(0.6, 1.0, 0.15).normalized();
  }
  camera->SetPosition(focal[0] + from.x() * distance, focal[1] + from.y() * distance,
                      focal[2] + from.z() * distance);
  camera->SetViewUp(0, 0, 1); // head up
  renderer->ResetCameraClippingRange();
  camera->Zoom(1.25);
  window->Render();
  vtkNew<vtkWindowToImageFilter> grab;
  grab->SetInput(window);
  grab->ReadFrontBufferOff();
  grab->Update();
  vtkNew<vtkPNGWriter> writer;
  writer->SetFileName(png.c_str());
  writer->SetInputConnection(grab->GetOutputPort());
  writer->Write();
  if (writer->GetErrorCode() != 0) {
    throw Error(ErrorCode::Io, "cannot write " + png.string());
  }
}

} // namespace drg::render
