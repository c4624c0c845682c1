// `drgplan-cli verify POSTOP --plan PLAN --out DIR [--previous VERIFY_DIR]`: where the implanted
// leads lie on a post-operative CT against their plan (drg/planning/LeadVerification.h); writes
// DIR/verify.json and prints a table. Refused: the planning images themselves, another patient's
// images, an MR, images without any lead.
#include "Commands.h"
#include "Graphics.h"

#include "drg/imaging/AtomicOutput.h"
#include "drg/imaging/DicomDocumentWriter.h"
#include "drg/imaging/DicomSeriesIndex.h"
#include "drg/imaging/Error.h"
#include "drg/imaging/NiftiIo.h"
#include "drg/imaging/SpineCaseLoader.h"
#include "drg/planning/LeadVerification.h"
#include "drg/planning/PlanImages.h"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>

namespace drg::cli
{
namespace
{
using namespace drg::imaging;
using namespace drg::planning;

struct VerifyArgs
{
  std::string postop;
  std::string plan;
  std::string out;
  std::string images;
  std::string previous;
  bool noModel = false;
  bool pdf = false;
};

std::string readText(const std::filesystem::path& p)
{
  std::ifstream in(p, std::ios::binary);
  if (!in) {
    throw Error(ErrorCode::NotFound, "cannot read " + p.string());
  }
  return { std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>() };
}

std::string fixed(double v, int digits = 1)
{
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

int runVerify(const VerifyArgs& a, const GlobalOptions& global)
{
  const auto start = std::chrono::steady_clock::now();
  const Plan plan = loadPlan(a.plan);
  const std::string images = planImages(plan.study, a.images);
  SpineCaseLoader loader = planLevelsLoader(plan.study);
  SpineCaseImage planning = loader.load(images, plan.study.seriesUid, [&](double f) {
    return reportProgress("planning images", f, global.quiet);
  });
  if (const ImagesCheck c = checkPlanImages(plan.study, planning.images); c.match != ImagesMatch::Same) {
    throw Error(ErrorCode::InvalidArgument,
                "not the plan's own images: " + c.message + "\nGive them with --images.");
  }
  SpineCaseLoader postopLoader;
  SpineCaseImage postop = postopLoader.load(
    a.postop, {}, [&](double f) { return reportProgress("post-operative images", f, global.quiet); });
  if (planning.modality == "MR") {
    throw Error(ErrorCode::Unsupported, "verification needs the plan's images as CT: " + images + " is MR");
  }
  if (const std::string warning = checkPostopImages(plan.study, postop.images, postop.modality, a.postop);
      !warning.empty()) {
    std::cerr << "warning: " << warning << "\n";
  }
  std::optional<SpineModel> model;
  if (!a.noModel) {
    model = loader.buildModel(
      planning.volume, [&](double f) { return reportProgress("planning spine model", f, global.quiet); });
  }
  const DeviceCatalog catalog = DeviceCatalog::builtIn();
  VerifyInput in;
  in.plan = &plan;
  in.planning = &planning.volume;
  in.postop = &postop.volume;
  in.model = model ? &*model : nullptr;
  in.catalog = &catalog;
  in.postopImages = postop.images;
  if (!a.previous.empty()) {
    std::filesystem::path p = a.previous;
    if (std::filesystem::is_directory(p)) {
      p /= "verify.json";
    }
    const PreviousVerification previous = previousFromJson(readText(p), p.string());
    checkPrevious(previous, plan.study, postop.images);
    in.previous = previous.contacts;
  }
  const Verification v = verifyLeads(in);
  std::filesystem::create_directories(a.out);
  const std::filesystem::path out = std::filesystem::path(a.out) / "verify.json";
  writeFileAtomically(out, verificationToJson(v, in, a.plan, a.postop));
  // the found contacts as a DICOM SR in the post-operative study (its frame of reference)
  if (!isVolumeFileName(a.postop)) {
    const DicomScan scan = scanDicom(a.postop);
    const std::vector<std::filesystem::path> files = scan.seriesFiles(postop.seriesUid);
    if (!files.empty()) {
      DicomDocumentOptions o;
      o.title = "DRG lead verification";
      o.seriesDescription = "drgplan lead verification";
      o.seriesNumber = 9903;
      writePlanSr(verificationToSrContent(v), files.front(), std::filesystem::path(a.out) / "verify-sr.dcm",
                  o);
      std::cout << "DICOM Comprehensive 3D SR (the found contacts, post-operative frame) written: "
                << (std::filesystem::path(a.out) / "verify-sr.dcm").string() << "\n";
    }
  }
  if (a.pdf) {
    VerifyReportRequest r;
    r.planFile = a.plan;
    r.plan = plan;
    r.verification = &v;
    r.rules = in.rules;
    r.planning = &planning.volume;
    r.model = in.model;
    r.postopSource = a.postop;
    r.postopSeries = postop.seriesDescription.empty() ? a.postop : postop.seriesDescription;
    r.migrationMeasured = in.previous.has_value();
    r.patientName = postop.images.patientLabel.empty() ? "not recorded" : postop.images.patientLabel;
    r.softwareVersion = DRG_VERSION;
    r.pdf = (std::filesystem::path(a.out) / "verify.pdf").string();
    const int pages = graphics().verificationReport(r);
    std::cout << "report written: " << r.pdf << " (" << pages << " pages)\n";
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  for (const auto& l : v.leads) {
    std::cout << l.name << ": " << l.verdict << "\n";
    if (l.found) {
      std::string line = "    " + std::to_string(l.contacts.size()) + " contacts";
      if (l.inPlan) {
        line += "; up to " + fixed(l.maxDeviationMm) + " mm from the plan; moved on the whole " +
                l.displacementText + " (" + fixed(std::abs(l.depthChangeMm)) + " mm " +
                (l.depthChangeMm >= 0 ? "deeper" : "withdrawn") + " along the lead); ganglion coverage " +
                fixed(100.0 * l.coverage, 0) + " %; foramen " +
                (l.inIntendedForamen ? (*l.inIntendedForamen ? "the intended one (" + l.foramenFound + ")"
                                                             : "NOT the intended one: " + l.foramenFound)
                                     : std::string("not told"));
      } else if (!l.foramenFound.empty()) {
        line += "; foramen " + l.foramenFound;
      }
      if (l.maxMigrationMm) {
        line += "; migration since the previous scan up to " + fixed(*l.maxMigrationMm) + " mm";
      }
      std::cout << line << "\n";
    }
    for (const auto& note : l.notes) {
      std::cout << "    note: " << note << "\n";
    }
  }
  for (const auto& note : v.notes) {
    std::cout << "note: " << note << "\n";
  }
  std::cout << "deviation: each contact from its planned position, in the planning images' frame after "
               "registering the spine about each lead; contacts numbered 1 = most distal\n"
            << "verification written: " << out.string() << " (" << fixed(seconds, 1) << " s)\n";
  return 0;
}

} // namespace

void addVerifyCommand(CLI::App& app, const GlobalOptions& global, Action& run)
{
  auto args = std::make_shared<VerifyArgs>();
  CLI::App* cmd = app.add_subcommand(
    "verify", "find the implanted leads on a post-operative CT and compare them with the plan (verify.json)");
  cmd->add_option("postop", args->postop, "the post-operative CT (DICOM folder or volume file)")->required();
  cmd->add_option("--plan", args->plan, "the plan file (.drgplan.json)")
    ->required()
    ->check(CLI::ExistingFile);
  cmd->add_option("--out", args->out, "folder for verify.json")->required();
  cmd->add_option("--images", args->images, "the plan's images, when they moved");
  cmd->add_option("--previous", args->previous,
                  "an earlier verification (its folder or verify.json): each contact's migration since");
  cmd->add_flag(
    "--pdf", args->pdf,
    "also write verify.pdf: a page per lead with the planned and found contacts on the planning CT's "
    "AP and lateral radiographs, deviations and verdicts");
  cmd->add_flag(
    "--no-foramina", args->noModel,
    "skip the planning images' spine model (faster; whether a lead is in its foramen is then not told)");
  cmd->callback([args, &global, &run] { run = [args, &global] { return runVerify(*args, global); }; });
}

} // namespace drg::cli
