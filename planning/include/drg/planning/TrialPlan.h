#pragma once
// From the trial to the permanent implant: finding a trial lead by name or target, which leads to
// keep (the user's list, or the ones whose trial result says keep), what to warn about (a lead kept
// against its result), and the permanent plan started from the kept leads.

#include "drg/planning/Plan.h"
#include "drg/planning/PlanEditor.h"

#include <string>
#include <vector>

namespace drg::planning
{

/// The lead `nameOrTarget` names: its name or its target ("L4-left", "L4 left"), whatever the case.
/// Throws drg::Error(InvalidArgument) listing the plan's leads when none matches.
int findLead(const Plan& plan, const std::string& nameOrTarget);

/// Sets (or with nullopt clears) lead `lead`'s trial result in a trial plan (the result changes no
/// geometry: no planner needed). Throws drg::Error(InvalidArgument) for a permanent plan, no such
/// lead, relief outside 0-100 or coverage above 100.
void setTrialResult(Plan& plan, int lead, std::optional<TrialResult> result);

/// Sets (or clears) a trial plan's summary. Throws drg::Error(InvalidArgument) for a permanent plan,
/// a date that is not YYYY-MM-DD, an end before the start, or a pain score outside 0-10.
void setTrialSummary(Plan& plan, std::optional<TrialSummary> summary);

/// The trial leads to carry into the permanent plan: those `names` names, or when empty the ones
/// whose trial result says keep. Throws drg::Error(InvalidArgument) for a plan that is not a trial,
/// an unknown or repeated name, or no lead to keep.
std::vector<int> leadsToKeep(const Plan& trial, const std::vector<std::string>& names);

/// What a person should know about the choice: a kept lead without a result, kept although its result
/// says drop, or with less relief than the rules' success criterion; a dropped lead whose result says keep.
std::vector<std::string> keepNotes(const Plan& trial, const std::vector<int>& kept, const PlanRules& rules);

/// Starts the permanent plan in `editor` (made on the permanent plan's images, with its study
/// recorded): kind permanent, the kept leads' targets, lead models and (when the user chose it)
/// technique; on the trial's own images also a target the user placed by hand. Needles and routes
/// are planned again (a trial proves level, side and coverage, not a path). Records the trial
/// (`trialFile`, its images and every lead's outcome) in fromTrial, and carries the indication.
void startFromTrial(PlanEditor& editor, const Plan& trial, const std::string& trialFile,
                    const std::vector<int>& kept);

} // namespace drg::planning
