// Phantom generation speed (issue: 512 x 512 x 400 in at most 15 s on the 2-core machine).
// Run: build/tests/drg_bench  (or ctest -L bench). Reports generation and writing separately.
#include "drg/imaging/SpinePhantom.h"

#include <benchmark/benchmark.h>

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

BENCHMARK_MAIN();
