#include "phantom/PhantomAnatomyBuilder.h"
#include "phantom/PhantomPopulation.h"

#include <algorithm>
#include <cmath>

namespace drg::imaging::phantom
{
namespace
{

using Eigen::Matrix3d;
using Eigen::Vector3d;

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

} // namespace

// ---- vertebrae ----------------------------------------------------------------------------------
void AnatomyBuilder::addVertebra(std::size_t i)
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
    m_pedicles.push_back({ d.level, s, centre, d.pedW, d.pedH, axis, halfLen });

    // lamina: from the pedicle's back to the midline behind the canal (gone after a laminectomy)
    bool removed = laminectomy(d.level);
    Vector3d lp(s * (0.5 * d.canalW + 0.4 * d.pedW), yBack + 1.0, zLam);
    Vector3d lm(0.0, yc + 0.5 * d.canalD + 3.0, zLam);
    if (!removed) {
      boxBetween(obj, f.toWorld(lp), f.toWorld(lm), ez, lamHalfH, 3.0, 2.0, 3.0);
    }

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
  // (after a laminectomy the spinous process or the median crest is gone with the laminae)
  if (!sacral && !laminectomy(d.level)) {
    // spinous process: from the laminar junction backwards (and caudally in the thoracic spine)
    Vector3d sm(0.0, yc + 0.5 * d.canalD + 3.0, zLam + 1.0);
    Vector3d st(0.0, sm.y() + d.spLength, sm.z() - d.spDrop);
    boxBetween(obj, f.toWorld(sm), f.toWorld(st), ez, 0.5 * d.spHeight, 3.5, 2.5);
  } else if (sacral) {
    if (!laminectomy(d.level)) {
      // median sacral crest
      Vector3d sm(0.0, yc + 0.5 * d.canalD + 3.0, zLam);
      Vector3d st(0.0, sm.y() + d.spLength, sm.z() - 4.0);
      boxBetween(obj, f.toWorld(sm), f.toWorld(st), ez, 0.5 * d.spHeight, 3.0, 2.5);
    }
    // alae: lateral wings that meet the ilia at the sacroiliac joints
    for (double s : { 1.0, -1.0 }) {
      Vector3d c(s * (0.5 * d.bodyW + 0.5 * m_alaReach - 6.0), 2.0, -5.0);
      addPart(obj, Shape::Ellipsoid, f.toWorld(c), R,
              Vector3d(0.5 * m_alaReach + 9.0, 0.5 * m_alaDepth, 0.5 * m_alaHeight));
    }
  }
}

void AnatomyBuilder::addDisc(std::size_t i)
{
  const LevelDims& a = m_levels[i];
  const LevelDims& b = m_levels[i + 1];
  const Frame& f = m_discFrames[i];
  Material m{ tissue("disc_nucleus"), tissue("disc_annulus"), 7.0 };
  int obj = addObject(a.level + "/" + b.level + " disc", labels::kDiscBase + static_cast<int>(i), 7, m, 0.0);
  m_discObject[i] = obj;
  double w = 0.25 * (a.bodyW + b.bodyW) - 0.8;
  double dd = 0.25 * (a.bodyD + b.bodyD) - 0.8;
  addPart(obj, Shape::EllipticCylinder, f.origin, f.axes, Vector3d(w, dd, 0.5 * a.discBelow + 2.5), 2.0);
  m_anatomy.truth.labelNames[labels::kDiscBase + static_cast<int>(i)] = a.level + "/" + b.level + " disc";
}

// ---- sacrum below S1 ----------------------------------------------------------------------------
void AnatomyBuilder::addSacrum()
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

// ---- ribs ---------------------------------------------------------------------------------------
void AnatomyBuilder::addRibs()
{
  int ribIndex = 0;
  for (std::size_t i = 0; i < m_levels.size(); ++i) {
    const LevelDims& d = m_levels[i];
    if (!d.thoracic) {
      continue;
    }
    // T10 reaches the costal margin, T11 and T12 float; each lower rib is shorter. The twelfth
    // pair may be a stub or missing (11 rib pairs)
    bool twelfth = d.level == "T12";
    if (twelfth && m_options.twelfthRib == TwelfthRib::Absent) {
      continue;
    }
    int label = labels::kRibBase + ribIndex;
    m_anatomy.truth.labelNames[label] = "rib " + d.level;
    double length = std::max(80.0, 230.0 - 55.0 * ribIndex);
    if (twelfth && m_options.twelfthRib == TwelfthRib::Hypoplastic) {
      length = hypoplasticRibLength(m_options.anatomySeed);
    }
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
      int steps = std::max(1, static_cast<int>(length / 10.0));
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

// ---- pelvis -------------------------------------------------------------------------------------
void AnatomyBuilder::addIlia()
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
    addPart(obj, Shape::Ellipsoid, P(xs + 45, yS - 38, zA - 82), Matrix3d::Identity(), Vector3d(22, 26, 30));
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

} // namespace drg::imaging::phantom
