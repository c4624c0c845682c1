#pragma once

#include <QString>
#include <QWidget>

#include <utility>
#include <vector>

class QListWidget;

/// What the window shows until a case is open: open the demo case, a DICOM folder or a volume
/// file, or one of the recent studies (double-click).
class StartPage : public QWidget
{
  Q_OBJECT

public:
  explicit StartPage(QWidget* parent);
  /// Lists the recent studies (path and title, most recent first); those no longer there in grey.
  void showRecentStudies(const std::vector<std::pair<QString, QString>>& studies);

signals:
  void demoRequested();
  void dicomFolderRequested();
  void volumeFileRequested();
  /// A recent study was double-clicked: its path.
  void recentStudyChosen(const QString& path);

private:
  QListWidget* m_recent = nullptr;
};
