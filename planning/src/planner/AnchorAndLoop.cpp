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
  const double fallback = std::min(rules.fallbackFasciaDepthMm.value, 0.6 * lead.needleDepthMm);
  anchor.point = lead.skinEntry + d * fallback;
  if (A.ct) {
    // CT: the fascia is where the subcutaneous fat (under -40 HU) gives way to tissue (over
    // -10 HU) for 2 mm
    double fat = 0, tissue = 0;
    for (double t = 0; t < 0.8 * lead.needleDepthMm; t += 0.5) {
      const float v = A.valueAt(lead.skinEntry + d * t);
      if (v < -40.0f) {
        fat += 0.5;
        tissue = 0;
      } else if (fat >= 2.0 && v > -10.0f) {
        tissue += 0.5;
        if (tissue >= 2.0) {
          anchor.point = lead.skinEntry + d * (t - 2.0);
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
  const auto& st = A.at(track.entryStation + course.stationStep * 6);
  return st.centre + st.posterior * A.dorsalDepth(st, latE) + st.left * latE;
}

} // namespace drg::planning
