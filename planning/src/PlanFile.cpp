// Plan files (.drgplan.json): schema "drgplan.plan", deterministic text, atomic and durable saves,
// clear refusals of foreign, corrupt and newer files, autosave paths.
#include "drg/planning/Plan.h"

#include "drg/imaging/AtomicOutput.h"
#include "drg/imaging/Error.h"
#include "drg/imaging/SpineLevel.h"

#include "patient/PatientPathJson.h"

#include <nlohmann/json.hpp>

#include <array>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <sstream>
#include <type_traits>

namespace drg::planning
{
namespace
{

using nlohmann::json;
namespace fs = std::filesystem;

constexpr double kMaxCoordinateMm = 1e4; ///< positions further out are not from an image
constexpr double kBig = 1e5;             ///< lengths in mm

json vec(const Vector3d& v)
{
  return json::array({ v.x(), v.y(), v.z() });
}

json optionalVec(const std::optional<Vector3d>& v)
{
  return v ? vec(*v) : json(nullptr);
}

/// An angle in degrees, null when not known (NaN).
json optionalAngle(double deg)
{
  return std::isnan(deg) ? json(nullptr) : json(deg);
}

json path(const std::vector<Vector3d>& points)
{
  json a = json::array();
  for (const auto& p : points) {
    a.push_back(vec(p));
  }
  return a;
}

/// Reading with errors that say where: "leads[1].target.side: ..."
struct Reader
{
  std::string origin;

  [[noreturn]] void fail(const std::string& where, const std::string& what) const
  {
    throw Error(ErrorCode::Format, origin + ": " + where + ": " + what);
  }

  const json& field(const json& o, const char* name, const std::string& where) const
  {
    if (!o.is_object() || !o.contains(name)) {
      fail(where, std::string("missing '") + name + "'");
    }
    return o.at(name);
  }

  std::string text(const json& o, const char* name, const std::string& where) const
  {
    const json& f = field(o, name, where);
    if (!f.is_string()) {
      fail(where + "." + name, "must be text");
    }
    return f.get<std::string>();
  }

  /// A number within [lo, hi].
  double number(const json& o, const char* name, const std::string& where, double lo, double hi) const
  {
    const double v = number(o, name, where);
    if (v < lo || v > hi) {
      char range[64];
      std::snprintf(range, sizeof range, "must lie between %g and %g", lo, hi);
      fail(where + "." + name, range);
    }
    return v;
  }

  /// An integer within [lo, hi].
  int integer(const json& o, const char* name, const std::string& where, int lo, int hi) const
  {
    const json& f = field(o, name, where);
    if (!f.is_number_integer() || f.get<std::int64_t>() < lo || f.get<std::int64_t>() > hi) {
      fail(where + "." + name,
           "must be a whole number from " + std::to_string(lo) + " to " + std::to_string(hi));
    }
    return static_cast<int>(f.get<std::int64_t>());
  }

  double number(const json& o, const char* name, const std::string& where) const
  {
    const json& f = field(o, name, where);
    if (!f.is_number()) {
      fail(where + "." + name, "must be a number");
    }
    const double v = f.get<double>();
    if (!std::isfinite(v)) {
      fail(where + "." + name, "must be finite");
    }
    return v;
  }

  /// An angle from 0 to 90 degrees, NaN when missing or null (not known).
  double optionalAngle(const json& o, const char* name, const std::string& where) const
  {
    if (!o.is_object() || !o.contains(name) || o.at(name).is_null()) {
      return std::numeric_limits<double>::quiet_NaN();
    }
    return number(o, name, where, 0.0, 90.0);
  }

  bool flag(const json& o, const char* name, const std::string& where) const
  {
    const json& f = field(o, name, where);
    if (!f.is_boolean()) {
      fail(where + "." + name, "must be true or false");
    }
    return f.get<bool>();
  }

  Vector3d point(const json& f, const std::string& where) const
  {
    if (!f.is_array() || f.size() != 3 || !f[0].is_number() || !f[1].is_number() || !f[2].is_number()) {
      fail(where, "must be [x, y, z] in mm");
    }
    Vector3d v(f[0].get<double>(), f[1].get<double>(), f[2].get<double>());
    if (!v.allFinite() || v.cwiseAbs().maxCoeff() > kMaxCoordinateMm) {
      fail(where, "must be finite and within 10 m of the origin");
    }
    return v;
  }

  Vector3d point(const json& o, const char* name, const std::string& where) const
  {
    return point(field(o, name, where), where + "." + name);
  }

  std::optional<Vector3d> optionalPoint(const json& o, const char* name, const std::string& where) const
  {
    if (!o.contains(name) || o.at(name).is_null()) {
      return std::nullopt;
    }
    return point(o.at(name), where + "." + name);
  }

  std::vector<Vector3d> points(const json& o, const char* name, const std::string& where) const
  {
    const json& f = field(o, name, where);
    if (!f.is_array()) {
      fail(where + "." + name, "must be a list of points");
    }
    std::vector<Vector3d> out;
    out.reserve(f.size());
    for (std::size_t i = 0; i < f.size(); ++i) {
      out.push_back(point(f[i], where + "." + name + "[" + std::to_string(i) + "]"));
    }
    return out;
  }

  Side side(const json& o, const char* name, const std::string& where) const
  {
    const std::string s = text(o, name, where);
    if (s == "left") {
      return Side::Left;
    }
    if (s == "right") {
      return Side::Right;
    }
    fail(where + "." + name, "must be left or right, not '" + s + "'");
  }
};

json leadJson(const LeadPlan& l)
{
  json j;
  j["name"] = l.name;
  j["target"] = { { "level", l.targetLevel },
                  { "side", imaging::sideName(l.targetSide) },
                  { "manual_point", optionalVec(l.manualTarget) } };
  j["approach"] = approachName(l.approach);
  j["entry_level"] = l.entryLevel;
  j["devices"] = { { "lead", l.leadModel }, { "sheath", l.sheath }, { "needle", l.needle } };
  j["moved"] = { { "skin_entry", optionalVec(l.skinEntryOverride) },
                 { "epidural_entry", optionalVec(l.epiduralEntryOverride) } };
  j["locked"] = l.locked;
  j["technique_chosen"] = l.techniqueChosen;
  if (l.trialResult) { // (trial plans, once the lead's outcome is entered)
    j["trial_result"] = detail::trialResultJson(*l.trialResult);
  }
  json d;
  d["planned"] = l.planned;
  d["problem"] = l.problem;
  d["spread_note"] = l.spreadNote;
  d["sheath_used"] = l.sheathUsed;
  d["target_centre"] = vec(l.target);
  d["target_axis"] = vec(l.targetAxis);
  d["target_length_mm"] = l.targetLengthMm;
  d["target_width_mm"] = l.targetWidthMm;
  d["skin_entry"] = vec(l.skinEntry);
  d["epidural_entry"] = vec(l.epiduralEntry);
  d["needle"] = { { "depth_mm", l.needleDepthMm },
                  { "to_skin_deg", optionalAngle(l.needleToSkinDeg) },
                  { "to_lamina_line_deg", optionalAngle(l.needleToLaminaLineDeg) },
                  { "ap_medio_lateral_deg", optionalAngle(l.needleApMedioLateralDeg) },
                  { "in_bone_mm", l.needleBoneMm } };
  d["route"] = path(l.route);
  d["route_length_mm"] = l.routeLengthMm;
  d["min_radius_mm"] = l.minRadiusMm;
  d["sheath_radius_mm"] = l.sheathRadiusMm;
  d["tip"] = vec(l.tip);
  d["contacts"] = path(l.contacts);
  d["coverage"] = l.coverage;
  d["anchor"] = vec(l.anchor);
  d["anchor_at_fascia"] = l.anchorAtFascia;
  d["loop"] = { { "centre", vec(l.loopCentre) }, { "diameter_mm", l.loopDiameterMm } };
  d["tunnel"] = path(l.tunnel);
  const LengthBudget& b = l.budget;
  d["length_budget"] = { { "route_mm", b.routeMm }, { "track_mm", b.trackMm },
                         { "loop_mm", b.loopMm },   { "tunnel_mm", b.tunnelMm },
                         { "slack_mm", b.slackMm }, { "total_mm", b.totalMm },
                         { "lead_cm", b.leadCm },   { "extension_cm", b.extensionCm },
                         { "fits", b.fits },        { "complete", b.complete } };
  const EntryLandmarks& e = l.entryLandmarks;
  if (e.found) {
    d["entry_landmarks"] = { { "midline_offset_mm", e.midlineOffsetMm }, { "spinous_level", e.spinousLevel },
                             { "below_spinous_mm", e.belowSpinousMm },   { "pedicle_level", e.pedicleLevel },
                             { "below_pedicle_mm", e.belowPedicleMm },   { "window", e.window },
                             { "below_window_mm", e.belowWindowMm } };
  }
  j["derived"] = d;
  return j;
}

LeadPlan leadFrom(const json& j, const Reader& r, const std::string& w)
{
  LeadPlan l;
  l.name = r.text(j, "name", w);
  const json& t = r.field(j, "target", w);
  l.targetLevel = r.text(t, "level", w + ".target");
  if (!imaging::isLevelName(l.targetLevel)) {
    r.fail(w + ".target.level", "'" + l.targetLevel + "' is not a spine level");
  }
  l.targetSide = r.side(t, "side", w + ".target");
  l.manualTarget = r.optionalPoint(t, "manual_point", w + ".target");
  try {
    l.approach = parseApproach(r.text(j, "approach", w));
  } catch (const Error& e) {
    r.fail(w + ".approach", e.what());
  }
  l.entryLevel = r.text(j, "entry_level", w);
  const json& dev = r.field(j, "devices", w);
  l.leadModel = r.text(dev, "lead", w + ".devices");
  l.sheath = r.text(dev, "sheath", w + ".devices");
  l.needle = r.text(dev, "needle", w + ".devices");
  const json& moved = r.field(j, "moved", w);
  if (!moved.is_object()) {
    r.fail(w + ".moved", "must be an object");
  }
  l.skinEntryOverride = r.optionalPoint(moved, "skin_entry", w + ".moved");
  l.epiduralEntryOverride = r.optionalPoint(moved, "epidural_entry", w + ".moved");
  l.locked = r.flag(j, "locked", w);
  // (plans from before the planner spread leads: their technique taken as the user's)
  l.techniqueChosen = j.contains("technique_chosen") ? r.flag(j, "technique_chosen", w) : true;
  const json& d = r.field(j, "derived", w);
  const std::string dw = w + ".derived";
  l.planned = r.flag(d, "planned", dw);
  l.problem = r.text(d, "problem", dw);
  l.spreadNote = d.contains("spread_note") ? r.text(d, "spread_note", dw) : std::string();
  l.sheathUsed = r.text(d, "sheath_used", dw);
  l.target = r.point(d, "target_centre", dw);
  l.targetAxis = r.point(d, "target_axis", dw);
  l.targetLengthMm = r.number(d, "target_length_mm", dw, 0.0, 100.0);
  l.targetWidthMm = r.number(d, "target_width_mm", dw, 0.0, 100.0);
  l.skinEntry = r.point(d, "skin_entry", dw);
  l.epiduralEntry = r.point(d, "epidural_entry", dw);
  const json& n = r.field(d, "needle", dw);
  l.needleDepthMm = r.number(n, "depth_mm", dw + ".needle", 0.0, kBig);
  // (files from before these angles were measured lack them: unknown until the plan is recomputed)
  l.needleToSkinDeg = r.optionalAngle(n, "to_skin_deg", dw + ".needle");
  l.needleToLaminaLineDeg = r.optionalAngle(n, "to_lamina_line_deg", dw + ".needle");
  l.needleApMedioLateralDeg = r.optionalAngle(n, "ap_medio_lateral_deg", dw + ".needle");
  l.needleBoneMm = r.number(n, "in_bone_mm", dw + ".needle", 0.0, kBig);
  l.route = r.points(d, "route", dw);
  l.routeLengthMm = r.number(d, "route_length_mm", dw, 0.0, kBig);
  l.minRadiusMm = r.number(d, "min_radius_mm", dw, 0.0, kBig);
  l.sheathRadiusMm = r.number(d, "sheath_radius_mm", dw, 0.0, 1000.0);
  l.tip = r.point(d, "tip", dw);
  l.contacts = r.points(d, "contacts", dw);
  l.coverage = r.number(d, "coverage", dw, 0.0, 1.0);
  l.anchor = r.point(d, "anchor", dw);
  l.anchorAtFascia = r.flag(d, "anchor_at_fascia", dw);
  const json& loop = r.field(d, "loop", dw);
  l.loopCentre = r.point(loop, "centre", dw + ".loop");
  l.loopDiameterMm = r.number(loop, "diameter_mm", dw + ".loop", 0.0, 1000.0);
  l.tunnel = r.points(d, "tunnel", dw);
  const json& b = r.field(d, "length_budget", dw);
  const std::string bw = dw + ".length_budget";
  l.budget.routeMm = r.number(b, "route_mm", bw, 0.0, kBig);
  l.budget.trackMm = r.number(b, "track_mm", bw, 0.0, kBig);
  l.budget.loopMm = r.number(b, "loop_mm", bw, 0.0, kBig);
  l.budget.tunnelMm = r.number(b, "tunnel_mm", bw, 0.0, kBig);
  l.budget.slackMm = r.number(b, "slack_mm", bw, 0.0, kBig);
  l.budget.totalMm = r.number(b, "total_mm", bw, 0.0, kBig);
  l.budget.leadCm = r.number(b, "lead_cm", bw, 0.0, 1000.0);
  l.budget.extensionCm = r.number(b, "extension_cm", bw, 0.0, 1000.0);
  l.budget.fits = r.flag(b, "fits", bw);
  // (older files: a budget with its tunnel was complete)
  l.budget.complete = b.contains("complete") ? r.flag(b, "complete", bw) : l.budget.tunnelMm > 0;
  if (d.contains("entry_landmarks")) {
    const json& e = d.at("entry_landmarks");
    const std::string ew = dw + ".entry_landmarks";
    EntryLandmarks& el = l.entryLandmarks;
    el.found = true;
    el.midlineOffsetMm = r.number(e, "midline_offset_mm", ew, -1000.0, 1000.0);
    el.spinousLevel = r.text(e, "spinous_level", ew);
    el.belowSpinousMm = r.number(e, "below_spinous_mm", ew, -1000.0, 1000.0);
    el.pedicleLevel = r.text(e, "pedicle_level", ew);
    el.belowPedicleMm = r.number(e, "below_pedicle_mm", ew, -1000.0, 1000.0);
    el.window = r.text(e, "window", ew);
    el.belowWindowMm = r.number(e, "below_window_mm", ew, -1000.0, 1000.0);
  }
  return l;
}

/// Each lead is named, and by a name no other lead has: findings, reports and the workstation refer
/// to leads by name.
void requireDistinctNames(const std::vector<LeadPlan>& leads, const Reader& r)
{
  for (std::size_t i = 0; i < leads.size(); ++i) {
    const std::string w = "leads[" + std::to_string(i) + "].name";
    if (leads[i].name.empty()) {
      r.fail(w, "must not be empty");
    }
    for (std::size_t k = 0; k < i; ++k) {
      if (leads[k].name == leads[i].name) {
        r.fail(w, "'" + leads[i].name + "' is also the name of leads[" + std::to_string(k) +
                    "]: each lead needs a name of its own");
      }
    }
  }
}

json pocketJson(const PocketPlan& p)
{
  json j;
  j["site"] = pocketSiteName(p.site);
  j["side"] = imaging::sideName(p.side);
  j["generator"] = p.generator;
  j["depth_mm"] = p.depthMm;
  j["moved_to"] = optionalVec(p.positionOverride);
  j["derived"] = { { "placed", p.placed },
                   { "skin_point", vec(p.skinPoint) },
                   { "outward", vec(p.outward) },
                   { "centre", vec(p.centre) },
                   { "axes", json::array({ vec(p.axes.col(0)), vec(p.axes.col(1)), vec(p.axes.col(2)) }) },
                   { "size_mm", vec(p.sizeMm) } };
  if (!p.problem.empty()) {
    j["derived"]["problem"] = p.problem;
  }
  return j;
}

PocketPlan pocketFrom(const json& j, const Reader& r)
{
  const std::string w = "pocket";
  PocketPlan p;
  const std::string site = r.text(j, "site", w);
  if (site != "abdomen" && site != "buttock") {
    r.fail(w + ".site", "must be abdomen or buttock, not '" + site + "'");
  }
  p.site = site == "abdomen" ? PocketSite::Abdomen : PocketSite::Buttock;
  p.side = r.side(j, "side", w);
  p.generator = r.text(j, "generator", w);
  p.depthMm = r.number(j, "depth_mm", w, 0.0, 200.0);
  p.positionOverride = r.optionalPoint(j, "moved_to", w);
  const json& d = r.field(j, "derived", w);
  p.placed = r.flag(d, "placed", w + ".derived");
  p.skinPoint = r.point(d, "skin_point", w + ".derived");
  p.outward = r.point(d, "outward", w + ".derived");
  p.centre = r.point(d, "centre", w + ".derived");
  const std::vector<Vector3d> axes = r.points(d, "axes", w + ".derived");
  if (axes.size() != 3) {
    r.fail(w + ".derived.axes", "needs three axes");
  }
  for (int c = 0; c < 3; ++c) {
    p.axes.col(c) = axes[static_cast<std::size_t>(c)];
  }
  p.sizeMm = r.point(d, "size_mm", w + ".derived");
  if (d.contains("problem")) {
    p.problem = r.text(d, "problem", w + ".derived");
  }
  return p;
}

/// The study's fields that say which images the plan was made on, by their names in the file.
template<typename Study>
auto imageFields(Study& s)
{
  using Text = std::conditional_t<std::is_const_v<Study>, const std::string*, std::string*>;
  return std::array<std::pair<const char*, Text>, 7>{ { { "patient_key", &s.patientKey },
                                                        { "patient_label", &s.patientLabel },
                                                        { "study_uid", &s.studyUid },
                                                        { "study_date", &s.studyDate },
                                                        { "study_description", &s.studyDescription },
                                                        { "image_geometry", &s.imageGeometry },
                                                        { "image_fingerprint", &s.imageFingerprint } } };
}

} // namespace

bool Plan::operator==(const Plan& other) const
{
  return planToJson(*this) == planToJson(other);
}

std::string planToJson(const Plan& plan)
{
  json j;
  j["format"] = "drgplan.plan";
  j["version"] = kPlanFileVersion;
  j["kind"] = planKindName(plan.kind);
  if (plan.indication) {
    j["indication"] = detail::indicationJson(*plan.indication);
  }
  if (plan.fromTrial) {
    j["from_trial"] = detail::trialOriginJson(*plan.fromTrial);
  }
  if (plan.trialSummary) {
    j["trial_summary"] = detail::trialSummaryJson(*plan.trialSummary);
  }
  j["coordinates"] = "LPS mm, frame of reference of the planned series";
  j["study"] = { { "source", plan.study.source },
                 { "modality", plan.study.modality },
                 { "series_uid", plan.study.seriesUid },
                 { "frame_of_reference_uid", plan.study.frameOfReferenceUid },
                 { "series_description", plan.study.seriesDescription },
                 { "level_anchor", plan.study.levelAnchor },
                 { "label_shift", plan.study.labelShift } };
  for (const auto& [key, value] :
       { std::pair<const char*, const std::string*>{ "level_at", &plan.study.levelAt },
         { "level_check", &plan.study.levelCheck },
         { "level_check_why", &plan.study.levelCheckWhy },
         { "levels_confirmed_by", &plan.study.levelsConfirmedBy },
         { "levels_confirmed_at", &plan.study.levelsConfirmedAt } }) {
    if (!value->empty()) {
      j["study"][key] = *value; // (written when there is one: older readers see the same file)
    }
  }
  if (!plan.study.declaredTransitional
         .empty()) { // (absent when nothing was declared: older files stay as they were)
    j["study"]["declared_transitional"] = plan.study.declaredTransitional;
  }
  if (!plan.study.patientPosition.empty()) { // (absent when the images do not say)
    j["study"]["patient_position"] = plan.study.patientPosition;
  }
  // which images (absent in plans made before they were recorded, and each when not known)
  for (const auto& [key, value] : imageFields(plan.study)) {
    if (!value->empty()) {
      j["study"][key] = *value;
    }
  }
  j["leads"] = json::array();
  for (const auto& l : plan.leads) {
    j["leads"].push_back(leadJson(l));
  }
  j["pocket"] = plan.pocket ? pocketJson(*plan.pocket) : json(nullptr);
  j["findings"] = json::array();
  for (const auto& f : plan.findings) {
    j["findings"].push_back({ { "code", f.code },
                              { "severity", severityName(f.severity) },
                              { "lead", f.lead },
                              { "measured", f.measured },
                              { "threshold", f.threshold },
                              { "unit", f.unit },
                              { "message", f.message } });
  }
  return j.dump(1) + "\n";
}

Plan planFromJson(std::string_view text, const std::string& origin)
{
  json j;
  try {
    j = json::parse(text);
  } catch (const json::exception& e) {
    throw Error(ErrorCode::Format,
                origin + ": not a readable plan file (damaged or cut short: " + std::string(e.what()) + ")");
  }
  if (!j.is_object() || !j.contains("format") || j.at("format") != "drgplan.plan") {
    throw Error(ErrorCode::Format,
                origin + ": not a drgplan plan file (no \"format\": \"drgplan.plan\"); open it with the "
                         "program that wrote it");
  }
  if (!j.contains("version") || !j.at("version").is_number_integer()) {
    throw Error(ErrorCode::Format, origin + ": plan file without a version number");
  }
  const std::int64_t version =
    j.at("version").is_number_unsigned()
      ? static_cast<std::int64_t>(std::min<std::uint64_t>(j.at("version").get<std::uint64_t>(), 1u << 30))
      : j.at("version").get<std::int64_t>();
  if (version > kPlanFileVersion) {
    throw Error(ErrorCode::Unsupported, origin + ": written by a newer drgplan (plan file version " +
                                          std::to_string(version) + "; this one reads up to " +
                                          std::to_string(kPlanFileVersion) + "): update drgplan to open it");
  }
  if (version < 1) {
    throw Error(ErrorCode::Format,
                origin + ": plan file version " + std::to_string(version) + " does not exist");
  }
  // Migrations from older versions, one step per version: version 1 knew only permanent plans
  // (no "kind", no trial results).
  Reader r{ origin };
  Plan plan;
  if (version >= 2) {
    try {
      plan.kind = parsePlanKind(r.text(j, "kind", "plan"));
    } catch (const Error& e) {
      if (e.code() == ErrorCode::Format) {
        throw;
      }
      r.fail("kind", e.what());
    }
    if (j.contains("indication") && !j["indication"].is_null()) {
      plan.indication = detail::indicationFrom(j["indication"], origin, "indication");
    }
    if (j.contains("trial_summary") && !j["trial_summary"].is_null()) {
      if (plan.kind != PlanKind::Trial) {
        r.fail("trial_summary", "only a trial plan has a trial summary");
      }
      plan.trialSummary = detail::trialSummaryFrom(j["trial_summary"], origin, "trial_summary");
    }
    if (j.contains("from_trial") && !j["from_trial"].is_null()) {
      if (plan.kind != PlanKind::Permanent) {
        r.fail("from_trial", "only a permanent plan comes from a trial");
      }
      plan.fromTrial = detail::trialOriginFrom(j["from_trial"], origin, "from_trial");
    }
  }
  const json& s = r.field(j, "study", "plan");
  plan.study.source = r.text(s, "source", "study");
  plan.study.modality = r.text(s, "modality", "study");
  plan.study.seriesUid = r.text(s, "series_uid", "study");
  plan.study.frameOfReferenceUid = r.text(s, "frame_of_reference_uid", "study");
  plan.study.seriesDescription = r.text(s, "series_description", "study");
  plan.study.levelAnchor = r.text(s, "level_anchor", "study");
  plan.study.labelShift = r.integer(s, "label_shift", "study", -30, 30);
  for (const auto& [key, value] : { std::pair<const char*, std::string*>{ "level_at", &plan.study.levelAt },
                                    { "level_check", &plan.study.levelCheck },
                                    { "level_check_why", &plan.study.levelCheckWhy },
                                    { "levels_confirmed_by", &plan.study.levelsConfirmedBy },
                                    { "levels_confirmed_at", &plan.study.levelsConfirmedAt } }) {
    if (s.contains(key)) {
      *value = r.text(s, key, "study");
    }
  }
  if (s.contains("declared_transitional")) {
    const std::string declared = r.text(s, "declared_transitional", "study");
    try {
      plan.study.declaredTransitional =
        imaging::transitionalAnatomyName(imaging::parseTransitionalAnatomy(declared));
    } catch (const Error&) {
      r.fail("study.declared_transitional", "must be none, L6, T13 or sacralized-L5, not '" + declared + "'");
    }
  }
  if (s.contains("patient_position")) {
    plan.study.patientPosition = r.text(s, "patient_position", "study");
  }
  for (const auto& [key, value] : imageFields(plan.study)) {
    if (s.contains(key)) {
      *value = r.text(s, key, "study");
    }
  }
  const json& leads = r.field(j, "leads", "plan");
  if (!leads.is_array()) {
    r.fail("leads", "must be a list");
  }
  // a plan is what one pulse generator can carry: a file with more leads is not a plan drgplan
  // wrote, and planning, reports and exports must not take it as one
  const int maxLeads = PlanRules::builtIn().maxLeads.value;
  if (leads.size() > static_cast<std::size_t>(maxLeads)) {
    r.fail("leads", "holds " + std::to_string(leads.size()) + " leads; a plan has at most " +
                      std::to_string(maxLeads) + " (the pulse generator's ports)");
  }
  for (std::size_t i = 0; i < leads.size(); ++i) {
    const std::string w = "leads[" + std::to_string(i) + "]";
    plan.leads.push_back(leadFrom(leads[i], r, w));
    if (leads[i].contains("trial_result")) {
      if (plan.kind != PlanKind::Trial) {
        r.fail(w + ".trial_result", "only a trial plan's leads have trial results");
      }
      plan.leads.back().trialResult =
        detail::trialResultFrom(leads[i]["trial_result"], origin, w + ".trial_result");
    }
  }
  requireDistinctNames(plan.leads, r);
  const json& pocket = r.field(j, "pocket", "plan");
  if (!pocket.is_null()) {
    if (plan.kind == PlanKind::Trial) {
      r.fail("pocket", "a trial plan has no pocket (its leads leave the skin for an external stimulator)");
    }
    plan.pocket = pocketFrom(pocket, r);
  }
  const json& findings = r.field(j, "findings", "plan");
  if (!findings.is_array()) {
    r.fail("findings", "must be a list");
  }
  for (std::size_t i = 0; i < findings.size(); ++i) {
    const std::string w = "findings[" + std::to_string(i) + "]";
    Finding f;
    f.code = r.text(findings[i], "code", w);
    const std::string sev = r.text(findings[i], "severity", w);
    if (sev != "error" && sev != "warning" && sev != "info") {
      r.fail(w + ".severity", "must be error, warning or info, not '" + sev + "'");
    }
    f.severity = sev == "error" ? Severity::Error : sev == "info" ? Severity::Info : Severity::Warning;
    f.lead = r.integer(findings[i], "lead", w, -1, static_cast<int>(plan.leads.size()) - 1);
    f.measured = r.number(findings[i], "measured", w);
    f.threshold = r.number(findings[i], "threshold", w);
    f.unit = r.text(findings[i], "unit", w);
    f.message = r.text(findings[i], "message", w);
    plan.findings.push_back(f);
  }
  return plan;
}

void savePlan(const Plan& plan, const fs::path& file)
{
  imaging::writeFileAtomically(file, planToJson(plan));
}

Plan loadPlan(const fs::path& file)
{
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    throw Error(ErrorCode::Io, "cannot read plan file " + file.string() + ": check the path and permissions");
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return planFromJson(ss.str(), file.string());
}

fs::path autosavePath(const fs::path& planPath)
{
  return planPath.parent_path() / (planPath.filename().string() + ".autosave");
}

std::optional<fs::path> recoverableAutosave(const fs::path& planPath)
{
  std::error_code ec;
  const fs::path autosave = autosavePath(planPath);
  if (!fs::exists(autosave, ec)) {
    return std::nullopt;
  }
  if (!fs::exists(planPath, ec)) {
    return autosave;
  }
  const auto a = fs::last_write_time(autosave, ec);
  const auto p = fs::last_write_time(planPath, ec);
  if (ec || a <= p) {
    return std::nullopt;
  }
  return autosave;
}

} // namespace drg::planning
