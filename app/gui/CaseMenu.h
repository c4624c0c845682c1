#pragma once
// The Case menu: the patient's path in the workstation. Targets from a pain map (the body chart and
// the ranked suggestions; the accepted targets become leads and the plan's indication), the plan's
// kind (trial: temporary leads, no pocket; or permanent) and the trial's results.

#include <QObject>

class MainWindow;
class QMenu;

class CaseMenu : public QObject
{
  Q_OBJECT

public:
  CaseMenu(MainWindow& window, QMenu* menu);

  /// Opens the pain map for the plan shown; its accepted targets are planned (one undo step).
  void editPainMap();
  /// Opens the trial results of the plan shown (a trial plan).
  void editTrialResults();

private:
  MainWindow& m_window;
};
