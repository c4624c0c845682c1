// The pictures of each lead in the report, made in parallel.
#include "LeadPictures.h"

#include "PlanSlice.h"

#include <future>

namespace drg::report
{

std::vector<LeadPictures> renderLeadPictures(const ReportInput& in)
{
  const planning::Plan& plan = in.plan;
  std::vector<LeadPictures> pictures(plan.leads.size());
  // one task per picture, on all cores (QImage painting is safe off the GUI thread)
  std::vector<std::future<void>> tasks;
  for (std::size_t i = 0; i < plan.leads.size() && in.volume != nullptr; ++i) {
    if (!plan.leads[i].planned) {
      continue;
    }
    LeadPictures& pic = pictures[i];
    if (in.isCt) {
      tasks.push_back(std::async(std::launch::async, [&, i] {
        pic.ap = fluoroscopyView(*in.volume, plan, i, in.model, FluoroView::AP, 600);
      }));
      tasks.push_back(std::async(std::launch::async, [&, i] {
        pic.lateral = fluoroscopyView(*in.volume, plan, i, in.model, FluoroView::Lateral, 600);
      }));
    }
    tasks.push_back(std::async(std::launch::async, [&, i] {
      pic.axial = planSlice(*in.volume, in.isCt, plan, i, imaging::SlicePlane::Axial, 500);
      pic.sagittal = planSlice(*in.volume, in.isCt, plan, i, imaging::SlicePlane::Sagittal, 500);
    }));
  }
  for (auto& t : tasks) {
    t.get(); // (rethrows a task's error)
  }
  return pictures;
}

} // namespace drg::report
