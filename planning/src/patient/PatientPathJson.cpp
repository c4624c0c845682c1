// The plan file's parts of the patient's path: the indication ("indication": the pain map and the
// accepted targets), a trial lead's result ("trial_result") and, in a permanent plan, the trial it
// came from ("from_trial") with every trial lead's outcome.
#include "PatientPathJson.h"

#include "../Sourced.h"

#include "drg/imaging/Error.h"
#include "drg/planning/Planner.h"

namespace drg::planning::detail
{

using nlohmann::json;

std::string textField(const json& j, const char* name, const std::string& origin, const std::string& where)
{
  if (!j.contains(name) || !j.at(name).is_string()) {
    fail(origin, where + "." + name, "missing or not text");
  }
  return j.at(name).get<std::string>();
}

json trialResultJson(const TrialResult& r)
{
  return { { "relief_percent", r.reliefPercent },
           { "coverage_percent", r.coveragePercent < 0 ? json(nullptr) : json(r.coveragePercent) },
           { "contacts_used", r.contactsUsed },
           { "keep", r.keep },
           { "note", r.note },
           { "entered_at", r.enteredAt } };
}

TrialResult trialResultFrom(const json& j, const std::string& origin, const std::string& where)
{
  if (!j.is_object()) {
    fail(origin, where, "must be an object");
  }
  TrialResult r;
  if (!j.contains("relief_percent") || !j["relief_percent"].is_number() ||
      !(j["relief_percent"].get<double>() >= 0.0 && j["relief_percent"].get<double>() <= 100.0)) {
    fail(origin, where + ".relief_percent", "must be a number from 0 to 100");
  }
  r.reliefPercent = j["relief_percent"].get<double>();
  if (j.contains("coverage_percent") && !j["coverage_percent"].is_null()) {
    if (!j["coverage_percent"].is_number_integer() || j["coverage_percent"].get<int>() < 0 ||
        j["coverage_percent"].get<int>() > 100) {
      fail(origin, where + ".coverage_percent", "must be a whole number from 0 to 100, or null");
    }
    r.coveragePercent = j["coverage_percent"].get<int>();
  }
  r.contactsUsed = textField(j, "contacts_used", origin, where);
  if (!j.contains("keep") || !j["keep"].is_boolean()) {
    fail(origin, where + ".keep", "must be true or false");
  }
  r.keep = j["keep"].get<bool>();
  r.note = textField(j, "note", origin, where);
  r.enteredAt = textField(j, "entered_at", origin, where);
  return r;
}

json trialSummaryJson(const TrialSummary& t)
{
  auto nrs = [](int v) { return v < 0 ? json(nullptr) : json(v); };
  return { { "started", t.started },
           { "ended", t.ended },
           { "pain_before_nrs", nrs(t.painBefore) },
           { "pain_during_nrs", nrs(t.painDuring) } };
}

TrialSummary trialSummaryFrom(const json& j, const std::string& origin, const std::string& where)
{
  if (!j.is_object()) {
    fail(origin, where, "must be an object");
  }
  TrialSummary t;
  t.started = textField(j, "started", origin, where);
  t.ended = textField(j, "ended", origin, where);
  for (const auto& [name, value] : { std::pair<const char*, int*>{ "pain_before_nrs", &t.painBefore },
                                     { "pain_during_nrs", &t.painDuring } }) {
    if (j.contains(name) && !j[name].is_null()) {
      if (!j[name].is_number_integer() || j[name].get<int>() < 0 || j[name].get<int>() > 10) {
        fail(origin, where + "." + name, "must be a whole number from 0 to 10, or null");
      }
      *value = j[name].get<int>();
    }
  }
  return t;
}

json trialOriginJson(const TrialOrigin& t)
{
  json leads = json::array();
  for (const auto& l : t.leads) {
    leads.push_back({ { "name", l.name },
                      { "target", l.target },
                      { "result", l.result ? trialResultJson(*l.result) : json(nullptr) },
                      { "kept", l.kept } });
  }
  json out = { { "file", t.file },
               { "study_uid", t.studyUid },
               { "series_uid", t.seriesUid },
               { "study_date", t.studyDate },
               { "leads", leads } };
  if (t.summary) {
    out["summary"] = trialSummaryJson(*t.summary);
  }
  return out;
}

TrialOrigin trialOriginFrom(const json& j, const std::string& origin, const std::string& where)
{
  if (!j.is_object()) {
    fail(origin, where, "must be an object");
  }
  TrialOrigin t;
  t.file = textField(j, "file", origin, where);
  t.studyUid = textField(j, "study_uid", origin, where);
  t.seriesUid = textField(j, "series_uid", origin, where);
  t.studyDate = textField(j, "study_date", origin, where);
  if (!j.contains("leads") || !j["leads"].is_array()) {
    fail(origin, where + ".leads", "must be a list");
  }
  for (std::size_t i = 0; i < j["leads"].size(); ++i) {
    const json& l = j["leads"][i];
    const std::string w = where + ".leads[" + std::to_string(i) + "]";
    if (!l.is_object()) {
      fail(origin, w, "must be an object");
    }
    TrialOrigin::Lead lead;
    lead.name = textField(l, "name", origin, w);
    lead.target = textField(l, "target", origin, w);
    if (l.contains("result") && !l["result"].is_null()) {
      lead.result = trialResultFrom(l["result"], origin, w + ".result");
    }
    if (!l.contains("kept") || !l["kept"].is_boolean()) {
      fail(origin, w + ".kept", "must be true or false");
    }
    lead.kept = l["kept"].get<bool>();
    t.leads.push_back(std::move(lead));
  }
  if (j.contains("summary") && !j["summary"].is_null()) {
    t.summary = trialSummaryFrom(j["summary"], origin, where + ".summary");
  }
  return t;
}

json acceptedTargetJson(const AcceptedTarget& t)
{
  return { { "target", targetId(t.level, t.side) }, { "suggested", t.suggested }, { "reason", t.reason } };
}

AcceptedTarget acceptedTargetFrom(const json& j, const std::string& origin, const std::string& where)
{
  if (!j.is_object()) {
    fail(origin, where, "must be an object");
  }
  AcceptedTarget a;
  try {
    std::tie(a.level, a.side) = parseTarget(textField(j, "target", origin, where));
  } catch (const Error& e) {
    if (e.code() == ErrorCode::Format) {
      throw;
    }
    fail(origin, where + ".target", e.what());
  }
  if (!j.contains("suggested") || !j["suggested"].is_boolean()) {
    fail(origin, where + ".suggested", "must be true or false");
  }
  a.suggested = j["suggested"].get<bool>();
  a.reason = textField(j, "reason", origin, where);
  return a;
}

json indicationJson(const PlanIndication& i)
{
  json targets = json::array();
  for (const auto& t : i.targets) {
    targets.push_back(acceptedTargetJson(t));
  }
  return { { "pain_regions", i.painRegions }, { "targets", targets }, { "accepted_at", i.acceptedAt } };
}

PlanIndication indicationFrom(const json& j, const std::string& origin, const std::string& where)
{
  if (!j.is_object()) {
    fail(origin, where, "must be an object");
  }
  PlanIndication i;
  if (!j.contains("pain_regions") || !j["pain_regions"].is_array()) {
    fail(origin, where + ".pain_regions", "must be a list");
  }
  for (const auto& r : j["pain_regions"]) {
    if (!r.is_string()) {
      fail(origin, where + ".pain_regions", "every region must be text");
    }
    i.painRegions.push_back(r.get<std::string>());
  }
  if (!j.contains("targets") || !j["targets"].is_array()) {
    fail(origin, where + ".targets", "must be a list");
  }
  for (std::size_t k = 0; k < j["targets"].size(); ++k) {
    i.targets.push_back(
      acceptedTargetFrom(j["targets"][k], origin, where + ".targets[" + std::to_string(k) + "]"));
  }
  i.acceptedAt = textField(j, "accepted_at", origin, where);
  return i;
}

} // namespace drg::planning::detail
