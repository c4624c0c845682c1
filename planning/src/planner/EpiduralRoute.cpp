// Step 5 of a lead's plan: the sheath's route. The sheath travels the dorsal epidural space (J:
// where it has drifted to, on the side it comes from) to a turning point K medial of P (where the
// straight stretch through the contacts begins) and before it, turns out into the foramen to P,
// and follows the root from P: the lead's last stretch is straight through the ganglion. Corners
// are rounded with circular arcs of the sheath's curve where the space allows. Candidates differ in
// how far medial and how far before P K lies, how far before K J is and J's side; the widest bend
// that fits wins (tighter sheaths only when the wider cannot fit).
#include "drg/planning/Planner.h"
#include "planner/LeadSteps.h"
#include "planner/PathGeometry.h"

namespace drg::planning
{
namespace
{

/// The sheaths to shape the route for: the lead's chosen one, else the catalog's, widest curve first.
std::vector<const SheathModel*> sheathsToTry(const DeviceCatalog& catalog, const std::string& sheath)
{
  std::vector<const SheathModel*> sheaths;
  if (const SheathModel* chosen = catalog.sheath(sheath)) {
    sheaths.push_back(chosen);
  } else {
    for (const auto& s : catalog.sheaths()) {
      sheaths.push_back(&s);
    }
    std::sort(sheaths.begin(), sheaths.end(), [](const SheathModel* a, const SheathModel* b) {
      return a->curveRadiusMm.value > b->curveRadiusMm.value;
    });
  }
  return sheaths;
}

/// Rounds candidate routes with a sheath's curve, scores them and keeps the best: the widest bend
/// first, then the contacts' cover of the ganglion, then no bone and a short route.
class RouteSearch
{
public:
  RouteSearch(const PlanAnatomy::Impl& anatomy, const LeadModel& leadModel, const LeadPlan& lead,
              const Vector3d& axis)
    : m_anatomy(anatomy)
    , m_leadModel(leadModel)
    , m_lead(lead)
    , m_axis(axis)
  {}

  /// Rounds the control points `ctrl` with `sheath`'s curve and keeps the route when it scores best.
  void tryRoute(const std::vector<Vector3d>& ctrl, const SheathModel* sheath)
  {
    const auto& A = m_anatomy;
    const double R = sheath->curveRadiusMm.value;
    double minR = 0;
    std::vector<Vector3d> route =
      filletAndSample(ctrl, R, tuning::kTuohyBendRadiusMm, tuning::kRouteStepMm, minR);
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
      contactCoverage(trial, m_leadModel, m_lead.target, m_axis, m_lead.targetLengthMm, m_lead.targetWidthMm);
    const double score = std::min(minR, R) * tuning::kScorePerMmOfRadius -
                         pathLength(route) * tuning::kScorePerMmOfLength -
                         bone * tuning::kScorePerBoneSample - (1.0 - cover) * tuning::kScorePerCover -
                         (minR < R - tuning::kBendToleranceMm ? tuning::kScoreTooTight : 0.0);
    if (score > m_best.score) {
      m_best = SheathRoute{ std::move(route), minR, sheath, score };
    }
  }

  const SheathRoute& best() const { return m_best; }

private:
  const PlanAnatomy::Impl& m_anatomy;
  const LeadModel& m_leadModel;
  const LeadPlan& m_lead;
  Vector3d m_axis;
  SheathRoute m_best;
};

} // namespace

bool SheathRoute::usable() const
{
  return route.size() >= 2 &&
         std::all_of(route.begin(), route.end(), [](const Vector3d& q) { return q.allFinite(); });
}

SheathRoute shapeEpiduralRoute(const PlanAnatomy::Impl& anatomy, const DeviceCatalog& catalog,
                               const LeadModel& leadModel, const LeadCourse& course,
                               const ContactLayout& contacts, const NeedleTrack& track, const LeadPlan& lead)
{
  const auto& A = anatomy;
  const int sT = course.targetSide;
  const int idxStep = course.stationStep;
  const int sEntrySide = course.entrySide;
  const Vector3d& P = contacts.straightStart;
  const int sP = contacts.straightStation;
  const int sEntry = track.entryStation;
  const double latE = track.entryLateral;
  const Vector3d start1 = lead.epiduralEntry + track.direction * tuning::kSheathLeavesNeedleMm;
  auto stationPoint = [&](int s, double lat) {
    const auto& st = A.at(s);
    return Vector3d(st.centre + st.posterior * A.dorsalDepth(st, lat) + st.left * lat);
  };
  RouteSearch search(anatomy, leadModel, lead, contacts.axis);
  for (const SheathModel* sh : sheathsToTry(catalog, lead.sheath)) {
    const double R = sh->curveRadiusMm.value;
    const double latP = (P - A.at(sP).centre).dot(A.at(sP).left);
    auto tryRoute = [&](const std::vector<Vector3d>& ctrl) { search.tryRoute(ctrl, sh); };
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
            const int from = sEntry + idxStep * tuning::kStationsPastEntry;
            const int steps = (sJ - from) * idxStep; // stations between the entry and J
            for (int j = 0; j <= steps; j += tuning::kDriftStations) {
              const double f = steps > 0 ? static_cast<double>(j) / steps : 1.0;
              ctrl.push_back(stationPoint(from + idxStep * j, latE + (latJ - latE) * f));
            }
            if (steps >= 0 && steps % tuning::kDriftStations != 0) {
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
    if (search.best().sheath == sh && search.best().minRadius >= R - tuning::kBendToleranceMm) {
      break; // this sheath's curve fits: no need for a tighter one
    }
  }
  return search.best();
}

} // namespace drg::planning
