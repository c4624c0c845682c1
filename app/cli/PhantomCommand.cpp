#include "Commands.h"
#include "Graphics.h"
#include "PhantomImplants.h"

#include "drg/imaging/Error.h"
#include "drg/imaging/SpinePhantom.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <memory>
#include <tuple>

namespace drg::cli
{
namespace
{

struct PhantomArgs
{
  std::string out;
  std::vector<int> matrix;
  std::vector<double> spacing;
  std::string sliceOrder = "ascending";
  std::string position = "HFS";
  std::string plane = "axial";
  std::vector<double> oblique;
  std::string contrast = "ct";
  double noise = -1.0;
  double cancellous = 200.0;
  double cortical = 850.0;
  bool osteoporotic = false;
  double lordosis = 45.0;
  double scoliosis = 0.0;
  double axialRotation = 0.0;
  std::string transitional = "none";
  std::string levels;
  double fovMargin = 10.0;
  std::uint64_t seed = 1;
  std::uint64_t anatomySeed = 0;
  std::string twelfthRib = "normal";
  std::vector<std::string> laminectomy, cages, discCollapse, cement;
  std::string fusion, listhesis;
  bool lordosisGiven = false, transitionalGiven = false, twelfthRibGiven = false;
  bool json = false;
  std::string preview;
  std::string render3d;
  ImplantRequest implant;
};

/// "L4-L5" (a disc by its two vertebrae) -> "L4", the vertebra above it; the two must follow each
/// other in this phantom (T13 and L6 only when declared: L5-S1 is no disc of a phantom with L6).
std::vector<std::string> discUpperLevels(const std::vector<std::string>& discs, const char* option,
                                         drg::imaging::TransitionalAnatomy transitional)
{
  using namespace drg::imaging;
  std::vector<std::string> order = { "T10", "T11", "T12" };
  if (transitional == TransitionalAnatomy::T13) {
    order.emplace_back("T13");
  }
  for (const char* l : { "L1", "L2", "L3", "L4", "L5" }) {
    order.emplace_back(l);
  }
  if (transitional == TransitionalAnatomy::L6) {
    order.emplace_back("L6");
  }
  order.emplace_back("S1");
  std::vector<std::string> upper;
  for (const auto& text : discs) {
    auto [a, b] = parseLevelRange(text);
    auto at = std::find(order.begin(), order.end(), a);
    if (at == order.end() || at + 1 == order.end() || *(at + 1) != b) {
      throw Error(ErrorCode::InvalidArgument,
                  std::string(option) + " " + text +
                    " is not a disc of this phantom: name the two vertebrae around it "
                    "(e.g. L4-L5, L5-S1; L6 and T13 with --transitional)");
    }
    upper.push_back(a);
  }
  return upper;
}

int runPhantom(const PhantomArgs& a, const GlobalOptions& global)
{
  using namespace drg::imaging;
  PhantomOptions o;
  if (!a.matrix.empty()) {
    o.matrix = { a.matrix[0], a.matrix[1], a.matrix[2] };
  }
  if (!a.spacing.empty()) {
    o.spacing = Eigen::Vector3d(a.spacing[0], a.spacing[1], a.spacing[2]);
  }
  if (a.sliceOrder != "ascending" && a.sliceOrder != "descending") {
    throw Error(ErrorCode::InvalidArgument,
                "slice order must be ascending or descending, not '" + a.sliceOrder + "'");
  }
  o.slicesAscending = a.sliceOrder == "ascending";
  o.position = parsePatientPosition(a.position);
  o.plane = parseAcquisitionPlane(a.plane);
  if (!a.oblique.empty()) {
    o.obliqueDegrees = Eigen::Vector3d(a.oblique[0], a.oblique[1], a.oblique[2]);
  }
  o.contrast = parsePhantomContrast(a.contrast);
  o.noiseSigma = a.noise;
  o.cancellousHu = a.osteoporotic ? 80.0 : a.cancellous;
  o.corticalHu = a.osteoporotic ? std::min(a.cortical, 650.0) : a.cortical;
  if (a.osteoporotic) {
    o.corticalThicknessMm = 0.6;
  }
  o.lordosisDegrees = a.lordosis;
  o.scoliosisDegrees = a.scoliosis;
  o.axialRotationDegrees = a.axialRotation;
  o.transitional = parseTransitionalAnatomy(a.transitional);
  if (!a.levels.empty()) {
    auto [from, to] = parseLevelRange(a.levels);
    o.fieldOfViewFrom = from;
    o.fieldOfViewTo = to;
  }
  o.fieldOfViewMarginMm = a.fovMargin;
  o.seed = a.seed;
  o.twelfthRib = parseTwelfthRib(a.twelfthRib);
  o.anatomySeed = a.anatomySeed;
  if (a.anatomySeed != 0) {
    // the seed draws the pose and the variants; what the user gave explicitly wins
    drawPhantomAnatomy(o);
    if (a.lordosisGiven) {
      o.lordosisDegrees = a.lordosis;
    }
    if (a.transitionalGiven) {
      o.transitional = parseTransitionalAnatomy(a.transitional);
    }
    if (a.twelfthRibGiven) {
      o.twelfthRib = parseTwelfthRib(a.twelfthRib);
    } else if (o.transitional == TransitionalAnatomy::T13 || o.transitional == TransitionalAnatomy::L6) {
      o.twelfthRib = TwelfthRib::Normal; // (the drawn variant does not go with the declared anatomy)
    }
  }
  o.surgery.laminectomy = a.laminectomy;
  o.surgery.cement = a.cement;
  o.surgery.cages = discUpperLevels(a.cages, "--cage", o.transitional);
  o.surgery.discCollapse = discUpperLevels(a.discCollapse, "--disc-collapse", o.transitional);
  if (!a.fusion.empty()) {
    std::tie(o.surgery.fusionFrom, o.surgery.fusionTo) = parseLevelRange(a.fusion);
  }
  if (!a.listhesis.empty()) {
    parseListhesis(a.listhesis, o.surgery);
  }

  if (!a.implant.plan.empty()) {
    o.implants = implantsFromPlan(a.implant);
  } else if (!a.implant.shifts.empty() || !a.implant.bends.empty() || !a.implant.plannedOn.empty()) {
    throw Error(ErrorCode::InvalidArgument, "--shift-lead, --bend-lead and --planned-on need --implant PLAN");
  }

  auto start = std::chrono::steady_clock::now();
  PhantomCase phantom =
    generateSpinePhantom(o, [&](double f) { return reportProgress("phantom", f, global.quiet); });
  auto generated = std::chrono::steady_clock::now();
  writeSpinePhantom(phantom, a.out);
  auto written = std::chrono::steady_clock::now();
  if (!a.preview.empty()) {
    graphics().phantomPreview(phantom, a.preview);
  }
  if (!a.render3d.empty()) {
    graphics().spineOverview(phantom.labels, a.render3d);
  }
  double genSeconds = std::chrono::duration<double>(generated - start).count();
  double writeSeconds = std::chrono::duration<double>(written - generated).count();

  const auto& g = phantom.intensities.geometry();
  std::vector<std::string> visible;
  for (const auto& v : phantom.truth.vertebrae) {
    if (v.visibility != "none") {
      visible.push_back(v.level + (v.visibility == "partial" ? " (partial)" : ""));
    }
  }
  if (a.json) {
    nlohmann::json j = { { "out", a.out },
                         { "dicom", a.out + "/dicom" },
                         { "truth", a.out + "/truth.json" },
                         { "labels", a.out + "/labels.nii.gz" },
                         { "size", { g.size[0], g.size[1], g.size[2] } },
                         { "spacing", { g.spacing[0], g.spacing[1], g.spacing[2] } },
                         { "levels", visible },
                         { "generate_seconds", genSeconds },
                         { "write_seconds", writeSeconds } };
    std::cout << j.dump(2) << "\n";
    return 0;
  }
  std::cout << "phantom written to " << a.out << "\n"
            << "  dicom/          " << g.size[2] << " " << (o.contrast == PhantomContrast::Ct ? "CT" : "MR")
            << " slices, " << g.size[0] << " x " << g.size[1] << " at " << g.spacing[0] << " x "
            << g.spacing[1] << " x " << g.spacing[2] << " mm\n"
            << "  truth.json      vertebrae, pedicles, foramina, ganglia, landmarks (LPS mm)\n"
            << "  labels.nii.gz   label map on the same grid\n"
            << "  levels in view:";
  for (const auto& v : visible) {
    std::cout << " " << v;
  }
  std::cout << "\n  time: " << genSeconds << " s to generate, " << writeSeconds << " s to write\n";
  return 0;
}

} // namespace

void addPhantomCommand(CLI::App& app, const GlobalOptions& global, Action& run)
{
  auto args = std::make_shared<PhantomArgs>();
  CLI::App* cmd =
    app.add_subcommand("phantom", "write the anatomical spine phantom (the demo case and accuracy truth)");
  cmd->add_option("--out", args->out, "output folder: dicom/, truth.json, labels.nii.gz")->required();
  cmd->add_option("--matrix", args->matrix, "columns,rows,slices (default 512,512,400)")
    ->expected(3)
    ->delimiter(',');
  cmd->add_option("--spacing", args->spacing, "column,row,slice spacing in mm (default 0.8,0.8,1.0)")
    ->expected(3)
    ->delimiter(',');
  cmd->add_option("--slice-order", args->sliceOrder, "ascending or descending along the slice normal");
  cmd->add_option("--position", args->position, "patient position: HFS, FFS, HFP or FFP");
  cmd->add_option("--plane", args->plane, "acquisition plane: axial, sagittal or coronal");
  cmd->add_option("--oblique", args->oblique, "grid rotation about L,P,S in degrees, e.g. 10,0,5")
    ->expected(3)
    ->delimiter(',');
  cmd->add_option("--contrast", args->contrast, "ct, t2 or t2-fatsat");
  cmd->add_option("--noise", args->noise,
                  "noise sigma (CT: HU, default 12; MR: fraction of CSF, default 0.02)");
  cmd->add_option("--cancellous-hu", args->cancellous, "trabecular bone HU (default 200)");
  cmd->add_option("--cortical-hu", args->cortical, "cortical bone HU (default 850)");
  cmd->add_flag("--osteoporotic", args->osteoporotic,
                "osteoporotic bone: 80 HU trabecular, thin 650 HU cortex");
  cmd->add_option("--lordosis", args->lordosis, "L1-S1 lordosis in degrees (default 45)")
    ->each([args](const std::string&) { args->lordosisGiven = true; });
  cmd->add_option("--scoliosis", args->scoliosis, "lumbar Cobb angle in degrees (default 0)");
  cmd->add_option("--axial-rotation", args->axialRotation, "vertebral rotation at the apex, degrees");
  cmd->add_option("--transitional", args->transitional, "none, L6, T13 or sacralized-L5")
    ->each([args](const std::string&) { args->transitionalGiven = true; });
  cmd->add_option("--twelfth-rib", args->twelfthRib, "normal, hypoplastic or absent (11 rib pairs)")
    ->each([args](const std::string&) { args->twelfthRibGiven = true; });
  cmd->add_option("--levels", args->levels, "field of view along the spine, e.g. L3-S1");
  cmd->add_option("--fov-margin", args->fovMargin,
                  "mm of the field of view beyond the --levels ends' bone (default 10; negative cuts them)");
  cmd->add_option("--seed", args->seed, "seed for noise and identifiers (default 1)");
  cmd->add_option("--anatomy-seed", args->anatomySeed,
                  "draw the spine from population ranges: vertebra sizes, lordosis, rib and lumbosacral "
                  "variants (0: the reference adult)");
  cmd->add_option("--laminectomy", args->laminectomy, "remove the laminae and spinous process, e.g. L4")
    ->delimiter(',');
  cmd->add_option("--fusion", args->fusion, "titanium pedicle screws and rods over levels, e.g. L4-S1");
  cmd->add_option("--cage", args->cages, "interbody cage in a disc, e.g. L5-S1")->delimiter(',');
  cmd->add_option("--disc-collapse", args->discCollapse, "collapsed disc with gas, e.g. L4-L5")
    ->delimiter(',');
  cmd->add_option("--spondylolisthesis", args->listhesis,
                  "vertebra slipped forwards with its arch (degenerative), LEVEL:MM, e.g. L4:8");
  cmd->add_option("--cement", args->cement, "vertebroplasty cement in a body, e.g. L1")->delimiter(',');
  cmd
    ->add_option("--implant", args->implant.plan,
                 "a post-operative CT: the plan file's leads implanted (platinum-iridium contacts, lead "
                 "bodies, the generator in its pocket, metal artefacts); truth.json gets their contacts")
    ->check(CLI::ExistingFile);
  cmd->add_option("--planned-on", args->implant.plannedOn,
                  "with --implant: truth.json of the phantom the plan was made on (default: beside its "
                  "images); the leads move with their vertebrae when this phantom lies differently");
  cmd
    ->add_option("--shift-lead", args->implant.shifts,
                 "with --implant: a lead migrated, NAME:DX,DY,DZ in mm (LPS), e.g. L4-left:0,0,-3")
    ->delimiter(';');
  cmd
    ->add_option("--bend-lead", args->implant.bends,
                 "with --implant: a lead's contact array bent, its tip MM off its line, e.g. L5-right:2")
    ->delimiter(';');
  cmd->add_flag("--json", args->json, "print the summary as JSON");
  cmd->add_option("--preview", args->preview, "also write axial, coronal and sagittal slices as PNG");
  cmd->add_option("--render3d", args->render3d, "also write a 3D overview PNG (needs X: xvfb-run -a)");
  cmd->callback([args, &global, &run] { run = [args, &global] { return runPhantom(*args, global); }; });
}

} // namespace drg::cli
