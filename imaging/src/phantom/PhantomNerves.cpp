#include "phantom/PhantomAnatomyBuilder.h"

#include "drg/imaging/Error.h"

#include <algorithm>
#include <cmath>

namespace drg::imaging::phantom
{

using Eigen::Matrix3d;
using Eigen::Vector3d;

// ---- spinal canal and its contents ---------------------------------------------------------------
void AnatomyBuilder::addCanal()
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

// ---- roots, foramina and ganglia -----------------------------------------------------------------
double AnatomyBuilder::boneDistance(const Vector3d& p, std::initializer_list<std::string> levels,
                                    int disc) const
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

std::pair<double, double> AnatomyBuilder::freeInterval(const Vector3d& p, const Vector3d& dir,
                                                       std::initializer_list<std::string> levels,
                                                       double reach, int disc) const
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

void AnatomyBuilder::addForaminaAndGanglia()
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
    bool sacral = d.level == "S1";
    const DrgLevelPrior* found = drgPriors().find(d.level);
    if (found == nullptr) {
      throw Error(ErrorCode::Internal, "no DRG prior for " + d.level);
    }
    const DrgLevelPrior& prior = *found;
    for (double s : { 1.0, -1.0 }) {
      PhantomGanglion g = addGanglion(i, s, prior, takeoff);
      Vector3d take = addRoot(i, s, g, roots, s1Tunnel);
      // cauda equina strand from the conus down to this root's takeoff (roots below L1)
      if (i > l1) {
        addCaudaStrand(i, s, strand, take, cauda);
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
    std::vector<Vector3d> pts = caudaCourse(n - 1, s * 1.5);
    pts.push_back(sacral0 + m_frames.back().axes * Vector3d(s * 2.0, 0, 0));
    for (std::size_t k = 0; k + 1 < pts.size(); ++k) {
      capsule(cauda, pts[k], pts[k + 1], 1.3);
    }
  }
}

Vector3d AnatomyBuilder::ganglionInFrame(std::size_t i, double s, const DrgLevelPrior& prior) const
{
  const LevelDims& d = m_levels[i];
  const Frame& f = m_frames[i];
  bool sacral = d.level == "S1";
  const DrgPriors& priors = drgPriors();
  double yc = canalY(d);
  double pedBottom = pedicleZ(d) - 0.5 * d.pedH;
  double gx = 0;
  if (prior.medialOffset) {
    gx = 0.5 * d.canalW + *prior.medialOffset;
  } else {
    gx = 0.5 * d.canalW + d.pedW + priors.thoracicGapLateralMm + 0.5 * prior.width; // lateral to the pedicle
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
  return Vector3d(gx, gy, gz);
}

PhantomGanglion AnatomyBuilder::addGanglion(std::size_t i, double s, const DrgLevelPrior& prior,
                                            double takeoff)
{
  const LevelDims& d = m_levels[i];
  const Frame& f = m_frames[i];
  bool sacral = d.level == "S1";
  Side side = s > 0 ? Side::Left : Side::Right;
  Vector3d inFrame = ganglionInFrame(i, s, prior);
  double gx = inFrame.x();
  Vector3d gLocal(s * gx, inFrame.y(), inFrame.z());
  Vector3d centre = f.toWorld(gLocal);
  Vector3d axisLocal =
    sacral ? Vector3d(s * 0.35, -0.45, -0.82) : Vector3d(s * std::sin(takeoff), -0.35, -std::cos(takeoff));
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
  return g;
}

Vector3d AnatomyBuilder::addRoot(std::size_t i, double s, const PhantomGanglion& g, int roots, int s1Tunnel)
{
  const LevelDims& d = m_levels[i];
  const Frame& f = m_frames[i];
  bool sacral = d.level == "S1";
  double yc = canalY(d);
  double pedBottom = pedicleZ(d) - 0.5 * d.pedH;
  const Vector3d& centre = g.centre;
  const Vector3d& axis = g.axis;
  // root: takeoff from the thecal sac, down the lateral recess, through the ganglion, out
  double rootR = d.thoracic ? 1.5 : sacral ? 2.4 : 2.1;
  double sacHalf = m_sacHalfWidth.at(d.level);
  Vector3d take =
    f.toWorld(Vector3d(s * (sacHalf - 1.0), yc - 1.5, sacral ? 0.5 * d.bodyH + 8.0 : 0.5 * d.bodyH + 2.0));
  Vector3d recess =
    f.toWorld(Vector3d(s * (0.5 * d.canalW - 2.5), 0.5 * d.bodyD + 3.0, pedBottom + (sacral ? 4.0 : -1.0)));
  Vector3d gIn = centre - axis * (0.5 * g.lengthMm);
  Vector3d gOut = centre + axis * (0.5 * g.lengthMm);
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
    m_anatomy.truth.landmarks.push_back({ std::string("s1_anterior_foramen_") + sideName(g.side), exitA });
  } else {
    capsule(roots, gOut, distal, rootR + 0.3);
    Vector3d far = distal + (axis + f.axes.col(1) * -0.6).normalized() * 25.0;
    capsule(roots, distal, far, rootR + 0.6);
  }
  return take;
}

void AnatomyBuilder::addCaudaStrand(std::size_t i, double s, int strand, const Vector3d& take, int cauda)
{
  std::vector<Vector3d> pts = caudaCourse(i, s * (1.0 + 0.7 * strand));
  pts.push_back(take);
  for (std::size_t k = 0; k + 1 < pts.size(); ++k) {
    capsule(cauda, pts[k], pts[k + 1], 1.1);
  }
}

/// A cauda equina strand's course from the conus down to the disc above level i, `x` mm beside the
/// midline (kept 4 mm inside the canal's side) and 1 mm dorsal of the canal's centre, through
/// each disc's and level's middle as the canal is drawn: a chord over several levels of the
/// lordotic canal would leave the sac dorsally.
std::vector<Eigen::Vector3d> AnatomyBuilder::caudaCourse(std::size_t i, double x) const
{
  std::size_t l1 = indexOf("L1");
  const Frame& f = m_frames[l1];
  double s = x < 0 ? -1.0 : 1.0;
  std::vector<Vector3d> pts = { m_conusTip + f.axes * Vector3d(s * 1.0, 0.5, 0) };
  for (std::size_t k = l1; k + 1 <= i && k + 1 < m_levels.size(); ++k) {
    const LevelDims& dk = m_levels[k];
    const LevelDims& db = m_levels[k + 1];
    double halfW = 0.25 * (dk.canalW + db.canalW);
    double ycd = 0.5 * (canalY(dk) + canalY(db));
    pts.push_back(m_discFrames[k].toWorld(Vector3d(s * std::min(std::abs(x), halfW - 4.0), ycd + 1.0, 0.0)));
    if (k + 1 < i) {
      pts.push_back(m_frames[k + 1].toWorld(
        Vector3d(s * std::min(std::abs(x), 0.5 * db.canalW - 4.0), canalY(db) + 1.0, 0.0)));
    }
  }
  return pts;
}

void AnatomyBuilder::addForamen(std::size_t i, double s, int fatObject)
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

} // namespace drg::imaging::phantom
