// A lead's subcutaneous tunnel from its anchor to the pocket and its length budget: the lead
// (and extension) in the catalog long enough for route, needle track, loop, tunnel and slack.
#include "drg/planning/Planner.h"
#include "planner/BodySurface.h"
#include "planner/PathGeometry.h"
#include "planner/PlanAnatomyImpl.h"

#include <cstdio>

namespace drg::planning
{
namespace
{

/// The tunnel from `anchor` to the pocket's centre: around the body, the angle about the body's axis
/// and the height go evenly from the anchor to the pocket (the short way round), each step under
/// the skin at the pocket's depth (patient axes, not the canal's: the sacral canal's frame is
/// tilted far from the body's).
std::vector<Vector3d> subcutaneousTunnel(const PlanAnatomy::Impl& anatomy, const Vector3d& anchor,
                                         const PocketPlan& pocket)
{
  const auto& A = anatomy;
  std::vector<Vector3d> tunnel;
  auto polar = [&](const Vector3d& q, int& station) {
    station = A.nearestIndexByHeight(q);
    const Vector3d r = q - A.at(station).bodyAxis;
    return std::atan2(r.y(), r.x());
  };
  int s0 = 0, s1 = 0;
  const double t0 = polar(anchor, s0);
  const double t1 = polar(pocket.centre, s1);
  double turn = t1 - t0;
  while (turn > kPi) {
    turn -= 2 * kPi;
  }
  while (turn < -kPi) {
    turn += 2 * kPi;
  }
  const int n = 40;
  tunnel.push_back(anchor);
  for (int i = 1; i < n; ++i) {
    const double f = static_cast<double>(i) / n;
    const auto& st = A.at(static_cast<int>(std::lround(s0 + (s1 - s0) * f)));
    const double th = t0 + turn * f;
    const Vector3d dir(std::cos(th), std::sin(th), 0.0);
    const Vector3d from(st.bodyAxis.x(), st.bodyAxis.y(), (1.0 - f) * anchor.z() + f * pocket.centre.z());
    if (const SurfaceHit hit = skinOutward(A, from, dir, 400.0); hit.skin) {
      tunnel.push_back(*hit.skin - dir * pocket.depthMm);
    }
  }
  tunnel.push_back(pocket.centre);
  return tunnel;
}

/// Sets the budget's lead (and extension) lengths: the shortest lead of `leadModel` that covers the
/// total, else its longest with the shortest extension that does; `fits` false when none does.
void chooseLengths(const DeviceCatalog& catalog, const std::string& leadModel, LengthBudget& b)
{
  b.fits = false;
  if (const LeadModel* lm = catalog.lead(leadModel)) {
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
      for (const auto& e : catalog.extensions()) {
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
}

} // namespace

void Planner::budgetAndTunnel(LeadPlan& lead, const std::optional<PocketPlan>& pocket, PlanKind kind) const
{
  const auto& A = *m_anatomy.m_impl;
  LengthBudget b;
  b.routeMm = lead.routeLengthMm;
  if (kind == PlanKind::Trial) {
    // a percutaneous trial lead: route, loop, the whole needle track to the skin and the length
    // outside it to the trial cable; no anchor, tunnel or pocket
    b.trackMm = (lead.epiduralEntry - lead.skinEntry).norm();
    b.loopMm = kPi * lead.loopDiameterMm;
    b.slackMm = m_rules.trialExternalLeadMm.value;
    b.totalMm = b.routeMm + b.trackMm + b.loopMm + b.slackMm;
    b.complete = true;
    chooseLengths(m_catalog, lead.leadModel, b);
    lead.tunnel.clear();
    lead.tunnelFrom.clear();
    lead.budget = b;
    return;
  }
  b.trackMm = (lead.epiduralEntry - lead.anchor).norm();
  b.loopMm = kPi * lead.loopDiameterMm;
  b.slackMm = m_rules.pocketSlackMm.value + m_rules.connectorInsertionMm.value;
  if (pocket && pocket->placed) {
    // subcutaneous: from the anchor to the pocket, under the skin at the pocket's depth (found
    // again only when one of them moved: dragging another lead does not walk the skin again)
    char key[256];
    std::snprintf(key, sizeof key, "%a,%a,%a|%a,%a,%a|%a", lead.anchor.x(), lead.anchor.y(), lead.anchor.z(),
                  pocket->centre.x(), pocket->centre.y(), pocket->centre.z(), pocket->depthMm);
    if (lead.tunnelFrom != key || lead.tunnel.empty()) {
      lead.tunnel = subcutaneousTunnel(A, lead.anchor, *pocket);
      lead.tunnelFrom = key;
    }
    b.tunnelMm = pathLength(lead.tunnel);
    b.complete = true;
  }
  b.totalMm = b.routeMm + b.trackMm + b.loopMm + b.tunnelMm + b.slackMm;
  // without the tunnel the total is only a lower bound: a length chosen against it would be one
  // the surgeon cannot connect (the tunnel to a buttock pocket is 10-50 cm), so none is chosen
  if (b.complete) {
    chooseLengths(m_catalog, lead.leadModel, b);
  } else {
    lead.tunnel.clear();
    lead.tunnelFrom.clear();
  }
  lead.budget = b;
}

} // namespace drg::planning
