// T2 MR only: the CSF-bright canal, the mapping of T2 signal onto the bone scale, and the marrow
// eroded off the bowel.
#include "spine/Canal.h"
#include "spine/SpineTuning.h"

#include "spine/SpineMath.h"

#include "drg/imaging/Error.h"

#include "ParallelFor.h"

#include <algorithm>
#include <cmath>

namespace drg::imaging::spine
{
using Eigen::Vector3d;

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
      notCsf[p] = !(v[p] >= kT2CsfShare * csf);
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
        float mapped = r >= kT2MarrowLow && r <= kT2MarrowHigh
                         ? kMappedMarrow
                         : (r > kT2MarrowHigh ? kMappedFluid : kMappedSoftTissue);
        if (mapped > kMappedMarrowAbove) {
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

T2Signal prepareT2Signal(WorkVolume& work)
{
  T2Signal out;
  const double h = work.grid.h;
  std::vector<double> sample;
  for (std::size_t i = 0; i < work.values.size(); i += 7) {
    if (!std::isnan(work.values[i])) {
      sample.push_back(work.values[i]);
    }
  }
  out.csf = percentile(sample, 0.999);
  if (!(out.csf > 0)) {
    throw Error(ErrorCode::NotFound, "no spine found: the MR volume holds no signal");
  }
  out.raw = work;
  // fat can be as bright as the brightest 0.1 %: find the canal roughly, then take the CSF
  // signal from inside it and look again
  out.candidates = mrCanalCandidates(out.raw, out.csf);
  {
    auto rough = canalChain(out.candidates, h);
    std::vector<double> inside;
    for (const CanalCandidate* c : rough) {
      const float* v = out.raw.values.data() + out.raw.grid.index(0, 0, c->k);
      for (std::uint32_t p : c->pixels) {
        inside.push_back(v[p]);
      }
    }
    if (inside.size() > 50) {
      out.csf = percentile(inside, 0.9);
      out.candidates = mrCanalCandidates(out.raw, out.csf);
    }
  }
  mapMrToBoneScale(work, out.csf);
  // the canal's contents (cord, roots: marrow-like on T2) are not bone: the CSF blobs of the
  // canal chain, what they enclose, and 2 mm around them (CSF blurred into the arch) read as
  // fluid; the arch beyond is bone
  {
    const WorkGrid& g = work.grid;
    const int reach = std::max(1, static_cast<int>(std::lround(2.0 / g.h)));
    for (const CanalCandidate* c : canalChain(out.candidates, h)) {
      for (std::uint32_t p : canalWithContents(*c, g)) {
        const int i = static_cast<int>(p % static_cast<std::uint32_t>(g.nx));
        const int j = static_cast<int>(p / static_cast<std::uint32_t>(g.nx));
        for (int dj = -reach; dj <= reach; ++dj) {
          for (int di = -reach; di <= reach; ++di) {
            if (g.inside(i + di, j + dj, c->k) &&
                work.values[g.index(i + di, j + dj, c->k)] > kMappedMarrowAbove) {
              work.values[g.index(i + di, j + dj, c->k)] = kMappedFluid;
            }
          }
        }
      }
    }
  }
  return out;
}

} // namespace drg::imaging::spine
