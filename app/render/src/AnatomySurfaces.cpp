// The anatomy of a case as surfaces: every vertebra, rib, ilium and ganglion label, and the skin.
#include "AnatomySurfacesData.h"
#include "LabelContour.h"
#include "SkinSurface.h"
#include "VtkGeometry.h"

#include "drg/imaging/AnatomyLabels.h"
#include "drg/imaging/Error.h"

#include <vtkAppendPolyData.h>
#include <vtkNew.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

namespace drg::render
{

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

using Tick = std::function<void(double)>;

bool isBone(int label)
{
  return (label >= 1 && label <= 12) || (label >= 61 && label <= 69) ||
         (label >= imaging::labels::kRibBase && label < imaging::labels::kRibBase + 10) ||
         label == imaging::labels::kIliumLeft || label == imaging::labels::kIliumRight;
}

/// One pass over `labels`: the bounding box and centroid of every label (indexed by label value).
std::vector<LabelBox> labelBoxes(const imaging::Image<std::uint8_t>& labels, const Tick& tick)
{
  const auto& g = labels.geometry();
  std::vector<LabelBox> boxes(256);
  const auto& v = labels.voxels();
  for (std::size_t k = 0, idx = 0; k < g.size[2]; ++k) {
    for (std::size_t j = 0; j < g.size[1]; ++j) {
      for (std::size_t i = 0; i < g.size[0]; ++i, ++idx) {
        const std::uint8_t l = v[idx];
        if (l == 0) {
          continue;
        }
        LabelBox& b = boxes[l];
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
  return boxes;
}

/// Contours every bone and ganglion label of `labels` into `d` (the bone and the ganglia merged, each
/// structure as a part, the vertebrae's names placed beside them) and sets the bone's bounding box
/// (the whole grid's when there is no bone).
void addStructureSurfaces(const imaging::Image<std::uint8_t>& labels, const std::vector<LabelBox>& boxes,
                          const std::map<int, std::string>& names, const SurfaceOptions& options,
                          vtkTransform* transform, const Tick& tick, AnatomySurfaces::Data& d)
{
  const auto& g = labels.geometry();
  vtkNew<vtkAppendPolyData> bone, ganglia;
  int boneParts = 0, gangliaParts = 0;
  Eigen::Vector3d lo = Eigen::Vector3d::Constant(1e9), hi = Eigen::Vector3d::Constant(-1e9);
  for (int l = 1; l < 256; ++l) {
    const LabelBox& b = boxes[static_cast<std::size_t>(l)];
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
    std::string name =
      names.count(l) ? names.at(l) : (vertebra ? imaging::labels::vertebraLevelOfLabel(l) : "");
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
  const Tick tick = [&](double f) {
    if (progress && !progress(f)) {
      throw Error(ErrorCode::Cancelled, "cancelled");
    }
  };
  const std::vector<LabelBox> boxes = labelBoxes(labels, tick);
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
  addStructureSurfaces(labels, boxes, names, options, transform, tick, d);

  // the skin, when there is a CT of the labels' grid or a skin label
  const LabelBox& skinBox = boxes[static_cast<std::size_t>(imaging::labels::kSkin)];
  const imaging::Image<float>* ct =
    options.ct != nullptr && options.ct->geometry().size == g.size ? options.ct : nullptr;
  if (options.withSkin && (ct != nullptr || skinBox.count > 0)) {
    d.skin = buildSkinSurface(labels, ct, options, transform, tick);
  }
  tick(1.0);
  return result;
}

} // namespace drg::render
