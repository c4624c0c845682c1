#pragma once
// Internal: a needle's angles as a physician reads them on fluoroscopy (the report's AP and lateral
// projections, drg/planning/FluoroProjection.h): on the lateral image against the skin line at the
// skin entry and against the dorsal epidural (lamina) line of the entry level; on the AP image
// against the image's cranio-caudal axis. Cheap enough for a needle search to ask per candidate
// (a few dozen label lookups, no volume scan).

#include "planner/PlanAnatomyImpl.h"

#include <string>

namespace drg::planning
{

/// A needle's angles in degrees, each the acute angle (0-90) between two lines of one projection.
struct NeedleAngles
{
  double toSkinDeg = 0;         ///< lateral projection: needle against the skin line at the skin entry
  double toLaminaLineDeg = 0;   ///< lateral projection: needle against the dorsal epidural (lamina) line
                                ///< of the entry level
  double apMedioLateralDeg = 0; ///< AP projection: the needle's shadow against the image's cranio-caudal axis
  /// False when the skin's tangent at the entry could not be measured (the skin is not in the image
  /// a few mm above or below the entry): `toSkinDeg` is then NaN, never a guess.
  bool skinLineFound = false;
};

/// The angles of the needle from `skinEntry` to `epiduralEntry` (LPS mm). The skin line: the chord
/// of the skin's outline in the lateral projection's plane through the skin entry, between the skin
/// points found 10 mm above and below it; the lamina line: the line fitted to the canal's dorsal
/// wall over `entryLevel` (its upper endplate down to the window below it; 12 mm either side of the
/// needle's tip when the model lacks the level or the window). An angle whose lines cannot be
/// drawn (a needle seen end-on) is NaN.
NeedleAngles fluoroscopicAngles(const PlanAnatomy::Impl& anatomy, const Vector3d& skinEntry,
                                const Vector3d& epiduralEntry, const std::string& entryLevel);

} // namespace drg::planning
