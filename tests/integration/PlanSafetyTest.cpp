// Plan safety on a population of phantom variants, against each phantom's truth labels: every
// ganglion T11-S1, both sides, auto-planned in plans of four and measured (needle through bone,
// sac, cord or cauda equina; its tip in the dorsal epidural fat; the route through the sac and
// bone; the tightest bend of the whole path; the contacts over the ganglion). What must hold today:
// no lead is unsafe in silence. A lead the truth finds unsafe carries an error finding of the plan
// (the report's first page lists them), or is refused with its reason; refusals stay at most one
// lead in ten. The table printed is the measurement docs/planning.md quotes.
#include "drg/imaging/AnatomyLabels.h"
#include "drg/imaging/SpineModel.h"
#include "drg/imaging/SpinePhantom.h"
#include "drg/planning/PlanEditor.h"
#include "drg/planning/Planner.h"

#include "PlanSafety.h"
#include "TestSupport.h"

#include <gtest/gtest.h>

#include <iostream>

using namespace drg::imaging;
using namespace drg::planning;

namespace
{

struct Tally
{
  int leads = 0, safe = 0, refused = 0, unsafe = 0, flagged = 0;
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
      for (const Finding& f : plan.findings) {
        if (f.lead == static_cast<int>(li) && f.severity == Severity::Error) {
          errors += (errors.empty() ? "" : ",") + f.code;
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
        // unsafe by the truth's dura, bone or fat: the plan must say so with an error
        const bool dura = s.needleNoGoMm > 0 || s.routeNoGoMm > 1.0 || s.needleBoneMm > 0 ||
                          s.routeBoneMm > 0.5 || s.entryLabel != drg::imaging::labels::kEpiduralFat;
        if (dura && errors.empty()) {
          ADD_FAILURE() << variant << " " << s.name << ": unsafe without an error finding: " << s.failures();
        }
        t.flagged += errors.empty() ? 0 : 1;
      }
    }
  }
  std::cout << variant << ": " << t.safe << " of " << t.leads << " safe, " << t.refused << " refused, "
            << t.unsafe << " unsafe (" << t.flagged << " of them with an error finding)\n";
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
