#include "phantom/PhantomAnatomy.h"

#include "DrgPriors.h"

#include "drg/imaging/EmbeddedAssets.h"
#include "drg/imaging/Error.h"

#include <nlohmann/json.hpp>

#include <Eigen/Geometry>

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace drg::imaging::phantom
{
namespace
{

using Eigen::Matrix3d;
using Eigen::Vector3d;
using nlohmann::json;

constexpr double kPi = 3.14159265358979323846;
double rad(double degrees)
{
  return degrees * kPi / 180.0;
}

/// Dimensions of one vertebra (mm, degrees), from assets/phantom/vertebrae.json.
struct LevelDims
{
  std::string level;
  double bodyW = 0, bodyD = 0, bodyH = 0, discBelow = 0;
  double pedW = 0, pedH = 0, pedAngle = 0;
  double canalW = 0, canalD = 0;
  double tpReach = 0, tpHeight = 0, tpPosterior = 0;
  double spLength = 0, spHeight = 0, spDrop = 0;
  double facetAngle = 0, lordosisShare = 0, kyphosis = 0;
  bool thoracic = false;
};

json loadAsset(const char* name)
{
  std::string_view text = embeddedAsset(name);
  if (text.empty()) {
    throw Error(ErrorCode::Internal, std::string("embedded asset missing: ") + name);
  }
  try {
    return json::parse(text);
  } catch (const json::exception& e) {
    throw Error(ErrorCode::Internal,
                std::string("embedded asset ") + name + " is not valid JSON: " + e.what());
  }
}

LevelDims dimsFromJson(const json& j)
{
  LevelDims d;
  d.level = j.at("level").get<std::string>();
  auto body = j.at("body");
  d.bodyW = body[0];
  d.bodyD = body[1];
  d.bodyH = body[2];
  d.discBelow = j.at("disc_below");
  auto ped = j.at("pedicle");
  d.pedW = ped[0];
  d.pedH = ped[1];
  d.pedAngle = ped[2];
  auto canal = j.at("canal");
  d.canalW = canal[0];
  d.canalD = canal[1];
  auto tp = j.at("transverse_process");
  d.tpReach = tp[0];
  d.tpHeight = tp[1];
  d.tpPosterior = tp[2];
  auto sp = j.at("spinous_process");
  d.spLength = sp[0];
  d.spHeight = sp[1];
  d.spDrop = sp[2];
  d.facetAngle = j.at("facet_angle");
  d.lordosisShare = j.at("segment_lordosis_share");
  d.kyphosis = j.at("segment_kyphosis");
  d.thoracic = d.level[0] == 'T';
  return d;
}

LevelDims blend(const LevelDims& a, const LevelDims& b, const std::string& level)
{
  LevelDims d = a;
  auto mix = [](double x, double y) { return 0.5 * (x + y); };
  d.level = level;
  d.bodyW = mix(a.bodyW, b.bodyW);
  d.bodyD = mix(a.bodyD, b.bodyD);
  d.bodyH = mix(a.bodyH, b.bodyH);
  d.discBelow = mix(a.discBelow, b.discBelow);
  d.pedW = mix(a.pedW, b.pedW);
  d.canalW = mix(a.canalW, b.canalW);
  d.facetAngle = mix(a.facetAngle, b.facetAngle);
  return d;
}

Matrix3d axesFromZ(const Vector3d& zDir, const Vector3d& xHint)
{
  Vector3d z = zDir.normalized();
  Vector3d x = xHint - xHint.dot(z) * z;
  if (x.norm() < 1e-6) {
    x = z.unitOrthogonal();
  }
  x.normalize();
  Vector3d y = z.cross(x);
  Matrix3d m;
  m.col(0) = x;
  m.col(1) = y;
  m.col(2) = z;
  return m;
}

/// Catmull-Rom interpolation through the points, `per` samples per span (ends kept).
std::vector<Vector3d> smoothPolyline(const std::vector<Vector3d>& p, int per)
{
  std::vector<Vector3d> out;
  for (std::size_t i = 0; i + 1 < p.size(); ++i) {
    const Vector3d& p0 = p[i == 0 ? 0 : i - 1];
    const Vector3d& p1 = p[i];
    const Vector3d& p2 = p[i + 1];
    const Vector3d& p3 = p[std::min(i + 2, p.size() - 1)];
    for (int k = 0; k < per; ++k) {
      double t = static_cast<double>(k) / per;
      double t2 = t * t;
      double t3 = t2 * t;
      out.push_back(0.5 * ((2.0 * p1) + (-p0 + p2) * t + (2.0 * p0 - 5.0 * p1 + 4.0 * p2 - p3) * t2 +
                           (-p0 + 3.0 * p1 - 3.0 * p2 + p3) * t3));
    }
  }
  out.push_back(p.back());
  return out;
}

Matrix3d rotX(double a)
{
  return Eigen::AngleAxisd(a, Vector3d::UnitX()).toRotationMatrix();
}
Matrix3d rotY(double a)
{
  return Eigen::AngleAxisd(a, Vector3d::UnitY()).toRotationMatrix();
}
Matrix3d rotZ(double a)
{
  return Eigen::AngleAxisd(a, Vector3d::UnitZ()).toRotationMatrix();
}

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

class AnatomyBuilder
{
public:
  explicit AnatomyBuilder(const PhantomOptions& options)
    : m_options(options)
  {
    loadTissues();
    loadLevels();
  }

  Anatomy build()
  {
    placeVertebrae();
    for (std::size_t i = 0; i < m_levels.size(); ++i) {
      addVertebra(i);
    }
    for (std::size_t i = 0; i + 1 < m_levels.size(); ++i) {
      addDisc(i);
    }
    addSacrum();
    addRibs();
    addIlia();
    addCanal();
    addForaminaAndGanglia();
    addSoftTissue();
    finishTruth();
    return std::move(m_anatomy);
  }

private:
  // ---- materials -------------------------------------------------------------------------------
  void loadTissues()
  {
    json t = loadAsset("phantom/tissues.json").at("tissues");
    const char* key = m_options.contrast == PhantomContrast::Ct     ? "ct"
                      : m_options.contrast == PhantomContrast::MrT2 ? "t2"
                                                                    : "t2fs";
    for (auto it = t.begin(); it != t.end(); ++it) {
      m_tissue[it.key()] = it.value().at(key).get<double>();
    }
    if (m_options.contrast == PhantomContrast::Ct) {
      m_tissue["cortical_bone"] = m_options.corticalHu;
      m_tissue["cancellous_bone"] = m_options.cancellousHu;
    }
    m_anatomy.airValue = tissue("air");
  }

  double tissue(const std::string& name) const
  {
    auto it = m_tissue.find(name);
    if (it == m_tissue.end()) {
      throw Error(ErrorCode::Internal, "tissue missing from assets/phantom/tissues.json: " + name);
    }
    return it->second;
  }

  Material plain(const std::string& name) const { return Material{ tissue(name), tissue(name), 0.0 }; }
  Material bone(double shell) const
  {
    return Material{ tissue("cancellous_bone"), tissue("cortical_bone"), shell };
  }

  // ---- levels ----------------------------------------------------------------------------------
  void loadLevels()
  {
    json v = loadAsset("phantom/vertebrae.json");
    std::map<std::string, LevelDims> table;
    for (const auto& j : v.at("levels")) {
      LevelDims d = dimsFromJson(j);
      table[d.level] = d;
    }
    const json& sac = v.at("sacrum");
    m_alaReach = sac.at("ala_reach");
    m_alaHeight = sac.at("ala_height");
    m_alaDepth = sac.at("ala_depth");
    m_slopePerLordosis = sac.at("sacral_slope_per_lordosis");
    for (const auto& s : sac.at("segments")) {
      m_sacralSegments.push_back(Vector3d(s[0], s[1], s[2]));
    }

    m_takeoffDegrees = drgPriors().takeoffDegrees;

    std::vector<std::string> names = { "T10", "T11", "T12" };
    if (m_options.transitional == TransitionalAnatomy::T13) {
      names.push_back("T13");
    }
    for (const char* l : { "L1", "L2", "L3", "L4", "L5" }) {
      names.emplace_back(l);
    }
    if (m_options.transitional == TransitionalAnatomy::L6) {
      names.emplace_back("L6");
    }
    names.emplace_back("S1");
    for (const auto& n : names) {
      if (n == "T13") {
        LevelDims d = blend(table.at("T12"), table.at("L1"), "T13");
        d.thoracic = true;
        d.tpReach = table.at("T12").tpReach;
        d.spDrop = 6;
        m_levels.push_back(d);
      } else if (n == "L6") {
        LevelDims d = table.at("L5");
        d.level = "L6";
        m_levels.push_back(d);
      } else {
        m_levels.push_back(table.at(n));
      }
    }
    if (m_options.transitional == TransitionalAnatomy::L6) {
      // L5 keeps L4-like proportions above the extra lumbar vertebra; the lowest takes L5's.
      LevelDims& l5 = m_levels[indexOf("L5")];
      const LevelDims& l4 = table.at("L4");
      l5.pedW = l4.pedW;
      l5.tpReach = l4.tpReach;
      l5.lordosisShare = 0.30;
      m_levels[indexOf("L6")].lordosisShare = 0.32;
    }
    if (m_options.transitional == TransitionalAnatomy::SacralizedL5) {
      m_levels[indexOf("L5")].discBelow = 4.0; // rudimentary disc
    }
    double shareSum = 0;
    for (const auto& d : m_levels) {
      shareSum += d.lordosisShare;
    }
    for (auto& d : m_levels) {
      d.lordosisShare /= shareSum;
    }
  }

  std::size_t indexOf(const std::string& level) const
  {
    for (std::size_t i = 0; i < m_levels.size(); ++i) {
      if (m_levels[i].level == level) {
        return i;
      }
    }
    throw Error(ErrorCode::Internal, "phantom level missing: " + level);
  }

  // ---- parts and objects -----------------------------------------------------------------------
  int addObject(const std::string& name, int label, int priority, const Material& material, double blend)
  {
    Object o;
    o.name = name;
    o.label = label;
    o.priority = priority;
    o.material = material;
    o.blend = blend;
    m_anatomy.scene.objects.push_back(o);
    return static_cast<int>(m_anatomy.scene.objects.size() - 1);
  }

  int addPart(int object, Shape shape, const Vector3d& centre, const Matrix3d& axes, const Vector3d& size,
              double round = 0.0)
  {
    Part p;
    p.shape = shape;
    p.toLocal = axes.transpose();
    p.centre = centre;
    p.size = size;
    p.round = round;
    p.object = object;
    Vector3d ext = size;
    if (shape == Shape::Capsule) {
      ext = Vector3d(size.x(), size.x(), size.z() + size.x());
    }
    for (int c = 0; c < 8; ++c) {
      Vector3d corner((c & 1) ? ext.x() : -ext.x(), (c & 2) ? ext.y() : -ext.y(),
                      (c & 4) ? ext.z() : -ext.z());
      p.box.extend(centre + axes * corner);
    }
    m_anatomy.scene.parts.push_back(p);
    int index = static_cast<int>(m_anatomy.scene.parts.size() - 1);
    m_anatomy.scene.objects[static_cast<std::size_t>(object)].parts.push_back(index);
    return index;
  }

  int capsule(int object, const Vector3d& a, const Vector3d& b, double radius)
  {
    Vector3d d = b - a;
    double len = d.norm();
    Matrix3d axes = len > 1e-9 ? axesFromZ(d, d.unitOrthogonal()) : Matrix3d::Identity();
    return addPart(object, Shape::Capsule, 0.5 * (a + b), axes, Vector3d(radius, radius, 0.5 * len));
  }

  /// A rounded box from a to b (long axis), `halfWidth` along `widthHint`, `halfThick` across both.
  int boxBetween(int object, const Vector3d& a, const Vector3d& b, const Vector3d& widthHint,
                 double halfWidth, double halfThick, double round, double extraLength = 0.0)
  {
    Vector3d d = b - a;
    Matrix3d axes = axesFromZ(d, widthHint);
    return addPart(object, Shape::RoundedBox, 0.5 * (a + b), axes,
                   Vector3d(halfWidth, halfThick, 0.5 * d.norm() + extraLength), round);
  }

  // ---- spine pose ------------------------------------------------------------------------------
  /// Lateral tilt (scoliosis) added by the disc below level i: a main lumbar curve with
  /// compensating curves above and below, so that the main curve's Cobb angle is the option value.
  double scoliosisStep(std::size_t i) const
  {
    const std::string& l = m_levels[i].level;
    double q = rad(m_options.scoliosisDegrees) / 4.0;
    if (l == "L5" || l == "L4" || l == "L6") {
      return q;
    }
    if (l == "L3" || l == "L2" || l == "L1" || l == "T12" || l == "T13") {
      // the main curve spans L4 (lower end) to T12 (upper end): four segments
      return l == "T13" ? 0.0 : -q;
    }
    return q; // T10/T11, T11/T12: compensation above
  }

  double axialRotation(std::size_t i) const
  {
    auto apex = static_cast<double>(indexOf("L2"));
    double t = 1.0 - std::abs(static_cast<double>(i) - apex) / 4.0;
    return rad(m_options.axialRotationDegrees) * std::max(t, 0.0);
  }

  void placeVertebrae()
  {
    std::size_t n = m_levels.size();
    m_frames.resize(n);
    m_discFrames.resize(n);
    double slope = m_slopePerLordosis * m_options.lordosisDegrees;
    // S1: the upper endplate centre is the anatomy's reference point, tilted by the sacral slope.
    std::size_t s1 = n - 1;
    Matrix3d base = rotX(rad(slope));
    Vector3d endplate(0.0, 0.0, 0.0);
    m_frames[s1].axes = base;
    m_frames[s1].origin = endplate - base * Vector3d(0, 0, 0.5 * m_levels[s1].bodyH);
    for (std::size_t k = s1; k-- > 0;) {
      const LevelDims& d = m_levels[k];
      double lordosis = rad(m_options.lordosisDegrees) * d.lordosisShare;
      double dTilt = -lordosis + rad(d.kyphosis);
      double dLat = scoliosisStep(k);
      Matrix3d mid = base * rotX(0.5 * dTilt) * rotY(0.5 * dLat);
      Vector3d discCentre = endplate + mid * Vector3d(0, 0, 0.5 * d.discBelow);
      m_discFrames[k].axes = mid;
      m_discFrames[k].origin = discCentre;
      Vector3d discTop = endplate + mid * Vector3d(0, 0, d.discBelow);
      base = base * rotX(dTilt) * rotY(dLat);
      m_frames[k].axes = base * rotZ(axialRotation(k));
      m_frames[k].origin = discTop + base * Vector3d(0, 0, 0.5 * d.bodyH);
      endplate = discTop + base * Vector3d(0, 0, d.bodyH);
    }
  }

  /// Canal centre y in a vertebra's frame.
  static double canalY(const LevelDims& d) { return 0.5 * d.bodyD + 0.5 * d.canalD + 1.0; }
  static double pedicleZ(const LevelDims& d) { return 0.5 * d.bodyH - 0.5 * d.pedH - 1.0; }
  static double pedicleBackY(const LevelDims& d) { return canalY(d) + 0.25 * d.canalD; }

  Vector3d facetNormal(const LevelDims& d, double s) const
  {
    double a = rad(d.facetAngle);
    return Vector3d(s * std::cos(a), -std::sin(a), 0.0);
  }

  /// Centre of the facet joint between level i-1 (above) and level i, in level i's frame.
  static Vector3d facetJoint(const LevelDims& d, double s)
  {
    return Vector3d(s * (0.5 * d.canalW + 0.5 * d.pedW), pedicleBackY(d) + 5.0, 0.5 * d.bodyH + 5.0);
  }

  // ---- vertebrae -------------------------------------------------------------------------------
  void addVertebra(std::size_t i)
  {
    const LevelDims& d = m_levels[i];
    const Frame& f = m_frames[i];
    int label = vertebraLabel(d.level);
    int obj = addObject(d.level, label, 9, bone(m_options.corticalThicknessMm), 2.0);
    m_vertebraObject[d.level] = obj;
    const Matrix3d& R = f.axes;
    const Vector3d ex = R.col(0);
    const Vector3d ez = R.col(2);

    addPart(obj, Shape::EllipticCylinder, f.origin, R, Vector3d(0.5 * d.bodyW, 0.5 * d.bodyD, 0.5 * d.bodyH),
            2.0);

    double yc = canalY(d);
    double zPed = pedicleZ(d);
    double yBack = pedicleBackY(d);
    // laminae spring from the pedicles and reach down to the disc below: between one lamina's lower
    // edge and the next one's upper edge (in the upper half of the pedicle) lies the interlaminar
    // window (ligamentum flavum), the epidural needle's way in (about 10-14 mm tall in the lumbar
    // spine)
    bool sacral = d.level == "S1";
    // (S1's lamina is low: the L5/S1 window is the widest of the lumbar spine)
    // (thoracic laminae overlap like shingles: windows there are narrow)
    double laminaBottom = d.thoracic ? -0.5 * d.bodyH - 3.0 : -0.5 * d.bodyH - 1.5;
    double laminaTop = sacral ? -3.0 : d.thoracic ? 0.5 * d.bodyH - 3.0 : zPed;
    double zLam = 0.5 * (laminaTop + laminaBottom);
    double lamHalfH = 0.5 * (laminaTop - laminaBottom);
    for (double s : { 1.0, -1.0 }) {
      // pedicle: oval cylinder from inside the body to the articular pillar, converging anteriorly
      double a = rad(d.pedAngle);
      double yFront = 0.5 * d.bodyD - 6.0;
      double yMid = 0.5 * (yFront + yBack);
      Vector3d axis(s * std::sin(a), std::cos(a), 0.0);
      Vector3d centre(s * (0.5 * d.canalW + 0.5 * d.pedW), yMid, zPed);
      double halfLen = 0.5 * (yBack - yFront) / std::cos(a) + 1.0;
      Matrix3d pa = axesFromZ(R * axis, ex);
      addPart(obj, Shape::EllipticCylinder, f.toWorld(centre), pa,
              Vector3d(0.5 * d.pedW, 0.5 * d.pedH, halfLen), 1.0);
      m_pedicles.push_back({ d.level, s, centre, d.pedW, d.pedH });

      // lamina: from the pedicle's back to the midline behind the canal
      Vector3d lp(s * (0.5 * d.canalW + 0.4 * d.pedW), yBack + 1.0, zLam);
      Vector3d lm(0.0, yc + 0.5 * d.canalD + 3.0, zLam);
      boxBetween(obj, f.toWorld(lp), f.toWorld(lm), ez, lamHalfH, 3.0, 2.0, 3.0);

      // superior articular process (joint with the level above)
      Vector3d n = facetNormal(d, s);
      Vector3d j = facetJoint(d, s);
      Vector3d sapCentre = j + n * (1.0 + 3.5);
      Matrix3d sapAxes = axesFromZ(ez, R * n);
      addPart(obj, Shape::RoundedBox, f.toWorld(sapCentre), sapAxes, Vector3d(3.5, 8.0, 11.0), 1.5);

      // inferior articular process (joint with the level below) and the pars
      if (i + 1 < m_levels.size()) {
        const LevelDims& below = m_levels[i + 1];
        const Frame& fb = m_frames[i + 1];
        Vector3d nb = fb.axes * facetNormal(below, s);
        Vector3d jb = fb.toWorld(facetJoint(below, s));
        Vector3d iapCentre = jb - nb * (1.0 + 3.0) + ez * 2.0;
        Matrix3d iapAxes = axesFromZ(ez, nb);
        addPart(obj, Shape::RoundedBox, iapCentre, iapAxes, Vector3d(3.0, 7.0, 9.0), 1.5);
        Vector3d parsTop = f.toWorld(Vector3d(s * (0.5 * d.canalW + 2.0), yBack + 4.0, laminaBottom + 5.0));
        capsule(obj, iapCentre + ez * 5.0, parsTop, 4.0);
      }

      if (!sacral) {
        // transverse process
        double zt = zPed - 1.0;
        Vector3d t0(s * (0.5 * d.canalW + 0.8 * d.pedW), yBack - 1.0, zt);
        Vector3d t1(s * d.tpReach, yBack - 1.0 + d.tpPosterior, zt - 2.0);
        boxBetween(obj, f.toWorld(t0), f.toWorld(t1), ez, 0.5 * d.tpHeight, 3.5, 2.5);
        m_tpTips[d.level + (s > 0 ? "L" : "R")] = f.toWorld(t1);
        if (d.level == "L5" && m_options.transitional == TransitionalAnatomy::SacralizedL5) {
          // butterfly transverse process fused with the sacral ala
          const Frame& fs = m_frames.back();
          const LevelDims& ds = m_levels.back();
          Vector3d alaTop = fs.toWorld(Vector3d(s * (0.5 * ds.bodyW + 0.6 * m_alaReach), 0.0, 6.0));
          boxBetween(obj, f.toWorld(t1 * 0.9), alaTop, ex, 9.0, 8.0, 4.0, 4.0);
        }
      }
    }
    if (!sacral) {
      // spinous process: from the laminar junction backwards (and caudally in the thoracic spine)
      Vector3d sm(0.0, yc + 0.5 * d.canalD + 3.0, zLam + 1.0);
      Vector3d st(0.0, sm.y() + d.spLength, sm.z() - d.spDrop);
      boxBetween(obj, f.toWorld(sm), f.toWorld(st), ez, 0.5 * d.spHeight, 3.5, 2.5);
    } else {
      // median sacral crest
      Vector3d sm(0.0, yc + 0.5 * d.canalD + 3.0, zLam);
      Vector3d st(0.0, sm.y() + d.spLength, sm.z() - 4.0);
      boxBetween(obj, f.toWorld(sm), f.toWorld(st), ez, 0.5 * d.spHeight, 3.0, 2.5);
      // alae: lateral wings that meet the ilia at the sacroiliac joints
      for (double s : { 1.0, -1.0 }) {
        Vector3d c(s * (0.5 * d.bodyW + 0.5 * m_alaReach - 6.0), 2.0, -5.0);
        addPart(obj, Shape::Ellipsoid, f.toWorld(c), R,
                Vector3d(0.5 * m_alaReach + 9.0, 0.5 * m_alaDepth, 0.5 * m_alaHeight));
      }
    }
  }

  void addDisc(std::size_t i)
  {
    const LevelDims& a = m_levels[i];
    const LevelDims& b = m_levels[i + 1];
    const Frame& f = m_discFrames[i];
    Material m{ tissue("disc_nucleus"), tissue("disc_annulus"), 7.0 };
    int obj =
      addObject(a.level + "/" + b.level + " disc", labels::kDiscBase + static_cast<int>(i), 7, m, 0.0);
    m_discObject[i] = obj;
    double w = 0.25 * (a.bodyW + b.bodyW) - 0.8;
    double dd = 0.25 * (a.bodyD + b.bodyD) - 0.8;
    addPart(obj, Shape::EllipticCylinder, f.origin, f.axes, Vector3d(w, dd, 0.5 * a.discBelow + 2.5), 2.0);
    m_anatomy.truth.labelNames[labels::kDiscBase + static_cast<int>(i)] = a.level + "/" + b.level + " disc";
  }

  // ---- sacrum below S1 -------------------------------------------------------------------------
  void addSacrum()
  {
    const LevelDims& d = m_levels.back();
    const Frame& f = m_frames.back();
    int obj = addObject("sacrum", vertebraLabel("sacrum"), 9, bone(m_options.corticalThicknessMm), 8.0);
    m_vertebraObject["sacrum"] = obj;
    double z = -0.5 * d.bodyH;
    double canalW = d.canalW * 0.8;
    double canalD = d.canalD * 0.7;
    // segments S2-S5 follow the sacral kyphosis: each turns a little further forwards
    double bend = 0.0;
    Vector3d top = f.toWorld(Vector3d(0.0, 0.0, z));
    for (std::size_t k = 0; k < m_sacralSegments.size(); ++k) {
      const Vector3d& seg = m_sacralSegments[k]; // width, depth, height
      bend += rad(7.0);
      Matrix3d axes = f.axes * rotX(bend);
      Vector3d centre = top - axes.col(2) * (0.5 * seg.z());
      Frame sf{ axes, centre };
      addPart(obj, Shape::EllipticCylinder, centre, axes,
              Vector3d(0.5 * seg.x(), 0.5 * seg.y(), 0.5 * seg.z() + 3.0), 4.0);
      // dorsal wall over the sacral canal, with the median crest
      double yRoof = 0.5 * seg.y() + canalD + 2.5;
      addPart(obj, Shape::RoundedBox, sf.toWorld(Vector3d(0.0, yRoof, 0.0)), axes,
              Vector3d(0.5 * canalW + 8.0, 3.5, 0.5 * seg.z() + 3.5), 2.5);
      m_sacralCanal.push_back({ sf.toWorld(Vector3d(0.0, 0.5 * seg.y() + 0.5 * canalD + 0.5, 0.0)),
                                Vector3d(0.5 * canalW, 0.5 * canalD, 0.5 * seg.z() + 2.0) });
      if (k == 0) {
        m_sacrumBody = centre;
        // lateral masses below the alae carry the auricular surfaces (S1-S3)
        for (double s : { 1.0, -1.0 }) {
          addPart(obj, Shape::Ellipsoid,
                  sf.toWorld(Vector3d(s * (0.5 * d.bodyW + 0.45 * m_alaReach), 3.0, 4.0)), axes,
                  Vector3d(0.55 * m_alaReach + 6.0, 0.45 * m_alaDepth, 0.9 * seg.z()));
        }
      }
      canalW *= 0.78;
      canalD *= 0.8;
      top = centre - axes.col(2) * (0.5 * seg.z());
    }
    m_sacrumTip = top;
  }

  // ---- ribs ------------------------------------------------------------------------------------
  void addRibs()
  {
    int ribIndex = 0;
    for (std::size_t i = 0; i < m_levels.size(); ++i) {
      const LevelDims& d = m_levels[i];
      if (!d.thoracic) {
        continue;
      }
      int label = labels::kRibBase + ribIndex;
      m_anatomy.truth.labelNames[label] = "rib " + d.level;
      // T10 reaches the costal margin, T11 and T12 float; each lower rib is shorter
      double length = std::max(80.0, 230.0 - 55.0 * ribIndex);
      double turn = rad(std::max(45.0, 165.0 - 40.0 * ribIndex));
      double radius = std::max(3.2, 4.6 - 0.4 * ribIndex);
      const Frame& f = m_frames[i];
      for (double s : { 1.0, -1.0 }) {
        int obj = addObject("rib " + d.level + (s > 0 ? " left" : " right"), label, 9, bone(0.9), 1.5);
        Vector3d head =
          f.toWorld(Vector3d(s * (0.5 * d.bodyW + 3.5), 0.5 * d.bodyD - 7.0, 0.5 * d.bodyH - 4.0));
        Vector3d tip = m_tpTips.at(d.level + (s > 0 ? "L" : "R"));
        Vector3d tubercle = tip + f.axes * Vector3d(-s * 3.0, -8.0, -1.0);
        capsule(obj, head, tubercle, radius);
        Vector3d dir = Vector3d(s * 1.0, 0.35, -0.25).normalized();
        Vector3d p = tubercle;
        int steps = static_cast<int>(length / 10.0);
        double dTurn = turn / steps;
        for (int k = 0; k < steps; ++k) {
          Vector3d q = p + 10.0 * dir;
          double r = radius * (1.0 - 0.35 * k / steps);
          capsule(obj, p, q, r);
          p = q;
          dir = rotZ(-s * dTurn) * dir;
          dir.z() = -0.25;
          dir.normalize();
        }
        m_ribTips[d.level + (s > 0 ? "L" : "R")] = p;
      }
      ++ribIndex;
    }
  }

  // ---- pelvis ----------------------------------------------------------------------------------
  void addIlia()
  {
    const LevelDims& ds = m_levels.back();
    const Frame& fs = m_frames.back();
    std::size_t l4 = indexOf("L4");
    double zCrest = m_discFrames[l4].origin.z() + 5.0;
    for (double s : { 1.0, -1.0 }) {
      Vector3d ala = fs.toWorld(Vector3d(s * (0.5 * ds.bodyW + m_alaReach), 2.0, -4.0));
      double xs = std::abs(ala.x()) + 3.0 + 8.0;
      double yS = ala.y();
      double zA = ala.z();
      auto P = [s](double x, double y, double z) { return Vector3d(s * x, y, z); };
      int label = s > 0 ? labels::kIliumLeft : labels::kIliumRight;
      int obj = addObject(s > 0 ? "ilium left" : "ilium right", label, 9, bone(1.4), 6.0);
      // auricular part facing the sacral ala across the sacroiliac joint
      addPart(obj, Shape::RoundedBox, P(xs, yS + 8.0, zA - 12.0), Matrix3d::Identity(),
              Vector3d(8.0, 22.0, 26.0), 5.0);
      std::vector<Vector3d> crest = { P(xs + 4, yS + 34, zA - 18),      P(xs + 18, yS + 33, zCrest - 12),
                                      P(xs + 48, yS + 12, zCrest),      P(xs + 70, yS - 22, zCrest - 8),
                                      P(xs + 70, yS - 55, zCrest - 26), P(xs + 56, yS - 80, zA - 20) };
      std::vector<Vector3d> lower = { P(xs + 2, yS + 14, zA - 48),  P(xs + 12, yS + 10, zA - 45),
                                      P(xs + 30, yS - 5, zA - 48),  P(xs + 46, yS - 30, zA - 52),
                                      P(xs + 50, yS - 55, zA - 52), P(xs + 48, yS - 74, zA - 46) };
      crest = smoothPolyline(crest, 3);
      lower = smoothPolyline(lower, 3);
      for (std::size_t k = 0; k + 1 < crest.size(); ++k) {
        Vector3d c = 0.25 * (crest[k] + crest[k + 1] + lower[k] + lower[k + 1]);
        Vector3d u = (crest[k + 1] + lower[k + 1]) - (crest[k] + lower[k]);
        Vector3d v = (crest[k] + crest[k + 1]) - (lower[k] + lower[k + 1]);
        Vector3d nrm = u.cross(v).normalized();
        Matrix3d axes;
        axes.col(0) = u.normalized();
        axes.col(2) = nrm;
        axes.col(1) = nrm.cross(axes.col(0));
        double halfU = 0.25 * u.norm() + 2.0;
        double halfV = 0.25 * std::abs(v.dot(axes.col(1))) + 2.0;
        addPart(obj, Shape::RoundedBox, c, axes, Vector3d(halfU, halfV, 4.0), 3.0);
        capsule(obj, crest[k], crest[k + 1], 6.5);
      }
      addPart(obj, Shape::Ellipsoid, crest.front(), Matrix3d::Identity(), Vector3d(9, 9, 10));
      addPart(obj, Shape::Ellipsoid, crest.back(), Matrix3d::Identity(), Vector3d(9, 9, 9));
      addPart(obj, Shape::Ellipsoid, P(xs + 45, yS - 38, zA - 82), Matrix3d::Identity(),
              Vector3d(22, 26, 30));
      std::string side = s > 0 ? "left" : "right";
      Vector3d top = crest.front();
      for (const auto& c : crest) {
        if (c.z() > top.z()) {
          top = c;
        }
      }
      m_anatomy.truth.landmarks.push_back({ "iliac_crest_top_" + side, top + Vector3d(0, 0, 6.5) });
      m_anatomy.truth.landmarks.push_back({ "asis_" + side, crest.back() + Vector3d(0, -9.0, 0) });
      m_anatomy.truth.landmarks.push_back({ "psis_" + side, crest.front() + Vector3d(0, 9.0, 0) });
      m_iliumXs = xs;
      m_iliumY = yS;
      m_iliumZ = zA;
      m_anatomy.truth.labelNames[label] = "ilium " + side;
    }
  }

  // ---- spinal canal and its contents -----------------------------------------------------------
  void addCanal()
  {
    int fat = addObject("epidural fat", labels::kEpiduralFat, 10, plain("fat"), 2.0);
    int sac = addObject("thecal sac", labels::kThecalSac, 11, plain("csf"), 2.0);
    int cord = addObject("spinal cord", labels::kCord, 12, plain("cord"), 2.0);
    std::size_t n = m_levels.size();
    std::size_t l1 = indexOf("L1");
    for (std::size_t i = 0; i < n; ++i) {
      const LevelDims& d = m_levels[i];
      const Frame& f = m_frames[i];
      double yc = canalY(d);
      double extra = (i == 0) ? 80.0 : 0.0; // the canal continues above the top vertebra
      Vector3d c = f.toWorld(Vector3d(0, yc, 0.5 * extra));
      double hz = 0.5 * d.bodyH + 1.0 + 0.5 * extra;
      addPart(fat, Shape::EllipticCylinder, c, f.axes, Vector3d(0.5 * d.canalW, 0.5 * d.canalD, hz), 1.0);
      Vector3d sc = f.toWorld(Vector3d(0, yc - 0.8, 0.5 * extra));
      Vector3d sacSize(0.5 * d.canalW - 2.5, 0.5 * d.canalD - 2.2, hz + 1.0);
      if (d.level == "S1") {
        sacSize = Vector3d(0.5 * d.canalW - 5.0, 0.5 * d.canalD - 3.0, hz + 1.0);
      }
      addPart(sac, Shape::EllipticCylinder, sc, f.axes, sacSize, 1.0);
      m_sacHalfWidth[d.level] = sacSize.x();
      if (i < l1) {
        addPart(cord, Shape::EllipticCylinder, f.toWorld(Vector3d(0, yc - 0.5, 0.5 * extra)), f.axes,
                Vector3d(4.5, 3.6, hz + 1.0), 1.0);
      }
      if (i + 1 < n) {
        const LevelDims& b = m_levels[i + 1];
        const Frame& df = m_discFrames[i];
        double ycd = 0.5 * (canalY(d) + canalY(b));
        Vector3d dc = df.toWorld(Vector3d(0, ycd, 0));
        double w = 0.25 * (d.canalW + b.canalW);
        double dd = 0.25 * (d.canalD + b.canalD);
        addPart(fat, Shape::EllipticCylinder, dc, df.axes, Vector3d(w, dd, 0.5 * d.discBelow + 3.0), 1.0);
        addPart(sac, Shape::EllipticCylinder, df.toWorld(Vector3d(0, ycd - 0.8, 0)), df.axes,
                Vector3d(w - 2.5, dd - 2.2, 0.5 * d.discBelow + 3.0), 1.0);
        if (i < l1) {
          addPart(cord, Shape::EllipticCylinder, df.toWorld(Vector3d(0, ycd - 0.5, 0)), df.axes,
                  Vector3d(4.5, 3.6, 0.5 * d.discBelow + 3.0), 1.0);
        }
      }
    }
    // conus medullaris: the cord tapers and ends at the L1 body
    const Frame& fl1 = m_frames[l1];
    double ycl1 = canalY(m_levels[l1]);
    addPart(cord, Shape::Ellipsoid, fl1.toWorld(Vector3d(0, ycl1 - 0.5, 0.25 * m_levels[l1].bodyH)), fl1.axes,
            Vector3d(4.0, 3.2, 12.0));
    m_conusTip = fl1.toWorld(Vector3d(0, ycl1 - 0.5, 0.25 * m_levels[l1].bodyH - 12.0));
    // sacral canal (fat) and the end of the thecal sac at S2
    for (std::size_t k = 0; k < m_sacralCanal.size(); ++k) {
      const auto& [centre, size] = m_sacralCanal[k];
      addPart(fat, Shape::EllipticCylinder, centre, m_frames.back().axes, size, 1.0);
      if (k == 0) {
        addPart(sac, Shape::Ellipsoid, centre, m_frames.back().axes,
                Vector3d(size.x() - 2.5, size.y() - 1.5, size.z() + 2.0));
      }
    }
    m_anatomy.truth.landmarks.push_back({ "conus_medullaris", m_conusTip });
  }

  // ---- roots, foramina and ganglia -------------------------------------------------------------
  /// Bone distance of the vertebra objects at `p` (negative inside bone).
  double boneDistance(const Vector3d& p, std::initializer_list<std::string> levels, int disc = -1) const
  {
    double d = disc >= 0 ? m_anatomy.scene.objectDistance(disc, p) : 1e30;
    for (const auto& l : levels) {
      auto it = m_vertebraObject.find(l);
      if (it != m_vertebraObject.end()) {
        d = std::min(d, m_anatomy.scene.objectDistance(it->second, p));
      }
    }
    return d;
  }

  /// Free interval (no bone of `levels`) along `dir` through `p`: [lo, hi] offsets from p.
  std::pair<double, double> freeInterval(const Vector3d& p, const Vector3d& dir,
                                         std::initializer_list<std::string> levels, double reach,
                                         int disc = -1) const
  {
    const double step = 0.2;
    double lo = 0.0;
    double hi = 0.0;
    while (lo > -reach && boneDistance(p + (lo - step) * dir, levels, disc) > 0) {
      lo -= step;
    }
    while (hi < reach && boneDistance(p + (hi + step) * dir, levels, disc) > 0) {
      hi += step;
    }
    return { lo, hi };
  }

  void addForaminaAndGanglia()
  {
    int roots = addObject("nerve roots", labels::kNerveRoot, 13, plain("nerve"), 1.5);
    int cauda = addObject("cauda equina", labels::kCaudaEquina, 12, plain("nerve"), 1.0);
    int foramFat = addObject("foraminal fat", labels::kForaminalFat, 8, plain("fat"), 2.0);
    int s1Tunnel = addObject("sacral foramina", labels::kForaminalFat, 10, plain("fat"), 2.0);
    m_anatomy.truth.labelNames[labels::kNerveRoot] = "nerve roots";
    m_anatomy.truth.labelNames[labels::kCaudaEquina] = "cauda equina";
    m_anatomy.truth.labelNames[labels::kForaminalFat] = "foraminal fat";
    double takeoff = rad(m_takeoffDegrees);
    std::size_t n = m_levels.size();
    std::size_t l1 = indexOf("L1");
    int strand = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const LevelDims& d = m_levels[i];
      const Frame& f = m_frames[i];
      bool sacral = d.level == "S1";
      const DrgPriors& priors = drgPriors();
      const DrgLevelPrior* found = priors.find(d.level);
      if (found == nullptr) {
        throw Error(ErrorCode::Internal, "no DRG prior for " + d.level);
      }
      const DrgLevelPrior& prior = *found;
      double yc = canalY(d);
      double pedBottom = pedicleZ(d) - 0.5 * d.pedH;
      for (double s : { 1.0, -1.0 }) {
        Side side = s > 0 ? Side::Left : Side::Right;
        // ganglion position in this vertebra's frame
        double gx = 0;
        if (prior.medialOffset) {
          gx = 0.5 * d.canalW + *prior.medialOffset;
        } else {
          gx = 0.5 * d.canalW + d.pedW + priors.thoracicGapLateralMm +
               0.5 * prior.width; // lateral to the pedicle
        }
        double gz = sacral ? pedicleZ(d) - priors.s1BelowPedicleCentreMm
                           : pedBottom - priors.belowPedicleMm - 0.5 * prior.width;
        double gy = 0;
        if (sacral) {
          gy = yc - 0.5 * d.canalD + 0.5 * prior.width + 0.5;
        } else {
          // dorsal part of the free foraminal interval, measured on the bone from a start in free
          // space (the nearest behind 4 mm past the body, else in front: the spine model's rule)
          const std::initializer_list<std::string> walls = { d.level, m_levels[i + 1].level };
          const Vector3d back = f.axes.col(1);
          double start = 0.5 * d.bodyD + 4.0;
          for (double t = 0.0; t <= 6.0; t += 0.2) {
            if (boneDistance(f.toWorld(Vector3d(s * gx, start + t, gz)), walls, -1) > 0) {
              start += t;
              break;
            }
            if (boneDistance(f.toWorld(Vector3d(s * gx, start - t, gz)), walls, -1) > 0) {
              start -= t;
              break;
            }
          }
          Vector3d probe = f.toWorld(Vector3d(s * gx, start, gz));
          auto [lo, hi] = freeInterval(probe, back, walls, 25.0);
          double y0 = start + lo;
          double y1 = start + hi;
          gy = y0 + priors.dorsalFraction * (y1 - y0);
          gy = std::clamp(gy, y0 + 0.5 * prior.width + 0.3,
                          std::max(y0 + 0.5 * prior.width + 0.3, y1 - 0.5 * prior.width - 0.3));
        }
        Vector3d gLocal(s * gx, gy, gz);
        Vector3d centre = f.toWorld(gLocal);
        Vector3d axisLocal = sacral ? Vector3d(s * 0.35, -0.45, -0.82)
                                    : Vector3d(s * std::sin(takeoff), -0.35, -std::cos(takeoff));
        Vector3d axis = (f.axes * axisLocal).normalized();

        PhantomGanglion g;
        g.level = d.level;
        g.side = side;
        g.label = labels::ganglionLabel(d.level, s < 0);
        g.centre = centre;
        g.axis = axis;
        g.lengthMm = prior.length;
        g.widthMm = prior.width;
        g.heightMm = prior.width;
        double medial = 0.5 * d.canalW;
        double lateral = 0.5 * d.canalW + d.pedW;
        g.zone = gx < medial ? "intraspinal" : gx <= lateral ? "foraminal" : "extraforaminal";
        m_anatomy.truth.ganglia.push_back(g);
        m_anatomy.truth.labelNames[g.label] = "DRG " + d.level + " " + sideName(side);
        int gObj = addObject("DRG " + d.level + " " + sideName(side), g.label, 14,
                             Material{ tissue("ganglion"), tissue("ganglion_rim"), 0.6 }, 0.0);
        addPart(gObj, Shape::Ellipsoid, centre, axesFromZ(axis, f.axes.col(2)),
                Vector3d(0.5 * prior.width, 0.5 * prior.width, 0.5 * prior.length));

        // root: takeoff from the thecal sac, down the lateral recess, through the ganglion, out
        double rootR = d.thoracic ? 1.5 : sacral ? 2.4 : 2.1;
        double sacHalf = m_sacHalfWidth.at(d.level);
        Vector3d take = f.toWorld(
          Vector3d(s * (sacHalf - 1.0), yc - 1.5, sacral ? 0.5 * d.bodyH + 8.0 : 0.5 * d.bodyH + 2.0));
        Vector3d recess = f.toWorld(
          Vector3d(s * (0.5 * d.canalW - 2.5), 0.5 * d.bodyD + 3.0, pedBottom + (sacral ? 4.0 : -1.0)));
        Vector3d gIn = centre - axis * (0.5 * prior.length);
        Vector3d gOut = centre + axis * (0.5 * prior.length);
        capsule(roots, take, recess, rootR);
        capsule(roots, recess, gIn, rootR);
        capsule(roots, gIn, gOut, rootR);
        Vector3d distal = gOut + axis * 14.0;
        if (sacral) {
          // S1: through the sacrum to the anterior (pelvic) S1 foramen, dorsal ramus backwards
          Vector3d inner = f.toWorld(Vector3d(s * (0.5 * d.canalW + 6.0), 0.0, -0.5 * d.bodyH - 4.0));
          Vector3d exitA =
            f.toWorld(Vector3d(s * (0.5 * d.canalW + 9.0), -0.5 * d.bodyD - 12.0, -0.5 * d.bodyH - 14.0));
          Vector3d exitP =
            f.toWorld(Vector3d(s * (0.5 * d.canalW + 3.0), yc + 0.5 * d.canalD + 12.0, -0.5 * d.bodyH - 6.0));
          capsule(s1Tunnel, gOut, inner, 4.5);
          capsule(s1Tunnel, inner, exitA, 4.5);
          capsule(s1Tunnel, inner, exitP, 3.0);
          capsule(roots, gOut, inner, rootR);
          capsule(roots, inner, exitA, rootR);
          distal = exitA + (exitA - inner).normalized() * 10.0;
          capsule(roots, exitA, distal, rootR);
          m_anatomy.truth.landmarks.push_back(
            { std::string("s1_anterior_foramen_") + sideName(side), exitA });
        } else {
          capsule(roots, gOut, distal, rootR + 0.3);
          Vector3d far = distal + (axis + f.axes.col(1) * -0.6).normalized() * 25.0;
          capsule(roots, distal, far, rootR + 0.6);
        }

        // cauda equina strand from the conus down to this root's takeoff (roots below L1)
        if (i > l1) {
          double off = 1.0 + 0.7 * strand;
          std::vector<Vector3d> pts = { m_conusTip + f.axes * Vector3d(s * 1.0, 0.5, 0) };
          for (std::size_t k = l1 + 1; k < i; ++k) {
            const LevelDims& dk = m_levels[k];
            pts.push_back(
              m_frames[k].toWorld(Vector3d(s * std::min(off, 0.5 * dk.canalW - 4.0), canalY(dk) + 1.0, 0.0)));
          }
          pts.push_back(take);
          for (std::size_t k = 0; k + 1 < pts.size(); ++k) {
            capsule(cauda, pts[k], pts[k + 1], 1.1);
          }
        }

        if (!sacral) {
          addForamen(i, s, foramFat);
        }
      }
      if (i > l1) {
        ++strand;
      }
    }
    // lower sacral roots continue as a bundle in the sacral canal
    const auto& sacral0 = m_sacralCanal.front().first;
    for (double s : { 1.0, -1.0 }) {
      capsule(cauda, m_conusTip + Vector3d(s * 1.5, 1.0, 0),
              sacral0 + m_frames.back().axes * Vector3d(s * 2.0, 0, 0), 1.3);
    }
  }

  void addForamen(std::size_t i, double s, int fatObject)
  {
    const LevelDims& d = m_levels[i];
    const LevelDims& b = m_levels[i + 1];
    const Frame& f = m_frames[i];
    const Frame& fb = m_frames[i + 1];
    double xMidA = s * (0.5 * d.canalW + 0.5 * d.pedW);
    double xMidB = s * (0.5 * b.canalW + 0.5 * b.pedW);
    Vector3d pedA = f.toWorld(Vector3d(xMidA, 0.5 * d.bodyD + 3.0, pedicleZ(d) - 0.5 * d.pedH));
    Vector3d pedB = fb.toWorld(Vector3d(xMidB, 0.5 * b.bodyD + 3.0, pedicleZ(b) + 0.5 * b.pedH));
    Vector3d up = m_discFrames[i].axes.col(2);
    Vector3d post = m_discFrames[i].axes.col(1);
    // free height between the pedicles at their mid-line, then the free antero-posterior width there
    Vector3d centre = 0.5 * (pedA + pedB);
    auto [zlo, zhi] = freeInterval(centre, up, { d.level, b.level }, 40.0);
    centre += up * (0.5 * (zlo + zhi));
    double height = zhi - zlo;
    auto [lo, hi] = freeInterval(centre, post, { d.level, b.level }, 20.0, m_discObject.at(i));
    centre += post * (0.5 * (lo + hi));
    double width = hi - lo;
    PhantomForamen fo;
    fo.upperLevel = d.level;
    fo.lowerLevel = b.level;
    fo.side = s > 0 ? Side::Left : Side::Right;
    fo.centre = centre;
    fo.axis = (m_discFrames[i].axes.col(0) * s).normalized();
    fo.widthMm = width;
    fo.heightMm = height;
    m_anatomy.truth.foramina.push_back(fo);
    addPart(fatObject, Shape::Ellipsoid, centre, m_discFrames[i].axes,
            Vector3d(6.0, std::max(2.5, 0.5 * width), std::max(4.0, 0.5 * height)));
  }

  // ---- soft tissue -----------------------------------------------------------------------------
  double spineY(double z) const
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

  void addSoftTissue()
  {
    Scene& sc = m_anatomy.scene;
    // outline profile keyed on the anatomy: chest at T10, waist at L3, pelvis, buttocks below S1
    double zTop = m_frames.front().origin.z();
    double zL3 = m_frames[indexOf("L3")].origin.z();
    double zCrest = m_discFrames[indexOf("L4")].origin.z();
    double zS1 = m_frames.back().origin.z();
    double y0 = m_frames[indexOf("L3")].origin.y();
    struct Key
    {
      double z, halfWidth, anterior, posterior;
    };
    std::vector<Key> keys = { { zTop + 400, 165, 160, 95 }, { zTop, 165, 160, 95 },
                              { zL3, 158, 145, 100 },       { zCrest, 182, 142, 102 },
                              { zS1, 188, 132, 110 },       { zS1 - 60, 190, 125, 150 },
                              { zS1 - 140, 185, 115, 150 }, { zS1 - 600, 185, 115, 150 } };
    OutlineProfile& prof = sc.outline;
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
      double ys = std::min(spineY(z), m_frames.back().origin.y() + 30.0);
      prof.rows.push_back({ hw, y0 - ant, ys + post });
    }
    Material skin{ tissue("fat"), tissue("skin"), 2.0 };
    int outline = addObject("body", labels::kSkin, 1, skin, 0.0);
    addPart(outline, Shape::Outline, Vector3d::Zero(), Matrix3d::Identity(), Vector3d(0, 0, 0));
    int muscleWall = addObject("muscle", labels::kMuscle, 2, plain("muscle"), 0.0);
    addPart(muscleWall, Shape::Outline, Vector3d::Zero(), Matrix3d::Identity(), Vector3d(20, 24, 14));
    Material bowel{ tissue("viscera"), tissue("viscera"), 0.0 };
    bowel.texture = tissue("fat");
    int viscera = addObject("viscera", labels::kViscera, 3, bowel, 0.0);
    addPart(viscera, Shape::Outline, Vector3d::Zero(), Matrix3d::Identity(), Vector3d(36, 38, 95));
    m_anatomy.truth.labelNames[labels::kSkin] = "skin and subcutaneous fat";
    m_anatomy.truth.labelNames[labels::kMuscle] = "muscle";
    m_anatomy.truth.labelNames[labels::kViscera] = "abdominal and pelvic viscera";

    // muscles following the spine
    int paraspinal = addObject("paraspinal muscles", labels::kMuscle, 6, plain("muscle"), 6.0);
    int psoas = addObject("psoas", labels::kPsoas, 6, plain("muscle"), 6.0);
    m_anatomy.truth.labelNames[labels::kPsoas] = "psoas";
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
      addPart(paraspinal, Shape::Ellipsoid,
              Vector3d(s * (m_iliumXs + 40.0), m_iliumY + 52.0, m_iliumZ - 55.0), Matrix3d::Identity(),
              Vector3d(50.0, 34.0, 62.0));

      // kidneys in perirenal fat, left higher than right
      const Frame& fl1 = m_frames[l1];
      Vector3d kc = fl1.origin + Vector3d(s * (0.5 * m_levels[l1].bodyW + 48.0), 22.0, s > 0 ? 4.0 : -14.0);
      int perirenal = addObject("perirenal fat " + side, labels::kViscera, 4, plain("fat"), 0.0);
      addPart(perirenal, Shape::Ellipsoid, kc, rotZ(s * 0.3), Vector3d(38.0, 32.0, 64.0));
      int kidney = addObject("kidney " + side, labels::kKidney, 5, plain("kidney"), 0.0);
      addPart(kidney, Shape::Ellipsoid, kc, rotZ(s * 0.3), Vector3d(28.0, 22.0, 54.0));
    }
    m_anatomy.truth.labelNames[labels::kKidney] = "kidney";

    // great vessels in front of the spine
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

    // bowel gas pockets, placed from the seed
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

    // pocket and skin landmarks (on the skin surface)
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

  void finishTruth()
  {
    PhantomTruth& t = m_anatomy.truth;
    for (std::size_t i = 0; i < m_levels.size(); ++i) {
      const LevelDims& d = m_levels[i];
      PhantomVertebra v;
      v.level = d.level;
      v.label = vertebraLabel(d.level);
      v.bodyCentre = m_frames[i].origin;
      v.centroid = v.bodyCentre;
      v.frame = m_frames[i].axes;
      v.bodyHeightMm = d.bodyH;
      v.bodyWidthMm = d.bodyW;
      v.bodyDepthMm = d.bodyD;
      v.hasRibs = d.thoracic;
      t.vertebrae.push_back(v);
      t.labelNames[v.label] = d.level;
    }
    PhantomVertebra sac;
    sac.level = "sacrum";
    sac.label = vertebraLabel("sacrum");
    sac.bodyCentre = m_sacrumBody; // centre of the S2 segment
    sac.centroid = sac.bodyCentre;
    sac.frame = m_frames.back().axes;
    t.vertebrae.push_back(sac);
    t.labelNames[sac.label] = "sacrum";
    t.labelNames[labels::kEpiduralFat] = "epidural fat";
    t.labelNames[labels::kThecalSac] = "thecal sac (CSF)";
    t.labelNames[labels::kCord] = "spinal cord";

    for (const auto& p : m_pedicles) {
      const Frame& f = m_frames[indexOf(p.level)];
      const LevelDims& d = m_levels[indexOf(p.level)];
      PhantomPedicle pp;
      pp.level = p.level;
      pp.side = p.s > 0 ? Side::Left : Side::Right;
      pp.centre = f.toWorld(p.centre);
      pp.medialBorder = f.toWorld(Vector3d(p.s * 0.5 * d.canalW, p.centre.y(), p.centre.z()));
      pp.lateralBorder = f.toWorld(Vector3d(p.s * (0.5 * d.canalW + d.pedW), p.centre.y(), p.centre.z()));
      pp.widthMm = p.width;
      pp.heightMm = p.height;
      t.pedicles.push_back(pp);
    }
    // lowest ribs: the labelling anchor
    for (std::size_t i = m_levels.size(); i-- > 0;) {
      if (m_levels[i].thoracic) {
        t.landmarks.push_back({ "lowest_rib_tip_left", m_ribTips.at(m_levels[i].level + "L") });
        t.landmarks.push_back({ "lowest_rib_tip_right", m_ribTips.at(m_levels[i].level + "R") });
        break;
      }
    }
    t.landmarks.push_back({ "sacrum_tip", m_sacrumTip });

    // bounds: every vertebra's bone, and the whole body's imaged region
    Scene& sc = m_anatomy.scene;
    for (const auto& [level, obj] : m_vertebraObject) {
      Box b;
      for (int pi : sc.objects[static_cast<std::size_t>(obj)].parts) {
        b.extend(sc.parts[static_cast<std::size_t>(pi)].box);
      }
      m_anatomy.vertebraBounds[level] = b;
      m_anatomy.bodyBounds.extend(b);
    }
  }

  struct PedicleRecord
  {
    std::string level;
    double s;
    Vector3d centre;
    double width, height;
  };

  PhantomOptions m_options;
  Anatomy m_anatomy;
  std::map<std::string, double> m_tissue;
  std::vector<LevelDims> m_levels;
  std::vector<Frame> m_frames;
  std::vector<Frame> m_discFrames;
  std::map<std::string, int> m_vertebraObject;
  std::map<std::size_t, int> m_discObject;
  std::map<std::string, Vector3d> m_tpTips, m_ribTips;
  std::map<std::string, double> m_sacHalfWidth;
  std::vector<PedicleRecord> m_pedicles;
  std::vector<std::pair<Vector3d, Vector3d>> m_sacralCanal;
  std::vector<Vector3d> m_sacralSegments;
  Vector3d m_sacrumTip = Vector3d::Zero();
  Vector3d m_sacrumBody = Vector3d::Zero();
  Vector3d m_conusTip = Vector3d::Zero();
  double m_alaReach = 0, m_alaHeight = 0, m_alaDepth = 0, m_slopePerLordosis = 0, m_takeoffDegrees = 55;
  double m_iliumXs = 0, m_iliumY = 0, m_iliumZ = 0;
};

} // namespace

Anatomy buildAnatomy(const PhantomOptions& options)
{
  AnatomyBuilder builder(options);
  return builder.build();
}

void coverOutline(Anatomy& anatomy, const Box& box)
{
  Scene& sc = anatomy.scene;
  for (auto& p : sc.parts) {
    if (p.shape != Shape::Outline) {
      continue;
    }
    double hw = 0;
    double ya = 1e30;
    double yp = -1e30;
    for (const auto& r : sc.outline.rows) {
      hw = std::max(hw, r.halfWidth);
      ya = std::min(ya, r.yAnterior);
      yp = std::max(yp, r.yPosterior);
    }
    p.box = Box();
    p.box.extend(Vector3d(-hw, ya, box.lo.z() - 5.0));
    p.box.extend(Vector3d(hw, yp, box.hi.z() + 5.0));
  }
}

} // namespace drg::imaging::phantom
