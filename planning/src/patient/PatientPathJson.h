#pragma once
// Internal: the plan file's parts of the patient's path (version 2): the indication (pain map and
// accepted targets), a trial lead's result and the trial a permanent plan came from, read with
// errors that say where.

#include "drg/planning/Plan.h"

#include <nlohmann/json.hpp>

#include <string>

namespace drg::planning::detail
{

/// The text field `name` of `j`; throws drg::Error(Format) "<origin>: <where>.<name>: missing or not
/// text".
std::string textField(const nlohmann::json& j, const char* name, const std::string& origin,
                      const std::string& where);

nlohmann::json trialResultJson(const TrialResult& r);
/// Throws drg::Error(Format) "<origin>: <where>.<field>: ..." for a field missing or out of range.
TrialResult trialResultFrom(const nlohmann::json& j, const std::string& origin, const std::string& where);

nlohmann::json trialSummaryJson(const TrialSummary& t);
TrialSummary trialSummaryFrom(const nlohmann::json& j, const std::string& origin, const std::string& where);

nlohmann::json trialOriginJson(const TrialOrigin& t);
TrialOrigin trialOriginFrom(const nlohmann::json& j, const std::string& origin, const std::string& where);

nlohmann::json acceptedTargetJson(const AcceptedTarget& t);
AcceptedTarget acceptedTargetFrom(const nlohmann::json& j, const std::string& origin,
                                  const std::string& where);

nlohmann::json indicationJson(const PlanIndication& i);
PlanIndication indicationFrom(const nlohmann::json& j, const std::string& origin, const std::string& where);

} // namespace drg::planning::detail
