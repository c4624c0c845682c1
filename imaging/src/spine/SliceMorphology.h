#pragma once
// Internal: small morphology on the working grid's axial planes and voxels (face neighbours, rings,
// floods, closing, holes), shared by the spine model's stages.

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

namespace drg::imaging::spine
{

/// The six face neighbours of a voxel.
inline constexpr int kFaces[6][3] = { { 1, 0, 0 },  { -1, 0, 0 }, { 0, 1, 0 },
                                      { 0, -1, 0 }, { 0, 0, 1 },  { 0, 0, -1 } };

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

inline constexpr int kRingReach = 2; ///< pixels a label is grown by to make the ring that encloses

/// The pixels of `label` in a w x h plane grown by kRingReach pixels (a ring broken by a pixel
/// still encloses): the wall that decides what the label encloses.
void ringOf(const std::uint8_t* plane, int w, int h, int label, std::vector<std::uint8_t>& ring);

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

/// Binary closing of one slice with a (2r+1)-square, separable (counts in a running window).
std::vector<std::uint8_t> closeSlice(const std::vector<std::uint8_t>& b, int nx, int ny, int r);

/// A hole of a closed slice: 4-connected non-bone pixels touching neither NaN nor (unless told
/// otherwise) the slice border.
struct Hole
{
  std::vector<std::uint32_t> pixels;
  double areaMm2 = 0, mean = 0, cx = 0, cy = 0, widthMm = 0, heightMm = 0;
};

/// The holes of a closed slice `closed` (nx x ny, pixel size h mm) over the values `v`; with
/// `borderIsOpen` a hole touching the slice's border is not one.
std::vector<Hole> holesOf(const std::vector<std::uint8_t>& closed, const float* v, int nx, int ny, double h,
                          bool borderIsOpen = true);

/// Which label values are vertebrae (T10 ... sacrum): a table built once.
using LabelSet = std::array<bool, 256>;
const LabelSet& vertebraLabels();

/// Fills, in each k-plane of an nx x ny x nz label map, the unlabelled 4-connected regions of at
/// most `maxPixels` that one label of `fillable` encloses alone (every face neighbour in the plane
/// is that label, none is the plane's border) and `accept(k, region)` takes (region: voxel indices
/// into the map). Returns how many voxels were filled.
std::size_t fillEnclosedHoles(
  std::uint8_t* labels, std::size_t nx, std::size_t ny, std::size_t nz, const LabelSet& fillable,
  std::size_t maxPixels, const std::function<bool(std::size_t, const std::vector<std::size_t>&)>& accept);

} // namespace drg::imaging::spine
