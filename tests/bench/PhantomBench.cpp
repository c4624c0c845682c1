// Phantom generation speed (issue: 512 x 512 x 400 in at most 15 s on the 2-core machine) and
// DICOM import speed against dcm2niix on the same 512 x 512 x 400 series, in the same run.
// Run: build/tests/drg_bench  (or ctest -L bench). Reports generation and writing separately.
#include "drg/imaging/DicomVolumeLoader.h"
#include "drg/imaging/ImageIdentity.h"
#include "drg/imaging/NiftiIo.h"
#include "drg/imaging/SpineModel.h"
#include "drg/imaging/SpinePhantom.h"
#include "drg/planning/PlanEditor.h"
#include "drg/planning/Planner.h"
#include "drg/render/SpineScene.h"
#include "drg/report/PlacementReport.h"

#include <QGuiApplication>
#include <QTemporaryDir>

#include <benchmark/benchmark.h>
#include <openssl/evp.h>

#include "ItkGdcmPeer.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <unistd.h>

using namespace drg::imaging;

static void BM_PhantomGenerate512(benchmark::State& state)
{
  PhantomOptions o; // 512 x 512 x 400, 0.8 x 0.8 x 1.0 mm
  for (auto _ : state) {
    PhantomCase c = generateSpinePhantom(o);
    benchmark::DoNotOptimize(c.intensities.voxels().data());
  }
  state.counters["voxels_per_s"] =
    benchmark::Counter(512.0 * 512.0 * 400.0, benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_PhantomGenerate512)->Unit(benchmark::kMillisecond)->Iterations(2);

static void BM_PhantomGenerateAndWrite512(benchmark::State& state)
{
  PhantomOptions o;
  auto dir = std::filesystem::temp_directory_path() / ("drgplan-bench-" + std::to_string(::getpid()));
  for (auto _ : state) {
    PhantomCase c = generateSpinePhantom(o);
    writeSpinePhantom(c, dir);
  }
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_PhantomGenerateAndWrite512)->Unit(benchmark::kMillisecond)->Iterations(2);

/// A 512 x 512 x 336 CT series on disk (about 170 MB), written once for the import benchmarks: the
/// phantom, or the series from the real CT when DRG_BENCH_SERIES names its parent folder:
///   /usr/bin/python3 ../shared/tools/nifti2dicom.py ../shared/data/ct-lumbar-totalseg/example_ct.nii.gz \
///       /tmp/b/dicom --resize 512 512 336 --noise 8 && DRG_BENCH_SERIES=/tmp/b build/tests/drg_bench
/// Outputs go to a tmpfs (/dev/shm) so that writing speed is not the disk's.
static const std::filesystem::path& benchSeries()
{
  static const std::filesystem::path dir = [] {
    // DRG_BENCH_SERIES: a folder holding the series in dicom/ (e.g. made with nifti2dicom.py, see below)
    if (const char* given = std::getenv("DRG_BENCH_SERIES")) {
      return std::filesystem::path(given);
    }
    auto d = std::filesystem::temp_directory_path() / ("drgplan-bench-series-" + std::to_string(::getpid()));
    PhantomOptions o;
    o.matrix = { 512, 512, 336 };
    writeSpinePhantom(generateSpinePhantom(o), d);
    std::atexit([] {
      std::filesystem::remove_all(std::filesystem::temp_directory_path() /
                                  ("drgplan-bench-series-" + std::to_string(::getpid())));
      std::filesystem::remove_all("/dev/shm/drgplan-bench-" + std::to_string(::getpid()));
    });
    return d;
  }();
  return dir;
}

static std::filesystem::path tmpfsOut()
{
  auto d = std::filesystem::path("/dev/shm") / ("drgplan-bench-" + std::to_string(::getpid()));
  std::filesystem::create_directories(d);
  return d;
}

static void runOrFail(benchmark::State& state, const std::string& cmd)
{
  if (std::system((cmd + " > /dev/null 2>&1").c_str()) != 0) {
    state.SkipWithError(("failed: " + cmd).c_str());
  }
}

// Import into memory (scan + order + decode + rescale), in this process.
static void BM_ImportDicom(benchmark::State& state)
{
  auto dir = benchSeries() / "dicom";
  for (auto _ : state) {
    LoadedVolume v = loadDicom(dir);
    benchmark::DoNotOptimize(v.volume.voxels().data());
  }
}
BENCHMARK(BM_ImportDicom)
  ->Unit(benchmark::kMillisecond)
  ->Iterations(1)
  ->Repetitions(5)
  ->ReportAggregatesOnly(true)
  ->UseRealTime();

// Peer: ITK ImageSeriesReader + GDCMImageIO on the same files.
static void BM_ItkGdcmSeriesReader(benchmark::State& state)
{
  auto dir = benchSeries() / "dicom";
  for (auto _ : state) {
    benchmark::DoNotOptimize(loadWithItkGdcm(dir.string()));
  }
}
BENCHMARK(BM_ItkGdcmSeriesReader)
  ->Unit(benchmark::kMillisecond)
  ->Iterations(1)
  ->Repetitions(5)
  ->ReportAggregatesOnly(true)
  ->UseRealTime();

// Peer, whole process: dcm2niix -z n writing to tmpfs.
static void BM_Dcm2niixProcess(benchmark::State& state)
{
  auto dir = benchSeries() / "dicom";
  std::string cmd = "dcm2niix -z n -b n -f vol -o " + tmpfsOut().string() + " " + dir.string();
  for (auto _ : state) {
    state.PauseTiming();
    std::filesystem::remove_all(tmpfsOut()); // dcm2niix renames rather than replaces: start empty
    tmpfsOut();
    state.ResumeTiming();
    runOrFail(state, cmd);
  }
}
BENCHMARK(BM_Dcm2niixProcess)
  ->Unit(benchmark::kMillisecond)
  ->Iterations(1)
  ->Repetitions(5)
  ->ReportAggregatesOnly(true)
  ->UseRealTime();

// Ours, whole process: drgplan-cli convert to an uncompressed NIfTI on the same tmpfs.
static void BM_ConvertProcess(benchmark::State& state)
{
  auto dir = benchSeries() / "dicom";
  std::string cmd = std::string(DRG_CLI_PATH) + " convert --quiet " + dir.string() + " " +
                    (tmpfsOut() / "drgplan.nii").string();
  for (auto _ : state) {
    state.PauseTiming();
    std::filesystem::remove_all(tmpfsOut());
    tmpfsOut();
    state.ResumeTiming();
    runOrFail(state, cmd);
  }
}
BENCHMARK(BM_ConvertProcess)
  ->Unit(benchmark::kMillisecond)
  ->Iterations(1)
  ->Repetitions(5)
  ->ReportAggregatesOnly(true)
  ->UseRealTime();

// The spine model on the same series, loaded once (512 x 512 x 336 CT: at most 5 s in issue 4,
// 3 s in issue 21).
static void BM_SpineModel512(benchmark::State& state)
{
  LoadedVolume v = loadDicom(benchSeries() / "dicom");
  for (auto _ : state) {
    SpineModel m = buildSpineModel(v.volume);
    benchmark::DoNotOptimize(m.labels.voxels().data());
  }
}
BENCHMARK(BM_SpineModel512)
  ->Unit(benchmark::kMillisecond)
  ->Iterations(1)
  ->Repetitions(3)
  ->ReportAggregatesOnly(true)
  ->UseRealTime();

// The spine model on the real 3 mm CT of ../shared/data (at most 1 s in issue 4, 0.5 s in issue 21).
static void BM_SpineModelRealCt3mm(benchmark::State& state)
{
  const std::filesystem::path dir =
    std::filesystem::path(DRG_SHARED_DIR) / "data" / "ct-lumbar-totalseg" / "dicom";
  if (!std::filesystem::exists(dir)) {
    state.SkipWithError("../shared/data is absent");
    return;
  }
  LoadedVolume v = loadDicom(dir);
  for (auto _ : state) {
    SpineModel m = buildSpineModel(v.volume);
    benchmark::DoNotOptimize(m.labels.voxels().data());
  }
}
BENCHMARK(BM_SpineModelRealCt3mm)
  ->Unit(benchmark::kMillisecond)
  ->Iterations(1)
  ->Repetitions(5)
  ->ReportAggregatesOnly(true)
  ->UseRealTime();

// Planning on the demo case (the 512 x 512 x 400 phantom): an auto-plan of four leads with the
// pocket and all findings (goal 200 ms), and the recomputation after one dragged skin entry,
// undo copy included (goal 20 ms).
namespace
{
struct DemoPlanning
{
  PhantomCase phantom = generateSpinePhantom(PhantomOptions{});
  Image<float> volume{ phantom.intensities.geometry(), Uninitialized{} };
  SpineModel model;
  std::unique_ptr<drg::planning::PlanAnatomy> anatomy;
  std::unique_ptr<drg::planning::Planner> planner;

  DemoPlanning()
  {
    std::copy(phantom.intensities.voxels().begin(), phantom.intensities.voxels().end(),
              volume.voxels().begin());
    model = buildSpineModel(volume);
    anatomy = std::make_unique<drg::planning::PlanAnatomy>(model, &volume);
    planner = std::make_unique<drg::planning::Planner>(*anatomy, drg::planning::DeviceCatalog::builtIn(),
                                                       drg::planning::PlanRules::builtIn());
    // the distance maps of the levels planned are made the first time they are asked (measured by
    // BM_FirstPlanOnOpenedCase): made here, so that the other planning benchmarks time re-planning
    drg::planning::Plan first = fourLeads();
    planner->recompute(first);
  }

  drg::planning::Plan fourLeads() const
  {
    using namespace drg::planning;
    Plan plan;
    plan.leads.push_back(planner->newLead("L4 left", "L4", Side::Left));
    plan.leads.push_back(planner->newLead("L5 left", "L5", Side::Left));
    plan.leads.push_back(planner->newLead("L3 right", "L3", Side::Right));
    plan.leads.push_back(planner->newLead("S1 right", "S1", Side::Right));
    plan.pocket = planner->newPocket(PocketSite::Buttock, Side::Left);
    return plan;
  }
};

DemoPlanning& demoPlanning()
{
  static DemoPlanning d;
  return d;
}
} // namespace

// Binding a plan to its images costs a fingerprint of the voxel values when a case is opened: on the
// demo's 105 million voxels, against SHA-256 (OpenSSL) of the same bytes in the same run.
static void BM_VolumeFingerprint512(benchmark::State& state)
{
  DemoPlanning& d = demoPlanning();
  for (auto _ : state) {
    benchmark::DoNotOptimize(drg::imaging::volumeFingerprint(d.volume));
  }
}
BENCHMARK(BM_VolumeFingerprint512)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();

static void BM_Sha256Of512Volume(benchmark::State& state)
{
  DemoPlanning& d = demoPlanning();
  const auto& v = d.volume.voxels();
  for (auto _ : state) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_Digest(v.data(), v.size() * sizeof(float), digest, &length, EVP_sha256(), nullptr);
    benchmark::DoNotOptimize(digest);
  }
}
BENCHMARK(BM_Sha256Of512Volume)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();

static void BM_AutoPlan4Leads(benchmark::State& state)
{
  DemoPlanning& d = demoPlanning();
  for (auto _ : state) {
    drg::planning::Plan plan = d.fourLeads();
    d.planner->recompute(plan);
    if (plan.leads.size() != 4 || !plan.leads[3].planned) {
      state.SkipWithError("a lead was not planned");
      return;
    }
    benchmark::DoNotOptimize(plan.findings.data());
  }
}
BENCHMARK(BM_AutoPlan4Leads)
  ->Unit(benchmark::kMillisecond)
  ->Iterations(1)
  ->Repetitions(5)
  ->ReportAggregatesOnly(true)
  ->UseRealTime();

// The first auto-plan on a case just opened: the planning anatomy built (the canal's stations, the
// spinous processes) and the distance maps of the slabs the four leads reach made as they are asked.
static void BM_FirstPlanOnOpenedCase(benchmark::State& state)
{
  DemoPlanning& d = demoPlanning();
  for (auto _ : state) {
    const drg::planning::PlanAnatomy anatomy(d.model, &d.volume);
    const drg::planning::Planner planner(anatomy, drg::planning::DeviceCatalog::builtIn(),
                                         drg::planning::PlanRules::builtIn());
    drg::planning::Plan plan = d.fourLeads();
    planner.recompute(plan);
    if (plan.leads.size() != 4 || !plan.leads[3].planned) {
      state.SkipWithError("a lead was not planned");
      return;
    }
    benchmark::DoNotOptimize(plan.findings.data());
  }
}
BENCHMARK(BM_FirstPlanOnOpenedCase)
  ->Unit(benchmark::kMillisecond)
  ->Iterations(1)
  ->Repetitions(3)
  ->ReportAggregatesOnly(true)
  ->UseRealTime();

static void BM_ReplanAfterDrag(benchmark::State& state)
{
  DemoPlanning& d = demoPlanning();
  drg::planning::PlanEditor editor(*d.planner, [&] {
    drg::planning::Plan p = d.fourLeads();
    d.planner->recompute(p);
    return p;
  }());
  const Eigen::Vector3d skin = editor.plan().leads[0].skinEntry;
  double step = 0;
  for (auto _ : state) {
    step += 0.5;
    editor.moveSkinEntry(0, skin + Eigen::Vector3d(std::fmod(step, 6.0), 0.0, -std::fmod(step, 4.0)));
    benchmark::DoNotOptimize(editor.plan().findings.data());
  }
}
BENCHMARK(BM_ReplanAfterDrag)
  ->Unit(benchmark::kMillisecond)
  ->Iterations(20)
  ->Repetitions(3)
  ->ReportAggregatesOnly(true)
  ->UseRealTime();

// The placement report of the demo case with four leads and a pocket: every image (per lead an AP and
// a lateral radiograph reconstructed from the CT, an axial and a sagittal slice; the 3D overview when
// an X display is there) and the PDF. Goal (issue 7): 3 s.
static void BM_PlacementReport4Leads(benchmark::State& state)
{
  DemoPlanning& d = demoPlanning();
  if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) {
    qputenv("QT_QPA_PLATFORM", "offscreen");
  }
  static int argc = 1;
  static char name[] = "drg_bench";
  static char* argv[] = { name, nullptr };
  static QGuiApplication app(argc, argv);
  drg::planning::Plan plan = d.fourLeads();
  d.planner->recompute(plan);
  const bool display = std::getenv("DISPLAY") != nullptr && *std::getenv("DISPLAY") != '\0';
  QTemporaryDir dir;
  int pages = 0;
  for (auto _ : state) {
    drg::report::ReportInput in;
    in.plan = plan;
    in.planFile = "bench.drgplan.json";
    in.volume = &d.volume;
    in.model = &d.model;
    in.catalog = &d.planner->catalog();
    in.softwareVersion = "bench";
    if (display) {
      const std::string png = dir.filePath("overview.png").toStdString();
      drg::render::renderSpineOverview(d.model.labels, png, drg::render::OverviewView::PosteriorOblique, 1000,
                                       900, true, &d.model, &plan, &d.planner->catalog());
      in.overview3d.load(QString::fromStdString(png));
    }
    pages = drg::report::writePlacementReportPdf(in, dir.filePath("report.pdf").toStdString());
  }
  state.counters["pages"] = pages;
  state.counters["with_3d"] = display ? 1 : 0;
}
BENCHMARK(BM_PlacementReport4Leads)
  ->Unit(benchmark::kMillisecond)
  ->Iterations(1)
  ->Repetitions(3)
  ->ReportAggregatesOnly(true)
  ->UseRealTime();

BENCHMARK_MAIN();
