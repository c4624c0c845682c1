#pragma once

#include <QString>
#include <QWidget>

#include <utility>
#include <vector>

class CaseLoader;
class CasesPanel;
class QListWidget;

/// What the window shows until a case is open: open the demo case, a DICOM folder or a volume
/// file, one of the recent studies (double-click), or a case of the case library.
class StartPage : public QWidget
{
  Q_OBJECT

public:
  /// The buttons and the recent studies open through `loader`.
  StartPage(CaseLoader& loader, QWidget* parent);
  CasesPanel* cases() const { return m_cases; }
  /// Lists the recent studies (path and title, most recent first); those no longer there in grey.
  void showRecentStudies(const std::vector<std::pair<QString, QString>>& studies);

signals:
  void demoRequested();
  void dicomFolderRequested();
  void volumeFileRequested();
  /// A recent study was double-clicked: its path.
  void recentStudyChosen(const QString& path);
  /// A case's plan is to be opened on its images.
  void casePlanChosen(const QString& images, const QString& plan);

private:
  QListWidget* m_recent = nullptr;
  CasesPanel* m_cases = nullptr;
};
