// Leads kept apart: a lead that crosses or touches one placed before it is tried by the other
// approaches and windows the technique allows, and moved to the first that keeps it clear.
//
// Two leads through one interlaminar window, both from the same side (the L4 and L5 ganglia of one
// side, each reached contralaterally through L5/S1), or crossing in the canal (a contralateral lead
// and an S1 lead), rub or tangle where they cross; implanters then enter the second lead by the
// other side or one window lower (Deer et al. 2019, DRG stimulation technique review; Abbott's
// Proclaim DRG implant guide: needle 1-2 levels below the target, contralateral or ipsilateral). The
// planner does this only with its own defaults: an approach or window the user chose, a moved
// entry, a locked lead stay as they are, and the crossing is then a finding.
#include "drg/planning/Planner.h"

#include "planner/PathGeometry.h"
#include "planner/PlanAnatomyImpl.h"

#include <algorithm>
#include <cstdio>
#include <future>
#include <optional>

namespace drg::planning
{
namespace
{

/// How clear of the leads in `placed` a lead runs: 0 crossing or touching one (closer than a lead's
/// diameter), 1 crowding one (closer than the rules' spacing), 2 clear of all. `nearest` is set to
/// the one it comes closest to.
int clearance(const LeadPlan& lead, const std::vector<const LeadPlan*>& placed, const DeviceCatalog& catalog,
              const PlanRules& rules, const LeadPlan** nearest = nullptr)
{
  const LeadModel* model = catalog.lead(lead.leadModel);
  const double diameter = model ? model->diameterMm.value : 1.0;
  double closest = 1e9;
  for (const LeadPlan* other : placed) {
    if (other != &lead && other->planned) {
      const double d = polylineDistance(lead.route, other->route);
      if (d < closest) {
        closest = d;
        if (nearest != nullptr) {
          *nearest = other;
        }
      }
    }
  }
  return closest < diameter ? 0 : closest < std::max(diameter, rules.leadSpacingMm.value) ? 1 : 2;
}

/// The window under `level`, as "L5/S1".
std::string windowName(const imaging::SpineModel& model, const std::string& level)
{
  for (std::size_t i = 0; i + 1 < model.vertebrae.size(); ++i) {
    if (model.vertebrae[i].level == level) {
      return level + "/" + model.vertebrae[i + 1].level;
    }
  }
  return level + "/?";
}

} // namespace

void Planner::spreadFrom(LeadPlan& lead, const std::vector<const LeadPlan*>& placed,
                         const std::vector<Vector3d>& otherEntries) const
{
  if (!lead.planned || lead.locked || lead.techniqueChosen || lead.skinEntryOverride ||
      lead.epiduralEntryOverride || lead.approach == Approach::Sacral) {
    return;
  }
  const LeadPlan* crossed = nullptr;
  const int now = clearance(lead, placed, m_catalog, m_rules, &crossed);
  if (now == 2) {
    return;
  }
  // the alternatives, nearest to the default first: the other side by the same window, then one
  // window lower from either side (never into the sacrum)
  const auto& model = m_anatomy.model();
  std::vector<std::string> mobile;
  for (const auto& v : model.vertebrae) {
    if (v.level != "S1" && v.level != "sacrum") {
      mobile.push_back(v.level);
    }
  }
  const Approach other = lead.approach == Approach::ContralateralInterlaminar
                           ? Approach::IpsilateralInterlaminar
                           : Approach::ContralateralInterlaminar;
  std::vector<std::pair<Approach, std::string>> options{ { other, lead.entryLevel } };
  const auto at = std::find(mobile.begin(), mobile.end(), lead.entryLevel);
  if (at != mobile.end() && at + 1 != mobile.end()) {
    options.emplace_back(lead.approach, *(at + 1));
    options.emplace_back(other, *(at + 1));
  }
  // the first option that runs clearer than the default (crossing to crowding, crowding to clear),
  // and clearest of all, that reaches the ganglion with no tighter bend than before
  // (the options planned side by side: each is a whole lead's planning)
  std::vector<std::future<LeadPlan>> trials;
  for (const auto& [approach, entryLevel] : options) {
    trials.push_back(std::async(std::launch::async, [&, approach = approach, entryLevel = entryLevel] {
      LeadPlan trial = lead;
      trial.approach = approach;
      trial.entryLevel = entryLevel;
      planLead(trial, otherEntries);
      return trial;
    }));
  }
  std::optional<LeadPlan> best;
  int bestClearance = now;
  std::string tried;
  for (std::size_t k = 0; k < trials.size(); ++k) {
    LeadPlan trial = trials[k].get();
    const int c = trial.planned ? clearance(trial, placed, m_catalog, m_rules) : -1;
    tried += std::string(tried.empty() ? "" : ", ") + approachName(options[k].first) + " through " +
             windowName(model, options[k].second);
    if (c > bestClearance && trial.minRadiusMm >= lead.minRadiusMm - 1e-6) {
      best = std::move(trial);
      bestClearance = c;
    }
  }
  if (!best) {
    // said with the crossing: the user knows the planner looked, and where
    lead.spreadTried = tried;
    return;
  }
  char still[96] = "";
  if (bestClearance < 2) {
    std::snprintf(still, sizeof still, "; still %.1f mm from it (spacing %.1f mm)",
                  polylineDistance(best->route, crossed->route), m_rules.leadSpacingMm.value);
  }
  best->spreadNote = "moved to the " + std::string(approachName(best->approach)) + " approach through " +
                     windowName(model, best->entryLevel) + ": the default, " + approachName(lead.approach) +
                     " through " + windowName(model, lead.entryLevel) +
                     (now == 0 ? ", crosses " : ", crowds ") + crossed->name + still +
                     ". To keep the default, choose the approach in the Plan panel (or --approach)";
  best->spreadTried.clear();
  lead = std::move(*best);
}

} // namespace drg::planning
