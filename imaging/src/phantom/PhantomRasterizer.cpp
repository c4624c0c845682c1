#include "phantom/PhantomRasterizer.h"

#include "drg/imaging/Error.h"

#include "ParallelFor.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace drg::imaging::phantom
{
namespace
{

/// 65536 standard normal quantiles: a noise sample is one table look-up by a voxel hash, so noise
/// is identical for equal seeds whatever the thread count.
const std::vector<float>& gaussianTable()
{
  static const std::vector<float> table = [] {
    std::vector<float> t(65536);
    for (std::size_t i = 0; i < t.size(); ++i) {
      double u = (static_cast<double>(i) + 0.5) / static_cast<double>(t.size());
      // inverse normal CDF (Acklam's rational approximation, relative error < 1.2e-9)
      static const double a[] = { -3.969683028665376e+01, 2.209460984245205e+02,  -2.759285104469687e+02,
                                  1.383577518672690e+02,  -3.066479806614716e+01, 2.506628277459239e+00 };
      static const double b[] = { -5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                                  6.680131188771972e+01, -1.328068155288572e+01 };
      static const double c[] = { -7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                                  -2.549732539343734e+00, 4.374664141464968e+00,  2.938163982698783e+00 };
      static const double d[] = { 7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                                  3.754408661907416e+00 };
      double x = 0;
      if (u < 0.02425) {
        double q = std::sqrt(-2 * std::log(u));
        x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
            ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
      } else if (u > 1 - 0.02425) {
        double q = std::sqrt(-2 * std::log(1 - u));
        x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
            ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
      } else {
        double q = u - 0.5;
        double r = q * q;
        x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
            (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
      }
      t[i] = static_cast<float>(x);
    }
    return t;
  }();
  return table;
}

inline std::uint64_t mix64(std::uint64_t z)
{
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

/// Value of a material at depth `depth` (mm inside the object), averaged over a window `pv` wide.
inline double materialValue(const Material& m, double depth, double pv, const Eigen::Vector3d& p)
{
  if (m.shellThickness <= 0.0) {
    if (!std::isnan(m.texture)) {
      return m.core + (m.texture - m.core) * textureShare(p);
    }
    return m.core;
  }
  double lo = std::max(depth - 0.5 * pv, 0.0);
  double hi = std::max(depth + 0.5 * pv, lo + 1e-6);
  double shell = std::max(0.0, std::min(hi, m.shellThickness) - lo);
  double f = std::clamp(shell / (hi - lo), 0.0, 1.0);
  return m.shell * f + m.core * (1.0 - f);
}

} // namespace

SceneIndex::SceneIndex(const Scene& scene, double cellSize, double margin)
  : m_scene(scene)
  , m_cell(cellSize)
{
  Box all;
  for (const auto& p : scene.parts) {
    all.extend(p.box);
  }
  if (all.empty()) {
    throw Error(ErrorCode::Internal, "phantom scene is empty");
  }
  m_lo = all.lo - Eigen::Vector3d::Constant(margin + cellSize);
  Eigen::Vector3d hi = all.hi + Eigen::Vector3d::Constant(margin + cellSize);
  for (int a = 0; a < 3; ++a) {
    m_dims[static_cast<std::size_t>(a)] = static_cast<int>(std::ceil((hi[a] - m_lo[a]) / cellSize)) + 1;
  }
  std::size_t cells = static_cast<std::size_t>(m_dims[0]) * m_dims[1] * m_dims[2];

  // parts in compositing order: object priority, then object, then part
  std::vector<int> order(scene.parts.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
    const Part& pa = scene.parts[static_cast<std::size_t>(a)];
    const Part& pb = scene.parts[static_cast<std::size_t>(b)];
    const Object& oa = scene.objects[static_cast<std::size_t>(pa.object)];
    const Object& ob = scene.objects[static_cast<std::size_t>(pb.object)];
    if (oa.priority != ob.priority) {
      return oa.priority < ob.priority;
    }
    return pa.object < pb.object;
  });

  auto cellRange = [&](const Part& p, std::array<int, 3>& lo, std::array<int, 3>& hiIdx) {
    for (int a = 0; a < 3; ++a) {
      lo[static_cast<std::size_t>(a)] =
        std::clamp(static_cast<int>(std::floor((p.box.lo[a] - margin - m_lo[a]) / m_cell)), 0,
                   m_dims[static_cast<std::size_t>(a)] - 1);
      hiIdx[static_cast<std::size_t>(a)] =
        std::clamp(static_cast<int>(std::floor((p.box.hi[a] + margin - m_lo[a]) / m_cell)), 0,
                   m_dims[static_cast<std::size_t>(a)] - 1);
    }
  };
  std::vector<std::uint32_t> counts(cells + 1, 0);
  for (int pi : order) {
    std::array<int, 3> lo{}, hiIdx{};
    cellRange(scene.parts[static_cast<std::size_t>(pi)], lo, hiIdx);
    for (int z = lo[2]; z <= hiIdx[2]; ++z) {
      for (int y = lo[1]; y <= hiIdx[1]; ++y) {
        for (int x = lo[0]; x <= hiIdx[0]; ++x) {
          ++counts[static_cast<std::size_t>(x + m_dims[0] * (y + m_dims[1] * z))];
        }
      }
    }
  }
  m_start.assign(cells + 1, 0);
  for (std::size_t c = 0; c < cells; ++c) {
    m_start[c + 1] = m_start[c] + counts[c];
  }
  m_entries.assign(m_start[cells], 0);
  std::vector<std::uint32_t> fill(m_start.begin(), m_start.end() - 1);
  for (int pi : order) {
    std::array<int, 3> lo{}, hiIdx{};
    cellRange(scene.parts[static_cast<std::size_t>(pi)], lo, hiIdx);
    for (int z = lo[2]; z <= hiIdx[2]; ++z) {
      for (int y = lo[1]; y <= hiIdx[1]; ++y) {
        for (int x = lo[0]; x <= hiIdx[0]; ++x) {
          m_entries[fill[static_cast<std::size_t>(x + m_dims[0] * (y + m_dims[1] * z))]++] = pi;
        }
      }
    }
  }
}

void SceneIndex::evaluate(const Eigen::Vector3d& p, double pv, double airValue, double& value,
                          int& label) const
{
  value = airValue;
  label = 0;
  int c[3];
  for (int a = 0; a < 3; ++a) {
    c[a] = static_cast<int>((p[a] - m_lo[a]) / m_cell);
    if (c[a] < 0 || c[a] >= m_dims[static_cast<std::size_t>(a)]) {
      return;
    }
  }
  std::size_t cell = static_cast<std::size_t>(c[0] + m_dims[0] * (c[1] + m_dims[1] * c[2]));
  std::uint32_t begin = m_start[cell];
  std::uint32_t end = m_start[cell + 1];
  if (begin == end) {
    return;
  }
  double v = airValue;
  int lab = 0;
  int current = -1;
  double dist = 1e30;
  auto composite = [&](int objectIndex, double d) {
    const Object& o = m_scene.objects[static_cast<std::size_t>(objectIndex)];
    double a = std::clamp(0.5 - d / pv, 0.0, 1.0);
    if (a <= 0.0) {
      return;
    }
    double m = materialValue(o.material, -d, pv, p);
    v += (m - v) * a;
    if (d <= 0.0) {
      lab = o.label;
    }
  };
  for (std::uint32_t e = begin; e < end; ++e) {
    const Part& part = m_scene.parts[static_cast<std::size_t>(m_entries[e])];
    if (part.object != current) {
      if (current >= 0) {
        composite(current, dist);
      }
      current = part.object;
      dist = 1e30;
    }
    double d = partDistance(part, p, m_scene.outline);
    dist = smoothMin(dist, d, m_scene.objects[static_cast<std::size_t>(current)].blend);
  }
  composite(current, dist);
  value = v;
  label = lab;
}

void rasterizeScene(const SceneIndex& index, const ImageGeometry& geometry, double airValue,
                    const NoiseModel& noise, double lo, double hi, Image<std::int16_t>& values,
                    Image<std::uint8_t>& labels, const ProgressCallback& progress)
{
  values = Image<std::int16_t>(geometry, Uninitialized{}); // every voxel is written below
  labels = Image<std::uint8_t>(geometry, Uninitialized{});
  const auto& gauss = gaussianTable();
  const std::size_t nx = geometry.size[0];
  const std::size_t ny = geometry.size[1];
  const std::size_t nz = geometry.size[2];
  const double pv = std::cbrt(geometry.spacing.prod());
  const Eigen::Vector3d di = geometry.direction.col(0) * geometry.spacing[0];
  const Eigen::Vector3d dj = geometry.direction.col(1) * geometry.spacing[1];
  const Eigen::Vector3d dk = geometry.direction.col(2) * geometry.spacing[2];
  const std::uint64_t seedHash = mix64(noise.seed * 0x9E3779B97F4A7C15ull + 0x1234567ull);

  parallelFor(
    nz,
    [&](std::size_t k) {
      std::int16_t* out = values.voxels().data() + k * nx * ny;
      std::uint8_t* lab = labels.voxels().data() + k * nx * ny;
      for (std::size_t j = 0; j < ny; ++j) {
        Eigen::Vector3d p = geometry.origin + dk * static_cast<double>(k) + dj * static_cast<double>(j);
        for (std::size_t i = 0; i < nx; ++i, p += di) {
          double v = 0;
          int l = 0;
          index.evaluate(p, pv, airValue, v, l);
          std::size_t off = i + nx * j;
          if (noise.sigma > 0.0) {
            std::uint64_t h = mix64(seedHash ^ (k * nx * ny + off));
            double n1 = gauss[h & 0xFFFF];
            if (noise.rician) {
              double n2 = gauss[(h >> 16) & 0xFFFF];
              double re = v + noise.sigma * n1;
              double im = noise.sigma * n2;
              v = std::sqrt(re * re + im * im);
            } else {
              v += noise.sigma * n1;
            }
          }
          out[off] = static_cast<std::int16_t>(std::lround(std::clamp(v, lo, hi)));
          lab[off] = static_cast<std::uint8_t>(l);
        }
      }
    },
    progress, "phantom generation cancelled");
}

} // namespace drg::imaging::phantom
