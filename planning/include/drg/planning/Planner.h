#pragma once
// Auto-planning, recomputation and the safety checks, and the editor with unlimited undo/redo
// that the CLI and the GUI drive.

#include "drg/imaging/Image.h"
#include "drg/imaging/SpineModel.h"
#include "drg/planning/Plan.h"

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace drg::planning
{

/// What the planner reads from the images: the spine model (its label map gives bone, canal and
/// skin) and, when available, the intensities (CT: bone numbers and the fascia along the needle).
/// Built once per study; queries are cheap and thread-compatible.
class PlanAnatomy
{
public:
  /// `volume` may be null (labels only); when given it must share the label map's grid.
  PlanAnatomy(const imaging::SpineModel& model, const imaging::Image<float>* volume);
  ~PlanAnatomy();
  PlanAnatomy(const PlanAnatomy&) = delete;
  PlanAnatomy& operator=(const PlanAnatomy&) = delete;

  const imaging::SpineModel& model() const;

  /// True when the point is bone: a labelled vertebra, or on CT 150 HU and more.
  bool isBone(const Vector3d& p) const;
  /// True when the point lies inside the image.
  bool inImage(const Vector3d& p) const;

  struct Impl;

private:
  friend class Planner;
  std::unique_ptr<Impl> m_impl;
};

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
  void placePocket(PocketPlan& pocket) const;
  void budgetAndTunnel(LeadPlan& lead, const std::optional<PocketPlan>& pocket) const;
  void findings(Plan& plan) const;

  const PlanAnatomy& m_anatomy;
  DeviceCatalog m_catalog;
  PlanRules m_rules;
};

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

private:
  LeadPlan& editable(int lead);
  template<typename F>
  void edit(F&& change, int dragLead = -1);

  void autosave();

  const Planner& m_planner;
  Plan m_plan;
  std::filesystem::path m_autosave;
  std::string m_autosaveProblem;
  int m_dragLead = -1; ///< the lead a drag is moving (its start is the top of the undo stack)
  std::vector<Plan> m_undo;
  std::vector<Plan> m_redo;
};

/// Fraction (0-1) of a ganglion's length (centre, axis, length, width) that lies beside the lead's
/// contact array: within half its width plus the lead's radius and 1 mm of the lead, between the
/// distal edge of the first contact and the proximal edge of the last.
double contactCoverage(const LeadPlan& lead, const LeadModel& model, const Vector3d& centre,
                       const Vector3d& axis, double lengthMm, double widthMm);

/// Parses "L4-left" / "S1-right" into level and side; throws drg::Error(InvalidArgument).
std::pair<std::string, Side> parseTarget(const std::string& text);

} // namespace drg::planning
