#pragma once
// The application the workstation tests share (one per process): X11 as the application uses,
// the OpenGL format VTK needs, and settings and autosaves in a folder of the tests' own.
#include "View3D.h"

#include "TestSupport.h"

#include <QApplication>

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
  static QApplication app(argc, argv);
  return app;
}
