// Steps 1 and 2 of a lead's plan: the target (the ganglion estimate or the user's point) and the
// course through the interlaminar window the needle enters by.
#include "planner/LeadSteps.h"
#include "planner/PathGeometry.h"

namespace drg::planning
{

bool placeTarget(const PlanAnatomy::Impl& anatomy, LeadPlan& lead)
{
  const auto& A = anatomy;
  const imaging::DrgEstimate* drg = A.model.ganglion(lead.targetLevel, lead.targetSide);
  if (!drg && !lead.manualTarget) {
    lead.problem = "no ganglion estimate for " + lead.targetLevel + " " + imaging::sideName(lead.targetSide) +
                   " (level not in view or its pedicle not found): give the target point by hand";
    return false;
  }
  for (const auto* q : { &lead.manualTarget, &lead.skinEntryOverride, &lead.epiduralEntryOverride }) {
    if (*q && A.labelAt(**q) < 0) {
      lead.problem = "a point given for this lead lies outside the image: move it or reset the lead";
      return false;
    }
  }
  if (lead.skinEntryOverride && lead.epiduralEntryOverride &&
      (*lead.skinEntryOverride - *lead.epiduralEntryOverride).norm() < tuning::kMinNeedleDepthMm) {
    lead.problem = "the skin entry lies too near the epidural entry (under 25 mm): move one of them";
    return false;
  }
  const int sT = sideSign(lead.targetSide);
  lead.target = lead.manualTarget ? *lead.manualTarget : drg->centre;
  lead.targetLengthMm = drg ? drg->lengthMm : tuning::kHandTargetLengthMm;
  lead.targetWidthMm = drg ? drg->widthMm : tuning::kHandTargetWidthMm;
  {
    const auto& st = A.at(A.nearestIndex(lead.target));
    lead.targetAxis = drg ? drg->axis
                          : Vector3d(sT * std::sin(rad(tuning::kHandTargetRootAngleDeg)) * st.left -
                                     std::cos(rad(tuning::kHandTargetRootAngleDeg)) * st.toHead)
                              .normalized();
  }
  return true;
}

std::optional<LeadCourse> courseThroughWindow(const PlanAnatomy::Impl& anatomy, const LeadPlan& lead)
{
  const auto& A = anatomy;
  const imaging::SpineDisc* window = nullptr;
  for (const auto& d : A.model.discs) {
    if (d.upperLevel == lead.entryLevel) {
      window = &d;
    }
  }
  if (!window) {
    return std::nullopt;
  }
  LeadCourse c;
  c.targetSide = sideSign(lead.targetSide);
  c.sacral = lead.approach == Approach::Sacral;
  c.travel = c.sacral ? -1.0 : 1.0;
  c.stationStep = c.sacral ? 1 : -1;
  c.windowStation = A.nearestIndex(window->centre);
  c.entrySide = lead.approach == Approach::ContralateralInterlaminar ? -c.targetSide : c.targetSide;
  return c;
}

} // namespace drg::planning
