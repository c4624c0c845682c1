// Holes of the vertebra labels filled (marrow the growth skipped, on the working grid and on the
// input's), and on T2 each vertebra kept within its reach along the canal.
#include "spine/SpineAnalysis.h"

#include "ParallelFor.h"
#include "spine/SliceMorphology.h"
#include "spine/SpineTuning.h"

#include <algorithm>
#include <cmath>

namespace drg::imaging::spine
{

/// Largest region (mm2 in a slice) a vertebra's label may enclose behind the body and still be taken
/// as its marrow: a few times a lamina's or a spinous process's marrow space; in the body any region
/// up to a lumbar body's whole section (about 1500-2000 mm2) is marrow: nothing else lies inside it.
constexpr double kMaxEnclosedHoleMm2 = 150.0, kMaxBodyHoleMm2 = 2000.0;
/// A hole this far in front of the canal's centre (mm) lies in the vertebral body.
constexpr double kBodyInFrontOfCanalMm = 10.0;

void SpineAnalysis::fillVertebraHoles()
{
  const WorkGrid& g = m_work.grid;
  // the canal's centre in each slice: the arch encloses the canal too, which is not marrow
  std::vector<std::vector<std::uint32_t>> canalAt(static_cast<std::size_t>(g.nz));
  std::vector<const CentrelinePoint*> frameAt(static_cast<std::size_t>(g.nz), nullptr);
  for (const auto& p : m_line) {
    const Vector3d c = g.continuousIndex(p.centre);
    const int i = static_cast<int>(std::lround(c.x())), j = static_cast<int>(std::lround(c.y())),
              k = static_cast<int>(std::lround(c.z()));
    if (g.inside(i, j, k)) {
      canalAt[static_cast<std::size_t>(k)].push_back(static_cast<std::uint32_t>(i + g.nx * j));
      frameAt[static_cast<std::size_t>(k)] = &p;
    }
  }
  parallelFor(static_cast<std::size_t>(g.nz), [&](std::size_t kk) {
    const int k = static_cast<int>(kk);
    const std::size_t n = static_cast<std::size_t>(g.nx) * static_cast<std::size_t>(g.ny);
    std::uint8_t* slice = m_labels.data() + g.index(0, 0, k);
    std::vector<std::uint8_t> present(256, 0);
    for (std::size_t p = 0; p < n; ++p) {
      present[slice[p]] = 1;
    }
    std::vector<std::uint8_t> outside(n), barrier(n);
    std::vector<std::uint32_t> stack;
    for (int label = 1; label < 256; ++label) {
      if (!present[static_cast<std::size_t>(label)] || label == labels::kSpinalCanal) {
        continue;
      }
      // flood from the slice border around this label's ring; what stays unreached is enclosed
      ringOf(slice, g.nx, g.ny, label, barrier);
      auto flood = [&](std::uint8_t mark, const auto& passable) {
        flood4(g.nx, g.ny, outside, stack, mark, passable);
      };
      std::fill(outside.begin(), outside.end(), 0);
      stack.clear();
      for (int i = 0; i < g.nx; ++i) {
        for (int j : { 0, g.ny - 1 }) {
          std::size_t p = static_cast<std::size_t>(i) + static_cast<std::size_t>(g.nx) * j;
          if (!barrier[p] && !outside[p]) {
            outside[p] = 1;
            stack.push_back(static_cast<std::uint32_t>(p));
          }
        }
      }
      for (int j = 0; j < g.ny; ++j) {
        for (int i : { 0, g.nx - 1 }) {
          std::size_t p = static_cast<std::size_t>(i) + static_cast<std::size_t>(g.nx) * j;
          if (!barrier[p] && !outside[p]) {
            outside[p] = 1;
            stack.push_back(static_cast<std::uint32_t>(p));
          }
        }
      }
      flood(1, [&](std::size_t q) { return !barrier[q]; });
      // marrow only: the canal (CSF, fat) is enclosed by the neural arch too. The enclosed
      // region holding the canal's centre keeps only what is as bright as marrow; other enclosed
      // regions are marrow whatever their value (fatty marrow of older patients reads 20-60 HU)
      const float* values = m_work.values.data() + g.index(0, 0, k);
      for (std::uint32_t c : canalAt[kk]) {
        if (outside[c] || slice[c] != 0) {
          continue;
        }
        stack.assign(1, c);
        outside[c] = 2; // the canal's enclosed region
        flood(2, [&](std::size_t q) { return slice[q] == 0; });
      }
      const CentrelinePoint* frame = frameAt[kk];
      for (std::size_t p = 0; p < n; ++p) {
        if (outside[p] == 1 || slice[p] != 0) {
          continue;
        }
        // fatty marrow only in the body (in front of the canal); between the processes
        // behind it an enclosed pocket is soft tissue unless as bright as marrow. MR: not in
        // front of the body's measured front (measureBodyFronts). The label's ring counts as
        // enclosed, so the fill also closes a two-pixel rim round the label (the later steps rely
        // on that rim); where viscera lie against a body and thick slices blur its lateral cortex,
        // the rim would join them to the body, hence the stop at the measured front.
        bool body = false;
        if (frame && outside[p] != 2) {
          const Vector3d q = g.lps(static_cast<int>(p % static_cast<std::size_t>(g.nx)),
                                   static_cast<int>(p / static_cast<std::size_t>(g.nx)), k);
          body = (q - frame->centre).dot(frame->anterior) > 10.0;
        }
        const std::size_t idx = g.index(0, 0, k) + p;
        if (values[p] >= (body ? kFattyMarrowHu : kCanalMaxMeanHu) && allowedByDiscs(idx, label) &&
            !(m_mr && body && !m_bodyFront.empty() &&
              anteriorOf(idx) > m_bodyFront[static_cast<std::size_t>(label)])) {
          slice[p] = static_cast<std::uint8_t>(label);
        }
      }
    }
  });
  fillBodyHolesAcrossCanal();
}

void SpineAnalysis::fillBodyHolesAcrossCanal()
{
  const WorkGrid& g = m_work.grid;
  const double h = g.h;
  // the body's section: beside the canal to beyond the widest body, and from inside the canal
  // (open to the window's edge, so the canal is never enclosed) to beyond the deepest body
  const int nu = static_cast<int>(std::lround(90.0 / h)) + 1,
            nv = static_cast<int>(std::lround(74.0 / h)) + 1;
  const std::size_t n = static_cast<std::size_t>(nu) * static_cast<std::size_t>(nv);
  constexpr std::size_t kNone = static_cast<std::size_t>(-1);
  const int s1 = labels::vertebraLabel("S1"), sacrum = labels::vertebraLabel("sacrum");
  // planes from 10 mm above S1's endplate down (a tilted plane above it still crosses its body)
  std::size_t from = m_line.size();
  for (const auto& seg : m_segments) {
    if (seg.label == s1 || seg.label == sacrum) {
      from = std::min(from, static_cast<std::size_t>(std::max(0, seg.run.first - 10)));
    }
  }
  std::vector<std::vector<std::pair<std::size_t, std::uint8_t>>> fills(m_line.size());
  parallelFor(m_line.size() - from, [&](std::size_t t) {
    const std::size_t ln = from + t;
    const CentrelinePoint& p = m_line[ln];
    std::vector<std::size_t> voxel(n, kNone);
    std::vector<std::uint8_t> lab(n, 0);
    std::vector<std::uint8_t> present(256, 0);
    for (int b = 0; b < nv; ++b) {
      for (int a = 0; a < nu; ++a) {
        const Vector3d c = g.continuousIndex(p.at(-45.0 + a * h, -4.0 + b * h));
        const int i = static_cast<int>(std::lround(c.x())), j = static_cast<int>(std::lround(c.y())),
                  k = static_cast<int>(std::lround(c.z()));
        if (!g.inside(i, j, k)) {
          continue;
        }
        const std::size_t s = static_cast<std::size_t>(a) + static_cast<std::size_t>(nu) * b;
        voxel[s] = g.index(i, j, k);
        lab[s] = m_labels[voxel[s]];
        present[lab[s]] = 1;
      }
    }
    std::vector<std::uint8_t> barrier(n), outside(n);
    std::vector<std::uint32_t> stack;
    for (int label = 1; label < 256; ++label) {
      if (!present[static_cast<std::size_t>(label)] || (label != s1 && label != sacrum)) {
        continue;
      }
      // as in the axial slices: the label grown by two pixels is the wall, what the window's
      // edge (or a pixel outside the image) does not reach through it is enclosed
      ringOf(lab.data(), nu, nv, label, barrier);
      const int reach = kRingReach;
      std::fill(outside.begin(), outside.end(), 0);
      stack.clear();
      for (int b = 0; b < nv; ++b) {
        for (int a = 0; a < nu; ++a) {
          const std::size_t s = static_cast<std::size_t>(a) + static_cast<std::size_t>(nu) * b;
          const bool edge = a == 0 || b == 0 || a == nu - 1 || b == nv - 1 || voxel[s] == kNone;
          if (edge && !barrier[s]) {
            outside[s] = 1;
            stack.push_back(static_cast<std::uint32_t>(s));
          }
        }
      }
      flood4(nu, nv, outside, stack, 1, [&](std::size_t q) { return !barrier[q]; });
      // the enclosed core (marked 2), grown back by the wall's two pixels within the label's ring
      // (marrow along the cortex; tissue just outside the cortex is no marrow): from here on,
      // `outside` marks what is enclosed
      for (std::size_t s = 0; s < n; ++s) {
        outside[s] = outside[s] || barrier[s] ? 0 : 2;
      }
      for (int r = 1; r <= reach; ++r) {
        for (int b = 0; b < nv; ++b) {
          for (int a = 0; a < nu; ++a) {
            const std::size_t s = static_cast<std::size_t>(a) + static_cast<std::size_t>(nu) * b;
            if (outside[s] || lab[s] == label) {
              continue;
            }
            for (int db = -1; db <= 1 && !outside[s]; ++db) {
              for (int da = -1; da <= 1; ++da) {
                const int aa = a + da, bb = b + db;
                if (aa >= 0 && bb >= 0 && aa < nu && bb < nv &&
                    outside[static_cast<std::size_t>(aa) + static_cast<std::size_t>(nu) * bb] == r + 1) {
                  outside[s] = static_cast<std::uint8_t>(r + 2);
                  break;
                }
              }
            }
          }
        }
      }
      // only in front of the canal (as the axial fill's fatty marrow: the body, not the arch)
      for (int b = 0; b < nv; ++b) {
        const double v = -4.0 + b * h;
        if (v <= 10.0) {
          continue;
        }
        for (int a = 0; a < nu; ++a) {
          const std::size_t s = static_cast<std::size_t>(a) + static_cast<std::size_t>(nu) * b;
          if (!outside[s] || lab[s] != 0 || voxel[s] == kNone) {
            continue;
          }
          if (m_work.values[voxel[s]] >= kFattyMarrowHu && allowedByDiscs(voxel[s], label)) {
            fills[ln].emplace_back(voxel[s], static_cast<std::uint8_t>(label));
          }
        }
      }
    }
  });
  // applied in centreline order (a voxel two planes share goes to the upper plane's body)
  for (const auto& f : fills) {
    for (const auto& [q, label] : f) {
      if (m_labels[q] == 0) {
        m_labels[q] = label;
      }
    }
  }
}

void SpineAnalysis::fillMarrowHoles(Image<std::uint8_t>::Buffer& out) const
{
  // marrow a vertebra encloses in a slice of the input is the vertebra's: in the body whatever its
  // value (fatty marrow, the basivertebral veins), behind it only as bright as marrow (between a
  // rib's neck and its transverse process lies soft tissue; on T2 only in the body). The slices are
  // the input's own (sagittal ones for a sagittal series): a body's section is within the larger
  // limit in any plane, and what lies behind the canal is judged by its value first.
  const ImageGeometry& ig = m_input.geometry();
  const double pixelMm2 = ig.spacing[0] * ig.spacing[1];
  const auto& values = m_input.voxels();
  auto marrow = [&](std::size_t k, const std::vector<std::size_t>& region) {
    double sum = 0;
    Vector3d centre(0, 0, 0);
    for (std::size_t q : region) {
      sum += std::isfinite(values[q]) ? values[q] : 0.0;
      centre += Vector3d(static_cast<double>(q % ig.size[0]),
                         static_cast<double>((q / ig.size[0]) % ig.size[1]), static_cast<double>(k));
    }
    const Vector3d at = ig.indexToLps(centre / static_cast<double>(region.size()));
    const int line = nearestLineIndex(at);
    const CentrelinePoint& near = m_line[static_cast<std::size_t>(line)];
    const bool body = (at - near.centre).dot(near.anterior) > kBodyInFrontOfCanalMm;
    const double area = static_cast<double>(region.size()) * pixelMm2;
    return body ? area <= kMaxBodyHoleMm2
                : (area <= kMaxEnclosedHoleMm2 && !m_mr &&
                   sum / static_cast<double>(region.size()) >= kCanalMaxMeanHu);
  };
  fillEnclosedHoles(out.data(), ig.size[0], ig.size[1], ig.size[2], vertebraLabels(),
                    static_cast<std::size_t>(kMaxBodyHoleMm2 / pixelMm2) + 1, marrow);
}

} // namespace drg::imaging::spine
