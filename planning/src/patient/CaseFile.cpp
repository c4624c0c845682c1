// case.json: the record of a patient's case (schema "drgplan-case"), deterministic text, atomic saves,
// clear refusals of foreign, corrupt and newer files.
#include "drg/planning/CaseFile.h"

#include "drg/imaging/AtomicOutput.h"
#include "drg/imaging/Error.h"
#include "drg/planning/Planner.h"

#include "../Sourced.h"
#include "PatientPathJson.h"

#include <nlohmann/json.hpp>

#include <fstream>
#include <set>
#include <sstream>

namespace drg::planning
{
using nlohmann::json;

std::string caseToJson(const CaseRecord& record)
{
  json regions = json::array();
  for (const auto& r : record.pain.regions) {
    regions.push_back(r);
  }
  json targets = json::array();
  for (const auto& t : record.targets) {
    targets.push_back(detail::acceptedTargetJson(t));
  }
  json stages = json::array();
  for (const auto& st : record.stages) {
    stages.push_back({ { "kind", st.kind }, { "file", st.file }, { "at", st.at }, { "note", st.note } });
  }
  const json j = { { "format", "drgplan-case" }, { "version", kCaseFileVersion },
                   { "label", record.label },    { "pain_map", { { "regions", regions } } },
                   { "targets", targets },       { "targets_accepted_at", record.targetsAcceptedAt },
                   { "stages", stages } };
  return j.dump(2) + "\n";
}

CaseRecord caseFromJson(std::string_view text_, const std::string& origin)
{
  const json j = detail::formattedDocument(text_, origin, "drgplan-case", "a drgplan case file");
  if (!j.contains("version") || !j["version"].is_number_integer()) {
    detail::fail(origin, "version", "missing or not a whole number");
  }
  if (j["version"].get<int>() > kCaseFileVersion) {
    throw Error(ErrorCode::Unsupported, origin + ": case file version " +
                                          std::to_string(j["version"].get<int>()) +
                                          " is newer than this drgplan reads (" +
                                          std::to_string(kCaseFileVersion) + "): update drgplan");
  }
  CaseRecord r;
  r.label = j.value("label", "");
  const json& pain = j.value("pain_map", json::object());
  for (const auto& region : pain.value("regions", json::array())) {
    if (!region.is_string()) {
      detail::fail(origin, "pain_map.regions", "every region must be text");
    }
    r.pain.regions.push_back(region.get<std::string>());
  }
  const json& targets = j.value("targets", json::array());
  for (std::size_t k = 0; k < targets.size(); ++k) {
    r.targets.push_back(detail::acceptedTargetFrom(targets[k], origin, "targets[" + std::to_string(k) + "]"));
  }
  r.targetsAcceptedAt = j.value("targets_accepted_at", "");
  for (const auto& st : j.value("stages", json::array())) {
    CaseStage stage;
    stage.kind = detail::textField(st, "kind", origin, "stages[]");
    stage.file = detail::textField(st, "file", origin, "stages[]");
    stage.at = detail::textField(st, "at", origin, "stages[]");
    stage.note = st.value("note", "");
    r.stages.push_back(stage);
  }
  return r;
}

void addStage(CaseRecord& record, const std::filesystem::path& folder, const std::string& kind,
              const std::filesystem::path& file, const std::string& note)
{
  namespace fs = std::filesystem;
  const fs::path caseDir = fs::weakly_canonical(fs::absolute(folder));
  const fs::path target = fs::weakly_canonical(fs::absolute(file));
  fs::path stored = target;
  const fs::path relative = target.lexically_relative(caseDir);
  if (!relative.empty() && *relative.begin() != "..") {
    stored = relative; // (inside the case: the folder moves as a whole)
  }
  record.stages.push_back({ kind, stored.generic_string(), utcNow(), note });
}

std::filesystem::path latestStageFile(const CaseRecord& record, const std::filesystem::path& folder,
                                      const std::string& kind)
{
  for (auto it = record.stages.rbegin(); it != record.stages.rend(); ++it) {
    if (it->kind == kind) {
      const std::filesystem::path p(it->file);
      return p.is_absolute() ? p : std::filesystem::absolute(folder) / p;
    }
  }
  return {};
}

std::filesystem::path caseFolderOf(const std::filesystem::path& planFile)
{
  std::filesystem::path folder = std::filesystem::absolute(planFile).parent_path();
  for (int up = 0; up < 3 && !folder.empty(); ++up, folder = folder.parent_path()) {
    std::error_code ec;
    if (std::filesystem::is_regular_file(caseFilePath(folder), ec)) {
      return folder;
    }
    if (folder == folder.root_path()) {
      break;
    }
  }
  return {};
}

std::filesystem::path recordPlanInCase(const std::filesystem::path& planFile, PlanKind kind,
                                       const std::string& note)
{
  const std::filesystem::path folder = caseFolderOf(planFile);
  if (folder.empty()) {
    return {};
  }
  CaseRecord record = loadCase(folder);
  const std::filesystem::path plan = std::filesystem::weakly_canonical(std::filesystem::absolute(planFile));
  for (const auto& st : record.stages) {
    const std::filesystem::path p(st.file);
    if (std::filesystem::weakly_canonical(p.is_absolute() ? p : folder / p) == plan) {
      return {}; // (already a stage: saving it again changes the file, not the case's path)
    }
  }
  addStage(record, folder, std::string(planKindName(kind)) + "-plan", planFile, note);
  saveCase(record, folder);
  return folder;
}

std::filesystem::path caseFilePath(const std::filesystem::path& folder)
{
  return folder / "case.json";
}

CaseRecord loadCase(const std::filesystem::path& folder)
{
  const std::filesystem::path file = caseFilePath(folder);
  if (!std::filesystem::is_regular_file(file)) {
    throw Error(ErrorCode::NotFound, folder.string() +
                                       " holds no case (no case.json): start one with "
                                       "`drgplan-cli targets --pain ... --case " +
                                       folder.string() + " --accept ...`");
  }
  std::ifstream in(file, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  if (!in && !in.eof()) {
    throw Error(ErrorCode::Io, file.string() + ": cannot be read");
  }
  return caseFromJson(ss.str(), file.string());
}

void saveCase(const CaseRecord& record, const std::filesystem::path& folder)
{
  std::error_code ec;
  std::filesystem::create_directories(folder, ec);
  if (ec) {
    throw Error(ErrorCode::Io, folder.string() + ": cannot create the case folder: " + ec.message());
  }
  imaging::writeFileAtomically(caseFilePath(folder), caseToJson(record));
}

std::vector<AcceptedTarget> acceptTargets(const std::vector<std::string>& names,
                                          const std::vector<TargetSuggestion>& suggestions, int maxLeads)
{
  if (names.empty()) {
    throw Error(ErrorCode::InvalidArgument, "no target to accept: name them, e.g. --accept L5-left,S1-left");
  }
  if (static_cast<int>(names.size()) > maxLeads) {
    throw Error(ErrorCode::InvalidArgument, std::to_string(names.size()) + " targets: a plan holds at most " +
                                              std::to_string(maxLeads) + " leads");
  }
  std::vector<AcceptedTarget> out;
  std::set<std::string> seen;
  for (const auto& name : names) {
    AcceptedTarget a;
    std::tie(a.level, a.side) = parseTarget(name);
    if (!seen.insert(targetId(a.level, a.side)).second) {
      throw Error(ErrorCode::InvalidArgument, "the target " + name + " is given twice");
    }
    a.reason = "chosen by the user";
    for (const auto& s : suggestions) {
      if (s.level == a.level && s.side == a.side) {
        a.suggested = true;
        a.reason = s.reason;
      }
    }
    out.push_back(a);
  }
  return out;
}

} // namespace drg::planning
