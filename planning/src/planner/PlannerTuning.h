#pragma once
// Internal: the planner's own constants, the ones that are neither device facts (the catalog) nor
// planning rules (assets/planning/rules.json), named with their units and why they hold. Search
// grids (the candidate angles, stations and offsets tried) stay beside the loops that walk them.

#include "drg/imaging/BoneThreshold.h"

#include <utility>

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
/// The distances to the no-go structures and to bone are kept this far (mm) round the canal's
/// centreline: past the foramina and the needle's entries, where the route runs.
constexpr double kClearanceBoxMarginMm = 35.0;
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
/// The array's proximal end is tilted dorsally about the ganglion (in steps, up to the most, in
/// degrees) until the straight stretch begins this far (mm) clear of the sac.
constexpr double kContactsMaxTiltDeg = 40.0;
constexpr double kContactsTiltStepDeg = 5.0;
constexpr double kContactsStartClearOfSacMm = 2.5;
/// ... but never so far that the contacts leave any of the ganglion estimate's core (its width less
/// this margin (mm) on each side: about the estimate's error) uncovered.
constexpr double kContactsTiltMinCover = 1.0;
constexpr double kContactsTiltCoreMarginMm = 1.0;
/// The route runs straight for this long (mm) before the contact array, into the ganglion's root.
constexpr double kStraightBeforeContactsMm = 1.0;

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
/// The needle's tip lies this far (mm) inside the canal's outline: through the ligamentum flavum.
constexpr double kEntryInsideCanalMm = 1.5;
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
constexpr double kCostPerMmOffRoot = 0.3;     ///< sacral approach: the entry off the root's line
constexpr double kCostPerDegreeToCanal = 0.1; ///< the needle's angle to the canal at its tip
constexpr double kCostOutOfPractice = 40.0;   ///< steeper or flatter to the skin than the rules' limits
constexpr double kCostPerMmShortOfTurn = 3.0; ///< fat ahead of the tip short of the sheath's turn
constexpr double kCostPerDegreeMedioLateral = 0.05;
/// ... and after walking it: the needle should reach with this much (mm) to spare.
constexpr double kNeedleSpareMm = 10.0;
constexpr double kCostPerMmTooLong = 0.5;
constexpr double kCostNoSkin = 50.0;
constexpr double kCostPerMmOfBone = 10.0;

// ---- the route ----------------------------------------------------------------------------------

/// The tightest bend is measured with circles through points this far (mm) apart along the path:
/// a 1 mm lead turned by a sheath bends smoothly over a few millimetres.
constexpr double kBendSpanMm = 2.0;
/// The route is sampled every this many mm.
constexpr double kRouteStepMm = 0.5;
/// A bend counts as within the sheath's curve up to this much (mm) tighter: a tolerance far below
/// the precision a sheath's curve is made to.
constexpr double kBendToleranceMm = 0.05;

/// The route's shaping (planner/RouteOptimiser): it keeps this much (mm) beyond the anatomy's dura
/// margin (a voxel) off the dural sac, cord and cauda equina as the label map shows them, and this
/// far off bone (the sheath's half width and a margin).
constexpr double kRouteNoGoBeyondDuraMarginMm = 0.25;
constexpr double kRouteBoneMarginMm = 0.75;
/// The route stays in the canal (the label map's canal, fat and sac), this far (mm) from its outline
/// counted outwards (negative: inside it), except within a reach of the straight stretch's start:
/// as far as that point lies out of the canal and this much (mm) more, where it leaves by the
/// foramen.
constexpr double kRouteCanalSlackMm = -0.3;
constexpr double kRouteExitReachMm = 8.0;
/// The penalties' weights per mm of route: squared mm inside a margin, squared relative excess of
/// curvature over the sheath's; and the weight of its length, small, so that it only straightens a
/// route that keeps the rules.
constexpr double kRouteNoGoWeight = 20.0;
constexpr double kRouteBoneWeight = 20.0;
constexpr double kRouteBendWeight = 40.0;
constexpr double kRouteCanalWeight = 20.0;
constexpr double kRouteLengthWeight = 0.02;
/// The descent: the tangents' first lengths (mm), the numerical gradient's step, the first and
/// least moves of the largest parameter (mm), and at most this many steps.
constexpr double kRouteTangentStartMm = 4.0;
constexpr double kRouteGradientStepMm = 0.02;
constexpr double kRouteFirstMoveMm = 1.0;
constexpr double kRouteLeastMoveMm = 0.01;
constexpr int kRouteIterations = 100;

/// A shaped route keeps the rules when it stays the dura margin off the no-go structures and this
/// far (mm) off bone.
constexpr double kRouteBoneAcceptMm = 0.0;
/// First guesses: the dorsal run ends this many stations past P along the travel; it crosses to the
/// target's side (the dorsolateral gutter, tuning::kGutterInsideWallMm inside the canal's wall)
/// within this fraction of its length, and runs on along the gutter; inner control points of the curve; the
/// guess rejoins the root this far (mm) before the straight stretch.
constexpr std::pair<int, double> kRouteGuesses[] = { { 0, 0.3 }, { 6, 0.7 } };
constexpr int kRouteInnerPoints = 6;
constexpr double kGutterInsideWallMm = 2.0;
/// A route whose direction turns more than this in all (degrees) loops on itself: a sheath rising
/// in the canal and hooking out into the foramen and down the root turns about 180.
constexpr double kRouteMostTurningDeg = 270.0;
constexpr double kRouteRootApproachMm = 6.0;
/// The dorsal epidural fat is looked for up to this far (mm) behind the canal's measured wall.
constexpr double kDorsalSearchBeyondMm = 3.0;

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
