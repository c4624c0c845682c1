#pragma once

#include <QObject>

class CaseLoader;
class MainWindow;
class PlanExporter;
class QAction;
class View3D;

/// The window's menus: File (open a case or a plan, save, export), Edit (undo, redo), View
/// (layouts, 3D camera, bone volume rendering, skin) and Spine (renumber the levels, declare
/// transitional anatomy). Actions call the window and its components.
class MainMenus : public QObject
{
  Q_OBJECT

public:
  MainMenus(MainWindow& window, CaseLoader& loader, PlanExporter& exporter, View3D& view3d);

  QAction* undo() const { return m_undo; }
  QAction* redo() const { return m_redo; }
  /// View > 3D bone as volume rendering (checkable).
  QAction* boneVolume() const { return m_boneVolume; }

signals:
  void undoRequested();
  void redoRequested();

private:
  void addFileMenu();
  void addSpineMenu();
  void addExportMenu(class QMenu* file);

  MainWindow& m_window;
  CaseLoader& m_loader;
  PlanExporter& m_exporter;
  View3D& m_view3d;
  QAction* m_undo = nullptr;
  QAction* m_redo = nullptr;
  QAction* m_boneVolume = nullptr;
};
