// T2 MR only: the label map's thin processes grown at the input's resolution and its cortex fitted.
#include "spine/SliceMorphology.h"
#include "spine/SpineAnalysis.h"

#include "ParallelFor.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <queue>

namespace drg::imaging::spine
{

void SpineAnalysis::growThinProcessesOnT2(Image<std::uint8_t>::Buffer& out,
                                          const std::array<bool, 256>& isVertebra,
                                          const std::array<float, 256>& lo,
                                          const std::array<float, 256>& hi) const
{
  const ImageGeometry& ig = m_input.geometry();
  const WorkGrid& g = m_work.grid;
  const auto& values = m_input.voxels();
  const long nx = static_cast<long>(ig.size[0]), ny = static_cast<long>(ig.size[1]),
             nz = static_cast<long>(ig.size[2]);
  constexpr double kReachMm = 15.0;
  std::array<bool, 256> grows{};
  for (std::size_t l = 1; l < 256; ++l) {
    const std::string level = labels::vertebraLevelOfLabel(static_cast<int>(l));
    grows[l] = isVertebra[l] && std::isfinite(lo[l]) && level != "S1" && level != "sacrum";
  }
  // where a voxel may be taken: behind the body's back wall (5 mm in front of the canal's
  // centre in its slice), outside the canal's neighbourhood and the foramina
  auto allowed = [&](std::size_t idx) {
    const long i = static_cast<long>(idx % static_cast<std::size_t>(nx));
    const long j = static_cast<long>((idx / static_cast<std::size_t>(nx)) % static_cast<std::size_t>(ny));
    const long k = static_cast<long>(idx / static_cast<std::size_t>(nx * ny));
    const Vector3d p =
      ig.indexToLps(Vector3d(static_cast<double>(i), static_cast<double>(j), static_cast<double>(k)));
    const Vector3d c = g.continuousIndex(p);
    const int wi = static_cast<int>(std::lround(c.x())), wj = static_cast<int>(std::lround(c.y())),
              wk = static_cast<int>(std::lround(c.z()));
    if (!g.inside(wi, wj, wk)) {
      return false;
    }
    const Vector3d& centre = m_sliceCentre[static_cast<std::size_t>(wk)];
    const Vector3d& a = m_sliceAnterior[static_cast<std::size_t>(wk)];
    if (std::isnan(centre.x()) || (p.x() - centre.x()) * a.x() + (p.y() - centre.y()) * a.y() >= 5.0) {
      return false;
    }
    // nor within 5 mm of the canal's centre: the chain misses slices where the CSF round the
    // thoracic cord is thin, and the canal's label with them; there the growth ran from the
    // lamina into the cord, which is marrow-like on T2
    if (std::hypot(p.x() - centre.x(), p.y() - centre.y()) < 5.0) {
      return false;
    }
    if (!m_foramenSpace.empty() && m_foramenSpace[g.index(wi, wj, wk)]) {
      return false;
    }
    return !labelAround(p, [](std::uint8_t l) { return l == labels::kSpinalCanal; });
  };
  struct Step
  {
    double mm;
    std::size_t idx;
    std::uint8_t label;
    bool operator>(const Step& o) const { return mm > o.mm; }
  };
  std::priority_queue<Step, std::vector<Step>, std::greater<Step>> queue;
  std::array<std::size_t, 256> volume{};
  const std::size_t sy = static_cast<std::size_t>(nx), sz = static_cast<std::size_t>(nx * ny);
  for (long k = 0; k < nz; ++k) {
    for (long j = 0; j < ny; ++j) {
      for (long i = 0; i < nx; ++i) {
        const std::size_t idx = static_cast<std::size_t>(i + nx * (j + ny * k));
        const std::uint8_t l = out[idx];
        if (!isVertebra[l]) {
          continue;
        }
        ++volume[l];
        // seeds: the surface voxels of the vertebrae that grow
        const bool surface = i == 0 || j == 0 || k == 0 || i + 1 == nx || j + 1 == ny || k + 1 == nz ||
                             out[idx - 1] != l || out[idx + 1] != l || out[idx - sy] != l ||
                             out[idx + sy] != l || out[idx - sz] != l || out[idx + sz] != l;
        if (grows[l] && surface) {
          queue.push({ 0.0, idx, l });
        }
      }
    }
  }
  std::array<std::vector<std::size_t>, 256> added;
  while (!queue.empty()) {
    const Step s = queue.top();
    queue.pop();
    if (s.mm > 0.0) {
      if (out[s.idx] != 0) {
        continue; // taken already, by a nearer front
      }
      out[s.idx] = s.label;
      added[s.label].push_back(s.idx);
    }
    const long i = static_cast<long>(s.idx % sy),
               j = static_cast<long>((s.idx / sy) % static_cast<std::size_t>(ny)),
               k = static_cast<long>(s.idx / sz);
    forEachFace(i, j, k, nx, ny, nz, [&](std::size_t q, int axis) {
      const double mm = s.mm + ig.spacing[axis];
      const float x = values[q];
      if (mm <= kReachMm && out[q] == 0 && x >= lo[s.label] && x <= hi[s.label] && allowed(q)) {
        queue.push({ mm, q, s.label });
      }
    });
  }
  for (std::size_t l = 1; l < 256; ++l) {
    if (added[l].size() > volume[l] / 4) {
      for (std::size_t q : added[l]) {
        out[q] = 0;
      }
    }
  }
}

void SpineAnalysis::fitCortexOnT2(Image<std::uint8_t>::Buffer& out) const
{
  const ImageGeometry& ig = m_input.geometry();
  const auto& values = m_input.voxels();
  const LabelSet& isVertebra = vertebraLabels();
  const std::array<double, 256> inner = innerMedians(out, isVertebra);
  std::array<float, 256> lo, hi;
  std::array<bool, 256> fitted{};
  for (std::size_t l = 0; l < 256; ++l) {
    fitted[l] = isVertebra[l] && inner[l] > 0.0; // (NaN: not measured; zero: padding)
    lo[l] = fitted[l] ? static_cast<float>(0.7 * inner[l]) : NAN;
    hi[l] = fitted[l] ? static_cast<float>(1.4 * inner[l]) : NAN;
  }
  const long nx = static_cast<long>(ig.size[0]), ny = static_cast<long>(ig.size[1]),
             nz = static_cast<long>(ig.size[2]);
  auto marrow = [&](std::size_t idx, std::uint8_t l) { return values[idx] >= lo[l] && values[idx] <= hi[l]; };
  // drop, from outside in, the voxels of a vertebra that are not marrow and touch none of it
  std::vector<std::uint8_t> loose(out.size(), 0);
  parallelFor(ig.size[2], [&](std::size_t kk) {
    const long k = static_cast<long>(kk);
    for (long j = 0; j < ny; ++j) {
      for (long i = 0; i < nx; ++i) {
        const std::size_t idx = static_cast<std::size_t>(i + nx * (j + ny * k));
        const std::uint8_t l = out[idx];
        if (!fitted[l] || std::isnan(values[idx]) || marrow(idx, l)) {
          continue;
        }
        bool touches = false;
        forEachFace(i, j, k, nx, ny, nz,
                    [&](std::size_t q, int) { touches = touches || (out[q] == l && marrow(q, l)); });
        loose[idx] = touches ? 0 : 1;
      }
    }
  });
  std::vector<std::size_t> stack;
  for (long k = 0; k < nz; ++k) {
    for (long j = 0; j < ny; ++j) {
      for (long i = 0; i < nx; ++i) {
        const std::size_t idx = static_cast<std::size_t>(i + nx * (j + ny * k));
        if (!loose[idx]) {
          continue;
        }
        bool reached = i == 0 || j == 0 || k == 0 || i + 1 == nx || j + 1 == ny || k + 1 == nz;
        forEachFace(i, j, k, nx, ny, nz,
                    [&](std::size_t q, int) { reached = reached || out[q] != out[idx]; });
        if (reached) {
          stack.push_back(idx);
        }
      }
    }
  }
  while (!stack.empty()) { // (a voxel is dropped once: loose is cleared as it goes)
    const std::size_t idx = stack.back();
    stack.pop_back();
    if (!loose[idx]) {
      continue;
    }
    loose[idx] = 0;
    const std::uint8_t l = out[idx];
    out[idx] = 0;
    const long i = static_cast<long>(idx % static_cast<std::size_t>(nx)),
               j = static_cast<long>((idx / static_cast<std::size_t>(nx)) % static_cast<std::size_t>(ny)),
               k = static_cast<long>(idx / static_cast<std::size_t>(nx * ny));
    forEachFace(i, j, k, nx, ny, nz, [&](std::size_t q, int) {
      if (loose[q] && out[q] == l) {
        stack.push_back(q);
      }
    });
  }
  growThinProcessesOnT2(out, isVertebra, lo, hi);
  // the cortex outside: unlabelled dark voxels beside a vertebra whose centres lie within 1 mm of
  // its edge, along each axis (a pass steps along an axis while the voxel's centre stays within
  // 1 mm: one voxel at 0.8-2 mm, two at 0.5 mm; so thick slices keep the thin processes' cortex
  // across them too, without which the centroids move forward)
  const double finest = ig.spacing.minCoeff();
  const int passes = std::max(1, static_cast<int>(std::floor(1.0 / finest + 0.5 + 1e-6)));
  for (int pass = 0; pass < passes; ++pass) {
    std::array<bool, 3> along;
    for (int a = 0; a < 3; ++a) {
      along[static_cast<std::size_t>(a)] =
        (pass + 0.5) * ig.spacing[a] <= 1.0 + 1e-6 || (pass == 0 && ig.spacing[a] <= finest + 1e-6);
    }
    Image<std::uint8_t>::Buffer grown = out;
    parallelFor(ig.size[2], [&](std::size_t kk) {
      const long k = static_cast<long>(kk);
      for (long j = 0; j < ny; ++j) {
        for (long i = 0; i < nx; ++i) {
          const std::size_t idx = static_cast<std::size_t>(i + nx * (j + ny * k));
          if (out[idx] != 0 || std::isnan(values[idx])) {
            continue;
          }
          forEachFace(i, j, k, nx, ny, nz, [&](std::size_t q, int axis) {
            const std::uint8_t l = out[q];
            if (along[static_cast<std::size_t>(axis)] && grown[idx] == 0 && fitted[l] &&
                values[idx] < lo[l]) {
              grown[idx] = l;
            }
          });
        }
      }
    });
    out.swap(grown);
  }
}

} // namespace drg::imaging::spine
