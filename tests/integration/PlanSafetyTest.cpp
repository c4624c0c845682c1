// Plan safety on a population of phantom variants, against each phantom's truth labels: every
// ganglion T11-S1, both sides, auto-planned in plans of four and measured (needle through bone,
// sac, cord or cauda equina; its tip in the dorsal epidural fat; the route through the sac and
// bone; the tightest bend of the whole path; the contacts over the ganglion). What must hold today:
// no lead is unsafe in silence. Each way the truth finds a lead unsafe is named by the finding that
// reports it (the report's first page and the lead's page list the errors), or the lead is refused
// with its reason; refusals stay at most one lead in ten. The table printed is the measurement
// docs/planning.md quotes.
#include "drg/imaging/AnatomyLabels.h"
#include "drg/imaging/SpineModel.h"
#include "drg/imaging/SpinePhantom.h"
#include "drg/planning/PlanEditor.h"
#include "drg/planning/Planner.h"

#include "PlanSafety.h"
#include "TestSupport.h"

#include <gtest/gtest.h>

#include <iostream>
#include <set>

using namespace drg::imaging;
using namespace drg::planning;

namespace
{

struct Tally
{
  int leads = 0, safe = 0, refused = 0, unsafe = 0, flagged = 0;
  int needleUnnamed = 0; ///< a needle or tip at the truth's dura that no needle finding names
};

/// Plans every ganglion T11-S1 on both sides in plans of four and measures each lead.
Tally planEveryGanglion(const PhantomOptions& options, const std::string& variant)
{
  const PhantomCase phantom = generateSpinePhantom(options);
  Image<float> volume(phantom.intensities.geometry(), Uninitialized{});
  std::copy(phantom.intensities.voxels().begin(), phantom.intensities.voxels().end(),
            volume.voxels().begin());
  const SpineModel model = buildSpineModel(volume);
  const PlanAnatomy anatomy(model, &volume);
  const Planner planner(anatomy, DeviceCatalog::builtIn(), PlanRules::builtIn());
  std::vector<std::pair<std::string, Side>> targets;
  for (Side side : { Side::Left, Side::Right }) {
    for (const char* level : { "T11", "T12", "L1", "L2", "L3", "L4", "L5", "S1" }) {
      if (model.vertebra(level)) {
        targets.emplace_back(level, side);
      }
    }
  }
  Tally t;
  std::cout << "---- " << variant << "\n";
  for (std::size_t first = 0; first < targets.size(); first += 4) {
    PlanEditor editor(planner);
    for (std::size_t i = first; i < std::min(targets.size(), first + 4); ++i) {
      editor.addLead(targets[i].first + "-" + sideName(targets[i].second), targets[i].first,
                     targets[i].second);
    }
    const Plan& plan = editor.plan();
    for (std::size_t li = 0; li < plan.leads.size(); ++li) {
      const LeadPlan& lead = plan.leads[li];
      const drg::test::LeadSafety s = drg::test::measureLeadSafety(phantom, lead, planner.catalog());
      std::string errors;
      std::set<std::string> codes;
      for (const Finding& f : plan.findings) {
        if (f.lead == static_cast<int>(li)) {
          codes.insert(f.code);
          if (f.severity == Severity::Error) {
            errors += (errors.empty() ? "" : ",") + f.code;
          }
        }
      }
      std::cout << drg::test::safetyRow(s) << (errors.empty() ? "" : " | errors: " + errors) << "\n";
      ++t.leads;
      if (!s.planned) {
        ++t.refused;
        EXPECT_FALSE(s.problem.empty()) << variant << " " << s.name << ": refused without a reason";
      } else if (s.safe()) {
        ++t.safe;
      } else {
        ++t.unsafe;
        // each way the truth finds the lead unsafe must be named by the finding that reports it
        auto expectCode = [&](bool bad, std::initializer_list<const char*> any, const char* what) {
          bool named = false;
          for (const char* c : any) {
            named = named || codes.count(c) > 0;
          }
          if (bad && !named) {
            ADD_FAILURE() << variant << " " << s.name << ": " << what << " without " << *any.begin() << ": "
                          << s.failures();
          }
        };
        expectCode(s.routeNoGoMm > 1.0, { "route-through-dura", "route-near-cord" },
                   "route through the dura");
        expectCode(s.tightestBendMm < s.sheathRadiusMm - 0.05, { "route-too-tight" },
                   "bend tighter than the sheath");
        // a needle or tip at the dura: some finding of the dura must be there (the model's sac is
        // uncertain by a voxel, so which one names it may differ: counted, docs/planning.md)
        const bool needleAtDura = s.needleNoGoMm > 0 || s.entryLabel != drg::imaging::labels::kEpiduralFat;
        expectCode(needleAtDura,
                   { "needle-through-dura", "epidural-entry-not-in-fat", "epidural-entry-outside-canal",
                     "needle-near-cord", "route-through-dura", "route-near-cord" },
                   "needle or tip at the dura");
        t.needleUnnamed += needleAtDura && !codes.count("needle-through-dura") &&
                               !codes.count("epidural-entry-not-in-fat") && !codes.count("needle-near-cord")
                             ? 1
                             : 0;
        // (bone the image shows faintly and a ganglion the model places off the truth's are not
        // known to the plan: the table measures them, docs/planning.md quotes it)
        t.flagged += errors.empty() ? 0 : 1;
      }
    }
  }
  std::cout << variant << ": " << t.safe << " of " << t.leads << " safe, " << t.refused << " refused, "
            << t.unsafe << " unsafe (" << t.flagged << " of them with an error finding; " << t.needleUnnamed
            << " needles at the dura named only by their route's finding)\n";
  EXPECT_LE(10 * t.refused, t.leads) << variant << ": more than one lead in ten refused";
  return t;
}

} // namespace

TEST(PlanSafety, DefaultPhantom)
{
  planEveryGanglion(drg::test::spineTestPhantom(), "default");
}

TEST(PlanSafety, LordoticPhantom)
{
  PhantomOptions o = drg::test::spineTestPhantom();
  o.lordosisDegrees = 65;
  planEveryGanglion(o, "lordotic 65");
}

TEST(PlanSafety, ScolioticRotatedPhantom)
{
  PhantomOptions o = drg::test::spineTestPhantom();
  o.scoliosisDegrees = 20;
  o.axialRotationDegrees = 10;
  planEveryGanglion(o, "scoliosis 20 rotation 10");
}

TEST(PlanSafety, OsteoporoticPhantom)
{
  PhantomOptions o = drg::test::spineTestPhantom();
  o.cancellousHu = 80.0;
  o.corticalHu = 650.0;
  o.corticalThicknessMm = 0.6;
  planEveryGanglion(o, "osteoporotic");
}

TEST(PlanSafety, ThreeMillimetreSlices)
{
  PhantomOptions o = drg::test::spineTestPhantom();
  o.matrix[2] = 134;
  o.spacing.z() = 3.0;
  planEveryGanglion(o, "3 mm slices");
}
