// drgplan: the planning workstation (Qt 6 Widgets).
//   drgplan --demo                      open the demo phantom
//   drgplan FOLDER | FILE               open a DICOM series (a chooser when there are several) or a
//                                       NIfTI/NRRD/MetaImage volume (labels.nii.gz beside it is overlaid)
//   drgplan --demo --screenshot F.png   render the window once loaded, save it and exit (without an
//                                       input: the start page)
//   drgplan --demo --plan P.drgplan.json   open a plan with the case
//   drgplan --demo --lead L5-left        add an auto-planned lead once the case is loaded
#include "MainWindow.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QScreen>
#include <QStatusBar>
#include <QTimer>

#include <cstdio>
#include <map>
#include <string>

int main(int argc, char** argv)
{
  // VTK 9.1 needs X11 (see ARCHITECTURE.md); stay on xcb unless the user chose a platform.
  if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) {
    qputenv("QT_QPA_PLATFORM", "xcb");
  }
  View3D::setDefaultSurfaceFormat(); // VTK's OpenGL needs (before the application exists)
  QApplication app(argc, argv);
  QApplication::setApplicationName("drgplan");
  QApplication::setApplicationVersion(DRG_VERSION);
  QCommandLineParser parser;
  parser.setApplicationDescription("drgplan: dorsal root ganglion stimulation planning workstation");
  parser.addHelpOption();
  parser.addVersionOption();
  QCommandLineOption demo("demo", "open the demo case (the spine phantom)");
  QCommandLineOption screenshot("screenshot", "save the window to FILE.png once loaded, then exit", "FILE");
  QCommandLineOption plan("plan", "open the plan FILE with the case", "FILE");
  QCommandLineOption lead("lead", "add an auto-planned lead to LEVEL-SIDE (e.g. L5-left); repeatable",
                          "TARGET");
  QCommandLineOption savePlan("save-plan", "save the plan to FILE once loaded (and leads added)", "FILE");
  QCommandLineOption benchRender("bench-render",
                                 "print rendering figures (first frame, slice scrolling, dragging) and exit");
  parser.addOption(demo);
  parser.addOption(screenshot);
  parser.addOption(plan);
  parser.addOption(lead);
  parser.addOption(savePlan);
  parser.addOption(benchRender);
  QCommandLineOption layout(
    "layout", "view layout: 2x2 (default), 1+3, axial, sagittal, coronal, 3d or needle", "LAYOUT");
  parser.addOption(layout);
  QCommandLineOption view3d("view3d", "3D camera once loaded: posterior (default), left or oblique", "VIEW");
  parser.addOption(view3d);
  QCommandLineOption volumeRendering("volume-rendering", "show the bone as a volume rendering in 3D (CT)");
  parser.addOption(volumeRendering);
  parser.addPositionalArgument("input", "DICOM folder, file or DICOMDIR, or a NIfTI/NRRD/MetaImage volume",
                               "[input]");
  parser.process(app);

  MainWindow window;
  if (parser.isSet(layout)) {
    const QString l = parser.value(layout);
    const std::map<QString, MainWindow::ViewLayout> layouts = {
      { "2x2", MainWindow::ViewLayout::TwoByTwo },    { "1+3", MainWindow::ViewLayout::OnePlusThree },
      { "axial", MainWindow::ViewLayout::Axial },     { "sagittal", MainWindow::ViewLayout::Sagittal },
      { "coronal", MainWindow::ViewLayout::Coronal }, { "3d", MainWindow::ViewLayout::ThreeD },
      { "needle", MainWindow::ViewLayout::Needle }
    };
    const auto it = layouts.find(l);
    if (it == layouts.end()) {
      std::fprintf(stderr,
                   "error: --layout must be 2x2, 1+3, axial, sagittal, coronal, 3d or needle, not %s\n",
                   qPrintable(l));
      return 2;
    }
    window.setViewLayout(it->second);
  }
  window.show();
  int exitCode = 0;
  if (parser.isSet(volumeRendering)) {
    window.whenLoaded([&window] { window.setBoneVolumeRendering(true); });
  }
  if (parser.isSet(view3d)) {
    const QString v = parser.value(view3d);
    if (v != "posterior" && v != "left" && v != "oblique") {
      std::fprintf(stderr, "error: --view3d must be posterior, left or oblique, not %s\n", qPrintable(v));
      return 2;
    }
    window.whenLoaded([&window, v] {
      window.set3dView(v == "left"      ? drg::render::OverviewView::LeftLateral
                       : v == "oblique" ? drg::render::OverviewView::PosteriorOblique
                                        : drg::render::OverviewView::Posterior);
    });
  }
  if (parser.isSet(plan) || parser.isSet(lead) || parser.isSet(savePlan)) {
    const QString planFile = parser.value(plan);
    const QStringList leads = parser.values(lead);
    const QString saveTo = parser.value(savePlan);
    window.whenLoaded([&window, planFile, leads, saveTo, &exitCode] {
      if (!planFile.isEmpty() && !window.openPlan(planFile)) {
        std::fprintf(stderr, "error: cannot open the plan %s\n", qPrintable(planFile));
        exitCode = 4;
      }
      for (const QString& t : leads) {
        try {
          const auto [level, side] = drg::planning::parseTarget(t.toStdString());
          if (window.planEditor()) {
            window.planEditor()->addLead(t.toStdString(), level, side);
          }
        } catch (const std::exception& e) {
          std::fprintf(stderr, "error: --lead %s: %s\n", qPrintable(t), e.what());
          exitCode = 2;
        }
      }
      window.refreshPlanView();
      if (!saveTo.isEmpty() && !window.savePlan(saveTo)) {
        std::fprintf(stderr, "error: cannot save the plan to %s\n", qPrintable(saveTo));
        exitCode = 3;
      }
    });
  }
  if (parser.isSet(screenshot)) {
    QString path = parser.value(screenshot);
    window.setInteractive(false);
    window.whenLoaded([&window, path, &exitCode] {
      QTimer::singleShot(300, &window, [&window, path, &exitCode] {
        const QImage shot = window.screenshot();
        // what the status bar says, for scripts and tests (levels found, warnings)
        std::printf("%s\n", qPrintable(window.statusBar()->currentMessage()));
        if (auto* editor = window.planEditor()) {
          std::printf("plan: %zu leads, %zu findings\n", editor->plan().leads.size(),
                      editor->plan().findings.size());
        }
        std::fflush(stdout);
        if (!shot.save(path)) {
          std::fprintf(stderr, "error: cannot write screenshot %s\n", qPrintable(path));
          exitCode = 3;
        }
        QApplication::exit(exitCode);
      });
    });
    QObject::connect(&window, &MainWindow::loadFailed, &app, [](const QString& message) {
      std::fprintf(stderr, "error: %s\n", qPrintable(message));
      QApplication::exit(4);
    });
  }
  if (parser.isSet(benchRender)) {
    // the 2x2 layout at 1280 x 1024; from the case being shown to its first frame, then the loops
    window.resize(1280, 1024);
    window.setInteractive(false);
    window.whenLoaded([&window] {
      QTimer::singleShot(0, &window, [&window] {
        window.repaint();
        const double firstFrameMs = window.msSinceLoaded();
        const MainWindow::RenderBench b = window.benchmarkRendering();
        std::printf("window %dx%d, 2x2 layout (slice views drawn with QPainter, the 3D view with VTK on "
                    "OpenGL: %s)\n",
                    b.width, b.height, qPrintable(window.openGlRenderer()));
        std::printf("first frame after the case is loaded: %.0f ms (goal 2000 ms)\n", firstFrameMs);
        std::printf(
          "slice scrolling (the axial view re-sliced, all three repainted): %.1f frames/s (goal 30)\n",
          b.scrollFps);
        std::printf(
          "dragging a skin entry (re-plan, findings, panel, all four views): %.1f updates/s (goal 20)\n",
          b.dragUpdatesPerS);
        std::printf("3D rotation (%s, skin and ganglia translucent): %.1f frames/s (goal 20); a still "
                    "full-quality frame %.0f ms\n",
                    b.volumeRendering ? "bone as CPU volume rendering, sampling lowered while turning"
                                      : (std::to_string(b.triangles) + " triangles").c_str(),
                    b.rotationFps, b.stillFrameMs);
        std::fflush(stdout);
        QApplication::exit(0);
      });
    });
    QObject::connect(&window, &MainWindow::loadFailed, &app, [](const QString& message) {
      std::fprintf(stderr, "error: %s\n", qPrintable(message));
      QApplication::exit(4);
    });
  }
  if (parser.isSet(demo)) {
    window.openDemo();
  } else if (!parser.positionalArguments().isEmpty()) {
    window.openPath(parser.positionalArguments().first());
  } else if (parser.isSet(benchRender)) {
    std::fprintf(stderr, "error: --bench-render needs --demo or an input to load\n");
    return 2;
  } else if (parser.isSet(screenshot)) {
    window.showStartPageForScreenshot(); // nothing to load: the start page is what shows
  }
  return app.exec();
}
