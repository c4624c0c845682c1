// The canal centreline (1 mm steps, with frames) and the bone fraction on its planes.
#include "spine/Canal.h"

#include <algorithm>
#include <cmath>

namespace drg::imaging::spine
{
using Eigen::Vector3d;

/// Centreline points every 1 mm, head to foot, with their frames; the chain's positions smoothed over
/// `smoothMm` each way (`centredEnds`: over less, centred, near the chain's ends).
std::vector<CentrelinePoint> buildCentreline(const std::vector<const CanalCandidate*>& chain,
                                             const WorkGrid& g, double smoothMm, bool centredEnds)
{
  // x, y per slice between the chain's ends (linear between candidates), then smoothed
  const int k0 = chain.front()->k, k1 = chain.back()->k;
  std::vector<Vector3d> raw;
  std::size_t c = 0;
  for (int k = k0; k <= k1; ++k) {
    while (c + 1 < chain.size() && chain[c + 1]->k <= k) {
      ++c;
    }
    const CanalCandidate* a = chain[c];
    const CanalCandidate* b = c + 1 < chain.size() ? chain[c + 1] : chain[c];
    double t = b->k == a->k ? 0.0 : static_cast<double>(k - a->k) / (b->k - a->k);
    // several candidates in one slice: chain holds one per slice at most
    raw.push_back(Vector3d(a->x + t * (b->x - a->x), a->y + t * (b->y - a->y), g.lps(0, 0, k).z()));
  }
  const int half = std::max(1, static_cast<int>(std::lround(smoothMm / g.h)));
  std::vector<Vector3d> smooth(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    Vector3d s(0, 0, 0);
    int cnt = 0;
    // (`centredEnds`: near the chain's ends the window shrinks to stay centred, where a one-sided
    // window would pull the end towards the inside)
    const int reach =
      centredEnds ? std::min(half, static_cast<int>(std::min<std::size_t>(i, raw.size() - 1 - i))) : half;
    for (int d = -reach; d <= reach; ++d) {
      long j = static_cast<long>(i) + d;
      if (j >= 0 && j < static_cast<long>(raw.size())) {
        s += raw[static_cast<std::size_t>(j)];
        ++cnt;
      }
    }
    smooth[i] = s / cnt;
    smooth[i].z() = raw[i].z();
  }
  // extend 30 mm beyond each end along the end direction: the chain stops at the last closed bony
  // ring, and the vertebra beyond it (S1 below a lordotic L5, a vertebra cut by the field of view)
  // must still be measured
  std::vector<Vector3d> line;
  const double ext = 30.0, extBelow = 55.0; // below: S1 under a lordotic L5
  if (smooth.size() >= 2) {
    Vector3d dTop =
      (smooth.back() - smooth[smooth.size() - std::min<std::size_t>(smooth.size(), 6)]).normalized();
    Vector3d dBottom = (smooth.front() - smooth[std::min<std::size_t>(smooth.size() - 1, 5)]).normalized();
    line.push_back(smooth.back() + ext * dTop);
    for (auto it = smooth.rbegin(); it != smooth.rend(); ++it) {
      line.push_back(*it);
    }
    line.push_back(smooth.front() + extBelow * dBottom);
  } else {
    line = smooth;
  }
  // resample by arc length, 1 mm
  std::vector<Vector3d> pts;
  pts.push_back(line.front());
  double carry = 0.0;
  for (std::size_t i = 1; i < line.size(); ++i) {
    Vector3d a = line[i - 1], b = line[i];
    double len = (b - a).norm();
    double t = 1.0 - carry;
    while (t <= len) {
      pts.push_back(a + (b - a) * (t / len));
      t += 1.0;
    }
    carry = len - (t - 1.0);
  }
  std::vector<CentrelinePoint> out(pts.size());
  const long n = static_cast<long>(pts.size());
  for (long i = 0; i < n; ++i) {
    long up = std::max(0L, i - 5), down = std::min(n - 1, i + 5);
    Vector3d t = pts[static_cast<std::size_t>(up)] - pts[static_cast<std::size_t>(down)];
    if (t.norm() < 1e-6) {
      t = Vector3d(0, 0, 1);
    }
    t.normalize();
    Vector3d a = Vector3d(0, -1, 0) - t * t.dot(Vector3d(0, -1, 0));
    a.normalize();
    CentrelinePoint& p = out[static_cast<std::size_t>(i)];
    p.centre = pts[static_cast<std::size_t>(i)];
    p.tangent = t;
    p.anterior = a;
    p.left = t.cross(a);
  }
  return out;
}

/// Fraction of bone among samples on a (u, v) box of the plane of centreline point `p`.
double boneFraction(const WorkVolume& w, const CentrelinePoint& p, double u0, double u1, double v0, double v1,
                    double threshold, double* valid)
{
  int bone = 0, total = 0, seen = 0;
  for (double u = u0; u <= u1 + 1e-9; u += 1.0) {
    for (double v = v0; v <= v1 + 1e-9; v += 1.0) {
      float x = w.nearest(p.at(u, v));
      ++total;
      if (std::isnan(x)) {
        continue;
      }
      ++seen;
      bone += x >= threshold ? 1 : 0;
    }
  }
  if (valid) {
    *valid = total ? static_cast<double>(seen) / total : 0.0;
  }
  return seen ? static_cast<double>(bone) / seen : 0.0;
}

} // namespace drg::imaging::spine
