// The post-operative phantom's implants from a plan file: each planned lead as implanted (contacts,
// the body along route, needle track and tunnel), the generator in its pocket, optionally a lead
// moved (migration) or bent, and the planning phantom's vertebra poses so that the leads move with
// their vertebrae when the post-operative phantom lies differently.
#include "PhantomImplants.h"

#include "drg/imaging/Error.h"
#include "drg/planning/DeviceCatalog.h"
#include "drg/planning/Plan.h"

#include <Eigen/Geometry>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace drg::cli
{
namespace
{
using drg::Error;
using drg::ErrorCode;
using Eigen::Vector3d;

/// "NAME:A,B,C" or "NAME:A" -> NAME and the numbers.
std::pair<std::string, std::vector<double>> nameAndNumbers(const std::string& text, std::size_t count,
                                                           const char* option, const char* example)
{
  auto colon = text.rfind(':');
  std::vector<double> numbers;
  bool ok = colon != std::string::npos && colon > 0;
  if (ok) {
    std::stringstream in(text.substr(colon + 1));
    std::string part;
    while (ok && std::getline(in, part, ',')) {
      try {
        std::size_t used = 0;
        numbers.push_back(std::stod(part, &used));
        ok = used == part.size();
      } catch (const std::exception&) {
        ok = false;
      }
    }
  }
  if (!ok || numbers.size() != count) {
    throw Error(ErrorCode::InvalidArgument, std::string(option) + " '" + text + "' is not " + example);
  }
  return { text.substr(0, colon), numbers };
}

/// The planning phantom's vertebra poses from its truth.json.
std::map<std::string, imaging::PhantomVertebraPose> readPoses(const std::filesystem::path& truth)
{
  std::ifstream in(truth);
  nlohmann::json j;
  try {
    in >> j;
  } catch (const std::exception& e) {
    throw Error(ErrorCode::Format, truth.string() + " is not a phantom's truth.json: " + e.what());
  }
  std::map<std::string, imaging::PhantomVertebraPose> poses;
  auto v3 = [](const nlohmann::json& a) {
    return Vector3d(a.at(0).get<double>(), a.at(1).get<double>(), a.at(2).get<double>());
  };
  try {
    for (const auto& v : j.at("vertebrae")) {
      imaging::PhantomVertebraPose p;
      p.centre = v3(v.at("body_centre"));
      for (int c = 0; c < 3; ++c) {
        p.frame.col(c) = v3(v.at("frame_columns").at(static_cast<std::size_t>(c)));
      }
      poses[v.at("level").get<std::string>()] = p;
    }
  } catch (const std::exception& e) {
    throw Error(ErrorCode::Format, truth.string() + " has no vertebra poses: " + e.what());
  }
  return poses;
}

/// Some unit vector perpendicular to `axis`.
Vector3d across(const Vector3d& axis)
{
  Vector3d other = std::abs(axis.x()) < 0.8 ? Vector3d(1, 0, 0) : Vector3d(0, 1, 0);
  return axis.cross(other).normalized();
}

} // namespace

imaging::PhantomImplants implantsFromPlan(const ImplantRequest& r)
{
  using namespace drg::planning;
  const Plan plan = loadPlan(r.plan);
  const DeviceCatalog catalog = DeviceCatalog::builtIn();
  imaging::PhantomImplants implants;
  std::map<std::string, std::size_t> epiduralPoints; // the body's points from the tip to the epidural entry
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
    // the body: tip, the route back to the epidural entry, the needle track to the anchor, the tunnel
    l.body.push_back(lead.tip);
    for (auto it = lead.route.rbegin(); it != lead.route.rend(); ++it) {
      l.body.push_back(*it);
    }
    epiduralPoints[l.name] = l.body.size();
    l.body.push_back(lead.anchor);
    for (const auto& p : lead.tunnel) {
      l.body.push_back(p);
    }
    implants.leads.push_back(l);
  }
  if (implants.leads.empty()) {
    throw Error(ErrorCode::InvalidArgument, r.plan + " has no planned lead to implant");
  }
  if (plan.pocket && plan.pocket->placed) {
    imaging::PhantomGenerator g;
    g.centre = plan.pocket->centre;
    g.axes = plan.pocket->axes;
    g.sizeMm = plan.pocket->sizeMm;
    implants.generator = g;
  }
  auto named = [&](const std::string& name, const char* option) -> imaging::PhantomLead& {
    // "L4-left" names the lead "L4 left" (the shell needs no quotes)
    auto loose = [](std::string t) {
      std::replace(t.begin(), t.end(), '-', ' ');
      return t;
    };
    auto it = std::find_if(implants.leads.begin(), implants.leads.end(),
                           [&](const imaging::PhantomLead& l) { return loose(l.name) == loose(name); });
    if (it == implants.leads.end()) {
      std::string known;
      for (const auto& l : implants.leads) {
        known += (known.empty() ? "" : ", ") + l.name;
      }
      throw Error(ErrorCode::InvalidArgument, std::string(option) + ": the plan has no implanted lead " +
                                                name + " (it has " + known + ")");
    }
    return *it;
  };
  // a lead that migrated: its contacts and its epidural part move, the anchor holds
  for (const auto& text : r.shifts) {
    auto [name, d] = nameAndNumbers(text, 3, "--shift-lead", "NAME:DX,DY,DZ (mm, LPS)");
    imaging::PhantomLead& l = named(name, "--shift-lead");
    const Vector3d by(d[0], d[1], d[2]);
    for (auto& c : l.contacts) {
      c += by;
    }
    for (std::size_t n = 0; n < epiduralPoints[name]; ++n) {
      l.body[n] += by;
    }
  }
  // a bent array: the contacts curve away from the array's line, the tip by `mm`, the proximal
  // contact not at all (a quadratic sag)
  for (const auto& text : r.bends) {
    auto [name, d] = nameAndNumbers(text, 1, "--bend-lead", "NAME:MM");
    imaging::PhantomLead& l = named(name, "--bend-lead");
    if (l.contacts.size() < 2) {
      continue;
    }
    const Vector3d proximal = l.contacts.back();
    const Vector3d axis = (l.contacts.front() - proximal).normalized();
    const double span = (l.contacts.front() - proximal).norm() + 2.0;
    const Vector3d side = across(axis);
    auto bend = [&](Vector3d& p) {
      double s = (p - proximal).dot(axis);
      if (s > 0.0 && (p - proximal - s * axis).norm() < 3.0) {
        p += d[0] * std::min(1.0, (s / span) * (s / span)) * side;
      }
    };
    std::for_each(l.contacts.begin(), l.contacts.end(), bend);
    std::for_each(l.body.begin(), l.body.end(), bend);
  }
  // the planning phantom's vertebrae, so that each lead moves with its own
  std::filesystem::path truth = r.plannedOn;
  if (truth.empty() && !plan.study.source.empty()) {
    truth = std::filesystem::path(plan.study.source).parent_path() / "truth.json";
  }
  if (truth.empty() || !std::filesystem::exists(truth)) {
    throw Error(ErrorCode::NotFound,
                "the phantom the plan was made on has no truth.json where expected (" +
                  (truth.empty() ? std::string("the plan names no images") : truth.string()) +
                  "): give it with --planned-on TRUTH.json");
  }
  implants.plannedPoses = readPoses(truth);
  return implants;
}

} // namespace drg::cli
