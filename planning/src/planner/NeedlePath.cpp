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
        if (A.model.labels.geometry().containsIndex(A.model.labels.geometry().lpsToIndex(q), -2.0)) {
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
std::vector<NeedleOption> needleOptions(const PlanAnatomy::Impl& anatomy, const PlanRules& rules,
                                        const LeadCourse& course, const ContactLayout& contacts,
                                        const LeadPlan& lead, const std::vector<Vector3d>& otherEntries)
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
  auto dorsalEntry = [&](int s, double u) {
    const auto& st = A.at(s);
    const double rLat = sEntrySide > 0 ? st.rLeft : st.rRight;
    u = std::min(u, std::max(0.0, rLat - tuning::kEntryInsideLateralWallMm));
    return Vector3d(st.centre + st.posterior * A.dorsalDepth(st, sEntrySide * u) +
                    st.left * (sEntrySide * u));
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
  const double aPref = rules.preferredNeedleAngleDeg.value;
  std::vector<NeedleOption> options;
  for (int k = -10; k <= 10; k += 2) {
    const int s = sE0 + k;
    for (double u : { 1.0, 3.0, 5.0, 7.0 }) {
      const Vector3d entry = lead.epiduralEntryOverride ? *lead.epiduralEntryOverride : dorsalEntry(s, u);
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
          options.push_back({ place + std::abs(a - aPref) * tuning::kCostPerDegreeOffPreferred +
                                b * tuning::kCostPerDegreeMedioLateral,
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

} // namespace

NeedleCandidate searchNeedlePath(const PlanAnatomy::Impl& anatomy, const PlanRules& rules,
                                 const NeedleModel& needle, const LeadCourse& course,
                                 const ContactLayout& contacts, const LeadPlan& lead,
                                 const std::vector<Vector3d>& otherEntries)
{
  const NeedleWalker walker(anatomy, needle);
  NeedleCandidate best;
  if (lead.epiduralEntryOverride && lead.skinEntryOverride) {
    walker.walk(*lead.epiduralEntryOverride, *lead.skinEntryOverride, best);
    best.skin = *lead.skinEntryOverride;
    best.skinFound = true;
    return best;
  }
  // every candidate's cost known before walking its path (walking only adds to it): walked in
  // order of that cost, stopping when no remaining candidate can beat the best (branch and bound)
  std::vector<NeedleOption> options = needleOptions(anatomy, rules, course, contacts, lead, otherEntries);
  std::stable_sort(options.begin(), options.end(),
                   [](const NeedleOption& x, const NeedleOption& y) { return x.base < y.base; });
  // first only clear paths (a walk stops at its first bone); when there is none, the path with
  // the least bone, so that the finding can say how much
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
