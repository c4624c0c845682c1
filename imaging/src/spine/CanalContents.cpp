// The canal's contents: the dural sac (CSF with the cord and the cauda equina) and the epidural fat
// around it. On CT the two differ by about 100 HU (fat about -100 HU, CSF and nerve 0-40 HU); a
// voxel is judged by the mean of itself and its six canal neighbours, so that noise does not speckle
// the sac while the fat layer (2-6 mm deep) is not blurred into it. The voxels that touch bone are
// partial volumes of bone and whatever lies inside it, and could read like CSF where they are fat:
// they take the majority of their judged neighbours instead.
#include "spine/CanalContents.h"

#include "drg/imaging/AnatomyLabels.h"
#include "drg/imaging/BoneThreshold.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

namespace drg::imaging::spine
{
namespace
{

/// CT: a canal voxel whose neighbourhood mean is below this (HU) is fat; halfway between fat
/// (about -100 HU) and CSF (about 0-15 HU), on the fat side so that partial volumes of the sac's
/// edge count as sac.
constexpr double kFatBelowHu = -40.0;
/// CT: the sac's contents (CSF about 0-15 HU, the cauda equina and the cord about 30-40 HU, mostly
/// averaged with CSF) lie below this (HU); muscle and ligament (about 50 HU and more) above.
constexpr double kSoftTissueAboveHu = 38.0;
/// How many voxel layers of soft tissue are peeled off the canal's rim at most.
constexpr int kRimPasses = 3;

enum Kind : std::uint8_t
{
  kUnjudged = 0,
  kFat = 1,
  kSac = 2,
  kWall = 3,   ///< touches bone: judged last, by its neighbours
  kOutside = 4 ///< soft tissue of the canal's wall, not its contents
};

constexpr std::array<std::array<long, 3>, 6> kSix = {
  { { 1, 0, 0 }, { -1, 0, 0 }, { 0, 1, 0 }, { 0, -1, 0 }, { 0, 0, 1 }, { 0, 0, -1 } }
};

/// The split on CT, one step per method, in the order run() takes them.
class CtSplit
{
public:
  CtSplit(const Image<float>& input, Image<std::uint8_t>& labels)
    : m_hu(input.voxels())
    , m_out(labels.voxels())
    , m_geometry(labels.geometry())
  {
    // the working arrays cover the canal's bounding box with a voxel's margin (the neighbours of
    // every canal voxel), not the whole image: on a 512 x 512 x 336 CT they are a few per cent of it
    const auto& s = m_geometry.size;
    std::array<std::size_t, 3> lo{ s[0], s[1], s[2] }, hi{ 0, 0, 0 };
    for (std::size_t v = 0; v < m_out.size(); ++v) {
      if (m_out[v] == kCanal) {
        m_canal.push_back(v);
        const std::array<std::size_t, 3> at{ v % s[0], (v / s[0]) % s[1], v / (s[0] * s[1]) };
        for (int a = 0; a < 3; ++a) {
          lo[a] = std::min(lo[a], at[a]);
          hi[a] = std::max(hi[a], at[a]);
        }
      }
    }
    if (m_canal.empty()) {
      return;
    }
    for (int a = 0; a < 3; ++a) {
      m_lo[a] = lo[a] > 0 ? lo[a] - 1 : 0;
      m_n[a] = std::min(hi[a] + 1, s[a] - 1) - m_lo[a] + 1;
    }
    m_kind.assign(m_n[0] * m_n[1] * m_n[2], kUnjudged);
    m_mean.assign(m_kind.size(), 0.0f);
  }

  CanalContents run(const std::vector<Eigen::Vector3d>& centreline)
  {
    markWall();
    judgeInner();
    peelRim();
    openSac();
    keepTubeRoundCentre(centreline);
    return write();
  }

private:
  static constexpr std::uint8_t kCanal = static_cast<std::uint8_t>(labels::kSpinalCanal);

  /// Calls `f(n)` for each of the six neighbours `n` of voxel `v` inside the image.
  template<typename F>
  void forSix(std::size_t v, F&& f) const
  {
    const auto& s = m_geometry.size;
    const long i = static_cast<long>(v % s[0]), j = static_cast<long>((v / s[0]) % s[1]),
               k = static_cast<long>(v / (s[0] * s[1]));
    for (const auto& o : kSix) {
      const long a = i + o[0], b = j + o[1], c = k + o[2];
      if (a >= 0 && b >= 0 && c >= 0 && a < static_cast<long>(s[0]) && b < static_cast<long>(s[1]) &&
          c < static_cast<long>(s[2])) {
        f(static_cast<std::size_t>(a) +
          s[0] * (static_cast<std::size_t>(b) + s[1] * static_cast<std::size_t>(c)));
      }
    }
  }

  /// Index in the working box of image voxel `v` (a canal voxel or one of its six neighbours).
  std::size_t box(std::size_t v) const
  {
    const auto& s = m_geometry.size;
    const std::size_t i = v % s[0] - m_lo[0], j = (v / s[0]) % s[1] - m_lo[1],
                      k = v / (s[0] * s[1]) - m_lo[2];
    return i + m_n[0] * (j + m_n[1] * k);
  }

  std::uint8_t& kind(std::size_t v) { return m_kind[box(v)]; }
  std::uint8_t kind(std::size_t v) const { return m_kind[box(v)]; }
  float& mean(std::size_t v) { return m_mean[box(v)]; }

  bool isBone(std::size_t n) const
  {
    return m_out[n] != kCanal && (m_hu[n] >= kBoneHu || !labels::vertebraLevelOfLabel(m_out[n]).empty());
  }

  /// The wall: canal voxels with bone (by CT number or label) among their six neighbours.
  void markWall()
  {
    for (std::size_t v : m_canal) {
      bool wall = false;
      forSix(v, [&](std::size_t n) { wall = wall || isBone(n); });
      kind(v) = wall ? kWall : kUnjudged;
    }
  }

  /// Inner voxels: fat or sac by the mean CT number of the voxel and its inner canal neighbours.
  void judgeInner()
  {
    for (std::size_t v : m_canal) {
      if (kind(v) == kWall) {
        continue;
      }
      double sum = std::isfinite(m_hu[v]) ? m_hu[v] : 0.0;
      int count = std::isfinite(m_hu[v]) ? 1 : 0;
      forSix(v, [&](std::size_t n) {
        if (m_out[n] == kCanal && kind(n) != kWall && std::isfinite(m_hu[n])) {
          sum += m_hu[n];
          ++count;
        }
      });
      mean(v) = count > 0 ? static_cast<float>(sum / count) : 0.0f;
      kind(v) = count > 0 && mean(v) < kFatBelowHu ? kFat : kSac;
    }
  }

  /// Soft tissue on the canal's rim (where the outline was carried over a window, or reached into
  /// the foramen) is peeled from the outside in while it is denser than the sac's contents.
  void peelRim()
  {
    for (int pass = 0; pass < kRimPasses; ++pass) {
      std::vector<std::size_t> peel;
      for (std::size_t v : m_canal) {
        if (kind(v) != kSac || mean(v) < kSoftTissueAboveHu) {
          continue;
        }
        bool rim = false;
        forSix(
          v, [&](std::size_t n) { rim = rim || (m_out[n] != kCanal && !isBone(n)) || kind(n) == kOutside; });
        if (rim) {
          peel.push_back(v);
        }
      }
      for (std::size_t v : peel) {
        kind(v) = kOutside;
      }
    }
  }

  /// The sac is a tube some 10-20 mm across: strands of "sac" one or two voxels thin are mixtures of
  /// fat with ligament or muscle at the canal's rim, not CSF; an opening (erosion, then growth back
  /// into the sac's voxels) removes them.
  void openSac()
  {
    std::vector<std::uint8_t> core(m_kind.size(), 0);
    for (std::size_t v : m_canal) {
      if (kind(v) != kSac) {
        continue;
      }
      int sacNeighbours = 0;
      forSix(v, [&](std::size_t n) {
        sacNeighbours += m_out[n] == kCanal && (kind(n) == kSac || kind(n) == kWall) ? 1 : 0;
      });
      core[box(v)] = sacNeighbours == 6 ? 1 : 0;
    }
    for (std::size_t v : m_canal) {
      if (kind(v) != kSac || core[box(v)]) {
        continue;
      }
      bool nearCore = false;
      forSix(v, [&](std::size_t n) { nearCore = nearCore || core[box(n)]; });
      if (!nearCore) {
        kind(v) = kOutside;
      }
    }
  }

  /// The sac is the tube round the canal's centre: soft tissue reached from there only through fat
  /// (the ligamentum flavum in a window, behind the dorsal fat) is the canal's wall, not the sac.
  void keepTubeRoundCentre(const std::vector<Eigen::Vector3d>& centreline)
  {
    std::vector<std::uint8_t> reached(m_kind.size(), 0);
    std::vector<std::size_t> stack;
    for (const auto& c : centreline) {
      const Eigen::Vector3d idx = m_geometry.lpsToIndex(c).array().round().matrix();
      if (m_geometry.containsIndex(idx)) {
        const std::size_t v =
          m_geometry.offset(static_cast<std::size_t>(idx.x()), static_cast<std::size_t>(idx.y()),
                            static_cast<std::size_t>(idx.z()));
        if (m_out[v] == kCanal && kind(v) == kSac && !reached[box(v)]) {
          reached[box(v)] = 1;
          stack.push_back(v);
        }
      }
    }
    while (!stack.empty()) {
      const std::size_t v = stack.back();
      stack.pop_back();
      forSix(v, [&](std::size_t n) {
        if (m_out[n] == kCanal && !reached[box(n)] && kind(n) == kSac) {
          reached[box(n)] = 1;
          stack.push_back(n);
        }
      });
    }
    for (std::size_t v : m_canal) {
      if (kind(v) == kSac && !reached[box(v)]) {
        kind(v) = kOutside;
      }
    }
  }

  /// Writes the labels: the wall's voxels take the majority of their judged neighbours (fat on a
  /// tie: bone is lined by fat or ligament more often than by the dura).
  CanalContents write()
  {
    CanalContents result;
    std::vector<std::uint8_t> label(m_canal.size(), 0);
    for (std::size_t c = 0; c < m_canal.size(); ++c) {
      const std::size_t v = m_canal[c];
      if (kind(v) == kWall) {
        int fat = 0, sac = 0;
        forSix(v, [&](std::size_t n) {
          fat += kind(n) == kFat ? 1 : 0;
          sac += kind(n) == kSac ? 1 : 0;
        });
        label[c] = static_cast<std::uint8_t>(sac > fat ? labels::kThecalSac : labels::kEpiduralFat);
      } else if (kind(v) == kFat) {
        label[c] = static_cast<std::uint8_t>(labels::kEpiduralFat);
      } else if (kind(v) == kSac) {
        label[c] = static_cast<std::uint8_t>(labels::kThecalSac);
      }
    }
    for (std::size_t c = 0; c < m_canal.size(); ++c) {
      m_out[m_canal[c]] = label[c];
      result.sacVoxels += label[c] == labels::kThecalSac ? 1 : 0;
      result.fatVoxels += label[c] == labels::kEpiduralFat ? 1 : 0;
    }
    return result;
  }

  const Image<float>::Buffer& m_hu;
  Image<std::uint8_t>::Buffer& m_out;
  const ImageGeometry& m_geometry;
  std::array<std::size_t, 3> m_lo{ 0, 0, 0 }; ///< the working box's first voxel
  std::array<std::size_t, 3> m_n{ 0, 0, 0 };  ///< and its size
  std::vector<std::uint8_t> m_kind;           ///< per box voxel
  std::vector<float> m_mean;                  ///< per box voxel
  std::vector<std::size_t> m_canal;
};

} // namespace

CanalContents splitCanalContents(const Image<float>& input, Image<std::uint8_t>& labels,
                                 const std::vector<Eigen::Vector3d>& centreline, bool mr)
{
  if (mr) {
    CanalContents result;
    for (auto& l : labels.voxels()) {
      if (l == labels::kSpinalCanal) {
        l = static_cast<std::uint8_t>(labels::kThecalSac);
        ++result.sacVoxels;
      }
    }
    return result;
  }
  return CtSplit(input, labels).run(centreline);
}

} // namespace drg::imaging::spine
