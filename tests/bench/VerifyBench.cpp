// Post-operative verification speed (issue: at most 5 s on a 512 x 512 x 400 post-operative CT on
// the 2-core machine): the demo phantom planned with four leads, the same patient's post-operative
// phantom lying differently (lordosis 50 against 45), and the verification timed: the leads found,
// the spine registered about each, every contact measured. Reading the two series and the planning
// images' spine model (for the foramina) are timed by BM_ImportDicom and BM_SpineModel512.
#include "drg/imaging/SpineModel.h"
#include "drg/imaging/SpinePhantom.h"
#include "drg/planning/LeadVerification.h"
#include "drg/planning/PlanEditor.h"
#include "drg/planning/PlanImplants.h"
#include "drg/planning/Planner.h"

#include <benchmark/benchmark.h>

#include <memory>

namespace
{
using namespace drg::imaging;
using namespace drg::planning;

Image<float> asFloat(const Image<std::int16_t>& in)
{
  Image<float> out(in.geometry(), Uninitialized{});
  std::copy(in.voxels().begin(), in.voxels().end(), out.voxels().begin());
  return out;
}

struct PostopCase
{
  PhantomCase planningPhantom = generateSpinePhantom(PhantomOptions{});
  Image<float> planning = asFloat(planningPhantom.intensities);
  SpineModel model = buildSpineModel(planning);
  Plan plan;
  Image<float> postop;

  PostopCase()
  {
    const PlanAnatomy anatomy(model, &planning);
    const Planner planner(anatomy, DeviceCatalog::builtIn(), PlanRules::builtIn());
    PlanEditor editor(planner);
    editor.setPocket(PocketSite::Buttock, Side::Left);
    editor.addLead("L4 left", "L4", Side::Left);
    editor.addLead("L5 left", "L5", Side::Left);
    editor.addLead("L3 right", "L3", Side::Right);
    editor.addLead("S1 right", "S1", Side::Right);
    plan = editor.plan();
    PhantomOptions o;
    o.lordosisDegrees = 50.0;
    o.implants = implantsOfPlan(plan, DeviceCatalog::builtIn());
    for (const auto& v : planningPhantom.truth.vertebrae) {
      o.implants.plannedPoses[v.level] = { v.bodyCentre, v.frame };
    }
    postop = asFloat(generateSpinePhantom(o).intensities);
  }
};

void BM_VerifyLeads512(benchmark::State& state)
{
  static PostopCase c;
  const DeviceCatalog catalog = DeviceCatalog::builtIn();
  VerifyInput in;
  in.plan = &c.plan;
  in.planning = &c.planning;
  in.postop = &c.postop;
  in.model = &c.model;
  in.catalog = &catalog;
  for (auto _ : state) {
    Verification v = verifyLeads(in);
    if (v.leads.size() != c.plan.leads.size()) {
      state.SkipWithError("a lead was not found");
      return;
    }
    benchmark::DoNotOptimize(v.leads.data());
  }
}

} // namespace

BENCHMARK(BM_VerifyLeads512)
  ->Unit(benchmark::kMillisecond)
  ->Iterations(1)
  ->Repetitions(3)
  ->ReportAggregatesOnly(true)
  ->UseRealTime();
