#pragma once
// From where it hurts to the plan's targets: the body chart to mark, the ranked suggestions with
// their reasons beside it (each with a box to accept it), and the choice returned as the plan's
// indication. Nothing is accepted for the user: the levels are the physician's choice.

#include "drg/planning/Plan.h"

#include <QDialog>

#include <optional>

class BodyChartWidget;
class QLabel;
class QPushButton;
class QTableWidget;

class PainMapDialog : public QDialog
{
  Q_OBJECT

public:
  /// `start`: the plan's indication to edit (empty: a new pain map); `maxLeads`: how many targets at most.
  PainMapDialog(const std::optional<drg::planning::PlanIndication>& start, int maxLeads,
                QWidget* parent = nullptr);

  /// The pain map and the accepted targets (accepted now, UTC).
  drg::planning::PlanIndication indication() const;
  BodyChartWidget* chart() const { return m_chart; }
  QTableWidget* suggestions() const { return m_table; }

private:
  void suggest();
  void acceptedChanged();

  drg::planning::BodyChart m_bodyChart = drg::planning::BodyChart::builtIn();
  drg::planning::TargetGuidance m_guidance = drg::planning::TargetGuidance::builtIn();
  std::vector<drg::planning::TargetSuggestion> m_suggestions;
  int m_maxLeads = 4;
  BodyChartWidget* m_chart = nullptr;
  QTableWidget* m_table = nullptr;
  QLabel* m_regions = nullptr;
  QLabel* m_count = nullptr;
  QPushButton* m_ok = nullptr;
};
