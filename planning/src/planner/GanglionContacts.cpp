// Step 3 of a lead's plan and its end: the contact array centred on the dorsal aspect of the
// ganglion along its root, the contacts laid along the route, and how much of the ganglion they
// cover.
#include "drg/planning/Planner.h"
#include "planner/LeadSteps.h"
#include "planner/PathGeometry.h"

namespace drg::planning
{

ContactLayout layContactsOnGanglion(const PlanAnatomy::Impl& anatomy, const PlanRules& rules,
                                    const LeadModel& leadModel, const LeadCourse& course,
                                    const LeadPlan& lead)
{
  const auto& A = anatomy;
  const int sT = course.targetSide;
  ContactLayout c;
  const Vector3d ax = lead.targetAxis.normalized();
  const auto& stT = A.at(A.nearestIndex(lead.target));
  Vector3d dorsal = stT.posterior - stT.posterior.dot(ax) * ax;
  dorsal = dorsal.norm() > 1e-6 ? Vector3d(dorsal.normalized()) : stT.posterior;
  Vector3d onDrg = lead.target + dorsal * (rules.contactDorsalOffset.value * lead.targetWidthMm);
  const std::vector<double> fromTip = leadModel.contactCentresFromTipMm();
  const double mid = 0.5 * (fromTip.front() + fromTip.back());
  const double proximalContact = fromTip.back() - mid + 0.5 * leadModel.contactLengthMm.value;
  {
    // the array is centred on the ganglion, but moved out along the root (as far as keeps the
    // ganglion under it) when its proximal end would reach into the thecal sac: the lead stays
    // epidural (upper lumbar ganglia lie at the pedicle's medial border)
    const auto& st = A.at(A.nearestIndex(onDrg));
    const double rLat = sT > 0 ? st.rLeft : st.rRight;
    // (not at S1: its ganglion lies in the canal, and so does the lead)
    const double slack =
      course.sacral ? 0.0 : std::max(0.0, proximalContact - 0.5 * lead.targetLengthMm - 0.5);
    double shift = 0.0;
    while (shift < slack && (onDrg + ax * shift - ax * proximalContact - st.centre).dot(st.left) * sT <
                              rLat - tuning::kContactsInsideWallMm) {
      shift = std::min(slack, shift + 0.5);
    }
    onDrg += ax * shift;
  }
  // the array lies along the root over the ganglion's dorsal aspect; where the root's line runs
  // back into the sac (it leaves the sac there), the array's proximal end is tilted dorsally about
  // its middle, the least that leaves the route's way in clear of the sac: the lead comes over the
  // root's sleeve, not through it (and clear of bone: when no tilt keeps both, the one that comes
  // nearest). The tip, dipping as the array tilts, stays dorsal of the ganglion's middle: towards
  // the ventral (motor) root it is not to go.
  Vector3d axis = ax;
  double bestScore = -1e9;
  for (double tilt = 0.0; tilt <= tuning::kContactsMaxTiltDeg + 1e-9; tilt += tuning::kContactsTiltStepDeg) {
    const Vector3d a = (std::cos(rad(tilt)) * ax - std::sin(rad(tilt)) * dorsal).normalized();
    const Vector3d start = onDrg - a * (proximalContact + tuning::kStraightBeforeContactsMm);
    const Vector3d tip = onDrg + a * mid;
    if (tilt > 0.0 && (tip - lead.target).dot(dorsal) < 0.0) {
      break;
    }
    // (a tilt that takes the contacts off the ganglion is no way in: they keep over its core, a
    // margin for the estimate's error)
    LeadPlan straight;
    for (double t = 0.0; t <= 1.0 + 1e-9; t += 0.05) {
      straight.route.push_back(start + (tip - start) * t);
    }
    if (tilt > 0.0 && contactCoverage(straight, leadModel, lead.target, ax, lead.targetLengthMm,
                                      lead.targetWidthMm - 2.0 * tuning::kContactsTiltCoreMarginMm) <
                        tuning::kContactsTiltMinCover) {
      break;
    }
    const double score = std::min(A.clearance.noGo(start) - tuning::kContactsStartClearOfSacMm,
                                  A.clearance.bone(start) - tuning::kRouteBoneMarginMm);
    if (score > bestScore + 1e-9) {
      bestScore = score;
      axis = a;
    }
    if (score >= 0) {
      break;
    }
  }
  c.axis = axis;
  c.onGanglion = onDrg;
  c.tip = onDrg + axis * mid;
  c.fromTip = fromTip;
  // where the straight stretch through the contacts begins
  c.straightStart = c.onGanglion - axis * (proximalContact + tuning::kStraightBeforeContactsMm);
  c.straightStation = A.nearestIndex(c.straightStart);
  return c;
}

std::vector<Vector3d> contactsAlongRoute(const std::vector<Vector3d>& route,
                                         const std::vector<double>& fromTip)
{
  std::vector<Vector3d> contacts;
  double walked = 0;
  std::size_t c = 0;
  for (std::size_t i = route.size() - 1; i > 0 && c < fromTip.size(); --i) {
    const double seg = (route[i] - route[i - 1]).norm();
    while (c < fromTip.size() && walked + seg >= fromTip[c]) {
      const double f = seg > 0 ? (fromTip[c] - walked) / seg : 0.0;
      contacts.push_back(route[i] + (route[i - 1] - route[i]) * f);
      ++c;
    }
    walked += seg;
  }
  return contacts;
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

} // namespace drg::planning
