// The verification's data: its thresholds (assets/planning/verify.json), verify.json written and
// read back (an earlier verification's contacts, for migration).
#include "drg/planning/LeadVerification.h"

#include "Sourced.h"

#include <nlohmann/json.hpp>

#include <cmath>

namespace drg::planning
{

using detail::fail;
using detail::sourced;
using nlohmann::json;

namespace
{

json vec(const Vector3d& v)
{
  auto r = [](double x) { return std::round(x * 100.0) / 100.0; };
  return { r(v.x()), r(v.y()), r(v.z()) };
}

double mm(double x)
{
  return std::round(x * 100.0) / 100.0;
}

json sourcedJson(const SourcedValue<double>& v)
{
  return { { "value", v.value }, { "source", v.source }, { "verified", v.verified } };
}

json registrationJson(const imaging::RegistrationResult& r)
{
  return { { "correlation", std::round(r.correlation * 1000.0) / 1000.0 },
           { "rotation_deg", mm(r.planningToImage.angleDegrees()) },
           { "translation_mm", vec(r.planningToImage.translation) },
           { "samples", r.samples } };
}

} // namespace

VerifyRules VerifyRules::fromJson(std::string_view text, const std::string& origin)
{
  const json j =
    detail::formattedDocument(text, origin, "drgplan-verify-rules", "drgplan verification rules");
  const std::string where = "verify rules";
  VerifyRules r;
  r.inPlaceMm = sourced<double>(j, "in_place_mm", origin, where);
  r.migratedMm = sourced<double>(j, "migrated_mm", origin, where);
  r.minCorrelation = sourced<double>(j, "min_registration_correlation", origin, where);
  r.foramenReachMm = sourced<double>(j, "foramen_reach_mm", origin, where);
  if (!(r.inPlaceMm.value > 0.0 && r.migratedMm.value >= r.inPlaceMm.value)) {
    fail(origin, where, "in_place_mm must be positive and at most migrated_mm");
  }
  return r;
}

VerifyRules VerifyRules::builtIn()
{
  std::string_view text = embeddedAsset("planning/verify.json");
  if (text.empty()) {
    throw Error(ErrorCode::Internal, "built-in verification rules missing");
  }
  return fromJson(text, "assets/planning/verify.json");
}

std::string verificationToJson(const Verification& v, const VerifyInput& in, const std::string& planFile,
                               const std::string& postopSource)
{
  json j;
  j["format"] = "drgplan-verify";
  j["version"] = 1;
  j["coordinate_system"] =
    "LPS, the planning images' frame (positions 'postop' in the post-operative images')";
  j["units"] = "mm";
  j["plan"] = planFile;
  j["postop_images"] = postopSource;
  // which images were compared: an earlier verification given as --previous must be of the same plan
  if (in.plan != nullptr) {
    j["planning_images"] = { { "series_uid", in.plan->study.seriesUid },
                             { "fingerprint", in.plan->study.imageFingerprint } };
  }
  j["postop_identity"] = { { "study_uid", in.postopImages.studyUid },
                           { "study_date", in.postopImages.studyDate },
                           { "series_uid", in.postopImages.seriesUid },
                           { "fingerprint", in.postopImages.fingerprint } };
  j["contact_numbering"] = "1 = most distal (at the lead's tip), as the clinician programmer numbers them";
  j["thresholds"] = { { "in_place_mm", sourcedJson(in.rules.inPlaceMm) },
                      { "migrated_mm", sourcedJson(in.rules.migratedMm) },
                      { "min_registration_correlation", sourcedJson(in.rules.minCorrelation) },
                      { "foramen_reach_mm", sourcedJson(in.rules.foramenReachMm) } };
  j["registration"] = registrationJson(v.global);
  json leads = json::array();
  for (const auto& l : v.leads) {
    json contacts = json::array();
    for (const auto& c : l.contacts) {
      json cj = { { "number", c.number },
                  { "position_mm", vec(c.planning) },
                  { "postop_position_mm", vec(c.postop) } };
      if (c.planned) {
        cj["planned_mm"] = vec(*c.planned);
        cj["deviation_mm"] = mm(c.deviationMm);
      }
      if (l.inPlan) {
        cj["ganglion_distance_mm"] = mm(c.ganglionDistanceMm);
      }
      if (c.migrationMm) {
        cj["migration_mm"] = mm(*c.migrationMm);
      }
      contacts.push_back(cj);
    }
    json lj = { { "name", l.name },
                { "in_plan", l.inPlan },
                { "found", l.found },
                { "verdict", l.verdict },
                { "contacts", contacts } };
    if (l.found) {
      lj["distal_end_told_by"] = l.orientationFrom;
      lj["registration"] = registrationJson(l.registration);
      if (l.inPlan) {
        lj["max_deviation_mm"] = mm(l.maxDeviationMm);
        lj["depth_change_mm"] = mm(l.depthChangeMm);
        lj["displacement_mm"] = vec(l.displacementMm);
        lj["displacement"] = l.displacementText;
        lj["ganglion_coverage"] = std::round(l.coverage * 100.0) / 100.0;
        lj["covers_ganglion"] = l.coversGanglion;
        lj["in_intended_foramen"] = l.inIntendedForamen ? json(*l.inIntendedForamen) : json(nullptr);
        lj["foramen_found"] = l.foramenFound;
      }
      if (l.maxMigrationMm) {
        lj["migration_mm"] = mm(*l.maxMigrationMm);
      }
    }
    lj["notes"] = l.notes;
    leads.push_back(lj);
  }
  j["leads"] = leads;
  j["search"] = { { "compact_metal_spots", v.search.metalBlobs },
                  { "thick_metal_objects", v.search.thickObjects },
                  { "spots_in_no_lead", v.search.unchainedBlobs } };
  j["notes"] = v.notes;
  return j.dump(2) + "\n";
}

PreviousVerification previousFromJson(std::string_view text, const std::string& origin)
{
  const json j = detail::formattedDocument(text, origin, "drgplan-verify", "a drgplan verification");
  PreviousVerification out;
  try {
    for (const auto& l : j.at("leads")) {
      std::vector<Vector3d> contacts;
      for (const auto& c : l.at("contacts")) {
        const auto& p = c.at("position_mm");
        contacts.emplace_back(p.at(0).get<double>(), p.at(1).get<double>(), p.at(2).get<double>());
      }
      if (l.value("found", false)) {
        out.contacts[l.at("name").get<std::string>()] = contacts;
      }
    }
  } catch (const json::exception& e) {
    throw Error(ErrorCode::Format, origin + ": leads[].contacts[].position_mm: " + e.what());
  }
  const json planning = j.value("planning_images", json::object());
  out.planningSeries = planning.value("series_uid", "");
  out.planningFingerprint = planning.value("fingerprint", "");
  const json postop = j.value("postop_identity", json::object());
  out.postopStudy = postop.value("study_uid", "");
  out.postopDate = postop.value("study_date", "");
  out.postopFingerprint = postop.value("fingerprint", "");
  return out;
}

void checkPrevious(const PreviousVerification& previous, const StudyReference& plan,
                   const imaging::ImageIdentity& postop)
{
  const bool otherPlanning = (!previous.planningFingerprint.empty() && !plan.imageFingerprint.empty() &&
                              previous.planningFingerprint != plan.imageFingerprint) ||
                             (!previous.planningSeries.empty() && !plan.seriesUid.empty() &&
                              previous.planningSeries != plan.seriesUid);
  if (otherPlanning || (previous.planningFingerprint.empty() && previous.planningSeries.empty())) {
    throw Error(ErrorCode::InvalidArgument,
                "the previous verification compared other planning images (or does not say which): its "
                "contacts are in another frame, so no migration can be measured against it");
  }
  if (!previous.postopFingerprint.empty() && previous.postopFingerprint == postop.fingerprint) {
    throw Error(ErrorCode::InvalidArgument,
                "the previous verification is of these same post-operative images: give an earlier scan's");
  }
  if (!previous.postopDate.empty() && !postop.studyDate.empty() && previous.postopDate > postop.studyDate) {
    throw Error(ErrorCode::InvalidArgument, "the previous verification's scan (" + previous.postopDate +
                                              ") is later than this one (" + postop.studyDate +
                                              "): give them the other way round");
  }
}

} // namespace drg::planning
