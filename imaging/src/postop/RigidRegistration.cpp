// Rigid registration about a point (see RigidRegistration.h), in three steps:
//   coarse   the translation, searched exhaustively on block averages of both images (a vertebra's
//            shape survives; noise and the metal's streaks do not): a wide search on 8 mm blocks,
//            then 4 mm and 2 mm steps on 4 mm blocks;
//   fine     the translation in 1 mm steps on the images themselves;
//   rigid    Gauss-Newton (Levenberg-Marquardt damped) over a small rotation about the point and
//            the translation, with the image's gradient by central differences.
#include "drg/imaging/RigidRegistration.h"

#include "IndexBox.h"
#include "Trilinear.h"

#include <Eigen/Dense>
#include <Eigen/Geometry>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace drg::imaging
{

using Eigen::Matrix3d;
using Eigen::Vector3d;

double RigidTransform::angleDegrees() const
{
  return Eigen::AngleAxisd(rotation).angle() * 180.0 / M_PI;
}

namespace
{

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

/// The clamped CT numbers of `image` over an LPS box, averaged in blocks of about `blockMm`; voxels
/// at metal density count as the top of the clamp (their streaks are averaged away).
Image<float> blockAverage(const Image<float>& image, const Vector3d& lo, const Vector3d& hi, double blockMm,
                          const RegistrationOptions& o)
{
  const ImageGeometry& g = image.geometry();
  Vector3d ilo, ihi;
  indexBox(g, lo, hi, ilo, ihi);
  std::array<std::size_t, 3> from{}, block{}, size{};
  for (int a = 0; a < 3; ++a) {
    from[a] = static_cast<std::size_t>(std::clamp(std::floor(ilo[a]), 0.0, g.size[a] - 1.0));
    auto to = static_cast<std::size_t>(std::clamp(std::ceil(ihi[a]), 0.0, g.size[a] - 1.0));
    block[a] = static_cast<std::size_t>(std::max(1.0, std::round(blockMm / g.spacing[a])));
    size[a] = std::max<std::size_t>(1, (to - from[a] + 1) / block[a]);
  }
  ImageGeometry cg = g;
  for (int a = 0; a < 3; ++a) {
    cg.size[a] = size[a];
    cg.spacing[a] = g.spacing[a] * static_cast<double>(block[a]);
  }
  cg.origin = g.indexToLps(Vector3d(static_cast<double>(from[0]) + 0.5 * (block[0] - 1.0),
                                    static_cast<double>(from[1]) + 0.5 * (block[1] - 1.0),
                                    static_cast<double>(from[2]) + 0.5 * (block[2] - 1.0)));
  Image<float> out(cg);
  for (std::size_t k = 0; k < size[2]; ++k) {
    for (std::size_t j = 0; j < size[1]; ++j) {
      for (std::size_t i = 0; i < size[0]; ++i) {
        double sum = 0.0;
        for (std::size_t c = 0; c < block[2]; ++c) {
          for (std::size_t b = 0; b < block[1]; ++b) {
            for (std::size_t a = 0; a < block[0]; ++a) {
              sum += std::clamp(
                static_cast<double>(image.at(from[0] + i * block[0] + a, from[1] + j * block[1] + b,
                                             from[2] + k * block[2] + c)),
                o.clampLowHu, o.clampHighHu);
            }
          }
        }
        out.at(i, j, k) = static_cast<float>(sum / static_cast<double>(block[0] * block[1] * block[2]));
      }
    }
  }
  return out;
}

struct Sample
{
  Vector3d x;
  double f;
};

/// Samples of the planning box every `step` mm (LPS grid), metal left out.
std::vector<Sample> boxSamples(const Image<float>& planning, const Vector3d& point, const Vector3d& half,
                               double step, bool clampAndCheck, const RegistrationOptions& o)
{
  std::vector<Sample> out;
  const ImageGeometry& g = planning.geometry();
  for (double z = -half.z(); z <= half.z() + 1e-9; z += step) {
    for (double y = -half.y(); y <= half.y() + 1e-9; y += step) {
      for (double x = -half.x(); x <= half.x() + 1e-9; x += step) {
        Vector3d p = point + Vector3d(x, y, z);
        Vector3d idx = g.lpsToIndex(p);
        if (!g.containsIndex(idx)) {
          continue;
        }
        double v = trilinear(planning, idx);
        if (clampAndCheck) {
          if (v >= o.metalHu) {
            continue;
          }
          v = std::clamp(v, o.clampLowHu, o.clampHighHu);
        }
        out.push_back({ p, v });
      }
    }
  }
  return out;
}

/// The other image's value at LPS `y`: clamped, or NaN outside it or at metal.
double valueAt(const Image<float>& image, const Vector3d& y, bool clampAndCheck, const RegistrationOptions& o)
{
  const ImageGeometry& g = image.geometry();
  Vector3d idx = g.lpsToIndex(y);
  if (!g.containsIndex(idx)) {
    return kNaN;
  }
  double v = trilinear(image, idx);
  if (clampAndCheck) {
    if (v >= o.metalHu) {
      return kNaN;
    }
    v = std::clamp(v, o.clampLowHu, o.clampHighHu);
  }
  return v;
}

/// Mean squared difference over the samples the transform keeps inside the image (and their count);
/// infinity when fewer than half of them are kept.
double cost(const std::vector<Sample>& s, const Image<float>& image, const RigidTransform& t, bool check,
            const RegistrationOptions& o, int* used = nullptr)
{
  double sum = 0.0;
  int n = 0;
  for (const auto& q : s) {
    double m = valueAt(image, t.apply(q.x), check, o);
    if (std::isnan(m)) {
      continue;
    }
    sum += (m - q.f) * (m - q.f);
    ++n;
  }
  if (used != nullptr) {
    *used = n;
  }
  return 2 * n < static_cast<int>(s.size()) ? std::numeric_limits<double>::infinity() : sum / n;
}

/// The best translation added to `t` within +/- `range` in steps of `step` (exhaustive).
RigidTransform searchTranslation(const std::vector<Sample>& s, const Image<float>& image, RigidTransform t,
                                 double range, double step, bool check, const RegistrationOptions& o)
{
  const int n = static_cast<int>(std::round(range / step));
  RigidTransform best = t;
  double bestCost = std::numeric_limits<double>::infinity();
  for (int k = -n; k <= n; ++k) {
    for (int j = -n; j <= n; ++j) {
      for (int i = -n; i <= n; ++i) {
        RigidTransform c = t;
        c.translation += step * Vector3d(i, j, k);
        double e = cost(s, image, c, check, o);
        // ties go to the smaller move (a periodic spine must not slip to the next level on noise)
        if (e < bestCost - 1e-9 ||
            (std::abs(e - bestCost) <= 1e-9 &&
             (c.translation - t.translation).norm() < (best.translation - t.translation).norm())) {
          bestCost = e;
          best = c;
        }
      }
    }
  }
  return best;
}

/// Gauss-Newton with Levenberg-Marquardt damping over rotation (about `centre`) and translation.
RigidTransform refine(const std::vector<Sample>& s, const Image<float>& image, RigidTransform t,
                      const Vector3d& centre, const RegistrationOptions& o, int& iterations)
{
  const double h = 0.5;
  double lambda = 1e-3;
  double current = cost(s, image, t, true, o);
  iterations = 0;
  for (int it = 0; it < 40; ++it) {
    ++iterations;
    Eigen::Matrix<double, 6, 6> H = Eigen::Matrix<double, 6, 6>::Zero();
    Eigen::Matrix<double, 6, 1> b = Eigen::Matrix<double, 6, 1>::Zero();
    const Vector3d c = t.apply(centre);
    for (const auto& q : s) {
      const Vector3d y = t.apply(q.x);
      double m = valueAt(image, y, true, o);
      if (std::isnan(m)) {
        continue;
      }
      Vector3d grad;
      bool ok = true;
      for (int a = 0; a < 3 && ok; ++a) {
        Vector3d e = Vector3d::Zero();
        e[a] = h;
        double p = valueAt(image, y + e, true, o), n = valueAt(image, y - e, true, o);
        ok = !std::isnan(p) && !std::isnan(n);
        grad[a] = ok ? (p - n) / (2 * h) : 0.0;
      }
      if (!ok) {
        continue;
      }
      Eigen::Matrix<double, 6, 1> J;
      J.head<3>() = (y - c).cross(grad);
      J.tail<3>() = grad;
      H += J * J.transpose();
      b += J * (m - q.f);
    }
    bool improved = false;
    for (int tries = 0; tries < 8 && !improved; ++tries) {
      Eigen::Matrix<double, 6, 6> A = H;
      A.diagonal() *= 1.0 + lambda;
      Eigen::Matrix<double, 6, 1> d = -A.ldlt().solve(b);
      if (!d.allFinite()) {
        break;
      }
      const Vector3d w = d.head<3>();
      const Matrix3d E =
        w.norm() > 1e-12 ? Matrix3d(Eigen::AngleAxisd(w.norm(), w.normalized())) : Matrix3d::Identity();
      RigidTransform next;
      next.rotation = E * t.rotation;
      next.translation = E * (t.translation - c) + c + d.tail<3>();
      double e = cost(s, image, next, true, o);
      if (e < current) {
        const bool small = w.norm() < 1e-4 && d.tail<3>().norm() < 1e-3;
        t = next;
        current = e;
        lambda = std::max(1e-6, lambda * 0.3);
        improved = true;
        if (small) {
          return t;
        }
      } else {
        lambda *= 10.0;
      }
    }
    if (!improved) {
      break;
    }
  }
  return t;
}

/// Correlation of the samples with the other image under `t`.
double correlation(const std::vector<Sample>& s, const Image<float>& image, const RigidTransform& t,
                   const RegistrationOptions& o, int& used)
{
  double sf = 0, sm = 0, sff = 0, smm = 0, sfm = 0;
  int n = 0;
  for (const auto& q : s) {
    double m = valueAt(image, t.apply(q.x), true, o);
    if (std::isnan(m)) {
      continue;
    }
    sf += q.f;
    sm += m;
    sff += q.f * q.f;
    smm += m * m;
    sfm += q.f * m;
    ++n;
  }
  used = n;
  if (n < 10) {
    return 0.0;
  }
  double cov = sfm - sf * sm / n, vf = sff - sf * sf / n, vm = smm - sm * sm / n;
  return vf > 0 && vm > 0 ? cov / std::sqrt(vf * vm) : 0.0;
}

} // namespace

RegistrationResult registerRigid(const Image<float>& planning, const Image<float>& image,
                                 const Vector3d& point, const RigidTransform& start,
                                 const RegistrationOptions& o)
{
  // coarse: block averages over the box (planning) and the box moved by the start and the search;
  // a wide search first on 8 mm blocks, then 4 mm blocks about its best
  RigidTransform t = start;
  const Vector3d moved = start.apply(point);
  bool searchedWide = false;
  for (double block : { 8.0, 4.0 }) {
    const bool wide = block > 4.0;
    if (wide && o.searchMm <= 2.0 * block) {
      continue;
    }
    const double range = searchedWide ? 2.0 * block : o.searchMm;
    searchedWide = searchedWide || wide;
    const Vector3d pad = Vector3d::Constant(2.0 * block);
    const Vector3d reach = o.halfSizeMm + pad + Vector3d::Constant(o.searchMm);
    Image<float> coarsePlanning =
      blockAverage(planning, point - o.halfSizeMm - pad, point + o.halfSizeMm + pad, block, o);
    Image<float> coarseImage = blockAverage(image, moved - reach, moved + reach, block, o);
    std::vector<Sample> coarseSamples = boxSamples(coarsePlanning, point, o.halfSizeMm, block, false, o);
    t = searchTranslation(coarseSamples, coarseImage, t, range, block, false, o);
    if (!wide) {
      t = searchTranslation(coarseSamples, coarseImage, t, block, 0.5 * block, false, o);
    }
  }
  // fine: the images themselves
  std::vector<Sample> fine = boxSamples(planning, point, o.halfSizeMm, 2.0 * o.sampleMm, true, o);
  t = searchTranslation(fine, image, t, 2.0, 1.0, true, o);
  std::vector<Sample> samples = boxSamples(planning, point, o.halfSizeMm, o.sampleMm, true, o);
  RegistrationResult r;
  r.planningToImage = refine(samples, image, t, point, o, r.iterations);
  r.correlation = correlation(samples, image, r.planningToImage, o, r.samples);
  return r;
}

} // namespace drg::imaging
