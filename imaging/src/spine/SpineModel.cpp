// The spine model from CT (and T2 MR): canal centreline from the bone-enclosed holes of the axial
// slices, vertebral bodies and discs from a bone profile along it, levels from the sacrum (checked
// with the lowest ribs), vertebrae by geodesic growth from the bodies, pedicles, foramina and the
// DRG estimate from the priors of assets/anatomy/drg_priors.json. Everything is measured on an
// isotropic grid aligned with the patient axes, so any acquisition orientation gives the same
// model.
#include "drg/imaging/SpineModel.h"

#include "DrgPriors.h"
#include "ParallelFor.h"
#include "Trilinear.h"
#include "spine/SpineWork.h"

#include "drg/imaging/AnatomyLabels.h"
#include "drg/imaging/Error.h"

#include <Eigen/Geometry>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <functional>
#include <map>
#include <numeric>
#include <queue>
#include <sstream>

namespace drg::imaging
{
using Eigen::Vector3d;
using namespace spine;

namespace
{

constexpr double kBoneHu =
  150.0; ///< cortex and normal cancellous bone (DOMAIN.md: threshold the shell, then fill)
constexpr double kWallHu =
  75.0; ///< bone or disc around the foramen's free space (fat, nerve and DRG are below)
constexpr double kFaintRingHu = 100.0;   ///< osteoporotic laminae in partial volume (canal search only)
constexpr double kThinBoneHu = 200.0;    ///< one sample this bright is bone even when thin
constexpr double kCanalMaxMeanHu = 60.0; ///< CSF, cord and epidural fat; cancellous bone is above
constexpr double kFattyMarrowHu = -30.0; ///< enclosed by cortex and above this: (fatty) marrow
/// The six face neighbours of a voxel.
constexpr int kFaces[6][3] = {
  { 1, 0, 0 }, { -1, 0, 0 }, { 0, 1, 0 }, { 0, -1, 0 }, { 0, 0, 1 }, { 0, 0, -1 }
};

/// Calls visit(q, axis) for each face neighbour of voxel (i, j, k) inside an nx x ny x nz grid: q is
/// its index, axis (0-2) the direction of the step.
template<class Visit>
void forEachFace(long i, long j, long k, long nx, long ny, long nz, Visit&& visit)
{
  for (int f = 0; f < 6; ++f) {
    const long ii = i + kFaces[f][0], jj = j + kFaces[f][1], kz = k + kFaces[f][2];
    if (ii >= 0 && jj >= 0 && kz >= 0 && ii < nx && jj < ny && kz < nz) {
      visit(static_cast<std::size_t>(ii + nx * (jj + ny * kz)), f / 2);
    }
  }
}

constexpr int kRingReach = 2; ///< pixels a label is grown by to make the ring that encloses

/// The pixels of `label` in a w x h plane grown by kRingReach pixels (a ring broken by a pixel
/// still encloses): the wall that decides what the label encloses.
void ringOf(const std::uint8_t* plane, int w, int h, int label, std::vector<std::uint8_t>& ring)
{
  constexpr int kReach = kRingReach;
  std::fill(ring.begin(), ring.end(), 0);
  for (int j = 0; j < h; ++j) {
    for (int i = 0; i < w; ++i) {
      if (plane[static_cast<std::size_t>(i) + static_cast<std::size_t>(w) * j] != label) {
        continue;
      }
      for (int dj = -kReach; dj <= kReach; ++dj) {
        for (int di = -kReach; di <= kReach; ++di) {
          const int ii = i + di, jj = j + dj;
          if (di * di + dj * dj <= kReach * kReach + 1 && ii >= 0 && jj >= 0 && ii < w && jj < h) {
            ring[static_cast<std::size_t>(ii) + static_cast<std::size_t>(w) * jj] = 1;
          }
        }
      }
    }
  }
}

/// 4-connected flood in a w x h plane: marks `mark` in `marks` through the pixels `passable` allows
/// (and not marked yet), from the pixels `stack` holds.
template<class Passable>
void flood4(int w, int h, std::vector<std::uint8_t>& marks, std::vector<std::uint32_t>& stack,
            std::uint8_t mark, const Passable& passable)
{
  while (!stack.empty()) {
    const std::uint32_t p = stack.back();
    stack.pop_back();
    const int i = static_cast<int>(p % static_cast<std::uint32_t>(w)),
              j = static_cast<int>(p / static_cast<std::uint32_t>(w));
    const int nb[4][2] = { { 1, 0 }, { -1, 0 }, { 0, 1 }, { 0, -1 } };
    for (const auto& o : nb) {
      const int ii = i + o[0], jj = j + o[1];
      if (ii < 0 || jj < 0 || ii >= w || jj >= h) {
        continue;
      }
      const std::size_t q = static_cast<std::size_t>(ii) + static_cast<std::size_t>(w) * jj;
      if (!marks[q] && passable(q)) {
        marks[q] = mark;
        stack.push_back(static_cast<std::uint32_t>(q));
      }
    }
  }
}

std::string mm1(double v)
{
  std::ostringstream o;
  o.setf(std::ios::fixed);
  o.precision(1);
  o << v;
  return o.str();
}

double percentile(std::vector<double> v, double q)
{
  if (v.empty()) {
    return 0.0;
  }
  std::size_t n = static_cast<std::size_t>(std::clamp(q, 0.0, 1.0) * static_cast<double>(v.size() - 1));
  std::nth_element(v.begin(), v.begin() + static_cast<long>(n), v.end());
  return v[n];
}

/// A bone-enclosed hole of one axial slice that could be the spinal canal.
struct CanalCandidate
{
  int k = 0;
  double x = 0, y = 0; ///< LPS centroid (mm)
  double areaMm2 = 0;
  std::vector<std::uint32_t> pixels; ///< i + nx * j within the slice
};

/// Bone mask with enclosed non-canal holes filled (1 bone, 2 filled), and canal candidates.
struct BoneAnalysis
{
  std::vector<std::uint8_t> bone;
  std::vector<CanalCandidate> candidates;
  std::vector<CanalCandidate> faintCandidates; ///< canal holes in fainter rings only (osteoporosis)
};

/// Binary closing of one slice with a (2r+1)-square, separable (counts in a running window).
std::vector<std::uint8_t> closeSlice(const std::vector<std::uint8_t>& b, int nx, int ny, int r)
{
  auto pass = [&](const std::vector<std::uint8_t>& in, bool dilate, bool alongX) {
    std::vector<std::uint8_t> out(in.size());
    const int len = alongX ? nx : ny, lines = alongX ? ny : nx;
    std::vector<int> prefix(static_cast<std::size_t>(len) + 1);
    for (int l = 0; l < lines; ++l) {
      auto at = [&](int t) {
        return alongX ? static_cast<std::size_t>(t + nx * l) : static_cast<std::size_t>(l + nx * t);
      };
      prefix[0] = 0;
      for (int t = 0; t < len; ++t) {
        prefix[static_cast<std::size_t>(t) + 1] = prefix[static_cast<std::size_t>(t)] + (in[at(t)] ? 1 : 0);
      }
      for (int t = 0; t < len; ++t) {
        int a = std::max(0, t - r), e = std::min(len - 1, t + r);
        int count = prefix[static_cast<std::size_t>(e) + 1] - prefix[static_cast<std::size_t>(a)];
        out[at(t)] = dilate ? (count > 0) : (count == e - a + 1);
      }
    }
    return out;
  };
  return pass(pass(pass(pass(b, true, true), true, false), false, true), false, false);
}

/// A hole of a closed slice: 4-connected non-bone pixels touching neither NaN nor (unless told
/// otherwise) the slice border.
struct Hole
{
  std::vector<std::uint32_t> pixels;
  double areaMm2 = 0, mean = 0, cx = 0, cy = 0, widthMm = 0, heightMm = 0;
};

std::vector<Hole> holesOf(const std::vector<std::uint8_t>& closed, const float* v, int nx, int ny, double h,
                          bool borderIsOpen = true)
{
  const std::size_t n = closed.size();
  std::vector<Hole> out;
  std::vector<std::uint8_t> seen(n, 0);
  std::vector<std::uint32_t> stack;
  for (std::size_t start = 0; start < n; ++start) {
    if (closed[start] || seen[start]) {
      continue;
    }
    Hole hole;
    stack.assign(1, static_cast<std::uint32_t>(start));
    seen[start] = 1;
    bool open = false;
    double sum = 0, sx = 0, sy = 0;
    int minI = nx, maxI = -1, minJ = ny, maxJ = -1;
    while (!stack.empty()) {
      std::uint32_t p = stack.back();
      stack.pop_back();
      hole.pixels.push_back(p);
      int i = static_cast<int>(p % static_cast<std::uint32_t>(nx)),
          j = static_cast<int>(p / static_cast<std::uint32_t>(nx));
      if (std::isnan(v[p]) || (borderIsOpen && (i == 0 || j == 0 || i == nx - 1 || j == ny - 1))) {
        open = true;
      } else {
        sum += v[p];
      }
      sx += i;
      sy += j;
      minI = std::min(minI, i);
      maxI = std::max(maxI, i);
      minJ = std::min(minJ, j);
      maxJ = std::max(maxJ, j);
      const int nb[4][2] = { { 1, 0 }, { -1, 0 }, { 0, 1 }, { 0, -1 } };
      for (const auto& o : nb) {
        int ii = i + o[0], jj = j + o[1];
        if (ii < 0 || jj < 0 || ii >= nx || jj >= ny) {
          continue;
        }
        std::size_t q = static_cast<std::size_t>(ii) + static_cast<std::size_t>(nx) * jj;
        if (!closed[q] && !seen[q]) {
          seen[q] = 1;
          stack.push_back(static_cast<std::uint32_t>(q));
        }
      }
    }
    if (open || hole.pixels.size() > 200000) {
      continue;
    }
    const double count = static_cast<double>(hole.pixels.size());
    hole.areaMm2 = count * h * h;
    hole.mean = sum / count;
    hole.cx = sx / count;
    hole.cy = sy / count;
    hole.widthMm = (maxI - minI + 1) * h;
    hole.heightMm = (maxJ - minJ + 1) * h;
    out.push_back(std::move(hole));
  }
  return out;
}

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

/// T2 MR: the canal is the CSF-bright tube. Candidates are compact bright blobs of each axial slice.
std::vector<CanalCandidate> mrCanalCandidates(const WorkVolume& w, double csf)
{
  const WorkGrid& g = w.grid;
  std::vector<std::vector<CanalCandidate>> perSlice(static_cast<std::size_t>(g.nz));
  parallelFor(static_cast<std::size_t>(g.nz), [&](std::size_t kk) {
    const int k = static_cast<int>(kk);
    const std::size_t n = static_cast<std::size_t>(g.nx) * static_cast<std::size_t>(g.ny);
    const float* v = w.values.data() + g.index(0, 0, k);
    // "closed" = not CSF, so that holesOf returns the bright blobs
    std::vector<std::uint8_t> notCsf(n);
    for (std::size_t p = 0; p < n; ++p) {
      notCsf[p] = !(v[p] >= 0.7 * csf);
    }
    // a bright blob cut by the grid's edge is still one (a narrow sagittal slab clips the canal)
    for (const Hole& blob : holesOf(notCsf, v, g.nx, g.ny, g.h, false)) {
      if (blob.areaMm2 < 30.0 || blob.areaMm2 > 700.0 || blob.widthMm > 35.0 || blob.heightMm > 35.0 ||
          std::max(blob.widthMm, blob.heightMm) > 3.5 * std::min(blob.widthMm, blob.heightMm)) {
        continue;
      }
      perSlice[kk].push_back(candidateFrom(blob, k, g));
    }
  });
  return flatten(perSlice);
}

/// T2 MR intensities mapped onto a bone-like scale (marrow reads as bone, CSF as fluid, the rest
/// as soft tissue), so that bodies, discs and pedicles are measured as on CT. Cortex is dark on T2
/// and is found as the edge of the marrow. Bowel, kidney and cord share marrow's signal: the thin
/// cortex between a body and the bowel in front of it blurs to a voxel barely darker than both, so
/// every voxel darker by 8 % of CSF than the voxels on both sides of it (one or two voxels away, in
/// any of the 13 directions) is a wall, whatever its own signal.
void mapMrToBoneScale(WorkVolume& w, double csf)
{
  const WorkGrid& g = w.grid;
  const std::vector<float> raw = w.values;
  const float depth = static_cast<float>(0.08 * csf);
  static const int directions[13][3] = { { 1, 0, 0 },  { 0, 1, 0 },  { 0, 0, 1 },  { 1, 1, 0 },  { 1, -1, 0 },
                                         { 1, 0, 1 },  { 1, 0, -1 }, { 0, 1, 1 },  { 0, 1, -1 }, { 1, 1, 1 },
                                         { 1, 1, -1 }, { 1, -1, 1 }, { 1, -1, -1 } };
  parallelFor(static_cast<std::size_t>(g.nz), [&](std::size_t kk) {
    const int k = static_cast<int>(kk);
    for (int j = 0; j < g.ny; ++j) {
      for (int i = 0; i < g.nx; ++i) {
        const std::size_t idx = g.index(i, j, k);
        const float v = raw[idx];
        if (std::isnan(v)) {
          continue;
        }
        const double r = v / csf;
        float mapped = r >= 0.28 && r <= 0.62 ? 400.0f : (r > 0.62 ? -50.0f : 20.0f);
        if (mapped > 100.0f) {
          bool wall = false;
          for (int d = 0; d < 13 && !wall; ++d) {
            for (int s = 1; s <= 2 && !wall; ++s) {
              const int dx = s * directions[d][0], dy = s * directions[d][1], dz = s * directions[d][2];
              if (!g.inside(i + dx, j + dy, k + dz) || !g.inside(i - dx, j - dy, k - dz)) {
                continue;
              }
              const float a = raw[g.index(i + dx, j + dy, k + dz)], b = raw[g.index(i - dx, j - dy, k - dz)];
              wall = !std::isnan(a) && !std::isnan(b) && v + depth < std::min(a, b);
            }
          }
          mapped = wall ? 20.0f : mapped;
        }
        w.values[idx] = mapped;
      }
    }
  });
}

/// A canal candidate's pixels and every pixel they enclose in their slice (MR: the cord inside the
/// CSF ring).
std::vector<std::uint32_t> canalWithContents(const CanalCandidate& c, const WorkGrid& g)
{
  if (c.pixels.empty()) {
    return {};
  }
  int i0 = g.nx, i1 = -1, j0 = g.ny, j1 = -1;
  for (std::uint32_t p : c.pixels) {
    const int i = static_cast<int>(p % static_cast<std::uint32_t>(g.nx));
    const int j = static_cast<int>(p / static_cast<std::uint32_t>(g.nx));
    i0 = std::min(i0, i), i1 = std::max(i1, i), j0 = std::min(j0, j), j1 = std::max(j1, j);
  }
  // the bounding box with a free border; flood the outside from it
  --i0, --j0, ++i1, ++j1;
  const int bw = i1 - i0 + 1, bh = j1 - j0 + 1;
  std::vector<std::uint8_t> state(static_cast<std::size_t>(bw) * bh, 0); // 1 blob, 2 outside
  for (std::uint32_t p : c.pixels) {
    const int i = static_cast<int>(p % static_cast<std::uint32_t>(g.nx)) - i0;
    const int j = static_cast<int>(p / static_cast<std::uint32_t>(g.nx)) - j0;
    state[static_cast<std::size_t>(i + bw * j)] = 1;
  }
  std::vector<int> stack = { 0 };
  state[0] = 2;
  while (!stack.empty()) {
    const int q = stack.back();
    stack.pop_back();
    const int i = q % bw, j = q / bw;
    const int nb[4][2] = { { 1, 0 }, { -1, 0 }, { 0, 1 }, { 0, -1 } };
    for (const auto& o : nb) {
      const int ii = i + o[0], jj = j + o[1];
      if (ii >= 0 && jj >= 0 && ii < bw && jj < bh && state[static_cast<std::size_t>(ii + bw * jj)] == 0) {
        state[static_cast<std::size_t>(ii + bw * jj)] = 2;
        stack.push_back(ii + bw * jj);
      }
    }
  }
  std::vector<std::uint32_t> out;
  for (int j = 0; j < bh; ++j) {
    for (int i = 0; i < bw; ++i) {
      const int gi = i + i0, gj = j + j0;
      if (state[static_cast<std::size_t>(i + bw * j)] != 2 && gi >= 0 && gj >= 0 && gi < g.nx && gj < g.ny) {
        out.push_back(static_cast<std::uint32_t>(gi + g.nx * gj));
      }
    }
  }
  return out;
}

/// MR marrow without its outer voxel (6-neighbourhood erosion): bridges of a voxel or two through
/// a blurred cortex, or along tissue of marrow-like signal, no longer join bone to the bowel.
void erodeOnce(std::vector<std::uint8_t>& bone, const WorkGrid& g)
{
  const std::vector<std::uint8_t> in = bone;
  parallelFor(static_cast<std::size_t>(g.nz), [&](std::size_t kk) {
    const int k = static_cast<int>(kk);
    for (int j = 0; j < g.ny; ++j) {
      for (int i = 0; i < g.nx; ++i) {
        const std::size_t idx = g.index(i, j, k);
        if (!in[idx]) {
          continue;
        }
        for (const auto& o : kFaces) {
          if (g.inside(i + o[0], j + o[1], k + o[2]) && !in[g.index(i + o[0], j + o[1], k + o[2])]) {
            bone[idx] = 0;
            break;
          }
        }
      }
    }
  });
}

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
        if (cosAngle < std::cos(50.0 * 3.14159265358979323846 / 180.0) || w.norm() > 35.0 ||
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
                    double threshold = kBoneHu, double* valid = nullptr)
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

/// A run of centreline indices [first, last].
struct Run
{
  int first = 0, last = 0;
  int length() const { return last - first + 1; }
  double mid() const { return 0.5 * (first + last); }
};

struct Segment
{
  Run run;
  bool topOpen = false, bottomOpen = false;
  bool sacral = false;
  bool ribs = false;
  double alaLeft = 0, alaRight = 0, ribLeft = 0, ribRight = 0;
  double rotation = 0; ///< axial rotation of the vertebra about the canal's axis (radians, towards the left)
  std::string level;
  int label = 0;
};

/// The standard sequence of level names, head to foot, with the declared transitional anatomy.
std::vector<std::string> levelSequence(bool t13, bool l6)
{
  std::vector<std::string> s;
  for (int i = 1; i <= 12; ++i) {
    s.push_back("T" + std::to_string(i));
  }
  if (t13) {
    s.emplace_back("T13");
  }
  for (int i = 1; i <= 5; ++i) {
    s.push_back("L" + std::to_string(i));
  }
  if (l6) {
    s.emplace_back("L6");
  }
  s.emplace_back("S1");
  return s;
}

/// Free interval along v (anterior +) around v = `v0` at (n, u): first wall each way, or the limit.
/// With `wallOf`, only samples it accepts can be walls (e.g. the bone of the vertebrae around).
std::pair<double, double> freeIntervalAlongV(const WorkVolume& w, const CentrelinePoint& p, double u,
                                             double v0, double limit,
                                             const std::function<bool(const Vector3d&)>& wallOf = {})
{
  auto wall = [&](const Vector3d& q, float x) { return x >= kWallHu && (!wallOf || wallOf(q)); };
  // start in free space: a start on a wall's edge would measure nothing (backwards first: the
  // ganglion lies in the dorsal part of the foramen)
  for (double t = 0; t <= 6.0; t += 0.5) {
    const float b = w.sample(p.at(u, v0 - t));
    if (!std::isnan(b) && !wall(p.at(u, v0 - t), b)) {
      v0 -= t;
      break;
    }
    const float a = w.sample(p.at(u, v0 + t));
    if (!std::isnan(a) && !wall(p.at(u, v0 + t), a)) {
      v0 += t;
      break;
    }
  }
  // a wall is 1 mm of samples at or above kWallHu (single noisy samples are not walls), or one
  // sample of clear bone (a thin process seen in partial volume)
  auto walk = [&](double dir) {
    double last = v0;
    int run = 0;
    for (double t = 0; t <= limit; t += 0.5) {
      const Vector3d q = p.at(u, v0 + dir * t);
      float x = w.sample(q);
      if (std::isnan(x) || wall(q, x)) {
        if (++run >= 2 || std::isnan(x) || x >= kThinBoneHu) {
          break;
        }
      } else {
        run = 0;
        last = v0 + dir * t;
      }
    }
    return last;
  };
  return { walk(1.0), walk(-1.0) };
}

struct PedicleMeasure
{
  bool found = false;
  Run run;
  double uMed = 0, uLat = 0, v = 0;
  double uReach = 0; ///< how far out the bone reaches from the medial wall (with what merges laterally)
  double top = 0,
         bottom = 0; ///< continuous centreline positions (mm, head to foot) of its upper and lower edges
  double centre() const { return 0.5 * (top + bottom); }
  double height() const { return bottom - top; }
};

class CtSpineAnalysis
{
public:
  CtSpineAnalysis(const Image<float>& volume, const SpineModelOptions& options,
                  const ProgressCallback& progress, bool mr)
    : m_input(volume)
    , m_options(options)
    , m_progress(progress)
    , m_mr(mr)
  {}

  SpineModel run()
  {
    auto t0 = std::chrono::steady_clock::now();
    const ImageGeometry& g = m_input.geometry();
    double h = m_options.workSpacingMm;
    if (h <= 0) {
      h = std::clamp(g.spacing.maxCoeff(), 1.25, 2.0);
    }
    m_work = resampleToWorkGrid(m_input, h);
    report(0.1);
    if (m_mr) {
      std::vector<double> sample;
      for (std::size_t i = 0; i < m_work.values.size(); i += 7) {
        if (!std::isnan(m_work.values[i])) {
          sample.push_back(m_work.values[i]);
        }
      }
      m_csf = percentile(sample, 0.999);
      if (!(m_csf > 0)) {
        throw Error(ErrorCode::NotFound, "no spine found: the MR volume holds no signal");
      }
      m_raw = m_work;
      // fat can be as bright as the brightest 0.1 %: find the canal roughly, then take the CSF
      // signal from inside it and look again
      auto candidates = mrCanalCandidates(m_raw, m_csf);
      {
        auto rough = canalChain(candidates, h);
        std::vector<double> inside;
        for (const CanalCandidate* c : rough) {
          const float* v = m_raw.values.data() + m_raw.grid.index(0, 0, c->k);
          for (std::uint32_t p : c->pixels) {
            inside.push_back(v[p]);
          }
        }
        if (inside.size() > 50) {
          m_csf = percentile(inside, 0.9);
          candidates = mrCanalCandidates(m_raw, m_csf);
        }
      }
      mapMrToBoneScale(m_work, m_csf);
      // the canal's contents (cord, roots: marrow-like on T2) are not bone: the CSF blobs of the
      // canal chain, what they enclose, and 2 mm around them (CSF blurred into the arch) read as
      // fluid; the arch beyond is bone
      {
        const WorkGrid& g = m_work.grid;
        const int reach = std::max(1, static_cast<int>(std::lround(2.0 / g.h)));
        for (const CanalCandidate* c : canalChain(candidates, h)) {
          for (std::uint32_t p : canalWithContents(*c, g)) {
            const int i = static_cast<int>(p % static_cast<std::uint32_t>(g.nx));
            const int j = static_cast<int>(p / static_cast<std::uint32_t>(g.nx));
            for (int dj = -reach; dj <= reach; ++dj) {
              for (int di = -reach; di <= reach; ++di) {
                if (g.inside(i + di, j + dj, c->k) && m_work.values[g.index(i + di, j + dj, c->k)] > 100.0f) {
                  m_work.values[g.index(i + di, j + dj, c->k)] = -50.0f;
                }
              }
            }
          }
        }
      }
      m_bone = analyseBone(m_work, m_progress);
      m_core = m_bone.bone;
      erodeOnce(m_core, m_work.grid);
      m_bone.candidates = std::move(candidates);
    } else {
      m_bone = analyseBone(m_work, m_progress);
    }
    auto chain = canalChain(m_bone.candidates, h);
    if (!m_bone.faintCandidates.empty()) {
      // thin osteoporotic laminae may leave long stretches without a closed ring at the bone
      // threshold: the fainter rings count when they make a clearly longer canal
      m_allCandidates = m_bone.candidates;
      m_allCandidates.insert(m_allCandidates.end(), m_bone.faintCandidates.begin(),
                             m_bone.faintCandidates.end());
      auto wider = canalChain(m_allCandidates, h);
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
      const double extent = (m_work.grid.nz - 1) * h;
      if (chain.size() >= 4 && extent < 60.0 && span >= 0.6 * extent) {
        throw Error(ErrorCode::NotFound,
                    "the image covers only " + mm1(extent) +
                      " mm along the body: too short a stretch of spine to find vertebrae "
                      "and count levels (at least two vertebrae, about 60 mm, are needed)");
      }
      throw Error(ErrorCode::NotFound, std::string("no spine found: no ") + (m_mr ? "CSF-bright" : "bony") +
                                         " spinal canal runs through this image (longest candidate " +
                                         mm1(span) +
                                         " mm); drgplan needs a CT or T2 MR of the thoracolumbar spine");
    }
    m_chain = chain;
    // smoothed over 5 mm each way; on T2 over 8 mm: the canal is found from the thecal sac, which
    // moves within the bony canal by 3-4 mm from level to level (the phantom's lies further back
    // between the pedicles), and the tangent's wobble tilted the body profile's planes into the
    // discs away from them (0.8 mm T2: discs 3-4 mm off, T12's centroid 3.6 mm). On CT the bony
    // ring's centre is as steady at the chain's ends as inside, and a centred window keeps the ends
    // where they are (the one-sided one had tilted the osteoporotic S1/sacrum cut: S1's centroid
    // 2.003 -> 1.86 mm); the sac's tapering end is not (centred there, the T2 phantom's S1 ganglia
    // went 15 mm off)
    m_line = buildCentreline(chain, m_work.grid, m_mr ? 8.0 : 5.0, !m_mr);
    report(0.45);
    findSegments();
    labelSegments();
    report(0.55);
    estimateRotations();
    growVertebrae();
    report(0.75);
    SpineModel model;
    model.modality = m_mr ? "MR T2" : "CT";
    model.anchor = m_anchor;
    model.anchorDetail = m_anchorDetail;
    model.anchorsDisagree = m_disagree;
    model.labelShift = m_options.labels.shift;
    for (const auto& p : m_line) {
      model.canalCentreline.push_back(p.centre);
    }
    measurePedicles(false);
    growFromArches();
    // T2 MR: a thin pedicle's marrow (the thoracic ones: 2-3 mm inside a dark cortex) is lost to the
    // erosion that keeps the bowel off the bodies, so a body may not reach its own arch in the first
    // growth and the arch goes to a neighbour whose pedicle joins (T12's took T10's and T11's on the
    // phantom). After the second growth, seeded by the arches found, the arches are their own
    // vertebra's: the pedicles missing are measured again, and when some are found, their foramina
    // are marked and the vertebrae grown once more from all of them.
    if (m_mr && measurePedicles(true) > 0) {
      growFromArches();
    }
    publishPedicles(model);
    if (m_mr) {
      confineAlongCanal();
    }
    describeVertebrae(model);
    measureForaminaAndGanglia(model);
    report(0.85);
    findSkinAndLandmarks(model);
    paintLabels(model);
    model.warnings = m_warnings;
    model.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    report(1.0);
    return model;
  }

private:
  void report(double f)
  {
    if (m_progress && !m_progress(f)) {
      throw Error(ErrorCode::Cancelled, "spine model cancelled");
    }
  }

  /// Bone profile of the body region along the centreline, discs as its gaps.
  void findSegments()
  {
    const int n = static_cast<int>(m_line.size());
    std::vector<double> f(static_cast<std::size_t>(n)), valid(static_cast<std::size_t>(n));
    parallelFor(static_cast<std::size_t>(n), [&](std::size_t i) {
      // the whole body's cross-section: its cortical ring keeps the fraction up where the
      // cancellous bone is faint (older patients, osteoporosis); discs hold no bone
      // (MR: the body itself only; kidneys and bowel share marrow's T2 signal)
      f[i] = m_mr ? boneFraction(m_work, m_line[i], -14, 14, 12, 38, kBoneHu, &valid[i])
                  : boneFraction(m_work, m_line[i], -28, 28, 6, 55, kBoneHu, &valid[i]);
    });
    // a row counts when 80 % of its region lies in the image; on MR 70 % (a narrow sagittal slab,
    // 38 mm, leaves out part of a body's 28 mm region where the spine runs off its centre)
    const double kInView = m_mr ? 0.7 : 0.8;
    // light smoothing (1 mm sigma)
    std::vector<double> s(f.size());
    for (int i = 0; i < n; ++i) {
      double acc = 0, wsum = 0;
      for (int d = -2; d <= 2; ++d) {
        int j = std::clamp(i + d, 0, n - 1);
        double wt = std::exp(-0.5 * d * d);
        acc += wt * f[static_cast<std::size_t>(j)];
        wsum += wt;
      }
      s[static_cast<std::size_t>(i)] = acc / wsum;
    }
    std::vector<double> inside;
    for (int i = 0; i < n; ++i) {
      if (valid[static_cast<std::size_t>(i)] > kInView) {
        inside.push_back(s[static_cast<std::size_t>(i)]);
      }
    }
    const double theta = 0.25 * percentile(inside, 0.75); // no bone of a body below this
    m_profile = s;
    // discs: deep local minima of the profile, chosen so that neighbouring discs lie one body apart
    // (22-50 mm). A faint body interior (older bone) can dip too, but less deep and half a body from
    // the discs, so the deepest regular sequence wins.
    const double p75 = percentile(inside, 0.75);
    struct Minimum
    {
      int at;
      double depth;
    };
    std::vector<Minimum> minima;
    for (int q = 3; q + 3 < n; ++q) {
      const double x = s[static_cast<std::size_t>(q)];
      if (valid[static_cast<std::size_t>(q)] <= kInView || x >= 0.6 * p75) {
        continue;
      }
      bool lowest = true;
      for (int d = -5; d <= 5 && lowest; ++d) {
        int r = std::clamp(q + d, 0, n - 1);
        lowest = s[static_cast<std::size_t>(r)] > x || (s[static_cast<std::size_t>(r)] == x && r >= q);
      }
      // bone on both sides within 25 mm (not an end of the spine or of the image)
      double leftMax = 0, rightMax = 0;
      for (int d = 1; d <= 25; ++d) {
        if (q - d >= 0 && valid[static_cast<std::size_t>(q - d)] > kInView) {
          leftMax = std::max(leftMax, s[static_cast<std::size_t>(q - d)]);
        }
        if (q + d < n && valid[static_cast<std::size_t>(q + d)] > kInView) {
          rightMax = std::max(rightMax, s[static_cast<std::size_t>(q + d)]);
        }
      }
      if (lowest && x < 0.5 * std::min(leftMax, rightMax)) {
        minima.push_back({ q, 1.0 - x / std::max(1e-6, std::min(leftMax, rightMax)) });
      }
    }
    std::vector<double> best(minima.size());
    std::vector<long> from(minima.size(), -1);
    for (std::size_t a = 0; a < minima.size(); ++a) {
      best[a] = minima[a].depth;
      for (std::size_t b = 0; b < a; ++b) {
        int gap = minima[a].at - minima[b].at;
        if (gap >= 22 && gap <= 50 && best[b] + minima[a].depth > best[a]) {
          best[a] = best[b] + minima[a].depth;
          from[a] = static_cast<long>(b);
        }
      }
    }
    std::vector<Run> discs;
    if (!minima.empty()) {
      long a = static_cast<long>(std::max_element(best.begin(), best.end()) - best.begin());
      for (; a >= 0; a = from[static_cast<std::size_t>(a)]) {
        const Minimum& mnm = minima[static_cast<std::size_t>(a)];
        // the disc's extent: where the profile stays under half way to its shoulders
        const double x = s[static_cast<std::size_t>(mnm.at)];
        const double level = x + 0.5 * (0.5 * p75 - x);
        int lo = mnm.at, hi = mnm.at;
        while (lo - 1 >= 0 && mnm.at - (lo - 1) <= 12 && s[static_cast<std::size_t>(lo - 1)] < level) {
          --lo;
        }
        while (hi + 1 < n && (hi + 1) - mnm.at <= 12 && s[static_cast<std::size_t>(hi + 1)] < level) {
          ++hi;
        }
        discs.push_back({ lo, hi });
      }
      std::reverse(discs.begin(), discs.end());
    }
    // segments between discs; the ends are open unless the image ends there
    std::vector<Segment> segs;
    int start = 0;
    while (start < n && valid[static_cast<std::size_t>(start)] <= kInView) {
      ++start;
    }
    int end = n - 1;
    while (end > start && valid[static_cast<std::size_t>(end)] <= kInView) {
      --end;
    }
    int cursor = start;
    for (std::size_t d = 0; d <= discs.size(); ++d) {
      Segment seg;
      seg.run.first = cursor;
      seg.run.last = d < discs.size() ? discs[d].first - 1 : end;
      seg.topOpen = d == 0;
      seg.bottomOpen = d == discs.size();
      // trim low-profile ends (no bone of this body there)
      while (seg.run.first < seg.run.last && s[static_cast<std::size_t>(seg.run.first)] < theta) {
        ++seg.run.first;
      }
      while (seg.run.last > seg.run.first && s[static_cast<std::size_t>(seg.run.last)] < theta) {
        --seg.run.last;
      }
      // MR: an end the image leaves open may run on into liver or bowel (marrow-like signal with
      // walls through it, a body region about half full): only rows two thirds as full as the
      // spine's bodies are this body's
      const double open = 0.65 * p75;
      while (m_mr && seg.topOpen && seg.run.first < seg.run.last &&
             s[static_cast<std::size_t>(seg.run.first)] < open) {
        ++seg.run.first;
      }
      while (m_mr && seg.bottomOpen && seg.run.last > seg.run.first &&
             s[static_cast<std::size_t>(seg.run.last)] < open) {
        --seg.run.last;
      }
      // MR: bowel and liver read as marrow with walls through them (the fat between loops); a body's
      // marrow fills the body region, theirs only half of it
      double peak = 0;
      for (int q = seg.run.first; q <= seg.run.last; ++q) {
        peak = std::max(peak, s[static_cast<std::size_t>(q)]);
      }
      if (seg.run.length() >= 8 && (!m_mr || peak >= 0.7 * p75)) {
        segs.push_back(seg);
      }
      if (d < discs.size()) {
        cursor = discs[d].last + 1;
      }
    }
    m_discRuns = discs;
    m_segments = segs;
    // sacral alae and ribs per segment
    for (auto& seg : m_segments) {
      int a0 = seg.run.first + 3, a1 = std::min(seg.run.last, seg.run.first + 15);
      double left = 0, right = 0;
      int cnt = 0;
      for (int k = a0; k <= a1; ++k) {
        left += boneFraction(m_work, m_line[static_cast<std::size_t>(k)], 22, 42, 4, 30);
        right += boneFraction(m_work, m_line[static_cast<std::size_t>(k)], -42, -22, 4, 30);
        ++cnt;
      }
      seg.alaLeft = cnt ? left / cnt : 0;
      seg.alaRight = cnt ? right / cnt : 0;
      seg.sacral = !seg.topOpen && std::min(seg.alaLeft, seg.alaRight) > 0.25;
      // ribs leave the vertebra laterally and descend: the strongest row over the body and 8 mm below,
      // 50-70 mm from the canal, behind the body
      const int r1 = std::min(static_cast<int>(m_line.size()) - 1, seg.run.last + 8);
      seg.ribLeft = seg.ribRight = 0;
      for (int k = seg.run.first; k <= r1; ++k) {
        seg.ribLeft =
          std::max(seg.ribLeft, boneFraction(m_work, m_line[static_cast<std::size_t>(k)], 50, 70, -35, 5));
        seg.ribRight =
          std::max(seg.ribRight, boneFraction(m_work, m_line[static_cast<std::size_t>(k)], -70, -50, -35, 5));
      }
      // (not on MR: the kidneys beside T12-L2 share marrow's T2 signal and fill the ribs' band, 0.4-0.6
      // of it against 0.2-0.3 for ribs; measured on the phantom)
      seg.ribs = !m_mr && seg.ribLeft > 0.04 && seg.ribRight > 0.04;
    }
    if (m_segments.size() < 2) {
      throw Error(ErrorCode::NotFound,
                  std::string("no spine model: a ") + (m_mr ? "CSF-bright" : "bony") +
                    " canal was found, but fewer than two vertebral bodies could be told apart along it");
    }
    // bodies and discs alternate along the whole canal in view: bodies over less than half of it
    // mean the bone's signal was not understood (a fat-suppressed MR darkens marrow), not a spine
    // with gaps; refused rather than labelled from the few bodies found
    int inView = 0, covered = 0;
    for (int i = 0; i < n; ++i) {
      inView += valid[static_cast<std::size_t>(i)] > kInView ? 1 : 0;
    }
    int gap = 0;
    for (std::size_t i = 0; i < m_segments.size(); ++i) {
      covered += m_segments[i].run.length();
      if (i > 0) {
        gap = std::max(gap, m_segments[i].run.first - m_segments[i - 1].run.last - 1);
      }
    }
    // (a disc is 3-15 mm high; over 45 mm without a body, one is missing and counting would skip it)
    if ((inView > 120 && covered < 0.5 * inView) || gap > 45) {
      const std::string found =
        covered < 0.5 * inView
          ? "vertebral bodies were found along only " + std::to_string(covered) + " mm of it"
          : "a stretch of " + std::to_string(gap) + " mm of it holds no vertebral body";
      throw Error(ErrorCode::NotFound,
                  "no spine model: the canal runs " + std::to_string(inView) + " mm through the image, but " +
                    found + "; " +
                    (m_mr
                       ? "drgplan reads marrow on T2-weighted MR without fat suppression (fat-suppressed "
                         "and STIR series darken it), so load such a T2 series or a CT; a body lost to a "
                         "lesion or oedema does the same"
                       : "the bone's intensities may not be those of a CT in Hounsfield units, or a body is "
                         "lost (fracture, lesion, metal): levels cannot be counted across it"));
    }
  }

  /// Level names from the sacrum (counting up), checked with the lowest ribs; user override last.
  void labelSegments()
  {
    const SpineLabelOverride& o = m_options.labels;
    bool t13 = o.declaredSet && o.declared == TransitionalAnatomy::T13;
    bool l6 = o.declaredSet && o.declared == TransitionalAnatomy::L6;
    const int count = static_cast<int>(m_segments.size());
    // S1: the segment below a disc with the widest alae (L5's transverse processes and the iliac
    // wings beside it can look like small alae; S1's are the largest)
    int s1 = -1;
    for (int i = 1; i < count; ++i) {
      const Segment& seg = m_segments[static_cast<std::size_t>(i)];
      if (seg.sacral && (s1 < 0 || std::min(seg.alaLeft, seg.alaRight) >
                                     std::min(m_segments[static_cast<std::size_t>(s1)].alaLeft,
                                              m_segments[static_cast<std::size_t>(s1)].alaRight))) {
        s1 = i;
      }
    }
    // lowest rib-bearing vertebra: the end of the run of rib-bearing vertebrae from the top (the
    // iliac wings beside the lower lumbar spine must not count as ribs)
    int lowestRib = -1;
    for (int i = 0; i < count; ++i) {
      const Segment& seg = m_segments[static_cast<std::size_t>(i)];
      if (s1 >= 0 && i >= s1 - 1) {
        break;
      }
      if (!seg.ribs) {
        break;
      }
      if (i + 1 < count && !m_segments[static_cast<std::size_t>(i + 1)].ribs) {
        lowestRib = i;
        break;
      }
    }
    std::vector<std::string> seq;
    int anchorIndex = -1;
    std::string anchorName;
    if (s1 >= 0) {
      m_anchor = "sacrum";
      anchorIndex = s1;
      anchorName = "S1";
      int lumbarBetween = lowestRib >= 0 ? s1 - lowestRib - 1 : -1;
      if (!o.declaredSet && lumbarBetween == 6) {
        l6 = true;
        m_warnings.push_back(
          "six lumbar-type vertebrae between the lowest ribs and the sacrum: labelled L1-L6 "
          "(transitional anatomy); check and override if needed");
      }
      seq = levelSequence(t13, l6);
      if (lowestRib >= 0) {
        int expectedLumbar = l6 ? 6 : 5;
        if (lumbarBetween != expectedLumbar) {
          m_disagree = true;
          m_warnings.push_back("the lowest ribs (on the vertebra " + std::to_string(s1 - lowestRib) +
                               " above S1) disagree with counting from the sacrum; labels follow the sacrum: "
                               "check for transitional anatomy (L6, T13, sacralised L5) and override");
        }
        m_anchorDetail = "S1 found below the lowest mobile disc (sacral alae); lowest ribs on the vertebra " +
                         std::to_string(s1 - lowestRib) + " above it";
      } else {
        m_anchorDetail = m_mr
                           ? "S1 found below the lowest mobile disc (sacral alae); ribs are not assessed on "
                             "MR (the kidneys beside them share marrow's T2 signal)"
                           : "S1 found below the lowest mobile disc (sacral alae); no ribs in view to "
                             "cross-check";
      }
    } else if (lowestRib >= 0) {
      m_anchor = "lowest ribs";
      seq = levelSequence(t13, l6);
      anchorIndex = lowestRib;
      anchorName = t13 ? "T13" : "T12";
      m_anchorDetail = "no sacrum in view: the lowest rib-bearing vertebra is taken as " + anchorName;
      m_warnings.push_back("levels counted from the lowest ribs only (no sacrum in view): less certain");
    } else if (const auto conus = m_mr ? conusSegment() : std::nullopt) {
      // T2 MR without sacrum or ribs (a sagittal slab): the conus medullaris ends at the L1/L2 disc
      // in most adults (T12 to L3 in all): a weak anchor, said so
      m_anchor = "conus medullaris";
      seq = levelSequence(t13, l6);
      anchorIndex = *conus;
      anchorName = "L1";
      m_anchorDetail =
        "no sacrum in view (ribs are not assessed on MR): the vertebra above the disc nearest the conus "
        "tip is taken as L1 (the conus ends between T12 and L3; L1/L2 is commonest)";
      m_warnings.push_back(
        "levels counted from the conus medullaris: uncertain by one level or more; confirm on "
        "a view that shows the sacrum or the ribs, and shift the labels if needed");
    } else {
      throw Error(ErrorCode::NotFound,
                  "levels cannot be counted: the image shows neither the sacrum nor the lowest ribs; "
                  "image a longer stretch of the spine");
    }
    const auto at = std::find(seq.begin(), seq.end(), anchorName);
    const int anchorSeq = static_cast<int>(at - seq.begin());
    for (int i = 0; i < count; ++i) {
      Segment& seg = m_segments[static_cast<std::size_t>(i)];
      int q = anchorSeq + (i - anchorIndex) + o.shift;
      if (s1 >= 0 && i > s1) {
        seg.level = "sacrum";
      } else if (q >= 0 && q < static_cast<int>(seq.size())) {
        seg.level = seq[static_cast<std::size_t>(q)];
      } else if (q >= static_cast<int>(seq.size())) {
        seg.level = "sacrum";
      }
      seg.label = labels::vertebraLabel(seg.level);
    }
    if (o.shift != 0) {
      m_anchor += " (shifted by the user by " + std::to_string(o.shift) + ")";
    }
    // the sacrum below S1 is one bone: merge its segments
    std::vector<Segment> merged;
    for (const auto& seg : m_segments) {
      if (!merged.empty() && seg.level == "sacrum" && merged.back().level == "sacrum") {
        merged.back().run.last = seg.run.last;
        merged.back().bottomOpen = seg.bottomOpen;
      } else if (!seg.level.empty()) {
        merged.push_back(seg);
      }
    }
    m_segments = merged;
    // S1 and the rest of the sacrum are fused: cut at the remnant of the S1/S2 disc (the profile's
    // lowest point about one body height down), or one L5 body height below the S1 endplate. A
    // remnant lies between two bodies, so at least half an S2 body (half of L5's height) must be in
    // view below a dip: where the view ends lower, the dip is the sacrum narrowing below S1 (and its
    // depth is judged against a median raised by the missing lower sacrum), not a disc.
    for (std::size_t i = 0; i < m_segments.size(); ++i) {
      if (m_segments[i].level != "S1") {
        continue;
      }
      Segment& s1seg = m_segments[i];
      const double ref = i > 0 ? m_segments[i - 1].run.length() : 28.0;
      if (s1seg.run.length() < 1.4 * ref) {
        break;
      }
      const int lo = s1seg.run.first + static_cast<int>(0.7 * ref);
      const int hi =
        std::min(s1seg.run.last - static_cast<int>(0.5 * ref), s1seg.run.first + static_cast<int>(1.4 * ref));
      int cut = s1seg.run.first + static_cast<int>(ref);
      std::vector<double> inside(m_profile.begin() + s1seg.run.first, m_profile.begin() + s1seg.run.last + 1);
      const double typical = percentile(inside, 0.5);
      for (int n = lo; n <= hi; ++n) {
        if (m_profile[static_cast<std::size_t>(n)] < 0.8 * typical &&
            m_profile[static_cast<std::size_t>(n)] < m_profile[static_cast<std::size_t>(cut)]) {
          cut = n;
        }
      }
      Segment sacrum = s1seg;
      sacrum.run.first = cut + 1;
      sacrum.level = "sacrum";
      sacrum.label = labels::vertebraLabel("sacrum");
      sacrum.topOpen = false;
      s1seg.run.last = cut;
      s1seg.bottomOpen = false;
      if (i + 1 < m_segments.size() && m_segments[i + 1].level == "sacrum") {
        m_segments[i + 1].run.first = sacrum.run.first;
      } else {
        m_segments.insert(m_segments.begin() + static_cast<long>(i) + 1, sacrum);
      }
      break;
    }
  }

  /// MR: the segment above the disc nearest to the conus tip (where the cord, a dark core in the
  /// bright CSF, ends), or nullopt when no cord is seen.
  std::optional<int> conusSegment() const
  {
    // cord: the canal's core (2 mm around the centre) darker than 60 % of its bright CSF ring;
    // its cross-section: the area that dark within 6 mm of the centre
    std::vector<char> cord(m_line.size(), 0);
    std::vector<double> area(m_line.size(), 0.0);
    for (std::size_t n = 0; n < m_line.size(); ++n) {
      std::vector<double> core, ring;
      for (double u = -8; u <= 8; u += 1.0) {
        for (double v = -8; v <= 8; v += 1.0) {
          const double r = std::hypot(u, v);
          const float x = m_raw.sample(m_line[n].at(u, v));
          if (std::isnan(x)) {
            continue;
          }
          (r <= 2.0 ? core : r <= 8.0 ? ring : core).push_back(x);
        }
      }
      if (core.size() >= 5 && ring.size() >= 20) {
        const double bright = percentile(ring, 0.9);
        cord[n] = percentile(core, 0.5) < 0.6 * bright ? 1 : 0;
        for (double u = -6; u <= 6; u += 0.5) {
          for (double v = -6; v <= 6; v += 0.5) {
            const float x = m_raw.sample(m_line[n].at(u, v));
            area[n] += std::hypot(u, v) <= 6.0 && x < 0.6 * bright ? 0.25 : 0.0; // (NaN: not dark)
          }
        }
      }
    }
    // the longest run of cord; its lower end is the conus tip
    int bestFirst = -1, bestLast = -1, first = -1;
    for (int n = 0; n <= static_cast<int>(cord.size()); ++n) {
      const bool on = n < static_cast<int>(cord.size()) && cord[static_cast<std::size_t>(n)];
      if (on && first < 0) {
        first = n;
      }
      if (!on && first >= 0) {
        if (n - 1 - first > bestLast - bestFirst) {
          bestFirst = first;
          bestLast = n - 1;
        }
        first = -1;
      }
    }
    if (bestFirst < 0 || bestLast - bestFirst < 20 || bestLast >= static_cast<int>(m_line.size()) - 5) {
      return std::nullopt; // no cord, or it runs out of the image: no tip
    }
    // the roots of the cauda equina clump into a dark core too; the conus is where the cord's
    // cross-section has tapered below half of its own (the median of the run's upper half) and
    // stays there for 10 mm
    std::vector<double> upper(area.begin() + bestFirst, area.begin() + (bestFirst + bestLast) / 2 + 1);
    const double own = percentile(upper, 0.5);
    const int stay = 10; // (the centreline's points are 1 mm apart)
    for (int n = bestFirst; n + stay <= bestLast; ++n) {
      bool tapered = true;
      for (int d = 0; d <= stay && tapered; ++d) {
        tapered = area[static_cast<std::size_t>(n + d)] < 0.5 * own;
      }
      if (tapered) {
        bestLast = n;
        break;
      }
    }
    // the disc nearest to the tip; the segment just above it
    const Run* nearest = nullptr;
    for (const Run& r : m_discRuns) {
      if (!nearest || std::abs(r.mid() - bestLast) < std::abs(nearest->mid() - bestLast)) {
        nearest = &r;
      }
    }
    if (!nearest) {
      return std::nullopt;
    }
    for (int i = static_cast<int>(m_segments.size()) - 1; i >= 0; --i) {
      if (m_segments[static_cast<std::size_t>(i)].run.last < nearest->first) {
        return i;
      }
    }
    return std::nullopt;
  }

  /// Vertebra labels by geodesic growth through the bone from each body.
  void growVertebrae()
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
          // no frame: on T2 the pelvic bowel lies in front of the sacrum's tip, marrow-like, and the
          // frame carried on from the canal's end let the sacrum grow 20 mm into it)
          const bool framed = k >= kBottom;
          if (dx * dx + dy * dy <= r2 && std::abs(dx) <= 50.0 &&
              (!m_mr || arch ||
               (framed && m_core[idx] && v <= 52.0 && u <= 50.0 && (v <= 8.0 || u <= 32.0)))) {
            domain[idx] = m_mr && !arch ? kFaceOnly : 1;
          }
        }
      }
    });
    grow(false);
  }

  /// MR: how far in front of the canal's centre each body's marrow ends (the median over its middle
  /// rows and columns of where marrow meets a wall or other tissue). Where the bowel lies against a
  /// body, the thin cortex between them blurs away and the marrow seems to run on: those rows are a
  /// minority, and the body's own depth bounds its growth there. A ray whose first run of marrow is
  /// under 10 mm deep is not counted (a body is 20-35 mm deep): the top vertebra's rows above its
  /// body hold only the marrow-like tissue just in front of the canal, and on the 0.8 mm T2 phantom
  /// they made up 13 of T10's 20 middle rows and put its front at 25 mm instead of 37. (Reading on
  /// past such a run to a deeper one moved the 0.8 mm T2's T11 centroid from 1.97 to 1.995 mm.)
  void measureBodyFronts()
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
            const bool marrow = x > 100.0f;
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

  /// MR: the space between each pedicle and the next one down, beside the canal, in line with
  /// the pedicles: the foramen, which holds no bone. On T2 the ganglion and the roots there share
  /// marrow's signal and would otherwise grow into the vertebra above them (the foramen's free
  /// space, and so the ganglion's place, would be lost).
  void markForaminalSpace()
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

  /// In front of the canal's centre in its slice (mm, along the centreline's anterior).
  double anteriorOf(std::size_t q) const
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

  /// The vertebrae just above and just below a disc (either may be missing).
  std::pair<const Segment*, const Segment*> segmentsAround(const Run& disc) const
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

  /// A disc's plane bounding the bodies above and below it.
  struct Plane
  {
    bool set = false;
    Vector3d centre, normal, anterior;
    bool whole = false; ///< bounds the arch too (S1 and the sacrum: fused, no overlapping processes)
  };
  std::vector<std::array<Plane, 2>> m_bounds; ///< per label: upper and lower bound

  /// The discs' planes bound each body: growth never crosses one in front of the canal (partial
  /// volume and narrow discs would otherwise join neighbouring bodies); behind the canal the
  /// spinous processes rightly reach below their own disc.
  void computeDiscBounds()
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

  /// True when voxel q may carry `label` (inside its disc planes).
  bool allowedByDiscs(std::size_t q, int label) const
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

  /// Index of the centreline point nearest to `q`.
  int nearestLineIndex(const Vector3d& q) const
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

  /// Labels the domain's bone by growing from seeds: the bodies, and with `arches` also the pedicles
  /// and laminae measured so far (so that the posterior elements go to their own vertebra).
  void grow(bool arches)
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
          // are roofed by L5's lamina and inferior articular processes, and where lordosis bends
          // the canal most, at the lumbosacral junction, they hang 1-4 mm below the disc's plane
          // behind S1's upper rows, nearest to its canal: seeded there, S1 took 2.6 cm3 of L5's
          // arch (phantom, lordosis 65). The other levels keep all their rows: their laminae are
          // taller (T11's and T12's own lamina comes within 4-7 mm of their upper disc) and the
          // lumbar curve bends less there; the rule applied at every level moved T12 and L1 up to
          // 0.16 mm the wrong way (osteoporotic T12 past 2 mm). (On MR, whose arches are refitted
          // at the input's resolution, the half-way rule moved centroids both ways.)
          // MR: below the pedicles' upper fifth at every level. The lamina and the inferior
          // articular processes of the vertebra above overhang those rows; seeded there, T11 took
          // T10's inferior articular processes on the sagittal T2 phantom (2 mm slices blur the
          // facet joints), which put the top vertebra's centroid 1.4 mm high and in front (the
          // other levels lose as much as they gain). Fractions 0.15-0.25 give the same figures;
          // at 0.35 the 1.6 mm T2's T12 went to 2.2 mm.
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

  /// Cancellous bone fainter than the bone threshold (older patients) and the blurred edges of
  /// thick slices: unlabelled voxels above the disc's intensity that touch a vertebra join it,
  /// up to 3 mm out.
  void absorbFaintBone()
  {
    constexpr float kFaintBoneHu =
      120.0f; // above disc, muscle and blurred edges, below healthy cancellous bone
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

  /// Marrow enclosed by a vertebra's own bone in an axial slice belongs to it, however faint.
  void fillVertebraHoles()
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
          // enclosed, so the fill also closes a two-pixel rim round the label; where viscera lie
          // against a body (the sagittal T2 phantom's T10, in 2 mm slices that blur its lateral
          // cortex) that rim joined 3.7 cm3 of them to the body, up to 9.5 mm in front of its
          // cortex. (The later steps rely on that rim: filling only the enclosed core put the
          // osteoporotic CT phantom's L1 centroid 3.5 mm off and the 1.6 mm T2's T10 ganglia 13 mm.)
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

  /// Marrow enclosed by S1's or the sacrum's own bone in planes across the canal. S1 is the most
  /// tilted body (sacral slope 30-65 degrees; lumbar bodies lie within about 20 degrees of axial)
  /// and is fused to the sacrum below a slanted cut: axial slices cross it obliquely, its ring there
  /// is part sacrum (or ends at the cut) and encloses nothing, while a plane across the canal
  /// follows its endplates. (The lumbar bodies' axial rings already enclose their marrow.)
  void fillBodyHolesAcrossCanal()
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

  /// T2 MR: a vertebra reaches no further along the canal than half its height above its body
  /// and its height below it (the spinous process slopes down over the next level). Where the
  /// paraspinal muscles share marrow's signal (the real T2 slab) the arch's growth ran through
  /// them along the whole slab: one level labelled from T9 to L3 behind the spine.
  void confineAlongCanal()
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

  void describeVertebrae(SpineModel& model)
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

  /// True when the LPS point is bone (trilinear value at the edge threshold) of vertebra `label`.
  bool boneOf(const Vector3d& p, int label, double threshold) const
  {
    const WorkGrid& g = m_work.grid;
    Vector3d c = g.continuousIndex(p);
    int i = static_cast<int>(std::lround(c.x())), j = static_cast<int>(std::lround(c.y())),
        k = static_cast<int>(std::lround(c.z()));
    if (!g.inside(i, j, k)) {
      return false;
    }
    // the label of the nearest bone voxel around (edges fall between voxels)
    const bool own = labelAround(p, [label](std::uint8_t l) { return l == label; });
    float x = m_work.sample(p);
    return own && !std::isnan(x) && x >= threshold;
  }

  /// True when the nearest voxel is bone (cortex or filled marrow) of vertebra `label`.
  bool filledBoneOf(const Vector3d& p, int label) const
  {
    const WorkGrid& g = m_work.grid;
    Vector3d c = g.continuousIndex(p);
    int i = static_cast<int>(std::lround(c.x())), j = static_cast<int>(std::lround(c.y())),
        k = static_cast<int>(std::lround(c.z()));
    return g.inside(i, j, k) && m_bone.bone[g.index(i, j, k)] && m_labels[g.index(i, j, k)] == label;
  }

  /// Pedicle of one vertebra and side: the bony bridge beside the canal at the canal's AP level.
  /// Edges are found on the interpolated intensities at kEdgeHu (between soft tissue and cortex).
  /// `minMedial`: bone nearer the canal's centre (mm) is not the pedicle's medial wall.
  PedicleMeasure measurePedicle(const Segment& seg, double side, double minMedial) const
  {
    constexpr double kEdgeHu = kBoneHu;
    constexpr double kInsideBoneHu = 70.0; // once inside: osteoporotic marrow (80 HU) is above muscle
    PedicleMeasure best;
    const std::size_t rows = static_cast<std::size_t>(seg.run.length());
    std::vector<double> uMed(rows, -1), uLat(rows, -1), uReach(rows, -1), vMid(rows, 0);
    // the body's posterior wall (the canal's anterior wall) bounds the pedicle in front: one value
    // for the vertebra (the wall is straight; mid-height it has the basivertebral veins' gap)
    std::vector<double> walls;
    for (int n = seg.run.first; n <= seg.run.last; ++n) {
      const CentrelinePoint p = rotated(m_line[static_cast<std::size_t>(n)], seg.rotation);
      // the first bone in front of the canal; a thin osteoporotic wall blurs below the bone
      // threshold, so the first 1 mm above faint marrow's level counts too (CSF, fat and the
      // cauda equina are darker)
      double faint = -1;
      int run = 0;
      for (double v = 0; v <= 15.0; v += 0.25) {
        float x = m_work.sample(p.at(0, v));
        if (!std::isnan(x) && x >= kEdgeHu) {
          walls.push_back(faint >= 0 ? std::min(faint, v) : v);
          break;
        }
        run = !std::isnan(x) && x >= kInsideBoneHu ? run + 1 : 0;
        if (run == 4 && faint < 0) {
          faint = v - 0.75;
        }
      }
    }
    if (walls.empty()) {
      return best;
    }
    const double vBody = percentile(walls, 0.5);
    for (int n = seg.run.first; n <= seg.run.last; ++n) {
      const CentrelinePoint p = rotated(m_line[static_cast<std::size_t>(n)], seg.rotation);
      double bestU = 1e9, bestV = 0;
      // just behind the body: the root of the pedicle (articular processes lie further back)
      for (double v = vBody - 4.0; v <= vBody - 1.5; v += 0.5) {
        bool skipping = false;
        for (double u = 3; u <= 22; u += 0.25) {
          const Vector3d q = p.at(side * u, v);
          if (!boneOf(q, seg.label, kEdgeHu)) {
            skipping = false;
          } else if (skipping || u < minMedial) {
            // T2: a root in the lateral recess, not the pedicle's wall. Where a root lies against
            // the pedicle the row is lost (taking the bone 1 mm past the limit instead put S1's
            // pedicle on its root again: 20 mm); the other rows measure the pedicle
            skipping = true;
          } else {
            if (u < bestU) {
              bestU = u;
              bestV = v;
            }
            break;
          }
        }
      }
      const std::size_t at = static_cast<std::size_t>(n - seg.run.first);
      if (bestU > 21) {
        continue;
      }
      // lateral wall: where the bone ends going outwards (gaps under 1 mm bridged)
      double lat = bestU, edge = bestU;
      double gap = 0;
      for (double u = bestU; u <= bestU + 30; u += 0.25) {
        const Vector3d q = p.at(side * u, bestV);
        float x = m_work.sample(q);
        // inside the pedicle, faint (osteoporotic) marrow still counts: above muscle and fat
        if ((!std::isnan(x) && x >= kInsideBoneHu) || filledBoneOf(q, seg.label)) {
          lat = u;
          // the lateral wall: the last sample at the edge threshold (the faint level would place it
          // where a tenth of a voxel is cortex, a millimetre or more out)
          if ((!std::isnan(x) && x >= kEdgeHu) || filledBoneOf(q, seg.label)) {
            edge = u;
          }
          gap = 0;
        } else if ((gap += 0.25) > 1.0) {
          break;
        }
      }
      if (lat - bestU < 2.0) {
        continue;
      }
      // antero-posterior middle of the bone 2 mm lateral of the medial wall
      const double uMid = bestU + std::min(2.0, 0.5 * (lat - bestU));
      double vLo = bestV, vHi = std::min(vBody, bestV);
      for (double v = bestV; v >= bestV - 15; v -= 0.25) {
        const Vector3d q = p.at(side * uMid, v);
        if (!boneOf(q, seg.label, kInsideBoneHu) && !filledBoneOf(q, seg.label)) {
          break;
        }
        vLo = v;
      }
      vHi = std::max(vHi, vBody);
      uMed[at] = bestU;
      // on T2 MR the cortex is dark (soft tissue on the bone scale): the bone is the marrow, and
      // its faint reach stands in for the cortex around it
      uLat[at] = m_mr ? lat : edge;
      uReach[at] = lat;
      vMid[at] = 0.5 * (vLo + vHi);
    }
    // runs of rows with a pedicle, gaps of up to 2 rows bridged; the run that overlaps the upper
    // half of the body most (the pedicle springs from it)
    std::vector<Run> runs;
    for (std::size_t r = 0; r < rows; ++r) {
      if (uMed[r] < 0) {
        continue;
      }
      int n = seg.run.first + static_cast<int>(r);
      if (!runs.empty() && n - runs.back().last <= 3) {
        runs.back().last = n;
      } else {
        runs.push_back({ n, n });
      }
    }
    const int upperFirst = seg.run.first, upperLast = seg.run.first + seg.run.length() / 2;
    int bestOverlap = 0;
    for (const Run& r : runs) {
      int overlap = std::min(r.last, upperLast) - std::max(r.first, upperFirst) + 1;
      if (overlap > bestOverlap || (overlap == bestOverlap && r.length() > best.run.length())) {
        bestOverlap = overlap;
        best.run = r;
        best.found = true;
      }
    }
    if (!best.found || best.run.length() < 3) {
      best.found = false;
      return best;
    }
    // the pedicles make the narrowest part of the canal: keep the longest stretch of rows whose
    // medial wall is within 3 mm of the narrow end (a robust low percentile, not a single row):
    // above and below, bone further out belongs to the articular processes or the body
    {
      std::vector<double> walls;
      for (int n = best.run.first; n <= best.run.last; ++n) {
        const double u = uMed[static_cast<std::size_t>(n - seg.run.first)];
        if (u >= 0) {
          walls.push_back(u);
        }
      }
      const double limit = percentile(walls, 0.2) + 3.0;
      Run longest{ 0, -1 };
      int start = -1;
      for (int n = best.run.first; n <= best.run.last + 1; ++n) {
        const double u = n <= best.run.last ? uMed[static_cast<std::size_t>(n - seg.run.first)] : -1.0;
        const bool ok = u >= 0 && u <= limit;
        if (ok && start < 0) {
          start = n;
        }
        if (!ok && start >= 0) {
          if (n - start > longest.length()) {
            longest = { start, n - 1 };
          }
          start = -1;
        }
      }
      if (longest.length() < 3) {
        best.found = false;
        return best;
      }
      best.run = longest;
    }
    std::vector<double> med, lat, reach, vs;
    for (int n = best.run.first; n <= best.run.last; ++n) {
      std::size_t at = static_cast<std::size_t>(n - seg.run.first);
      if (uMed[at] >= 0) {
        med.push_back(uMed[at]);
        lat.push_back(uLat[at]);
        reach.push_back(uReach[at]);
        vs.push_back(vMid[at]);
      }
    }
    best.uMed = percentile(med, 0.5);
    best.uLat = percentile(lat, 0.5);
    best.uReach = percentile(reach, 0.5);
    // a rib or transverse process merged with the pedicle (coarse images) must not widen it beyond
    // what anatomy allows
    if (const DrgLevelPrior* prior = drgPriors().find(seg.level)) {
      best.uLat = std::min(best.uLat, best.uMed + 1.6 * prior->pedicleWidthMm);
      best.uReach = std::min(best.uReach, best.uMed + 1.6 * prior->pedicleWidthMm);
    }
    best.v = percentile(vs, 0.5);
    // upper and lower edges at half maximum along the spine axis through the pedicle's middle
    const double mid = best.run.mid();
    const CentrelinePoint c = rotated(pointAt(mid), seg.rotation);
    auto edge = [&](const Vector3d& through, double dir, double fallback) {
      std::vector<double> f;
      for (double w = 0; w <= 20.0; w += 0.25) {
        float x = m_work.sample(through + dir * w * c.tangent);
        f.push_back(std::isnan(x) ? -1000.0 : x);
      }
      // leave the bone (2 mm below the bone threshold: faint marrow inside the pedicle is not the
      // outside), then take the half-maximum crossing
      std::size_t out = 0;
      for (std::size_t i = 0; i + 8 < f.size(); ++i) {
        bool below = true;
        for (std::size_t q = i; q < i + 8 && below; ++q) {
          below = f[q] < kBoneHu;
        }
        if (below) {
          out = i;
          break;
        }
      }
      if (out == 0) {
        return fallback;
      }
      double peak = -1e9, floor = 1e9;
      for (std::size_t i = out >= 12 ? out - 12 : 0; i <= out; ++i) {
        peak = std::max(peak, f[i]);
      }
      for (std::size_t i = out; i < std::min(f.size(), out + 16); ++i) {
        floor = std::min(floor, f[i]);
      }
      const double half = 0.5 * (peak + floor);
      std::size_t peakAt = out >= 12 ? out - 12 : 0;
      for (std::size_t i = peakAt; i <= out; ++i) {
        if (f[i] >= peak) {
          peakAt = i;
        }
      }
      for (std::size_t i = peakAt; i + 1 < f.size(); ++i) {
        if (f[i] >= half && f[i + 1] < half) {
          double t = (f[i] - half) / (f[i] - f[i + 1]);
          const double at = (static_cast<double>(i) + t) * 0.25;
          if (!m_mr) {
            return at;
          }
          // T2 MR: the edge above is marrow's; the bone ends at its dark cortex, the darkest T2
          // signal within the next 3 mm (the pedicles came out 3-5 mm short of the phantom's)
          double darkest = at, low = 1e30;
          for (double w = at; w <= at + 3.0; w += 0.25) {
            const float x = m_raw.sample(through + dir * w * c.tangent);
            if (!std::isnan(x) && x < low) {
              low = x;
              darkest = w;
            }
          }
          return darkest;
        }
      }
      return fallback;
    };
    // the tangent points to the head; centreline positions grow towards the feet. The pedicle is an
    // oval tube angled towards the midline: its height is the largest extent across its width.
    // refined within 2 mm of the rows that showed the pedicle (adjacent bone must not extend it)
    const double runTop = best.run.first - 0.5, runBottom = best.run.last + 0.5;
    best.top = runTop;
    best.bottom = runBottom;
    // each edge: the median over three positions across the pedicle, kept within 2 mm of the rows
    std::vector<double> ups, downs;
    for (double f : { 0.4, 0.5, 0.6 }) {
      const Vector3d through = c.at(side * (best.uMed + f * (best.uReach - best.uMed)), best.v);
      const double up = edge(through, 1.0, -1.0), down = edge(through, -1.0, -1.0);
      if (up > 0 && std::abs(mid - up - runTop) <= 2.0) {
        ups.push_back(up);
      }
      if (down > 0 && std::abs(mid + down - runBottom) <= 2.0) {
        downs.push_back(down);
      }
    }
    if (!ups.empty()) {
      best.top = mid - percentile(ups, 0.5);
    }
    if (!downs.empty()) {
      best.bottom = mid + percentile(downs, 0.5);
    }
    return best;
  }

  /// The centreline frame turned about its axis by a vertebra's axial rotation (scoliosis): its
  /// "anterior" then points through the vertebra's own body.
  static CentrelinePoint rotated(CentrelinePoint p, double angle)
  {
    if (angle != 0.0) {
      const Vector3d a = std::cos(angle) * p.anterior + std::sin(angle) * p.left;
      p.anterior = a.normalized();
      p.left = p.tangent.cross(p.anterior);
    }
    return p;
  }

  /// Axial rotation of each vertebra: the direction from the canal to the centre of its body bone.
  void estimateRotations()
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

  /// Centreline point at a continuous position (mm from the head end), interpolated.
  CentrelinePoint pointAt(double n) const
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

  /// The vertebrae grown again with the neural arches measured so far as seeds (T2 MR: the foramina
  /// between the pedicles marked first, where nothing grows).
  void growFromArches()
  {
    if (m_mr) {
      markForaminalSpace();
    }
    grow(true);
  }

  /// Measures each vertebra's pedicles (`missingOnly`: those not found before); returns how many
  /// were found.
  int measurePedicles(bool missingOnly)
  {
    int found = 0;
    if (!missingOnly) {
      m_pedicles.assign(m_segments.size(), {});
    }
    for (std::size_t si = 0; si < m_segments.size(); ++si) {
      const Segment& seg = m_segments[si];
      if (seg.level == "sacrum") {
        continue;
      }
      for (int s = 0; s < 2; ++s) {
        PedicleMeasure& measure = m_pedicles[si][static_cast<std::size_t>(s)];
        const double side = s == 0 ? 1.0 : -1.0;
        if (missingOnly && measure.found) {
          continue;
        }
        // T2 MR: the roots in the lateral recess share marrow's signal and may touch the bone (at
        // S1 they were taken for the pedicle's wall, 4-5 mm inside it). The canal does not narrow
        // between the pedicles going down (the interpedicular distance grows from T10 to S1), so
        // bone more than 1.5 mm inside the medial wall of the vertebra above is no pedicle.
        double minMedial = 0.0;
        if (m_mr && si > 0 && seg.run.first - m_segments[si - 1].run.last < 20) {
          const PedicleMeasure& above = m_pedicles[si - 1][static_cast<std::size_t>(s)];
          minMedial = above.found ? above.uMed - 1.5 : 0.0;
        }
        // nor bone inside the thecal sac's reach (T2: roots and the ventral epidural space beside
        // the sac, marrow-like, were taken for T10's and T11's pedicles 5-7 mm inside them)
        if (m_mr) {
          minMedial = std::max(minMedial, sacHalfWidth(seg, side));
        }
        measure = measurePedicle(seg, side, minMedial);
        found += measure.found ? 1 : 0;
      }
      // the two pedicles of a vertebra stand at the same height along its axis: where both were
      // measured and agree within 6 mm, their edges are averaged (one noisy side no longer moves
      // its ganglion alone)
      auto& pair = m_pedicles[si];
      if (pair[0].found && pair[1].found && std::abs(pair[0].centre() - pair[1].centre()) < 6.0) {
        const double top = 0.5 * (pair[0].top + pair[1].top),
                     bottom = 0.5 * (pair[0].bottom + pair[1].bottom);
        for (auto& m : pair) {
          m.top = top;
          m.bottom = bottom;
        }
      } else if (m_mr && pair[0].found && pair[1].found) {
        // T2 MR, the sides far apart: the lower one has taken a root below its pedicle (the roots
        // share marrow's signal and leave the canal below the pedicles), and the upper one's height
        // stands for both; unless the upper one is a fragment, measured over less than two thirds
        // of the other's height (sagittal T2: T11's left was the articular processes above its
        // body, 6 mm tall against the right's 16 mm, and moved both ganglia 20-25 mm)
        const std::size_t upper = pair[0].centre() < pair[1].centre() ? 0 : 1;
        const std::size_t keep =
          pair[upper].height() < 2.0 / 3.0 * pair[1 - upper].height() ? 1 - upper : upper;
        pair[1 - keep].top = pair[keep].top;
        pair[1 - keep].bottom = pair[keep].bottom;
      }
    }
    return found;
  }

  /// T2 MR: how far the thecal sac (the canal chain's CSF blobs) reaches to one side of the canal's
  /// centre across a vertebra's rows, through its middle (|v| <= 4 mm): a robust low value over the
  /// rows (root sleeves in the foramina widen a few), in mm to the outermost CSF voxel's centre. The
  /// pedicles wall the canal that holds the sac, so their medial walls lie beyond it.
  double sacHalfWidth(const Segment& seg, double side) const
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

  /// The measured pedicles into the model; a warning for each one not found.
  void publishPedicles(SpineModel& model)
  {
    for (std::size_t si = 0; si < m_segments.size() && si < m_pedicles.size(); ++si) {
      const Segment& seg = m_segments[si];
      if (seg.level == "sacrum") {
        continue;
      }
      const auto& pair = m_pedicles[si];
      for (int s = 0; s < 2; ++s) {
        double side = s == 0 ? 1.0 : -1.0;
        const PedicleMeasure& m = pair[static_cast<std::size_t>(s)];
        if (!m.found) {
          m_warnings.push_back("no pedicle found for " + seg.level + " " + (s == 0 ? "left" : "right"));
          continue;
        }
        const CentrelinePoint p = rotated(pointAt(m.centre()), seg.rotation);
        SpinePedicle ped;
        ped.level = seg.level;
        ped.side = s == 0 ? Side::Left : Side::Right;
        ped.centre = p.at(side * 0.5 * (m.uMed + m.uLat), m.v);
        ped.medialBorder = p.at(side * m.uMed, m.v);
        ped.lateralBorder = p.at(side * m.uLat, m.v);
        ped.widthMm = m.uLat - m.uMed;
        ped.heightMm = m.height();
        ped.inferiorBorderMm = -(m.bottom - m.centre());
        model.pedicles.push_back(ped);
      }
    }
  }

  /// Where a ganglion goes in its pedicle's frame: the frame moved to its height, and (u, v).
  struct GanglionPlace
  {
    bool found = false;
    CentrelinePoint frame;
    double u = 0, v = 0;
    double free = 0;   ///< length of the free antero-posterior interval it was placed in (mm)
    double spread = 0; ///< half the range of the antero-posterior places across its width (mm)
  };

  /// True when the voxel nearest to `q` or one of its 6 neighbours carries a vertebra's label.
  bool nearVertebra(const Vector3d& q) const
  {
    return labelAround(q, [](std::uint8_t l) { return l != 0 && l != labels::kSpinalCanal; });
  }

  /// True when the voxel nearest to `p` or one of its 6 face neighbours has a label `accept` takes.
  template<typename Accept>
  bool labelAround(const Vector3d& p, Accept accept) const
  {
    const WorkGrid& g = m_work.grid;
    const Vector3d c = g.continuousIndex(p);
    const int i = static_cast<int>(std::lround(c.x())), j = static_cast<int>(std::lround(c.y())),
              k = static_cast<int>(std::lround(c.z()));
    if (g.inside(i, j, k) && accept(m_labels[g.index(i, j, k)])) {
      return true;
    }
    for (const auto& o : kFaces) {
      if (g.inside(i + o[0], j + o[1], k + o[2]) && accept(m_labels[g.index(i + o[0], j + o[1], k + o[2])])) {
        return true;
      }
    }
    return false;
  }

  /// The ganglion's place by the priors, below its pedicle: in the dorsal part of the foramen's free
  /// interval (S1: just behind the canal's front wall). The foramen's walls are the vertebrae's
  /// bone: soft tissue that noise lifts above the wall level, ribs and other bone are not walls.
  GanglionPlace placeGanglion(const Segment& seg, const PedicleMeasure& ped, const DrgLevelPrior& prior,
                              double side, bool sacral) const
  {
    const DrgPriors& priors = drgPriors();
    GanglionPlace place;
    place.found = true;
    double ng = 0;
    if (sacral) {
      ng = ped.centre() + priors.s1BelowPedicleCentreMm;
      place.u = ped.uMed + prior.medialOffset.value_or(0.0);
    } else {
      ng = ped.bottom + priors.belowPedicleMm + 0.5 * prior.width;
      place.u = prior.medialOffset ? ped.uMed + *prior.medialOffset
                                   : ped.uLat + priors.thoracicGapLateralMm + 0.5 * prior.width;
    }
    // placed in the pedicle's own frame, moved along its axis: where the canal bends (L5/S1)
    // the frame further down would tilt the offsets
    CentrelinePoint& p = place.frame;
    p = rotated(pointAt(ped.centre()), seg.rotation);
    p.centre -= (ng - ped.centre()) * p.tangent;
    // (MR: the walls volume of measureForaminaAndGanglia, whose walls are its vertebrae and dark tissue)
    const WorkVolume& walls = m_mr ? m_mrWalls : m_work;
    if (sacral) {
      // just behind the canal's front wall (the body), inside the canal (T2: the wall is the
      // body's bone; the dark tissue in front of the roots is no wall)
      const auto bodyOnly = [this](const Vector3d& q) { return !m_mr || m_mrWalls.nearest(q) > 300.0f; };
      double ant = freeIntervalAlongV(walls, p, side * place.u, 0.0, 20.0, bodyOnly).first;
      if (ant >= 20.0) { // no body within reach: the nearest wall of any kind
        ant = freeIntervalAlongV(walls, p, side * place.u, 0.0, 20.0).first;
      }
      place.v = ant - (0.5 * prior.width + 0.5);
      place.free = prior.width;
      return place;
    }
    // the mean over three rays across the ganglion's middle (1 mm apart): a wall grazed by one ray
    // (beside the thoracic bodies their lateral surface runs along it) or a noisy sample does not
    // decide alone; where the rays disagree, the place is that uncertain
    const auto wallOf = [this](const Vector3d& q) { return m_mr || nearVertebra(q); };
    std::vector<double> places, frees;
    for (double du : { -1.0, 0.0, 1.0 }) {
      auto [ant, post] = freeIntervalAlongV(walls, p, side * (place.u + du), 4.0, 25.0, wallOf);
      const double vg = ant + priors.dorsalFraction * (post - ant);
      const double v = std::clamp(vg, std::min(ant - 0.5 * prior.width - 0.3, post + 0.5 * prior.width + 0.3),
                                  ant - 0.5 * prior.width - 0.3);
      frees.push_back(ant - post);
      if (du == 0.0) {
        place.v = v;
      }
      if (ant - post >= 1.0) {
        places.push_back(v);
      }
    }
    place.free = percentile(frees, 0.5);
    if (!places.empty()) {
      place.v = std::accumulate(places.begin(), places.end(), 0.0) / static_cast<double>(places.size());
      const auto [lo, hi] = std::minmax_element(places.begin(), places.end());
      place.spread = 0.5 * (*hi - *lo);
    }
    return place;
  }

  void measureForaminaAndGanglia(SpineModel& model)
  {
    const DrgPriors& priors = drgPriors();
    const double takeoff = priors.takeoffDegrees * 3.14159265358979323846 / 180.0;
    // the foramen's free space: on CT all below bone and disc; on T2 MR the ganglion and the
    // roots share marrow's signal, so the walls are the vertebrae and what is dark (cortex,
    // annulus, ligament)
    if (m_mr) {
      m_mrWalls.grid = m_work.grid;
      m_mrWalls.values.resize(m_work.values.size());
      for (std::size_t i = 0; i < m_work.values.size(); ++i) {
        const float x = m_work.values[i];
        const bool vertebra = m_labels[i] != 0 && m_labels[i] != labels::kSpinalCanal;
        m_mrWalls.values[i] = std::isnan(x)            ? x
                              : vertebra               ? 400.0f
                              : x > 0.0f && x < 100.0f ? 150.0f
                                                       : -50.0f;
      }
    }
    const WorkVolume& walls = m_mr ? m_mrWalls : m_work;
    for (std::size_t si = 0; si < m_segments.size(); ++si) {
      const Segment& seg = m_segments[si];
      const DrgLevelPrior* prior = priors.find(seg.level);
      if (!prior || seg.level == "sacrum") {
        continue;
      }
      const bool sacral = seg.level == "S1";
      const Segment* below = si + 1 < m_segments.size() ? &m_segments[si + 1] : nullptr;
      // both sides placed first: a side whose measure failed can fall back on the other
      std::array<GanglionPlace, 2> places;
      // T2: where each side's ganglion went in the model, its place by the priors, and whether the
      // image refined it
      std::array<std::ptrdiff_t, 2> placed = { -1, -1 };
      std::array<Vector3d, 2> byPriors;
      std::array<bool, 2> refined = { false, false };
      for (int s = 0; s < 2; ++s) {
        const PedicleMeasure& ped = m_pedicles[si][static_cast<std::size_t>(s)];
        if (ped.found) {
          places[static_cast<std::size_t>(s)] = placeGanglion(seg, ped, *prior, s == 0 ? 1.0 : -1.0, sacral);
        }
      }
      for (int s = 0; s < 2; ++s) {
        const double side = s == 0 ? 1.0 : -1.0;
        const Side sideName = s == 0 ? Side::Left : Side::Right;
        const PedicleMeasure& ped = m_pedicles[si][static_cast<std::size_t>(s)];
        if (!ped.found) {
          continue;
        }
        double confidence = 0.85;
        // foramen between this pedicle and the next one down
        if (!sacral && below && below->level != "sacrum") {
          const PedicleMeasure& next = m_pedicles[si + 1][static_cast<std::size_t>(s)];
          const double top = ped.bottom;
          const double bottom =
            next.found ? next.top : std::min(static_cast<double>(m_line.size() - 1), top + 15.0);
          if (bottom > top) {
            const double nf = 0.5 * (top + bottom);
            double uf =
              next.found ? 0.25 * (ped.uMed + ped.uLat + next.uMed + next.uLat) : 0.5 * (ped.uMed + ped.uLat);
            const CentrelinePoint p = rotated(pointAt(nf), seg.rotation);
            auto [ant, post] = freeIntervalAlongV(walls, p, side * uf, 4.0, 25.0);
            SpineForamen f;
            f.upperLevel = seg.level;
            f.lowerLevel = below->level;
            f.side = sideName;
            f.centre = p.at(side * uf, 0.5 * (ant + post));
            f.axis = side * p.left;
            f.widthMm = ant - post;
            f.heightMm = bottom - top;
            for (int a = 0; a < 24; ++a) {
              double ang = a * 2.0 * 3.14159265358979323846 / 24.0;
              double dv = std::cos(ang), dw = std::sin(ang);
              double r = 0;
              for (double t = 0; t <= 25.0; t += 0.5) {
                float x = walls.sample(p.at(side * uf, 0.5 * (ant + post) + t * dv, t * dw));
                if (std::isnan(x) || x >= kWallHu) {
                  break;
                }
                r = t;
              }
              f.boundary.push_back(p.at(side * uf, 0.5 * (ant + post) + r * dv, r * dw));
            }
            model.foramina.push_back(f);
          }
        }
        // the ganglion from the priors
        DrgEstimate d;
        d.level = seg.level;
        d.side = sideName;
        d.lengthMm = prior->length;
        d.widthMm = prior->width;
        const GanglionPlace& place = places[static_cast<std::size_t>(s)];
        const CentrelinePoint& p = place.frame;
        const double ug = place.u;
        double vg = place.v;
        double extraAp = place.spread; // uncertainty beyond the prior's, antero-posterior
        if (!sacral) {
          if (place.free < prior->width) {
            confidence *= 0.7; // the free space is narrower than the ganglion: stenosis or a bad measure
          }
          const GanglionPlace& other = places[static_cast<std::size_t>(1 - s)];
          if (place.free < 1.0 && other.found && other.free >= 1.0) {
            // no free space found at all (the start lay in bone that reaches on both sides, such as
            // a faint articular process): the other side's measure stands in, mirrored, and the
            // ellipsoid widens by what the two sides' frames may differ
            vg = other.v;
            extraAp = 0.5 * prior->width;
            confidence *= 0.7;
          } else if (place.free < 1.0) {
            // no free space here, nor one measured on the other side (T2: thoracic foramina hold
            // little fat; muscle and cortex read as walls): the antero-posterior place is the
            // priors' alone, and the ellipsoid reaches a ganglion's width further in front and
            // behind (CT and MR alike)
            extraAp = std::max(extraAp, static_cast<double>(prior->width));
          }
        }
        d.centre = p.at(side * ug, vg);
        Vector3d axis =
          sacral
            ? Vector3d(side * 0.35 * p.left + 0.45 * p.anterior - 0.82 * p.tangent)
            : Vector3d(side * std::sin(takeoff) * p.left + 0.35 * p.anterior - std::cos(takeoff) * p.tangent);
        d.axis = axis.normalized();
        d.ellipsoidAxes.col(0) = side * p.left;
        d.ellipsoidAxes.col(1) = p.tangent;
        d.ellipsoidAxes.col(2) = p.anterior;
        const double measure = 0.5 * m_work.grid.h;
        d.semiAxesMm =
          Vector3d(2.0 * prior->positionSdMm[0] + measure, 2.0 * prior->positionSdMm[1] + measure,
                   2.0 * prior->positionSdMm[2] + measure + extraAp);
        d.zone = ug < ped.uMed ? "intraspinal" : ug <= ped.uLat ? "foraminal" : "extraforaminal";
        if (m_disagree) {
          confidence *= 0.6;
        } else if (m_anchor.rfind("sacrum", 0) != 0) {
          confidence *= 0.8;
        }
        d.confidence = confidence;
        d.derivedFrom =
          std::string(m_mr ? "bone priors (MR T2: pedicle and foramen measured between marrow and "
                             "dark walls, ganglion placed by the priors of "
                           : "bone priors (CT: pedicle and foramen measured, ganglion placed by the "
                             "priors of ") +
          prior->source + ")";
        byPriors[static_cast<std::size_t>(s)] = d.centre;
        if (m_mr) {
          // S1's ganglion lies in the sacral canal, where the lower sacral roots run down past it
          // in the same fat: there a piece outside the estimate's ellipsoid is one of them (sagittal
          // T2: S1 right went 8.7 mm down); elsewhere each foramen holds one ganglion and the
          // priors' place may be further off (gated at every level, a 0.8 mm T2's L5 lost its own: 9.8 mm)
          auto found = ganglionOnT2(d);
          if (found && sacral && !d.contains(*found)) {
            found.reset();
          }
          if (found) {
            refined[static_cast<std::size_t>(s)] = true;
            d.centre = *found;
            rezone(d, place.frame, ped, side);
            d.derivedFrom = "bone priors refined by MRI signal (T2: the ganglion's intermediate signal in "
                            "the foraminal fat, a piece coming within 12 mm of its place by the priors of " +
                            prior->source + ")";
          }
        }
        if (std::isnan(m_work.sample(d.centre))) {
          m_warnings.push_back("the " + seg.level + " " + (s == 0 ? "left" : "right") +
                               " ganglion would lie outside the field of view: not estimated");
          continue;
        }
        placed[static_cast<std::size_t>(s)] = static_cast<std::ptrdiff_t>(model.ganglia.size());
        model.ganglia.push_back(d);
      }
      if (m_mr) {
        mirrorRefinement(model, si, places, placed, byPriors, refined);
      }
    }
    placeFromNeighbours(model);
  }

  /// The zone of a ganglion the image moved, from where it now lies across its pedicle's lines
  /// (`frame`: the pedicle's frame it was placed in); it changes only where the ganglion lies
  /// clearly (2 mm) across a line: nearer, the line's own measure is as uncertain.
  static void rezone(DrgEstimate& d, const CentrelinePoint& frame, const PedicleMeasure& ped, double side)
  {
    const double u = (d.centre - frame.centre).dot(side * frame.left);
    if (u < ped.uMed - 2.0 || u > ped.uLat + 2.0 || (u > ped.uMed + 2.0 && u < ped.uLat - 2.0)) {
      d.zone = u < ped.uMed ? "intraspinal" : u <= ped.uLat ? "foraminal" : "extraforaminal";
    }
  }

  /// T2 MR, one side of a level refined from the image and the other not (no piece of its own, or
  /// S1's outside its ellipsoid): both sides' priors come from the same measures (the pedicles'
  /// heights averaged, the same rules), so the refined side's correction, taken in its pedicle's
  /// frame (outwards, forwards, up) and mirrored into the other's, moves the other side too, when it
  /// stays inside that side's ellipsoid. Its confidence drops by a fifth; the ellipsoid keeps its
  /// size and axes; the zone follows as for a refined ganglion.
  void mirrorRefinement(SpineModel& model, std::size_t si, const std::array<GanglionPlace, 2>& places,
                        const std::array<std::ptrdiff_t, 2>& placed, const std::array<Vector3d, 2>& byPriors,
                        const std::array<bool, 2>& refined)
  {
    if (placed[0] < 0 || placed[1] < 0 || refined[0] == refined[1]) {
      return;
    }
    const std::size_t from = refined[0] ? 0 : 1, to = 1 - from;
    const double sideFrom = from == 0 ? 1.0 : -1.0, sideTo = -sideFrom;
    const CentrelinePoint& f = places[from].frame;
    const CentrelinePoint& t = places[to].frame;
    const Vector3d shift = model.ganglia[static_cast<std::size_t>(placed[from])].centre - byPriors[from];
    const Vector3d moved = byPriors[to] + shift.dot(sideFrom * f.left) * (sideTo * t.left) +
                           shift.dot(f.anterior) * t.anterior + shift.dot(f.tangent) * t.tangent;
    DrgEstimate& target = model.ganglia[static_cast<std::size_t>(placed[to])];
    if (std::isnan(m_work.sample(moved)) || !target.contains(moved)) {
      return;
    }
    target.centre = moved;
    target.confidence *= 0.8;
    rezone(target, t, m_pedicles[si][to], sideTo);
    target.derivedFrom += "; moved as the other side's ganglion was by the MRI signal, mirrored (none of "
                          "its own was taken)";
  }

  /// A ganglion whose pedicle was not found is placed where its neighbours' ganglia lie on the same
  /// side, relative to their own vertebrae (position along the body, across and along the canal's
  /// frame), averaged over the level above and below; its ellipsoid is half as large again and its
  /// confidence halved, and on MR it is refined from the image like the others. Not for S1 (its
  /// ganglion lies inside the canal, unlike its neighbours') nor beyond the levels found.
  void placeFromNeighbours(SpineModel& model)
  {
    std::map<std::string, std::size_t> segmentOf;
    for (std::size_t si = 0; si < m_segments.size(); ++si) {
      segmentOf[m_segments[si].level] = si;
    }
    struct Relative
    {
      double t = 0, u = 0, v = 0;
      const DrgEstimate* estimate = nullptr;
    };
    // a ganglion's place in its own vertebra's frame (t: along the body, 0 at its top, 1 at its foot)
    auto relative = [&](const DrgEstimate& d) {
      const Segment& seg = m_segments[segmentOf.at(d.level)];
      std::size_t nearest = 0;
      for (std::size_t n = 0; n < m_line.size(); ++n) {
        if ((m_line[n].centre - d.centre).norm() < (m_line[nearest].centre - d.centre).norm()) {
          nearest = n;
        }
      }
      const CentrelinePoint p = rotated(m_line[nearest], seg.rotation);
      Relative r;
      r.t = (static_cast<double>(nearest) - seg.run.first) / std::max(1, seg.run.length());
      r.u = (d.centre - p.centre).dot(p.left);
      r.v = (d.centre - p.centre).dot(p.anterior);
      r.estimate = &d;
      return r;
    };
    std::vector<DrgEstimate> added;
    for (std::size_t si = 0; si < m_segments.size() && si < m_pedicles.size(); ++si) {
      const Segment& seg = m_segments[si];
      if (seg.level == "sacrum" || seg.level == "S1" || !drgPriors().find(seg.level)) {
        continue;
      }
      for (int sd = 0; sd < 2; ++sd) {
        const Side side = sd == 0 ? Side::Left : Side::Right;
        if (m_pedicles[si][static_cast<std::size_t>(sd)].found || model.ganglion(seg.level, side)) {
          continue;
        }
        std::vector<Relative> around;
        for (std::size_t other : { si - 1, si + 1 }) {
          if (other < m_segments.size() && m_segments[other].level != "S1" &&
              m_segments[other].level != "sacrum") {
            if (const DrgEstimate* d = model.ganglion(m_segments[other].level, side)) {
              around.push_back(relative(*d));
            }
          }
        }
        if (around.empty()) {
          continue;
        }
        Relative mean;
        for (const auto& r : around) {
          mean.t += r.t / static_cast<double>(around.size());
          mean.u += r.u / static_cast<double>(around.size());
          mean.v += r.v / static_cast<double>(around.size());
        }
        const CentrelinePoint p = rotated(pointAt(seg.run.first + mean.t * seg.run.length()), seg.rotation);
        DrgEstimate d = *around.front().estimate; // its axis, ellipsoid frame and zone
        d.level = seg.level;
        d.lengthMm = drgPriors().find(seg.level)->length;
        d.widthMm = drgPriors().find(seg.level)->width;
        d.centre = p.at(mean.u, mean.v);
        d.semiAxesMm *= 1.5;
        d.confidence *= 0.5;
        d.derivedFrom = "neighbouring levels (no pedicle found: placed as the ganglia of the levels above "
                        "and below lie on their vertebrae)";
        if (m_mr) {
          if (const auto found = ganglionOnT2(d)) {
            d.centre = *found;
            d.derivedFrom = "neighbouring levels refined by MRI signal (no pedicle found; T2: the ganglion's "
                            "intermediate signal in the foraminal fat, within 12 mm)";
          }
        }
        if (std::isnan(m_work.sample(d.centre))) {
          continue;
        }
        m_warnings.push_back("the " + seg.level + " " + (sd == 0 ? "left" : "right") +
                             " ganglion is placed from the neighbouring levels (no pedicle found)");
        added.push_back(d);
      }
    }
    for (auto& d : added) {
      model.ganglia.push_back(std::move(d));
    }
    // head to foot, left before right
    std::stable_sort(model.ganglia.begin(), model.ganglia.end(),
                     [&](const DrgEstimate& a, const DrgEstimate& b) {
                       const std::size_t sa = segmentOf.at(a.level), sb = segmentOf.at(b.level);
                       return sa != sb ? sa < sb : (a.side == Side::Left && b.side != Side::Left);
                     });
  }

  /// T2 MR: the ganglion near the estimate's centre by the priors, seen as a compact piece of
  /// intermediate signal (0.38-0.58 of CSF: below fat and nucleus, above muscle and cortex) that is
  /// not a vertebra's, against the bright foraminal fat. Sampled from the input at 1 mm (each sample
  /// averaged over 0.5 mm) in a 21 mm cube round the prior; the band's voxels a millimetre away from
  /// the vertebrae, eroded by a millimetre (partial volume between fat and muscle makes thin sheets
  /// of the same signal); pieces of 4-10 (by the level's ganglion size) to 300 samples whose
  /// 2 mm shell is at least 5 % fat (0.56-0.85 of CSF: brighter is CSF, a root's sleeve; thoracic
  /// foramina hold little fat: the phantom's T11 and T12 ganglia, found within 1.1 mm, had 7-14 %
  /// and were refused at 15 %, muscle's pieces have none) and which
  /// come within 12 mm of the prior; the best by fat around it less a tenth of its distance (pieces
  /// the cube's faces cut are kept: refusing them lost ganglia whose piece reaches along the root).
  /// None: nullopt (the prior stands).
  std::optional<Vector3d> ganglionOnT2(const DrgEstimate& estimate) const
  {
    const Vector3d& prior = estimate.centre;
    // the smallest piece taken: half the samples of the level's ganglion (an ellipsoid of its
    // length and width) eroded by a millimetre, between 4 and 10 (T10-T12's, 4.8-5.2 x 3.9-4.2 mm,
    // leave 5-8 samples: 4; L1 5, L2 7, L3 and below 10 as before: the thoracic pieces had been
    // refused at 10)
    const double coreVolume = 3.14159265358979323846 / 6.0 * std::max(0.0, estimate.lengthMm - 2.0) *
                              std::pow(std::max(0.0, estimate.widthMm - 2.0), 2);
    const std::size_t minPiece = static_cast<std::size_t>(std::clamp(std::lround(0.5 * coreVolume), 4L, 10L));
    constexpr int kHalf = 10, kSide = 2 * kHalf + 1;
    constexpr int kCount = kSide * kSide * kSide;
    const ImageGeometry& ig = m_input.geometry();
    const WorkGrid& g = m_work.grid;
    auto at = [](int i, int j, int k) { return i + kSide * (j + kSide * k); };
    auto lps = [&](int i, int j, int k) {
      return Vector3d(prior + Vector3d(i - kHalf, j - kHalf, k - kHalf));
    };
    std::vector<float> signal(kCount);
    std::vector<std::uint8_t> bone(kCount, 0);
    for (int k = 0; k < kSide; ++k) {
      for (int j = 0; j < kSide; ++j) {
        for (int i = 0; i < kSide; ++i) {
          const Vector3d q = lps(i, j, k);
          // the mean of the sample and its six neighbours 0.5 mm away, those inside the image (at
          // fine voxel sizes noise broke the band's pieces apart: at 0.8 mm none of the thoracic
          // ganglia was found)
          double acc = sampleInput(ig, q), count = std::isnan(acc) ? 0.0 : 1.0;
          acc = std::isnan(acc) ? 0.0 : acc;
          for (const auto& o : kFaces) {
            const double x = sampleInput(ig, q + 0.5 * Vector3d(o[0], o[1], o[2]));
            if (!std::isnan(x)) {
              acc += x;
              count += 1.0;
            }
          }
          signal[static_cast<std::size_t>(at(i, j, k))] =
            count > 0.0 ? static_cast<float>(acc / count / m_csf) : NAN;
          const Vector3d c = g.continuousIndex(q);
          const int wi = static_cast<int>(std::lround(c.x())), wj = static_cast<int>(std::lround(c.y())),
                    wk = static_cast<int>(std::lround(c.z()));
          const std::uint8_t l = g.inside(wi, wj, wk) ? m_labels[g.index(wi, wj, wk)] : 0;
          bone[static_cast<std::size_t>(at(i, j, k))] = l != 0 && l != labels::kSpinalCanal ? 1 : 0;
        }
      }
    }
    // one step of 6-neighbour dilation (grow) or erosion (!grow) of a mask in the cube
    auto morph = [&](const std::vector<std::uint8_t>& in, bool grow) {
      std::vector<std::uint8_t> out = in;
      for (int k = 0; k < kSide; ++k) {
        for (int j = 0; j < kSide; ++j) {
          for (int i = 0; i < kSide; ++i) {
            for (const auto& o : kFaces) {
              const int ii = i + o[0], jj = j + o[1], kk = k + o[2];
              const bool inCube = ii >= 0 && jj >= 0 && kk >= 0 && ii < kSide && jj < kSide && kk < kSide;
              const std::uint8_t n = inCube ? in[static_cast<std::size_t>(at(ii, jj, kk))] : (grow ? 0 : 1);
              if (grow && n) {
                out[static_cast<std::size_t>(at(i, j, k))] = 1;
              } else if (!grow && !n) {
                out[static_cast<std::size_t>(at(i, j, k))] = 0;
              }
            }
          }
        }
      }
      return out;
    };
    const std::vector<std::uint8_t> nearBone = morph(bone, true);
    std::vector<std::uint8_t> band(kCount);
    for (std::size_t q = 0; q < band.size(); ++q) {
      band[q] = !std::isnan(signal[q]) && signal[q] >= 0.38f && signal[q] <= 0.58f && !nearBone[q] ? 1 : 0;
    }
    const std::vector<std::uint8_t> core = morph(band, false);
    std::vector<int> piece(kCount, 0);
    double bestScore = -1e9;
    std::optional<Vector3d> best;
    int pieces = 0;
    for (int start = 0; start < kCount; ++start) {
      if (!core[static_cast<std::size_t>(start)] || piece[static_cast<std::size_t>(start)]) {
        continue;
      }
      std::vector<int> members = { start };
      piece[static_cast<std::size_t>(start)] = ++pieces;
      for (std::size_t m = 0; m < members.size(); ++m) {
        const int q = members[m];
        const int i = q % kSide, j = (q / kSide) % kSide, k = q / (kSide * kSide);
        for (const auto& o : kFaces) {
          const int ii = i + o[0], jj = j + o[1], kk = k + o[2];
          if (ii >= 0 && jj >= 0 && kk >= 0 && ii < kSide && jj < kSide && kk < kSide) {
            const int r = at(ii, jj, kk);
            if (core[static_cast<std::size_t>(r)] && !piece[static_cast<std::size_t>(r)]) {
              piece[static_cast<std::size_t>(r)] = pieces;
              members.push_back(r);
            }
          }
        }
      }
      if (members.size() < minPiece || members.size() > 300) {
        continue;
      }
      std::vector<std::uint8_t> mask(kCount, 0);
      Vector3d sum(0, 0, 0);
      double nearest = 1e9;
      for (int q : members) {
        mask[static_cast<std::size_t>(q)] = 1;
        const Vector3d x = lps(q % kSide, (q / kSide) % kSide, q / (kSide * kSide));
        sum += x;
        nearest = std::min(nearest, (x - prior).norm());
      }
      const std::vector<std::uint8_t> shell = morph(morph(mask, true), true);
      double fat = 0, all = 0;
      for (std::size_t q = 0; q < shell.size(); ++q) {
        if (shell[q] && !mask[q]) {
          all += 1;
          fat += !std::isnan(signal[q]) && signal[q] >= 0.56f && signal[q] <= 0.85f ? 1 : 0;
        }
      }
      const double fatShare = all > 0 ? fat / all : 0.0;
      if (fatShare < 0.05 || nearest > 12.0) {
        continue;
      }
      const double score = fatShare - nearest / 10.0;
      if (score > bestScore) {
        bestScore = score;
        best = Vector3d(sum / static_cast<double>(members.size()));
      }
    }
    return best;
  }

  /// Trilinear value of the input volume at an LPS point (NaN outside).
  double sampleInput(const ImageGeometry& ig, const Vector3d& p) const
  {
    const Vector3d c = ig.lpsToIndex(p);
    for (int a = 0; a < 3; ++a) {
      if (!(c[a] >= 0.0 && c[a] <= static_cast<double>(ig.size[static_cast<std::size_t>(a)]) - 1.0)) {
        return NAN;
      }
    }
    return trilinear(m_input, c);
  }

  /// The body outline (skin) and the landmarks pocket planning needs: iliac crest tops, ASIS,
  /// lowest rib tips, lower abdominal wall and upper outer buttock (skin points beside the midline).
  void findSkinAndLandmarks(SpineModel& model)
  {
    const WorkGrid& g = m_work.grid;
    // inside the body: CT above -400 HU; MR above a tenth of the CSF signal; holes (gas, lung) filled
    m_body.assign(g.count(), 0);
    const WorkVolume& signal = m_mr ? m_raw : m_work;
    const double inside = m_mr ? 0.1 * m_csf : -400.0;
    parallelFor(static_cast<std::size_t>(g.nz), [&](std::size_t kk) {
      const int k = static_cast<int>(kk);
      const std::size_t n = static_cast<std::size_t>(g.nx) * static_cast<std::size_t>(g.ny);
      const float* v = signal.values.data() + g.index(0, 0, k);
      std::vector<std::uint8_t> outside(n, 0);
      std::vector<std::uint32_t> stack;
      auto push = [&](std::size_t p) {
        if (!outside[p] && !(v[p] > inside)) {
          outside[p] = 1;
          stack.push_back(static_cast<std::uint32_t>(p));
        }
      };
      for (int i = 0; i < g.nx; ++i) {
        push(static_cast<std::size_t>(i));
        push(static_cast<std::size_t>(i) + static_cast<std::size_t>(g.nx) * (g.ny - 1));
      }
      for (int j = 0; j < g.ny; ++j) {
        push(static_cast<std::size_t>(g.nx) * j);
        push(static_cast<std::size_t>(g.nx - 1) + static_cast<std::size_t>(g.nx) * j);
      }
      while (!stack.empty()) {
        const std::uint32_t p = stack.back();
        stack.pop_back();
        const int i = static_cast<int>(p % static_cast<std::uint32_t>(g.nx)),
                  j = static_cast<int>(p / static_cast<std::uint32_t>(g.nx));
        if (i > 0)
          push(p - 1);
        if (i + 1 < g.nx)
          push(p + 1);
        if (j > 0)
          push(p - static_cast<std::uint32_t>(g.nx));
        if (j + 1 < g.ny)
          push(p + static_cast<std::uint32_t>(g.nx));
      }
      std::uint8_t* b = m_body.data() + g.index(0, 0, k);
      for (std::size_t p = 0; p < n; ++p) {
        b[p] = outside[p] ? 0 : 1;
      }
    });
    auto bodyAt = [&](const Vector3d& p) {
      Vector3d c = g.continuousIndex(p);
      int i = static_cast<int>(std::lround(c.x())), j = static_cast<int>(std::lround(c.y())),
          k = static_cast<int>(std::lround(c.z()));
      return g.inside(i, j, k) && m_body[g.index(i, j, k)] != 0;
    };
    // skin point beside the midline: from the front (or back) towards the spine, the first body voxel
    auto skinPoint = [&](double z, double x, bool anterior) -> std::optional<Vector3d> {
      const double y0 = anterior ? g.origin.y() : g.origin.y() + (g.ny - 1) * g.h;
      const double step = anterior ? 0.5 : -0.5;
      for (double y = y0; anterior ? y <= g.origin.y() + (g.ny - 1) * g.h : y >= g.origin.y(); y += step) {
        if (bodyAt(Vector3d(x, y, z))) {
          return Vector3d(x, y, z);
        }
      }
      return std::nullopt;
    };
    const SpineVertebra* l5 = model.vertebra("L5");
    const SpineVertebra* s1 = model.vertebra("S1");
    const Vector3d mid = m_line[m_line.size() / 2].centre;
    for (double side : { 1.0, -1.0 }) {
      const std::string name = side > 0 ? "left" : "right";
      if (l5) {
        if (auto p = skinPoint(l5->bodyCentre.z(), l5->bodyCentre.x() + side * 70.0, true)) {
          model.landmarks.push_back({ "lower_abdominal_wall_" + name, *p });
        }
      }
      if (s1) {
        if (auto p = skinPoint(s1->bodyCentre.z() - 50.0, s1->bodyCentre.x() + side * 95.0, false)) {
          model.landmarks.push_back({ "upper_outer_buttock_" + name, *p });
        }
      }
    }
    // iliac wings and ribs: bone beside the spine, not part of a vertebra
    const SpineVertebra* l3 = model.vertebra("L3");
    const double crestCeiling = l3 ? l3->bodyCentre.z() + 10.0 : 1e9;
    std::array<std::optional<Vector3d>, 2> crestTop, asis, ribTip;
    // visits the bone voxels that belong to no vertebra, with their side (0 left, 1 right) and
    // their distance beside the spine
    auto forEachLooseBone = [&](const std::function<void(const Vector3d&, double, std::size_t)>& visit) {
      for (int k = 0; k < g.nz; ++k) {
        for (int j = 0; j < g.ny; ++j) {
          for (int i = 0; i < g.nx; ++i) {
            const std::size_t idx = g.index(i, j, k);
            if (!(m_work.values[idx] >= kBoneHu) ||
                (m_labels[idx] != 0 && m_labels[idx] != labels::kSpinalCanal)) {
              continue;
            }
            const Vector3d p = g.lps(i, j, k);
            const double dx = p.x() - mid.x();
            visit(p, std::abs(dx), dx > 0 ? 0 : 1);
          }
        }
      }
    };
    forEachLooseBone([&](const Vector3d& p, double beside, std::size_t sd) {
      if (beside >= 50.0 && s1 && p.z() < crestCeiling && p.z() > s1->bodyCentre.z() - 60.0 &&
          (!crestTop[sd] || p.z() > crestTop[sd]->z())) {
        crestTop[sd] = p;
      }
    });
    // ASIS: the front end of the crest (within 100 mm below its top, above the pubis); rib tips: the
    // lowest bone more than 60 mm out and 20 mm above the crest
    forEachLooseBone([&](const Vector3d& p, double beside, std::size_t sd) {
      if (crestTop[sd] && beside >= 50.0 && p.z() <= crestTop[sd]->z() && p.z() > crestTop[sd]->z() - 100.0 &&
          (!asis[sd] || p.y() < asis[sd]->y())) {
        asis[sd] = p;
      }
      const double floor = crestTop[sd] ? crestTop[sd]->z() + 20.0 : (l3 ? l3->bodyCentre.z() : -1e9);
      if (beside >= 60.0 && p.z() > floor && p.y() > mid.y() - 120.0 &&
          (!ribTip[sd] || p.z() < ribTip[sd]->z())) {
        ribTip[sd] = p;
      }
    });
    for (std::size_t sd = 0; sd < 2; ++sd) {
      const std::string name = sd == 0 ? "left" : "right";
      if (crestTop[sd]) {
        model.landmarks.push_back({ "iliac_crest_top_" + name, *crestTop[sd] });
      }
      if (asis[sd]) {
        model.landmarks.push_back({ "asis_" + name, *asis[sd] });
      }
      bool ribsSeen = false;
      for (const auto& seg : m_segments) {
        ribsSeen = ribsSeen || seg.ribs;
      }
      if (ribTip[sd] && ribsSeen) {
        model.landmarks.push_back({ "lowest_rib_tip_" + name, *ribTip[sd] });
      }
    }
  }

  /// Per label: the median input value of its inner voxels (all six neighbours in it), NaN for a
  /// label with fewer than 20.
  std::array<double, 256> innerMedians(const Image<std::uint8_t>::Buffer& out,
                                       const std::array<bool, 256>& isVertebra) const
  {
    const ImageGeometry& ig = m_input.geometry();
    const auto& values = m_input.voxels();
    const long nx = static_cast<long>(ig.size[0]), ny = static_cast<long>(ig.size[1]),
               nz = static_cast<long>(ig.size[2]);
    std::array<std::vector<float>, 256> inner;
    const std::size_t sy = static_cast<std::size_t>(nx), sz = static_cast<std::size_t>(nx * ny);
    for (long k = 1; k + 1 < nz; ++k) {
      for (long j = 1; j + 1 < ny; ++j) {
        for (long i = 1; i + 1 < nx; ++i) {
          const std::size_t idx = static_cast<std::size_t>(i + nx * (j + ny * k));
          const int l = out[idx];
          if (isVertebra[static_cast<std::size_t>(l)] && out[idx - 1] == l && out[idx + 1] == l &&
              out[idx - sy] == l && out[idx + sy] == l && out[idx - sz] == l && out[idx + sz] == l &&
              !std::isnan(values[idx])) {
            inner[static_cast<std::size_t>(l)].push_back(values[idx]);
          }
        }
      }
    }
    std::array<double, 256> median;
    median.fill(NAN);
    for (std::size_t l = 0; l < 256; ++l) {
      auto& v = inner[l];
      if (v.size() >= 20) {
        std::nth_element(v.begin(), v.begin() + static_cast<long>(v.size() / 2), v.end());
        median[l] = static_cast<double>(v[v.size() / 2]);
      }
    }
    return median;
  }

  /// T2 MR: processes too thin for the working grid (transverse processes, thin laminae: partial
  /// volume with the dark muscle round them darkens them below marrow there) are grown at the
  /// input's resolution, through faces, from all vertebrae at once (nearest first, so a contested
  /// voxel goes to the nearer one) through unlabelled marrow-like voxels (0.7-1.4 of the vertebra's
  /// inner median), up to 15 mm along the path in millimetres (slices may be thicker than the
  /// pixels), no more than 5 mm in front of the canal's centre, never into the canal, what is near
  /// it or within 5 mm of its centre, or into a foramen between measured pedicles (the roots and
  /// ganglia share marrow's signal), and not from S1 and the sacrum (fused, no free processes; the
  /// sacral roots touch them). Where muscle shares marrow's signal (some real series) such growth
  /// floods it: a vertebra that would gain more than a quarter of its volume keeps none of it.
  void growThinProcessesOnT2(Image<std::uint8_t>::Buffer& out, const std::array<bool, 256>& isVertebra,
                             const std::array<float, 256>& lo, const std::array<float, 256>& hi) const
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
      // lamina into the cord, marrow-like on T2 (0.8 mm T2 phantom: 1525 voxels of cord in T10)
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

  /// T2 MR: the vertebrae's outlines at the input's resolution. The working grid's labels (marrow,
  /// nearest neighbour from a coarser grid) miss the dark cortex round thin bone (laminae,
  /// processes: the phantom's centroids came out 4-6 mm in front of the truth) and reach a voxel
  /// or two past it into the tissue beside the bodies. The cortex is where the marrow ends: the
  /// voxels of a vertebra outside its marrow's signal (0.7-1.4 of its inner median) that touch
  /// none of its marrow and are reached from outside through such voxels are dropped (dark or
  /// bright voxels inside the bone stay); thin processes grow (growThinProcessesOnT2); the dark
  /// voxels just outside (1 mm along each axis, at least a voxel along the finest) join as its
  /// cortex. A vertebra without a measured marrow signal (under 20 inner voxels) is left as it is.
  void fitCortexOnT2(Image<std::uint8_t>::Buffer& out) const
  {
    const ImageGeometry& ig = m_input.geometry();
    const auto& values = m_input.voxels();
    std::array<bool, 256> isVertebra{};
    for (int l = 1; l < 256; ++l) {
      isVertebra[static_cast<std::size_t>(l)] = !labels::vertebraLevelOfLabel(l).empty();
    }
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
    auto marrow = [&](std::size_t idx, std::uint8_t l) {
      return values[idx] >= lo[l] && values[idx] <= hi[l];
    };
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
    // 1 mm: one voxel at 0.8-2 mm, two at 0.5 mm; sagittal T2 in 2 mm slices had lost the spinous
    // processes' cortex across them, which put the centroids 2-5 mm in front)
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

  /// At the input's resolution, peel the soft-tissue shell that the coarser working grid and
  /// partial volume leave on each vertebra (it pulls centroids backwards: the arches have most of
  /// the surface). A surface voxel is one facing soft tissue, the canal or a disc. When the input
  /// is at least as fine as the working grid (`halfMaximum`), the surface moves in to the bone's
  /// half-maximum edge: a voxel is peeled when its value is below halfway between the brightest
  /// bone of its vertebra within two voxels and the darkest outside neighbour, in a few passes so
  /// the layer the first pass exposes is tested too. A coarser input's voxels straddle the edge
  /// and the half maximum of the nearby cortex would take cancellous bone too: a surface voxel goes
  /// when it is darker than 85% of its vertebra's typical inner bone (100-200 HU), in two passes.
  void peelSurface(Image<std::uint8_t>::Buffer& out, bool halfMaximum) const
  {
    const ImageGeometry& ig = m_input.geometry();
    const auto& values = m_input.voxels();
    std::array<bool, 256> isVertebra{};
    for (int l = 1; l < 256; ++l) {
      isVertebra[static_cast<std::size_t>(l)] = !labels::vertebraLevelOfLabel(l).empty();
    }
    const long nx = static_cast<long>(ig.size[0]), ny = static_cast<long>(ig.size[1]),
               nz = static_cast<long>(ig.size[2]);
    const double finest = ig.spacing.minCoeff();
    const int passes = halfMaximum ? std::clamp(static_cast<int>(std::ceil(1.5 / finest)), 1, 3) : 2;
    // coarse input: a surface voxel goes when it is darker than most of its vertebra's inner bone
    // (85% of the median of the voxels whose six neighbours are all in it: here the edge voxel is
    // more soft tissue than bone), no lower than 100 HU (soft tissue in partial volume) and no
    // higher than 200 HU (dense bone would peel its cortex)
    std::array<double, 256> coarseLimit;
    coarseLimit.fill(100.0);
    if (!halfMaximum) {
      const std::array<double, 256> inner = innerMedians(out, isVertebra);
      for (std::size_t l = 0; l < 256; ++l) {
        if (!std::isnan(inner[l])) {
          coarseLimit[l] = std::clamp(0.85 * inner[l], 100.0, 200.0);
        }
      }
    }
    for (int pass = 0; pass < passes; ++pass) {
      Image<std::uint8_t>::Buffer peeled = out;
      std::atomic<long> changed{ 0 };
      parallelFor(ig.size[2], [&](std::size_t kk) {
        const long k = static_cast<long>(kk);
        long local = 0;
        for (long j = 0; j < ny; ++j) {
          for (long i = 0; i < nx; ++i) {
            const std::size_t idx = static_cast<std::size_t>(i + nx * (j + ny * k));
            const int l = out[idx];
            if (!isVertebra[static_cast<std::size_t>(l)]) {
              continue;
            }
            const float x = values[idx];
            double outside = std::numeric_limits<double>::infinity();
            bool surface = false;
            forEachFace(i, j, k, nx, ny, nz, [&](std::size_t q, int) {
              if (out[q] != l && !isVertebra[out[q]]) {
                surface = true;
                outside = std::min(outside, static_cast<double>(values[q]));
              }
            });
            if (!surface ||
                !(x < (halfMaximum ? outside + 400.0 : coarseLimit[static_cast<std::size_t>(l)]))) {
              continue; // not on the surface, or clearly bone
            }
            if (!halfMaximum) {
              peeled[idx] = 0;
              ++local;
              continue;
            }
            double peak = x;
            for (long dz = -2; dz <= 2; ++dz) {
              for (long dy = -2; dy <= 2; ++dy) {
                for (long dx = -2; dx <= 2; ++dx) {
                  const long ii = i + dx, jj = j + dy, kz = k + dz;
                  if (ii < 0 || jj < 0 || kz < 0 || ii >= nx || jj >= ny || kz >= nz) {
                    continue;
                  }
                  const std::size_t q = static_cast<std::size_t>(ii + nx * (jj + ny * kz));
                  if (out[q] == l && values[q] > peak) {
                    peak = values[q];
                  }
                }
              }
            }
            if (x < 0.5 * (peak + outside)) {
              peeled[idx] = 0;
              ++local;
            }
          }
        }
        changed += local;
      });
      out.swap(peeled);
      if (changed == 0) {
        break;
      }
    }
  }

  /// Centroids and volumes of the vertebrae from the label map as written (the input's resolution,
  /// edges at the bone's half maximum), so they describe exactly what the user sees.
  void measureFromLabelMap(SpineModel& model) const
  {
    const ImageGeometry& ig = model.labels.geometry();
    const auto& out = model.labels.voxels();
    const std::size_t nx = ig.size[0], ny = ig.size[1], nz = ig.size[2];
    // the body: in front of the canal (8 mm and more along the vertebra's mid-height frame)
    std::array<const CentrelinePoint*, 256> frame{};
    for (const Segment& seg : m_segments) {
      if (seg.label > 0 && seg.label < 256 && seg.level != "sacrum") {
        frame[static_cast<std::size_t>(seg.label)] =
          &m_line[static_cast<std::size_t>(std::lround(seg.run.mid()))];
      }
    }
    std::vector<std::array<double, 4>> perSlice(nz * 256, { 0, 0, 0, 0 });
    std::vector<std::array<double, 4>> bodyPerSlice(nz * 256, { 0, 0, 0, 0 });
    parallelFor(nz, [&](std::size_t k) {
      std::array<double, 4>* acc = perSlice.data() + k * 256;
      std::array<double, 4>* body = bodyPerSlice.data() + k * 256;
      for (std::size_t j = 0; j < ny; ++j) {
        const std::uint8_t* row = out.data() + ig.offset(0, j, k);
        for (std::size_t i = 0; i < nx; ++i) {
          auto& a = acc[row[i]];
          a[0] += static_cast<double>(i);
          a[1] += static_cast<double>(j);
          a[2] += static_cast<double>(k);
          a[3] += 1.0;
          if (const CentrelinePoint* f = frame[row[i]]) {
            const Vector3d q =
              ig.indexToLps(Vector3d(static_cast<double>(i), static_cast<double>(j), static_cast<double>(k)));
            const Vector3d d = q - f->centre;
            if (d.dot(f->anterior) > 8.0 && std::abs(d.dot(f->left)) < 25.0) {
              auto& b = body[row[i]];
              b[0] += q.x();
              b[1] += q.y();
              b[2] += q.z();
              b[3] += 1.0;
            }
          }
        }
      }
    });
    const double voxelMl = ig.spacing.prod() / 1000.0;
    for (SpineVertebra& v : model.vertebrae) {
      if (v.label <= 0 || v.label > 255) {
        continue;
      }
      std::array<double, 4> s{ 0, 0, 0, 0 };
      for (std::size_t k = 0; k < nz; ++k) {
        for (int c = 0; c < 4; ++c) {
          s[static_cast<std::size_t>(c)] +=
            perSlice[k * 256 + static_cast<std::size_t>(v.label)][static_cast<std::size_t>(c)];
        }
      }
      if (s[3] > 0) {
        v.centroid = ig.indexToLps(Vector3d(s[0], s[1], s[2]) / s[3]);
        v.volumeMl = s[3] * voxelMl;
      }
      std::array<double, 4> b{ 0, 0, 0, 0 };
      for (std::size_t k = 0; k < nz; ++k) {
        for (int c = 0; c < 4; ++c) {
          b[static_cast<std::size_t>(c)] +=
            bodyPerSlice[k * 256 + static_cast<std::size_t>(v.label)][static_cast<std::size_t>(c)];
        }
      }
      if (b[3] > 0 && frame[static_cast<std::size_t>(v.label)]) {
        v.bodyCentre = Vector3d(b[0], b[1], b[2]) / b[3];
      }
    }
  }

  /// Label map on the input grid: vertebrae, canal and the expected ganglia.
  void paintLabels(SpineModel& model)
  {
    const WorkGrid& g = m_work.grid;
    // canal: the chain's holes with what they enclose (on MR the blobs are the CSF: the cord and the
    // roots inside it are the canal's too, and the thin processes must not grow into them)
    for (const CanalCandidate* c : m_chain) {
      for (std::uint32_t p : canalWithContents(*c, g)) {
        std::size_t idx = g.index(static_cast<int>(p % g.nx), static_cast<int>(p / g.nx), c->k);
        if (m_labels[idx] == 0) {
          m_labels[idx] = static_cast<std::uint8_t>(labels::kSpinalCanal);
        }
      }
    }
    // the skin: the body's outer layer
    if (!m_body.empty()) {
      for (int k = 0; k < g.nz; ++k) {
        for (int j = 1; j + 1 < g.ny; ++j) {
          for (int i = 1; i + 1 < g.nx; ++i) {
            const std::size_t idx = g.index(i, j, k);
            if (m_body[idx] && m_labels[idx] == 0 &&
                (!m_body[idx - 1] || !m_body[idx + 1] || !m_body[idx - static_cast<std::size_t>(g.nx)] ||
                 !m_body[idx + static_cast<std::size_t>(g.nx)])) {
              m_labels[idx] = static_cast<std::uint8_t>(labels::kSkin);
            }
          }
        }
      }
    }
    const ImageGeometry& ig = m_input.geometry();
    model.labels = Image<std::uint8_t>(ig, 0);
    auto& out = model.labels.voxels();
    const Eigen::Matrix3d toWork = ig.direction * ig.spacing.asDiagonal() / g.h;
    parallelFor(ig.size[2], [&](std::size_t k) {
      for (std::size_t j = 0; j < ig.size[1]; ++j) {
        Vector3d c =
          g.continuousIndex(ig.indexToLps(Vector3d(0, static_cast<double>(j), static_cast<double>(k))));
        const Vector3d step = toWork.col(0);
        for (std::size_t i = 0; i < ig.size[0]; ++i, c += step) {
          int x = static_cast<int>(std::lround(c.x())), y = static_cast<int>(std::lround(c.y())),
              z = static_cast<int>(std::lround(c.z()));
          if (g.inside(x, y, z)) {
            out[ig.offset(i, j, k)] = m_labels[g.index(x, y, z)];
          }
        }
      }
    });
    if (m_mr) {
      fitCortexOnT2(out);
    } else {
      peelSurface(out, ig.spacing.maxCoeff() <= g.h + 1e-6);
    }
    measureFromLabelMap(model);
    // ganglia as ellipsoids of their expected size along the root
    const Eigen::Matrix3d toIndex = ig.spacing.cwiseInverse().asDiagonal() * ig.direction.inverse();
    for (const auto& d : model.ganglia) {
      int label = labels::ganglionLabel(d.level, d.side == Side::Right);
      if (label > 255) {
        continue;
      }
      Eigen::Matrix3d axes;
      axes.col(0) = d.axis;
      axes.col(1) = d.axis.unitOrthogonal();
      axes.col(2) = d.axis.cross(axes.col(1));
      const Vector3d semi(0.5 * d.lengthMm, 0.5 * d.widthMm, 0.5 * d.widthMm);
      const double r = semi.maxCoeff();
      Vector3d lo = Vector3d::Constant(1e30), hi = Vector3d::Constant(-1e30);
      for (int c = 0; c < 8; ++c) {
        Vector3d corner = d.centre + Vector3d((c & 1) ? r : -r, (c & 2) ? r : -r, (c & 4) ? r : -r);
        Vector3d idx = toIndex * (corner - ig.origin);
        lo = lo.cwiseMin(idx);
        hi = hi.cwiseMax(idx);
      }
      for (long k = std::max(0L, static_cast<long>(std::floor(lo.z())));
           k <= std::min(static_cast<long>(ig.size[2]) - 1, static_cast<long>(std::ceil(hi.z()))); ++k) {
        for (long j = std::max(0L, static_cast<long>(std::floor(lo.y())));
             j <= std::min(static_cast<long>(ig.size[1]) - 1, static_cast<long>(std::ceil(hi.y()))); ++j) {
          for (long i = std::max(0L, static_cast<long>(std::floor(lo.x())));
               i <= std::min(static_cast<long>(ig.size[0]) - 1, static_cast<long>(std::ceil(hi.x()))); ++i) {
            Vector3d q = axes.transpose() * (ig.indexToLps(Vector3d(i, j, k)) - d.centre);
            if (q.cwiseQuotient(semi).squaredNorm() <= 1.0) {
              out[ig.offset(static_cast<std::size_t>(i), static_cast<std::size_t>(j),
                            static_cast<std::size_t>(k))] = static_cast<std::uint8_t>(label);
            }
          }
        }
      }
    }
  }

  const Image<float>& m_input;
  SpineModelOptions m_options;
  ProgressCallback m_progress;
  bool m_mr = false;
  double m_csf = 0.0;               ///< MR: CSF signal (90th percentile inside the canal)
  std::vector<std::uint8_t> m_core; ///< MR: the bone mask eroded by a voxel
  WorkVolume m_mrWalls; ///< MR: the foramen's walls (vertebrae 400, dark tissue 150, the rest -50)
  std::vector<std::uint8_t> m_foramenSpace;    ///< MR: the foramina between measured pedicles (no bone)
  std::vector<CanalCandidate> m_allCandidates; ///< with the faint rings, when the chain uses them
  WorkVolume m_raw;                            ///< MR: the resampled signal before mapping
  WorkVolume m_work;
  BoneAnalysis m_bone;
  std::vector<const CanalCandidate*> m_chain;
  std::vector<CentrelinePoint> m_line;
  std::vector<double> m_profile;
  std::vector<Run> m_discRuns;
  std::vector<Segment> m_segments;
  std::vector<std::array<PedicleMeasure, 2>> m_pedicles;
  std::vector<std::uint8_t> m_labels;
  std::vector<std::uint8_t> m_domain; ///< bone the vertebrae grow through (kFaceOnly: not diagonally)
  static constexpr std::uint8_t kFaceOnly = 2;
  std::vector<Vector3d> m_sliceCentre,
    m_sliceAnterior;                ///< per work slice: the canal's centre (x, y), anterior
  std::vector<double> m_bodyFront;  ///< MR, per label: where its body ends in front (mm)
  std::vector<std::uint8_t> m_body; ///< inside the skin, on the working grid
  std::string m_anchor, m_anchorDetail;
  bool m_disagree = false;
  std::vector<std::string> m_warnings;
};

bool looksLikeCt(const Image<float>& volume)
{
  const auto& v = volume.voxels();
  std::vector<double> sample;
  const std::size_t step = std::max<std::size_t>(1, v.size() / 200000);
  for (std::size_t i = 0; i < v.size(); i += step) {
    if (!std::isnan(v[i])) {
      sample.push_back(v[i]);
    }
  }
  return percentile(sample, 0.02) < -500.0;
}

} // namespace

bool DrgEstimate::contains(const Vector3d& p) const
{
  Vector3d q = ellipsoidAxes.transpose() * (p - centre);
  return q.cwiseQuotient(semiAxesMm).squaredNorm() <= 1.0;
}

const SpineVertebra* SpineModel::vertebra(const std::string& level) const
{
  for (const auto& v : vertebrae) {
    if (v.level == level) {
      return &v;
    }
  }
  return nullptr;
}

const DrgEstimate* SpineModel::ganglion(const std::string& level, Side side) const
{
  for (const auto& d : ganglia) {
    if (d.level == level && d.side == side) {
      return &d;
    }
  }
  return nullptr;
}

SpineModel buildSpineModel(const Image<float>& volume, const SpineModelOptions& options,
                           const ProgressCallback& progress)
{
  const ImageGeometry& g = volume.geometry();
  if (g.voxelCount() == 0 || g.size[0] < 16 || g.size[1] < 16 || g.size[2] < 16) {
    throw Error(ErrorCode::InvalidArgument,
                "the volume is too small for a spine model (at least 16 voxels along "
                "each axis are needed)");
  }
  if (g.spacing.minCoeff() < 0.2 || g.spacing.maxCoeff() > 5.0) {
    throw Error(ErrorCode::InvalidArgument, "voxel spacing " + mm1(g.spacing.minCoeff()) + "-" +
                                              mm1(g.spacing.maxCoeff()) +
                                              " mm is outside what the spine model handles (0.2-5 mm)");
  }
  SpineModality modality = options.modality;
  if (modality == SpineModality::Auto) {
    modality = looksLikeCt(volume) ? SpineModality::Ct : SpineModality::MrT2;
  }
  CtSpineAnalysis analysis(volume, options, progress, modality == SpineModality::MrT2);
  return analysis.run();
}

} // namespace drg::imaging
