#pragma once

#include "SliceView.h"

#include "drg/planning/Planner.h"

#include <QColor>

#include <vector>

/// What the slice views draw of a plan (LPS mm): each planned lead's needle (its line on beyond the
/// tip thin and dashed), route, contacts and tunnel, the pocket's outline; and the handles the user
/// drags: an unlocked lead's skin entry, epidural entry and target, the pocket's skin point.
struct PlanOverlays
{
  /// A lead's handles are 3 x lead + 0 (skin entry), 1 (epidural entry), 2 (target); the pocket's:
  static constexpr int kPocketHandle = 1000;

  std::vector<SliceOverlay> overlays;
  std::vector<SliceHandle> handles;

  /// The colour of lead `lead` (its list entry, needle and route), four in turn.
  static QColor leadColour(std::size_t lead);
  /// The overlays and handles of `plan`, the devices' widths from `catalog`.
  static PlanOverlays of(const drg::planning::Plan& plan, const drg::planning::DeviceCatalog& catalog);
};
