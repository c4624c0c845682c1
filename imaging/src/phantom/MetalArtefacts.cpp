// Metal artefacts of the phantom's implants, slice by slice in the acquisition plane.
//
// CT: the image is reconstructed by filtered back projection, so a metal implant's errors are
// those of its projections. Each slice's metal path length p(angle, ray) is projected (parallel
// beam), turned into the errors the scanner makes on it - beam hardening, which lowers the measured
// line integral by about the square of the metal's attenuation (dark bands between two screws), and
// photon starvation, noise that grows as exp(mu p / 2) (bright and dark streaks) - and only those
// errors are reconstructed (ramp filter with a Hann window, back projection) and added to the
// slice. The idea is the usual one of simulated metal artefacts (projection-domain simulation, as
// in the metal artefact reduction literature); the strengths are estimates chosen for streaks of a
// few hundred HU next to titanium [unverified].
//
// MR: titanium leaves a signal void a little larger than the implant (susceptibility), with a
// bright pile-up rim along the read-out direction.
#include "phantom/MetalArtefacts.h"

#include "ParallelFor.h"

#include "drg/imaging/AnatomyLabels.h"

#include <algorithm>
#include <cmath>
#include <complex>
#include <random>
#include <vector>

namespace drg::imaging::phantom
{
namespace
{

constexpr double kPi = 3.14159265358979323846;
constexpr int kAngles = 180;
constexpr double kMuTitanium = 0.11;      ///< 1/mm at an effective ~70 keV
constexpr double kMuWater = 0.019;        ///< 1/mm, for HU
constexpr double kBeamHardening = 0.1;    ///< line-integral loss per (mu p)^2 [unverified]
constexpr double kStarvationNoise = 0.03; ///< line-integral noise per (exp(mu p / 2) - 1) [unverified]
constexpr double kVoidMm = 3.0;           ///< MR: signal void around the metal
constexpr double kPileUpMm = 4.5;         ///< MR: bright rim beyond the void, on the read-out side

struct Pixel
{
  double x, y;
};

/// In-place radix-2 FFT (n a power of two); inverse when `inverse`.
void fft(std::vector<std::complex<double>>& a, bool inverse)
{
  std::size_t n = a.size();
  for (std::size_t i = 1, j = 0; i < n; ++i) {
    std::size_t bit = n >> 1U;
    for (; (j & bit) != 0; bit >>= 1U) {
      j ^= bit;
    }
    j ^= bit;
    if (i < j) {
      std::swap(a[i], a[j]);
    }
  }
  for (std::size_t len = 2; len <= n; len <<= 1U) {
    double ang = 2.0 * kPi / static_cast<double>(len) * (inverse ? 1.0 : -1.0);
    std::complex<double> w(std::cos(ang), std::sin(ang));
    for (std::size_t i = 0; i < n; i += len) {
      std::complex<double> wk(1.0, 0.0);
      for (std::size_t j = 0; j < len / 2; ++j) {
        std::complex<double> u = a[i + j];
        std::complex<double> v = a[i + j + len / 2] * wk;
        a[i + j] = u + v;
        a[i + j + len / 2] = u - v;
        wk *= w;
      }
    }
  }
  if (inverse) {
    for (auto& x : a) {
      x /= static_cast<double>(n);
    }
  }
}

/// The CT error image (HU) of one slice's metal pixels, on an nx x ny grid of dx x dy mm.
std::vector<double> ctErrors(const std::vector<Pixel>& metal, std::size_t nx, std::size_t ny, double dx,
                             double dy, std::uint64_t seed)
{
  double dt = std::min(dx, dy);
  double radius = 0.5 * std::hypot(static_cast<double>(nx) * dx, static_cast<double>(ny) * dy);
  auto half = static_cast<std::size_t>(std::ceil(radius / dt)) + 2;
  std::size_t bins = 2 * half + 1;
  std::size_t padded = 1;
  while (padded < 2 * bins) {
    padded <<= 1U;
  }
  // ramp filter with a Hann window, in the frequency domain
  std::vector<double> filter(padded);
  for (std::size_t f = 0; f < padded; ++f) {
    double w = static_cast<double>(std::min(f, padded - f)) / static_cast<double>(padded); // 0..0.5
    filter[f] = w / dt * 0.5 * (1.0 + std::cos(2.0 * kPi * w));
  }
  std::vector<std::vector<double>> filtered(kAngles, std::vector<double>(bins, 0.0));
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  double area = dx * dy / dt;
  for (int a = 0; a < kAngles; ++a) {
    double th = kPi * a / kAngles;
    double c = std::cos(th);
    double s = std::sin(th);
    std::vector<double> p(bins, 0.0);
    for (const auto& m : metal) {
      double t = (m.x * c + m.y * s) / dt + static_cast<double>(half);
      auto b = static_cast<std::size_t>(std::floor(t));
      double f = t - std::floor(t);
      if (b + 1 < bins) {
        p[b] += (1.0 - f) * area;
        p[b + 1] += f * area;
      }
    }
    std::vector<std::complex<double>> e(padded, 0.0);
    for (std::size_t b = 0; b < bins; ++b) {
      double mp = kMuTitanium * p[b];
      if (mp <= 0.0) {
        continue;
      }
      double error = -kBeamHardening * mp * mp + kStarvationNoise * (std::exp(0.5 * mp) - 1.0) * normal(rng);
      e[b] = error;
    }
    fft(e, false);
    for (std::size_t f = 0; f < padded; ++f) {
      e[f] *= filter[f];
    }
    fft(e, true);
    for (std::size_t b = 0; b < bins; ++b) {
      filtered[static_cast<std::size_t>(a)][b] = e[b].real();
    }
  }
  std::vector<double> image(nx * ny, 0.0);
  double cx = 0.5 * static_cast<double>(nx - 1);
  double cy = 0.5 * static_cast<double>(ny - 1);
  double scale = kPi / kAngles * 1000.0 / kMuWater;
  for (int a = 0; a < kAngles; ++a) {
    double th = kPi * a / kAngles;
    double c = std::cos(th) / dt;
    double s = std::sin(th) / dt;
    const std::vector<double>& q = filtered[static_cast<std::size_t>(a)];
    for (std::size_t j = 0; j < ny; ++j) {
      double y = (static_cast<double>(j) - cy) * dy;
      for (std::size_t i = 0; i < nx; ++i) {
        double x = (static_cast<double>(i) - cx) * dx;
        double t = x * c + y * s + static_cast<double>(half);
        auto b = static_cast<std::size_t>(t);
        double f = t - static_cast<double>(b);
        image[j * nx + i] += (1.0 - f) * q[b] + f * q[b + 1];
      }
    }
  }
  for (auto& v : image) {
    v *= scale;
  }
  return image;
}

} // namespace

void addMetalArtefacts(Image<std::int16_t>& values, const Image<std::uint8_t>& labels, bool ct,
                       std::uint64_t seed, double lo, double hi)
{
  const ImageGeometry& g = values.geometry();
  std::size_t nx = g.size[0];
  std::size_t ny = g.size[1];
  std::size_t nz = g.size[2];
  double dx = g.spacing[0];
  double dy = g.spacing[1];
  double cx = 0.5 * static_cast<double>(nx - 1);
  double cy = 0.5 * static_cast<double>(ny - 1);
  parallelFor(nz, [&](std::size_t k) {
    std::vector<Pixel> metal;
    std::size_t i0 = nx, i1 = 0, j0 = ny, j1 = 0;
    for (std::size_t j = 0; j < ny; ++j) {
      for (std::size_t i = 0; i < nx; ++i) {
        if (labels::isMetal(labels.at(i, j, k))) {
          metal.push_back({ (static_cast<double>(i) - cx) * dx, (static_cast<double>(j) - cy) * dy });
          i0 = std::min(i0, i);
          i1 = std::max(i1, i);
          j0 = std::min(j0, j);
          j1 = std::max(j1, j);
        }
      }
    }
    if (metal.empty()) {
      return;
    }
    if (ct) {
      std::vector<double> err = ctErrors(metal, nx, ny, dx, dy, seed * 1000003U + k);
      for (std::size_t j = 0; j < ny; ++j) {
        for (std::size_t i = 0; i < nx; ++i) {
          if (labels::isMetal(labels.at(i, j, k))) {
            continue;
          }
          double v = values.at(i, j, k) + err[j * nx + i];
          values.at(i, j, k) = static_cast<std::int16_t>(std::lround(std::clamp(v, lo, hi)));
        }
      }
      return;
    }
    // MR: void and pile-up within a few millimetres of the metal
    auto reach = [&](double mm, double d) { return static_cast<std::size_t>(std::ceil(mm / d)); };
    std::size_t ri = reach(kPileUpMm, dx);
    std::size_t rj = reach(kPileUpMm, dy);
    std::size_t ia = i0 > ri ? i0 - ri : 0, ib = std::min(nx - 1, i1 + ri);
    std::size_t ja = j0 > rj ? j0 - rj : 0, jb = std::min(ny - 1, j1 + rj);
    for (std::size_t j = ja; j <= jb; ++j) {
      for (std::size_t i = ia; i <= ib; ++i) {
        double x = (static_cast<double>(i) - cx) * dx;
        double y = (static_cast<double>(j) - cy) * dy;
        double best = 1e30;
        double towards = 0.0;
        for (const auto& m : metal) {
          double d = std::hypot(m.x - x, m.y - y);
          if (d < best) {
            best = d;
            towards = x - m.x;
          }
        }
        double v = values.at(i, j, k);
        if (best <= kVoidMm) {
          v *= 0.05;
        } else if (best <= kPileUpMm && towards > 0.0) {
          v *= 1.6;
        }
        values.at(i, j, k) = static_cast<std::int16_t>(std::lround(std::clamp(v, lo, hi)));
      }
    }
  });
}

} // namespace drg::imaging::phantom
