// The canal: the longest chain of candidates that continues from slice to slice.
#include "spine/Canal.h"

#include "spine/SpineMath.h"

#include "drg/imaging/Error.h"

#include <algorithm>
#include <cmath>

namespace drg::imaging::spine
{
using Eigen::Vector3d;

/// The longest chain of candidates that continues from slice to slice: the canal.
std::vector<const CanalCandidate*> canalChain(const std::vector<CanalCandidate>& cands, double h)
{
  std::vector<const CanalCandidate*> sorted;
  for (const auto& c : cands) {
    sorted.push_back(&c);
  }
  std::sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) { return a->k < b->k; });
  const std::size_t n = sorted.size();
  std::vector<double> score(n, 0.0);
  std::vector<long> prev(n, -1);
  const int maxGap = static_cast<int>(std::ceil(60.0 / h));
  for (std::size_t i = 0; i < n; ++i) {
    score[i] = 1.0;
    for (std::size_t j = i; j-- > 0;) {
      int dk = sorted[i]->k - sorted[j]->k;
      if (dk == 0) {
        continue;
      }
      if (dk > maxGap) {
        break;
      }
      double dz = dk * h;
      double dxy = std::hypot(sorted[i]->x - sorted[j]->x, sorted[i]->y - sorted[j]->y);
      // about 17 degrees from the head-foot axis at most; across long gaps (thick slices, few closed
      // rings) less, so that the chain cannot hop to a foramen beside the canal
      if (dxy > 3.0 + (dz <= 30.0 ? 0.3 * dz : 9.0 + 0.1 * (dz - 30.0))) {
        continue;
      }
      // members count, and so does length: a sparse chain through the whole spine beats a dense
      // one through a short bony ring (pelvis)
      double s = score[j] + 1.0 + 0.1 * dz - 0.05 * dxy;
      if (s > score[i]) {
        score[i] = s;
        prev[i] = static_cast<long>(j);
      }
    }
  }
  std::vector<const CanalCandidate*> chain;
  if (n == 0) {
    return chain;
  }
  long best = static_cast<long>(std::max_element(score.begin(), score.end()) - score.begin());
  for (long i = best; i >= 0; i = prev[static_cast<std::size_t>(i)]) {
    chain.push_back(sorted[static_cast<std::size_t>(i)]);
  }
  std::reverse(chain.begin(), chain.end()); // foot to head
  // follow the canal where it bends away from the head-foot axis (the sacral canal turns back
  // below L5): from each end, take the candidate ahead within 50 degrees of the current direction
  auto point = [h](const CanalCandidate* c) { return Vector3d(c->x, c->y, c->k * h); };
  for (int end = 0; end < 2 && chain.size() >= 2; ++end) {
    const bool down = end == 0;
    for (int guard = 0; guard < 200; ++guard) {
      const CanalCandidate* tip = down ? chain.front() : chain.back();
      const CanalCandidate* back = tip;
      for (std::size_t m = 0; m < chain.size(); ++m) {
        const CanalCandidate* c = down ? chain[m] : chain[chain.size() - 1 - m];
        back = c;
        if (std::abs(c->k - tip->k) * h >= 30.0) {
          break;
        }
      }
      if (back == tip) {
        break;
      }
      const Vector3d dir = (point(tip) - point(back)).normalized();
      const CanalCandidate* next = nullptr;
      double bestCost = 1e9;
      for (const CanalCandidate* c : sorted) {
        const int dk = down ? tip->k - c->k : c->k - tip->k;
        if (dk <= 0 || dk * h > 30.0) {
          continue;
        }
        const Vector3d w = point(c) - point(tip);
        const double cosAngle = w.normalized().dot(dir);
        // the sacral canal bends backwards, not sideways
        if (cosAngle < std::cos(50.0 * kPi / 180.0) || w.norm() > 35.0 ||
            std::abs(w.x()) > 3.0 + 0.3 * std::abs(w.z())) {
          continue;
        }
        const double cost = w.norm() * (2.0 - cosAngle);
        if (cost < bestCost) {
          bestCost = cost;
          next = c;
        }
      }
      if (!next) {
        break;
      }
      if (down) {
        chain.insert(chain.begin(), next);
      } else {
        chain.push_back(next);
      }
    }
  }
  return chain;
}

std::vector<const CanalCandidate*> chooseCanal(const BoneAnalysis& bone,
                                               std::vector<CanalCandidate>& allCandidates, const WorkGrid& g,
                                               bool mr)
{
  const double h = g.h;
  auto chain = canalChain(bone.candidates, h);
  if (!bone.faintCandidates.empty()) {
    // thin osteoporotic laminae may leave long stretches without a closed ring at the bone
    // threshold: the fainter rings count when they make a clearly longer canal
    allCandidates = bone.candidates;
    allCandidates.insert(allCandidates.end(), bone.faintCandidates.begin(), bone.faintCandidates.end());
    auto wider = canalChain(allCandidates, h);
    auto span = [](const std::vector<const CanalCandidate*>& c) {
      return c.empty() ? 0 : c.back()->k - c.front()->k;
    };
    if (span(wider) > 1.3 * span(chain) + 10.0 / h) {
      chain = std::move(wider);
    }
  }
  const double span = chain.empty() ? 0.0 : (chain.back()->k - chain.front()->k) * h;
  if (chain.size() < 6 || span < 50.0) {
    // a canal-like chain that reaches both ends of a short image: a spine, but too short a stretch
    const double extent = (g.nz - 1) * h;
    if (chain.size() >= 4 && extent < 60.0 && span >= 0.6 * extent) {
      throw Error(ErrorCode::NotFound,
                  "the image covers only " + mm1(extent) +
                    " mm along the body: too short a stretch of spine to find vertebrae "
                    "and count levels (at least two vertebrae, about 60 mm, are needed)");
    }
    throw Error(ErrorCode::NotFound, std::string("no spine found: no ") + (mr ? "CSF-bright" : "bony") +
                                       " spinal canal runs through this image (longest candidate " +
                                       mm1(span) +
                                       " mm); drgplan needs a CT or T2 MR of the thoracolumbar spine");
  }
  return chain;
}

} // namespace drg::imaging::spine
