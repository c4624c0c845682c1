// T2 MR only: the ganglion refined from its own signal, and a one-sided correction mirrored.
#include "spine/SpineAnalysis.h"
#include "spine/SpineTuning.h"

#include "spine/SpineMath.h"

#include <algorithm>
#include <cmath>

namespace drg::imaging::spine
{

void SpineAnalysis::mirrorRefinement(SpineModel& model, std::size_t si,
                                     const std::array<GanglionPlace, 2>& places,
                                     const std::array<std::ptrdiff_t, 2>& placed,
                                     const std::array<Vector3d, 2>& byPriors,
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

std::optional<Vector3d> SpineAnalysis::ganglionOnT2(
  const DrgEstimate& estimate, const std::function<bool(const Vector3d&)>& inForamen) const
{
  const Vector3d& prior = estimate.centre;
  // the smallest piece taken: half the samples of the level's ganglion (an ellipsoid of its
  // length and width) eroded by a millimetre, between 4 and 10 (a thoracic ganglion, about
  // 5 x 4 mm, leaves 5-8 samples: 4; L1 5, L2 7, L3 and below 10), so that small ganglia count
  const double coreVolume =
    kPi / 6.0 * std::max(0.0, estimate.lengthMm - 2.0) * std::pow(std::max(0.0, estimate.widthMm - 2.0), 2);
  const std::size_t minPiece = static_cast<std::size_t>(std::clamp(std::lround(0.5 * coreVolume), 4L, 10L));
  constexpr int kHalf = 10, kSide = 2 * kHalf + 1;
  constexpr int kCount = kSide * kSide * kSide;
  const ImageGeometry& ig = m_input.geometry();
  const WorkGrid& g = m_work.grid;
  auto at = [](int i, int j, int k) { return i + kSide * (j + kSide * k); };
  auto lps = [&](int i, int j, int k) { return Vector3d(prior + Vector3d(i - kHalf, j - kHalf, k - kHalf)); };
  std::vector<float> signal(kCount);
  std::vector<std::uint8_t> bone(kCount, 0);
  for (int k = 0; k < kSide; ++k) {
    for (int j = 0; j < kSide; ++j) {
      for (int i = 0; i < kSide; ++i) {
        const Vector3d q = lps(i, j, k);
        // the mean of the sample and its six neighbours 0.5 mm away, those inside the image (at
        // fine voxel sizes noise would break the band's pieces apart)
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
    band[q] =
      !std::isnan(signal[q]) && signal[q] >= kT2GanglionLow && signal[q] <= kT2GanglionHigh && !nearBone[q]
        ? 1
        : 0;
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
        fat += !std::isnan(signal[q]) && signal[q] >= kT2FatLow && signal[q] <= kT2FatHigh ? 1 : 0;
      }
    }
    const double fatShare = all > 0 ? fat / all : 0.0;
    if (fatShare < 0.05 || nearest > 12.0 ||
        (inForamen && !inForamen(sum / static_cast<double>(members.size())))) {
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

} // namespace drg::imaging::spine
