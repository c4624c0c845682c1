// `drgplan-cli segment IN --out DIR`: the spine model (labels, spine.json) and a table of levels
// and DRG estimates.
#include "Commands.h"

#include "drg/imaging/SpineCaseLoader.h"
#include "drg/imaging/SpineModel.h"

#include <cstdio>
#include <iostream>
#include <memory>

namespace drg::cli
{
namespace
{
using namespace drg::imaging;

struct SegmentArgs
{
  std::string input;
  std::string out;
  std::string series;
  std::string modality = "auto";
  int shift = 0;
  std::string transitional;
  std::string levelAt;
  bool json = false;
  double workSpacing = 0.0;
};

std::string fmt(const char* f, double a, double b, double c)
{
  char buf[64];
  std::snprintf(buf, sizeof buf, f, a, b, c);
  return buf;
}

int runSegment(const SegmentArgs& a, const GlobalOptions& global)
{
  SpineCaseLoader loader(
    SpineCaseLoader::parseOptions(a.modality, a.shift, a.transitional, a.workSpacing, a.levelAt));
  SpineCaseImage in =
    loader.load(a.input, a.series, [&](double f) { return reportProgress("loading", f, global.quiet); });
  Image<float>& volume = in.volume;
  const std::vector<std::string>& warnings = in.warnings;
  SpineModel model =
    loader.buildModel(volume, [&](double f) { return reportProgress("spine model", f, global.quiet); });
  writeSpineModel(model, a.out);
  if (a.json) {
    std::cout << spineModelJson(model);
    return 0;
  }
  std::cout << "spine model written to " << a.out << " (labels.nii.gz, spine.json) in "
            << fmt("%.1f", model.seconds, 0, 0) << " s\n";
  std::cout << "levels counted from: " << model.anchor << " (" << model.anchorDetail << ")\n";
  std::cout << "level check: " << model.levelCheck.status;
  for (const auto& r : model.levelCheck.reasons) {
    std::cout << "; " << r;
  }
  std::cout << "\n";
  if (!model.levelCheck.thoracicNames.empty()) {
    std::cout << "  " << model.levelCheck.thoracicNames << "\n";
  }
  std::cout << "\nlevel   complete  body centre (LPS mm)          volume ml\n";
  for (const auto& v : model.vertebrae) {
    std::printf("%-7s %-9s %-29s %6.1f\n", v.level.c_str(), v.complete ? "yes" : "partial",
                fmt("%7.1f %7.1f %7.1f", v.bodyCentre.x(), v.bodyCentre.y(), v.bodyCentre.z()).c_str(),
                v.volumeMl);
  }
  std::cout
    << "\nDRG       side   centre (LPS mm)               zone            uncertainty mm (2 SD)  confidence\n";
  for (const auto& d : model.ganglia) {
    std::printf("%-9s %-6s %-29s %-15s %-22s %.2f\n", d.level.c_str(), sideName(d.side),
                fmt("%7.1f %7.1f %7.1f", d.centre.x(), d.centre.y(), d.centre.z()).c_str(), d.zone.c_str(),
                fmt("%.1f x %.1f x %.1f", d.semiAxesMm.x(), d.semiAxesMm.y(), d.semiAxesMm.z()).c_str(),
                d.confidence);
  }
  std::fflush(stdout);
  for (const auto& w : warnings) {
    std::cout << "warning: " << w << "\n";
  }
  for (const auto& w : model.warnings) {
    std::cout << "warning: " << w << "\n";
  }
  return 0;
}

} // namespace

void addSegmentCommand(CLI::App& app, const GlobalOptions& global, Action& run)
{
  auto args = std::make_shared<SegmentArgs>();
  CLI::App* cmd = app.add_subcommand(
    "segment",
    "find the vertebrae, canal, pedicles, foramina and DRG estimates; writes labels.nii.gz and spine.json");
  cmd->add_option("input", args->input, "DICOM folder, file or DICOMDIR, or a NIfTI/NRRD/MetaImage volume")
    ->required();
  cmd->add_option("--out", args->out, "output folder")->required();
  cmd->add_option("--series", args->series, "series (stack id) when the input holds several");
  cmd->add_option("--modality", args->modality,
                  "auto, ct or t2 (auto: from DICOM, else from the intensities)");
  cmd->add_option("--shift", args->shift,
                  "rename every vertebra N levels lower (+1: L3 becomes L4; -1: L4 becomes L3)");
  cmd->add_option("--transitional", args->transitional, "declare none, L6, T13 or sacralized-L5");
  cmd->add_option("--level-at", args->levelAt,
                  "X,Y,Z=LEVEL: the vertebra holding this point (LPS mm) is LEVEL; every level is counted "
                  "from it (replaces --shift) and checked against the image's anchors");
  cmd->add_option("--work-spacing", args->workSpacing, "internal grid spacing in mm (0: automatic)")
    ->check(CLI::Range(0.0, 3.0));
  cmd->add_flag("--json", args->json, "print spine.json instead of the table");
  cmd->callback([args, &global, &run] { run = [args, &global] { return runSegment(*args, global); }; });
}

} // namespace drg::cli
