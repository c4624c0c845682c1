#include "drg/render/SpineScene.h"

#include "drg/imaging/AnatomyLabels.h"
#include "drg/imaging/AtomicOutput.h"
#include "drg/imaging/Error.h"

#include <vtkActor.h>
#include <vtkAppendPolyData.h>
#include <vtkBillboardTextActor3D.h>
#include <vtkCamera.h>
#include <vtkCellArray.h>
#include <vtkCellData.h>
#include <vtkColorTransferFunction.h>
#include <vtkCubeSource.h>
#include <vtkDiscreteFlyingEdges3D.h>
#include <vtkFlyingEdges3D.h>
#include <vtkIdList.h>
#include <vtkImageData.h>
#include <vtkMatrix4x4.h>
#include <vtkNew.h>
#include <vtkPNGWriter.h>
#include <vtkPiecewiseFunction.h>
#include <vtkPointData.h>
#include <vtkPoints.h>
#include <vtkPolyData.h>
#include <vtkPolyDataMapper.h>
#include <vtkPolyDataNormals.h>
#include <vtkPolyLine.h>
#include <vtkProperty.h>
#include <vtkQuadricClustering.h>
#include <vtkRenderWindow.h>
#include <vtkRenderer.h>
#include <vtkSmartVolumeMapper.h>
#include <vtkSphereSource.h>
#include <vtkTextProperty.h>
#include <vtkTransform.h>
#include <vtkTransformPolyDataFilter.h>
#include <vtkTriangleFilter.h>
#include <vtkTubeFilter.h>
#include <vtkUnsignedCharArray.h>
#include <vtkUnsignedShortArray.h>
#include <vtkVolume.h>
#include <vtkVolumeProperty.h>
#include <vtkWindowToImageFilter.h>
#include <vtkWindowedSincPolyDataFilter.h>

#include <Eigen/Geometry>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <map>
#include <vector>

namespace drg::render
{

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

AnatomySurfaces::~AnatomySurfaces() = default;

std::size_t AnatomySurfaces::triangleCount() const
{
  std::size_t n = 0;
  for (auto* p : { data->bone.Get(), data->ganglia.Get(), data->skin.Get() }) {
    n += p ? static_cast<std::size_t>(p->GetNumberOfPolys()) : 0;
  }
  return n;
}

namespace
{

bool isBone(int label)
{
  return (label >= 1 && label <= 12) || (label >= 61 && label <= 69) ||
         (label >= imaging::labels::kRibBase && label < imaging::labels::kRibBase + 10) ||
         label == imaging::labels::kIliumLeft || label == imaging::labels::kIliumRight;
}

/// The 4x4 matrix of x -> linear x + translation.
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

/// From index*spacing space (where VTK's image filters work) to LPS.
vtkSmartPointer<vtkTransform> toLps(const imaging::ImageGeometry& g)
{
  auto t = vtkSmartPointer<vtkTransform>::New();
  t->SetMatrix(affine(g.direction, g.origin));
  return t;
}

struct Box
{
  std::array<int, 3> lo{ std::numeric_limits<int>::max(), std::numeric_limits<int>::max(),
                         std::numeric_limits<int>::max() };
  std::array<int, 3> hi{ -1, -1, -1 };
  Eigen::Vector3d sum{ 0, 0, 0 };
  std::size_t count = 0;
};

/// The sub-block `box` (plus one voxel) of `labels` as vtkImageData in index*spacing space.
vtkSmartPointer<vtkImageData> block(const imaging::Image<std::uint8_t>& labels, const Box& box)
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

/// Keeps the largest 6-connected part of a binary grid of `n` cells.
void keepLargestComponent(std::vector<std::uint8_t>& cells, const std::array<int, 3>& n)
{
  std::vector<int> part(cells.size(), 0);
  std::vector<std::size_t> sizes{ 0 };
  std::vector<std::size_t> stack;
  const std::size_t sx = 1, sy = static_cast<std::size_t>(n[0]), sz = sy * static_cast<std::size_t>(n[1]);
  for (std::size_t start = 0; start < cells.size(); ++start) {
    if (!cells[start] || part[start]) {
      continue;
    }
    const int id = static_cast<int>(sizes.size());
    sizes.push_back(0);
    part[start] = id;
    stack.push_back(start);
    while (!stack.empty()) {
      const std::size_t c = stack.back();
      stack.pop_back();
      ++sizes.back();
      const int i = static_cast<int>(c % sy), j = static_cast<int>((c / sy) % static_cast<std::size_t>(n[1])),
                k = static_cast<int>(c / sz);
      const std::pair<bool, std::size_t> next[] = { { i > 0, c - sx }, { i + 1 < n[0], c + sx },
                                                    { j > 0, c - sy }, { j + 1 < n[1], c + sy },
                                                    { k > 0, c - sz }, { k + 1 < n[2], c + sz } };
      for (const auto& [inside, q] : next) {
        if (inside && cells[q] && !part[q]) {
          part[q] = id;
          stack.push_back(q);
        }
      }
    }
  }
  const int largest = static_cast<int>(std::max_element(sizes.begin(), sizes.end()) - sizes.begin());
  for (std::size_t c = 0; c < cells.size(); ++c) {
    cells[c] = part[c] == largest && largest > 0 ? 1 : 0;
  }
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

} // namespace

std::shared_ptr<const AnatomySurfaces> buildAnatomySurfaces(const imaging::Image<std::uint8_t>& labels,
                                                            const imaging::SpineModel* model,
                                                            const SurfaceOptions& options,
                                                            const std::function<bool(double)>& progress)
{
  const auto& g = labels.geometry();
  if (g.voxelCount() == 0) {
    throw Error(ErrorCode::InvalidArgument, "nothing to show in 3D: the label map is empty");
  }
  auto tick = [&](double f) {
    if (progress && !progress(f)) {
      throw Error(ErrorCode::Cancelled, "cancelled");
    }
  };
  // one pass: bounding box and centroid of every label
  std::vector<Box> boxes(256);
  const auto& v = labels.voxels();
  for (std::size_t k = 0, idx = 0; k < g.size[2]; ++k) {
    for (std::size_t j = 0; j < g.size[1]; ++j) {
      for (std::size_t i = 0; i < g.size[0]; ++i, ++idx) {
        const std::uint8_t l = v[idx];
        if (l == 0) {
          continue;
        }
        Box& b = boxes[l];
        const int p[3] = { static_cast<int>(i), static_cast<int>(j), static_cast<int>(k) };
        for (int a = 0; a < 3; ++a) {
          b.lo[a] = std::min(b.lo[a], p[a]);
          b.hi[a] = std::max(b.hi[a], p[a]);
        }
        b.sum += Eigen::Vector3d(p[0], p[1], p[2]);
        ++b.count;
      }
    }
    if (k % 32 == 0) {
      tick(0.2 * static_cast<double>(k) / static_cast<double>(g.size[2]));
    }
  }
  auto result = std::make_shared<AnatomySurfaces>();
  result->data = std::make_unique<AnatomySurfaces::Data>();
  AnatomySurfaces::Data& d = *result->data;
  auto transform = toLps(g);
  std::map<int, std::string> names;
  if (model != nullptr) {
    for (const auto& vert : model->vertebrae) {
      names[vert.label] = vert.level;
    }
  }
  vtkNew<vtkAppendPolyData> bone, ganglia;
  int boneParts = 0, gangliaParts = 0;
  Eigen::Vector3d lo = Eigen::Vector3d::Constant(1e9), hi = Eigen::Vector3d::Constant(-1e9);
  for (int l = 1; l < 256; ++l) {
    const Box& b = boxes[static_cast<std::size_t>(l)];
    const bool ganglion = l >= imaging::labels::kGanglionBase;
    if (b.count == 0 || !(isBone(l) || ganglion)) {
      continue;
    }
    const bool vertebra = l <= 12 || l >= 61;
    const double detail = ganglion ? 1.0 : vertebra ? options.vertebraDetailMm : options.contextDetailMm;
    auto surface = contour(block(labels, b), l, true, detail, transform, ganglion ? 8 : 15);
    if (surface->GetNumberOfPolys() == 0) {
      continue;
    }
    paint(surface, ganglion || vertebra ? imaging::labels::displayColour(l)
                                        : imaging::labels::Rgba{ 235, 230, 214, 255 }); // ribs, ilia
    if (ganglion) {
      ganglia->AddInputData(surface);
      ++gangliaParts;
      continue;
    }
    bone->AddInputData(surface);
    ++boneParts;
    const Eigen::Vector3d centroid = g.indexToLps(b.sum / static_cast<double>(b.count));
    double left = -1e9, back = -1e9; // the structure's patient-left and posterior edges
    for (int corner = 0; corner < 8; ++corner) {
      const Eigen::Vector3d p =
        g.indexToLps(Eigen::Vector3d((corner & 1) ? b.hi[0] : b.lo[0], (corner & 2) ? b.hi[1] : b.lo[1],
                                     (corner & 4) ? b.hi[2] : b.lo[2]));
      lo = lo.cwiseMin(p);
      hi = hi.cwiseMax(p);
      left = std::max(left, p.x());
      back = std::max(back, p.y());
    }
    std::string name = names.count(l) ? names[l] : (vertebra ? imaging::labels::vertebraLevelOfLabel(l) : "");
    d.parts.push_back({ !name.empty()                       ? name
                        : l == imaging::labels::kIliumLeft  ? std::string("ilium left")
                        : l == imaging::labels::kIliumRight ? std::string("ilium right")
                        : vertebra                          ? "vertebra " + std::to_string(l)
                                                            : "rib " + std::to_string(l),
                        surface });
    if (!name.empty()) {
      // beside the vertebra, to the patient's left and behind (left of it in a view from behind,
      // and not hidden by its transverse process)
      const auto c = imaging::labels::displayColour(l);
      d.names.push_back({ name, Eigen::Vector3d(left + 2.0, back, centroid.z()), { c.r, c.g, c.b } });
    }
    tick(0.2 + 0.6 * l / 130.0);
  }
  if (boneParts > 0) {
    bone->Update();
    d.bone = bone->GetOutput();
  }
  if (gangliaParts > 0) {
    ganglia->Update();
    d.ganglia = ganglia->GetOutput();
  }
  if (boneParts == 0) {
    lo = g.indexToLps(Eigen::Vector3d::Zero());
    hi = g.indexToLps(Eigen::Vector3d(g.size[0] - 1.0, g.size[1] - 1.0, g.size[2] - 1.0));
    const Eigen::Vector3d a = lo.cwiseMin(hi), c = lo.cwiseMax(hi);
    lo = a;
    hi = c;
  }
  d.centre = 0.5 * (lo + hi);
  d.extentMm = (hi - lo).norm();
  d.lo = lo;
  d.hi = hi;

  // the skin: the body on a coarse grid. On CT, where the blocks average above -400 HU (then the
  // largest connected part: not the table); otherwise everything labelled. Then what that encloses
  // in each slice.
  const Box& skinBox = boxes[static_cast<std::size_t>(imaging::labels::kSkin)];
  const imaging::Image<float>* ct =
    options.ct != nullptr && options.ct->geometry().size == g.size ? options.ct : nullptr;
  if (options.withSkin && (ct != nullptr || skinBox.count > 0)) {
    std::array<int, 3> f{}, n{};
    for (int a = 0; a < 3; ++a) {
      f[a] = std::max(1, static_cast<int>(std::lround(options.skinGridMm / g.spacing[a])));
      n[a] =
        static_cast<int>((g.size[a] + static_cast<std::size_t>(f[a]) - 1) / static_cast<std::size_t>(f[a]));
    }
    // slices across the axis closest to head-foot: a body cut by the field of view stays closed there
    int axial = 2;
    for (int a = 0; a < 3; ++a) {
      if (std::abs(g.direction(2, a)) > std::abs(g.direction(2, axial))) {
        axial = a;
      }
    }
    std::vector<std::uint8_t> coarse(static_cast<std::size_t>(n[0]) * n[1] * n[2], 0);
    auto at = [&](int i, int j, int k) -> std::uint8_t& {
      return coarse[(static_cast<std::size_t>(k) * n[1] + j) * n[0] + i];
    };
    std::size_t marked = 0;
    if (ct != nullptr) {
      std::vector<float> sum(coarse.size(), 0.0f);
      std::vector<std::uint32_t> count(coarse.size(), 0);
      const auto& hu = ct->voxels();
      for (std::size_t k = 0, idx = 0; k < g.size[2]; ++k) {
        for (std::size_t j = 0; j < g.size[1]; ++j) {
          for (std::size_t i = 0; i < g.size[0]; ++i, ++idx) {
            const std::size_t c = (static_cast<std::size_t>(static_cast<int>(k) / f[2]) * n[1] +
                                   static_cast<std::size_t>(static_cast<int>(j) / f[1])) *
                                    n[0] +
                                  static_cast<std::size_t>(static_cast<int>(i) / f[0]);
            sum[c] += hu[idx];
            ++count[c];
          }
        }
      }
      for (std::size_t c = 0; c < coarse.size(); ++c) {
        coarse[c] = count[c] > 0 && sum[c] / static_cast<float>(count[c]) > -400.0f ? 1 : 0;
        marked += coarse[c];
      }
    } else {
      for (std::size_t k = 0, idx = 0; k < g.size[2]; ++k) {
        for (std::size_t j = 0; j < g.size[1]; ++j) {
          for (std::size_t i = 0; i < g.size[0]; ++i, ++idx) {
            if (v[idx] != 0) {
              at(static_cast<int>(i) / f[0], static_cast<int>(j) / f[1], static_cast<int>(k) / f[2]) = 1;
            }
          }
        }
      }
      marked = static_cast<std::size_t>(std::count(coarse.begin(), coarse.end(), 1));
    }
    tick(0.85);
    // outside: reached from the slice's border through empty cells (2D flood in each slice)
    const int u = axial == 0 ? 1 : 0, w = axial == 2 ? 1 : 2;
    std::vector<int> stack;
    for (int s = 0; s < n[axial]; ++s) {
      auto cell = [&](int a, int b) -> std::uint8_t& {
        int p[3];
        p[axial] = s;
        p[u] = a;
        p[w] = b;
        return at(p[0], p[1], p[2]);
      };
      std::vector<std::uint8_t> outside(static_cast<std::size_t>(n[u]) * n[w], 0);
      auto push = [&](int a, int b) {
        if (a >= 0 && b >= 0 && a < n[u] && b < n[w] && !outside[static_cast<std::size_t>(b) * n[u] + a] &&
            cell(a, b) == 0) {
          outside[static_cast<std::size_t>(b) * n[u] + a] = 1;
          stack.push_back(b * n[u] + a);
        }
      };
      for (int a = 0; a < n[u]; ++a) {
        push(a, 0);
        push(a, n[w] - 1);
      }
      for (int b = 0; b < n[w]; ++b) {
        push(0, b);
        push(n[u] - 1, b);
      }
      while (!stack.empty()) {
        const int p = stack.back();
        stack.pop_back();
        const int a = p % n[u], b = p / n[u];
        push(a - 1, b);
        push(a + 1, b);
        push(a, b - 1);
        push(a, b + 1);
      }
      for (int b = 0; b < n[w]; ++b) {
        for (int a = 0; a < n[u]; ++a) {
          cell(a, b) = outside[static_cast<std::size_t>(b) * n[u] + a] ? 0 : 1;
        }
      }
    }
    if (ct != nullptr) {
      keepLargestComponent(coarse, n);
    }
    // a body outline that the flood ran through (the field of view cuts the body, a cropped slab)
    // encloses nothing: no skin rather than a false one
    const auto filled = static_cast<std::size_t>(std::count(coarse.begin(), coarse.end(), 1));
    const bool closed = ct != nullptr || filled >= marked + marked / 2;
    auto body = vtkSmartPointer<vtkImageData>::New();
    // pad by one empty cell all round so that the surface closes at the field of view's edges
    body->SetDimensions(n[0] + 2, n[1] + 2, n[2] + 2);
    body->SetSpacing(f[0] * g.spacing[0], f[1] * g.spacing[1], f[2] * g.spacing[2]);
    body->SetOrigin(-f[0] * g.spacing[0], -f[1] * g.spacing[1], -f[2] * g.spacing[2]);
    body->AllocateScalars(VTK_UNSIGNED_CHAR, 1);
    auto* out = static_cast<std::uint8_t*>(body->GetScalarPointer());
    std::fill_n(out, static_cast<std::size_t>(n[0] + 2) * (n[1] + 2) * (n[2] + 2), 0);
    for (int k = 0; k < n[2]; ++k) {
      for (int j = 0; j < n[1]; ++j) {
        for (int i = 0; i < n[0]; ++i) {
          out[(static_cast<std::size_t>(k + 1) * (n[1] + 2) + (j + 1)) * (n[0] + 2) + (i + 1)] =
            at(i, j, k) ? 255 : 0;
        }
      }
    }
    if (closed) {
      d.skin = contour(body, 128, false, options.skinDetailMm, transform, 10);
    }
  }
  tick(1.0);
  return result;
}

std::array<double, 3> leadColour(std::size_t lead)
{
  static const std::array<double, 3> colours[] = {
    { 1.0, 0.84, 0.0 }, { 0.0, 0.86, 0.47 }, { 1.0, 0.47, 1.0 }, { 0.0, 0.78, 1.0 }
  };
  return colours[lead % 4];
}

// ---- the scene -----------------------------------------------------------------------------------

namespace
{

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
  std::vector<vtkSmartPointer<vtkProp>> anatomy, ganglia, plan, cursor, names, foramina;
  vtkSmartPointer<vtkActor> skin, labelGanglia, bone;
  vtkSmartPointer<vtkVolume> boneVolume;
  bool namesVisible = true, skinVisible = true, hasEstimates = false;

  void replace(std::vector<vtkSmartPointer<vtkProp>>& props, std::vector<vtkSmartPointer<vtkProp>> now)
  {
    for (auto& p : props) {
      renderer->RemoveViewProp(p);
    }
    props = std::move(now);
    for (auto& p : props) {
      renderer->AddViewProp(p);
    }
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
  for (auto* list : { &m->anatomy, &m->ganglia, &m->plan, &m->cursor, &m->names, &m->foramina }) {
    m->replace(*list, {});
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
      vtkNew<vtkBillboardTextActor3D> text;
      text->SetInput(n.text.c_str());
      double position[3] = { n.position.x(), n.position.y(), n.position.z() };
      text->SetPosition(position);
      text->GetTextProperty()->SetFontSize(16);
      text->GetTextProperty()->SetBold(true);
      text->GetTextProperty()->SetColor(n.colour[0] / 255.0, n.colour[1] / 255.0, n.colour[2] / 255.0);
      text->GetTextProperty()->SetJustificationToRight(); // ends at the vertebra (seen from behind)
      text->GetTextProperty()->SetVerticalJustificationToCentered();
      text->SetVisibility(m->namesVisible);
      names.push_back(text);
    }
  }
  m->replace(m->anatomy, std::move(props));
  m->replace(m->names, std::move(names));
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
  std::vector<vtkSmartPointer<vtkProp>> props;
  const std::array<double, 3> steel{ 0.75, 0.77, 0.80 }, contact{ 0.85, 0.86, 0.90 };
  for (std::size_t i = 0; i < plan.leads.size(); ++i) {
    const auto& l = plan.leads[i];
    if (!l.planned) {
      continue;
    }
    std::array<double, 3> colour = leadColour(i);
    if (selected >= 0 && static_cast<std::size_t>(selected) != i) {
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
    // the lead: anchor - along the needle track - epidural route - tip
    std::vector<Eigen::Vector3d> path{ l.anchor, l.epiduralEntry };
    path.insert(path.end(), l.route.begin(), l.route.end());
    props.push_back(tube(path, leadD, colour));
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
    anchor->SetRadius(2.0);
    vtkNew<vtkPolyDataMapper> anchorMapper;
    anchorMapper->SetInputConnection(anchor->GetOutputPort());
    vtkNew<vtkActor> anchorActor;
    anchorActor->SetMapper(anchorMapper);
    anchorActor->GetProperty()->SetColor(0.95, 0.95, 0.95);
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
