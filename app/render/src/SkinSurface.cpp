// The skin of a case: the outline of the body on a coarse grid.
#include "SkinSurface.h"

#include "LabelContour.h"

#include <vtkImageData.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <vector>

namespace drg::render
{
namespace
{

/// Keeps the largest 6-connected part of a binary grid of `n` cells.
void keepLargestComponent(std::vector<std::uint8_t>& cells, const std::array<int, 3>& n)
{
  std::vector<int> part(cells.size(), 0);
  std::vector<std::size_t> sizes{ 0 };
  std::vector<std::size_t> stack;
  const std::size_t sx = 1, sy = static_cast<std::size_t>(n[0]), sz = sy * static_cast<std::size_t>(n[1]);
  for (std::size_t start = 0; start < cells.size(); ++start) {
    if (!cells[start] || part[start]) {
      continue;
    }
    const int id = static_cast<int>(sizes.size());
    sizes.push_back(0);
    part[start] = id;
    stack.push_back(start);
    while (!stack.empty()) {
      const std::size_t c = stack.back();
      stack.pop_back();
      ++sizes.back();
      const int i = static_cast<int>(c % sy), j = static_cast<int>((c / sy) % static_cast<std::size_t>(n[1])),
                k = static_cast<int>(c / sz);
      const std::pair<bool, std::size_t> next[] = { { i > 0, c - sx }, { i + 1 < n[0], c + sx },
                                                    { j > 0, c - sy }, { j + 1 < n[1], c + sy },
                                                    { k > 0, c - sz }, { k + 1 < n[2], c + sz } };
      for (const auto& [inside, q] : next) {
        if (inside && cells[q] && !part[q]) {
          part[q] = id;
          stack.push_back(q);
        }
      }
    }
  }
  const int largest = static_cast<int>(std::max_element(sizes.begin(), sizes.end()) - sizes.begin());
  for (std::size_t c = 0; c < cells.size(); ++c) {
    cells[c] = part[c] == largest && largest > 0 ? 1 : 0;
  }
}

/// The skin's grid: `f` voxels of the label map per cell along each axis, `n` cells; a cell 1 is body.
struct CoarseGrid
{
  std::array<int, 3> f{}, n{};
  std::vector<std::uint8_t> cells;

  std::uint8_t& at(int i, int j, int k) { return cells[(static_cast<std::size_t>(k) * n[1] + j) * n[0] + i]; }
};

/// Marks the body's cells of `grid`: with `ct`, those averaging above -400 HU; otherwise those holding
/// a label. Returns how many.
std::size_t markBody(CoarseGrid& grid, const imaging::Image<std::uint8_t>& labels,
                     const imaging::Image<float>* ct)
{
  const auto& g = labels.geometry();
  const auto& v = labels.voxels();
  const std::array<int, 3>& f = grid.f;
  const std::array<int, 3>& n = grid.n;
  std::vector<std::uint8_t>& coarse = grid.cells;
  std::size_t marked = 0;
  if (ct != nullptr) {
    std::vector<float> sum(coarse.size(), 0.0f);
    std::vector<std::uint32_t> count(coarse.size(), 0);
    const auto& hu = ct->voxels();
    for (std::size_t k = 0, idx = 0; k < g.size[2]; ++k) {
      for (std::size_t j = 0; j < g.size[1]; ++j) {
        for (std::size_t i = 0; i < g.size[0]; ++i, ++idx) {
          const std::size_t c = (static_cast<std::size_t>(static_cast<int>(k) / f[2]) * n[1] +
                                 static_cast<std::size_t>(static_cast<int>(j) / f[1])) *
                                  n[0] +
                                static_cast<std::size_t>(static_cast<int>(i) / f[0]);
          sum[c] += hu[idx];
          ++count[c];
        }
      }
    }
    for (std::size_t c = 0; c < coarse.size(); ++c) {
      coarse[c] = count[c] > 0 && sum[c] / static_cast<float>(count[c]) > -400.0f ? 1 : 0;
      marked += coarse[c];
    }
  } else {
    for (std::size_t k = 0, idx = 0; k < g.size[2]; ++k) {
      for (std::size_t j = 0; j < g.size[1]; ++j) {
        for (std::size_t i = 0; i < g.size[0]; ++i, ++idx) {
          if (v[idx] != 0) {
            grid.at(static_cast<int>(i) / f[0], static_cast<int>(j) / f[1], static_cast<int>(k) / f[2]) = 1;
          }
        }
      }
    }
    marked = static_cast<std::size_t>(std::count(coarse.begin(), coarse.end(), 1));
  }
  return marked;
}

/// Fills what the body's cells enclose in each slice across axis `axial`: the outside is what is
/// reached from the slice's border through empty cells (a 2D flood in each slice).
void fillEnclosed(CoarseGrid& grid, int axial)
{
  const std::array<int, 3>& n = grid.n;
  const int u = axial == 0 ? 1 : 0, w = axial == 2 ? 1 : 2;
  std::vector<int> stack;
  for (int s = 0; s < n[axial]; ++s) {
    auto cell = [&](int a, int b) -> std::uint8_t& {
      int p[3];
      p[axial] = s;
      p[u] = a;
      p[w] = b;
      return grid.at(p[0], p[1], p[2]);
    };
    std::vector<std::uint8_t> outside(static_cast<std::size_t>(n[u]) * n[w], 0);
    auto push = [&](int a, int b) {
      if (a >= 0 && b >= 0 && a < n[u] && b < n[w] && !outside[static_cast<std::size_t>(b) * n[u] + a] &&
          cell(a, b) == 0) {
        outside[static_cast<std::size_t>(b) * n[u] + a] = 1;
        stack.push_back(b * n[u] + a);
      }
    };
    for (int a = 0; a < n[u]; ++a) {
      push(a, 0);
      push(a, n[w] - 1);
    }
    for (int b = 0; b < n[w]; ++b) {
      push(0, b);
      push(n[u] - 1, b);
    }
    while (!stack.empty()) {
      const int p = stack.back();
      stack.pop_back();
      const int a = p % n[u], b = p / n[u];
      push(a - 1, b);
      push(a + 1, b);
      push(a, b - 1);
      push(a, b + 1);
    }
    for (int b = 0; b < n[w]; ++b) {
      for (int a = 0; a < n[u]; ++a) {
        cell(a, b) = outside[static_cast<std::size_t>(b) * n[u] + a] ? 0 : 1;
      }
    }
  }
}

} // namespace

vtkSmartPointer<vtkPolyData> buildSkinSurface(const imaging::Image<std::uint8_t>& labels,
                                              const imaging::Image<float>* ct, const SurfaceOptions& options,
                                              vtkTransform* transform,
                                              const std::function<void(double)>& tick)
{
  const auto& g = labels.geometry();
  CoarseGrid grid;
  std::array<int, 3>& f = grid.f;
  std::array<int, 3>& n = grid.n;
  for (int a = 0; a < 3; ++a) {
    f[a] = std::max(1, static_cast<int>(std::lround(options.skinGridMm / g.spacing[a])));
    n[a] =
      static_cast<int>((g.size[a] + static_cast<std::size_t>(f[a]) - 1) / static_cast<std::size_t>(f[a]));
  }
  // slices across the axis closest to head-foot: a body cut by the field of view stays closed there
  int axial = 2;
  for (int a = 0; a < 3; ++a) {
    if (std::abs(g.direction(2, a)) > std::abs(g.direction(2, axial))) {
      axial = a;
    }
  }
  grid.cells.assign(static_cast<std::size_t>(n[0]) * n[1] * n[2], 0);
  const std::size_t marked = markBody(grid, labels, ct);
  tick(0.85);
  fillEnclosed(grid, axial);
  if (ct != nullptr) {
    keepLargestComponent(grid.cells, n);
  }
  // a body outline that the flood ran through (the field of view cuts the body, a cropped slab)
  // encloses nothing: no skin rather than a false one
  const auto filled = static_cast<std::size_t>(std::count(grid.cells.begin(), grid.cells.end(), 1));
  const bool closed = ct != nullptr || filled >= marked + marked / 2;
  if (!closed) {
    return nullptr;
  }
  auto body = vtkSmartPointer<vtkImageData>::New();
  // pad by one empty cell all round so that the surface closes at the field of view's edges
  body->SetDimensions(n[0] + 2, n[1] + 2, n[2] + 2);
  body->SetSpacing(f[0] * g.spacing[0], f[1] * g.spacing[1], f[2] * g.spacing[2]);
  body->SetOrigin(-f[0] * g.spacing[0], -f[1] * g.spacing[1], -f[2] * g.spacing[2]);
  body->AllocateScalars(VTK_UNSIGNED_CHAR, 1);
  auto* out = static_cast<std::uint8_t*>(body->GetScalarPointer());
  std::fill_n(out, static_cast<std::size_t>(n[0] + 2) * (n[1] + 2) * (n[2] + 2), 0);
  for (int k = 0; k < n[2]; ++k) {
    for (int j = 0; j < n[1]; ++j) {
      for (int i = 0; i < n[0]; ++i) {
        out[(static_cast<std::size_t>(k + 1) * (n[1] + 2) + (j + 1)) * (n[0] + 2) + (i + 1)] =
          grid.at(i, j, k) ? 255 : 0;
      }
    }
  }
  return contour(body, 128, false, options.skinDetailMm, transform, 10);
}

} // namespace drg::render
