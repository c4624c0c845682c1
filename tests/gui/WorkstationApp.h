#pragma once
// The application the workstation tests share (one per process): X11 as the application uses,
// the OpenGL format VTK needs, and settings and autosaves in a folder of the tests' own.
#include "MainWindow.h"
#include "View3D.h"

#include "TestSupport.h"

#include <QApplication>
#include <QDockWidget>
#include <QSignalSpy>
#include <QTest>

inline QApplication& application()
{
  static int argc = 1;
  static char name[] = "drg_workstation_tests";
  static char* argv[] = { name, nullptr };
  if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) {
    qputenv("QT_QPA_PLATFORM", "xcb"); // as the application (VTK 9.1 needs X11)
  }
  View3D::setDefaultSurfaceFormat(); // as the application (before it exists)
  // settings (recent studies) and autosaves in a folder of the test's own, not the user's
  static drg::test::TemporaryFolder home("workstation-home");
  qputenv("XDG_CONFIG_HOME", QByteArray::fromStdString((home.path() / "config").string()));
  qputenv("XDG_DATA_HOME", QByteArray::fromStdString((home.path() / "data").string()));
  // never destroyed: a static QApplication would be destroyed after Qt's own global statics that
  // icons (a line edit's clear button, a dialog's standard buttons) fill, and crash at exit; the
  // application's QApplication lives in main() and goes before them
  static QApplication* app = new QApplication(argc, argv);
  return *app;
}

/// Opens the demo in `window` (shown, `size`, not interactive) and waits for it; with `dockWidth`
/// the Plan dock is set that wide, so that the views' size does not follow changes of the panels.
/// False when the demo did not open (or has no spine model to plan on).
inline bool openDemoShown(MainWindow& window, QSize size = QSize(1280, 1024), int dockWidth = 0)
{
  window.setInteractive(false);
  window.resize(size);
  window.show();
  QSignalSpy ready(&window, &MainWindow::caseReady);
  window.openDemo();
  if (!ready.wait(180000) || window.planEditor() == nullptr || !QTest::qWaitForWindowExposed(&window)) {
    return false;
  }
  if (auto* planDock = window.findChild<QDockWidget*>("plan"); planDock && dockWidth > 0) {
    window.resizeDocks({ planDock }, { dockWidth }, Qt::Horizontal);
  }
  QApplication::processEvents();
  QApplication::processEvents();
  return true;
}
