// Each vertebra's frame along the centreline: its axial rotation (scoliosis), the frame turned by it,
// and the frame at any continuous centreline position.
#include "spine/SpineAnalysis.h"

#include "ParallelFor.h"
#include "spine/SpineMath.h"
#include "spine/SpineTuning.h"

#include <algorithm>
#include <cmath>

namespace drg::imaging::spine
{

CentrelinePoint SpineAnalysis::rotated(CentrelinePoint p, double angle)
{
  if (angle != 0.0) {
    const Vector3d a = std::cos(angle) * p.anterior + std::sin(angle) * p.left;
    p.anterior = a.normalized();
    p.left = p.tangent.cross(p.anterior);
  }
  return p;
}

void SpineAnalysis::estimateRotations()
{
  for (auto& seg : m_segments) {
    double su = 0, sv = 0, cnt = 0;
    const int margin = static_cast<int>(0.25 * seg.run.length());
    for (int n = seg.run.first + margin; n <= seg.run.last - margin; ++n) {
      const CentrelinePoint& p = m_line[static_cast<std::size_t>(n)];
      for (double u = -22; u <= 22; u += 1.0) {
        for (double v = 10; v <= 45; v += 1.0) {
          const float x = m_work.nearest(p.at(u, v));
          if (!std::isnan(x) && x >= kBoneHu) {
            su += u;
            sv += v;
            cnt += 1;
          }
        }
      }
    }
    // limited to 30 degrees (beyond, something else than the body was measured)
    seg.rotation = cnt > 20 ? std::clamp(std::atan2(su / cnt, sv / cnt), -0.52, 0.52) : 0.0;
  }
}

CentrelinePoint SpineAnalysis::pointAt(double n) const
{
  const double last = static_cast<double>(m_line.size() - 1);
  n = std::clamp(n, 0.0, last);
  const std::size_t a = static_cast<std::size_t>(std::floor(n));
  const std::size_t b = std::min(a + 1, m_line.size() - 1);
  const double t = n - static_cast<double>(a);
  CentrelinePoint p;
  p.centre = (1 - t) * m_line[a].centre + t * m_line[b].centre;
  p.tangent = ((1 - t) * m_line[a].tangent + t * m_line[b].tangent).normalized();
  p.anterior = ((1 - t) * m_line[a].anterior + t * m_line[b].anterior);
  p.anterior = (p.anterior - p.tangent * p.tangent.dot(p.anterior)).normalized();
  p.left = p.tangent.cross(p.anterior);
  return p;
}

} // namespace drg::imaging::spine
