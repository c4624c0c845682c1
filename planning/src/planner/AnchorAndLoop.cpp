// Step 6 of a lead's plan: the anchor at the fascia on the needle track and the strain-relief loop.
#include "planner/LeadSteps.h"

namespace drg::planning
{

FasciaAnchor anchorAtFascia(const PlanAnatomy::Impl& anatomy, const PlanRules& rules,
                            const NeedleTrack& track, const LeadPlan& lead)
{
  const auto& A = anatomy;
  const Vector3d& d = track.direction;
  FasciaAnchor anchor;
  anchor.atFascia = false;
  const double fallback =
    std::min(rules.fallbackFasciaDepthMm.value, tuning::kFallbackAnchorFraction * lead.needleDepthMm);
  anchor.point = lead.skinEntry + d * fallback;
  if (A.ct) {
    double fat = 0, tissue = 0;
    for (double t = 0; t < tuning::kFasciaSearchFraction * lead.needleDepthMm; t += 0.5) {
      const float v = A.valueAt(lead.skinEntry + d * t);
      if (v < tuning::kFatBelowHu) {
        fat += 0.5;
        tissue = 0;
      } else if (fat >= tuning::kFasciaRunMm && v > tuning::kTissueAboveHu) {
        tissue += 0.5;
        if (tissue >= tuning::kFasciaRunMm) {
          anchor.point = lead.skinEntry + d * (t - tuning::kFasciaRunMm);
          anchor.atFascia = true;
          break;
        }
      }
    }
  }
  return anchor;
}

Vector3d strainReliefLoopCentre(const PlanAnatomy::Impl& anatomy, const LeadCourse& course,
                                const NeedleTrack& track)
{
  const auto& A = anatomy;
  const double latE = track.entryLateral;
  const auto& st = A.at(track.entryStation + course.stationStep * tuning::kLoopStationsPastEntry);
  return st.centre + st.posterior * A.dorsalDepth(st, latE) + st.left * latE;
}

} // namespace drg::planning
