// drgplan: the planning workstation (Qt 6 Widgets).
//   drgplan --demo                      open the demo phantom
//   drgplan FOLDER | FILE               open a DICOM series (a chooser when there are several) or a
//                                       NIfTI/NRRD/MetaImage volume (labels.nii.gz beside it is overlaid)
//   drgplan --demo --screenshot F.png   render the window once loaded, save it and exit (without an
//                                       input: the start page)
//   drgplan --demo --plan P.drgplan.json   open a plan with the case
//   drgplan --demo --lead L5-left        add an auto-planned lead once the case is loaded
#include "CommandLine.h"
#include "MainWindow.h"
#include "PostopView.h"

#include <QApplication>
#include <QStatusBar>
#include <QTimer>

#include <cstdio>
#include <string>

namespace
{

/// Once the case is shown: opens the plan, adds the leads, saves the plan, verifies a post-operative
/// CT against it (`exitCode` says what failed: 4 the plan, 2 a lead, 3 the save, 5 the verification).
void planWhenLoaded(MainWindow& window, const CommandLine& args, int& exitCode)
{
  const QString planFile = args.plan.value_or(QString());
  const QStringList leads = args.leads;
  const QString saveTo = args.savePlan.value_or(QString());
  const QString postop = args.verify.value_or(QString());
  window.whenLoaded([&window, planFile, leads, saveTo, postop, &exitCode] {
    if (!planFile.isEmpty() && !window.openPlan(planFile)) {
      // (why, as the dialog would have said it: the status bar holds it)
      std::fprintf(stderr, "error: cannot open the plan %s: %s\n", qPrintable(planFile),
                   qPrintable(window.statusBar()->currentMessage()));
      exitCode = 4;
      return; // (no lead is added to, and nothing saved over, a plan that did not open)
    }
    for (const QString& t : leads) {
      try {
        const auto [level, side] = drg::planning::parseTarget(t.toStdString());
        if (window.planEditor()) {
          // named as the panel and the CLI name a lead ("L5 left")
          window.planEditor()->addLead(level + " " + drg::imaging::sideName(side), level, side);
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
    QString why;
    if (!postop.isEmpty() && !window.postop().runNow(postop, &why)) {
      std::fprintf(stderr, "error: --verify %s: %s\n", qPrintable(postop), qPrintable(why));
      exitCode = 5;
    } else if (!postop.isEmpty()) {
      std::printf("%s\n", qPrintable(window.postop().summary()));
    }
  });
}

/// Once the case is shown (and drawn): saves the window to `path`, prints the status bar and the
/// plan's size, and exits.
void screenshotWhenLoaded(MainWindow& window, const QString& path, int& exitCode)
{
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
}

/// Once the case is shown: the rendering figures at 1280 x 1024 in the 2x2 layout (from the case
/// shown to its first frame, then the loops), printed, then exits.
void benchmarkWhenLoaded(MainWindow& window)
{
  window.resize(1280, 1024);
  window.setInteractive(false);
  window.whenLoaded([&window] {
    QTimer::singleShot(0, &window, [&window] {
      window.repaint();
      const double firstFrameMs = window.msSinceLoaded();
      const MainWindow::RenderBench b = window.benchmarkRendering();
      RenderBenchmark::print(b, firstFrameMs, window.openGlRenderer());
      QApplication::exit(0);
    });
  });
}

/// A failure to load ends the run (exit code 4), saying why.
void exitOnFailure(MainWindow& window, QApplication& app)
{
  QObject::connect(&window, &MainWindow::loadFailed, &app, [](const QString& message) {
    std::fprintf(stderr, "error: %s\n", qPrintable(message));
    QApplication::exit(4);
  });
}

} // namespace

int main(int argc, char** argv)
{
  // VTK 9.1 draws through GLX (X11): stay on xcb unless the user chose a platform.
  if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) {
    qputenv("QT_QPA_PLATFORM", "xcb");
  }
  View3D::setDefaultSurfaceFormat(); // VTK's OpenGL needs (before the application exists)
  QApplication app(argc, argv);
  QApplication::setApplicationName("drgplan");
  QApplication::setApplicationVersion(DRG_VERSION);
  const CommandLine args = CommandLine::parse(app);

  MainWindow window;
  if (args.layout) {
    const auto layout = CommandLine::viewLayout(*args.layout);
    if (!layout) {
      std::fprintf(stderr,
                   "error: --layout must be 2x2, 1+3, axial, sagittal, coronal, 3d or needle, not %s\n",
                   qPrintable(*args.layout));
      return 2;
    }
    window.setViewLayout(*layout);
  }
  window.show();
  int exitCode = 0;
  if (args.volumeRendering) {
    window.whenLoaded([&window] { window.setBoneVolumeRendering(true); });
  }
  if (args.view3d) {
    const auto view = CommandLine::overviewView(*args.view3d);
    if (!view) {
      std::fprintf(stderr, "error: --view3d must be posterior, left or oblique, not %s\n",
                   qPrintable(*args.view3d));
      return 2;
    }
    window.whenLoaded([&window, view] { window.set3dView(*view); });
  }
  if (args.plan || !args.leads.isEmpty() || args.savePlan || args.verify) {
    planWhenLoaded(window, args, exitCode);
  }
  if (args.screenshot) {
    screenshotWhenLoaded(window, *args.screenshot, exitCode);
    exitOnFailure(window, app);
  }
  if (args.benchRender) {
    benchmarkWhenLoaded(window);
    exitOnFailure(window, app);
  }
  if (args.demo) {
    window.openDemo();
  } else if (args.input) {
    window.openPath(*args.input);
  } else if (args.benchRender) {
    std::fprintf(stderr, "error: --bench-render needs --demo or an input to load\n");
    return 2;
  } else if (args.screenshot) {
    window.showStartPageForScreenshot(); // nothing to load: the start page is what shows
  }
  return app.exec();
}
