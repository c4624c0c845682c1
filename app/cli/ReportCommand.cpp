// `drgplan-cli report PLAN --out DIR [--pdf] [--deidentify]`: the placement report of a plan file,
// made from the images the plan refers to (or --images), refused on any images but the plan's own.
#include "Commands.h"
#include "Graphics.h"

#include "drg/imaging/AtomicOutput.h"
#include "drg/imaging/DicomDocumentWriter.h"
#include "drg/imaging/DicomSeriesIndex.h"
#include "drg/imaging/Error.h"
#include "drg/imaging/NiftiIo.h"
#include "drg/imaging/SpineCaseLoader.h"
#include "drg/planning/PlanExport.h"
#include "drg/planning/PlanImages.h"
#include "drg/planning/Planner.h"

#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <optional>

namespace drg::cli
{
namespace
{
using namespace drg::imaging;
using namespace drg::planning;

struct ReportArgs
{
  std::string plan;
  std::string out;
  std::string images;
  std::string devices;
  std::string planner, reviewer;
  bool pdf = false, markups = false, csv = false, meshes = false, dicom = false;
  bool deidentify = false;
};

int runReport(const ReportArgs& a, const GlobalOptions& global)
{
  Plan plan = loadPlan(a.plan);
  if (plan.leads.empty()) {
    throw Error(ErrorCode::InvalidArgument, a.plan + " has no leads: nothing to report");
  }
  const std::string images = planImages(plan.study, a.images);
  SpineCaseLoader loader = planLevelsLoader(plan.study);
  // the DICOM folder's scan, once: the plan's own series in a folder of several, and who it shows
  const std::optional<DicomScan> scan =
    isVolumeFileName(images) ? std::nullopt : std::optional<DicomScan>(scanDicom(images));
  std::string series;
  for (const auto* stack : scan ? scan->imageStacks() : std::vector<const DicomStack*>{}) {
    series = stack->id == plan.study.seriesUid ? stack->id : series;
  }
  SpineCaseImage in =
    loader.load(images, series, [&](double f) { return reportProgress("loading", f, global.quiet); });
  // a report of a plan on images other than its own would show leads where they were never planned
  if (const ImagesCheck check = checkPlanImages(plan.study, in.images); check.match != ImagesMatch::Same) {
    throw Error(ErrorCode::InvalidArgument,
                "no report: " + check.message + "\nGive the plan's own images with --images" +
                  (check.carriable()
                     ? "; or open the plan on these images in the workstation, which offers to "
                       "carry its targets to them (the leads planned again)."
                     : "."));
  }
  ReportRequest r;
  // the planned series' files: the DICOM objects go into its study and refer to them
  std::vector<std::filesystem::path> seriesFiles;
  // who: from the DICOM study the series belongs to
  if (scan) {
    const DicomScan::Place at = scan->findSeries(in.seriesUid);
    seriesFiles = scan->seriesFiles(in.seriesUid);
    if (at.series != nullptr) {
      r.patientName = at.patient->name;
      r.patientId = at.patient->id;
      r.birthDate = at.patient->birthDate;
      r.sex = at.patient->sex;
      r.studyDate = at.study->date;
      r.studyDescription = at.study->description;
      r.accessionNumber = at.study->accessionNumber;
      r.pseudonym = reportPseudonym(at.patient->id + "|" + at.study->studyUid);
    }
  }
  if (r.pseudonym.empty()) {
    r.pseudonym = reportPseudonym(images);
  }
  const SpineModel model =
    loader.buildModel(in.volume, [&](double f) { return reportProgress("spine model", f, global.quiet); });
  const DeviceCatalog catalog =
    a.devices.empty() ? DeviceCatalog::builtIn() : DeviceCatalog::withUserFolder(a.devices);
  r.planFile = a.plan;
  r.plan = plan;
  r.volume = &in.volume;
  r.isCt = model.modality == imaging::SpineModality::Ct;
  r.model = &model;
  r.catalog = &catalog;
  r.seriesDescription = in.seriesDescription;
  r.modality = in.modality.empty() ? imaging::spineModalityName(model.modality) : in.modality;
  r.deidentify = a.deidentify;
  r.planner = a.planner;
  r.reviewer = a.reviewer;
  r.softwareVersion = DRG_VERSION;
  std::filesystem::create_directories(a.out);
  const bool all = !a.pdf && !a.markups && !a.csv && !a.meshes && !a.dicom; // no format named: every one
  if (a.dicom && seriesFiles.empty()) {
    throw Error(ErrorCode::InvalidArgument,
                "--dicom needs the plan's images as DICOM (the objects go into their study): " + images +
                  " is not a DICOM series");
  }
  const std::filesystem::path out(a.out);
  if (all || a.markups) {
    writeFileAtomically(out / "plan.mrk.json", planToSlicerMarkups(plan));
    std::cout << "3D Slicer markups written: " << (out / "plan.mrk.json").string() << "\n";
  }
  if (all || a.csv) {
    writeFileAtomically(out / "leads.csv", planToCsv(plan));
    std::cout << "lead table written: " << (out / "leads.csv").string() << "\n";
  }
  if (all || a.meshes) {
    const auto files = graphics().meshes(r, (out / "meshes").string());
    std::cout << "surfaces written: " << files.size() << " STL files in " << (out / "meshes").string()
              << " (LPS mm)\n";
  }
  if (all || a.pdf || a.dicom) {
    r.pdf = (out / "report.pdf").string();
    const int pages = graphics().placementReport(r);
    std::cout << "report written: " << r.pdf << " (" << pages << " pages, " << plan.leads.size() << " leads"
              << (a.deidentify ? ", de-identified as " + r.pseudonym : std::string()) << ")\n";
  }
  if ((all || a.dicom) && !seriesFiles.empty()) {
    std::ifstream pdf(r.pdf, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(pdf)), std::istreambuf_iterator<char>());
    DicomDocumentOptions o;
    o.deidentify = a.deidentify;
    o.pseudonym = r.pseudonym;
    for (const auto& f : writePlanDicomObjects(plan, a.planner, model.labels, seriesFiles, bytes, out, o)) {
      std::cout << "DICOM "
                << (f.filename() == "report.dcm"    ? "Encapsulated PDF (the report)"
                    : f.filename() == "plan-sr.dcm" ? "Comprehensive 3D SR (the plan's 3D coordinates)"
                                                    : "Segmentation (the vertebrae, SNOMED CT coded)")
                << " written: " << f.string() << "\n";
    }
    if (!std::filesystem::exists(out / "vertebrae-seg.dcm")) {
      std::cout << "no vertebra is labelled in these images: no DICOM Segmentation written\n";
    }
    std::cout << "  (each a new series in the planned study)\n";
  }
  return 0;
}

} // namespace

std::string planImages(const StudyReference& study, const std::string& given)
{
  const std::string images = given.empty() ? study.source : given;
  if (images.empty() || !std::filesystem::exists(images)) {
    throw Error(ErrorCode::NotFound, "the plan's images (" +
                                       (images.empty() ? std::string("none named") : images) +
                                       ") are not there: give them with --images DIR");
  }
  return images;
}

SpineCaseLoader planLevelsLoader(const StudyReference& study)
{
  return SpineCaseLoader(
    SpineCaseLoader::parseOptions("auto", study.labelShift, study.declaredTransitional, 0.0, study.levelAt));
}

void addReportCommand(CLI::App& app, const GlobalOptions& global, Action& run)
{
  auto args = std::make_shared<ReportArgs>();
  CLI::App* cmd = app.add_subcommand(
    "report", "the placement report of a plan file (PDF), its DICOM objects (PDF, SR, SEG) and interchange "
              "files (Slicer markups, CSV, STL); without a format flag, all of them");
  cmd->add_option("plan", args->plan, "the plan file (.drgplan.json)")->required()->check(CLI::ExistingFile);
  cmd->add_option("--out", args->out, "folder for the report")->required();
  cmd->add_option("--images", args->images, "the plan's images, when they moved (DICOM folder or volume)");
  cmd->add_option("--devices", args->devices, "folder of device catalog files (besides the built-in one)");
  cmd->add_option("--planner", args->planner, "name printed in the planner's sign-off field");
  cmd->add_option("--reviewer", args->reviewer, "name printed in the reviewer's sign-off field");
  cmd->add_flag("--pdf", args->pdf, "write report.pdf");
  cmd->add_flag("--markups", args->markups,
                "write plan.mrk.json (3D Slicer markups: targets, needles, routes, contacts)");
  cmd->add_flag("--csv", args->csv, "write leads.csv (a row per lead)");
  cmd->add_flag(
    "--dicom", args->dicom,
    "write the DICOM objects, each a new series in the planned study (needs DICOM images): report.dcm (the "
    "report as an Encapsulated PDF), plan-sr.dcm (the plan as a Comprehensive 3D SR) and vertebrae-seg.dcm "
    "(the vertebrae as a DICOM Segmentation)");
  cmd->add_flag("--meshes", args->meshes,
                "write meshes/*.stl: each vertebra, ribs, ilia, skin and each lead (binary STL, LPS mm)");
  cmd->add_flag("--deidentify", args->deidentify,
                "no patient identity in the outputs: a pseudonym instead, no folder names");
  cmd->callback([args, &global, &run] { run = [args, &global] { return runReport(*args, global); }; });
}

} // namespace drg::cli
