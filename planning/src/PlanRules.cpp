// The planner's thresholds and defaults as data (assets/planning/rules.json), and small names.
#include "drg/planning/Plan.h"

#include "Sourced.h"

#include <ctime>

namespace drg::planning
{

using detail::fail;
using detail::sourced;

std::string utcNow()
{
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char at[32];
  std::strftime(at, sizeof at, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return at;
}

PlanRules PlanRules::fromJson(std::string_view text, const std::string& origin)
{
  const nlohmann::json j =
    detail::formattedDocument(text, origin, "drgplan-planning-rules", "drgplan planning rules");
  const std::string where = "rules";
  PlanRules r;
  r.maxLeads = sourced<int>(j, "max_leads", origin, where);
  r.preferredNeedleAngleDeg = sourced<double>(j, "preferred_needle_angle_deg", origin, where);
  r.minNeedleAngleDeg = sourced<double>(j, "min_needle_angle_deg", origin, where);
  r.maxNeedleAngleDeg = sourced<double>(j, "max_needle_angle_deg", origin, where);
  r.maxMedioLateralAngleDeg = sourced<double>(j, "max_medio_lateral_angle_deg", origin, where);
  r.ganglionClearanceMm = sourced<double>(j, "ganglion_clearance_mm", origin, where);
  r.cordClearanceMm = sourced<double>(j, "cord_clearance_mm", origin, where);
  r.cordRadiusMm = sourced<double>(j, "cord_radius_mm", origin, where);
  r.minCoverage = sourced<double>(j, "min_contact_coverage", origin, where);
  r.contactDorsalOffset = sourced<double>(j, "contact_dorsal_offset_widths", origin, where);
  r.leadSpacingMm = sourced<double>(j, "lead_spacing_mm", origin, where);
  r.strainReliefLoopDiameterMm = sourced<double>(j, "strain_relief_loop_diameter_mm", origin, where);
  r.pocketSlackMm = sourced<double>(j, "pocket_slack_mm", origin, where);
  r.connectorInsertionMm = sourced<double>(j, "connector_insertion_mm", origin, where);
  r.pocketDepthMm = sourced<double>(j, "pocket_depth_mm", origin, where);
  r.minPocketDepthMm = sourced<double>(j, "min_pocket_depth_mm", origin, where);
  r.maxPocketDepthMm = sourced<double>(j, "max_pocket_depth_mm", origin, where);
  r.pocketBoneClearanceMm = sourced<double>(j, "pocket_bone_clearance_mm", origin, where);
  r.fallbackFasciaDepthMm = sourced<double>(j, "fallback_fascia_depth_mm", origin, where);
  r.routeBoneToleranceMm = sourced<double>(j, "route_bone_tolerance_mm", origin, where);
  r.routeSacToleranceMm = sourced<double>(j, "route_sac_tolerance_mm", origin, where);
  r.trialExternalLeadMm = sourced<double>(j, "trial_external_lead_mm", origin, where);
  r.trialSuccessReliefPercent = sourced<double>(j, "trial_success_relief_percent", origin, where);
  if (!(r.trialSuccessReliefPercent.value > 0.0 && r.trialSuccessReliefPercent.value <= 100.0)) {
    fail(origin, where, "trial_success_relief_percent must be in (0, 100]");
  }
  if (r.maxLeads.value < 1 || r.maxLeads.value > 16) {
    fail(origin, where, "max_leads must be 1 to 16");
  }
  if (!(r.minCoverage.value > 0.0 && r.minCoverage.value <= 1.0)) {
    fail(origin, where, "min_contact_coverage must be in (0, 1]");
  }
  if (!(r.minPocketDepthMm.value < r.maxPocketDepthMm.value) ||
      r.pocketDepthMm.value < r.minPocketDepthMm.value || r.pocketDepthMm.value > r.maxPocketDepthMm.value) {
    fail(origin, where, "pocket depths must satisfy min <= default <= max, min < max");
  }
  for (const auto* v : { &r.preferredNeedleAngleDeg, &r.minNeedleAngleDeg, &r.maxNeedleAngleDeg,
                         &r.maxMedioLateralAngleDeg }) {
    if (!(v->value >= 0.0 && v->value <= 90.0)) {
      fail(origin, where, "angles must lie between 0 and 90 degrees");
    }
  }
  if (!(r.minNeedleAngleDeg.value <= r.preferredNeedleAngleDeg.value &&
        r.preferredNeedleAngleDeg.value <= r.maxNeedleAngleDeg.value)) {
    fail(origin, where, "needle angles must satisfy min <= preferred <= max");
  }
  for (const auto* v :
       { &r.ganglionClearanceMm, &r.cordClearanceMm, &r.cordRadiusMm, &r.contactDorsalOffset,
         &r.leadSpacingMm, &r.strainReliefLoopDiameterMm, &r.pocketSlackMm, &r.connectorInsertionMm,
         &r.minPocketDepthMm, &r.pocketBoneClearanceMm, &r.fallbackFasciaDepthMm, &r.routeBoneToleranceMm,
         &r.routeSacToleranceMm, &r.trialExternalLeadMm }) {
    if (!(v->value >= 0.0 && v->value <= 1000.0)) {
      fail(origin, where, "distances must lie between 0 and 1000 mm");
    }
  }
  return r;
}

PlanRules PlanRules::builtIn()
{
  std::string_view text = embeddedAsset("planning/rules.json");
  if (text.empty()) {
    throw Error(ErrorCode::Internal, "built-in planning rules missing");
  }
  return fromJson(text, "assets/planning/rules.json");
}

std::size_t PlanRules::unverifiedCount() const
{
  std::size_t n = 0;
  for (bool v : { maxLeads.verified,
                  preferredNeedleAngleDeg.verified,
                  minNeedleAngleDeg.verified,
                  maxNeedleAngleDeg.verified,
                  maxMedioLateralAngleDeg.verified,
                  ganglionClearanceMm.verified,
                  cordClearanceMm.verified,
                  cordRadiusMm.verified,
                  minCoverage.verified,
                  contactDorsalOffset.verified,
                  leadSpacingMm.verified,
                  strainReliefLoopDiameterMm.verified,
                  pocketSlackMm.verified,
                  connectorInsertionMm.verified,
                  pocketDepthMm.verified,
                  minPocketDepthMm.verified,
                  maxPocketDepthMm.verified,
                  pocketBoneClearanceMm.verified,
                  fallbackFasciaDepthMm.verified,
                  routeBoneToleranceMm.verified,
                  routeSacToleranceMm.verified,
                  trialExternalLeadMm.verified,
                  trialSuccessReliefPercent.verified }) {
    n += v ? 0 : 1;
  }
  return n;
}

const char* approachName(Approach a) noexcept
{
  switch (a) {
    case Approach::ContralateralInterlaminar:
      return "contralateral";
    case Approach::IpsilateralInterlaminar:
      return "ipsilateral";
    case Approach::Sacral:
      return "sacral";
  }
  return "contralateral";
}

Approach parseApproach(const std::string& text)
{
  if (text == "contralateral") {
    return Approach::ContralateralInterlaminar;
  }
  if (text == "ipsilateral") {
    return Approach::IpsilateralInterlaminar;
  }
  if (text == "sacral") {
    return Approach::Sacral;
  }
  throw Error(ErrorCode::InvalidArgument,
              "approach must be contralateral, ipsilateral or sacral, not '" + text + "'");
}

const char* severityName(Severity s) noexcept
{
  switch (s) {
    case Severity::Info:
      return "info";
    case Severity::Warning:
      return "warning";
    case Severity::Error:
      return "error";
  }
  return "warning";
}

const char* pocketSiteName(PocketSite s) noexcept
{
  return s == PocketSite::Abdomen ? "abdomen" : "buttock";
}

} // namespace drg::planning
