#pragma once
// Internal: the skin entry against the bony landmarks that carry over from the supine planning scan
// to the prone patient (the spinous processes' line and levels, the pedicles, the window aimed at).

#include "drg/planning/Plan.h"
#include "planner/PlanAnatomyImpl.h"

#include <optional>

namespace drg::planning
{

/// The tip of `vertebra`'s spinous process: the most dorsal voxel of its label within a few mm of
/// the midline plane, searched behind the canal at the vertebra's height; nullopt when its arch is
/// not in the label map.
std::optional<Vector3d> spinousTip(const PlanAnatomy::Impl& anatomy, const imaging::SpineVertebra& vertebra);

/// The lead's skin entry against the spinous processes near it (the midline between their tips, the
/// nearest in height), the nearest pedicle on the entry's side and the needle's epidural entry in
/// its window; `found` false when no spinous process near the entry is in the image.
EntryLandmarks findEntryLandmarks(const PlanAnatomy::Impl& anatomy, const LeadPlan& lead);

} // namespace drg::planning
