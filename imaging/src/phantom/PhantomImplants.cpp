// The post-operative phantom's implants: each DRG lead's ring contacts (platinum-iridium cylinders of
// the catalog's length and diameter), its body (a 1 mm tube through the route, the needle track and
// the tunnel), its silicone anchor at the fascia and the generator (a rounded titanium box), each moved with
// its vertebra when the patient lies differently from the planning scan.
//
// They are drawn after the anatomy, each voxel taking the share of it the implant covers (sampled at
// about 0.25 mm across the voxel): a 1.25 mm contact between the centres of 3 mm slices still shows
// in both, at part of its density, as a CT's slice profile shows it; point sampling would lose it.
#include "phantom/PhantomImplants.h"

#include "IndexBox.h"
#include "phantom/PhantomAssets.h"

#include "drg/imaging/AnatomyLabels.h"

#include <algorithm>
#include <cmath>
#include <unordered_map>

namespace drg::imaging::phantom
{

using Eigen::Matrix3d;
using Eigen::Vector3d;

namespace
{

constexpr double kSubsampleMm = 0.25; ///< sampling step across a voxel on an implant's edge
/// The anchor sleeve round the lead at the fascia [estimate: the size of common silicone suture
/// anchors for neurostimulation leads]
constexpr double kAnchorLengthMm = 10.0;
constexpr double kAnchorDiameterMm = 4.0;

enum class Kind
{
  Capsule,  ///< segment a-b, radius r
  Cylinder, ///< centre a, unit axis b, half length h, radius r (flat ends)
  Box       ///< centre a, axes, half extents half, edge radius r
};

struct Primitive
{
  Kind kind = Kind::Capsule;
  Vector3d a{ 0, 0, 0 };
  Vector3d b{ 0, 0, 0 };
  double r = 0.0;
  double h = 0.0;
  Matrix3d axes = Matrix3d::Identity();
  Vector3d half{ 0, 0, 0 };
};

double distance(const Primitive& s, const Vector3d& p)
{
  switch (s.kind) {
    case Kind::Capsule: {
      Vector3d ab = s.b - s.a;
      double t = std::clamp((p - s.a).dot(ab) / std::max(ab.squaredNorm(), 1e-12), 0.0, 1.0);
      return (p - (s.a + t * ab)).norm() - s.r;
    }
    case Kind::Cylinder: {
      Vector3d d = p - s.a;
      double along = d.dot(s.b);
      double radial = (d - along * s.b).norm();
      double qx = radial - s.r;
      double qy = std::abs(along) - s.h;
      return std::min(std::max(qx, qy), 0.0) + std::hypot(std::max(qx, 0.0), std::max(qy, 0.0));
    }
    case Kind::Box: {
      Vector3d q = (s.axes.transpose() * (p - s.a)).cwiseAbs() - (s.half - Vector3d::Constant(s.r));
      return q.cwiseMax(0.0).norm() + std::min(q.maxCoeff(), 0.0) - s.r;
    }
  }
  return 1e30;
}

/// The LPS bounding box of a primitive.
void bounds(const Primitive& s, Vector3d& lo, Vector3d& hi)
{
  switch (s.kind) {
    case Kind::Capsule:
      lo = s.a.cwiseMin(s.b) - Vector3d::Constant(s.r);
      hi = s.a.cwiseMax(s.b) + Vector3d::Constant(s.r);
      return;
    case Kind::Cylinder: {
      double e = s.h + s.r;
      lo = s.a - Vector3d::Constant(e);
      hi = s.a + Vector3d::Constant(e);
      return;
    }
    case Kind::Box: {
      Vector3d e = s.axes.cwiseAbs() * s.half;
      lo = s.a - e;
      hi = s.a + e;
      return;
    }
  }
}

/// Paints the union of `parts` with `value` and `label` (a voxel is labelled when the union covers
/// at least half of it).
void paint(const std::vector<Primitive>& parts, double value, int label, Image<std::int16_t>& values,
           Image<std::uint8_t>& labels, double lo, double hi)
{
  const ImageGeometry& g = values.geometry();
  const double halfDiagonal = 0.5 * g.spacing.norm();
  // the voxels near each part, with the parts near them
  std::unordered_map<std::size_t, std::vector<int>> near;
  for (std::size_t n = 0; n < parts.size(); ++n) {
    Vector3d blo = Vector3d::Zero(), bhi = Vector3d::Zero();
    bounds(parts[n], blo, bhi);
    blo -= Vector3d::Constant(halfDiagonal);
    bhi += Vector3d::Constant(halfDiagonal);
    Vector3d ilo, ihi;
    indexBox(g, blo, bhi, ilo, ihi);
    std::array<long, 3> from{}, to{};
    bool inside = true;
    for (int a = 0; a < 3; ++a) {
      from[a] = std::max(0L, static_cast<long>(std::floor(ilo[a])));
      to[a] = std::min(static_cast<long>(g.size[a]) - 1, static_cast<long>(std::ceil(ihi[a])));
      inside = inside && from[a] <= to[a];
    }
    if (!inside) {
      continue;
    }
    for (long k = from[2]; k <= to[2]; ++k) {
      for (long j = from[1]; j <= to[1]; ++j) {
        for (long i = from[0]; i <= to[0]; ++i) {
          Vector3d p =
            g.indexToLps(Vector3d(static_cast<double>(i), static_cast<double>(j), static_cast<double>(k)));
          if (distance(parts[n], p) < halfDiagonal) {
            near[g.offset(static_cast<std::size_t>(i), static_cast<std::size_t>(j),
                          static_cast<std::size_t>(k))]
              .push_back(static_cast<int>(n));
          }
        }
      }
    }
  }
  std::array<int, 3> steps{};
  for (int a = 0; a < 3; ++a) {
    steps[a] = std::max(2, static_cast<int>(std::ceil(g.spacing[a] / kSubsampleMm)));
  }
  const std::size_t nx = g.size[0], ny = g.size[1];
  for (const auto& [offset, list] : near) {
    const std::size_t i = offset % nx, j = (offset / nx) % ny, k = offset / (nx * ny);
    const Vector3d centre =
      g.indexToLps(Vector3d(static_cast<double>(i), static_cast<double>(j), static_cast<double>(k)));
    int in = 0, total = 0;
    for (int c = 0; c < steps[2]; ++c) {
      for (int b = 0; b < steps[1]; ++b) {
        for (int a = 0; a < steps[0]; ++a) {
          Vector3d sub((a + 0.5) / steps[0] - 0.5, (b + 0.5) / steps[1] - 0.5, (c + 0.5) / steps[2] - 0.5);
          Vector3d p = centre + g.direction * g.spacing.cwiseProduct(sub);
          bool hit = false;
          for (int n : list) {
            if (distance(parts[static_cast<std::size_t>(n)], p) <= 0.0) {
              hit = true;
              break;
            }
          }
          in += hit ? 1 : 0;
          ++total;
        }
      }
    }
    if (in == 0) {
      continue;
    }
    double f = static_cast<double>(in) / total;
    std::int16_t& v = values.voxels()[offset];
    v = static_cast<std::int16_t>(std::lround(std::clamp((1.0 - f) * v + f * value, lo, hi)));
    if (f >= 0.5) {
      labels.voxels()[offset] = static_cast<std::uint8_t>(label);
    }
  }
}

/// A unit vector along the lead at contact `n` (from the neighbouring contacts, else the body).
Vector3d contactAxis(const PhantomLead& lead, std::size_t n)
{
  const auto& c = lead.contacts;
  Vector3d d = Vector3d::Zero();
  if (c.size() >= 2) {
    std::size_t a = n == 0 ? 0 : n - 1;
    std::size_t b = std::min(n + 1, c.size() - 1);
    d = c[b] - c[a];
  }
  if (d.norm() < 1e-6 && lead.body.size() >= 2) {
    d = lead.body[1] - lead.body[0];
  }
  return d.norm() < 1e-6 ? Vector3d(0, 0, 1) : Vector3d(d.normalized());
}

} // namespace

RigidMotion vertebraMotion(const PhantomImplants& implants, const PhantomTruth& truth,
                           const std::string& level)
{
  RigidMotion m;
  auto planned = implants.plannedPoses.find(level);
  auto now = std::find_if(truth.vertebrae.begin(), truth.vertebrae.end(),
                          [&](const PhantomVertebra& v) { return v.level == level; });
  if (planned == implants.plannedPoses.end() || now == truth.vertebrae.end()) {
    return m;
  }
  m.rotation = now->frame * planned->second.frame.transpose();
  m.translation = now->bodyCentre - m.rotation * planned->second.centre;
  return m;
}

void drawImplants(const PhantomImplants& implants, PhantomContrast contrast, PhantomTruth& truth,
                  Image<std::int16_t>& values, Image<std::uint8_t>& labels, double lo, double hi)
{
  const std::map<std::string, double> tissues = readTissues(contrast);
  if (implants.generator) {
    const PhantomGenerator& gen = *implants.generator;
    RigidMotion m = vertebraMotion(implants, truth, "S1");
    Primitive box;
    box.kind = Kind::Box;
    box.a = m.apply(gen.centre);
    box.axes = m.rotation * gen.axes;
    box.half = 0.5 * gen.sizeMm;
    box.r = std::min(4.0, 0.45 * gen.sizeMm.minCoeff());
    paint({ box }, tissues.at("titanium"), labels::kPulseGenerator, values, labels, lo, hi);
    truth.labelNames[labels::kPulseGenerator] = "pulse generator";
  }
  for (const PhantomLead& lead : implants.leads) {
    RigidMotion m = vertebraMotion(implants, truth, lead.level);
    const double radius = 0.5 * lead.diameterMm;
    std::vector<Primitive> body;
    for (std::size_t n = 0; n + 1 < lead.body.size(); ++n) {
      Primitive s;
      s.a = m.apply(lead.body[n]);
      s.b = m.apply(lead.body[n + 1]);
      s.r = radius;
      body.push_back(s);
    }
    paint(body, tissues.at("lead_body"), labels::kLeadBody, values, labels, lo, hi);
    // the anchor: a silicone sleeve round the lead where it is sutured to the fascia
    if (lead.epiduralPoints > 0 && lead.epiduralPoints < lead.body.size()) {
      const Vector3d at = m.apply(lead.body[lead.epiduralPoints]);
      const Vector3d along = (at - m.apply(lead.body[lead.epiduralPoints - 1])).normalized();
      Primitive sleeve;
      sleeve.kind = Kind::Cylinder;
      sleeve.a = at;
      sleeve.b = along.allFinite() ? along : Vector3d(0, 0, 1);
      sleeve.h = 0.5 * kAnchorLengthMm;
      sleeve.r = 0.5 * kAnchorDiameterMm;
      paint({ sleeve }, tissues.at("silicone"), labels::kLeadBody, values, labels, lo, hi);
    }
    std::vector<Primitive> rings;
    PhantomImplantedLead drawn;
    drawn.name = lead.name;
    drawn.level = lead.level;
    for (std::size_t n = 0; n < lead.contacts.size(); ++n) {
      Primitive ring;
      ring.kind = Kind::Cylinder;
      ring.a = m.apply(lead.contacts[n]);
      ring.b = m.rotation * contactAxis(lead, n);
      ring.h = 0.5 * lead.contactLengthMm;
      ring.r = radius;
      rings.push_back(ring);
      drawn.contacts.push_back(ring.a);
      drawn.plannedFrameContacts.push_back(lead.contacts[n]);
    }
    paint(rings, tissues.at("platinum_iridium"), labels::kLeadContact, values, labels, lo, hi);
    truth.implantedLeads.push_back(drawn);
  }
  if (!implants.leads.empty()) {
    truth.labelNames[labels::kLeadContact] = "lead contacts";
    truth.labelNames[labels::kLeadBody] = "lead body";
  }
}

} // namespace drg::imaging::phantom
