// Signed Euclidean distance maps by the lower envelope of parabolas (Felzenszwalb and
// Huttenlocher, "Distance transforms of sampled functions", Theory of Computing 8, 2012), one axis
// at a time with that axis's voxel spacing, so that anisotropic CT grids (3 mm slices) are measured
// in millimetres.
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

/// Squared distance transform of one line of `f` (0 at features, kInf elsewhere), samples `h` mm
/// apart; `v`, `z` and `out` are scratch of the line's length (+1 for `z`).
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
  std::vector<double> d(inside.size());
  for (std::size_t i = 0; i < inside.size(); ++i) {
    d[i] = (inside[i] != 0) == want ? 0.0 : kInf;
  }
  const long longest = std::max({ n[0], n[1], n[2] });
  std::vector<double> f(static_cast<std::size_t>(longest)), out(static_cast<std::size_t>(longest));
  std::vector<double> z(static_cast<std::size_t>(longest) + 1);
  std::vector<long> v(static_cast<std::size_t>(longest));
  const long stride[3] = { 1, n[0], n[0] * n[1] };
  for (int axis = 0; axis < 3; ++axis) {
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

/// Signed distance (mm) to the surface of the set `inside`: a voxel's distance to the nearest voxel
/// of the other kind, less half the finest spacing (the surface lies between the two voxels).
std::vector<float> signedDistance(const std::vector<std::uint8_t>& inside, const std::array<long, 3>& n,
                                  const Eigen::Vector3d& spacing)
{
  const std::vector<double> out = squaredDistance(inside, true, n, spacing);
  const std::vector<double> in = squaredDistance(inside, false, n, spacing);
  const double half = 0.5 * spacing.minCoeff();
  std::vector<float> s(inside.size());
  for (std::size_t i = 0; i < inside.size(); ++i) {
    const double o = out[i] >= kInf ? ClearanceField::kFar : std::sqrt(out[i]);
    const double e = in[i] >= kInf ? ClearanceField::kFar : std::sqrt(in[i]);
    s[i] = static_cast<float>(inside[i] ? -(e - half) : o - half);
  }
  return s;
}

} // namespace

ClearanceField::ClearanceField(const imaging::ImageGeometry& g, std::array<long, 3> lo,
                               std::array<long, 3> hi, const std::function<bool(std::size_t)>& noGo,
                               const std::function<bool(std::size_t)>& bone,
                               const std::function<bool(std::size_t)>& canal)
{
  for (int a = 0; a < 3; ++a) {
    lo[a] = std::clamp(lo[a], 0L, static_cast<long>(g.size[a]) - 1);
    hi[a] = std::clamp(hi[a], lo[a], static_cast<long>(g.size[a]) - 1);
    m_size[a] = hi[a] - lo[a] + 1;
  }
  m_origin = g.indexToLps(
    Eigen::Vector3d(static_cast<double>(lo[0]), static_cast<double>(lo[1]), static_cast<double>(lo[2])));
  m_toIndex = (g.direction * g.spacing.asDiagonal()).inverse();
  const std::size_t count = static_cast<std::size_t>(m_size[0] * m_size[1] * m_size[2]);
  std::vector<std::uint8_t> isNoGo(count), isBone(count), isCanal(count);
  std::size_t i = 0;
  for (long k = 0; k < m_size[2]; ++k) {
    for (long j = 0; j < m_size[1]; ++j) {
      for (long x = 0; x < m_size[0]; ++x, ++i) {
        const std::size_t at =
          g.offset(static_cast<std::size_t>(lo[0] + x), static_cast<std::size_t>(lo[1] + j),
                   static_cast<std::size_t>(lo[2] + k));
        isNoGo[i] = noGo(at) ? 1 : 0;
        isBone[i] = bone(at) ? 1 : 0;
        isCanal[i] = canal(at) ? 1 : 0;
      }
    }
  }
  // the three maps are independent: two of them on other threads (they take most of the time a
  // case's planning anatomy takes to build)
  auto noGoMap = std::async(std::launch::async, [&] { return signedDistance(isNoGo, m_size, g.spacing); });
  auto boneMap = std::async(std::launch::async, [&] { return signedDistance(isBone, m_size, g.spacing); });
  m_canal = signedDistance(isCanal, m_size, g.spacing);
  m_noGo = noGoMap.get();
  m_bone = boneMap.get();
}

double ClearanceField::sample(const std::vector<float>& field, const Eigen::Vector3d& p) const
{
  if (field.empty()) {
    return kFar;
  }
  const Eigen::Vector3d idx = m_toIndex * (p - m_origin);
  const double fx = std::floor(idx.x()), fy = std::floor(idx.y()), fz = std::floor(idx.z());
  if (!(fx >= 0 && fy >= 0 && fz >= 0 && fx < static_cast<double>(m_size[0] - 1) &&
        fy < static_cast<double>(m_size[1] - 1) && fz < static_cast<double>(m_size[2] - 1))) {
    return kFar;
  }
  const long x = static_cast<long>(fx), y = static_cast<long>(fy), z = static_cast<long>(fz);
  const double tx = idx.x() - fx, ty = idx.y() - fy, tz = idx.z() - fz;
  const long sy = m_size[0], sz = m_size[0] * m_size[1];
  const float* c = field.data() + x + y * sy + z * sz;
  const double c00 = c[0] + tx * (c[1] - c[0]);
  const double c10 = c[sy] + tx * (c[sy + 1] - c[sy]);
  const double c01 = c[sz] + tx * (c[sz + 1] - c[sz]);
  const double c11 = c[sz + sy] + tx * (c[sz + sy + 1] - c[sz + sy]);
  const double c0 = c00 + ty * (c10 - c00), c1 = c01 + ty * (c11 - c01);
  return c0 + tz * (c1 - c0);
}

} // namespace drg::planning
