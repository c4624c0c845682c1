// Each labelled vertebra described for the model: centroid, body centre, endplates, axis, volume.
#include "spine/SpineAnalysis.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace drg::imaging::spine
{

void SpineAnalysis::describeVertebrae(SpineModel& model)
{
  const WorkGrid& g = m_work.grid;
  std::map<int, Vector3d> sum;
  std::map<int, std::size_t> count;
  for (int k = 0; k < g.nz; ++k) {
    for (int j = 0; j < g.ny; ++j) {
      for (int i = 0; i < g.nx; ++i) {
        std::uint8_t l = m_labels[g.index(i, j, k)];
        if (l) {
          auto& s = sum.try_emplace(l, Vector3d::Zero()).first->second;
          s += g.lps(i, j, k);
          ++count[l];
        }
      }
    }
  }
  for (std::size_t si = 0; si < m_segments.size(); ++si) {
    const Segment& seg = m_segments[si];
    SpineVertebra v;
    v.level = seg.level;
    v.label = seg.label;
    v.centroid = count[seg.label] ? Vector3d(sum[seg.label] / static_cast<double>(count[seg.label]))
                                  : m_line[static_cast<std::size_t>(seg.run.mid())].centre;
    v.volumeMl = static_cast<double>(count[seg.label]) * g.h * g.h * g.h / 1000.0;
    // body: centroid of body bone samples; endplates at the run ends
    auto bodyCentreAt = [&](int n0, int n1) {
      Vector3d s(0, 0, 0);
      double cnt = 0;
      for (int n = n0; n <= n1; ++n) {
        const CentrelinePoint& p = m_line[static_cast<std::size_t>(n)];
        for (double u = -20; u <= 20; u += 1.0) {
          for (double vv = 8; vv <= 50; vv += 1.0) {
            Vector3d q = p.at(u, vv);
            Vector3d c = g.continuousIndex(q);
            int i = static_cast<int>(std::lround(c.x())), j = static_cast<int>(std::lround(c.y())),
                k = static_cast<int>(std::lround(c.z()));
            if (g.inside(i, j, k) && m_labels[g.index(i, j, k)] == seg.label &&
                m_bone.bone[g.index(i, j, k)]) {
              s += q;
              cnt += 1;
            }
          }
        }
      }
      return cnt > 0 ? Vector3d(s / cnt) : m_line[static_cast<std::size_t>((n0 + n1) / 2)].at(0, 25);
    };
    // the sacrum's body is its top (S2) segment, about as tall as S1
    const int bodyLast = seg.level == "sacrum" && si > 0
                           ? std::min(seg.run.last, seg.run.first + m_segments[si - 1].run.length() - 1)
                           : seg.run.last;
    v.bodyCentre = bodyCentreAt(seg.run.first, bodyLast);
    v.superiorEndplate = bodyCentreAt(seg.run.first, std::min(seg.run.last, seg.run.first + 1));
    v.inferiorEndplate = bodyCentreAt(std::max(seg.run.first, seg.run.last - 1), seg.run.last);
    Vector3d ax = v.superiorEndplate - v.inferiorEndplate;
    v.axis = ax.norm() > 1e-6 ? Vector3d(ax.normalized()) : Vector3d(0, 0, 1);
    v.bodyHeightMm = seg.run.length();
    v.complete = !seg.topOpen && !(seg.bottomOpen && seg.level != "sacrum");
    model.vertebrae.push_back(v);
  }
  for (std::size_t d = 0; d < m_discRuns.size(); ++d) {
    const Run& r = m_discRuns[d];
    // the disc between the segments around it
    const auto [above, below] = segmentsAround(r);
    if (!above || !below || above->level == "sacrum") {
      continue;
    }
    SpineDisc disc;
    disc.upperLevel = above->level;
    disc.lowerLevel = below->level;
    const CentrelinePoint& p = m_line[static_cast<std::size_t>(r.mid())];
    disc.centre = p.at(0, 25);
    disc.normal = p.tangent;
    disc.heightMm = r.length();
    model.discs.push_back(disc);
  }
}

} // namespace drg::imaging::spine
