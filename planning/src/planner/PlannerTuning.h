#pragma once
// Internal: the planner's own constants, the ones that are neither device facts (the catalog) nor
// planning rules (assets/planning/rules.json), named with their units and why they hold. Search
// grids (the candidate angles, stations and offsets tried) stay beside the loops that walk them.

#include "drg/imaging/BoneThreshold.h"

namespace drg::planning::tuning
{

// ---- the images ----------------------------------------------------------------------------------

/// CT numbers from this up (HU) count as bone: the spine model's bone threshold, so that the
/// partial-volume edges of the laminae count too.
using drg::imaging::kBoneHu;
/// CT: air lies below this (HU), halfway between air (-1000 HU) and fat (about -100 HU).
constexpr float kCtAirBelowHu = -500.0f;
/// MR: air lies below this fraction of the image's bright end (its 99th percentile).
constexpr float kMrAirFraction = 0.05f;

// ---- the canal --------------------------------------------------------------------------------------

/// The dorsal epidural space lies this far (mm) inside the canal's outline: the sheath travels in
/// it, not in the wall.
constexpr double kDorsalSpaceInsetMm = 1.5;
/// Canal half widths (mm) assumed where the label map shows no canal, and the range the measured
/// ones are held to: an adult lumbar canal.
constexpr double kCanalLateralHalfWidthMm = 9.0;
constexpr double kCanalAnteriorHalfWidthMm = 6.0;
constexpr double kCanalPosteriorHalfWidthMm = 7.0;
constexpr double kCanalMinHalfWidthMm = 3.0;
constexpr double kCanalMaxHalfWidthMm = 18.0;
/// Where the skin is not found in front and behind, the body's axis is taken this far (mm) in
/// front of the canal.
constexpr double kBodyAxisInFrontOfCanalMm = 80.0;

// ---- the target ---------------------------------------------------------------------------------

/// A target point given by hand has no ganglion estimate: a typical lumbar ganglion is taken, this
/// long and wide (mm), its root running at this angle (degrees) from the canal's axis, towards the
/// feet and out to the target's side.
constexpr double kHandTargetLengthMm = 8.0;
constexpr double kHandTargetWidthMm = 5.0;
constexpr double kHandTargetRootAngleDeg = 55.0;

// ---- the contacts -------------------------------------------------------------------------------

/// The contact array's proximal end is kept within this distance (mm) of the canal's lateral wall,
/// outside the thecal sac.
constexpr double kContactsInsideWallMm = 3.0;
/// The route runs straight for this long (mm) before the contact array, into the ganglion's root.
constexpr double kStraightBeforeContactsMm = 3.0;

// ---- the needle ---------------------------------------------------------------------------------

/// No adult's dorsal epidural space lies nearer the skin than this (mm): a "skin" found nearer
/// along a needle path is not the body's surface.
constexpr double kMinNeedleDepthMm = 25.0;
/// Bone is looked for this far (mm) beyond the needle's outer radius: a margin around the needle.
constexpr double kNeedleMarginMm = 0.5;
/// A needle path is walked this far (mm) beyond the needle's length (the cost says how much longer
/// it is), but never beyond the second length (mm).
constexpr double kNeedleWalkBeyondLengthMm = 40.0;
constexpr double kNeedleWalkMaxMm = 250.0;
/// A path walked through this much bone (mm) is given up: every path through the window is
/// through bone, another window is needed.
constexpr double kNeedleBoneGiveUpMm = 30.0;
/// The epidural entry stays this far (mm) inside the canal's lateral wall.
constexpr double kEntryInsideLateralWallMm = 2.5;
/// Needles of two leads nearer than this (mm) at the epidural entry crowd each other.
constexpr double kNeedleSpacingMm = 6.0;

/// The dural sac as the label map shows it is uncertain by about a voxel at its edge: the needle and
/// its tip must keep this far (mm) off it.
constexpr double kDuraMarginMm = 1.0;
/// The needle search's cost of a path (lower is better), before walking it: the entry is preferred
/// this many stations footwards of the window's centre (stations run head to foot) and this far (mm)
/// from the midline, with room (stations) for the sheath to turn before the contacts.
constexpr int kPreferredEntryStation = 2;
constexpr double kPreferredEntryLateralMm = 4.0;
constexpr double kTurnRoomStations = 20.0;
constexpr double kCostPerStationOffEntry = 0.1;
constexpr double kCostPerMmOffEntryLateral = 0.05;
constexpr double kCostPerStationShortOfRoom = 0.3;
constexpr double kCostPerMmOffRoot = 0.3; ///< sacral approach: the entry off the root's line
constexpr double kCostPerDegreeOffPreferred = 0.1;
constexpr double kCostPerDegreeMedioLateral = 0.05;
/// ... and after walking it: the needle should reach with this much (mm) to spare.
constexpr double kNeedleSpareMm = 10.0;
constexpr double kCostPerMmTooLong = 0.5;
constexpr double kCostNoSkin = 50.0;
constexpr double kCostPerMmOfBone = 10.0;

// ---- the route ----------------------------------------------------------------------------------

/// The sheath leaves the needle's tip straight for this long (mm) before it bends.
constexpr double kSheathLeavesNeedleMm = 3.0;
/// The first bend's radius (mm): at the needle's tip the Tuohy bevel turns the sheath.
constexpr double kTuohyBendRadiusMm = 3.0;
/// The tightest bend is measured with circles through points this far (mm) apart along the path:
/// a 1 mm lead turned by a sheath bends smoothly over a few millimetres.
constexpr double kBendSpanMm = 2.0;
/// The route is sampled every this many mm.
constexpr double kRouteStepMm = 0.5;
/// A bend counts as within the sheath's curve up to this much (mm) tighter: a tolerance far below
/// the precision a sheath's curve is made to.
constexpr double kBendToleranceMm = 0.05;
/// The sheath runs this many stations straight on from the needle's tip, and its drift across the
/// dorsal epidural space is laid out every so many stations.
constexpr int kStationsPastEntry = 8;
constexpr int kDriftStations = 6;

/// The route's score (higher is better): the widest bend first, then the contacts' cover of the
/// ganglion, then little bone and a short route; a bend tighter than the sheath's curve loses.
constexpr double kScorePerMmOfRadius = 10.0;
constexpr double kScorePerMmOfLength = 0.01;
constexpr double kScorePerBoneSample = 0.5; ///< per 1 mm of route in bone (every other sample)
constexpr double kScorePerCover = 200.0;
constexpr double kScoreTooTight = 1e3;

// ---- the anchor and the loop ------------------------------------------------------------------

/// CT: the fascia is where 2 mm of subcutaneous fat (under the first HU) give way to 2 mm of tissue
/// (over the second HU), looked for in the outer fraction of the needle track.
constexpr float kFatBelowHu = -40.0f;
constexpr float kTissueAboveHu = -10.0f;
constexpr double kFasciaRunMm = 2.0;
constexpr double kFasciaSearchFraction = 0.8;
/// Without the fascia the anchor lies at the rules' fallback depth, but no deeper than this
/// fraction of the needle track.
constexpr double kFallbackAnchorFraction = 0.6;
/// The strain-relief loop lies this many stations along the travel from the needle's tip.
constexpr int kLoopStationsPastEntry = 6;

} // namespace drg::planning::tuning
