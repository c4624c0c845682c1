// Signed Euclidean distance maps: along the first axis by two sweeps, along the others by the lower
// envelope of parabolas (Felzenszwalb and Huttenlocher, "Distance transforms of sampled functions",
// Theory of Computing 8, 2012), each axis with its own voxel spacing, so that anisotropic CT grids
// (3 mm slices) are measured in millimetres.
#include "planner/ClearanceField.h"

#include <algorithm>
#include <cmath>
#include <future>
#include <limits>

namespace drg::planning
{
namespace
{

constexpr double kInf = 1e20;

/// Squared distance along one line of binary features (`feature[q * step]`), samples `h` mm apart,
/// written to `out` (kInf on a line without a feature).
void sweep1d(const std::uint8_t* feature, long step, long n, double h, double* out)
{
  long last = -1;
  for (long q = 0; q < n; ++q) {
    if (feature[q * step]) {
      last = q;
    }
    out[q] = last < 0 ? kInf : static_cast<double>(q - last);
  }
  last = -1;
  for (long q = n - 1; q >= 0; --q) {
    if (feature[q * step]) {
      last = q;
    }
    const double d = std::min(out[q], last < 0 ? kInf : static_cast<double>(last - q));
    out[q] = d >= kInf ? kInf : d * d * h * h;
  }
}

/// Squared distance transform of one line of `f` (squared distances so far, kInf where none),
/// samples `h` mm apart; `v`, `z` are scratch of the line's length (+1 for `z`).
void envelope1d(const double* f, long n, double h, long* v, double* z, double* out)
{
  long k = 0;
  v[0] = 0;
  z[0] = -kInf;
  z[1] = kInf;
  for (long q = 1; q < n; ++q) {
    if (f[q] >= kInf) {
      continue;
    }
    if (f[v[0]] >= kInf) { // no feature yet: q is the first parabola
      v[0] = q;
      continue;
    }
    double s;
    for (;;) {
      const long p = v[k];
      const double xq = q * h, xp = p * h;
      s = ((f[q] + xq * xq) - (f[p] + xp * xp)) / (2.0 * (xq - xp));
      if (s <= z[k] && k > 0) {
        --k;
        continue;
      }
      break;
    }
    if (s <= z[k]) { // (k == 0): the new parabola replaces the first
      v[0] = q;
      z[1] = kInf;
      continue;
    }
    ++k;
    v[k] = q;
    z[k] = s;
    z[k + 1] = kInf;
  }
  if (f[v[0]] >= kInf) {
    std::fill(out, out + n, kInf);
    return;
  }
  k = 0;
  for (long q = 0; q < n; ++q) {
    while (z[k + 1] < q * h) {
      ++k;
    }
    const double d = (q - v[k]) * h;
    out[q] = d * d + f[v[k]];
  }
}

/// Squared Euclidean distance (mm^2) of every voxel of a box to the nearest voxel where `inside`
/// is `want`.
std::vector<double> squaredDistance(const std::vector<std::uint8_t>& inside, bool want,
                                    const std::array<long, 3>& n, const Eigen::Vector3d& spacing)
{
  std::vector<std::uint8_t> feature(inside.size());
  for (std::size_t i = 0; i < inside.size(); ++i) {
    feature[i] = (inside[i] != 0) == want ? 1 : 0;
  }
  std::vector<double> d(inside.size());
  const long lines = n[1] * n[2];
  for (long line = 0; line < lines; ++line) {
    sweep1d(feature.data() + line * n[0], 1, n[0], spacing[0], d.data() + line * n[0]);
  }
  const long longest = std::max({ n[0], n[1], n[2] });
  std::vector<double> f(static_cast<std::size_t>(longest)), out(static_cast<std::size_t>(longest));
  std::vector<double> z(static_cast<std::size_t>(longest) + 1);
  std::vector<long> v(static_cast<std::size_t>(longest));
  const long stride[3] = { 1, n[0], n[0] * n[1] };
  for (int axis = 1; axis < 3; ++axis) {
    const int a1 = (axis + 1) % 3, a2 = (axis + 2) % 3;
    for (long i2 = 0; i2 < n[a2]; ++i2) {
      for (long i1 = 0; i1 < n[a1]; ++i1) {
        const long base = i1 * stride[a1] + i2 * stride[a2];
        for (long q = 0; q < n[axis]; ++q) {
          f[static_cast<std::size_t>(q)] = d[static_cast<std::size_t>(base + q * stride[axis])];
        }
        envelope1d(f.data(), n[axis], spacing[axis], v.data(), z.data(), out.data());
        for (long q = 0; q < n[axis]; ++q) {
          d[static_cast<std::size_t>(base + q * stride[axis])] = out[static_cast<std::size_t>(q)];
        }
      }
    }
  }
  return d;
}

/// Signed distance (mm) to the surface of the set `inside`, at the slices from `keepFrom` on: a
/// voxel's distance to the nearest voxel of the other kind, less half the finest spacing (the
/// surface lies between the two voxels), held to +-ClearanceField::kExactWithinMm.
std::vector<float> signedDistance(const std::vector<std::uint8_t>& inside, const std::array<long, 3>& n,
                                  const Eigen::Vector3d& spacing, long keepFrom, long keepSlices)
{
  const std::vector<double> out = squaredDistance(inside, true, n, spacing);
  const std::vector<double> in = squaredDistance(inside, false, n, spacing);
  const double half = 0.5 * spacing.minCoeff(), cap = ClearanceField::kExactWithinMm;
  const std::size_t first = static_cast<std::size_t>(keepFrom * n[0] * n[1]);
  std::vector<float> s(static_cast<std::size_t>(keepSlices * n[0] * n[1]));
  for (std::size_t i = 0; i < s.size(); ++i) {
    const std::size_t at = first + i;
    const double o = out[at] >= kInf ? cap : std::min(cap, std::sqrt(out[at]) - half);
    const double e = in[at] >= kInf ? cap : std::min(cap, std::sqrt(in[at]) - half);
    s[i] = static_cast<float>(inside[at] ? -e : o);
  }
  return s;
}

} // namespace

ClearanceField::ClearanceField(const imaging::ImageGeometry& g, std::vector<Eigen::Vector3d> centreline,
                               double marginMm, Sources sources)
  : m_geometry(g)
  , m_toIndex((g.direction * g.spacing.asDiagonal()).inverse())
  , m_sources(std::move(sources))
{
  const long nz = static_cast<long>(g.size[2]);
  if (centreline.empty() || nz == 0) {
    return;
  }
  m_slabSlices = std::max(1L, std::lround(kSlabMm / g.spacing[2]));
  const long slabs = (nz - 1) / m_slabSlices + 1;
  // each centreline point's box (margin on every side), in index, gathered into the slabs it meets
  const double m = marginMm;
  std::vector<std::array<double, 4>> inSlice(static_cast<std::size_t>(slabs),
                                             { kInf, -kInf, kInf, -kInf }); // x lo, hi, y lo, hi
  for (const Eigen::Vector3d& c : centreline) {
    Eigen::Vector3d lo = Eigen::Vector3d::Constant(kInf), hi = Eigen::Vector3d::Constant(-kInf);
    for (int corner = 0; corner < 8; ++corner) {
      const Eigen::Vector3d idx =
        g.lpsToIndex(c + Eigen::Vector3d(corner & 1 ? m : -m, corner & 2 ? m : -m, corner & 4 ? m : -m));
      lo = lo.cwiseMin(idx);
      hi = hi.cwiseMax(idx);
    }
    const long k0 = std::clamp(static_cast<long>(std::floor(lo.z())), 0L, nz - 1);
    const long k1 = std::clamp(static_cast<long>(std::ceil(hi.z())), 0L, nz - 1);
    for (long s = k0 / m_slabSlices; s <= k1 / m_slabSlices; ++s) {
      auto& b = inSlice[static_cast<std::size_t>(s)];
      b = { std::min(b[0], lo.x()), std::max(b[1], hi.x()), std::min(b[2], lo.y()), std::max(b[3], hi.y()) };
    }
  }
  for (long s = 0; s < slabs; ++s) {
    auto slab = std::make_unique<Slab>();
    slab->z0 = s * m_slabSlices;
    slab->z1 = std::min(nz - 1, slab->z0 + m_slabSlices);
    const auto& b = inSlice[static_cast<std::size_t>(s)];
    if (b[0] <= b[1]) {
      for (int a = 0; a < 2; ++a) {
        const long last = static_cast<long>(g.size[static_cast<std::size_t>(a)]) - 1;
        const long lo = std::clamp(static_cast<long>(std::floor(b[2 * a])), 0L, last);
        const long hi = std::clamp(static_cast<long>(std::ceil(b[2 * a + 1])), lo, last);
        slab->lo[static_cast<std::size_t>(a)] = lo;
        slab->size[static_cast<std::size_t>(a)] = hi - lo + 1;
      }
    }
    m_slabs.push_back(std::move(slab));
  }
}

const ClearanceField::Slab& ClearanceField::made(std::size_t s) const
{
  Slab& slab = *m_slabs[s];
  std::call_once(slab.made, [&] { make(slab); });
  return slab;
}

void ClearanceField::make(Slab& slab) const
{
  const imaging::ImageGeometry& g = m_geometry;
  if (slab.size[0] < 2 || slab.size[1] < 2) {
    return;
  }
  // the slab's slices and kExactWithinMm of its neighbours' on either side
  const long halo = static_cast<long>(std::ceil(kExactWithinMm / g.spacing[2]));
  const long r0 = std::max(0L, slab.z0 - halo),
             r1 = std::min(static_cast<long>(g.size[2]) - 1, slab.z1 + halo);
  const std::array<long, 3> n{ slab.size[0], slab.size[1], r1 - r0 + 1 };
  const std::size_t count = static_cast<std::size_t>(n[0] * n[1] * n[2]);
  std::array<std::vector<std::uint8_t>, 3> is;
  for (auto& v : is) {
    v.resize(count);
  }
  std::size_t i = 0;
  for (long k = r0; k <= r1; ++k) {
    for (long j = 0; j < n[1]; ++j) {
      for (long x = 0; x < n[0]; ++x, ++i) {
        const std::size_t at =
          g.offset(static_cast<std::size_t>(slab.lo[0] + x), static_cast<std::size_t>(slab.lo[1] + j),
                   static_cast<std::size_t>(k));
        is[0][i] = m_sources.noGo(at) ? 1 : 0;
        is[1][i] = m_sources.bone(at) ? 1 : 0;
        is[2][i] = m_sources.canal(at) ? 1 : 0;
      }
    }
  }
  const long keepFrom = slab.z0 - r0, keep = slab.z1 - slab.z0 + 1;
  // the three maps are independent: two of them on other threads
  auto noGo =
    std::async(std::launch::async, [&] { return signedDistance(is[0], n, g.spacing, keepFrom, keep); });
  auto bone =
    std::async(std::launch::async, [&] { return signedDistance(is[1], n, g.spacing, keepFrom, keep); });
  slab.maps[2] = signedDistance(is[2], n, g.spacing, keepFrom, keep);
  slab.maps[0] = noGo.get();
  slab.maps[1] = bone.get();
}

std::array<double, 3> ClearanceField::at(const Eigen::Vector3d& p) const
{
  const std::array<double, 3> far{ kFar, kFar, kFar };
  if (m_slabs.empty()) {
    return far;
  }
  const Eigen::Vector3d idx = m_toIndex * (p - m_geometry.origin);
  const double fz = std::floor(idx.z());
  if (!(fz >= 0 && fz < static_cast<double>(m_geometry.size[2] - 1))) {
    return far;
  }
  const long z = static_cast<long>(fz);
  const Slab& slab = made(static_cast<std::size_t>(z / m_slabSlices));
  const double fx = std::floor(idx.x()) - static_cast<double>(slab.lo[0]),
               fy = std::floor(idx.y()) - static_cast<double>(slab.lo[1]);
  if (slab.maps[0].empty() || !(fx >= 0 && fy >= 0 && fx < static_cast<double>(slab.size[0] - 1) &&
                                fy < static_cast<double>(slab.size[1] - 1))) {
    return far;
  }
  const long x = static_cast<long>(fx), y = static_cast<long>(fy);
  const double tx = idx.x() - std::floor(idx.x()), ty = idx.y() - std::floor(idx.y()), tz = idx.z() - fz;
  const long sy = slab.size[0], sz = slab.size[0] * slab.size[1];
  const long first = x + y * sy + (z - slab.z0) * sz;
  std::array<double, 3> d{};
  for (std::size_t m = 0; m < 3; ++m) {
    const float* c = slab.maps[m].data() + first;
    const double c00 = c[0] + tx * (c[1] - c[0]);
    const double c10 = c[sy] + tx * (c[sy + 1] - c[sy]);
    const double c01 = c[sz] + tx * (c[sz + 1] - c[sz]);
    const double c11 = c[sz + sy] + tx * (c[sz + sy + 1] - c[sz + sy]);
    const double c0 = c00 + ty * (c10 - c00), c1 = c01 + ty * (c11 - c01);
    d[m] = c0 + tz * (c1 - c0);
  }
  return d;
}

} // namespace drg::planning
