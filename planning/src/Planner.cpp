// Auto-planning of DRG leads and the generator pocket, and the safety findings.
//
// Geometry follows the canal: at every centreline point a frame (towards the head, posterior, left)
// and the canal's half widths measured in the label map. A lead's needle enters the dorsal epidural
// space in its interlaminar window (searched over entry points and angles for a bone-free straight
// path to the skin); the sheath follows the dorsal epidural space towards the target and turns into
// the foramen; corners are rounded with circular arcs of the sheath's radius where the space allows
// (the tightest arc is reported); the lead's contacts are centred on the dorsal aspect of the ganglion
// along its root.
#include "drg/planning/Planner.h"

#include "drg/imaging/AnatomyLabels.h"
#include "drg/imaging/Error.h"

#include <Eigen/Geometry>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <limits>
#include <optional>
#include <tuple>

namespace drg::planning
{
namespace
{

constexpr double kPi = 3.14159265358979323846;
constexpr double kMinDepthMm =
  25.0; ///< no adult's epidural space lies nearer the skin: a "skin" nearer is not one
constexpr double kBoneHu = 150.0; // the spine model's bone threshold: partial-volume edges count

double deg(double rad)
{
  return rad * 180.0 / kPi;
}

double rad(double degrees)
{
  return degrees * kPi / 180.0;
}

double pathLength(const std::vector<Vector3d>& p)
{
  double s = 0;
  for (std::size_t i = 1; i < p.size(); ++i) {
    s += (p[i] - p[i - 1]).norm();
  }
  return s;
}

double segmentDistance(const Vector3d& p, const Vector3d& a, const Vector3d& b)
{
  const Vector3d ab = b - a;
  const double l2 = ab.squaredNorm();
  const double t = l2 > 0 ? std::clamp((p - a).dot(ab) / l2, 0.0, 1.0) : 0.0;
  return (a + t * ab - p).norm();
}

/// Smallest distance between two polylines (sampled at their points and segments).
double polylineDistance(const std::vector<Vector3d>& a, const std::vector<Vector3d>& b)
{
  double best = std::numeric_limits<double>::infinity();
  for (const auto& p : a) {
    for (std::size_t j = 1; j < b.size(); ++j) {
      best = std::min(best, segmentDistance(p, b[j - 1], b[j]));
    }
  }
  return best;
}

int sideSign(Side s)
{
  return s == Side::Left ? 1 : -1;
}

} // namespace

// ---- anatomy --------------------------------------------------------------------------------

struct PlanAnatomy::Impl
{
  const imaging::SpineModel& model;
  const imaging::Image<float>* volume = nullptr;
  bool ct = false;
  float airBelow = -500.0f; ///< image values below this are air
  std::array<bool, 256> boneLabel{};
  struct Station
  {
    Vector3d centre, toHead, posterior, left;
    double rPost = 7, rAnt = 7, rLeft = 9, rRight = 9; ///< canal half widths (mm)
    Vector3d bodyAxis;                                 ///< middle of the body at this height
  };
  std::vector<Station> line; ///< head to foot
  int conusIndex = -1;       ///< the cord runs above this index (-1: no cord in view)

  Impl(const imaging::SpineModel& m, const imaging::Image<float>* v)
    : model(m)
    , volume(v)
  {
    ct = v != nullptr && m.modality == "CT";
    if (v) {
      // air: CT below -500 HU; MR below a twentieth of the bright end of the image
      std::vector<float> sample;
      const auto& vox = v->voxels();
      for (std::size_t i = 0; i < vox.size(); i += 97) {
        if (std::isfinite(vox[i])) {
          sample.push_back(vox[i]);
        }
      }
      if (ct || sample.empty()) {
        airBelow = -500.0f;
      } else {
        const std::size_t q = sample.size() * 99 / 100;
        std::nth_element(sample.begin(), sample.begin() + static_cast<long>(q), sample.end());
        airBelow = 0.05f * sample[q];
      }
    }
    for (int l = 1; l < 256; ++l) {
      boneLabel[static_cast<std::size_t>(l)] = !imaging::labels::vertebraLevelOfLabel(l).empty();
    }
    buildStations();
    findConus();
  }

  /// Offset of the voxel nearest to `p` (labels and volume share one grid: checked when the
  /// anatomy is built), or nullopt outside the image.
  std::optional<std::size_t> offsetOf(const Vector3d& p) const
  {
    const auto& g = model.labels.geometry();
    const Vector3d idx = g.lpsToIndex(p);
    if (!idx.allFinite() || idx.cwiseAbs().maxCoeff() > 1e7) {
      return std::nullopt;
    }
    const long i = static_cast<long>(std::floor(idx.x() + 0.5)),
               j = static_cast<long>(std::floor(idx.y() + 0.5)),
               k = static_cast<long>(std::floor(idx.z() + 0.5));
    if (i < 0 || j < 0 || k < 0 || i >= static_cast<long>(g.size[0]) || j >= static_cast<long>(g.size[1]) ||
        k >= static_cast<long>(g.size[2])) {
      return std::nullopt;
    }
    return g.offset(static_cast<std::size_t>(i), static_cast<std::size_t>(j), static_cast<std::size_t>(k));
  }

  int labelAt(const Vector3d& p) const
  {
    const auto at = offsetOf(p);
    return at ? model.labels.voxels()[*at] : -1;
  }

  float valueAt(const Vector3d& p) const
  {
    const auto at = volume ? offsetOf(p) : std::nullopt;
    return at ? volume->voxels()[*at] : std::numeric_limits<float>::quiet_NaN();
  }

  bool isBone(const Vector3d& p) const
  {
    const auto at = offsetOf(p);
    return at && (boneLabel[model.labels.voxels()[*at]] || (ct && volume->voxels()[*at] >= kBoneHu));
  }

  /// Walks from `p` along `dir` until the label map leaves `label` (at most `limit` mm).
  double runOf(const Vector3d& p, const Vector3d& dir, int label, double limit) const
  {
    double t = 0;
    while (t < limit && labelAt(p + (t + 0.5) * dir) == label) {
      t += 0.5;
    }
    return t;
  }

  /// True when the skin at `q` is the body's surface (MR: dark for 6 mm further out along `dir`;
  /// an MR outline can mark skin inside the body, e.g. where the image was cropped).
  bool airBeyond(const Vector3d& q, const Vector3d& dir) const
  {
    if (!volume || ct) {
      return true; // CT's outline is reliable (and a supine back lies on the table, not in air)
    }
    // MR: dark for the next 6 mm (a cropped image is dark in patches inside the body too)
    int dark = 0;
    for (double t = 1.0; t <= 6.0; t += 1.0) {
      const float x = valueAt(q + t * dir);
      if (std::isnan(x)) {
        return false; // the image ends: the skin is not in it
      }
      dark += x < airBelow ? 1 : 0;
    }
    return dark == 6;
  }

  /// First skin voxel from `p` along `dir` (within `limit` mm); nullopt when the image ends first.
  std::optional<Vector3d> skinAlong(const Vector3d& p, const Vector3d& dir, double limit) const
  {
    for (double t = 0; t <= limit; t += 0.5) {
      const Vector3d q = p + t * dir;
      const int l = labelAt(q);
      if (l < 0) {
        return std::nullopt;
      }
      if (l == imaging::labels::kSkin) {
        // the body's outline (gas inside the body is not outside it); at the image's border it
        // is where the image ends, not the skin
        if (!model.labels.geometry().containsIndex(model.labels.geometry().lpsToIndex(q), -2.0)) {
          return std::nullopt;
        }
        if (airBeyond(q, dir)) {
          return q;
        }
      }
    }
    return std::nullopt;
  }

  void buildStations()
  {
    const auto& c = model.canalCentreline;
    const std::size_t n = c.size();
    line.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
      Station& s = line[i];
      s.centre = c[i];
      const Vector3d a = c[i > 0 ? i - 1 : i], b = c[i + 1 < n ? i + 1 : i];
      Vector3d t = a - b;
      if (i >= 3 && i + 3 < n) {
        t = c[i - 3] - c[i + 3];
      }
      s.toHead = t.norm() > 1e-6 ? Vector3d(t.normalized()) : Vector3d(0, 0, 1);
      Vector3d post = Vector3d(0, 1, 0) - Vector3d(0, 1, 0).dot(s.toHead) * s.toHead;
      s.posterior = post.norm() > 1e-6 ? Vector3d(post.normalized()) : Vector3d(0, 1, 0);
      s.left = s.posterior.cross(s.toHead).normalized();
      const int canal = imaging::labels::kSpinalCanal;
      if (labelAt(s.centre) == canal) {
        s.rPost = runOf(s.centre, s.posterior, canal, 20.0);
        s.rAnt = runOf(s.centre, -s.posterior, canal, 20.0);
        s.rLeft = runOf(s.centre, s.left, canal, 25.0);
        s.rRight = runOf(s.centre, -s.left, canal, 25.0);
      } else {
        s.rPost = s.rAnt = -1; // not measured here: filled from the neighbours below
      }
    }
    // fill unmeasured stations and steady the widths with a running median
    // (a low quantile: where the laminae leave a window the canal label can bulge backwards, and
    // the dorsal epidural space must not be placed in the window's soft tissue)
    auto fillAndSmooth = [&](double Station::*field, double fallback) {
      std::vector<double> v;
      for (const auto& s : line) {
        v.push_back(s.rPost < 0 ? std::numeric_limits<double>::quiet_NaN() : s.*field);
      }
      for (std::size_t i = 0; i < n; ++i) {
        std::vector<double> w;
        for (std::size_t j = i >= 7 ? i - 7 : 0; j < std::min(n, i + 8); ++j) {
          if (!std::isnan(v[j]) && v[j] >= 2.0) {
            w.push_back(v[j]);
          }
        }
        if (w.empty()) {
          line[i].*field = fallback;
        } else {
          const std::size_t q = w.size() / 4;
          std::nth_element(w.begin(), w.begin() + static_cast<long>(q), w.end());
          line[i].*field = std::clamp(w[q], 3.0, 18.0);
        }
      }
    };
    fillAndSmooth(&Station::rLeft, 9.0);
    fillAndSmooth(&Station::rRight, 9.0);
    fillAndSmooth(&Station::rAnt, 6.0);
    fillAndSmooth(&Station::rPost, 7.0);
    // the body's axis at each height: halfway between the skin in front and behind
    // (along the patient's antero-posterior axis: the sacral canal's frame is tilted)
    const Vector3d backward(0, 1, 0);
    for (auto& s : line) {
      const auto back = skinAlong(s.centre, backward, 250.0);
      const auto front = skinAlong(s.centre, -backward, 450.0);
      if (back && front) {
        s.bodyAxis = 0.5 * (*back + *front);
      } else {
        s.bodyAxis = s.centre - 80.0 * backward;
      }
    }
  }

  void findConus()
  {
    // the cord ends at about the L1/L2 disc (DOMAIN.md; MR could see it, CT cannot)
    const imaging::SpineVertebra* l1 = model.vertebra("L1");
    if (l1) {
      Vector3d end = l1->inferiorEndplate;
      for (const auto& d : model.discs) {
        if (d.upperLevel == "L1") {
          end = d.centre;
        }
      }
      conusIndex = nearestIndex(end);
      return;
    }
    bool thoracicOnly = !model.vertebrae.empty();
    for (const auto& v : model.vertebrae) {
      thoracicOnly = thoracicOnly && v.level.size() > 1 && v.level[0] == 'T';
    }
    conusIndex = thoracicOnly ? static_cast<int>(line.size()) : -1;
  }

  /// Depth behind the canal's centre of the dorsal epidural space at `lat` mm to the left: the
  /// canal's outline taken as an ellipse, 1.5 mm inside its wall.
  static double dorsalDepth(const Station& st, double lat)
  {
    const double r = lat > 0 ? st.rLeft : st.rRight;
    const double f = std::sqrt(std::max(0.0, 1.0 - (lat / r) * (lat / r)));
    return std::max(st.rPost * f - 1.5, 0.5 * st.rPost * f);
  }

  int nearestIndex(const Vector3d& p) const
  {
    int best = 0;
    double bestD = std::numeric_limits<double>::infinity();
    for (std::size_t i = 0; i < line.size(); ++i) {
      const double d = (line[i].centre - p).squaredNorm();
      if (d < bestD) {
        bestD = d;
        best = static_cast<int>(i);
      }
    }
    return best;
  }

  const Station& at(int i) const
  {
    return line[static_cast<std::size_t>(std::clamp(i, 0, static_cast<int>(line.size()) - 1))];
  }

  double cordDistance(const Vector3d& p, double radius) const
  {
    if (conusIndex <= 0) {
      return 1e9;
    }
    double best = 1e9;
    const int last = std::min(conusIndex, static_cast<int>(line.size()));
    for (int i = 0; i < last; ++i) {
      best = std::min(best, (line[static_cast<std::size_t>(i)].centre - p).norm() - radius);
    }
    return best;
  }

  /// The skin point "above" `q`: from the body's axis at that height out through `q`.
  std::optional<std::pair<Vector3d, Vector3d>> skinAbove(const Vector3d& q) const
  {
    // in the patient's axial plane (the sacral canal's own frame is tilted far from it)
    const Station& s = at(nearestIndexByHeight(q));
    const Vector3d axis(s.bodyAxis.x(), s.bodyAxis.y(), q.z());
    Vector3d dir = q - axis;
    dir.z() = 0.0;
    if (dir.norm() < 1e-3) {
      return std::nullopt;
    }
    dir.normalize();
    const Vector3d start = q - dir * std::min(40.0, (q - axis).norm());
    auto skin = skinAlong(start, dir, 400.0);
    if (!skin) {
      return std::nullopt;
    }
    return std::make_pair(*skin, dir);
  }

  int nearestIndexByHeight(const Vector3d& q) const
  {
    int best = 0;
    double bestD = std::numeric_limits<double>::infinity();
    for (std::size_t i = 0; i < line.size(); ++i) {
      const double d = std::abs((q - line[i].centre).dot(line[i].toHead));
      if (d < bestD) {
        bestD = d;
        best = static_cast<int>(i);
      }
    }
    return best;
  }
};

PlanAnatomy::PlanAnatomy(const imaging::SpineModel& model, const imaging::Image<float>* volume)
{
  if (model.canalCentreline.size() < 10) {
    throw Error(ErrorCode::NotFound, "the spine model has no canal to plan in");
  }
  if (volume) {
    const auto &a = volume->geometry(), &b = model.labels.geometry();
    if (a.size != b.size || !a.spacing.isApprox(b.spacing, 1e-6) || !a.origin.isApprox(b.origin, 1e-6) ||
        !a.direction.isApprox(b.direction, 1e-6)) {
      throw Error(ErrorCode::InvalidArgument,
                  "the volume and the spine model's label map lie on different grids");
    }
  }
  m_impl = std::make_unique<Impl>(model, volume);
}

PlanAnatomy::~PlanAnatomy() = default;

const imaging::SpineModel& PlanAnatomy::model() const
{
  return m_impl->model;
}

bool PlanAnatomy::isBone(const Vector3d& p) const
{
  return m_impl->isBone(p);
}

bool PlanAnatomy::inImage(const Vector3d& p) const
{
  return m_impl->labelAt(p) >= 0;
}

// ---- planner --------------------------------------------------------------------------------

namespace
{

/// Rounds the corners of a polyline with circular arcs of radius up to `radius` (less where the
/// segments are too short: the smallest radius used is returned) and samples it every `step` mm.
/// The first corner uses `firstRadius` and is not counted in `minRadius` (at the needle's tip the
/// Tuohy bevel turns the sheath, not the sheath's own curve).
std::vector<Vector3d> filletAndSample(const std::vector<Vector3d>& in, double radius, double firstRadius,
                                      double step, double& minRadius)
{
  std::vector<Vector3d> p;
  for (const auto& q : in) {
    if (p.empty() || (q - p.back()).norm() > 0.5) {
      p.push_back(q);
    }
  }
  minRadius = std::numeric_limits<double>::infinity();
  const std::size_t n = p.size();
  if (n < 2) {
    return p;
  }
  // tangent lengths each corner wants, then shared out where two corners compete for a segment
  std::vector<double> phi(n, 0.0), want(n, 0.0);
  for (std::size_t i = 1; i + 1 < n; ++i) {
    const Vector3d u = (p[i] - p[i - 1]).normalized(), v = (p[i + 1] - p[i]).normalized();
    phi[i] = std::acos(std::clamp(u.dot(v), -1.0, 1.0));
    want[i] =
      phi[i] > 1e-4 ? (i == 1 ? firstRadius : radius) * std::tan(0.5 * std::min(phi[i], kPi - 1e-3)) : 0.0;
  }
  std::vector<double> give = want;
  for (std::size_t s = 0; s + 1 < n; ++s) {
    const double len = (p[s + 1] - p[s]).norm();
    const double a = s > 0 ? want[s] : 0.0;             // corner at the segment's start
    const double b = s + 1 < n - 1 ? want[s + 1] : 0.0; // corner at its end
    if (!std::isfinite(a + b)) {
      continue; // (a sheath radius from a broken catalog; the catalog refuses such values)
    }
    if (a + b > len && a + b > 0) {
      const double f = len / (a + b);
      if (s > 0) {
        give[s] = std::min(give[s], a * f);
      }
      if (s + 1 < n - 1) {
        give[s + 1] = std::min(give[s + 1], b * f);
      }
    }
  }
  std::vector<Vector3d> out;
  out.push_back(p[0]);
  auto lineTo = [&](const Vector3d& q) {
    const Vector3d a = out.back();
    const double len = (q - a).norm();
    if (!(len > 1e-9)) {
      return; // no zero-length segments (tangents of the route stay defined)
    }
    const int k = std::max(1, static_cast<int>(std::ceil(std::min(len, 1e4) / step)));
    for (int j = 1; j <= k; ++j) {
      out.push_back(a + (q - a) * (static_cast<double>(j) / k));
    }
  };
  for (std::size_t i = 1; i + 1 < n; ++i) {
    if (want[i] <= 0) {
      lineTo(p[i]);
      continue;
    }
    const Vector3d u = (p[i] - p[i - 1]).normalized(), v = (p[i + 1] - p[i]).normalized();
    const double t = give[i];
    const double r = t / std::tan(0.5 * std::min(phi[i], kPi - 1e-3));
    if (i > 1) {
      minRadius = std::min(minRadius, r);
    }
    const Vector3d a = p[i] - u * t;
    lineTo(a);
    Vector3d nrm = v - v.dot(u) * u;
    if (nrm.norm() < 1e-9) {
      continue;
    }
    nrm.normalize();
    const Vector3d centre = a + r * nrm;
    const int k = std::max(2, static_cast<int>(std::ceil(r * phi[i] / step)));
    for (int j = 1; j <= k; ++j) {
      const double th = phi[i] * j / k;
      out.push_back(centre + r * (-nrm * std::cos(th) + u * std::sin(th)));
    }
  }
  lineTo(p[n - 1]);
  return out;
}

struct NeedleCandidate
{
  Vector3d entry, skin;
  double bone = 1e9;
  double cost = 1e9;
  bool skinFound = false;
};

} // namespace

Planner::Planner(const PlanAnatomy& anatomy, DeviceCatalog catalog, PlanRules rules)
  : m_anatomy(anatomy)
  , m_catalog(std::move(catalog))
  , m_rules(std::move(rules))
{
  if (m_catalog.leads().empty() || m_catalog.sheaths().empty() || m_catalog.needles().empty()) {
    throw Error(ErrorCode::InvalidArgument, "the device catalog needs at least one lead, sheath and needle");
  }
}

LeadPlan Planner::newLead(const std::string& name, const std::string& level, Side side) const
{
  if (!imaging::isLevelName(level) || level == "sacrum") {
    throw Error(ErrorCode::InvalidArgument, "'" + level + "' is not a level with a ganglion (T1-L6, S1)");
  }
  const auto& model = m_anatomy.model();
  if (!model.vertebra(level)) {
    std::string shown;
    for (const auto& v : model.vertebrae) {
      shown += (shown.empty() ? "" : ", ") + v.level;
    }
    throw Error(ErrorCode::InvalidArgument,
                "level " + level + " is not in the image (it shows " + shown + ")");
  }
  LeadPlan l;
  l.name = name;
  l.targetLevel = level;
  l.targetSide = side;
  l.approach = level == "S1" ? Approach::Sacral : Approach::ContralateralInterlaminar;
  // the entry window: one level below the target (the window under the next vertebra), but
  // never below L5/S1; S1 from the L5/S1 window
  std::vector<std::string> mobile;
  for (const auto& v : model.vertebrae) {
    if (v.level != "S1" && v.level != "sacrum") {
      mobile.push_back(v.level);
    }
  }
  auto it = std::find(mobile.begin(), mobile.end(), level);
  if (level == "S1") {
    l.entryLevel = mobile.empty() ? "L5" : mobile.back();
  } else if (it != mobile.end()) {
    l.entryLevel = (it + 1 != mobile.end()) ? *(it + 1) : *it;
  } else {
    l.entryLevel = level;
  }
  l.leadModel = m_catalog.leads().front().id;
  l.needle = m_catalog.needles().front().id;
  return l;
}

PocketPlan Planner::newPocket(PocketSite site, Side side) const
{
  if (m_catalog.generators().empty()) {
    throw Error(ErrorCode::InvalidArgument, "the device catalog has no pulse generator");
  }
  PocketPlan p;
  p.site = site;
  p.side = side;
  p.generator = m_catalog.generators().front().id;
  p.depthMm = m_rules.pocketDepthMm.value;
  return p;
}

void Planner::planLead(LeadPlan& lead, const std::vector<Vector3d>& otherEntries) const
{
  const auto& A = *m_anatomy.m_impl;
  const auto& model = A.model;
  lead.planned = false;
  lead.problem.clear();
  lead.route.clear();
  lead.contacts.clear();
  lead.tunnel.clear();
  const LeadModel* leadModel = m_catalog.lead(lead.leadModel);
  const NeedleModel* needle = m_catalog.needle(lead.needle);
  if (!leadModel || !needle) {
    lead.problem = "device '" + (!leadModel ? lead.leadModel : lead.needle) + "' is not in the catalog";
    return;
  }
  // ---- target: the ganglion estimate (or the user's point) -------------------------------------
  const imaging::DrgEstimate* drg = model.ganglion(lead.targetLevel, lead.targetSide);
  if (!drg && !lead.manualTarget) {
    lead.problem = "no ganglion estimate for " + lead.targetLevel + " " + imaging::sideName(lead.targetSide) +
                   " (level not in view or its pedicle not found): give the target point by hand";
    return;
  }
  for (const auto* q : { &lead.manualTarget, &lead.skinEntryOverride, &lead.epiduralEntryOverride }) {
    if (*q && !m_anatomy.inImage(**q)) {
      lead.problem = "a point given for this lead lies outside the image: move it or reset the lead";
      return;
    }
  }
  if (lead.skinEntryOverride && lead.epiduralEntryOverride &&
      (*lead.skinEntryOverride - *lead.epiduralEntryOverride).norm() < kMinDepthMm) {
    lead.problem = "the skin entry lies too near the epidural entry (under 25 mm): move one of them";
    return;
  }
  const int sT = sideSign(lead.targetSide);
  lead.target = lead.manualTarget ? *lead.manualTarget : drg->centre;
  lead.targetLengthMm = drg ? drg->lengthMm : 8.0;
  lead.targetWidthMm = drg ? drg->widthMm : 5.0;
  {
    const auto& st = A.at(A.nearestIndex(lead.target));
    lead.targetAxis =
      drg ? drg->axis
          : Vector3d(sT * std::sin(rad(55.0)) * st.left - std::cos(rad(55.0)) * st.toHead).normalized();
  }
  // ---- the window -------------------------------------------------------------------------------
  const imaging::SpineDisc* window = nullptr;
  for (const auto& d : model.discs) {
    if (d.upperLevel == lead.entryLevel) {
      window = &d;
    }
  }
  if (!window) {
    lead.problem = "no interlaminar window below " + lead.entryLevel + " in the image";
    return;
  }
  const bool sacral = lead.approach == Approach::Sacral;
  const double travel = sacral ? -1.0 : 1.0; // along the canal: +1 towards the head
  const int idxStep = sacral ? 1 : -1;       // centreline index step in the travel direction
  const int sE0 = A.nearestIndex(window->centre);
  const int sEntrySide = lead.approach == Approach::ContralateralInterlaminar ? -sT : sT;

  // ---- contacts on the dorsal aspect of the ganglion, along its root ---------------------------
  const Vector3d ax = lead.targetAxis.normalized();
  const auto& stT = A.at(A.nearestIndex(lead.target));
  Vector3d dorsal = stT.posterior - stT.posterior.dot(ax) * ax;
  dorsal = dorsal.norm() > 1e-6 ? Vector3d(dorsal.normalized()) : stT.posterior;
  Vector3d onDrg = lead.target + dorsal * (m_rules.contactDorsalOffset.value * lead.targetWidthMm);
  const std::vector<double> fromTip = leadModel->contactCentresFromTipMm();
  const double mid = 0.5 * (fromTip.front() + fromTip.back());
  const double proximalContact = fromTip.back() - mid + 0.5 * leadModel->contactLengthMm.value;
  {
    // the array is centred on the ganglion, but moved out along the root (as far as keeps the
    // ganglion under it) when its proximal end would reach into the thecal sac: the lead stays
    // epidural (upper lumbar ganglia lie at the pedicle's medial border)
    const auto& st = A.at(A.nearestIndex(onDrg));
    const double rLat = sT > 0 ? st.rLeft : st.rRight;
    // (not at S1: its ganglion lies in the canal, and so does the lead)
    const double slack = sacral ? 0.0 : std::max(0.0, proximalContact - 0.5 * lead.targetLengthMm - 0.5);
    double shift = 0.0;
    while (shift < slack &&
           (onDrg + ax * shift - ax * proximalContact - st.centre).dot(st.left) * sT < rLat - 3.0) {
      shift = std::min(slack, shift + 0.5);
    }
    onDrg += ax * shift;
  }
  lead.tip = onDrg + ax * mid;

  // P: where the straight stretch through the contacts begins
  const Vector3d P = onDrg - ax * (proximalContact + 3.0);
  const int sP = A.nearestIndex(P);

  // ---- needle: epidural entry in the window, straight bone-free path to the skin ----------------
  const double radius = 0.5 * needle->outerDiameterMm.value + 0.5; // the needle's width and a margin
  // walks from the entry back to the skin: bone met on the way (centre and four edge rays); gives
  // up at `boneLimit` mm of bone (the search stops at the first bone once a clear path is known)
  auto evaluate = [&](const Vector3d& entry, const Vector3d& skinSide, NeedleCandidate& c,
                      double boneLimit = 30.0) {
    const Vector3d d = (entry - skinSide).normalized();
    Vector3d e1 = d.unitOrthogonal(), e2 = d.cross(e1);
    c.entry = entry;
    c.bone = 0;
    c.skinFound = false;
    const double maxLen = std::min(needle->lengthMm.value + 40.0, 250.0);
    for (double t = 0.0; t <= maxLen; t += 0.5) {
      const Vector3d q = entry - d * t;
      const int l = A.labelAt(q);
      if (l < 0) {
        return;
      }
      if (l == imaging::labels::kSkin && t >= kMinDepthMm && A.airBeyond(q, -d)) {
        if (A.model.labels.geometry().containsIndex(A.model.labels.geometry().lpsToIndex(q), -2.0)) {
          c.skin = q;
          c.skinFound = true;
        }
        return; // (at the image's border: where the image ends, not the skin)
      }
      if (A.isBone(q) || A.isBone(q + radius * e1) || A.isBone(q - radius * e1) ||
          A.isBone(q + radius * e2) || A.isBone(q - radius * e2)) {
        c.bone += 0.5;
        if (c.bone >= boneLimit) {
          return;
        }
      }
    }
  };
  auto dorsalEntry = [&](int s, double u) {
    const auto& st = A.at(s);
    const double rLat = sEntrySide > 0 ? st.rLeft : st.rRight;
    u = std::min(u, std::max(0.0, rLat - 2.5));
    return Vector3d(st.centre + st.posterior * A.dorsalDepth(st, sEntrySide * u) +
                    st.left * (sEntrySide * u));
  };
  // needle angles are those read on fluoroscopy with the patient prone: against the table
  // (the patient's coronal plane) cranio-caudally, out of the sagittal plane medio-laterally
  const Vector3d head(0, 0, 1), back(0, 1, 0), leftward(1, 0, 0);
  auto directionFor = [&](double a, double b) {
    const Vector3d d = travel * std::cos(rad(a)) * head - std::sin(rad(a)) * back; // skin -> entry
    return Vector3d((std::cos(rad(b)) * d - std::sin(rad(b)) * sEntrySide * leftward).normalized());
  };
  std::vector<std::tuple<double, double, Vector3d>> directions;
  for (double a = 15.0; a <= 70.0; a += 5.0) {
    for (double b : { 0.0, 5.0, 10.0, 15.0, 20.0, 25.0, 30.0 }) {
      directions.emplace_back(a, b, directionFor(a, b));
    }
  }
  NeedleCandidate best;
  const double aPref = m_rules.preferredNeedleAngleDeg.value;
  if (lead.epiduralEntryOverride && lead.skinEntryOverride) {
    evaluate(*lead.epiduralEntryOverride, *lead.skinEntryOverride, best);
    best.skin = *lead.skinEntryOverride;
    best.skinFound = true;
  } else {
    // every candidate's cost known before walking its path (walking only adds to it): walked in
    // order of that cost, stopping when no remaining candidate can beat the best (branch and bound)
    struct Option
    {
      double base;
      Vector3d entry, skinSide;
    };
    std::vector<Option> options;
    for (int k = -10; k <= 10; k += 2) {
      const int s = sE0 + k;
      for (double u : { 1.0, 3.0, 5.0, 7.0 }) {
        const Vector3d entry = lead.epiduralEntryOverride ? *lead.epiduralEntryOverride : dorsalEntry(s, u);
        double crowd = 0;
        for (const Vector3d& o : otherEntries) {
          crowd += std::max(0.0, 6.0 - (entry - o).norm()); // keep needles of other leads apart
        }
        // the sheath needs room to turn between the needle's tip and the contacts
        const double room = static_cast<double>((sP - s) * idxStep);
        // the sacral approach runs straight down the root: its needle's tip belongs on that line
        const Vector3d off = entry - onDrg;
        const double offRoot = sacral ? (off - off.dot(ax) * ax).norm() : 0.0;
        const double place = std::abs(k - 2) * 0.1 + std::abs(u - 4.0) * 0.05 +
                             std::max(0.0, 20.0 - room) * 0.3 + crowd + 0.3 * offRoot;
        if (lead.skinEntryOverride) {
          options.push_back({ place, entry, *lead.skinEntryOverride });
        } else {
          for (const auto& [a, b, dir] : directions) {
            options.push_back({ place + std::abs(a - aPref) * 0.1 + b * 0.05, entry, entry - dir * 10.0 });
          }
        }
        if (lead.epiduralEntryOverride) {
          break;
        }
      }
      if (lead.epiduralEntryOverride) {
        break;
      }
    }
    std::stable_sort(options.begin(), options.end(),
                     [](const Option& x, const Option& y) { return x.base < y.base; });
    // first only clear paths (a walk stops at its first bone); when there is none, the path with
    // the least bone, so that the finding can say how much
    for (const double boneLimit : { 0.5, 30.0 }) {
      for (const Option& o : options) {
        if (o.base >= best.cost) {
          break;
        }
        NeedleCandidate c;
        evaluate(o.entry, o.skinSide, c, boneLimit);
        if (lead.skinEntryOverride) {
          c.skin = *lead.skinEntryOverride;
          c.skinFound = true;
        }
        if (boneLimit < 1.0 && (c.bone > 0 || !c.skinFound)) {
          continue;
        }
        const double length = c.skinFound ? (o.entry - c.skin).norm() : 0.0;
        c.cost = o.base + std::max(0.0, length - needle->lengthMm.value + 10.0) * 0.5 +
                 (c.skinFound ? 0.0 : 50.0) + c.bone * 10.0;
        if (c.cost < best.cost) {
          best = c;
        }
      }
      if (best.skinFound && best.bone == 0) {
        break;
      }
    }
  }
  if (!best.skinFound) {
    lead.problem = best.bone >= 30.0 ? "every needle path from the skin to the " + lead.entryLevel +
                                         " window runs through bone: choose another entry level"
                                     : "no needle path reaches the skin inside the image from the " +
                                         lead.entryLevel + " window: the field of view may be too narrow";
    lead.epiduralEntry = best.entry;
    return;
  }
  lead.epiduralEntry = best.entry;
  lead.skinEntry = best.skin;
  const Vector3d d = (lead.epiduralEntry - lead.skinEntry).normalized();
  {
    NeedleCandidate c;
    evaluate(lead.epiduralEntry, lead.skinEntry, c);
    lead.needleBoneMm = c.bone;
  }
  lead.needleDepthMm = (lead.epiduralEntry - lead.skinEntry).norm();
  lead.needleCranioCaudalDeg = deg(std::atan2(std::abs(d.y()), std::abs(d.z())));
  lead.needleMedioLateralDeg = deg(std::atan2(std::abs(d.x()), std::hypot(d.y(), d.z())));

  // ---- route: dorsal epidural space to the foramen, rounded with the sheath's curve ---------------
  std::vector<const SheathModel*> sheaths;
  if (const SheathModel* chosen = m_catalog.sheath(lead.sheath)) {
    sheaths.push_back(chosen);
  } else {
    for (const auto& s : m_catalog.sheaths()) {
      sheaths.push_back(&s);
    }
    std::sort(sheaths.begin(), sheaths.end(), [](const SheathModel* a, const SheathModel* b) {
      return a->curveRadiusMm.value > b->curveRadiusMm.value;
    });
  }
  const int sEntry = A.nearestIndex(lead.epiduralEntry);
  const Vector3d start1 = lead.epiduralEntry + d * 3.0;
  const double latE = (lead.epiduralEntry - A.at(sEntry).centre).dot(A.at(sEntry).left);
  // The sheath travels the dorsal epidural space (J: where it has drifted to, on the side it comes
  // from) to a turning point K medial of P and before it, turns out into the foramen to P, and
  // follows the root from P: the lead's last stretch is straight through the ganglion. Candidates
  // differ in how far medial and how far before P K lies, how far before K J is and J's side; the
  // widest bend that fits wins (tighter sheaths only when the wider cannot fit).
  auto stationPoint = [&](int s, double lat) {
    const auto& st = A.at(s);
    return Vector3d(st.centre + st.posterior * A.dorsalDepth(st, lat) + st.left * lat);
  };
  struct Try
  {
    std::vector<Vector3d> route;
    double minRadius = 0;
    const SheathModel* sheath = nullptr;
    double score = -1e9;
  } chosen;
  for (const SheathModel* sh : sheaths) {
    const double R = sh->curveRadiusMm.value;
    const double latP = (P - A.at(sP).centre).dot(A.at(sP).left);
    auto tryRoute = [&](const std::vector<Vector3d>& ctrl) {
      double minR = 0;
      std::vector<Vector3d> route = filletAndSample(ctrl, R, 3.0, 0.5, minR);
      if (!std::isfinite(minR)) {
        minR = 1e3;
      }
      double bone = 0;
      for (std::size_t k = 2; k < route.size(); k += 2) {
        bone += A.isBone(route[k]) ? 1.0 : 0.0;
      }
      LeadPlan trial;
      trial.route = route;
      const double cover =
        contactCoverage(trial, *leadModel, lead.target, ax, lead.targetLengthMm, lead.targetWidthMm);
      const double score = std::min(minR, R) * 10.0 - pathLength(route) * 0.01 - bone * 0.5 -
                           (1.0 - cover) * 200.0 - (minR < R - 0.05 ? 1e3 : 0.0);
      if (score > chosen.score) {
        chosen = Try{ std::move(route), minR, sh, score };
      }
    };
    // straight down the root from the entry (S1, or a ganglion just ahead of the needle)
    tryRoute({ lead.epiduralEntry, start1, P, lead.tip });
    tryRoute({ lead.epiduralEntry, start1, lead.tip }); // the contacts begin at the needle's tip
    for (double medial : { 0.0, 6.0, 10.0, 14.0, 18.0, 22.0 }) {
      for (double rise : { 0.3, 0.6, 1.0 }) {
        // K: medial of P (or in line with it) and before it along the travel, in the dorsal
        // epidural space (clear of the cord); from K the sheath turns out and up into the foramen
        const int sK = sP - idxStep * static_cast<int>(std::lround(rise * std::max(medial, 12.0)));
        if ((sK - sEntry) * idxStep < 4) {
          continue; // K would lie behind the needle's tip
        }
        const Vector3d K = stationPoint(sK, latP - sT * medial);
        for (double gap : { 16.0, 22.0, 28.0, 34.0, 40.0 }) {
          for (double jSide : { 0.0, 0.4, 0.8 }) {
            const int sJ = sK - idxStep * static_cast<int>(gap);
            const double rLatJ = sEntrySide > 0 ? A.at(sJ).rLeft : A.at(sJ).rRight;
            const double latJ = sEntrySide * jSide * rLatJ;
            std::vector<Vector3d> ctrl{ lead.epiduralEntry, start1 };
            const int from = sEntry + idxStep * 8;
            const int steps = (sJ - from) * idxStep; // stations between the entry and J
            for (int j = 0; j <= steps; j += 6) {
              const double f = steps > 0 ? static_cast<double>(j) / steps : 1.0;
              ctrl.push_back(stationPoint(from + idxStep * j, latE + (latJ - latE) * f));
            }
            if (steps >= 0 && steps % 6 != 0) {
              ctrl.push_back(stationPoint(sJ, latJ));
            }
            ctrl.push_back(K);
            ctrl.push_back(P);
            ctrl.push_back(lead.tip);
            tryRoute(ctrl);
          }
        }
      }
    }
    if (chosen.sheath == sh && chosen.minRadius >= R - 0.05) {
      break; // this sheath's curve fits: no need for a tighter one
    }
  }
  if (chosen.route.size() < 2 || !std::all_of(chosen.route.begin(), chosen.route.end(),
                                              [](const Vector3d& q) { return q.allFinite(); })) {
    lead.problem = "no route could be shaped to this ganglion with the catalog's sheaths";
    return;
  }
  lead.route = chosen.route;
  lead.minRadiusMm = std::min(chosen.minRadius, 1e3);
  lead.sheathUsed = chosen.sheath ? chosen.sheath->id : "";
  lead.sheathRadiusMm = chosen.sheath ? chosen.sheath->curveRadiusMm.value : 0.0;
  lead.routeLengthMm = pathLength(lead.route);
  // contacts along the route from the tip
  lead.contacts.clear();
  {
    double walked = 0;
    std::size_t c = 0;
    for (std::size_t i = lead.route.size() - 1; i > 0 && c < fromTip.size(); --i) {
      const double seg = (lead.route[i] - lead.route[i - 1]).norm();
      while (c < fromTip.size() && walked + seg >= fromTip[c]) {
        const double f = seg > 0 ? (fromTip[c] - walked) / seg : 0.0;
        lead.contacts.push_back(lead.route[i] + (lead.route[i - 1] - lead.route[i]) * f);
        ++c;
      }
      walked += seg;
    }
  }
  lead.coverage = contactCoverage(lead, *leadModel, lead.target, ax, lead.targetLengthMm, lead.targetWidthMm);

  // ---- anchor at the fascia on the needle track, strain-relief loop --------------------------------
  lead.anchorAtFascia = false;
  const double fallback = std::min(m_rules.fallbackFasciaDepthMm.value, 0.6 * lead.needleDepthMm);
  lead.anchor = lead.skinEntry + d * fallback;
  if (A.ct) {
    double fat = 0, tissue = 0;
    for (double t = 0; t < 0.8 * lead.needleDepthMm; t += 0.5) {
      const float v = A.valueAt(lead.skinEntry + d * t);
      if (v < -40.0f) {
        fat += 0.5;
        tissue = 0;
      } else if (fat >= 2.0 && v > -10.0f) {
        tissue += 0.5;
        if (tissue >= 2.0) {
          lead.anchor = lead.skinEntry + d * (t - 2.0);
          lead.anchorAtFascia = true;
          break;
        }
      }
    }
  }
  lead.loopDiameterMm = m_rules.strainReliefLoopDiameterMm.value;
  {
    const auto& st = A.at(sEntry + idxStep * 6);
    lead.loopCentre = st.centre + st.posterior * A.dorsalDepth(st, latE) + st.left * latE;
  }
  lead.planned = true;
}

double contactCoverage(const LeadPlan& lead, const LeadModel& model, const Vector3d& centre,
                       const Vector3d& axis, double lengthMm, double widthMm)
{
  if (lead.route.size() < 2 || lengthMm <= 0) {
    return 0.0;
  }
  // the contact array's stretch of the route: distal edge of the first contact to the proximal
  // edge of the last, measured from the tip
  const std::vector<double> fromTip = model.contactCentresFromTipMm();
  const double distal = fromTip.front() - 0.5 * model.contactLengthMm.value;
  const double proximal = fromTip.back() + 0.5 * model.contactLengthMm.value;
  std::vector<double> along(lead.route.size(), 0.0); // distance from the tip
  for (std::size_t i = lead.route.size() - 1; i > 0; --i) {
    along[i - 1] = along[i] + (lead.route[i] - lead.route[i - 1]).norm();
  }
  const double reach = 0.5 * widthMm + 0.5 * model.diameterMm.value + 1.0;
  const Vector3d a = axis.normalized();
  const int samples = 40;
  int covered = 0;
  for (int s = 0; s < samples; ++s) {
    const Vector3d p = centre + a * (lengthMm * ((s + 0.5) / samples - 0.5));
    // nearest route point to this piece of the ganglion, and where it lies along the lead
    double best = std::numeric_limits<double>::infinity();
    double at = -1;
    for (std::size_t i = 0; i < lead.route.size(); ++i) {
      const double dd = (lead.route[i] - p).squaredNorm();
      if (dd < best) {
        best = dd;
        at = along[i];
      }
    }
    if (std::sqrt(best) <= reach && at >= distal && at <= proximal) {
      ++covered;
    }
  }
  return static_cast<double>(covered) / samples;
}

void Planner::placePocket(PocketPlan& pocket) const
{
  const auto& A = *m_anatomy.m_impl;
  pocket.placed = false;
  const GeneratorModel* gen = m_catalog.generator(pocket.generator);
  if (!gen) {
    return;
  }
  pocket.sizeMm = Vector3d(gen->sizeMm.value[0], gen->sizeMm.value[1], gen->sizeMm.value[2]);
  Vector3d start;
  if (pocket.positionOverride) {
    start = *pocket.positionOverride;
  } else {
    const std::string name =
      std::string(pocket.site == PocketSite::Abdomen ? "lower_abdominal_wall_" : "upper_outer_buttock_") +
      imaging::sideName(pocket.side);
    const auto& lm = A.model.landmarks;
    auto it =
      std::find_if(lm.begin(), lm.end(), [&](const imaging::SpineLandmark& l) { return l.name == name; });
    if (it == lm.end()) {
      return;
    }
    start = it->position;
  }
  auto skin = A.skinAbove(start);
  if (!skin) {
    return;
  }
  pocket.skinPoint = skin->first;
  pocket.outward = skin->second;
  const auto& st = A.at(A.nearestIndexByHeight(pocket.skinPoint));
  Vector3d length = st.toHead - st.toHead.dot(pocket.outward) * pocket.outward;
  length = length.norm() > 1e-6 ? Vector3d(length.normalized()) : pocket.outward.unitOrthogonal();
  pocket.axes.col(0) = length;
  pocket.axes.col(1) = pocket.outward.cross(length).normalized();
  pocket.axes.col(2) = pocket.outward;
  pocket.centre = pocket.skinPoint - pocket.outward * (pocket.depthMm + 0.5 * pocket.sizeMm.z());
  pocket.placed = true;
}

void Planner::budgetAndTunnel(LeadPlan& lead, const std::optional<PocketPlan>& pocket) const
{
  const auto& A = *m_anatomy.m_impl;
  lead.tunnel.clear();
  LengthBudget b;
  b.routeMm = lead.routeLengthMm;
  b.trackMm = (lead.epiduralEntry - lead.anchor).norm();
  b.loopMm = kPi * lead.loopDiameterMm;
  b.slackMm = m_rules.pocketSlackMm.value + m_rules.connectorInsertionMm.value;
  if (pocket && pocket->placed) {
    // subcutaneous: the straight line from the anchor to the pocket, laid onto the body under the
    // skin at the pocket's depth
    // around the body: the angle about the body's axis and the height go evenly from the anchor
    // to the pocket (the short way round), each step under the skin at the pocket's depth
    // (patient axes, not the canal's: the sacral canal's frame is tilted far from the body's)
    auto polar = [&](const Vector3d& q, int& station) {
      station = A.nearestIndexByHeight(q);
      const Vector3d r = q - A.at(station).bodyAxis;
      return std::atan2(r.y(), r.x());
    };
    int s0 = 0, s1 = 0;
    const double t0 = polar(lead.anchor, s0);
    const double t1 = polar(pocket->centre, s1);
    double turn = t1 - t0;
    while (turn > kPi) {
      turn -= 2 * kPi;
    }
    while (turn < -kPi) {
      turn += 2 * kPi;
    }
    const int n = 40;
    lead.tunnel.push_back(lead.anchor);
    for (int i = 1; i < n; ++i) {
      const double f = static_cast<double>(i) / n;
      const auto& st = A.at(static_cast<int>(std::lround(s0 + (s1 - s0) * f)));
      const double th = t0 + turn * f;
      const Vector3d dir(std::cos(th), std::sin(th), 0.0);
      const Vector3d from(st.bodyAxis.x(), st.bodyAxis.y(),
                          (1.0 - f) * lead.anchor.z() + f * pocket->centre.z());
      if (auto skin = A.skinAlong(from, dir, 400.0)) {
        lead.tunnel.push_back(*skin - dir * pocket->depthMm);
      }
    }
    lead.tunnel.push_back(pocket->centre);
    b.tunnelMm = pathLength(lead.tunnel);
  }
  b.totalMm = b.routeMm + b.trackMm + b.loopMm + b.tunnelMm + b.slackMm;
  b.fits = false;
  if (const LeadModel* lm = m_catalog.lead(lead.leadModel)) {
    std::vector<double> lengths = lm->lengthsCm.value;
    std::sort(lengths.begin(), lengths.end());
    for (double cm : lengths) {
      if (cm * 10.0 >= b.totalMm) {
        b.leadCm = cm;
        b.fits = true;
        break;
      }
    }
    if (!b.fits && !lengths.empty()) {
      std::vector<double> ext;
      for (const auto& e : m_catalog.extensions()) {
        ext.insert(ext.end(), e.lengthsCm.value.begin(), e.lengthsCm.value.end());
      }
      std::sort(ext.begin(), ext.end());
      for (double cm : ext) {
        if ((lengths.back() + cm) * 10.0 >= b.totalMm) {
          b.leadCm = lengths.back();
          b.extensionCm = cm;
          b.fits = true;
          break;
        }
      }
    }
  }
  lead.budget = b;
}

namespace
{

/// The inputs a lead's geometry is computed from, as text (exact: positions in hexadecimal floats).
std::string inputKey(const LeadPlan& l, const std::vector<Vector3d>& entries)
{
  std::string k;
  auto add = [&](const Vector3d& v) {
    char buf[96];
    std::snprintf(buf, sizeof buf, "%a,%a,%a;", v.x(), v.y(), v.z());
    k += buf;
  };
  k += l.targetLevel + "|" + imaging::sideName(l.targetSide) + "|" + approachName(l.approach) + "|" +
       l.entryLevel + "|" + l.leadModel + "|" + l.sheath + "|" + l.needle + "|";
  for (const auto* p : { &l.manualTarget, &l.skinEntryOverride, &l.epiduralEntryOverride }) {
    if (*p) {
      add(**p);
    } else {
      k += "-;";
    }
  }
  k += "|";
  for (const auto& e : entries) {
    add(e);
  }
  return k;
}

} // namespace

void Planner::recompute(Plan& plan) const
{
  std::vector<Vector3d> entries; // needles already placed: later leads keep their distance
  for (const auto& lead : plan.leads) {
    if (lead.locked && lead.planned) {
      entries.push_back(lead.epiduralEntry);
    }
  }
  for (auto& lead : plan.leads) {
    if (!lead.locked) {
      // a lead whose inputs (and the needles placed before it) are unchanged keeps its geometry:
      // dragging one lead does not re-plan the others
      const std::string key = inputKey(lead, entries);
      if (!lead.planned || key != lead.plannedFrom) {
        planLead(lead, entries);
        lead.plannedFrom = key;
      }
      if (lead.planned) {
        entries.push_back(lead.epiduralEntry);
      }
    }
  }
  if (plan.pocket) {
    placePocket(*plan.pocket);
  }
  for (auto& lead : plan.leads) {
    if (lead.locked && lead.planned) {
      // a locked lead keeps its geometry (from the file, perhaps): what it implies is measured again
      lead.routeLengthMm = pathLength(lead.route);
      if (const LeadModel* lm = m_catalog.lead(lead.leadModel)) {
        lead.coverage = contactCoverage(lead, *lm, lead.target, lead.targetAxis.normalized(),
                                        lead.targetLengthMm, lead.targetWidthMm);
      }
      if (lead.route.size() < 2) {
        lead.planned = false;
        lead.problem = "the locked lead has no route: unlock it to plan it again";
      }
    }
    if (lead.planned) {
      budgetAndTunnel(lead, plan.pocket);
    }
  }
  findings(plan);
}

void Planner::findings(Plan& plan) const
{
  const auto& A = *m_anatomy.m_impl;
  const auto& model = A.model;
  auto& out = plan.findings;
  out.clear();
  auto add = [&](const char* code, Severity sev, int lead, double measured, double threshold,
                 const char* unit, const std::string& message) {
    out.push_back(Finding{ code, sev, lead, measured, threshold, unit, message });
  };
  if (static_cast<int>(plan.leads.size()) > m_rules.maxLeads.value) {
    add("too-many-leads", Severity::Error, -1, static_cast<double>(plan.leads.size()), m_rules.maxLeads.value,
        "", "more leads than the generator has ports");
  }
  for (std::size_t i = 0; i < plan.leads.size(); ++i) {
    const LeadPlan& l = plan.leads[i];
    const int li = static_cast<int>(i);
    const std::string who = l.name + " (" + l.targetLevel + " " + imaging::sideName(l.targetSide) + "): ";
    if (!l.planned) {
      add("lead-not-planned", Severity::Error, li, 0, 0, "", who + l.problem);
      continue;
    }
    const NeedleModel* needle = m_catalog.needle(l.needle);
    if (l.needleBoneMm > 0) {
      add("needle-through-bone", Severity::Error, li, l.needleBoneMm, 0, "mm",
          who + "the needle path runs through bone: it misses the interlaminar window below " + l.entryLevel);
    }
    const int sE = A.nearestIndex(l.epiduralEntry);
    {
      const auto& st = A.at(sE);
      const Vector3d off = l.epiduralEntry - st.centre;
      const double ap = off.dot(st.posterior), lat = off.dot(st.left);
      const double rl = lat > 0 ? st.rLeft : st.rRight;
      const double e = std::hypot(ap / (st.rPost + 1.0), lat / (rl + 1.0));
      if (e > 1.0 || ap < 0) {
        add("epidural-entry-outside-canal", Severity::Error, li, off.norm(), 0, "mm",
            who + "the epidural entry is not in the dorsal epidural space");
      }
    }
    if (needle) {
      const double maxCc = needle->maxEntryAngleDegrees.value;
      if (l.needleCranioCaudalDeg > maxCc + 1e-6) {
        add("needle-angle-steep", Severity::Warning, li, l.needleCranioCaudalDeg, maxCc, "deg",
            who + "needle steeper to the skin than the sheath's entry allows");
      }
      if (l.needleDepthMm > needle->lengthMm.value) {
        add("needle-too-short", Severity::Error, li, l.needleDepthMm, needle->lengthMm.value, "mm",
            who + "the epidural space lies deeper than the needle is long");
      }
    }
    if (l.needleCranioCaudalDeg < m_rules.minNeedleAngleDeg.value - 1e-6) {
      add("needle-angle-flat", Severity::Warning, li, l.needleCranioCaudalDeg,
          m_rules.minNeedleAngleDeg.value, "deg", who + "needle flatter than the planner's minimum");
    }
    if (l.needleMedioLateralDeg > m_rules.maxMedioLateralAngleDeg.value + 1e-6) {
      add("needle-angle-medio-lateral", Severity::Warning, li, l.needleMedioLateralDeg,
          m_rules.maxMedioLateralAngleDeg.value, "deg", who + "needle tilted far out of the sagittal plane");
    }
    // other ganglia and the cord near the needle and the route
    std::vector<Vector3d> needlePath;
    for (double t = 0; t <= 1.0001; t += 0.02) {
      needlePath.push_back(l.skinEntry + (l.epiduralEntry - l.skinEntry) * t);
    }
    const std::vector<Vector3d>* paths[] = { &needlePath, &l.route };
    double nearest = 1e9;
    std::string nearestName;
    for (const auto& g : model.ganglia) {
      if (g.level == l.targetLevel && g.side == l.targetSide) {
        continue;
      }
      for (const std::vector<Vector3d>* p : paths) {
        for (const auto& q : *p) {
          const double dd = (q - g.centre).norm() - 0.5 * g.widthMm;
          if (dd < nearest) {
            nearest = dd;
            nearestName = g.level + " " + imaging::sideName(g.side);
          }
        }
      }
    }
    if (nearest < m_rules.ganglionClearanceMm.value) {
      add("near-other-ganglion", Severity::Warning, li, std::max(0.0, nearest),
          m_rules.ganglionClearanceMm.value, "mm", who + "passes close to the " + nearestName + " ganglion");
    }
    // the needle must keep clear of the cord; the sheath runs outside the dura, so its route is
    // flagged only where it enters the cord's space
    double needleCord = 1e9, routeCord = 1e9;
    for (const auto& q : needlePath) {
      needleCord = std::min(needleCord, A.cordDistance(q, m_rules.cordRadiusMm.value));
    }
    for (const auto& q : l.route) {
      routeCord = std::min(routeCord, A.cordDistance(q, m_rules.cordRadiusMm.value));
    }
    if (needleCord < m_rules.cordClearanceMm.value) {
      add("needle-near-cord", needleCord < 0 ? Severity::Error : Severity::Warning, li, needleCord,
          m_rules.cordClearanceMm.value, "mm",
          who + "the needle's tip comes close to the spinal cord (above the conus)");
    }
    if (routeCord < 0) {
      add("route-near-cord", Severity::Warning, li, routeCord, 0.0, "mm",
          who + "the route reaches into the cord's space above the conus: check the dorsal epidural space");
    }
    if (l.minRadiusMm < l.sheathRadiusMm - 0.05) {
      add("route-too-tight", Severity::Error, li, l.minRadiusMm, l.sheathRadiusMm, "mm",
          who + "the route bends tighter than the " + l.sheathUsed + " sheath's curve");
    }
    double routeBone = 0;
    for (std::size_t k = 2; k < l.route.size(); ++k) {
      routeBone += A.isBone(l.route[k]) ? (l.route[k] - l.route[k - 1]).norm() : 0.0;
    }
    if (routeBone > m_rules.routeBoneToleranceMm.value) {
      add("route-through-bone", Severity::Warning, li, routeBone, m_rules.routeBoneToleranceMm.value, "mm",
          who + "the route crosses bone in the image (check the foramen's outline)");
    }
    if (l.coverage < m_rules.minCoverage.value - 1e-9) {
      add("contacts-off-ganglion", Severity::Warning, li, l.coverage * 100.0,
          m_rules.minCoverage.value * 100.0, "%",
          who + "the contacts cover too little of the ganglion's length");
    }
    if (plan.pocket && plan.pocket->placed && !l.budget.fits) {
      add("length-budget", Severity::Error, li, l.budget.totalMm, 0, "mm",
          who + "no lead (with an extension) in the catalog is long enough");
    }
  }
  for (std::size_t i = 0; i < plan.leads.size(); ++i) {
    for (std::size_t j = i + 1; j < plan.leads.size(); ++j) {
      const LeadPlan &a = plan.leads[i], &b = plan.leads[j];
      if (!a.planned || !b.planned) {
        continue;
      }
      const double dist = polylineDistance(a.route, b.route);
      const LeadModel* lm = m_catalog.lead(a.leadModel);
      const double dia = lm ? lm->diameterMm.value : 1.0;
      if (dist < dia) {
        add("leads-crossing", Severity::Warning, static_cast<int>(j), dist, dia, "mm",
            a.name + " and " + b.name + " touch or cross");
      } else if (dist < m_rules.leadSpacingMm.value) {
        add("leads-crowding", Severity::Warning, static_cast<int>(j), dist, m_rules.leadSpacingMm.value, "mm",
            a.name + " and " + b.name + " run close together");
      }
    }
  }
  if (plan.pocket) {
    const PocketPlan& p = *plan.pocket;
    if (!p.placed) {
      add("pocket-not-placed", Severity::Error, -1, 0, 0, "",
          std::string("the ") + pocketSiteName(p.site) +
            " pocket could not be placed: its landmark or skin is not in the image");
    } else {
      if (p.depthMm < m_rules.minPocketDepthMm.value) {
        add("pocket-too-shallow", Severity::Warning, -1, p.depthMm, m_rules.minPocketDepthMm.value, "mm",
            "generator too close under the skin");
      }
      if (p.depthMm > m_rules.maxPocketDepthMm.value) {
        add("pocket-too-deep", Severity::Warning, -1, p.depthMm, m_rules.maxPocketDepthMm.value, "mm",
            "generator deeper than telemetry allows");
      }
      auto boxDistance = [&](const Vector3d& q) {
        const Vector3d local = p.axes.transpose() * (q - p.centre);
        const Vector3d half = 0.5 * p.sizeMm;
        const Vector3d outside = (local.cwiseAbs() - half).cwiseMax(0.0);
        return outside.norm();
      };
      for (const auto& lm : model.landmarks) {
        const bool crest = lm.name.rfind("iliac_crest_top_", 0) == 0;
        const bool rib = lm.name.rfind("lowest_rib_tip_", 0) == 0;
        if (!(crest || rib) || lm.name.find(imaging::sideName(p.side)) == std::string::npos) {
          continue;
        }
        const double dist = boxDistance(lm.position);
        if (dist < m_rules.pocketBoneClearanceMm.value) {
          add(crest ? "pocket-near-iliac-crest" : "pocket-near-rib", Severity::Warning, -1, dist,
              m_rules.pocketBoneClearanceMm.value, "mm",
              std::string("generator close to the ") + (crest ? "iliac crest" : "lowest rib"));
        }
      }
    }
  }
}

std::pair<std::string, Side> parseTarget(const std::string& text)
{
  const auto dash = text.find('-');
  const std::string level = text.substr(0, dash);
  const std::string side = dash == std::string::npos ? "" : text.substr(dash + 1);
  if (!imaging::isLevelName(level) || (side != "left" && side != "right")) {
    throw Error(ErrorCode::InvalidArgument,
                "target '" + text + "' must be LEVEL-SIDE, e.g. L4-left or S1-right");
  }
  return { level, side == "left" ? Side::Left : Side::Right };
}

} // namespace drg::planning
