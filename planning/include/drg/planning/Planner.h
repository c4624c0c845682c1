#pragma once
// Auto-planning, recomputation and the safety checks.

#include "drg/planning/Plan.h"
#include "drg/planning/PlanAnatomy.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace drg::planning
{

/// Computes what a plan derives from its inputs: auto-plans each lead that is not locked from its
/// target (filling needle, route, contacts, anchor, loop), places the pocket, the tunnels, the length
/// budgets, and all findings.
class Planner
{
public:
  Planner(const PlanAnatomy& anatomy, DeviceCatalog catalog, PlanRules rules);

  const DeviceCatalog& catalog() const { return m_catalog; }
  const PlanRules& rules() const { return m_rules; }
  const PlanAnatomy& anatomy() const { return m_anatomy; }

  /// A new lead for `level` `side` with the default approach, entry window and devices (not yet
  /// computed). Throws drg::Error(InvalidArgument) for a level the model does not show.
  LeadPlan newLead(const std::string& name, const std::string& level, Side side) const;

  /// A pocket at `site` on `side` with the default generator and depth (not yet computed).
  PocketPlan newPocket(PocketSite site, Side side) const;

  /// Recomputes everything derived (locked leads keep their geometry) and the findings.
  void recompute(Plan& plan) const;

private:
  void planLead(LeadPlan& lead, const std::vector<Vector3d>& otherEntries) const;
  /// A lead crossing or crowding one of `placed` moved, where its technique is the planner's own, to another
  /// approach or window that keeps it clear (planner/SpreadLeads.cpp).
  void spreadFrom(LeadPlan& lead, const std::vector<const LeadPlan*>& placed,
                  const std::vector<Vector3d>& otherEntries) const;
  void placePocket(PocketPlan& pocket) const;
  void budgetAndTunnel(LeadPlan& lead, const std::optional<PocketPlan>& pocket, PlanKind kind) const;
  void findings(Plan& plan) const;

  const PlanAnatomy& m_anatomy;
  DeviceCatalog m_catalog;
  PlanRules m_rules;
};

/// Fraction (0-1) of a ganglion's length (centre, axis, length, width) that lies beside the lead's
/// contact array: within half its width plus the lead's radius and 1 mm of the lead, between the
/// distal edge of the first contact and the proximal edge of the last.
double contactCoverage(const LeadPlan& lead, const LeadModel& model, const Vector3d& centre,
                       const Vector3d& axis, double lengthMm, double widthMm);

/// Parses "L4-left" / "S1-right" into level and side; throws drg::Error(InvalidArgument).
std::pair<std::string, Side> parseTarget(const std::string& text);
/// A lead's target in words ("L4 left"): the name a new lead gets by default.
std::string targetName(const std::string& level, Side side);
/// A name as words for comparing: lower case, separators (space, '-', '_') as one space ("L4-left",
/// "l4 left" and "L4_Left" all give "l4 left").
std::string nameWords(const std::string& name);
/// The lead's name is its target's, whatever the case and separators ("L4-left", "l4 left"): a
/// name the planner may change with the target, and that findings need not repeat.
bool namesItsTarget(const LeadPlan& lead);

} // namespace drg::planning
