// Vertebra growth: each body grown through the bone along geodesics, bounded by the discs' planes;
// the arches given to their own vertebra once the pedicles are measured.
#include "spine/SpineAnalysis.h"

#include "ParallelFor.h"
#include "spine/SpineMath.h"
#include "spine/SpineTuning.h"

#include <algorithm>
#include <cmath>
#include <deque>

namespace drg::imaging::spine
{

void SpineAnalysis::growVertebrae()
{
  const WorkGrid& g = m_work.grid;
  // domain: bone within 60 mm of the canal in the axial plane
  std::vector<double> cx(static_cast<std::size_t>(g.nz), NAN), cy(static_cast<std::size_t>(g.nz), NAN);
  std::vector<Vector3d> anterior(static_cast<std::size_t>(g.nz), Vector3d(0, -1, 0));
  for (const auto& p : m_line) {
    int k = static_cast<int>(std::lround(g.continuousIndex(p.centre).z()));
    if (k >= 0 && k < g.nz) {
      cx[static_cast<std::size_t>(k)] = p.centre.x();
      cy[static_cast<std::size_t>(k)] = p.centre.y();
      anterior[static_cast<std::size_t>(k)] = p.anterior;
    }
  }
  // fill slices the line skips, and extend 30 mm beyond its ends
  int kTop = -1, kBottom = g.nz;
  for (int k = 0; k < g.nz; ++k) {
    if (!std::isnan(cx[static_cast<std::size_t>(k)])) {
      kBottom = std::min(kBottom, k);
      kTop = std::max(kTop, k);
    }
  }
  for (int k = kBottom; k <= kTop; ++k) {
    if (std::isnan(cx[static_cast<std::size_t>(k)])) {
      cx[static_cast<std::size_t>(k)] = cx[static_cast<std::size_t>(k - 1)];
      cy[static_cast<std::size_t>(k)] = cy[static_cast<std::size_t>(k - 1)];
      anterior[static_cast<std::size_t>(k)] = anterior[static_cast<std::size_t>(k - 1)];
    }
  }
  const int ext = static_cast<int>(30.0 / g.h);
  for (int k = std::max(0, kBottom - ext); k < kBottom; ++k) {
    cx[static_cast<std::size_t>(k)] = cx[static_cast<std::size_t>(kBottom)];
    cy[static_cast<std::size_t>(k)] = cy[static_cast<std::size_t>(kBottom)];
    anterior[static_cast<std::size_t>(k)] = anterior[static_cast<std::size_t>(kBottom)];
  }
  for (int k = kTop + 1; k <= std::min(g.nz - 1, kTop + ext); ++k) {
    cx[static_cast<std::size_t>(k)] = cx[static_cast<std::size_t>(kTop)];
    cy[static_cast<std::size_t>(k)] = cy[static_cast<std::size_t>(kTop)];
    anterior[static_cast<std::size_t>(k)] = anterior[static_cast<std::size_t>(kTop)];
  }
  m_sliceCentre.assign(static_cast<std::size_t>(g.nz), Vector3d(NAN, NAN, NAN));
  m_sliceAnterior = anterior;
  for (int k = 0; k < g.nz; ++k) {
    m_sliceCentre[static_cast<std::size_t>(k)] =
      Vector3d(cx[static_cast<std::size_t>(k)], cy[static_cast<std::size_t>(k)], 0);
  }
  if (m_mr) {
    measureBodyFronts();
  }
  const double r2 = 60.0 * 60.0;
  m_domain.assign(g.count(), 0);
  std::vector<std::uint8_t>& domain = m_domain;
  parallelFor(static_cast<std::size_t>(g.nz), [&](std::size_t kk) {
    if (std::isnan(cx[kk])) {
      return;
    }
    const int k = static_cast<int>(kk);
    for (int j = 0; j < g.ny; ++j) {
      for (int i = 0; i < g.nx; ++i) {
        std::size_t idx = g.index(i, j, k);
        if (!m_bone.bone[idx]) {
          continue;
        }
        Vector3d p = g.lps(i, j, k);
        double dx = p.x() - cx[kk], dy = p.y() - cy[kk];
        // within 60 mm of the canal, and not beyond the transverse processes' reach (about 50 mm
        // beside it): ribs leave there. MR: bowel and kidneys share marrow's signal; outside the
        // arch behind and beside the canal only the eroded marrow counts, whose outer voxel the
        // growth restores (absorbFaintBone), and no further than a body reaches (52 mm in front of
        // the canal's centre, 32 mm beside it) and only through the faces of voxels (a blurred wall
        // leaks diagonally); the thin arch keeps every voxel.
        const double v = dx * anterior[kk].x() + dy * anterior[kk].y();
        const double u = std::abs(dx * anterior[kk].y() - dy * anterior[kk].x());
        const bool arch = v <= 8.0 && u <= 25.0;
        // (MR, in front of the canal: not below the canal's lower end, where the body's front has
        // no frame: on T2 the pelvic bowel lies in front of the sacrum's tip, marrow-like, and a
        // frame carried on from the canal's end would let the sacrum grow into it)
        const bool framed = k >= kBottom;
        if (dx * dx + dy * dy <= r2 && std::abs(dx) <= 50.0 &&
            (!m_mr || arch || (framed && m_core[idx] && v <= 52.0 && u <= 50.0 && (v <= 8.0 || u <= 32.0)))) {
          domain[idx] = m_mr && !arch ? kFaceOnly : 1;
        }
      }
    }
  });
  grow(false);
}

double SpineAnalysis::anteriorOf(std::size_t q) const
{
  const WorkGrid& g = m_work.grid;
  const std::size_t k = q / (static_cast<std::size_t>(g.nx) * static_cast<std::size_t>(g.ny));
  const Vector3d p =
    g.lps(static_cast<double>(q % static_cast<std::size_t>(g.nx)),
          static_cast<double>((q / static_cast<std::size_t>(g.nx)) % static_cast<std::size_t>(g.ny)),
          static_cast<double>(k));
  const Vector3d& c = m_sliceCentre[k];
  return (p.x() - c.x()) * m_sliceAnterior[k].x() + (p.y() - c.y()) * m_sliceAnterior[k].y();
}

std::pair<const Segment*, const Segment*> SpineAnalysis::segmentsAround(const Run& disc) const
{
  const Segment* above = nullptr;
  const Segment* below = nullptr;
  for (const auto& seg : m_segments) {
    if (seg.run.last < disc.first && (!above || seg.run.last > above->run.last)) {
      above = &seg;
    }
    if (seg.run.first > disc.last && (!below || seg.run.first < below->run.first)) {
      below = &seg;
    }
  }
  return { above, below };
}

void SpineAnalysis::computeDiscBounds()
{
  m_bounds.assign(256, {});
  auto& bounds = m_bounds;
  for (const Run& r : m_discRuns) {
    const CentrelinePoint& p = m_line[static_cast<std::size_t>(std::lround(r.mid()))];
    const auto [above, below] = segmentsAround(r);
    const Plane plane{ true, p.centre, p.tangent, p.anterior };
    if (above && above->label > 0) {
      bounds[static_cast<std::size_t>(above->label)][1] = plane; // its lower bound
    }
    if (below && below->label > 0) {
      bounds[static_cast<std::size_t>(below->label)][0] = plane; // its upper bound
    }
  }
  for (std::size_t si = 0; si + 1 < m_segments.size(); ++si) {
    const Segment& s1 = m_segments[si];
    const Segment& sacrum = m_segments[si + 1];
    if (s1.level == "S1" && sacrum.level == "sacrum" && s1.label > 0 && sacrum.label > 0) {
      const CentrelinePoint p = pointAt(s1.run.last + 0.5);
      const Plane plane{ true, p.centre, p.tangent, p.anterior, true };
      bounds[static_cast<std::size_t>(s1.label)][1] = plane;
      bounds[static_cast<std::size_t>(sacrum.label)][0] = plane;
    }
  }
}

bool SpineAnalysis::allowedByDiscs(std::size_t q, int label) const
{
  const WorkGrid& g = m_work.grid;
  if (m_bounds.empty()) {
    return true;
  }
  const auto& b = m_bounds[static_cast<std::size_t>(label)];
  const Vector3d p =
    g.lps(static_cast<double>(q % static_cast<std::size_t>(g.nx)),
          static_cast<double>((q / static_cast<std::size_t>(g.nx)) % static_cast<std::size_t>(g.ny)),
          static_cast<double>(q / (static_cast<std::size_t>(g.nx) * static_cast<std::size_t>(g.ny))));
  if (b[0].set && (b[0].whole || (p - b[0].centre).dot(b[0].anterior) > 5.0) &&
      (p - b[0].centre).dot(b[0].normal) > 0.5 * g.h) {
    return false;
  }
  if (b[1].set && (b[1].whole || (p - b[1].centre).dot(b[1].anterior) > 5.0) &&
      (p - b[1].centre).dot(b[1].normal) < -0.5 * g.h) {
    return false;
  }
  return true;
}

int SpineAnalysis::nearestLineIndex(const Vector3d& q) const
{
  int best = 0;
  double bestD = 1e18;
  for (std::size_t n = 0; n < m_line.size(); ++n) {
    const double d = (m_line[n].centre - q).squaredNorm();
    if (d < bestD) {
      bestD = d;
      best = static_cast<int>(n);
    }
  }
  return best;
}

void SpineAnalysis::grow(bool arches)
{
  const WorkGrid& g = m_work.grid;
  const std::vector<std::uint8_t>& domain = m_domain;
  m_labels.assign(g.count(), 0);
  std::deque<std::size_t> queue;
  computeDiscBounds();
  auto seed = [&](const Vector3d& lps, int label) {
    Vector3d c = g.continuousIndex(lps);
    int i = static_cast<int>(std::lround(c.x())), j = static_cast<int>(std::lround(c.y())),
        k = static_cast<int>(std::lround(c.z()));
    if (!g.inside(i, j, k)) {
      return;
    }
    std::size_t idx = g.index(i, j, k);
    if (domain[idx] && m_labels[idx] == 0) {
      m_labels[idx] = static_cast<std::uint8_t>(label);
      queue.push_back(idx);
    }
  };
  if (arches) {
    for (std::size_t si = 0; si < m_segments.size() && si < m_pedicles.size(); ++si) {
      const auto& peds = m_pedicles[si];
      const Segment& seg = m_segments[si];
      if (seg.level == "sacrum") {
        continue;
      }
      const int label = seg.label;
      const bool both = peds[0].found && peds[1].found;
      // rows of the arch: between the pedicles when both were measured, else the upper middle of
      // the body, where pedicles spring from
      const double top = both ? std::max(peds[0].top, peds[1].top) : seg.run.first + 0.2 * seg.run.length();
      const double bottom =
        both ? std::min(peds[0].bottom, peds[1].bottom) : seg.run.first + 0.55 * seg.run.length();
      for (double n = top; n <= bottom; n += 0.5) {
        const CentrelinePoint p = rotated(pointAt(n), seg.rotation);
        for (int sd = 0; sd < 2; ++sd) {
          const PedicleMeasure& ped = peds[static_cast<std::size_t>(sd)];
          if (!ped.found) {
            continue;
          }
          const double side = sd == 0 ? 1.0 : -1.0;
          for (double u = ped.uMed; u <= ped.uReach; u += 0.5 * g.h) {
            for (double v = ped.v - 3; v <= ped.v + 3; v += 0.5 * g.h) {
              seed(p.at(side * u, v), label);
            }
          }
          // the articular pillar behind the pedicle's lateral wall (out to the bone's reach there),
          // where the superior articular process rises (the inferior process of the vertebra above
          // lies medial to it)
          for (double u = ped.uLat; u <= ped.uReach; u += 0.5 * g.h) {
            for (double v = ped.v - 10; v < ped.v - 3; v += 0.5 * g.h) {
              seed(p.at(side * u, v), label);
            }
          }
        }
        // the lamina behind the canal, where the canal nearest to it is this vertebra's: behind
        // its upper rows a tilted frame (S1 under a lordotic L5) reaches into the lamina of the
        // vertebra above, which overhangs the disc; no further than 20 mm behind the canal's centre
        // (the spinous process beyond slopes down over the next vertebra's, and grows from the
        // lamina anyway).
        // CT, S1: only behind the lower half of its pedicles, where its short lamina springs (the
        // L5/S1 interlaminar window is the spine's widest); the canal's first rows below the disc
        // are roofed by L5's lamina and inferior articular processes, which under strong lordosis
        // hang a few millimetres below the disc's plane behind S1's upper rows: seeded there, S1
        // would take L5's arch. The other levels keep all their rows: their laminae are taller
        // (the thoracolumbar lamina comes within 4-7 mm of its upper disc) and the curve bends
        // less there. (MR arches are refitted at the input's resolution; the rule is CT's.)
        // MR: below the pedicles' upper fifth at every level. The lamina and the inferior
        // articular processes of the vertebra above overhang those rows, and thick slices blur
        // the facet joints: seeded there, a vertebra takes its upper neighbour's inferior
        // articular processes.
        const bool lowLamina = !m_mr && seg.level == "S1";
        const double laminaTop = lowLamina ? 0.5 * (top + bottom) : m_mr ? top + 0.2 * (bottom - top) : top;
        const double ownFrom = lowLamina ? laminaTop : seg.run.first;
        const double half = both ? std::min(peds[0].uMed, peds[1].uMed) : 6.0;
        for (double u = -half; n >= laminaTop && u <= half; u += 0.5 * g.h) {
          for (double v = -20; v <= -6; v += 0.5 * g.h) {
            const Vector3d q = p.at(u, v);
            if (nearestLineIndex(q) >= ownFrom) {
              seed(q, label);
            }
          }
        }
      }
    }
  }
  // body seeds from the middle of each body (its ends can lie across a tilted disc)
  for (const auto& seg : m_segments) {
    const int margin = static_cast<int>(0.15 * seg.run.length());
    for (int n = seg.run.first + margin; n <= seg.run.last - margin; ++n) {
      const CentrelinePoint& p = m_line[static_cast<std::size_t>(n)];
      for (double u = -12; u <= 12; u += g.h) {
        for (double v = 14; v <= 34; v += g.h) {
          seed(p.at(u, v), seg.label);
        }
      }
    }
  }
  const std::size_t sy = static_cast<std::size_t>(g.nx), sz = sy * static_cast<std::size_t>(g.ny);
  while (!queue.empty()) {
    std::size_t idx = queue.front();
    queue.pop_front();
    int i = static_cast<int>(idx % sy), j = static_cast<int>((idx / sy) % g.ny),
        k = static_cast<int>(idx / sz);
    for (int dk = -1; dk <= 1; ++dk) {
      for (int dj = -1; dj <= 1; ++dj) {
        for (int di = -1; di <= 1; ++di) {
          int ii = i + di, jj = j + dj, kk = k + dk;
          if (!g.inside(ii, jj, kk)) {
            continue;
          }
          std::size_t q = g.index(ii, jj, kk);
          if (domain[q] && m_labels[q] == 0 && (m_foramenSpace.empty() || !m_foramenSpace[q]) &&
              (domain[q] != kFaceOnly || (std::abs(di) + std::abs(dj) + std::abs(dk) == 1 &&
                                          anteriorOf(q) <= m_bodyFront[m_labels[idx]])) &&
              allowedByDiscs(q, m_labels[idx])) {
            m_labels[q] = m_labels[idx];
            queue.push_back(q);
          }
        }
      }
    }
  }
  if (arches) {
    absorbFaintBone();
  }
}

void SpineAnalysis::absorbFaintBone()
{
  const WorkGrid& g = m_work.grid;
  // (MR: the outer voxel its erosion took; bowel and kidney beyond it share marrow's signal)
  const int rounds = m_mr ? 1 : std::max(1, static_cast<int>(std::lround(3.0 / g.h)));
  for (int r = 0; r < rounds; ++r) {
    std::vector<std::uint8_t> next = m_labels;
    parallelFor(static_cast<std::size_t>(g.nz), [&](std::size_t kk) {
      const int k = static_cast<int>(kk);
      for (int j = 0; j < g.ny; ++j) {
        for (int i = 0; i < g.nx; ++i) {
          const std::size_t idx = g.index(i, j, k);
          if (m_labels[idx] != 0 || !(m_work.values[idx] >= kFaintBoneHu) ||
              (!m_foramenSpace.empty() && m_foramenSpace[idx])) {
            continue;
          }
          for (const auto& o : kFaces) {
            const int ii = i + o[0], jj = j + o[1], kz = k + o[2];
            if (!g.inside(ii, jj, kz)) {
              continue;
            }
            const std::uint8_t l = m_labels[g.index(ii, jj, kz)];
            if (l != 0 && l != labels::kSpinalCanal && allowedByDiscs(idx, l)) {
              next[idx] = l;
              break;
            }
          }
        }
      }
    });
    m_labels.swap(next);
  }
  fillVertebraHoles();
}

void SpineAnalysis::growFromArches()
{
  if (m_mr) {
    markForaminalSpace();
  }
  grow(true);
}

} // namespace drg::imaging::spine
