// The 3D overview of a case rendered offscreen into a PNG (the CLI and the report).
#include "drg/render/SpineScene.h"

#include "drg/imaging/Error.h"

#include <vtkNew.h>
#include <vtkPNGWriter.h>
#include <vtkRenderWindow.h>
#include <vtkRenderer.h>
#include <vtkWindowToImageFilter.h>

#include <cstdlib>

namespace drg::render
{

void renderSpineOverview(const imaging::Image<std::uint8_t>& labels, const std::filesystem::path& png,
                         OverviewView view, int width, int height, bool withSkin,
                         const imaging::SpineModel* model, const planning::Plan* plan,
                         const planning::DeviceCatalog* catalog)
{
  const char* display = std::getenv("DISPLAY");
  if (display == nullptr || *display == '\0') {
    throw Error(ErrorCode::Unsupported,
                "3D rendering needs an X display (Debian's VTK cannot render without one); run the command "
                "under `xvfb-run -a`");
  }
  SurfaceOptions options;
  options.withSkin = withSkin;
  auto surfaces = buildAnatomySurfaces(labels, model, options);
  vtkNew<vtkRenderer> renderer;
  SpineScene scene(renderer);
  scene.setAnatomy(surfaces);
  if (model != nullptr) {
    scene.setGanglia(model->ganglia);
    scene.setForamina(model->foramina);
  }
  if (plan != nullptr && catalog != nullptr) {
    scene.setPlan(*plan, *catalog);
  }
  vtkNew<vtkRenderWindow> window;
  window->SetOffScreenRendering(1);
  window->SetSize(width, height);
  window->AddRenderer(renderer);
  scene.resetCamera(view);
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
