#pragma once
// Internal: the ruled steps that auto-plan one lead, in the order Planner::planLead takes them:
//   1. placeTarget             the ganglion estimate (or the user's point) aimed at
//   2. courseThroughWindow     the interlaminar window, the direction of travel, the needle's side
//   3. layContactsOnGanglion   the contact array over the dorsal aspect of the ganglion, along its root
//   4. searchNeedlePath        the needle: epidural entry in the window, straight path to the skin
//      placeNeedle             its entry points, depth, angles and bone
//   5. shapeEpiduralRoute      the sheath's route through the dorsal epidural space into the foramen
//      contactsAlongRoute      the contacts laid along that route from the tip
//   6. anchorAtFascia          the anchor on the needle track
//      strainReliefLoopCentre  the strain-relief loop beside the epidural entry
// All points are LPS mm; "stations" index the canal's centreline (PlanAnatomy::Impl::line).

#include "drg/planning/DeviceCatalog.h"
#include "drg/planning/Plan.h"
#include "planner/PlanAnatomyImpl.h"

#include <optional>
#include <vector>

namespace drg::planning
{

/// +1 for the left side, -1 for the right (the canal frame's `left` axis points left).
inline int sideSign(Side s)
{
  return s == Side::Left ? 1 : -1;
}

/// Sets the lead's target (centre, axis along the root, length and width) from the ganglion
/// estimate or the user's point. False (and `lead.problem` set) when there is no target or a point
/// given for the lead is unusable.
bool placeTarget(const PlanAnatomy::Impl& anatomy, LeadPlan& lead);

/// How a lead travels through its interlaminar window.
struct LeadCourse
{
  int targetSide = 1;    ///< sideSign of the target's side
  bool sacral = false;   ///< the sacral approach: down the sacral canal to S1
  double travel = 1.0;   ///< along the canal: +1 towards the head, -1 towards the feet
  int stationStep = -1;  ///< centreline index step in the travel direction
  int windowStation = 0; ///< station nearest the window's centre
  int entrySide = 1;     ///< sideSign of the side the needle enters on
};

/// The window below `lead.entryLevel` and the course through it; nullopt when the image does not
/// show that window.
std::optional<LeadCourse> courseThroughWindow(const PlanAnatomy::Impl& anatomy, const LeadPlan& lead);

/// Where the contact array lies over the ganglion.
struct ContactLayout
{
  Vector3d axis;               ///< along the root, distally (unit)
  Vector3d onGanglion;         ///< middle of the array, on the ganglion's dorsal aspect
  Vector3d tip;                ///< the lead's tip
  std::vector<double> fromTip; ///< contact centres from the tip (mm)
  Vector3d straightStart;      ///< where the straight stretch through the contacts begins
  int straightStation = 0;     ///< station nearest `straightStart`
};

/// Centres the contact array on the dorsal aspect of the ganglion along its root (moved out along
/// the root when its proximal end would reach into the thecal sac).
ContactLayout layContactsOnGanglion(const PlanAnatomy::Impl& anatomy, const PlanRules& rules,
                                    const LeadModel& leadModel, const LeadCourse& course,
                                    const LeadPlan& lead);

/// One needle path walked from the epidural entry back to the skin.
struct NeedleCandidate
{
  Vector3d entry, skin;
  double bone = 1e9; ///< bone met on the way (mm)
  double cost = 1e9;
  bool skinFound = false;
};

/// The needle path: the epidural entry in the window and a straight path to the skin, bone-free
/// where one exists (the given entry points where the user moved them). `skinFound` is false when
/// no path reaches the skin; then `bone` says whether bone was in the way of all. Needles lying
/// flatter to the canal are preferred, and tips with the fat ahead for a sheath of `turnRadiusMm`
/// to turn into the canal.
NeedleCandidate searchNeedlePath(const PlanAnatomy::Impl& anatomy, const PlanRules& rules,
                                 const NeedleModel& needle, double turnRadiusMm, const LeadCourse& course,
                                 const ContactLayout& contacts, const LeadPlan& lead,
                                 const std::vector<Vector3d>& otherEntries);

/// The needle's track: its direction (skin to entry, unit) and where its tip lies in the canal.
struct NeedleTrack
{
  Vector3d direction;
  int entryStation = 0;      ///< station nearest the epidural entry
  double entryLateral = 0.0; ///< the entry's offset to the left of the canal's centre (mm)
};

/// Sets the lead's needle (skin and epidural entries, depth, angles, bone on the way) from the path
/// found.
NeedleTrack placeNeedle(const PlanAnatomy::Impl& anatomy, const NeedleModel& needle,
                        const NeedleCandidate& path, LeadPlan& lead);

/// The route chosen and the sheath it was shaped for.
struct SheathRoute
{
  std::vector<Vector3d> route; ///< epidural entry to the tip, about every 0.5 mm
  double minRadius = 0;        ///< tightest bend (mm)
  const SheathModel* sheath = nullptr;

  /// False when no route could be shaped (too short, or not finite).
  bool usable() const;
};

/// The sheath's route: from the needle's tip along the dorsal epidural space into the foramen and
/// straight through the contacts, shaped within the sheath's curve clear of the dura and bone (the
/// widest curve in the catalog that keeps the rules, else the tightest; or the lead's chosen
/// sheath).
SheathRoute shapeEpiduralRoute(const PlanAnatomy::Impl& anatomy, const DeviceCatalog& catalog,
                               const LeadCourse& course, const ContactLayout& contacts,
                               const NeedleTrack& track, const LeadPlan& lead);

/// The middle of the dorsal epidural fat at `station`, `lateral` mm to the left of the canal's
/// centre: behind the no-go structures, the point farthest from them and from bone (the canal's
/// ellipse when the label map shows no such space).
Vector3d dorsalFatPoint(const PlanAnatomy::Impl& anatomy, int station, double lateral);

/// The contact centres along `route` from its tip (distal first), `fromTip` mm from it.
std::vector<Vector3d> contactsAlongRoute(const std::vector<Vector3d>& route,
                                         const std::vector<double>& fromTip);

/// Where the lead is anchored on the needle track.
struct FasciaAnchor
{
  Vector3d point;
  bool atFascia = false; ///< false: the fascia was not seen, the anchor is at the fallback depth
};

/// The anchor at the fascia on the needle track (CT: where fat gives way to tissue), else at the
/// rules' fallback depth.
FasciaAnchor anchorAtFascia(const PlanAnatomy::Impl& anatomy, const PlanRules& rules,
                            const NeedleTrack& track, const LeadPlan& lead);

/// Centre of the strain-relief loop: in the dorsal epidural space a few stations along the travel
/// from the needle's tip.
Vector3d strainReliefLoopCentre(const PlanAnatomy::Impl& anatomy, const LeadCourse& course,
                                const NeedleTrack& track);

} // namespace drg::planning
