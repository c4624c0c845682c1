// The bone mask and the canal candidates on the bone scale (CT numbers, or T2 MR mapped onto them).
#include "spine/Canal.h"

#include "ParallelFor.h"

#include <algorithm>
#include <cmath>

namespace drg::imaging::spine
{
using Eigen::Vector3d;

bool canalLike(const Hole& hole)
{
  return hole.areaMm2 >= 40.0 && hole.areaMm2 <= 700.0 && hole.mean <= kCanalMaxMeanHu &&
         hole.widthMm <= 35.0 && hole.heightMm <= 35.0 &&
         std::max(hole.widthMm, hole.heightMm) <= 3.0 * std::min(hole.widthMm, hole.heightMm);
}

CanalCandidate candidateFrom(const Hole& hole, int k, const WorkGrid& g)
{
  CanalCandidate cand;
  cand.k = k;
  const Vector3d p = g.lps(hole.cx, hole.cy, k);
  cand.x = p.x();
  cand.y = p.y();
  cand.areaMm2 = hole.areaMm2;
  cand.pixels = hole.pixels;
  return cand;
}

std::vector<CanalCandidate> flatten(std::vector<std::vector<CanalCandidate>>& perSlice)
{
  std::vector<CanalCandidate> out;
  for (auto& slice : perSlice) {
    for (auto& c : slice) {
      out.push_back(std::move(c));
    }
  }
  return out;
}

BoneAnalysis analyseBone(const WorkVolume& w, const ProgressCallback& progress)
{
  const WorkGrid& g = w.grid;
  BoneAnalysis out;
  out.bone.assign(g.count(), 0);
  std::vector<std::vector<CanalCandidate>> perSlice(static_cast<std::size_t>(g.nz));
  std::vector<std::vector<CanalCandidate>> faintPerSlice(static_cast<std::size_t>(g.nz));
  // a wider closing also closes the canal at the foramina's level (gaps of a few mm between body,
  // pedicles and articular processes): more canal candidates on thick slices
  const int wide = std::max(2, static_cast<int>(std::lround(4.0 / g.h)));
  parallelFor(
    static_cast<std::size_t>(g.nz),
    [&](std::size_t kk) {
      const int k = static_cast<int>(kk);
      const int nx = g.nx, ny = g.ny;
      const std::size_t n = static_cast<std::size_t>(nx) * ny;
      const float* v = w.values.data() + g.index(0, 0, k);
      std::vector<std::uint8_t> b(n);
      for (std::size_t p = 0; p < n; ++p) {
        b[p] = v[p] >= kBoneHu ? 1 : 0;
      }
      std::vector<std::uint8_t> filled = b;
      auto addCandidate = [&](const Hole& hole) {
        CanalCandidate cand = candidateFrom(hole, k, g);
        for (const auto& other : perSlice[kk]) {
          if (std::hypot(other.x - cand.x, other.y - cand.y) < 5.0) {
            return; // the same hole, seen again by the wider closing
          }
        }
        perSlice[kk].push_back(std::move(cand));
      };
      for (const Hole& hole : holesOf(closeSlice(b, nx, ny, 1), v, nx, ny, g.h)) {
        if (canalLike(hole)) {
          addCandidate(hole);
        } else if (hole.areaMm2 <= 2500.0 && hole.mean > kCanalMaxMeanHu) {
          for (std::uint32_t p : hole.pixels) {
            filled[p] = 2; // marrow inside a shell: part of the bone
          }
        }
      }
      for (const Hole& hole : holesOf(closeSlice(b, nx, ny, wide), v, nx, ny, g.h)) {
        if (canalLike(hole)) {
          addCandidate(hole);
        }
      }
      // thin osteoporotic laminae blur below the bone threshold: rings of fainter bone count for
      // the canal too (never for the bone mask)
      std::vector<std::uint8_t> faint(n);
      for (std::size_t p = 0; p < n; ++p) {
        faint[p] = v[p] >= kFaintRingHu ? 1 : 0;
      }
      for (const Hole& hole : holesOf(closeSlice(faint, nx, ny, wide), v, nx, ny, g.h)) {
        if (canalLike(hole)) {
          CanalCandidate cand = candidateFrom(hole, k, g);
          bool known = false;
          for (const auto& other : perSlice[kk]) {
            known = known || std::hypot(other.x - cand.x, other.y - cand.y) < 5.0;
          }
          if (!known) {
            faintPerSlice[kk].push_back(std::move(cand));
          }
        }
      }
      std::copy(filled.begin(), filled.end(), out.bone.begin() + static_cast<long>(g.index(0, 0, k)));
    },
    progress ? ProgressCallback([&](double f) { return progress(0.1 + 0.3 * f); }) : ProgressCallback(),
    "spine model cancelled");
  out.candidates = flatten(perSlice);
  out.faintCandidates = flatten(faintPerSlice);
  return out;
}

} // namespace drg::imaging::spine
