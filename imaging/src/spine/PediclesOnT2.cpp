// T2 MR only: the thecal sac's half width that bounds the pedicle search, and the foramen's walls
// read from the vertebrae and the dark tissue (the ganglion and roots share marrow's signal).
#include "spine/SpineAnalysis.h"

#include "ParallelFor.h"
#include "spine/SpineMath.h"
#include "spine/SpineTuning.h"

#include <algorithm>
#include <cmath>

namespace drg::imaging::spine
{

double SpineAnalysis::sacHalfWidth(const Segment& seg, double side) const
{
  const WorkGrid& g = m_work.grid;
  std::vector<double> reach;
  for (int n = seg.run.first; n <= seg.run.last; ++n) {
    const CentrelinePoint p = rotated(m_line[static_cast<std::size_t>(n)], seg.rotation);
    const int k = static_cast<int>(std::lround(g.continuousIndex(p.centre).z()));
    for (const CanalCandidate* c : m_chain) {
      if (c->k != k) {
        continue;
      }
      double most = -1e9;
      for (std::uint32_t q : c->pixels) {
        const int i = static_cast<int>(q % static_cast<std::uint32_t>(g.nx));
        const int j = static_cast<int>(q / static_cast<std::uint32_t>(g.nx));
        const Vector3d d = g.lps(i, j, k) - p.centre;
        if (std::abs(d.dot(p.anterior)) <= 4.0) {
          most = std::max(most, side * d.dot(p.left));
        }
      }
      if (most > 0) {
        reach.push_back(most);
      }
    }
  }
  return reach.size() >= 3 ? percentile(reach, 0.25) : 0.0;
}

void SpineAnalysis::markMrWalls()
{
  m_mrWalls.grid = m_work.grid;
  m_mrWalls.values.resize(m_work.values.size());
  for (std::size_t i = 0; i < m_work.values.size(); ++i) {
    const float x = m_work.values[i];
    const bool vertebra = m_labels[i] != 0 && m_labels[i] != labels::kSpinalCanal;
    m_mrWalls.values[i] = std::isnan(x)                        ? x
                          : vertebra                           ? kT2WallBone
                          : x > 0.0f && x < kMappedMarrowAbove ? kT2WallDark
                                                               : kT2WallFree;
  }
}

} // namespace drg::imaging::spine
