#pragma once
// The editor of a plan with unlimited undo/redo that the CLI and the GUI drive.

#include "drg/planning/Plan.h"
#include "drg/planning/Planner.h"

#include <filesystem>
#include <string>
#include <vector>

namespace drg::planning
{

/// Edits of a plan, each recomputing the plan and undoable without limit. Refusals (a fifth lead,
/// editing a locked lead, an unknown level) throw drg::Error(InvalidArgument) and change nothing.
class PlanEditor
{
public:
  PlanEditor(const Planner& planner, Plan plan = {});

  const Plan& plan() const { return m_plan; }
  const Planner& planner() const { return m_planner; }

  int addLead(const std::string& name, const std::string& level, Side side); ///< returns its index
  void removeLead(int lead);
  void renameLead(int lead, const std::string& name);
  void setTarget(int lead, const std::string& level, Side side);
  void setManualTarget(int lead, const Vector3d& point, bool dragging = false);
  void setApproach(int lead, Approach approach, const std::string& entryLevel = {});
  void setSheath(int lead, const std::string& sheathId);
  void setLeadModel(int lead, const std::string& leadModelId);
  /// Moves a lead's skin entry (likewise its epidural entry and target above). With `dragging`,
  /// successive moves of the same lead are one undo step (a drag in a view) until endDrag().
  void moveSkinEntry(int lead, const Vector3d& p, bool dragging = false);
  /// The drag is over: the next move is a new undo step (and the plan is autosaved).
  void endDrag();
  void moveEpiduralEntry(int lead, const Vector3d& p, bool dragging = false);
  void resetLead(int lead); ///< drops moved points and the manual target: auto-planned again
  void setLocked(int lead, bool locked);
  void setPocket(PocketSite site, Side side);
  void movePocket(const Vector3d& p, bool dragging = false);
  void setPocketDepth(double mm);
  void removePocket();
  /// The user confirms the level names: `how` says how they were counted and by whom ("counted up
  /// from S1 on the sagittal CT, A. Surgeon"); stamped with the time (UTC). Empty `how` is refused.
  void confirmLevels(const std::string& how);
  /// Records why the plan's targets were chosen (the pain map and the accepted targets), and adds a
  /// lead for each accepted target the plan has no lead for (at most the plan's lead limit); one
  /// undo step. nullopt clears the record (the leads stay).
  void setIndication(std::optional<PlanIndication> indication);
  /// Makes the plan a trial (temporary leads, no pocket: a pocket is removed) or a permanent plan.
  void setKind(PlanKind kind);
  /// Enters (or with nullopt clears) a trial lead's outcome; only a trial plan's leads have one.
  /// Relief and coverage outside 0-100 are refused.
  void setTrialResult(int lead, std::optional<TrialResult> result);
  /// Sets (or clears) a trial plan's dates and pain scores (refused as planning::setTrialSummary).
  void setTrialSummary(std::optional<TrialSummary> summary);
  /// Replaces the whole plan (opening a file), undoable.
  void replace(Plan plan);

  /// After every edit, undo and redo the plan is also written to `path` (atomically), so that a
  /// crash loses nothing: set it to autosavePath(planFile). Empty: no autosave.
  void setAutosave(const std::filesystem::path& path);
  /// Writes the plan to the autosave now (e.g. after the anatomy under it changed); a failure is
  /// reported by autosaveProblem().
  void autosaveNow() { autosave(); }
  /// Why the last autosave failed (disk full, folder gone), or empty.
  const std::string& autosaveProblem() const { return m_autosaveProblem; }
  /// Saves the plan to `file` (atomic, durable) and removes the autosave.
  void save(const std::filesystem::path& file);

  bool canUndo() const { return !m_undo.empty(); }
  bool canRedo() const { return !m_redo.empty(); }
  void undo();
  void redo();
  std::size_t undoDepth() const { return m_undo.size(); }
  /// What Undo and Redo would take back or bring back, in words ("move the skin entry of L5 left");
  /// empty when there is nothing.
  std::string undoName() const { return m_undo.empty() ? std::string() : m_undo.back().what; }
  std::string redoName() const { return m_redo.empty() ? std::string() : m_redo.back().what; }

private:
  LeadPlan& editable(int lead);
  /// Lead `lead`'s name, for naming an edit of it.
  std::string leadName(int lead) const { return m_plan.leads[static_cast<std::size_t>(lead)].name; }
  /// Runs `change`, re-plans, and keeps the plan before as one undo step named `what`.
  template<typename F>
  void edit(const std::string& what, F&& change, int dragLead = -1);

  void autosave();

  const Planner& m_planner;
  Plan m_plan;
  std::filesystem::path m_autosave;
  std::string m_autosaveProblem;
  int m_dragLead = -1; ///< the lead a drag is moving (its start is the top of the undo stack)
  struct Step
  {
    Plan plan;        ///< the plan before (undo) or after (redo) the edit
    std::string what; ///< the edit, in words
  };
  std::vector<Step> m_undo;
  std::vector<Step> m_redo;
};

} // namespace drg::planning
