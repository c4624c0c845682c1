// The 3D scene of a case in a VTK renderer: the anatomy's surfaces, the model's ganglia and foramina,
// the plan, the cursor, the CT's bone as a volume rendering, and the camera.
#include "drg/render/SpineScene.h"

#include "AnatomySurfacesData.h"
#include "VtkGeometry.h"

#include "drg/imaging/Error.h"

#include <vtkActor.h>
#include <vtkAppendPolyData.h>
#include <vtkBillboardTextActor3D.h>
#include <vtkCamera.h>
#include <vtkColorTransferFunction.h>
#include <vtkCubeSource.h>
#include <vtkImageData.h>
#include <vtkNew.h>
#include <vtkPiecewiseFunction.h>
#include <vtkPolyDataMapper.h>
#include <vtkPolyDataNormals.h>
#include <vtkProperty.h>
#include <vtkRenderWindow.h>
#include <vtkRenderer.h>
#include <vtkSmartVolumeMapper.h>
#include <vtkSphereSource.h>
#include <vtkTextProperty.h>
#include <vtkTransform.h>
#include <vtkTransformPolyDataFilter.h>
#include <vtkTubeFilter.h>
#include <vtkVolume.h>
#include <vtkVolumeProperty.h>

#include <Eigen/Geometry>

#include <algorithm>
#include <cmath>
#include <vector>

namespace drg::render
{

/// How far out from its contacts a lead's name sits: beyond the vertebrae's names (which end at
/// the transverse processes, some 40 mm from the midline) on the ganglion's side.
constexpr double kLeadNameOutMm = 60.0;

std::array<double, 3> leadColour(std::size_t lead)
{
  static const std::array<double, 3> colours[] = {
    { 1.0, 0.84, 0.0 }, { 0.0, 0.86, 0.47 }, { 1.0, 0.47, 1.0 }, { 0.0, 0.78, 1.0 }
  };
  return colours[lead % 4];
}

namespace
{

/// A tube of `diameterMm` along `points` (LPS mm), capped, in `colour`.
vtkSmartPointer<vtkActor> tube(const std::vector<Eigen::Vector3d>& points, double diameterMm,
                               const std::array<double, 3>& colour, double opacity = 1.0, int sides = 12)
{
  vtkNew<vtkTubeFilter> filter;
  filter->SetInputData(polyline(points));
  filter->SetRadius(0.5 * diameterMm);
  filter->SetNumberOfSides(sides);
  filter->CappingOn();
  vtkNew<vtkPolyDataMapper> mapper;
  mapper->SetInputConnection(filter->GetOutputPort());
  auto actor = vtkSmartPointer<vtkActor>::New();
  actor->SetMapper(mapper);
  actor->GetProperty()->SetColor(colour[0], colour[1], colour[2]);
  actor->GetProperty()->SetOpacity(opacity);
  actor->GetProperty()->SetSpecular(0.4);
  actor->GetProperty()->SetSpecularPower(30);
  return actor;
}

/// A polyline `widthPx` screen pixels wide at any zoom, unlit, in `colour`: what keeps a 1 mm lead
/// findable in a view of the whole trunk, where its true-size tube is under a pixel wide.
vtkSmartPointer<vtkActor> screenLine(const std::vector<Eigen::Vector3d>& points, double widthPx,
                                     const std::array<double, 3>& colour, double opacity)
{
  vtkNew<vtkPolyDataMapper> mapper;
  mapper->SetInputData(polyline(points));
  auto actor = vtkSmartPointer<vtkActor>::New();
  actor->SetMapper(mapper);
  actor->GetProperty()->SetColor(colour[0], colour[1], colour[2]);
  actor->GetProperty()->SetOpacity(opacity);
  actor->GetProperty()->SetLineWidth(static_cast<float>(widthPx));
  actor->GetProperty()->LightingOff();
  actor->PickableOff();
  return actor;
}

/// A name that faces the camera, in `colour` on a dark plate: legible over bone, skin or background.
vtkSmartPointer<vtkBillboardTextActor3D> nameTag(const std::string& text, const Eigen::Vector3d& at,
                                                 const std::array<double, 3>& colour, int fontSize,
                                                 bool framed)
{
  auto tag = vtkSmartPointer<vtkBillboardTextActor3D>::New();
  tag->SetInput(text.c_str());
  double position[3] = { at.x(), at.y(), at.z() };
  tag->SetPosition(position);
  vtkTextProperty* p = tag->GetTextProperty();
  p->SetFontSize(fontSize);
  p->SetBold(true);
  p->SetColor(colour[0], colour[1], colour[2]);
  p->SetBackgroundColor(0.0, 0.0, 0.0);
  p->SetBackgroundOpacity(0.6);
  p->SetFrame(framed);
  p->SetFrameColor(1.0, 1.0, 1.0);
  p->SetFrameWidth(2);
  p->SetVerticalJustificationToCentered();
  tag->PickableOff();
  return tag;
}

/// An actor of a surface, in its cell colours ("colours") or in `colour`, with smooth normals.
vtkSmartPointer<vtkActor> polyActor(vtkPolyData* poly, bool cellColours, const std::array<double, 3>& colour,
                                    double opacity)
{
  vtkNew<vtkPolyDataNormals> normals;
  normals->SetInputData(poly);
  normals->SplittingOff();
  normals->ConsistencyOff();
  normals->AutoOrientNormalsOff();
  normals->ComputeCellNormalsOff();
  vtkNew<vtkPolyDataMapper> mapper;
  mapper->SetInputConnection(normals->GetOutputPort());
  mapper->SetScalarVisibility(cellColours);
  if (cellColours) {
    mapper->SetScalarModeToUseCellData();
    mapper->SetColorModeToDirectScalars();
  }
  auto actor = vtkSmartPointer<vtkActor>::New();
  actor->SetMapper(mapper);
  actor->GetProperty()->SetColor(colour[0], colour[1], colour[2]);
  actor->GetProperty()->SetOpacity(opacity);
  actor->GetProperty()->SetSpecular(0.15);
  return actor;
}

} // namespace

struct SpineScene::Impl
{
  vtkRenderer* renderer = nullptr;
  std::shared_ptr<const AnatomySurfaces> surfaces;
  /// Drawn over the scene (a layer above it, same camera): the plan's faint see-through lines and
  /// the leads' names, so that a lead inside the canal stays findable behind the laminae.
  vtkNew<vtkRenderer> overlay;
  std::vector<vtkSmartPointer<vtkProp>> anatomy, ganglia, plan, cursor, names, foramina, planOver, found;
  vtkSmartPointer<vtkActor> skin, labelGanglia, bone;
  vtkSmartPointer<vtkVolume> boneVolume;
  bool namesVisible = true, skinVisible = true, hasEstimates = false;

  void replace(std::vector<vtkSmartPointer<vtkProp>>& props, std::vector<vtkSmartPointer<vtkProp>> now,
               vtkRenderer* into = nullptr)
  {
    into = into ? into : renderer;
    for (auto& p : props) {
      into->RemoveViewProp(p);
    }
    props = std::move(now);
    for (auto& p : props) {
      into->AddViewProp(p);
    }
  }

  /// Puts the overlay in the renderer's window (once the renderer is in one).
  void attachOverlay()
  {
    vtkRenderWindow* window = renderer->GetRenderWindow();
    if (window == nullptr || window->HasRenderer(overlay)) {
      return;
    }
    window->SetNumberOfLayers(std::max(2, window->GetNumberOfLayers()));
    overlay->SetLayer(1);
    overlay->InteractiveOff(); // the mouse turns the scene's camera, which the overlay shares
    overlay->SetActiveCamera(renderer->GetActiveCamera());
    window->AddRenderer(overlay);
  }
};

SpineScene::SpineScene(vtkRenderer* renderer)
  : m(std::make_unique<Impl>())
{
  m->renderer = renderer;
  renderer->SetBackground(0.08, 0.09, 0.11);
  renderer->SetBackground2(0.20, 0.22, 0.27);
  renderer->GradientBackgroundOn();
}

SpineScene::~SpineScene()
{
  for (auto* list : { &m->anatomy, &m->ganglia, &m->plan, &m->cursor, &m->foramina, &m->found }) {
    m->replace(*list, {});
  }
  m->replace(m->names, {}, m->overlay);
  m->replace(m->planOver, {}, m->overlay);
  if (vtkRenderWindow* window = m->renderer->GetRenderWindow()) {
    window->RemoveRenderer(m->overlay);
  }
  if (m->boneVolume) {
    m->renderer->RemoveViewProp(m->boneVolume);
  }
}

void SpineScene::setAnatomy(std::shared_ptr<const AnatomySurfaces> surfaces)
{
  m->surfaces = std::move(surfaces);
  std::vector<vtkSmartPointer<vtkProp>> props, names;
  m->skin = nullptr;
  m->labelGanglia = nullptr;
  if (m->surfaces) {
    const auto& d = *m->surfaces->data;
    if (d.bone) {
      m->bone = polyActor(d.bone, true, { 0.92, 0.90, 0.84 }, 1.0);
      m->bone->SetVisibility(m->boneVolume == nullptr);
      props.push_back(m->bone);
    }
    if (d.ganglia) {
      m->labelGanglia = polyActor(d.ganglia, true, { 1.0, 0.86, 0.0 }, 1.0);
      m->labelGanglia->SetVisibility(!m->hasEstimates);
      props.push_back(m->labelGanglia);
    }
    if (d.skin) {
      m->skin = polyActor(d.skin, false, { 0.95, 0.80, 0.70 }, 0.08);
      m->skin->GetProperty()->SetSpecular(0.0);
      // one layer of skin, not two: half the blending work for software rendering, and clearer
      m->skin->GetProperty()->FrontfaceCullingOn(); // (the contour's faces look inwards)
      m->skin->SetVisibility(m->skinVisible);
      m->skin->PickableOff();
      props.push_back(m->skin);
    }
    for (const auto& n : d.names) {
      auto text = nameTag(n.text, n.position,
                          { n.colour[0] / 255.0, n.colour[1] / 255.0, n.colour[2] / 255.0 }, 16, false);
      text->GetTextProperty()->SetJustificationToRight(); // ends at the vertebra (seen from behind)
      text->SetVisibility(m->namesVisible);
      names.push_back(text);
    }
  }
  m->replace(m->anatomy, std::move(props));
  // the names over the scene: the ilia hide S1 and L5 from behind, the levels that matter most
  m->replace(m->names, std::move(names), m->overlay);
}

void SpineScene::setGanglia(const std::vector<imaging::DrgEstimate>& estimates)
{
  std::vector<vtkSmartPointer<vtkProp>> props;
  m->hasEstimates = !estimates.empty();
  if (m->labelGanglia) {
    m->labelGanglia->SetVisibility(!m->hasEstimates);
  }
  if (!estimates.empty()) {
    vtkNew<vtkSphereSource> unit;
    unit->SetRadius(1.0);
    unit->SetThetaResolution(16);
    unit->SetPhiResolution(10);
    vtkNew<vtkAppendPolyData> all;
    for (const auto& e : estimates) {
      vtkNew<vtkTransform> t;
      t->SetMatrix(affine(e.ellipsoidAxes * e.semiAxesMm.asDiagonal(), e.centre));
      vtkNew<vtkTransformPolyDataFilter> place;
      place->SetInputConnection(unit->GetOutputPort());
      place->SetTransform(t);
      place->Update();
      all->AddInputData(place->GetOutput());
    }
    all->Update();
    auto actor = polyActor(all->GetOutput(), false, { 1.0, 0.86, 0.0 }, 0.45);
    actor->GetProperty()->SetSpecular(0.3);
    props.push_back(actor);
  }
  m->replace(m->ganglia, std::move(props));
}

void SpineScene::setFoundContacts(const std::vector<Eigen::Vector3d>& contacts)
{
  std::vector<vtkSmartPointer<vtkProp>> props;
  if (!contacts.empty()) {
    vtkNew<vtkAppendPolyData> all;
    for (const auto& c : contacts) {
      vtkNew<vtkSphereSource> ball;
      ball->SetCenter(c.x(), c.y(), c.z());
      ball->SetRadius(1.4); // a little larger than the 1 mm contact: seen beside the planned lead
      ball->SetThetaResolution(12);
      ball->SetPhiResolution(8);
      ball->Update();
      all->AddInputData(ball->GetOutput());
    }
    all->Update();
    props.push_back(polyActor(all->GetOutput(), false, { 1.0, 1.0, 1.0 }, 1.0));
  }
  m->replace(m->found, std::move(props));
}

void SpineScene::setForamina(const std::vector<imaging::SpineForamen>& foramina)
{
  std::vector<vtkSmartPointer<vtkProp>> props;
  vtkNew<vtkAppendPolyData> rings;
  int count = 0;
  for (const auto& f : foramina) {
    if (f.boundary.size() < 3) {
      continue;
    }
    std::vector<Eigen::Vector3d> closed = f.boundary;
    closed.push_back(f.boundary.front());
    vtkNew<vtkTubeFilter> ring;
    ring->SetInputData(polyline(closed));
    ring->SetRadius(0.4);
    ring->SetNumberOfSides(6);
    ring->Update();
    rings->AddInputData(ring->GetOutput());
    ++count;
  }
  if (count > 0) {
    rings->Update();
    vtkNew<vtkPolyDataMapper> mapper;
    mapper->SetInputConnection(rings->GetOutputPort());
    mapper->ScalarVisibilityOff();
    vtkNew<vtkActor> actor;
    actor->SetMapper(mapper);
    actor->GetProperty()->SetColor(0.2, 0.9, 1.0);
    actor->PickableOff();
    props.push_back(actor);
  }
  m->replace(m->foramina, std::move(props));
}

void SpineScene::setPlan(const planning::Plan& plan, const planning::DeviceCatalog& catalog, int selected)
{
  m->attachOverlay();
  std::vector<vtkSmartPointer<vtkProp>> props, over;
  const std::array<double, 3> steel{ 0.75, 0.77, 0.80 }, contact{ 0.85, 0.86, 0.90 };
  for (std::size_t i = 0; i < plan.leads.size(); ++i) {
    const auto& l = plan.leads[i];
    if (!l.planned) {
      continue;
    }
    const bool isSelected = selected >= 0 && static_cast<std::size_t>(selected) == i;
    std::array<double, 3> colour = leadColour(i);
    const std::array<double, 3> ownColour = colour;
    if (selected >= 0 && !isSelected) {
      for (double& c : colour) {
        c = 0.55 * c + 0.15; // the others subdued
      }
    }
    const auto* lead = catalog.lead(l.leadModel);
    const auto* needle = catalog.needle(l.needle);
    const double leadD = lead ? lead->diameterMm.value : 1.0;
    const double needleD = needle ? needle->outerDiameterMm.value : 1.3;
    // the needle, semi-transparent steel, from the skin to the epidural entry
    props.push_back(tube({ l.skinEntry, l.epiduralEntry }, needleD, steel, 0.55, 16));
    // (its line in the lead's colour: two needles side by side are told apart)
    props.push_back(screenLine({ l.skinEntry, l.epiduralEntry }, 2.0, colour, 1.0));
    // the lead: anchor - along the needle track - epidural route - tip; at its true diameter, and
    // never thinner on the screen than a few pixels (the selected lead wider)
    std::vector<Eigen::Vector3d> path{ l.anchor, l.epiduralEntry };
    path.insert(path.end(), l.route.begin(), l.route.end());
    props.push_back(tube(path, leadD, colour));
    props.push_back(screenLine(path, isSelected ? 5.0 : 3.0, colour, 1.0));
    // seen through whatever covers it (the laminae hide the canal from behind): faint lines on top
    over.push_back(screenLine({ l.skinEntry, l.epiduralEntry }, 1.0, colour, 0.35));
    over.push_back(screenLine(path, isSelected ? 3.0 : 2.0, colour, isSelected ? 0.6 : 0.35));
    // the lead's name out beside the spine on its ganglion's side, beyond the vertebrae's names, with
    // a leader line to its contacts; always shown
    if (!l.contacts.empty()) {
      Eigen::Vector3d mid = Eigen::Vector3d::Zero();
      for (const Eigen::Vector3d& c : l.contacts) {
        mid += c;
      }
      mid /= static_cast<double>(l.contacts.size());
      const double outward = l.targetSide == imaging::Side::Left ? 1.0 : -1.0; // LPS: +x is left
      const Eigen::Vector3d at = mid + Eigen::Vector3d(outward * kLeadNameOutMm, 0.0, 0.0);
      over.push_back(screenLine({ mid, at }, 1.0, ownColour, 0.8));
      auto tag = nameTag(l.name, at, ownColour, isSelected ? 16 : 14, isSelected);
      // (its near end at the leader line)
      if (outward > 0) {
        tag->GetTextProperty()->SetJustificationToRight();
      } else {
        tag->GetTextProperty()->SetJustificationToLeft();
      }
      over.push_back(tag);
    }
    // contact rings: short cylinders slightly proud of the lead, along the route's direction there
    const double contactLength = lead ? lead->contactLengthMm.value : 1.25;
    for (const Eigen::Vector3d& c : l.contacts) {
      Eigen::Vector3d dir = l.targetAxis;
      double best = 1e9;
      for (std::size_t k = 1; k < l.route.size(); ++k) {
        const double dist = (l.route[k] - c).norm();
        if (dist < best && (l.route[k] - l.route[k - 1]).norm() > 1e-6) {
          best = dist;
          dir = (l.route[k] - l.route[k - 1]).normalized();
        }
      }
      props.push_back(tube({ c - 0.5 * contactLength * dir, c + 0.5 * contactLength * dir }, leadD * 1.12,
                           contact, 1.0, 16));
    }
    // anchor
    vtkNew<vtkSphereSource> anchor;
    anchor->SetCenter(l.anchor.data());
    anchor->SetRadius(1.5); // in the lead's colour: four leads anchor close together by the midline
    vtkNew<vtkPolyDataMapper> anchorMapper;
    anchorMapper->SetInputConnection(anchor->GetOutputPort());
    vtkNew<vtkActor> anchorActor;
    anchorActor->SetMapper(anchorMapper);
    anchorActor->GetProperty()->SetColor(colour[0], colour[1], colour[2]);
    props.push_back(anchorActor);
    // strain-relief loop: a circle of its diameter around its centre, across the needle
    if (l.loopDiameterMm > 0) {
      const Eigen::Vector3d n = (l.epiduralEntry - l.skinEntry).normalized();
      const Eigen::Vector3d a = n.unitOrthogonal(), b = n.cross(a);
      std::vector<Eigen::Vector3d> circle;
      for (int k = 0; k <= 36; ++k) {
        const double t = 2.0 * M_PI * k / 36.0;
        circle.push_back(l.loopCentre + 0.5 * l.loopDiameterMm * (std::cos(t) * a + std::sin(t) * b));
      }
      props.push_back(tube(circle, leadD, colour));
    }
    if (l.tunnel.size() >= 2) {
      props.push_back(tube(l.tunnel, leadD, colour, 0.8));
      props.push_back(screenLine(l.tunnel, 2.0, colour, 0.8));
    }
  }
  if (plan.pocket && plan.pocket->placed) {
    const auto& p = *plan.pocket;
    vtkNew<vtkCubeSource> box;
    box->SetXLength(p.sizeMm.x());
    box->SetYLength(p.sizeMm.y());
    box->SetZLength(p.sizeMm.z());
    vtkNew<vtkPolyDataMapper> mapper;
    mapper->SetInputConnection(box->GetOutputPort());
    vtkNew<vtkActor> actor;
    actor->SetMapper(mapper);
    actor->SetUserMatrix(affine(p.axes, p.centre));
    actor->GetProperty()->SetColor(0.70, 0.72, 0.78);
    actor->GetProperty()->SetSpecular(0.5);
    props.push_back(actor);
  }
  m->replace(m->plan, std::move(props));
  m->replace(m->planOver, std::move(over), m->overlay);
}

void SpineScene::setCursor(const Eigen::Vector3d& lps)
{
  std::vector<vtkSmartPointer<vtkProp>> props;
  vtkNew<vtkAppendPolyData> cross;
  for (int a = 0; a < 3; ++a) {
    const Eigen::Vector3d d = Eigen::Vector3d::Unit(a) * 12.0;
    cross->AddInputData(polyline({ lps - d, lps + d }));
  }
  cross->Update();
  vtkNew<vtkPolyDataMapper> mapper;
  mapper->SetInputConnection(cross->GetOutputPort());
  vtkNew<vtkActor> actor;
  actor->SetMapper(mapper);
  actor->GetProperty()->SetColor(0.3, 1.0, 0.3);
  actor->GetProperty()->SetLineWidth(2.0);
  actor->GetProperty()->LightingOff();
  actor->PickableOff();
  props.push_back(actor);
  m->replace(m->cursor, std::move(props));
}

void SpineScene::setSkinVisible(bool visible)
{
  m->skinVisible = visible;
  if (m->skin) {
    m->skin->SetVisibility(visible);
  }
}

void SpineScene::setBoneVolume(const imaging::Image<float>* volume, bool isCt)
{
  if (m->boneVolume) {
    m->renderer->RemoveViewProp(m->boneVolume);
    m->boneVolume = nullptr;
  }
  if (volume != nullptr) {
    if (!isCt) {
      throw Error(ErrorCode::InvalidArgument,
                  "bone volume rendering needs a CT (bone is not bright on MR): the surfaces show the bone");
    }
    const auto& g = volume->geometry();
    std::array<int, 3> f{}, n{};
    for (int a = 0; a < 3; ++a) {
      f[a] = std::max(1, static_cast<int>(std::floor(2.0 / g.spacing[a])));
      n[a] =
        static_cast<int>((g.size[a] + static_cast<std::size_t>(f[a]) - 1) / static_cast<std::size_t>(f[a]));
    }
    auto image = vtkSmartPointer<vtkImageData>::New();
    image->SetDimensions(n[0], n[1], n[2]);
    image->SetSpacing(f[0] * g.spacing[0], f[1] * g.spacing[1], f[2] * g.spacing[2]);
    image->SetOrigin(0, 0, 0);
    image->AllocateScalars(VTK_UNSIGNED_SHORT, 1);
    auto* out = static_cast<std::uint16_t*>(image->GetScalarPointer());
    for (int k = 0; k < n[2]; ++k) {
      for (int j = 0; j < n[1]; ++j) {
        for (int i = 0; i < n[0]; ++i) {
          // HU + 1024, clamped to 0-4095 (the transfer functions below read HU + 1024)
          const float hu = volume->at(static_cast<std::size_t>(i * f[0]), static_cast<std::size_t>(j * f[1]),
                                      static_cast<std::size_t>(k * f[2]));
          *out++ = static_cast<std::uint16_t>(std::clamp(hu + 1024.0f, 0.0f, 4095.0f));
        }
      }
    }
    vtkNew<vtkSmartVolumeMapper> mapper;
    mapper->SetInputData(image);
    mapper->SetRequestedRenderModeToRayCast(); // the CPU ray caster: on software OpenGL the GPU one is ~10x
                                               // slower
    vtkNew<vtkPiecewiseFunction> opacity;
    opacity->AddPoint(1024 + 150, 0.0);
    opacity->AddPoint(1024 + 300, 0.15);
    opacity->AddPoint(1024 + 700, 0.6);
    opacity->AddPoint(1024 + 1500, 0.85);
    vtkNew<vtkColorTransferFunction> colour;
    colour->AddRGBPoint(1024 + 150, 0.75, 0.55, 0.45);
    colour->AddRGBPoint(1024 + 500, 0.95, 0.90, 0.80);
    colour->AddRGBPoint(1024 + 1500, 1.0, 1.0, 0.98);
    vtkNew<vtkVolumeProperty> property;
    property->SetScalarOpacity(opacity);
    property->SetColor(colour);
    property->ShadeOn();
    property->SetInterpolationTypeToLinear();
    m->boneVolume = vtkSmartPointer<vtkVolume>::New();
    m->boneVolume->SetMapper(mapper);
    m->boneVolume->SetProperty(property);
    m->boneVolume->SetUserMatrix(affine(g.direction, g.origin)); // index*spacing to LPS
    m->boneVolume->PickableOff();
    m->renderer->AddViewProp(m->boneVolume);
  }
  if (m->bone) {
    m->bone->SetVisibility(m->boneVolume == nullptr);
  }
}

void SpineScene::setVertebraNamesVisible(bool visible)
{
  m->namesVisible = visible;
  for (auto& p : m->names) {
    p->SetVisibility(visible);
  }
}

void SpineScene::resetCamera(OverviewView view)
{
  vtkCamera* camera = m->renderer->GetActiveCamera();
  Eigen::Vector3d focal(0, 0, 0);
  Eigen::Vector3d size(300, 300, 300);
  if (m->surfaces) {
    focal = m->surfaces->data->centre;
    size = (m->surfaces->data->hi - m->surfaces->data->lo).cwiseMax(60.0);
  }
  Eigen::Vector3d from(0, 1, 0); // posterior
  if (view == OverviewView::LeftLateral) {
    from = Eigen::Vector3d(1, 0, 0);
  } else if (view == OverviewView::PosteriorOblique) {
    from = Eigen::Vector3d(0.6, 1.0, 0.15).normalized();
  }
  camera->SetFocalPoint(focal.data());
  // far enough that the bone fits the view's height (head-foot) and width, with a margin
  int* pixels = m->renderer->GetSize();
  const double aspect = pixels[1] > 0 ? static_cast<double>(pixels[0]) / pixels[1] : 1.0;
  const Eigen::Vector3d across = Eigen::Vector3d::UnitZ().cross(from).normalized();
  const double width = std::abs(across.x()) * size.x() + std::abs(across.y()) * size.y();
  const double half = 0.55 * std::max(size.z(), width / std::max(0.3, aspect));
  const double depth = std::abs(from.x()) * size.x() + std::abs(from.y()) * size.y();
  const Eigen::Vector3d position = focal + from * (half / std::tan(15.0 * M_PI / 180.0) + 0.5 * depth);
  camera->SetPosition(position.data());
  camera->SetViewUp(0, 0, 1); // head up
  camera->SetViewAngle(30);
  m->renderer->ResetCameraClippingRange();
  m->attachOverlay();
}

std::size_t SpineScene::triangleCount() const
{
  std::size_t n = m->surfaces ? m->surfaces->triangleCount() : 0;
  for (const auto* list : { &m->ganglia, &m->plan, &m->foramina }) {
    for (const auto& p : *list) {
      if (auto* actor = vtkActor::SafeDownCast(p); actor && actor->GetMapper()) {
        actor->GetMapper()->Update();
        if (auto* poly = vtkPolyData::SafeDownCast(actor->GetMapper()->GetInputDataObject(0, 0))) {
          n += static_cast<std::size_t>(poly->GetNumberOfPolys() + poly->GetNumberOfStrips());
        }
      }
    }
  }
  return n;
}

} // namespace drg::render
