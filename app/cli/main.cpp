// drgplan-cli: the headless face of drgplan; every command is a thin main over the libraries.
#include "Commands.h"

#include "drg/imaging/Error.h"

#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <sstream>

namespace drg::cli
{

bool reportProgress(const char* what, double fraction, bool quiet)
{
  static int last = -1;
  if (quiet || !::isatty(STDERR_FILENO)) {
    return true;
  }
  int percent = static_cast<int>(fraction * 100.0);
  if (percent != last) {
    last = percent;
    std::fprintf(stderr, "\r%s: %3d%%%s", what, percent, percent >= 100 ? "\n" : "");
    std::fflush(stderr);
  }
  return true;
}

std::vector<std::string> splitList(const std::string& text)
{
  std::vector<std::string> out;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) {
    if (!item.empty()) {
      out.push_back(item);
    }
  }
  return out;
}

int exitCodeFor(ErrorCode code)
{
  switch (code) {
    case ErrorCode::InvalidArgument:
      return 2;
    case ErrorCode::Io:
      return 3;
    case ErrorCode::Format:
      return 4;
    case ErrorCode::Geometry:
      return 5;
    case ErrorCode::Unsupported:
      return 6;
    case ErrorCode::NotFound:
      return 7;
    case ErrorCode::Cancelled:
      return 130;
    case ErrorCode::Network:
      return 8;
    case ErrorCode::Internal:
      return 70;
  }
  return 1;
}

} // namespace drg::cli

int main(int argc, char** argv)
{
  using namespace drg::cli;
  CLI::App app{ "drgplan-cli: dorsal root ganglion stimulation planning, headless.\n"
                "Coordinates are LPS millimetres; levels are names such as L4, sides left/right." };
  app.require_subcommand(1);
  app.fallthrough();
  GlobalOptions global;
  app.add_flag("-q,--quiet", global.quiet, "no progress output");
  app.set_version_flag("--version", std::string("drgplan-cli ") + DRG_VERSION);
  Action run;
  addPhantomCommand(app, global, run);
  addImportCommands(app, global, run);
  addSegmentCommand(app, global, run);
  addTargetsCommand(app, global, run);
  addPlanCommand(app, global, run);
  addTrialCommands(app, global, run);
  addCasesCommand(app, global, run);
  addReportCommand(app, global, run);
  addVerifyCommand(app, global, run);
  addPacsCommand(app, global, run);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  try {
    return run ? run() : 2;
  } catch (const drg::Error& e) {
    std::cerr << "error: " << e.what() << "\n";
    return exitCodeFor(e.code());
  } catch (const std::exception& e) {
    std::cerr << "error: unexpected failure: " << e.what() << "\n";
    return 70;
  }
}
