#include "PlanSafety.h"

#include "drg/imaging/AnatomyLabels.h"
#include "drg/planning/Planner.h"

#include <Eigen/Geometry>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

namespace drg::test
{

using Eigen::Vector3d;
namespace labels = imaging::labels;

namespace
{

constexpr double kStepMm = 0.25;

int truthLabel(const imaging::PhantomCase& c, const Vector3d& p)
{
  const auto& g = c.labels.geometry();
  const Vector3d i = g.lpsToIndex(p).array().round().matrix();
  if (!g.containsIndex(i)) {
    return -1;
  }
  return c.labels.at(static_cast<std::size_t>(i.x()), static_cast<std::size_t>(i.y()),
                     static_cast<std::size_t>(i.z()));
}

bool isBone(int l)
{
  return l > 0 &&
         (!labels::vertebraLevelOfLabel(l).empty() || (l >= labels::kRibBase && l < labels::kRibBase + 10) ||
          l == labels::kIliumLeft || l == labels::kIliumRight);
}

bool isNoGo(int l)
{
  return l == labels::kThecalSac || l == labels::kCord || l == labels::kCaudaEquina;
}

/// The path resampled every kStepMm.
std::vector<Vector3d> resample(const std::vector<Vector3d>& p)
{
  std::vector<Vector3d> out;
  if (p.empty()) {
    return out;
  }
  out.push_back(p.front());
  double carry = 0;
  for (std::size_t i = 1; i < p.size(); ++i) {
    const Vector3d d = p[i] - p[i - 1];
    const double len = d.norm();
    double s = kStepMm - carry;
    for (; s <= len; s += kStepMm) {
      out.push_back(p[i - 1] + d * (s / len));
    }
    carry = len - (s - kStepMm);
  }
  return out;
}

/// Distance (mm, to 0.25) from `p` to the nearest voxel that is not epidural fat, looked for in 26
/// directions up to 10 mm; 0 when `p` is not in fat.
double fatDepth(const imaging::PhantomCase& c, const Vector3d& p)
{
  if (truthLabel(c, p) != labels::kEpiduralFat) {
    return 0;
  }
  double best = 10;
  for (int x = -1; x <= 1; ++x) {
    for (int y = -1; y <= 1; ++y) {
      for (int z = -1; z <= 1; ++z) {
        if (x == 0 && y == 0 && z == 0) {
          continue;
        }
        const Vector3d d = Vector3d(x, y, z).normalized();
        for (double s = kStepMm; s < best; s += kStepMm) {
          if (truthLabel(c, p + s * d) != labels::kEpiduralFat) {
            best = s;
            break;
          }
        }
      }
    }
  }
  return best;
}

} // namespace

bool LeadSafety::safe() const
{
  return planned && failures().empty();
}

std::string LeadSafety::failures() const
{
  if (!planned) {
    return "";
  }
  std::string f;
  auto add = [&](bool bad, const std::string& what) {
    if (bad) {
      f += (f.empty() ? "" : "; ") + what;
    }
  };
  char buf[160];
  std::snprintf(buf, sizeof buf, "needle %.2f mm through bone", needleBoneMm);
  add(needleBoneMm > 0, buf);
  std::snprintf(buf, sizeof buf, "needle %.2f mm through sac/cord/cauda", needleNoGoMm);
  add(needleNoGoMm > 0, buf);
  std::snprintf(buf, sizeof buf, "epidural entry in label %d, not fat", entryLabel);
  add(entryLabel != labels::kEpiduralFat, buf);
  std::snprintf(buf, sizeof buf, "route %.2f mm through sac/cord/cauda", routeNoGoMm);
  add(routeNoGoMm > 1.0, buf);
  std::snprintf(buf, sizeof buf, "route %.2f mm through bone", routeBoneMm);
  add(routeBoneMm > 0.5, buf);
  std::snprintf(buf, sizeof buf, "bend %.1f mm, sheath %.1f mm", tightestBendMm, sheathRadiusMm);
  add(tightestBendMm < sheathRadiusMm - 0.05, buf);
  std::snprintf(buf, sizeof buf, "contacts cover %.0f %% of the ganglion", coverage * 100);
  add(coverage < 0.8, buf);
  return f;
}

LeadSafety measureLeadSafety(const imaging::PhantomCase& phantom, const planning::LeadPlan& lead,
                             const planning::DeviceCatalog& catalog)
{
  LeadSafety s;
  s.name = lead.name;
  s.planned = lead.planned;
  s.problem = lead.problem;
  s.skinAngleDeg = lead.needleToSkinDeg;
  if (!lead.planned) {
    return s;
  }
  // the needle: bone across its width, the no-go structures on its axis
  const planning::NeedleModel* needle = catalog.needle(lead.needle);
  const double radius = needle ? 0.5 * needle->outerDiameterMm.value : 1.0;
  const Vector3d d = (lead.epiduralEntry - lead.skinEntry).normalized();
  const Vector3d e1 = d.unitOrthogonal(), e2 = d.cross(e1);
  const double depth = (lead.epiduralEntry - lead.skinEntry).norm();
  for (double t = 0; t <= depth; t += kStepMm) {
    const Vector3d q = lead.skinEntry + d * t;
    bool bone = isBone(truthLabel(phantom, q));
    for (double a = 0; a < 6.28; a += 0.785) {
      bone = bone || isBone(truthLabel(phantom, q + radius * (std::cos(a) * e1 + std::sin(a) * e2)));
    }
    s.needleBoneMm += bone ? kStepMm : 0.0;
    s.needleNoGoMm += isNoGo(truthLabel(phantom, q)) ? kStepMm : 0.0;
  }
  s.entryLabel = truthLabel(phantom, lead.epiduralEntry);
  s.entryFatMm = fatDepth(phantom, lead.epiduralEntry);
  // the route up to the contact array (its proximal contact's proximal edge)
  const std::vector<Vector3d> route = resample(lead.route);
  const planning::LeadModel* model = catalog.lead(lead.leadModel);
  double contactsFromEntry = 1e9;
  if (model && !lead.contacts.empty()) {
    double best = 1e18;
    for (std::size_t i = 0; i < route.size(); ++i) {
      const double dist = (route[i] - lead.contacts.back()).squaredNorm();
      if (dist < best) {
        best = dist;
        contactsFromEntry = static_cast<double>(i) * kStepMm - 0.5 * model->contactLengthMm.value;
      }
    }
  }
  for (std::size_t i = 0; i < route.size() && static_cast<double>(i) * kStepMm < contactsFromEntry; ++i) {
    const int l = truthLabel(phantom, route[i]);
    s.routeBoneMm += isBone(l) ? kStepMm : 0.0;
    s.routeNoGoMm += isNoGo(l) ? kStepMm : 0.0;
  }
  // the whole path: needle, then the route from its tip
  std::vector<Vector3d> path = { lead.skinEntry };
  path.insert(path.end(), lead.route.begin(), lead.route.end());
  double bendAt = 0;
  s.tightestBendMm = tightestBend(path, 2.0, &bendAt);
  const double needleLength = (lead.epiduralEntry - lead.skinEntry).norm();
  s.tightestBendPastTipMm = bendAt - needleLength;
  s.tightestBendBeforeContactsMm =
    contactsFromEntry < 1e8 ? contactsFromEntry - s.tightestBendPastTipMm : 0.0;
  s.sheathRadiusMm = lead.sheathRadiusMm;
  for (const auto& g : phantom.truth.ganglia) {
    if (g.level == lead.targetLevel && g.side == lead.targetSide && model) {
      s.coverage = planning::contactCoverage(lead, *model, g.centre, g.axis, g.lengthMm, g.widthMm);
    }
  }
  return s;
}

double tightestBend(const std::vector<Vector3d>& path, double span, double* at)
{
  const std::vector<Vector3d> p = resample(path);
  const auto n = static_cast<std::size_t>(std::lround(span / kStepMm));
  double best = 1e9;
  for (std::size_t i = 0; i + 2 * n < p.size(); ++i) {
    const Vector3d a = p[i], b = p[i + n], c = p[i + 2 * n];
    const double area2 = (b - a).cross(c - a).norm();
    if (area2 > 1e-9) {
      const double r = (b - a).norm() * (c - b).norm() * (a - c).norm() / (2.0 * area2);
      if (r < best) {
        best = r;
        if (at) {
          *at = static_cast<double>(i + n) * kStepMm;
        }
      }
    }
  }
  return best;
}

std::string safetyRow(const LeadSafety& s)
{
  char buf[480];
  if (!s.planned) {
    std::snprintf(buf, sizeof buf, "%-10s refused: %s", s.name.c_str(), s.problem.c_str());
    return buf;
  }
  std::snprintf(
    buf, sizeof buf,
    "%-10s needle bone %4.1f nogo %4.1f | entry label %3d fat %3.1f | route nogo %4.1f bone %4.1f | "
    "bend %5.1f (sheath %4.1f) %5.1f past the tip, %5.1f before the contacts | cover %3.0f %% | angle %4.1f "
    "| %s",
    s.name.c_str(), s.needleBoneMm, s.needleNoGoMm, s.entryLabel, s.entryFatMm, s.routeNoGoMm, s.routeBoneMm,
    s.tightestBendMm, s.sheathRadiusMm, s.tightestBendPastTipMm, s.tightestBendBeforeContactsMm,
    s.coverage * 100, s.skinAngleDeg, s.safe() ? "safe" : s.failures().c_str());
  return buf;
}

} // namespace drg::test
