// A plan's leads as implanted (PlanImplants.h).
#include "drg/planning/PlanImplants.h"

#include "drg/imaging/Error.h"

#include <Eigen/Geometry>

#include <algorithm>

namespace drg::planning
{

namespace
{

/// "L4-left" names the lead "L4 left" (the shell needs no quotes).
std::string loose(std::string t)
{
  std::replace(t.begin(), t.end(), '-', ' ');
  return t;
}

imaging::PhantomLead& named(imaging::PhantomImplants& implants, const std::string& name)
{
  auto it = std::find_if(implants.leads.begin(), implants.leads.end(),
                         [&](const imaging::PhantomLead& l) { return loose(l.name) == loose(name); });
  if (it == implants.leads.end()) {
    std::string known;
    for (const auto& l : implants.leads) {
      known += (known.empty() ? "" : ", ") + l.name;
    }
    throw Error(ErrorCode::InvalidArgument, "no implanted lead " + name + " (there are " + known + ")");
  }
  return *it;
}

/// Some unit vector perpendicular to `axis`.
Vector3d across(const Vector3d& axis)
{
  Vector3d other = std::abs(axis.x()) < 0.8 ? Vector3d(1, 0, 0) : Vector3d(0, 1, 0);
  return axis.cross(other).normalized();
}

} // namespace

imaging::PhantomImplants implantsOfPlan(const Plan& plan, const DeviceCatalog& catalog)
{
  imaging::PhantomImplants implants;
  for (const LeadPlan& lead : plan.leads) {
    if (!lead.planned || lead.contacts.empty()) {
      continue; // a lead the planner refused is not implanted
    }
    imaging::PhantomLead l;
    l.name = lead.name;
    l.level = lead.targetLevel;
    l.contacts = lead.contacts;
    if (const LeadModel* model = catalog.lead(lead.leadModel)) {
      l.contactLengthMm = model->contactLengthMm.value;
      l.diameterMm = model->diameterMm.value;
    }
    l.body.push_back(lead.tip);
    for (auto it = lead.route.rbegin(); it != lead.route.rend(); ++it) {
      l.body.push_back(*it);
    }
    l.epiduralPoints = l.body.size();
    l.body.push_back(lead.anchor);
    for (const auto& p : lead.tunnel) {
      l.body.push_back(p);
    }
    implants.leads.push_back(l);
  }
  if (implants.leads.empty()) {
    throw Error(ErrorCode::InvalidArgument, "the plan has no planned lead to implant");
  }
  if (plan.pocket && plan.pocket->placed) {
    imaging::PhantomGenerator g;
    g.centre = plan.pocket->centre;
    g.axes = plan.pocket->axes;
    g.sizeMm = plan.pocket->sizeMm;
    implants.generator = g;
  }
  return implants;
}

void shiftImplantedLead(imaging::PhantomImplants& implants, const std::string& name, const Vector3d& by)
{
  imaging::PhantomLead& l = named(implants, name);
  for (auto& c : l.contacts) {
    c += by;
  }
  for (std::size_t n = 0; n < std::min(l.epiduralPoints, l.body.size()); ++n) {
    l.body[n] += by;
  }
}

void bendImplantedLead(imaging::PhantomImplants& implants, const std::string& name, double mm)
{
  imaging::PhantomLead& l = named(implants, name);
  if (l.contacts.size() < 2) {
    return;
  }
  const Vector3d proximal = l.contacts.back();
  const Vector3d axis = (l.contacts.front() - proximal).normalized();
  const double span = (l.contacts.front() - proximal).norm() + 2.0;
  const Vector3d side = across(axis);
  auto bend = [&](Vector3d& p) {
    const double s = (p - proximal).dot(axis);
    if (s > 0.0 && (p - proximal - s * axis).norm() < 3.0) {
      p += mm * std::min(1.0, (s / span) * (s / span)) * side;
    }
  };
  std::for_each(l.contacts.begin(), l.contacts.end(), bend);
  std::for_each(l.body.begin(), l.body.end(), bend);
}

} // namespace drg::planning
