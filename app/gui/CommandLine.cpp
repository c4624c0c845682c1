#include "CommandLine.h"

#include <QCommandLineParser>

#include <map>

CommandLine CommandLine::parse(const QCoreApplication& app)
{
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
  QCommandLineOption verify(
    "verify", "verify the post-operative CT DIR against the plan once loaded (with --plan)", "DIR");
  parser.addOption(verify);
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

  auto value = [&](const QCommandLineOption& o) {
    return parser.isSet(o) ? std::optional<QString>(parser.value(o)) : std::nullopt;
  };
  CommandLine c;
  c.demo = parser.isSet(demo);
  if (!parser.positionalArguments().isEmpty()) {
    c.input = parser.positionalArguments().first();
  }
  c.screenshot = value(screenshot);
  c.plan = value(plan);
  c.leads = parser.values(lead);
  c.savePlan = value(savePlan);
  c.verify = value(verify);
  c.benchRender = parser.isSet(benchRender);
  c.layout = value(layout);
  c.view3d = value(view3d);
  c.volumeRendering = parser.isSet(volumeRendering);
  return c;
}

std::optional<MainWindow::ViewLayout> CommandLine::viewLayout(const QString& word)
{
  const std::map<QString, MainWindow::ViewLayout> layouts = {
    { "2x2", MainWindow::ViewLayout::TwoByTwo },    { "1+3", MainWindow::ViewLayout::OnePlusThree },
    { "axial", MainWindow::ViewLayout::Axial },     { "sagittal", MainWindow::ViewLayout::Sagittal },
    { "coronal", MainWindow::ViewLayout::Coronal }, { "3d", MainWindow::ViewLayout::ThreeD },
    { "needle", MainWindow::ViewLayout::Needle }
  };
  const auto it = layouts.find(word);
  return it == layouts.end() ? std::nullopt : std::optional<MainWindow::ViewLayout>(it->second);
}

std::optional<drg::render::OverviewView> CommandLine::overviewView(const QString& word)
{
  if (word == "posterior") {
    return drg::render::OverviewView::Posterior;
  }
  if (word == "left") {
    return drg::render::OverviewView::LeftLateral;
  }
  if (word == "oblique") {
    return drg::render::OverviewView::PosteriorOblique;
  }
  return std::nullopt;
}
