#pragma once

#include <QWidget>

#include <functional>

class PlanSession;
class QComboBox;

/// The selected lead's technique, chosen in the Plan panel: the side of approach (contralateral,
/// ipsilateral; sacral for S1), the interlaminar window the needle enters by (below which vertebra)
/// and the sheath (or the planner's choice: the widest curve that fits). Each choice is one
/// undoable edit, after which the lead is planned again.
class LeadChoices : public QWidget
{
  Q_OBJECT

public:
  /// Runs an edit of the plan (errors said to the user), then shows the plan.
  using Edit = std::function<void(const std::function<void()>&)>;

  LeadChoices(const PlanSession& session, Edit edit, QWidget* parent);

  /// Shows the choices of lead `row` of the plan (-1 or no plan: cleared and disabled).
  void showLead(int row);

private:
  void choose();

  const PlanSession& m_session;
  Edit m_edit;
  int m_row = -1;
  QComboBox* m_approach = nullptr;
  QComboBox* m_window = nullptr;
  QComboBox* m_sheath = nullptr;
};
