#pragma once

#include "MainWindow.h"

#include <QString>
#include <QStringList>

#include <optional>

class QCoreApplication;

/// drgplan's command line: what to open, and what to do once it is shown.
struct CommandLine
{
  bool demo = false;                 ///< --demo: the spine phantom
  std::optional<QString> input;      ///< a DICOM folder, file or DICOMDIR, or a volume file
  std::optional<QString> screenshot; ///< --screenshot FILE: save the window once loaded, exit
  std::optional<QString> plan;       ///< --plan FILE: open it with the case
  QStringList leads;                 ///< --lead LEVEL-SIDE (repeatable): add auto-planned leads
  std::optional<QString> savePlan;   ///< --save-plan FILE: save the plan once loaded
  std::optional<QString> verify;     ///< --verify DIR: a post-operative CT against the plan, once loaded
  bool benchRender = false;          ///< --bench-render: print rendering figures, exit
  std::optional<QString> layout;     ///< --layout: 2x2, 1+3, axial, sagittal, coronal, 3d, needle
  std::optional<QString> view3d;     ///< --view3d: posterior, left or oblique
  bool volumeRendering = false;      ///< --volume-rendering: the bone as a volume rendering

  /// Parses the application's arguments (--help and --version print and exit).
  static CommandLine parse(const QCoreApplication& app);
  /// The layout a --layout word names (nullopt: none).
  static std::optional<MainWindow::ViewLayout> viewLayout(const QString& word);
  /// The 3D camera a --view3d word names (nullopt: none).
  static std::optional<drg::render::OverviewView> overviewView(const QString& word);
};
