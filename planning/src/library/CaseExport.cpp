// A case folder exported for sharing, whole or de-identified: the case record and its plans without
// the patient's identity, image paths, UIDs (replaced consistently) or free text.
#include "drg/imaging/DerivedUid.h"
#include "drg/imaging/Error.h"
#include "drg/planning/CaseLibrary.h"
#include "drg/planning/Plan.h"

#include <set>

namespace drg::planning
{
namespace
{

namespace fs = std::filesystem;

/// A UID replaced by one derived from it: the same in every file of the export, unlinkable to it.
std::string replacedUid(const std::string& uid)
{
  return uid.empty() ? uid : imaging::derivedUid("drgplan-export-deidentified:" + uid);
}

/// The plan without who: PS3.15's basic profile for what a plan file holds (names, IDs, paths,
/// descriptions and free text removed, UIDs replaced); dates kept, as the profile's "retain
/// longitudinal temporal information" option allows, for the case's timeline.
Plan deidentified(Plan plan, const std::string& pseudonym)
{
  StudyReference& s = plan.study;
  s.source = "(de-identified)";
  s.patientKey.clear();
  s.patientLabel = pseudonym;
  s.studyUid = replacedUid(s.studyUid);
  s.seriesUid = replacedUid(s.seriesUid);
  s.frameOfReferenceUid = replacedUid(s.frameOfReferenceUid);
  s.studyDescription.clear();
  s.seriesDescription.clear();
  if (!s.levelsConfirmedBy.empty()) {
    s.levelsConfirmedBy = "(confirmed; who and how removed)";
  }
  for (auto& l : plan.leads) {
    if (l.trialResult) {
      l.trialResult->note.clear();
    }
  }
  if (plan.fromTrial) {
    TrialOrigin& t = *plan.fromTrial;
    t.file = fs::path(t.file).filename().string();
    t.studyUid = replacedUid(t.studyUid);
    t.seriesUid = replacedUid(t.seriesUid);
    for (auto& l : t.leads) {
      if (l.result) {
        l.result->note.clear();
      }
    }
  }
  return plan;
}

} // namespace

ExportResult exportCase(const fs::path& folder, const fs::path& out, bool deidentify,
                        const std::string& pseudonym)
{
  CaseRecord record = loadCase(folder);
  std::error_code ec;
  if (fs::exists(out, ec) && !fs::is_empty(out, ec)) {
    throw Error(ErrorCode::InvalidArgument, out.string() + " is not empty: export into a new folder");
  }
  if (deidentify && pseudonym.empty()) {
    throw Error(ErrorCode::InvalidArgument, "a de-identified export needs a pseudonym (--pseudonym)");
  }
  ExportResult result;
  std::vector<std::string>& written = result.written;
  if (!deidentify) {
    fs::create_directories(out);
    fs::copy(folder, out, fs::copy_options::recursive, ec);
    if (ec) {
      throw Error(ErrorCode::Io,
                  "cannot copy " + folder.string() + " to " + out.string() + ": " + ec.message());
    }
    for (const auto& e : fs::recursive_directory_iterator(out)) {
      if (e.is_regular_file()) {
        written.push_back(fs::relative(e.path(), out).generic_string());
      }
    }
    return result;
  }
  fs::create_directories(out);
  record.label = pseudonym;
  std::set<std::string> plans;
  for (auto& st : record.stages) {
    const fs::path p(st.file);
    if (st.kind == "trial-result") {
      st.note.clear(); // (may hold the user's free text)
    }
    if (p.is_absolute() || p.extension() != ".json" || *p.begin() == "..") {
      continue; // outside the case folder or not a plan: not exported
    }
    if (plans.insert(p.generic_string()).second) {
      try {
        const Plan plan = deidentified(loadPlan(folder / p), pseudonym);
        fs::create_directories((out / p).parent_path());
        savePlan(plan, out / p);
        written.push_back(p.generic_string());
      } catch (const Error& e) {
        result.skipped.emplace_back(p.generic_string(), e.what()); // (the rest of the case goes)
      }
    }
  }
  saveCase(record, out);
  written.push_back("case.json");
  return result;
}

} // namespace drg::planning
