// Trial and permanent plans: the kind's names, the trial's outcome, and the permanent plan carried
// over from the trial's kept leads.
#include "drg/planning/TrialPlan.h"

#include "drg/imaging/Error.h"
#include "drg/planning/PainMap.h"
#include "drg/planning/Planner.h"

#include "PatientPathJson.h"

#include <algorithm>
#include <cstdio>
#include <set>

namespace drg::planning
{
namespace
{

bool sameImages(const StudyReference& a, const StudyReference& b)
{
  return !a.seriesUid.empty() && a.seriesUid == b.seriesUid && a.frameOfReferenceUid == b.frameOfReferenceUid;
}

} // namespace

const char* planKindName(PlanKind k) noexcept
{
  return k == PlanKind::Trial ? "trial" : "permanent";
}

PlanKind parsePlanKind(const std::string& text)
{
  if (text == "trial") {
    return PlanKind::Trial;
  }
  if (text == "permanent") {
    return PlanKind::Permanent;
  }
  throw Error(ErrorCode::InvalidArgument, "a plan's kind is trial or permanent, not '" + text + "'");
}

bool TrialResult::operator==(const TrialResult& other) const
{
  return detail::trialResultJson(*this) == detail::trialResultJson(other);
}

int TrialSummary::days() const
{
  auto day = [](const std::string& d) -> long {
    int y = 0, m = 0, dd = 0;
    if (d.size() != 10 || std::sscanf(d.c_str(), "%4d-%2d-%2d", &y, &m, &dd) != 3 || m < 1 || m > 12 ||
        dd < 1 || dd > 31) {
      return -1;
    }
    // days since 1970-01-01 in the civil calendar
    y -= m <= 2 ? 1 : 0;
    const long era = (y >= 0 ? y : y - 399) / 400;
    const long yoe = y - era * 400;
    const long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + dd - 1;
    const long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
  };
  const long a = day(started), b = day(ended);
  return a < 0 || b < 0 || b < a ? -1 : static_cast<int>(b - a);
}

bool TrialSummary::operator==(const TrialSummary& other) const
{
  return detail::trialSummaryJson(*this) == detail::trialSummaryJson(other);
}

bool TrialOrigin::operator==(const TrialOrigin& other) const
{
  return detail::trialOriginJson(*this) == detail::trialOriginJson(other);
}

bool PlanIndication::operator==(const PlanIndication& other) const
{
  return detail::indicationJson(*this) == detail::indicationJson(other);
}

int findLead(const Plan& plan, const std::string& nameOrTarget)
{
  const std::string wanted = nameWords(nameOrTarget);
  std::string names;
  for (std::size_t i = 0; i < plan.leads.size(); ++i) {
    const LeadPlan& l = plan.leads[i];
    if (nameWords(l.name) == wanted || nameWords(targetId(l.targetLevel, l.targetSide)) == wanted) {
      return static_cast<int>(i);
    }
    names += (i ? ", " : "") + l.name;
  }
  throw Error(ErrorCode::InvalidArgument, "no lead '" + nameOrTarget + "' in the plan; its leads: " +
                                            (names.empty() ? std::string("none") : names));
}

void setTrialResult(Plan& plan, int lead, std::optional<TrialResult> result)
{
  if (plan.kind != PlanKind::Trial) {
    throw Error(ErrorCode::InvalidArgument, "trial results belong to a trial plan; this one is permanent");
  }
  if (lead < 0 || lead >= static_cast<int>(plan.leads.size())) {
    throw Error(ErrorCode::InvalidArgument,
                "no lead number " + std::to_string(static_cast<long long>(lead) + 1));
  }
  if (result && !(result->reliefPercent >= 0.0 && result->reliefPercent <= 100.0)) {
    throw Error(ErrorCode::InvalidArgument, "relief is a percentage from 0 to 100");
  }
  if (result && result->coveragePercent > 100) {
    throw Error(ErrorCode::InvalidArgument, "coverage is a percentage from 0 to 100");
  }
  plan.leads[static_cast<std::size_t>(lead)].trialResult = std::move(result);
}

void setTrialSummary(Plan& plan, std::optional<TrialSummary> summary)
{
  if (plan.kind != PlanKind::Trial) {
    throw Error(ErrorCode::InvalidArgument, "a trial summary belongs to a trial plan; this one is permanent");
  }
  if (summary) {
    for (const std::string* d : { &summary->started, &summary->ended }) {
      if (!d->empty() && TrialSummary{ *d, *d, -1, -1 }.days() != 0) {
        throw Error(ErrorCode::InvalidArgument, "'" + *d + "' is not a date: give YYYY-MM-DD");
      }
    }
    if (!summary->started.empty() && !summary->ended.empty() && summary->days() < 0) {
      throw Error(ErrorCode::InvalidArgument,
                  "the trial ends (" + summary->ended + ") before it starts (" + summary->started + ")");
    }
    for (int nrs : { summary->painBefore, summary->painDuring }) {
      if (nrs < -1 || nrs > 10) {
        throw Error(ErrorCode::InvalidArgument, "pain scores are 0 to 10 (numeric rating scale)");
      }
    }
  }
  plan.trialSummary = std::move(summary);
}

std::vector<int> leadsToKeep(const Plan& trial, const std::vector<std::string>& names)
{
  if (trial.kind != PlanKind::Trial) {
    throw Error(ErrorCode::InvalidArgument,
                "a permanent plan is made from a trial plan; this plan is already permanent");
  }
  std::vector<int> kept;
  if (names.empty()) {
    for (std::size_t i = 0; i < trial.leads.size(); ++i) {
      if (trial.leads[i].trialResult && trial.leads[i].trialResult->keep) {
        kept.push_back(static_cast<int>(i));
      }
    }
    if (kept.empty()) {
      throw Error(
        ErrorCode::InvalidArgument,
        "no trial lead is marked keep: enter the trial results (drgplan-cli trial-result) or name the "
        "leads to keep (--keep)");
    }
    return kept;
  }
  std::set<int> seen;
  for (const auto& n : names) {
    const int i = findLead(trial, n);
    if (!seen.insert(i).second) {
      throw Error(ErrorCode::InvalidArgument, "the lead '" + n + "' is named twice");
    }
    kept.push_back(i);
  }
  return kept;
}

std::vector<std::string> keepNotes(const Plan& trial, const std::vector<int>& kept, const PlanRules& rules)
{
  std::vector<std::string> notes;
  const double success = rules.trialSuccessReliefPercent.value;
  for (std::size_t i = 0; i < trial.leads.size(); ++i) {
    const LeadPlan& l = trial.leads[i];
    const bool keep = std::find(kept.begin(), kept.end(), static_cast<int>(i)) != kept.end();
    char b[256];
    if (keep && !l.trialResult) {
      notes.push_back(l.name + " is kept without a trial result");
    } else if (keep && !l.trialResult->keep) {
      notes.push_back(l.name + " is kept although its trial result says drop");
    } else if (keep && l.trialResult->reliefPercent < success) {
      std::snprintf(b, sizeof b,
                    "%s is kept with %.0f %% relief in the trial, below the %.0f %% success criterion",
                    l.name.c_str(), l.trialResult->reliefPercent, success);
      notes.push_back(b);
    } else if (!keep && l.trialResult && l.trialResult->keep) {
      notes.push_back(l.name + " is left out although its trial result says keep");
    }
  }
  return notes;
}

void startFromTrial(PlanEditor& editor, const Plan& trial, const std::string& trialFile,
                    const std::vector<int>& kept)
{
  Plan start = editor.plan();
  start.kind = PlanKind::Permanent;
  start.leads.clear();
  start.pocket.reset();
  TrialOrigin origin;
  origin.file = trialFile;
  origin.studyUid = trial.study.studyUid;
  origin.seriesUid = trial.study.seriesUid;
  origin.studyDate = trial.study.studyDate;
  const bool same = sameImages(trial.study, start.study);
  for (std::size_t i = 0; i < trial.leads.size(); ++i) {
    const LeadPlan& t = trial.leads[i];
    const bool keep = std::find(kept.begin(), kept.end(), static_cast<int>(i)) != kept.end();
    origin.leads.push_back({ t.name, targetId(t.targetLevel, t.targetSide), t.trialResult, keep });
  }
  origin.summary = trial.trialSummary;
  start.fromTrial = origin;
  start.indication = trial.indication;
  editor.replace(start);
  for (int i : kept) {
    const LeadPlan& t = trial.leads[static_cast<std::size_t>(i)];
    const int li = editor.addLead(t.name, t.targetLevel, t.targetSide);
    if (!t.leadModel.empty()) {
      editor.setLeadModel(li, t.leadModel);
    }
    if (t.techniqueChosen) {
      editor.setApproach(li, t.approach, t.entryLevel);
    }
    if (same && t.manualTarget) {
      // the trial's own images: the target the user placed is where the trial's contacts worked.
      // Its needle and route are planned again: a trial proves the level, side and coverage, not
      // a path (the trial lead was steered under fluoroscopy)
      editor.setManualTarget(li, *t.manualTarget);
    }
  }
}

} // namespace drg::planning
