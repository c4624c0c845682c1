#include "phantom/PhantomAnatomyBuilder.h"

#include "drg/imaging/Error.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace drg::imaging::phantom
{
namespace
{

using Eigen::Matrix3d;
using Eigen::Vector3d;

/// Deterministic uniform numbers in [0, 1) from a seed (splitmix64), identical on every platform.
class SeedSequence
{
public:
  explicit SeedSequence(std::uint64_t seed)
    : m_state(seed * 0x9E3779B97F4A7C15ull + 0x632BE59BD9B4E019ull)
  {}
  double next()
  {
    std::uint64_t z = (m_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return static_cast<double>(z >> 11) * (1.0 / 9007199254740992.0);
  }
  double range(double lo, double hi) { return lo + (hi - lo) * next(); }

private:
  std::uint64_t m_state;
};

} // namespace

double AnatomyBuilder::spineY(double z) const
{
  // body-centre y of the spine at height z (linear between vertebrae; clamped at the ends)
  const auto& fr = m_frames;
  if (z >= fr.front().origin.z()) {
    return fr.front().origin.y();
  }
  for (std::size_t i = 0; i + 1 < fr.size(); ++i) {
    double za = fr[i].origin.z();
    double zb = fr[i + 1].origin.z();
    if (z <= za && z >= zb) {
      double t = (za - z) / std::max(za - zb, 1e-6);
      return fr[i].origin.y() + t * (fr[i + 1].origin.y() - fr[i].origin.y());
    }
  }
  return fr.back().origin.y();
}

/// z (LPS mm) of an outline key's anchor (see assets/phantom/body_outline.json).
double AnatomyBuilder::outlineAnchorZ(const std::string& anchor) const
{
  if (anchor == "top_vertebra") {
    return m_frames.front().origin.z();
  }
  if (anchor == "L3") {
    return m_frames[indexOf("L3")].origin.z();
  }
  if (anchor == "L4/L5_disc") {
    return m_discFrames[indexOf("L4")].origin.z();
  }
  if (anchor == "S1") {
    return m_frames.back().origin.z();
  }
  throw Error(ErrorCode::Internal, "unknown anchor in assets/phantom/body_outline.json: " + anchor);
}

void AnatomyBuilder::addSoftTissue()
{
  BodyOutlineTable table = readBodyOutline();
  buildOutline(table);
  addBodyLayers(table);

  // muscles following the spine
  int paraspinal = addObject("paraspinal muscles", labels::kMuscle, 6, plain("muscle"), 6.0);
  int psoas = addObject("psoas", labels::kPsoas, 6, plain("muscle"), 6.0);
  m_anatomy.truth.labelNames[labels::kPsoas] = "psoas";
  addSpinalMuscles(paraspinal, psoas);
  addPelvicMusclesAndKidneys(paraspinal, psoas);
  m_anatomy.truth.labelNames[labels::kKidney] = "kidney";
  addGreatVessels();
  addBowelGas();
  addSkinLandmarks();
}

/// The outline profile (1 mm rows) from the asset's keys: chest at the top vertebra, waist at L3,
/// pelvis at the iliac crest, buttocks below S1; keys blended with a smoothstep.
void AnatomyBuilder::buildOutline(const BodyOutlineTable& table)
{
  double y0 = m_frames[indexOf("L3")].origin.y();
  struct Key
  {
    double z, halfWidth, anterior, posterior;
  };
  std::vector<Key> keys;
  for (const auto& k : table.keys) {
    keys.push_back({ outlineAnchorZ(k.anchor) + k.offset, k.halfWidth, k.anterior, k.posterior });
  }
  OutlineProfile& prof = m_anatomy.scene.outline;
  prof.zStart = keys.back().z;
  prof.step = 1.0;
  for (double z = prof.zStart; z <= keys.front().z; z += prof.step) {
    std::size_t k = 0;
    while (k + 1 < keys.size() && keys[k + 1].z > z) {
      ++k;
    }
    const Key& a = keys[k];
    const Key& b = keys[std::min(k + 1, keys.size() - 1)];
    double t = (a.z - b.z) > 1e-6 ? (a.z - z) / (a.z - b.z) : 0.0;
    t = std::clamp(t, 0.0, 1.0);
    t = t * t * (3 - 2 * t); // smooth between keys
    double hw = a.halfWidth + t * (b.halfWidth - a.halfWidth);
    double ant = a.anterior + t * (b.anterior - a.anterior);
    double post = a.posterior + t * (b.posterior - a.posterior);
    double ys = std::min(spineY(z), m_frames.back().origin.y() + table.spineLineMaxBehindS1);
    prof.rows.push_back({ hw, y0 - ant, ys + post });
  }
}

/// Skin over subcutaneous fat, the body-wall muscle and the viscera: the outline shrunk by the
/// layers' insets.
void AnatomyBuilder::addBodyLayers(const BodyOutlineTable& table)
{
  const BodyOutlineTable::Layer& m = table.muscle;
  const BodyOutlineTable::Layer& v = table.viscera;
  Material skin{ tissue("fat"), tissue("skin"), 2.0 };
  int outline = addObject("body", labels::kSkin, 1, skin, 0.0);
  addPart(outline, Shape::Outline, Vector3d::Zero(), Matrix3d::Identity(), Vector3d(0, 0, 0));
  int muscleWall = addObject("muscle", labels::kMuscle, 2, plain("muscle"), 0.0);
  addPart(muscleWall, Shape::Outline, Vector3d::Zero(), Matrix3d::Identity(),
          Vector3d(m.lateral, m.anterior, m.posterior));
  Material bowel{ tissue("viscera"), tissue("viscera"), 0.0 };
  bowel.texture = tissue("fat");
  int viscera = addObject("viscera", labels::kViscera, 3, bowel, 0.0);
  addPart(viscera, Shape::Outline, Vector3d::Zero(), Matrix3d::Identity(),
          Vector3d(v.lateral, v.anterior, v.posterior));
  m_anatomy.truth.labelNames[labels::kSkin] = "skin and subcutaneous fat";
  m_anatomy.truth.labelNames[labels::kMuscle] = "muscle";
  m_anatomy.truth.labelNames[labels::kViscera] = "abdominal and pelvic viscera";
}

/// Paraspinal muscles behind every level, psoas beside the lumbar bodies (growing caudally) and
/// quadratus lumborum lateral to the upper lumbar transverse processes.
void AnatomyBuilder::addSpinalMuscles(int paraspinal, int psoas)
{
  std::size_t l1 = indexOf("L1");
  for (std::size_t i = 0; i + 1 < m_levels.size(); ++i) {
    const LevelDims& d = m_levels[i];
    const Frame& f = m_frames[i];
    double yc = canalY(d);
    double half = 0.5 * d.bodyH + 0.5 * d.discBelow + 2.0;
    for (double s : { 1.0, -1.0 }) {
      double a = d.thoracic ? 18.0 : 22.0;
      double b = d.thoracic ? 20.0 : 24.0;
      addPart(paraspinal, Shape::EllipticCylinder,
              f.toWorld(Vector3d(s * (0.5 * d.canalW + 0.6 * a), yc + 0.5 * d.canalD + b - 2.0, 0)), f.axes,
              Vector3d(a, b, half), 4.0);
      if (i >= l1) {
        double r = 8.0 + 3.8 * static_cast<double>(i - l1);
        addPart(psoas, Shape::EllipticCylinder,
                f.toWorld(Vector3d(s * (0.5 * d.bodyW + 0.7 * r), -0.1 * d.bodyD, 0)), f.axes,
                Vector3d(r, 0.9 * r, half), 4.0);
        if (i - l1 < 4) {
          // quadratus lumborum, lateral to the transverse processes
          addPart(paraspinal, Shape::EllipticCylinder,
                  f.toWorld(Vector3d(s * (d.tpReach + 6.0), pedicleBackY(d) + 2.0, 0)), f.axes,
                  Vector3d(13.0, 8.0, half), 3.0);
        }
      }
    }
  }
}

/// Multifidus over the sacrum, psoas into the pelvis, iliacus and glutei; kidneys in perirenal
/// fat, the left higher than the right.
void AnatomyBuilder::addPelvicMusclesAndKidneys(int paraspinal, int psoas)
{
  std::size_t l1 = indexOf("L1");
  for (double s : { 1.0, -1.0 }) {
    std::string side = s > 0 ? "left" : "right";
    const Frame& fs = m_frames.back();
    const LevelDims& ds = m_levels.back();
    // multifidus over the sacrum, psoas into the pelvis, iliacus and glutei
    addPart(paraspinal, Shape::Ellipsoid,
            fs.toWorld(Vector3d(s * 20.0, canalY(ds) + 0.5 * ds.canalD + 16.0, -18.0)), fs.axes,
            Vector3d(17.0, 12.0, 36.0));
    const Frame& f5 = m_frames[m_levels.size() - 2];
    const LevelDims& d5 = m_levels[m_levels.size() - 2];
    double r5 = 8.0 + 3.8 * static_cast<double>(m_levels.size() - 2 - l1);
    Vector3d p5 = f5.toWorld(Vector3d(s * (0.5 * d5.bodyW + 0.7 * r5), -0.1 * d5.bodyD, 0));
    Vector3d groin(s * (m_iliumXs + 30.0), m_iliumY - 62.0, m_iliumZ - 75.0);
    capsule(psoas, p5, groin, r5);
    addPart(psoas, Shape::Ellipsoid, Vector3d(s * (m_iliumXs + 35.0), m_iliumY - 28.0, m_iliumZ - 8.0),
            Matrix3d::Identity(), Vector3d(18.0, 30.0, 32.0));
    addPart(paraspinal, Shape::Ellipsoid, Vector3d(s * (m_iliumXs + 40.0), m_iliumY + 52.0, m_iliumZ - 55.0),
            Matrix3d::Identity(), Vector3d(50.0, 34.0, 62.0));

    // kidneys in perirenal fat, left higher than right
    const Frame& fl1 = m_frames[l1];
    Vector3d kc = fl1.origin + Vector3d(s * (0.5 * m_levels[l1].bodyW + 48.0), 22.0, s > 0 ? 4.0 : -14.0);
    int perirenal = addObject("perirenal fat " + side, labels::kViscera, 4, plain("fat"), 0.0);
    addPart(perirenal, Shape::Ellipsoid, kc, rotZ(s * 0.3), Vector3d(38.0, 32.0, 64.0));
    int kidney = addObject("kidney " + side, labels::kKidney, 5, plain("kidney"), 0.0);
    addPart(kidney, Shape::Ellipsoid, kc, rotZ(s * 0.3), Vector3d(28.0, 22.0, 54.0));
  }
}

/// Aorta (down to its bifurcation at L4) and inferior vena cava in front of the spine.
void AnatomyBuilder::addGreatVessels()
{
  int aorta = addObject("aorta", labels::kAorta, 5, plain("blood"), 2.0);
  int ivc = addObject("inferior vena cava", labels::kVenaCava, 5, plain("blood"), 2.0);
  m_anatomy.truth.labelNames[labels::kAorta] = "aorta";
  m_anatomy.truth.labelNames[labels::kVenaCava] = "inferior vena cava";
  std::size_t l4 = indexOf("L4");
  Vector3d prevA, prevV;
  for (std::size_t i = 0; i + 1 < m_levels.size(); ++i) {
    const Frame& f = m_frames[i];
    const LevelDims& d = m_levels[i];
    Vector3d a = f.origin + Vector3d(12.0, -0.5 * d.bodyD - 14.0, 0);
    Vector3d v = f.origin + Vector3d(-22.0, -0.5 * d.bodyD - 12.0, 0);
    if (i == 0) {
      prevA = a + Vector3d(0, 0, 80);
      prevV = v + Vector3d(0, 0, 80);
    }
    if (i <= l4) {
      capsule(aorta, prevA, a, 11.0);
    }
    capsule(ivc, prevV, v, 10.5);
    prevA = i <= l4 ? a : prevA;
    prevV = v;
  }
  for (double s : { 1.0, -1.0 }) {
    capsule(aorta, prevA, Vector3d(s * (m_iliumXs - 5.0), m_iliumY - 45.0, m_iliumZ - 40.0), 6.0);
  }
}

/// A few bowel gas pockets in the abdomen, placed from the seed.
void AnatomyBuilder::addBowelGas()
{
  const OutlineProfile& prof = m_anatomy.scene.outline;
  double zS1 = m_frames.back().origin.z();
  double y0 = m_frames[indexOf("L3")].origin.y();
  SeedSequence rng(m_options.seed ^ 0xB0E1u);
  int gas = addObject("bowel gas", labels::kBowelGas, 5, plain("gas"), 0.0);
  m_anatomy.truth.labelNames[labels::kBowelGas] = "bowel gas";
  double zL2 = m_frames[indexOf("L2")].origin.z();
  for (int k = 0; k < 7; ++k) {
    double z = rng.range(zS1 - 30.0, zL2);
    OutlineProfile::Row r = prof.at(z);
    Vector3d c(rng.range(-90.0, 90.0), rng.range(r.yAnterior + 45.0, y0 - 45.0), z);
    double rr = rng.range(6.0, 16.0);
    addPart(gas, Shape::Ellipsoid, c, rotZ(rng.range(0.0, kPi)), Vector3d(rr * 1.6, rr, rr * 0.8));
  }
}

/// Pocket landmarks on the skin: lower abdominal wall at L5, upper outer buttock below S1.
void AnatomyBuilder::addSkinLandmarks()
{
  const OutlineProfile& prof = m_anatomy.scene.outline;
  double zS1 = m_frames.back().origin.z();
  auto skinPoint = [&](double z, double xs, bool anterior) {
    OutlineProfile::Row r = prof.at(z);
    double cy = 0.5 * (r.yAnterior + r.yPosterior);
    double b = 0.5 * (r.yPosterior - r.yAnterior);
    double x = xs;
    double t = std::sqrt(std::max(0.0, 1.0 - (x * x) / (r.halfWidth * r.halfWidth)));
    return Vector3d(x, cy + (anterior ? -b * t : b * t), z);
  };
  for (double s : { 1.0, -1.0 }) {
    std::string side = s > 0 ? "left" : "right";
    double zL5 = m_frames[m_levels.size() - 2].origin.z();
    m_anatomy.truth.landmarks.push_back({ "lower_abdominal_wall_" + side, skinPoint(zL5, s * 70.0, true) });
    m_anatomy.truth.landmarks.push_back(
      { "upper_outer_buttock_" + side, skinPoint(zS1 - 50.0, s * 95.0, false) });
  }
}

} // namespace drg::imaging::phantom
