// Phantom generation speed (issue: 512 x 512 x 400 in at most 15 s on the 2-core machine) and
// DICOM import speed against dcm2niix on the same 512 x 512 x 400 series, in the same run.
// Run: build/tests/drg_bench  (or ctest -L bench). Reports generation and writing separately.
#include "drg/imaging/DicomVolumeLoader.h"
#include "drg/imaging/NiftiIo.h"
#include "drg/imaging/SpinePhantom.h"

#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
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

/// A 512 x 512 x 400 CT series on disk (the phantom), written once for the import benchmarks.
static const std::filesystem::path& benchSeries()
{
  static const std::filesystem::path dir = [] {
    auto d = std::filesystem::temp_directory_path() / ("drgplan-bench-series-" + std::to_string(::getpid()));
    writeSpinePhantom(generateSpinePhantom(PhantomOptions{}), d);
    std::atexit([] {
      std::filesystem::remove_all(std::filesystem::temp_directory_path() /
                                  ("drgplan-bench-series-" + std::to_string(::getpid())));
    });
    return d;
  }();
  return dir;
}

// Import of the 512 x 512 x 400 series into memory: scan + order + decode + rescale.
static void BM_ImportDicom512(benchmark::State& state)
{
  auto dir = benchSeries() / "dicom";
  for (auto _ : state) {
    LoadedVolume v = loadDicom(dir);
    benchmark::DoNotOptimize(v.volume.voxels().data());
  }
}
BENCHMARK(BM_ImportDicom512)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();

// The peer: dcm2niix converting the same series to an uncompressed NIfTI (its whole job).
static void BM_Dcm2niix512(benchmark::State& state)
{
  auto dir = benchSeries() / "dicom";
  auto out = benchSeries() / "dcm2niix";
  std::filesystem::create_directories(out);
  std::string cmd = "dcm2niix -z n -b n -f vol -o " + out.string() + " " + dir.string() + " > /dev/null 2>&1";
  for (auto _ : state) {
    if (std::system(cmd.c_str()) != 0) {
      state.SkipWithError("dcm2niix failed or is not installed");
      break;
    }
  }
}
BENCHMARK(BM_Dcm2niix512)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();

// drgplan's equivalent of that whole job: import and write an uncompressed NIfTI.
static void BM_ImportAndWriteNifti512(benchmark::State& state)
{
  auto dir = benchSeries() / "dicom";
  auto out = benchSeries() / "drgplan.nii";
  for (auto _ : state) {
    LoadedVolume v = loadDicom(dir);
    writeVolumeFile(v.volume, out);
  }
}
BENCHMARK(BM_ImportAndWriteNifti512)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();

BENCHMARK_MAIN();
