// The post-operative phantom's implants from a plan file: each planned lead as implanted (contacts,
// the body along route, needle track and tunnel), the generator in its pocket, optionally a lead
// moved (migration) or bent, and the planning phantom's vertebra poses so that the leads move with
// their vertebrae when the post-operative phantom lies differently.
#include "PhantomImplants.h"

#include "drg/imaging/Error.h"
#include "drg/planning/DeviceCatalog.h"
#include "drg/planning/Plan.h"
#include "drg/planning/PlanImplants.h"

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

} // namespace

imaging::PhantomImplants implantsFromPlan(const ImplantRequest& r)
{
  using namespace drg::planning;
  const Plan plan = loadPlan(r.plan);
  imaging::PhantomImplants implants;
  try {
    implants = implantsOfPlan(plan, DeviceCatalog::builtIn());
  } catch (const Error& e) {
    throw Error(e.code(), r.plan + ": " + e.what());
  }
  // a lead that migrated: its contacts and its epidural part move, the anchor holds
  for (const auto& text : r.shifts) {
    auto [name, d] = nameAndNumbers(text, 3, "--shift-lead", "NAME:DX,DY,DZ (mm, LPS)");
    shiftImplantedLead(implants, name, Vector3d(d[0], d[1], d[2]));
  }
  // a bent array
  for (const auto& text : r.bends) {
    auto [name, d] = nameAndNumbers(text, 1, "--bend-lead", "NAME:MM");
    bendImplantedLead(implants, name, d[0]);
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
