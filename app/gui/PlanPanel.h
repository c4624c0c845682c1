#pragma once

#include "drg/imaging/SpineModel.h"
#include "drg/planning/Planner.h"

#include <QWidget>

#include <Eigen/Core>

#include <functional>
#include <vector>

class LeadChoices;
class PlanSession;
class Prompts;
class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLineEdit;
class QListWidget;

/// The Plan panel: the leads (add one aimed at a ganglion, retarget, remove, lock, type a point of it
/// exactly in LPS mm), the generator pocket and the plan's findings. Edits go to the session's plan
/// editor through the window's `edit`, which shows what the plan then holds.
class PlanPanel : public QWidget
{
  Q_OBJECT

public:
  /// Runs an edit of the plan (errors said to the user), then shows the plan.
  using Edit = std::function<void(const std::function<void()>&)>;

  PlanPanel(const PlanSession& session, const Prompts& prompts, Edit edit, QWidget* parent);

  /// The targets a lead can be aimed at: the ganglia (none: cleared); L5 left chosen when there.
  void setTargets(const std::vector<drg::imaging::DrgEstimate>& ganglia);
  /// Chooses the target named `name` ("L5 left"), as a click on the ganglion in a view does.
  void pickTarget(const QString& name);
  /// The selected lead's row (-1: none).
  int currentLead() const;
  /// Lists the plan's leads and findings and shows its pocket (no plan: empty), keeping the lead
  /// selected.
  void showPlan(const drg::planning::Plan* plan);
  /// Shows the lead of `row` (locked or not, its typed point).
  void showLead(int row);

signals:
  /// Another lead was selected (-1: none).
  void currentLeadChanged(int row);
  /// A finding was clicked: the place to show (LPS mm).
  void placeChosen(const Eigen::Vector3d& lps);

private:
  /// Fills the coordinate boxes with the chosen point of the selected lead.
  void showTypedPoint();
  /// The coordinate boxes editable only for a selected lead's point that exists.
  void enableTypedPoint();
  void addLead();
  void retarget();
  void moveTypedPoint();
  void setPocket(int index);

  const PlanSession& m_session;
  const Prompts& m_prompts;
  Edit m_edit;
  QComboBox* m_target = nullptr;
  QLineEdit* m_leadName = nullptr;
  QListWidget* m_leads = nullptr;
  QCheckBox* m_locked = nullptr;
  QComboBox* m_pocket = nullptr;
  QListWidget* m_findings = nullptr;
  QDoubleSpinBox* m_entry[3] = { nullptr, nullptr, nullptr };
  QComboBox* m_entryPoint = nullptr;
  LeadChoices* m_choices = nullptr;
};
