#pragma once
// Interchange formats of a plan for other tools: 3D Slicer markups (targets, needles, routes) and a
// CSV table of the leads. Qt-free, deterministic text.

#include "drg/planning/Plan.h"

#include <string>

namespace drg::planning
{

/// 3D Slicer markups JSON (`.mrk.json`, LPS millimetres): the ganglion targets as one point list,
/// each planned lead's needle as a line (skin entry to epidural entry) and its epidural route as a
/// curve (epidural entry to the tip, about every 2 mm), and its contacts as a point list.
std::string planToSlicerMarkups(const Plan& plan);

/// One row per lead (a header row first): name, target level and side, target, skin and epidural
/// entries (LPS mm), needle angles, depth, route length, coverage, lead model and length, extension,
/// whether it was planned and why not. Comma-separated, text fields quoted.
std::string planToCsv(const Plan& plan);

} // namespace drg::planning
