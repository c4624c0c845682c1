// Edits of a plan with unlimited undo and redo: each edit keeps a copy of the plan before it (plans
// are small), so undo restores it exactly, byte for byte in its file form.
#include "drg/planning/PlanEditor.h"
#include "drg/imaging/Error.h"
#include "drg/planning/TrialPlan.h"

#include <algorithm>

namespace drg::planning
{

PlanEditor::PlanEditor(const Planner& planner, Plan plan)
  : m_planner(planner)
  , m_plan(std::move(plan))
{}

LeadPlan& PlanEditor::editable(int lead)
{
  if (lead < 0 || lead >= static_cast<int>(m_plan.leads.size())) {
    throw Error(ErrorCode::InvalidArgument,
                "no lead number " + std::to_string(static_cast<long long>(lead) + 1));
  }
  LeadPlan& l = m_plan.leads[static_cast<std::size_t>(lead)];
  if (l.locked) {
    throw Error(ErrorCode::InvalidArgument, "lead '" + l.name + "' is locked: unlock it to change it");
  }
  return l;
}

template<typename F>
void PlanEditor::edit(const std::string& what, F&& change, int dragLead)
{
  Plan before = m_plan;
  try {
    change();
    m_planner.recompute(m_plan);
  } catch (...) {
    m_plan = std::move(before); // a refused edit changes nothing
    throw;
  }
  // a drag's further moves keep the state before the drag as their one undo step
  const bool continuing = dragLead >= 0 && dragLead == m_dragLead && !m_undo.empty();
  if (!continuing) {
    m_undo.push_back({ std::move(before), what });
  }
  m_dragLead = dragLead;
  m_redo.clear();
  if (dragLead < 0) {
    autosave(); // (a drag autosaves once, when it ends)
  }
}

void PlanEditor::endDrag()
{
  if (m_dragLead >= 0) {
    m_dragLead = -1;
    autosave();
  }
}

void PlanEditor::setAutosave(const std::filesystem::path& path)
{
  m_autosave = path;
}

void PlanEditor::autosave()
{
  // the edit itself has taken effect: a failing autosave is reported, not thrown
  m_autosaveProblem.clear();
  if (!m_autosave.empty()) {
    try {
      savePlan(m_plan, m_autosave);
    } catch (const std::exception& e) {
      m_autosaveProblem = e.what();
    }
  }
}

void PlanEditor::save(const std::filesystem::path& file)
{
  savePlan(m_plan, file);
  std::error_code ignored;
  std::filesystem::remove(autosavePath(file), ignored);
  if (!m_autosave.empty() && m_autosave != autosavePath(file)) {
    std::filesystem::remove(m_autosave, ignored);
  }
}

int PlanEditor::addLead(const std::string& name, const std::string& level, Side side)
{
  const int max = m_planner.rules().maxLeads.value;
  if (static_cast<int>(m_plan.leads.size()) >= max) {
    throw Error(ErrorCode::InvalidArgument, "a plan holds at most " + std::to_string(max) +
                                              " leads (the generator has " + std::to_string(max) +
                                              " ports): remove one first");
  }
  if (name.empty()) {
    throw Error(ErrorCode::InvalidArgument, "a lead needs a name");
  }
  for (const auto& l : m_plan.leads) {
    if (l.name == name) {
      throw Error(ErrorCode::InvalidArgument, "there is already a lead named '" + name + "'");
    }
  }
  LeadPlan lead = m_planner.newLead(name, level, side);
  edit("add lead " + name, [&] { m_plan.leads.push_back(std::move(lead)); });
  return static_cast<int>(m_plan.leads.size()) - 1;
}

void PlanEditor::removeLead(int lead)
{
  editable(lead);
  edit("remove " + leadName(lead), [&] { m_plan.leads.erase(m_plan.leads.begin() + lead); });
}

void PlanEditor::renameLead(int lead, const std::string& name)
{
  if (name.empty()) {
    throw Error(ErrorCode::InvalidArgument, "a lead needs a name");
  }
  editable(lead);
  edit("rename " + leadName(lead), [&] { m_plan.leads[static_cast<std::size_t>(lead)].name = name; });
}

void PlanEditor::setTarget(int lead, const std::string& level, Side side)
{
  LeadPlan& l = editable(lead);
  // a lead named after its target is renamed with it ("L2 left" aimed at L1 becomes "L1 left"); a
  // name the user gave stays
  const std::string name = namesItsTarget(l) ? targetName(level, side) : l.name;
  const LeadPlan fresh = m_planner.newLead(name, level, side);
  edit("retarget " + l.name + " to " + targetName(level, side), [&] {
    LeadPlan& e = m_plan.leads[static_cast<std::size_t>(lead)];
    e.name = name;
    e.targetLevel = level;
    e.targetSide = side;
    e.manualTarget.reset();
    e.approach = fresh.approach;
    e.entryLevel = fresh.entryLevel;
    e.techniqueChosen = false;
    e.spreadNote.clear();
    e.skinEntryOverride.reset();
    e.epiduralEntryOverride.reset();
  });
}

void PlanEditor::setManualTarget(int lead, const Vector3d& point, bool dragging)
{
  editable(lead);
  if (!m_planner.anatomy().inImage(point)) {
    throw Error(ErrorCode::InvalidArgument, "the target point lies outside the image");
  }
  edit(
    "move the target of " + leadName(lead),
    [&] { m_plan.leads[static_cast<std::size_t>(lead)].manualTarget = point; }, dragging ? lead : -1);
}

void PlanEditor::setApproach(int lead, Approach approach, const std::string& entryLevel)
{
  if ((approach == Approach::Sacral) != (editable(lead).targetLevel == "S1")) {
    throw Error(ErrorCode::InvalidArgument, approach == Approach::Sacral
                                              ? "the sacral approach is for S1 ganglia only"
                                              : "an S1 ganglion is reached by the sacral approach");
  }
  if (!entryLevel.empty() && !m_planner.anatomy().model().vertebra(entryLevel)) {
    throw Error(ErrorCode::InvalidArgument, "entry level " + entryLevel + " is not in the image");
  }
  edit("approach of " + leadName(lead), [&] {
    LeadPlan& e = m_plan.leads[static_cast<std::size_t>(lead)];
    e.approach = approach;
    if (!entryLevel.empty()) {
      e.entryLevel = entryLevel;
    }
    e.techniqueChosen = true; // the planner keeps to it
    e.spreadNote.clear();
    e.skinEntryOverride.reset();
    e.epiduralEntryOverride.reset();
  });
}

void PlanEditor::setSheath(int lead, const std::string& sheathId)
{
  editable(lead);
  if (!sheathId.empty() && !m_planner.catalog().sheath(sheathId)) {
    throw Error(ErrorCode::InvalidArgument, "sheath '" + sheathId + "' is not in the device catalog");
  }
  edit("sheath of " + leadName(lead),
       [&] { m_plan.leads[static_cast<std::size_t>(lead)].sheath = sheathId; });
}

void PlanEditor::setLeadModel(int lead, const std::string& leadModelId)
{
  editable(lead);
  if (!m_planner.catalog().lead(leadModelId)) {
    throw Error(ErrorCode::InvalidArgument, "lead model '" + leadModelId + "' is not in the device catalog");
  }
  edit("lead model of " + leadName(lead),
       [&] { m_plan.leads[static_cast<std::size_t>(lead)].leadModel = leadModelId; });
}

void PlanEditor::moveSkinEntry(int lead, const Vector3d& p, bool dragging)
{
  if (!editable(lead).planned) {
    throw Error(ErrorCode::InvalidArgument,
                "the lead has no needle yet: give it a target it can reach first");
  }
  if (!m_planner.anatomy().inImage(p)) {
    throw Error(ErrorCode::InvalidArgument, "the skin entry lies outside the image");
  }
  edit(
    "move the skin entry of " + leadName(lead),
    [&] {
      LeadPlan& e = m_plan.leads[static_cast<std::size_t>(lead)];
      e.skinEntryOverride = p;
      if (!e.epiduralEntryOverride) {
        e.epiduralEntryOverride = e.epiduralEntry; // the entry stays where it was; the needle pivots
      }
    },
    dragging ? lead : -1);
}

void PlanEditor::moveEpiduralEntry(int lead, const Vector3d& p, bool dragging)
{
  editable(lead);
  if (!m_planner.anatomy().inImage(p)) {
    throw Error(ErrorCode::InvalidArgument, "the epidural entry lies outside the image");
  }
  edit(
    "move the epidural entry of " + leadName(lead),
    [&] { m_plan.leads[static_cast<std::size_t>(lead)].epiduralEntryOverride = p; }, dragging ? lead : -1);
}

void PlanEditor::resetLead(int lead)
{
  editable(lead);
  edit("reset " + leadName(lead), [&] {
    LeadPlan& e = m_plan.leads[static_cast<std::size_t>(lead)];
    e.skinEntryOverride.reset();
    e.epiduralEntryOverride.reset();
    e.manualTarget.reset();
  });
}

void PlanEditor::setLocked(int lead, bool locked)
{
  if (lead < 0 || lead >= static_cast<int>(m_plan.leads.size())) {
    throw Error(ErrorCode::InvalidArgument,
                "no lead number " + std::to_string(static_cast<long long>(lead) + 1));
  }
  edit((locked ? "lock " : "unlock ") + leadName(lead),
       [&] { m_plan.leads[static_cast<std::size_t>(lead)].locked = locked; });
}

void PlanEditor::setPocket(PocketSite site, Side side)
{
  if (m_plan.kind == PlanKind::Trial) {
    throw Error(ErrorCode::InvalidArgument,
                "a trial plan has no pocket: its leads leave the skin for the external trial stimulator "
                "(make the permanent plan from the trial to place the generator)");
  }
  PocketPlan p = m_planner.newPocket(site, side);
  if (m_plan.pocket) {
    p.depthMm = m_plan.pocket->depthMm;
    p.generator = m_plan.pocket->generator;
  }
  edit("pocket site", [&] { m_plan.pocket = p; });
}

void PlanEditor::movePocket(const Vector3d& p, bool dragging)
{
  if (!m_plan.pocket) {
    throw Error(ErrorCode::InvalidArgument, "no pocket to move: choose its site first");
  }
  if (!m_planner.anatomy().inImage(p)) {
    throw Error(ErrorCode::InvalidArgument, "the pocket position lies outside the image");
  }
  // a drag of the pocket coalesces like a lead's (its key is past any lead's index)
  constexpr int kPocketDrag = 1 << 20;
  edit(
    "move the pocket", [&] { m_plan.pocket->positionOverride = p; }, dragging ? kPocketDrag : -1);
}

void PlanEditor::setPocketDepth(double mm)
{
  if (!m_plan.pocket) {
    throw Error(ErrorCode::InvalidArgument, "no pocket: choose its site first");
  }
  if (!(mm > 0.0 && mm < 80.0)) {
    throw Error(ErrorCode::InvalidArgument, "pocket depth must be between 0 and 80 mm");
  }
  edit("pocket depth", [&] { m_plan.pocket->depthMm = mm; });
}

void PlanEditor::removePocket()
{
  edit("remove the pocket", [&] { m_plan.pocket.reset(); });
}

void PlanEditor::setIndication(std::optional<PlanIndication> indication)
{
  std::vector<std::pair<std::string, Side>> missing;
  if (indication) {
    for (const auto& t : indication->targets) {
      const bool planned = std::any_of(m_plan.leads.begin(), m_plan.leads.end(), [&](const LeadPlan& l) {
        return l.targetLevel == t.level && l.targetSide == t.side;
      });
      if (!planned) {
        missing.emplace_back(t.level, t.side);
      }
    }
  }
  const int maxLeads = m_planner.rules().maxLeads.value;
  if (static_cast<int>(m_plan.leads.size() + missing.size()) > maxLeads) {
    throw Error(ErrorCode::InvalidArgument,
                "the accepted targets need " + std::to_string(m_plan.leads.size() + missing.size()) +
                  " leads with the plan's own; a plan holds at most " + std::to_string(maxLeads));
  }
  edit("targets from the pain map", [&] {
    m_plan.indication = indication;
    for (const auto& [level, side] : missing) {
      std::string name = targetName(level, side);
      for (int n = 2; std::any_of(m_plan.leads.begin(), m_plan.leads.end(),
                                  [&](const LeadPlan& l) { return l.name == name; });
           ++n) {
        name = targetName(level, side) + " " + std::to_string(n); // (the name is another lead's)
      }
      m_plan.leads.push_back(m_planner.newLead(name, level, side));
    }
  });
}

void PlanEditor::setKind(PlanKind kind)
{
  if (kind == m_plan.kind) {
    return;
  }
  edit(kind == PlanKind::Trial ? "make a trial plan" : "make a permanent plan", [&] {
    m_plan.kind = kind;
    if (kind == PlanKind::Trial) {
      m_plan.pocket.reset();
      m_plan.fromTrial.reset();
    } else {
      for (auto& l : m_plan.leads) {
        l.trialResult.reset();
      }
      m_plan.trialSummary.reset();
    }
  });
}

void PlanEditor::setTrialResult(int lead, std::optional<TrialResult> result)
{
  Plan checked = m_plan;
  planning::setTrialResult(checked, lead, result); // (refuses what does not belong, before the edit)
  edit("trial result of " + leadName(lead),
       [&] { m_plan.leads[static_cast<std::size_t>(lead)].trialResult = result; });
}

void PlanEditor::setTrialSummary(std::optional<TrialSummary> summary)
{
  Plan checked = m_plan;
  planning::setTrialSummary(checked, summary); // (refuses what does not belong, before the edit)
  edit("trial summary", [&] { m_plan.trialSummary = checked.trialSummary; });
}

void PlanEditor::confirmLevels(const std::string& how)
{
  if (how.find_first_not_of(" \t") == std::string::npos) {
    throw Error(ErrorCode::InvalidArgument,
                "say how the levels were confirmed and by whom (e.g. counted from S1 on the sagittal view, "
                "A. Surgeon)");
  }
  const std::string at = utcNow();
  edit("confirm the levels", [&] {
    m_plan.study.levelsConfirmedBy = how;
    m_plan.study.levelsConfirmedAt = at;
  });
}

void PlanEditor::replace(Plan plan)
{
  edit("replace the plan", [&] { m_plan = std::move(plan); });
}

void PlanEditor::undo()
{
  if (m_undo.empty()) {
    return;
  }
  m_dragLead = -1;
  m_redo.push_back({ std::move(m_plan), m_undo.back().what });
  m_plan = std::move(m_undo.back().plan);
  m_undo.pop_back();
  autosave();
}

void PlanEditor::redo()
{
  if (m_redo.empty()) {
    return;
  }
  m_dragLead = -1;
  m_undo.push_back({ std::move(m_plan), m_redo.back().what });
  m_plan = std::move(m_redo.back().plan);
  m_redo.pop_back();
  autosave();
}

} // namespace drg::planning
