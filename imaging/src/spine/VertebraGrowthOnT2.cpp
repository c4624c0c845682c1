// T2 MR only: the growth's limits on T2, where marrow-like tissue (bowel, kidney, cord, roots)
// touches the bone: each body's measured front, the foramina kept free, each vertebra kept within
// its reach along the canal.
#include "spine/SpineAnalysis.h"

#include "ParallelFor.h"
#include "spine/SpineMath.h"
#include "spine/SpineTuning.h"

#include <algorithm>
#include <cmath>

namespace drg::imaging::spine
{

void SpineAnalysis::measureBodyFronts()
{
  const WorkGrid& g = m_work.grid;
  m_bodyFront.assign(256, 1e9);
  for (const auto& seg : m_segments) {
    if (seg.label <= 0) {
      continue;
    }
    std::vector<double> ends;
    const int margin = static_cast<int>(0.15 * seg.run.length());
    for (int n = seg.run.first + margin; n <= seg.run.last - margin; ++n) {
      const CentrelinePoint& p = m_line[static_cast<std::size_t>(n)];
      for (double u = -10; u <= 10; u += g.h) {
        double start = NAN, end = 75.0;
        for (double v = 4; v <= 75; v += 0.5 * g.h) {
          const float x = m_work.nearest(p.at(u, v));
          const bool marrow = x > kMappedMarrowAbove;
          if (std::isnan(start) && marrow) {
            start = v;
          } else if (!std::isnan(start) && !marrow) {
            end = v;
            break;
          }
        }
        if (!std::isnan(start) && start < 25.0 && end - start >= 10.0) {
          ends.push_back(end);
        }
      }
    }
    if (ends.size() >= 10) {
      m_bodyFront[static_cast<std::size_t>(seg.label)] = percentile(ends, 0.5) + 2.0;
    }
  }
}

void SpineAnalysis::markForaminalSpace()
{
  const WorkGrid& g = m_work.grid;
  m_foramenSpace.assign(g.count(), 0);
  for (std::size_t si = 0; si + 1 < m_segments.size() && si + 1 < m_pedicles.size(); ++si) {
    const Segment& seg = m_segments[si];
    for (int sd = 0; sd < 2; ++sd) {
      const PedicleMeasure& ped = m_pedicles[si][static_cast<std::size_t>(sd)];
      const PedicleMeasure& next = m_pedicles[si + 1][static_cast<std::size_t>(sd)];
      // (a foramen is 10-25 mm high, L5/S1 under lordosis more; a span over 35 mm is no
      // neighbour's: a body missed between)
      if (!ped.found || !next.found || next.top - ped.bottom < 3.0 || next.top - ped.bottom > 35.0) {
        continue;
      }
      const double side = sd == 0 ? 1.0 : -1.0;
      for (double n = ped.bottom + 1.0; n <= next.top - 1.0; n += 0.5) {
        const CentrelinePoint p = rotated(pointAt(n), seg.rotation);
        for (double u = ped.uMed + 1.0; u <= ped.uLat + 6.0; u += 0.5 * g.h) {
          for (double v = ped.v - 4.0; v <= ped.v + 4.0; v += 0.5 * g.h) {
            const Vector3d c = g.continuousIndex(p.at(side * u, v));
            const int i = static_cast<int>(std::lround(c.x())), j = static_cast<int>(std::lround(c.y())),
                      k = static_cast<int>(std::lround(c.z()));
            if (g.inside(i, j, k)) {
              m_foramenSpace[g.index(i, j, k)] = 1;
            }
          }
        }
      }
    }
  }
}

void SpineAnalysis::confineAlongCanal()
{
  const WorkGrid& g = m_work.grid;
  // per work slice: the centreline row nearest to it along the body's axis (z)
  std::vector<int> rowOf(static_cast<std::size_t>(g.nz), -1);
  for (std::size_t n = 0; n < m_line.size(); ++n) {
    const int k = static_cast<int>(std::lround(g.continuousIndex(m_line[n].centre).z()));
    if (k >= 0 && k < g.nz && rowOf[static_cast<std::size_t>(k)] < 0) {
      rowOf[static_cast<std::size_t>(k)] = static_cast<int>(n);
    }
  }
  std::array<int, 256> lo, hi;
  lo.fill(std::numeric_limits<int>::min());
  hi.fill(std::numeric_limits<int>::max());
  for (const Segment& seg : m_segments) {
    if (seg.label > 0 && seg.label < 256 && seg.level != "sacrum") {
      const int len = std::max(1, seg.run.length());
      lo[static_cast<std::size_t>(seg.label)] = seg.run.first - len / 2;
      hi[static_cast<std::size_t>(seg.label)] = seg.run.last + len;
    }
  }
  parallelFor(static_cast<std::size_t>(g.nz), [&](std::size_t kk) {
    const int row = rowOf[kk];
    if (row < 0) {
      return;
    }
    for (int j = 0; j < g.ny; ++j) {
      for (int i = 0; i < g.nx; ++i) {
        std::uint8_t& l = m_labels[g.index(i, j, static_cast<int>(kk))];
        if (l != 0 && (row < lo[l] || row > hi[l])) {
          l = 0;
        }
      }
    }
  });
}

} // namespace drg::imaging::spine
