#include "spine/SliceMorphology.h"

#include "ParallelFor.h"
#include "drg/imaging/AnatomyLabels.h"

#include <algorithm>
#include <cmath>

namespace drg::imaging::spine
{

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

std::vector<Hole> holesOf(const std::vector<std::uint8_t>& closed, const float* v, int nx, int ny, double h,
                          bool borderIsOpen)
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
const LabelSet& vertebraLabels()
{
  static const LabelSet table = [] {
    LabelSet t{};
    for (int l = 1; l < 256; ++l) {
      t[static_cast<std::size_t>(l)] = !labels::vertebraLevelOfLabel(l).empty();
    }
    return t;
  }();
  return table;
}

std::size_t fillEnclosedHoles(std::uint8_t* labels, std::size_t nx, std::size_t ny, std::size_t nz,
                              const LabelSet& fillable, std::size_t maxPixels,
                              const std::function<bool(std::size_t, const std::vector<std::size_t>&)>& accept)
{
  std::vector<std::size_t> filled(nz, 0);
  parallelFor(nz, [&](std::size_t k) {
    std::uint8_t* plane = labels + nx * ny * k;
    // only the box round the plane's fillable labels can hold a hole they enclose
    std::size_t i0 = nx, i1 = 0, j0 = ny, j1 = 0;
    for (std::size_t j = 0; j < ny; ++j) {
      for (std::size_t i = 0; i < nx; ++i) {
        if (fillable[plane[i + nx * j]]) {
          i0 = std::min(i0, i);
          i1 = std::max(i1, i);
          j0 = std::min(j0, j);
          j1 = std::max(j1, j);
        }
      }
    }
    if (i0 > i1) {
      return;
    }
    std::vector<std::uint8_t> seen((i1 - i0 + 1) * (j1 - j0 + 1), 0);
    auto at = [&](std::size_t i, std::size_t j) { return (i - i0) + (i1 - i0 + 1) * (j - j0); };
    std::vector<std::size_t> region, stack;
    for (std::size_t j = j0; j <= j1; ++j) {
      for (std::size_t i = i0; i <= i1; ++i) {
        if (plane[i + nx * j] != 0 || seen[at(i, j)]) {
          continue;
        }
        // one unlabelled region: enclosed when it touches neither the box's edge (the outside is
        // beyond it) nor any label but one fillable one
        region.clear();
        stack.assign(1, i + nx * j);
        seen[at(i, j)] = 1;
        int encloser = -1;
        bool enclosed = true;
        while (!stack.empty()) {
          const std::size_t p = stack.back();
          stack.pop_back();
          region.push_back(p);
          const std::size_t pi = p % nx, pj = p / nx;
          if (pi == i0 || pi == i1 || pj == j0 || pj == j1) {
            enclosed = false;
          }
          const std::size_t nb[4] = { pi > i0 ? p - 1 : p, pi < i1 ? p + 1 : p, pj > j0 ? p - nx : p,
                                      pj < j1 ? p + nx : p };
          for (std::size_t q : nb) {
            if (q == p) {
              continue;
            }
            const std::uint8_t l = plane[q];
            if (l == 0) {
              if (!seen[at(q % nx, q / nx)]) {
                seen[at(q % nx, q / nx)] = 1;
                stack.push_back(q);
              }
            } else if (!fillable[l] || (encloser >= 0 && encloser != l)) {
              enclosed = false;
            } else {
              encloser = l;
            }
          }
        }
        if (enclosed && encloser > 0 && region.size() <= maxPixels) {
          for (std::size_t& p : region) {
            p += nx * ny * k; // indices into the map, as `accept` takes them
          }
          if (accept(k, region)) {
            for (std::size_t p : region) {
              labels[p] = static_cast<std::uint8_t>(encloser);
            }
            filled[k] += region.size();
          }
        }
      }
    }
  });
  std::size_t total = 0;
  for (std::size_t f : filled) {
    total += f;
  }
  return total;
}

} // namespace drg::imaging::spine
