#pragma once
// A trial plan's results, one row per lead: relief, coverage of the painful areas, the contacts the
// trial program used, keep or drop, a note.

#include "drg/planning/Plan.h"

#include <QDialog>

#include <optional>
#include <vector>

class QLineEdit;
class QSpinBox;
class QTableWidget;

class TrialResultsDialog : public QDialog
{
  Q_OBJECT

public:
  TrialResultsDialog(const drg::planning::Plan& plan, QWidget* parent = nullptr);

  /// Each lead's result as entered (nullopt: the row left blank, relief not given).
  std::vector<std::optional<drg::planning::TrialResult>> results() const;
  /// The trial's dates and pain scores as entered (nullopt: none given).
  std::optional<drg::planning::TrialSummary> summary() const;
  QTableWidget* table() const { return m_table; }

private:
  QTableWidget* m_table = nullptr;
  QLineEdit* m_started = nullptr;
  QLineEdit* m_ended = nullptr;
  QSpinBox* m_painBefore = nullptr;
  QSpinBox* m_painDuring = nullptr;
  std::vector<std::optional<drg::planning::TrialResult>> m_before;
};
