// Case library look-ups among 10,000 cases (issue: at most 50 ms on the 2-core machine): a library of
// 10,000 indexed case folders of three stages each, then a search by part of a label (a full scan of
// labels, folders and targets), a look-up by id and by folder, and opening a case (its case.json read,
// each stage's file checked).
#include "drg/planning/CaseLibrary.h"
#include "drg/planning/Plan.h"

#include "TestSupport.h"

#include <benchmark/benchmark.h>

#include <memory>

namespace
{
using namespace drg::planning;
namespace fs = std::filesystem;

constexpr int kCases = 10000;

struct Library
{
  drg::test::TemporaryFolder dir{ "case-library-bench" };
  std::unique_ptr<CaseLibrary> lib;

  Library()
  {
    Plan trial;
    trial.kind = PlanKind::Trial;
    LeadPlan lead;
    lead.name = "L3 left";
    lead.targetLevel = "L3";
    trial.leads.push_back(lead);
    fs::create_directories(dir.path() / "plans");
    savePlan(trial, dir.path() / "plans" / "trial.drgplan.json");
    lib = std::make_unique<CaseLibrary>(dir.path() / "cases.sqlite");
    for (int i = 0; i < kCases; ++i) {
      const fs::path folder = dir.path() / "cases" / std::to_string(i);
      CaseRecord r;
      r.label = "case-" + std::to_string(100000 + i);
      r.pain.regions = { "knee-front-left" };
      r.targets = { { i % 2 ? "L3" : "L4", Side::Left, true, "knee pain" } };
      for (const char* kind : { "trial-plan", "trial-result", "permanent-plan" }) {
        addStage(r, folder, kind, dir.path() / "plans" / "trial.drgplan.json", "");
      }
      saveCase(r, folder);
      lib->add(folder);
    }
  }
};

Library& library()
{
  static Library l; // (built once: 10,000 folders take a while)
  return l;
}

void BM_CaseSearch10k(benchmark::State& state)
{
  Library& l = library();
  for (auto _ : state) {
    const auto found = l.lib->list("case-107421", 50);
    if (found.size() != 1) {
      state.SkipWithError("search did not find the case");
      break;
    }
    benchmark::DoNotOptimize(found);
  }
}
BENCHMARK(BM_CaseSearch10k)->Unit(benchmark::kMillisecond);

void BM_CaseFindFolder10k(benchmark::State& state)
{
  Library& l = library();
  const fs::path folder = l.dir.path() / "cases" / "7421";
  for (auto _ : state) {
    benchmark::DoNotOptimize(l.lib->findFolder(folder));
  }
}
BENCHMARK(BM_CaseFindFolder10k)->Unit(benchmark::kMillisecond);

void BM_CaseOpen10k(benchmark::State& state)
{
  Library& l = library();
  const auto id = l.lib->findFolder(l.dir.path() / "cases" / "5000")->id;
  for (auto _ : state) {
    benchmark::DoNotOptimize(l.lib->open(id));
  }
}
BENCHMARK(BM_CaseOpen10k)->Unit(benchmark::kMillisecond);

} // namespace
