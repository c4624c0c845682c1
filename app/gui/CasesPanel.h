#pragma once
// The start page's case library: search the cases (label, folder, targets), see a case's timeline
// (each stage's file checked: missing or damaged ones marked, the rest shown) and open its latest
// plan with its images.

#include <QWidget>

#include <filesystem>
#include <memory>

class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;
class QTableWidget;

namespace drg::planning
{
class CaseLibrary;
}

class CasesPanel : public QWidget
{
  Q_OBJECT

public:
  /// `library`: the library file (none there: the panel says how cases are added).
  explicit CasesPanel(std::filesystem::path library, QWidget* parent = nullptr);
  ~CasesPanel() override;

  /// Reads the library again and lists the cases matching the search.
  void refresh();
  QTableWidget* cases() const { return m_cases; }
  QListWidget* timeline() const { return m_timeline; }

signals:
  /// Open this plan on these images.
  void planChosen(const QString& images, const QString& plan);

private:
  void showTimeline();
  /// The library, opened once it exists (searching as the user types reads it, not opens it again).
  const drg::planning::CaseLibrary& library();

  std::filesystem::path m_library;
  std::unique_ptr<drg::planning::CaseLibrary> m_lib;
  QLineEdit* m_search = nullptr;
  QTableWidget* m_cases = nullptr;
  QListWidget* m_timeline = nullptr;
  QLabel* m_status = nullptr;
  QPushButton* m_open = nullptr;
  QString m_latestPlan, m_latestImages;
};
