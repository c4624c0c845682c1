#include "phantom/PhantomAnatomyBuilder.h"
#include "phantom/PhantomPopulation.h"

#include "drg/imaging/Error.h"

#include <algorithm>
#include <cmath>

namespace drg::imaging::phantom
{
namespace
{

using Eigen::Matrix3d;
using Eigen::Vector3d;

/// The mean of two levels' dimensions: the T13 of a thoracolumbar transitional spine.
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

} // namespace

AnatomyBuilder::AnatomyBuilder(const PhantomOptions& options)
  : m_options(options)
{
  loadTissues();
  loadLevels();
}

Anatomy AnatomyBuilder::build()
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
  addSurgery();
  addCanal();
  addForaminaAndGanglia();
  addSoftTissue();
  finishTruth();
  return std::move(m_anatomy);
}

// ---- materials ---------------------------------------------------------------------------------
void AnatomyBuilder::loadTissues()
{
  m_tissue = readTissues(m_options.contrast);
  if (m_options.contrast == PhantomContrast::Ct) {
    m_tissue["cortical_bone"] = m_options.corticalHu;
    m_tissue["cancellous_bone"] = m_options.cancellousHu;
  }
  m_anatomy.airValue = tissue("air");
}

double AnatomyBuilder::tissue(const std::string& name) const
{
  auto it = m_tissue.find(name);
  if (it == m_tissue.end()) {
    throw Error(ErrorCode::Internal, "tissue missing from assets/phantom/tissues.json: " + name);
  }
  return it->second;
}

// ---- levels ------------------------------------------------------------------------------------
void AnatomyBuilder::loadLevels()
{
  VertebraTable vertebrae = readVertebrae();
  const std::map<std::string, LevelDims>& table = vertebrae.levels;
  m_alaReach = vertebrae.alaReach;
  m_alaHeight = vertebrae.alaHeight;
  m_alaDepth = vertebrae.alaDepth;
  m_slopePerLordosis = vertebrae.slopePerLordosis;
  m_sacralSegments = vertebrae.sacralSegments;

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
  m_anatomy.truth.anatomyJson = drawLevelSizes(m_levels, m_options.anatomySeed);
  if (m_options.transitional == TransitionalAnatomy::SacralizedL5) {
    m_levels[indexOf("L5")].discBelow = 4.0; // rudimentary disc
  }
  for (const auto& level : m_options.surgery.discCollapse) {
    // a degenerated disc keeps about a quarter of its height (with gas in it: addSurgery)
    LevelDims& d = m_levels[indexOf(level)];
    d.discBelow = std::max(2.0, 0.25 * d.discBelow);
  }
  double shareSum = 0;
  for (const auto& d : m_levels) {
    shareSum += d.lordosisShare;
  }
  for (auto& d : m_levels) {
    d.lordosisShare /= shareSum;
  }
}

std::size_t AnatomyBuilder::indexOf(const std::string& level) const
{
  for (std::size_t i = 0; i < m_levels.size(); ++i) {
    if (m_levels[i].level == level) {
      return i;
    }
  }
  throw Error(ErrorCode::Internal, "phantom level missing: " + level);
}

// ---- parts and objects -------------------------------------------------------------------------
int AnatomyBuilder::addObject(const std::string& name, int label, int priority, const Material& material,
                              double blend)
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

int AnatomyBuilder::addPart(int object, Shape shape, const Vector3d& centre, const Matrix3d& axes,
                            const Vector3d& size, double round)
{
  if (shape == Shape::EllipticCylinder && (size.x() <= round || size.y() <= round)) {
    // (the rounded section's semi-axes would be zero or negative: its distance is not a number,
    // and a NaN in one part spoils its whole object wherever the part's box reaches)
    throw Error(ErrorCode::Internal, "phantom part thinner than its rounding in " +
                                       m_anatomy.scene.objects[static_cast<std::size_t>(object)].name);
  }
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
    Vector3d corner((c & 1) ? ext.x() : -ext.x(), (c & 2) ? ext.y() : -ext.y(), (c & 4) ? ext.z() : -ext.z());
    p.box.extend(centre + axes * corner);
  }
  m_anatomy.scene.parts.push_back(p);
  int index = static_cast<int>(m_anatomy.scene.parts.size() - 1);
  m_anatomy.scene.objects[static_cast<std::size_t>(object)].parts.push_back(index);
  return index;
}

int AnatomyBuilder::capsule(int object, const Vector3d& a, const Vector3d& b, double radius)
{
  Vector3d d = b - a;
  double len = d.norm();
  Matrix3d axes = len > 1e-9 ? axesFromZ(d, d.unitOrthogonal()) : Matrix3d::Identity();
  return addPart(object, Shape::Capsule, 0.5 * (a + b), axes, Vector3d(radius, radius, 0.5 * len));
}

int AnatomyBuilder::boxBetween(int object, const Vector3d& a, const Vector3d& b, const Vector3d& widthHint,
                               double halfWidth, double halfThick, double round, double extraLength)
{
  Vector3d d = b - a;
  Matrix3d axes = axesFromZ(d, widthHint);
  return addPart(object, Shape::RoundedBox, 0.5 * (a + b), axes,
                 Vector3d(halfWidth, halfThick, 0.5 * d.norm() + extraLength), round);
}

// ---- spine pose --------------------------------------------------------------------------------
/// Lateral tilt (scoliosis) added by the disc below level i: a main lumbar curve with
/// compensating curves above and below, so that the main curve's Cobb angle is the option value.
double AnatomyBuilder::scoliosisStep(std::size_t i) const
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

double AnatomyBuilder::axialRotation(std::size_t i) const
{
  auto apex = static_cast<double>(indexOf("L2"));
  double t = 1.0 - std::abs(static_cast<double>(i) - apex) / 4.0;
  return rad(m_options.axialRotationDegrees) * std::max(t, 0.0);
}

void AnatomyBuilder::placeVertebrae()
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
  if (!m_options.surgery.listhesisLevel.empty()) {
    // spondylolisthesis: the slipped vertebra and everything above it move forwards over the
    // vertebra below, the disc between by half
    std::size_t slip = indexOf(m_options.surgery.listhesisLevel);
    Vector3d forward = -m_frames[slip + 1].axes.col(1) * m_options.surgery.listhesisMm;
    for (std::size_t k = 0; k <= slip; ++k) {
      m_frames[k].origin += forward;
      m_discFrames[k].origin += k == slip ? Vector3d(0.5 * forward) : forward;
    }
  }
}

// ---- truth -------------------------------------------------------------------------------------
void AnatomyBuilder::finishTruth()
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
    v.hasRibs = d.thoracic && m_ribTips.count(d.level + "L") > 0;
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
    if (m_levels[i].thoracic && m_ribTips.count(m_levels[i].level + "L") > 0) {
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

} // namespace drg::imaging::phantom
