// Retrieval from a real Orthanc on loopback: a 300-slice series (512 x 512) by our C-GET and C-MOVE
// against DCMTK's own getscu on the same server, in the same run (images per second).
#include "drg/imaging/Pacs.h"
#include "drg/imaging/SpinePhantom.h"

#include "Orthanc.h"

#include <benchmark/benchmark.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <memory>

namespace
{
using namespace drg::imaging;

struct PacsBenchCase
{
  std::filesystem::path folder;
  std::unique_ptr<drg::test::Orthanc> orthanc;
  PacsSettings settings;
  std::string study, series;
  int images = 0;
  std::string error;
};

/// Orthanc started once, holding the 300-slice phantom series (sent by our C-STORE).
PacsBenchCase& benchCase()
{
  // on the heap, freed by an exit handler (a static would be destroyed before the handler ran)
  static PacsBenchCase* c = [] {
    auto* made = new PacsBenchCase;
    PacsBenchCase& b = *made;
    b.folder = std::filesystem::temp_directory_path() / ("drgplan-bench-pacs-" + std::to_string(::getpid()));
    std::filesystem::create_directories(b.folder);
    PhantomOptions o;
    o.matrix = { 512, 512, 300 };
    writeSpinePhantom(generateSpinePhantom(o), b.folder / "series");
    const int receivePort = drg::test::freePort();
    b.orthanc =
      std::make_unique<drg::test::Orthanc>(b.folder / "orthanc", "ORTHANCBENCH", "DRGBENCH", receivePort);
    if (!b.orthanc->started()) {
      b.error = "Orthanc did not start: " + b.orthanc->log();
      return made;
    }
    b.settings = b.orthanc->clientSettings(b.folder / "cache");
    try {
      PacsClient client(b.settings, "");
      std::vector<std::filesystem::path> files;
      for (const auto& e : std::filesystem::directory_iterator(b.folder / "series" / "dicom")) {
        files.push_back(e.path());
      }
      b.images = client.send(files);
      const auto studies = client.findStudies({});
      b.study = studies.at(0).studyUid;
      b.series = client.findSeries(b.study).at(0).seriesUid;
    } catch (const std::exception& e) {
      b.error = e.what();
    }
    std::atexit([] {
      PacsBenchCase* done = &benchCase();
      done->orthanc.reset();
      std::filesystem::remove_all(done->folder);
      delete done;
    });
    return made;
  }();
  return *c;
}

void retrieve(benchmark::State& state, RetrieveMethod method)
{
  PacsBenchCase& c = benchCase();
  if (!c.error.empty()) {
    state.SkipWithError(c.error.c_str());
    return;
  }
  int received = 0;
  for (auto _ : state) {
    try {
      PacsClient client(c.settings, "");
      received = client.retrieve(c.study, c.series, method, {}, true).received;
    } catch (const std::exception& e) {
      state.SkipWithError(e.what());
      return;
    }
  }
  state.counters["images"] = received;
  state.counters["images_per_s"] = benchmark::Counter(
    static_cast<double>(received) * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

void BM_PacsGetSeries300(benchmark::State& state)
{
  retrieve(state, RetrieveMethod::Get);
}
BENCHMARK(BM_PacsGetSeries300)->Unit(benchmark::kMillisecond)->Iterations(1)->Repetitions(2)->UseRealTime();

void BM_PacsMoveSeries300(benchmark::State& state)
{
  retrieve(state, RetrieveMethod::Move);
}
BENCHMARK(BM_PacsMoveSeries300)->Unit(benchmark::kMillisecond)->Iterations(1)->Repetitions(2)->UseRealTime();

// Peer: DCMTK's getscu (whole process) retrieving the same series from the same server.
void BM_GetscuSeries300(benchmark::State& state)
{
  PacsBenchCase& c = benchCase();
  if (!c.error.empty()) {
    state.SkipWithError(c.error.c_str());
    return;
  }
  const std::filesystem::path out = c.folder / "getscu";
  const std::string cmd = "getscu -aet DRGBENCH -aec ORTHANCBENCH 127.0.0.1 " +
                          std::to_string(c.orthanc->dicomPort()) +
                          " -S -k QueryRetrieveLevel=SERIES -k StudyInstanceUID=" + c.study +
                          " -k SeriesInstanceUID=" + c.series + " -od " + out.string() + " > /dev/null 2>&1";
  for (auto _ : state) {
    state.PauseTiming();
    std::filesystem::remove_all(out);
    std::filesystem::create_directories(out);
    state.ResumeTiming();
    if (std::system(cmd.c_str()) != 0) {
      state.SkipWithError("getscu failed");
    }
  }
  int received = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(out)) {
    ++received;
  }
  state.counters["images"] = received;
  state.counters["images_per_s"] = benchmark::Counter(
    static_cast<double>(received) * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_GetscuSeries300)->Unit(benchmark::kMillisecond)->Iterations(1)->Repetitions(2)->UseRealTime();

} // namespace
