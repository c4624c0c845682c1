#pragma once
// The 3D scene of a case: the labelled anatomy as surfaces (each vertebra in its colour and named,
// ribs and ilia, the skin semi-transparent), the spine model's DRG estimates as their uncertainty
// ellipsoids, and the plan (leads as tubes of their true diameter with contact rings, needles,
// epidural routes, anchors, strain-relief loops, tunnels, the generator as a box of its true size).
// VTK only, no Qt: the workstation hands it the renderer of its 3D view, the CLI and the report an
// offscreen window.

#include "drg/imaging/Image.h"
#include "drg/imaging/SpineModel.h"
#include "drg/planning/DeviceCatalog.h"
#include "drg/planning/Plan.h"

#include <Eigen/Core>

#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>

class vtkRenderer;

namespace drg::render
{

/// Camera placement.
enum class OverviewView
{
  Posterior,   ///< looking at the patient's back (as the surgeon sees a prone patient)
  LeftLateral, ///< from the patient's left
  PosteriorOblique
};

/// How fine the surfaces are. Each structure is contoured on the label map and decimated by vertex
/// clustering: vertebrae to about `vertebraDetailMm`, ribs and ilia (context) to `contextDetailMm`,
/// the skin (a large smooth surface, from a `skinGridMm` grid) to `skinDetailMm`. The defaults keep
/// the demo case near 150 000 triangles, which Mesa's software rendering turns at about 30 frames/s.
struct SurfaceOptions
{
  double vertebraDetailMm = 2.0;
  double contextDetailMm = 3.5;
  double skinGridMm = 4.0;
  double skinDetailMm = 8.0;
  bool withSkin = true;
  /// The CT the labels belong to (same grid), when there is one: the skin is then the body's outline
  /// at -400 HU. Without it, the outline of everything labelled (none when that is not closed: a
  /// cropped slab, a body cut by the field of view).
  const imaging::Image<float>* ct = nullptr;
};

/// Surfaces built from a label map, once per case. Building does no rendering, so it may run off
/// the GUI thread; the result is shared read-only by every scene that shows it.
class AnatomySurfaces
{
public:
  ~AnatomySurfaces();
  std::size_t triangleCount() const;
  struct Data;
  std::unique_ptr<Data> data;
};

/// Contours every vertebra, rib, ilium (and the skin, when asked) of `labels`; vertebra names come
/// from the spine model when given (else from the label values). `progress` as elsewhere (false:
/// cancel, drg::Error Cancelled).
std::shared_ptr<const AnatomySurfaces> buildAnatomySurfaces(const imaging::Image<std::uint8_t>& labels,
                                                            const imaging::SpineModel* model,
                                                            const SurfaceOptions& options = {},
                                                            const std::function<bool(double)>& progress = {});

/// Colours of the leads (the 2D views use the same): lead i in leadColour(i % 4).
std::array<double, 3> leadColour(std::size_t lead);

/// The scene in a renderer. Setting the plan replaces only the plan's actors (cheap: called on every
/// edit and during drags); the anatomy stays.
class SpineScene
{
public:
  explicit SpineScene(vtkRenderer* renderer);
  ~SpineScene();
  SpineScene(const SpineScene&) = delete;
  SpineScene& operator=(const SpineScene&) = delete;

  void setAnatomy(std::shared_ptr<const AnatomySurfaces> surfaces);
  /// DRG estimates of the model as uncertainty ellipsoids (semi-transparent yellow).
  void setGanglia(const std::vector<imaging::DrgEstimate>& ganglia);
  /// Contacts found on a post-operative CT (planning frame) as small white balls (empty: none).
  void setFoundContacts(const std::vector<Eigen::Vector3d>& contacts);
  /// The model's foramina as outlines (thin cyan rings in their mid planes).
  void setForamina(const std::vector<imaging::SpineForamen>& foramina);
  /// Leads (`selected` drawn brighter, -1 none), tunnels and the generator; device sizes from `catalog`.
  void setPlan(const planning::Plan& plan, const planning::DeviceCatalog& catalog, int selected = -1);
  /// The linked cursor: a small three-axis cross.
  void setCursor(const Eigen::Vector3d& lps);
  void setSkinVisible(bool visible);
  /// Bone as a volume rendering of the CT (resampled to about 1.5 mm; the bone surfaces are hidden
  /// while it shows). `volume` nullptr: back to the surfaces. Throws drg::Error (InvalidArgument)
  /// for a volume that is not CT (bone is not bright on MR).
  void setBoneVolume(const imaging::Image<float>* volume, bool isCt);
  void setVertebraNamesVisible(bool visible);
  /// Places the camera to show the whole anatomy from `view` (head up).
  void resetCamera(OverviewView view);
  /// Triangles in the scene (anatomy and plan), for the benchmark's report.
  std::size_t triangleCount() const;

private:
  struct Impl;
  std::unique_ptr<Impl> m;
};

/// Writes each structure of `surfaces` (every vertebra by its name, ribs, ilia, the skin) and each
/// planned lead (a tube of its catalog diameter from the anchor to the tip) as binary STL in LPS
/// millimetres into `folder` (atomically, one file each). Returns the files written.
std::vector<std::filesystem::path> writeMeshes(const AnatomySurfaces& surfaces, const planning::Plan& plan,
                                               const planning::DeviceCatalog& catalog,
                                               const std::filesystem::path& folder);

/// Renders `labels` (and the model's ganglia, the plan when given) offscreen into a PNG. Debian's VTK
/// needs an X display even offscreen: without DISPLAY this throws drg::Error (Unsupported) telling to
/// run under `xvfb-run -a`.
void renderSpineOverview(const imaging::Image<std::uint8_t>& labels, const std::filesystem::path& png,
                         OverviewView view = OverviewView::PosteriorOblique, int width = 900,
                         int height = 900, bool withSkin = true, const imaging::SpineModel* model = nullptr,
                         const planning::Plan* plan = nullptr,
                         const planning::DeviceCatalog* catalog = nullptr);

} // namespace drg::render
