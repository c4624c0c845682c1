// Step 5 of a lead's plan: the sheath's route. It leaves the needle's tip along the needle, runs in
// the dorsal epidural space (behind the dural sac, in front of the laminae and the ligamenta flava)
// towards the target's foramen and arrives along the root where the straight stretch through the
// contacts begins. First guesses follow the middle of the dorsal epidural fat the label map shows;
// planner/RouteOptimiser pulls each clear of the dura and bone within the sheath's curve. The
// tightest sheath in the catalog is shaped first (a route within a wider curve is within a tighter
// one too); only when it keeps the rules are the wider ones tried, widest first.
#include "drg/planning/Planner.h"
#include "planner/LeadSteps.h"
#include "planner/PathGeometry.h"
#include "planner/RouteOptimiser.h"

#include <future>

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

/// True when a shaped route keeps the rules: clear of the no-go structures and of bone by the
/// acceptance margins, and no bend tighter than the sheath's curve.
bool keepsRules(const ShapedRoute& r, double radius, double duraMargin)
{
  return r.noGoClearanceMm >= duraMargin && r.boneClearanceMm >= tuning::kRouteBoneAcceptMm &&
         r.tightestBendMm >= radius - tuning::kBendToleranceMm;
}

} // namespace

bool SheathRoute::usable() const
{
  return route.size() >= 2 &&
         std::all_of(route.begin(), route.end(), [](const Vector3d& q) { return q.allFinite(); });
}

Vector3d dorsalFatPoint(const PlanAnatomy::Impl& anatomy, int station, double lateral)
{
  const auto& A = anatomy;
  const auto& st = A.at(station);
  const Vector3d base = st.centre + st.left * lateral;
  Vector3d best = base + st.posterior * A.dorsalDepth(st, lateral);
  double bestClearance = -1e9;
  bool inCanal = false;
  for (double t = 0.0; t <= st.rPost + tuning::kDorsalSearchBeyondMm; t += 0.25) {
    const Vector3d q = base + st.posterior * t;
    const bool canal = PlanAnatomy::Impl::inCanal(A.labelAt(q));
    if (inCanal && !canal) {
      break; // out of the canal behind it
    }
    inCanal = inCanal || canal;
    const double n = A.clearance.noGo(q), b = A.clearance.bone(q);
    if (b < 0) {
      break; // the lamina
    }
    if (n <= 0) {
      bestClearance = -1e9; // still in the sac: the space lies behind it
      continue;
    }
    if (canal && std::min(n, b) > bestClearance) {
      bestClearance = std::min(n, b);
      best = q;
    }
  }
  return best;
}

SheathRoute shapeEpiduralRoute(const PlanAnatomy::Impl& anatomy, const DeviceCatalog& catalog,
                               const LeadCourse& course, const ContactLayout& contacts,
                               const NeedleTrack& track, const LeadPlan& lead)
{
  const auto& A = anatomy;
  const int sT = course.targetSide;
  const int idxStep = course.stationStep;
  const Vector3d& P = contacts.straightStart;
  const int sP = contacts.straightStation;
  const int sEntry = track.entryStation;
  const double latE = track.entryLateral;
  // the straight stretch through the contacts, every tuning::kRouteStepMm
  std::vector<Vector3d> straight;
  const double straightLength = (lead.tip - P).norm();
  for (double t = tuning::kRouteStepMm; t < straightLength; t += tuning::kRouteStepMm) {
    straight.push_back(P + (lead.tip - P) * (t / straightLength));
  }
  straight.push_back(lead.tip);
  // the best of the first guesses for one sheath, and whether it keeps the rules
  auto shapeFor = [&](const SheathModel* sh) {
    const double R = sh->curveRadiusMm.value;
    const RouteEnds ends{ lead.epiduralEntry,
                          track.direction,
                          P,
                          contacts.axis,
                          R,
                          A.duraMarginMm + tuning::kRouteNoGoBeyondDuraMarginMm };
    // the first guesses: the middle of the dorsal fat from the needle's tip to the station at P
    // (or past it along the travel), crossing to the target's side, then back down the root to
    // the straight stretch; each shaped on its own thread (they share only the anatomy, read-only)
    std::vector<std::future<ShapedRoute>> shaped;
    for (const auto& [overshoot, crossBy] : tuning::kRouteGuesses) {
      const int sK = sP + idxStep * overshoot;
      const int span = (sK - sEntry) * idxStep;
      std::vector<Vector3d> guess;
      const int inner = tuning::kRouteInnerPoints;
      for (int i = 1; i < inner; ++i) {
        const double f = static_cast<double>(i) / inner;
        const int s = sEntry + idxStep * static_cast<int>(std::lround(f * std::max(span, 1)));
        const auto& st = A.at(s);
        const double gutter = sT * ((sT > 0 ? st.rLeft : st.rRight) - tuning::kGutterInsideWallMm);
        const double lat = latE + (gutter - latE) * std::min(1.0, f / crossBy);
        guess.push_back(dorsalFatPoint(A, s, lat));
      }
      guess.push_back(P - contacts.axis * tuning::kRouteRootApproachMm);
      shaped.push_back(std::async(std::launch::async, [&A, ends, guess = std::move(guess)] {
        return optimiseRoute(A.clearance, ends, guess);
      }));
    }
    SheathRoute best;
    double bestCost = 1e18;
    bool bestKeeps = false;
    bool bestLoops = true;
    for (auto& task : shaped) {
      const ShapedRoute r = task.get();
      const bool keeps = keepsRules(r, R, A.duraMarginMm);
      // (a route that loops on itself is no route, whatever it costs: the other guess's wins)
      const bool loops = r.turningDeg > tuning::kRouteMostTurningDeg;
      if ((keeps && !bestKeeps) || (keeps == bestKeeps && (loops ? 1 : 0) < (bestLoops ? 1 : 0)) ||
          (keeps == bestKeeps && loops == bestLoops && r.cost < bestCost)) {
        bestKeeps = keeps;
        bestLoops = loops;
        bestCost = r.cost;
        best.route = r.samples;
        best.route.insert(best.route.end(), straight.begin(), straight.end());
        best.minRadius = std::min(r.tightestBendMm, 1e3);
        best.sheath = sh;
      }
    }
    return std::make_pair(best, bestKeeps);
  };
  // a route within a wider curve is within a tighter one too: the tightest sheath first; only when
  // it keeps the rules are the wider ones tried, widest first, and the first that keeps them wins
  const std::vector<const SheathModel*> sheaths = sheathsToTry(catalog, lead.sheath);
  const auto tightest = shapeFor(sheaths.back());
  if (!tightest.second) {
    return tightest.first;
  }
  for (std::size_t i = 0; i + 1 < sheaths.size(); ++i) {
    const auto wider = shapeFor(sheaths[i]);
    if (wider.second) {
      return wider.first;
    }
  }
  return tightest.first;
}

} // namespace drg::planning
