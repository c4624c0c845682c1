// Step 4 of a lead's plan: the needle. Its epidural entry lies in the dorsal epidural space of the
// interlaminar window; entry points and angles are searched for a straight, bone-free path to the
// skin that the needle reaches, near the preferred angle and leaving the sheath room to turn.
#include "planner/FluoroAngles.h"
#include "planner/LeadSteps.h"
#include "planner/PathGeometry.h"

#include "drg/imaging/AnatomyLabels.h"

#include <tuple>

namespace drg::planning
{
namespace
{

/// Where the needle's tip goes at `station`, `lateral` mm to the left: the most posterior point of
/// the canal tuning::kEntryInsideCanalMm inside its outline and clear of the sac and bone; when no
/// point keeps all three, the one in the canal that comes nearest.
Vector3d needleTipPoint(const PlanAnatomy::Impl& anatomy, int station, double lateral)
{
  const auto& A = anatomy;
  const auto& st = A.at(station);
  const Vector3d base = st.centre + st.left * lateral;
  // how well `q` keeps the tip's three margins: inside the canal's outline, off the sac, off bone
  auto slack = [&](const Vector3d& q) {
    return std::min({ -A.clearance.canal(q) - tuning::kEntryInsideCanalMm,
                      A.clearance.noGo(q) - (A.duraMarginMm + tuning::kRouteNoGoBeyondDuraMarginMm),
                      A.clearance.bone(q) - tuning::kRouteBoneMarginMm });
  };
  Vector3d balanced = dorsalFatPoint(anatomy, station, lateral);
  double best = A.clearance.canal(balanced) < 0.0 ? slack(balanced) : -1e9;
  for (double t = st.rPost + tuning::kDorsalSearchBeyondMm; t >= 0.0; t -= 0.25) {
    const Vector3d q = base + st.posterior * t;
    const double s = slack(q);
    if (s >= 0.0) {
      return q; // the most posterior point keeping all three
    }
    if (A.clearance.canal(q) < 0.0 && s > best) { // (never outside the canal)
      best = s;
      balanced = q;
    }
  }
  return balanced; // none keeps all three: the point in the canal that comes nearest
}

/// Walks needle paths from an epidural entry back to the skin, counting the bone met on the way
/// (along the centre and four edge rays a needle's half width and a margin out).
class NeedleWalker
{
public:
  NeedleWalker(const PlanAnatomy::Impl& anatomy, const NeedleModel& needle)
    : m_anatomy(anatomy)
    , m_needle(needle)
    , m_radius(0.5 * needle.outerDiameterMm.value + tuning::kNeedleMarginMm)
  {}

  /// Walks from `entry` away from `skinSide` to the skin; gives up at `boneLimit` mm of bone (the
  /// search stops at the first bone once a clear path is known).
  void walk(const Vector3d& entry, const Vector3d& skinSide, NeedleCandidate& c,
            double boneLimit = tuning::kNeedleBoneGiveUpMm) const
  {
    const auto& A = m_anatomy;
    const double radius = m_radius;
    const Vector3d d = (entry - skinSide).normalized();
    Vector3d e1 = d.unitOrthogonal(), e2 = d.cross(e1);
    c.entry = entry;
    c.bone = 0;
    c.skinFound = false;
    const double maxLen =
      std::min(m_needle.lengthMm.value + tuning::kNeedleWalkBeyondLengthMm, tuning::kNeedleWalkMaxMm);
    for (double t = 0.0; t <= maxLen; t += 0.5) {
      const Vector3d q = entry - d * t;
      const int l = A.labelAt(q);
      if (l < 0) {
        return;
      }
      if (l == imaging::labels::kSkin && t >= tuning::kMinNeedleDepthMm && A.airBeyond(q, -d)) {
        if (A.model.labels.geometry().containsIndex(A.indexOf(q), -2.0)) {
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
  }

private:
  const PlanAnatomy::Impl& m_anatomy;
  const NeedleModel& m_needle;
  double m_radius; ///< the needle's half width and a margin (mm)
};

/// A needle path to walk: its cost known before walking it (walking only adds to it).
struct NeedleOption
{
  double base;
  Vector3d entry, skinSide;
};

/// Every needle path the search may take, unsorted: entry points over the window's stations and
/// across the dorsal epidural space, each with every direction (or towards the given skin entry).
std::vector<NeedleOption> needleOptions(const PlanAnatomy::Impl& anatomy, double turnRadiusMm,
                                        const LeadCourse& course, const ContactLayout& contacts,
                                        const LeadPlan& lead, const std::vector<Vector3d>& otherEntries,
                                        bool onlyClearTips)
{
  const auto& A = anatomy;
  const int sEntrySide = course.entrySide;
  const double travel = course.travel;
  const int idxStep = course.stationStep;
  const int sE0 = course.windowStation;
  const int sP = contacts.straightStation;
  const bool sacral = course.sacral;
  const Vector3d& onDrg = contacts.onGanglion;
  const Vector3d& ax = contacts.axis;
  // the tip just through the ligamentum flavum: the dorsal epidural fat's depth lies ahead of it
  // for the sheath to turn in
  auto dorsalEntry = [&](int s, double u) {
    const auto& st = A.at(s);
    const double rLat = sEntrySide > 0 ? st.rLeft : st.rRight;
    u = std::min(u, std::max(0.0, rLat - tuning::kEntryInsideLateralWallMm));
    return needleTipPoint(A, s, sEntrySide * u);
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
  std::vector<NeedleOption> options;
  for (int k = -10; k <= 10; k += 2) {
    const int s = sE0 + k;
    for (double u : { 1.0, 3.0, 5.0, 7.0 }) {
      const Vector3d entry = lead.epiduralEntryOverride ? *lead.epiduralEntryOverride : dorsalEntry(s, u);
      if (!lead.epiduralEntryOverride && onlyClearTips &&
          (A.clearance.noGo(entry) < A.duraMarginMm + 0.25 ||
           A.clearance.canal(entry) > -tuning::kEntryInsideCanalMm)) {
        continue; // no fat deep enough here for the tip to lie in it, clear of the sac
      }
      // the flatter the needle lies to the canal, the less room the sheath needs to turn into it
      const double fatAhead = A.clearance.noGo(entry);
      const Vector3d along = A.at(s).toHead * travel;
      double crowd = 0;
      for (const Vector3d& o : otherEntries) { // keep needles of other leads apart
        crowd += std::max(0.0, tuning::kNeedleSpacingMm - (entry - o).norm());
      }
      // the sheath needs room to turn between the needle's tip and the contacts
      const double room = static_cast<double>((sP - s) * idxStep);
      // the sacral approach runs straight down the root: its needle's tip belongs on that line
      const Vector3d off = entry - onDrg;
      const double offRoot = sacral ? (off - off.dot(ax) * ax).norm() : 0.0;
      const double place =
        std::abs(k - tuning::kPreferredEntryStation) * tuning::kCostPerStationOffEntry +
        std::abs(u - tuning::kPreferredEntryLateralMm) * tuning::kCostPerMmOffEntryLateral +
        std::max(0.0, tuning::kTurnRoomStations - room) * tuning::kCostPerStationShortOfRoom + crowd +
        tuning::kCostPerMmOffRoot * offRoot;
      if (lead.skinEntryOverride) {
        options.push_back({ place, entry, *lead.skinEntryOverride });
      } else {
        for (const auto& [a, b, dir] : directions) {
          const double toCanal = deg(std::acos(std::clamp(dir.dot(along), -1.0, 1.0)));
          (void)a;
          // the sheath turns from the needle into the canal within the fat ahead of the tip
          const double turnDepth = turnRadiusMm * (1.0 - std::cos(rad(toCanal))) + A.duraMarginMm;
          const double shortOfRoom = std::max(0.0, turnDepth - fatAhead);
          options.push_back({ place + toCanal * tuning::kCostPerDegreeToCanal +
                                b * tuning::kCostPerDegreeMedioLateral +
                                shortOfRoom * tuning::kCostPerMmShortOfTurn,
                              entry, entry - dir * 10.0 });
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
  return options;
}

/// The lowest-cost path among `options`: every candidate's cost known before walking its path
/// (walking only adds to it), walked in order of that cost and stopping when no remaining one can
/// beat the best (branch and bound); first only clear paths (a walk stops at its first bone), and
/// when there is none, the path with the least bone, so that the finding can say how much.
NeedleCandidate bestNeedle(const PlanAnatomy::Impl& anatomy, const PlanRules& rules,
                           const NeedleModel& needle, const NeedleWalker& walker,
                           std::vector<NeedleOption> options, const LeadPlan& lead)
{
  NeedleCandidate best;
  std::stable_sort(options.begin(), options.end(),
                   [](const NeedleOption& x, const NeedleOption& y) { return x.base < y.base; });
  for (const double boneLimit : { 0.5, tuning::kNeedleBoneGiveUpMm }) {
    for (const NeedleOption& o : options) {
      if (o.base >= best.cost) {
        break;
      }
      NeedleCandidate c;
      walker.walk(o.entry, o.skinSide, c, boneLimit);
      if (lead.skinEntryOverride) {
        c.skin = *lead.skinEntryOverride;
        c.skinFound = true;
      }
      if (boneLimit < 1.0 && (c.bone > 0 || !c.skinFound)) {
        continue;
      }
      const double length = c.skinFound ? (o.entry - c.skin).norm() : 0.0;
      c.cost =
        o.base +
        std::max(0.0, length - needle.lengthMm.value + tuning::kNeedleSpareMm) * tuning::kCostPerMmTooLong +
        (c.skinFound ? 0.0 : tuning::kCostNoSkin) + c.bone * tuning::kCostPerMmOfBone;
      // within the published practice's angles to the skin (the rules' limits); measured only for
      // a path that could still win (the measure is the search's dearest step)
      if (c.cost < best.cost && c.skinFound && !lead.skinEntryOverride) {
        const double toSkin = fluoroscopicAngles(anatomy, c.skin, o.entry, lead.entryLevel).toSkinDeg;
        if (toSkin > rules.maxNeedleAngleDeg.value || toSkin < rules.minNeedleAngleDeg.value) {
          c.cost += tuning::kCostOutOfPractice;
        }
      }
      if (c.cost < best.cost) {
        best = c;
      }
    }
    if (best.skinFound && best.bone == 0) {
      break;
    }
  }
  return best;
}

} // namespace

NeedleCandidate searchNeedlePath(const PlanAnatomy::Impl& anatomy, const PlanRules& rules,
                                 const NeedleModel& needle, double turnRadiusMm, const LeadCourse& course,
                                 const ContactLayout& contacts, const LeadPlan& lead,
                                 const std::vector<Vector3d>& otherEntries)
{
  const NeedleWalker walker(anatomy, needle);
  if (lead.epiduralEntryOverride && lead.skinEntryOverride) {
    NeedleCandidate given;
    walker.walk(*lead.epiduralEntryOverride, *lead.skinEntryOverride, given);
    given.skin = *lead.skinEntryOverride;
    given.skinFound = true;
    return given;
  }
  // tips in fat a voxel clear of the sac first; where the window shows none, or no clear path
  // reaches one, the nearest there is (the plan's findings then say what the tip or path lacks)
  const std::vector<NeedleOption> clearTips =
    needleOptions(anatomy, turnRadiusMm, course, contacts, lead, otherEntries, true);
  NeedleCandidate best = bestNeedle(anatomy, rules, needle, walker, clearTips, lead);
  if (clearTips.empty() || !best.skinFound || best.bone > 0) {
    const NeedleCandidate any =
      bestNeedle(anatomy, rules, needle, walker,
                 needleOptions(anatomy, turnRadiusMm, course, contacts, lead, otherEntries, false), lead);
    if (clearTips.empty() || (any.skinFound && (!best.skinFound || any.bone < best.bone))) {
      best = any;
    }
  }
  return best;
}

NeedleTrack placeNeedle(const PlanAnatomy::Impl& anatomy, const NeedleModel& needle,
                        const NeedleCandidate& path, LeadPlan& lead)
{
  const auto& A = anatomy;
  lead.epiduralEntry = path.entry;
  lead.skinEntry = path.skin;
  const Vector3d d = (lead.epiduralEntry - lead.skinEntry).normalized();
  {
    NeedleCandidate c;
    NeedleWalker(anatomy, needle).walk(lead.epiduralEntry, lead.skinEntry, c);
    lead.needleBoneMm = c.bone;
  }
  lead.needleDepthMm = (lead.epiduralEntry - lead.skinEntry).norm();
  const NeedleAngles angles = fluoroscopicAngles(A, lead.skinEntry, lead.epiduralEntry, lead.entryLevel);
  lead.needleToSkinDeg = angles.toSkinDeg;
  lead.needleToLaminaLineDeg = angles.toLaminaLineDeg;
  lead.needleApMedioLateralDeg = angles.apMedioLateralDeg;
  NeedleTrack track;
  track.direction = d;
  track.entryStation = A.nearestIndex(lead.epiduralEntry);
  track.entryLateral =
    (lead.epiduralEntry - A.at(track.entryStation).centre).dot(A.at(track.entryStation).left);
  return track;
}

} // namespace drg::planning
