// The skin (body outline) and the landmarks for pocket planning.
#include "spine/SpineAnalysis.h"

#include "ParallelFor.h"
#include "Trilinear.h"
#include "spine/SpineTuning.h"

#include <algorithm>
#include <cmath>
#include <functional>

namespace drg::imaging::spine
{

double SpineAnalysis::sampleInput(const ImageGeometry& ig, const Vector3d& p) const
{
  const Vector3d c = ig.lpsToIndex(p);
  for (int a = 0; a < 3; ++a) {
    if (!(c[a] >= 0.0 && c[a] <= static_cast<double>(ig.size[static_cast<std::size_t>(a)]) - 1.0)) {
      return NAN;
    }
  }
  return trilinear(m_input, c);
}

void SpineAnalysis::findSkinAndLandmarks(SpineModel& model)
{
  const WorkGrid& g = m_work.grid;
  // inside the body: CT above -400 HU; MR above a tenth of the CSF signal; holes (gas, lung) filled
  m_body.assign(g.count(), 0);
  const WorkVolume& signal = m_mr ? m_raw : m_work;
  const double inside = m_mr ? 0.1 * m_csf : kBodyHu;
  parallelFor(static_cast<std::size_t>(g.nz), [&](std::size_t kk) {
    const int k = static_cast<int>(kk);
    const std::size_t n = static_cast<std::size_t>(g.nx) * static_cast<std::size_t>(g.ny);
    const float* v = signal.values.data() + g.index(0, 0, k);
    std::vector<std::uint8_t> outside(n, 0);
    std::vector<std::uint32_t> stack;
    auto push = [&](std::size_t p) {
      if (!outside[p] && !(v[p] > inside)) {
        outside[p] = 1;
        stack.push_back(static_cast<std::uint32_t>(p));
      }
    };
    for (int i = 0; i < g.nx; ++i) {
      push(static_cast<std::size_t>(i));
      push(static_cast<std::size_t>(i) + static_cast<std::size_t>(g.nx) * (g.ny - 1));
    }
    for (int j = 0; j < g.ny; ++j) {
      push(static_cast<std::size_t>(g.nx) * j);
      push(static_cast<std::size_t>(g.nx - 1) + static_cast<std::size_t>(g.nx) * j);
    }
    while (!stack.empty()) {
      const std::uint32_t p = stack.back();
      stack.pop_back();
      const int i = static_cast<int>(p % static_cast<std::uint32_t>(g.nx)),
                j = static_cast<int>(p / static_cast<std::uint32_t>(g.nx));
      if (i > 0)
        push(p - 1);
      if (i + 1 < g.nx)
        push(p + 1);
      if (j > 0)
        push(p - static_cast<std::uint32_t>(g.nx));
      if (j + 1 < g.ny)
        push(p + static_cast<std::uint32_t>(g.nx));
    }
    std::uint8_t* b = m_body.data() + g.index(0, 0, k);
    for (std::size_t p = 0; p < n; ++p) {
      b[p] = outside[p] ? 0 : 1;
    }
  });
  auto bodyAt = [&](const Vector3d& p) {
    Vector3d c = g.continuousIndex(p);
    int i = static_cast<int>(std::lround(c.x())), j = static_cast<int>(std::lround(c.y())),
        k = static_cast<int>(std::lround(c.z()));
    return g.inside(i, j, k) && m_body[g.index(i, j, k)] != 0;
  };
  // skin point beside the midline: from the front (or back) towards the spine, the first body voxel
  auto skinPoint = [&](double z, double x, bool anterior) -> std::optional<Vector3d> {
    const double y0 = anterior ? g.origin.y() : g.origin.y() + (g.ny - 1) * g.h;
    const double step = anterior ? 0.5 : -0.5;
    for (double y = y0; anterior ? y <= g.origin.y() + (g.ny - 1) * g.h : y >= g.origin.y(); y += step) {
      if (bodyAt(Vector3d(x, y, z))) {
        return Vector3d(x, y, z);
      }
    }
    return std::nullopt;
  };
  const SpineVertebra* l5 = model.vertebra("L5");
  const SpineVertebra* s1 = model.vertebra("S1");
  const Vector3d mid = m_line[m_line.size() / 2].centre;
  for (double side : { 1.0, -1.0 }) {
    const std::string name = side > 0 ? "left" : "right";
    if (l5) {
      if (auto p = skinPoint(l5->bodyCentre.z(), l5->bodyCentre.x() + side * 70.0, true)) {
        model.landmarks.push_back({ "lower_abdominal_wall_" + name, *p });
      }
    }
    if (s1) {
      if (auto p = skinPoint(s1->bodyCentre.z() - 50.0, s1->bodyCentre.x() + side * 95.0, false)) {
        model.landmarks.push_back({ "upper_outer_buttock_" + name, *p });
      }
    }
  }
  // iliac wings and ribs: bone beside the spine, not part of a vertebra
  const SpineVertebra* l3 = model.vertebra("L3");
  const double crestCeiling = l3 ? l3->bodyCentre.z() + 10.0 : 1e9;
  std::array<std::optional<Vector3d>, 2> crestTop, asis, ribTip;
  // visits the bone voxels that belong to no vertebra, with their side (0 left, 1 right) and
  // their distance beside the spine
  auto forEachLooseBone = [&](const std::function<void(const Vector3d&, double, std::size_t)>& visit) {
    for (int k = 0; k < g.nz; ++k) {
      for (int j = 0; j < g.ny; ++j) {
        for (int i = 0; i < g.nx; ++i) {
          const std::size_t idx = g.index(i, j, k);
          if (!(m_work.values[idx] >= kBoneHu) ||
              (m_labels[idx] != 0 && m_labels[idx] != labels::kSpinalCanal)) {
            continue;
          }
          const Vector3d p = g.lps(i, j, k);
          const double dx = p.x() - mid.x();
          visit(p, std::abs(dx), dx > 0 ? 0 : 1);
        }
      }
    }
  };
  forEachLooseBone([&](const Vector3d& p, double beside, std::size_t sd) {
    if (beside >= 50.0 && s1 && p.z() < crestCeiling && p.z() > s1->bodyCentre.z() - 60.0 &&
        (!crestTop[sd] || p.z() > crestTop[sd]->z())) {
      crestTop[sd] = p;
    }
  });
  // ASIS: the front end of the crest (within 100 mm below its top, above the pubis); rib tips: the
  // lowest bone more than 60 mm out and 20 mm above the crest
  forEachLooseBone([&](const Vector3d& p, double beside, std::size_t sd) {
    if (crestTop[sd] && beside >= 50.0 && p.z() <= crestTop[sd]->z() && p.z() > crestTop[sd]->z() - 100.0 &&
        (!asis[sd] || p.y() < asis[sd]->y())) {
      asis[sd] = p;
    }
    const double floor = crestTop[sd] ? crestTop[sd]->z() + 20.0 : (l3 ? l3->bodyCentre.z() : -1e9);
    if (beside >= 60.0 && p.z() > floor && p.y() > mid.y() - 120.0 &&
        (!ribTip[sd] || p.z() < ribTip[sd]->z())) {
      ribTip[sd] = p;
    }
  });
  for (std::size_t sd = 0; sd < 2; ++sd) {
    const std::string name = sd == 0 ? "left" : "right";
    if (crestTop[sd]) {
      model.landmarks.push_back({ "iliac_crest_top_" + name, *crestTop[sd] });
    }
    if (asis[sd]) {
      model.landmarks.push_back({ "asis_" + name, *asis[sd] });
    }
    bool ribsSeen = false;
    for (const auto& seg : m_segments) {
      ribsSeen = ribsSeen || seg.ribs;
    }
    if (ribTip[sd] && ribsSeen) {
      model.landmarks.push_back({ "lowest_rib_tip_" + name, *ribTip[sd] });
    }
  }
}

} // namespace drg::imaging::spine
