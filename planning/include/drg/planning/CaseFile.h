#pragma once
// A patient's case on disk: a folder with case.json, the record of the stages (the pain map and the
// targets the user accepted from it; later the trial and permanent plans and their results). Each
// stage's own files stay beside it; case.json is written atomically and names them relative to the
// folder, so a case folder can be moved or copied whole.

#include "drg/planning/PainMap.h"
#include "drg/planning/Plan.h"

#include <filesystem>
#include <string>
#include <vector>

namespace drg::planning
{

/// One step of the case's timeline and the file it left.
struct CaseStage
{
  std::string kind; ///< "trial-plan", "trial-result", "permanent-plan", "report", "verification"
  std::string file; ///< relative to the case folder when inside it, else absolute
  std::string at;   ///< UTC, ISO 8601
  std::string note; ///< one line for the timeline, e.g. "L4 left: 70 % relief, keep"
};

struct CaseRecord
{
  /// Who, as the team names the case: a pseudonym or the patient's initials and birth year (never
  /// the full name or ID: the library lists it and exports keep it)
  std::string label;
  PainMap pain;
  std::vector<AcceptedTarget> targets; ///< best first, as accepted
  std::string targetsAcceptedAt;       ///< UTC, ISO 8601
  std::vector<CaseStage> stages;       ///< in the order they happened
};

/// Adds a stage for `file` (stored relative to `folder` when inside it), stamped now (UTC).
void addStage(CaseRecord& record, const std::filesystem::path& folder, const std::string& kind,
              const std::filesystem::path& file, const std::string& note);

/// The file of the case's latest stage of `kind` (absolute), or empty when there is none.
std::filesystem::path latestStageFile(const CaseRecord& record, const std::filesystem::path& folder,
                                      const std::string& kind);

/// The case a plan file saved at `planFile` belongs to: the nearest folder holding case.json, the
/// plan's own or one or two above it (a case keeps its stages in subfolders); empty when none.
std::filesystem::path caseFolderOf(const std::filesystem::path& planFile);

/// A plan saved inside a case folder joins the case's timeline ("trial-plan" or "permanent-plan"),
/// once: the same file again is not a new stage. Returns the case folder when it was recorded, else
/// empty (no case, or already there).
std::filesystem::path recordPlanInCase(const std::filesystem::path& planFile, PlanKind kind,
                                       const std::string& note);

constexpr int kCaseFileVersion = 1;

/// The case file's text (schema "drgplan-case"), deterministic.
std::string caseToJson(const CaseRecord& record);

/// Parses a case file's text; throws drg::Error(Format) naming what is wrong, drg::Error(Unsupported)
/// for a newer version.
CaseRecord caseFromJson(std::string_view text, const std::string& origin);

/// `folder`/case.json
std::filesystem::path caseFilePath(const std::filesystem::path& folder);

/// Reads `folder`/case.json; throws drg::Error(NotFound) when the folder holds no case, else as
/// caseFromJson.
CaseRecord loadCase(const std::filesystem::path& folder);

/// Writes `folder`/case.json atomically, creating the folder.
void saveCase(const CaseRecord& record, const std::filesystem::path& folder);

/// The accepted targets for "L5-left,S1-left": each marked as suggested (with the suggestion's
/// reason) when it is among `suggestions`. Throws drg::Error(InvalidArgument) for a target that is not
/// LEVEL-SIDE, one given twice, or more than `maxLeads`.
std::vector<AcceptedTarget> acceptTargets(const std::vector<std::string>& names,
                                          const std::vector<TargetSuggestion>& suggestions, int maxLeads);

} // namespace drg::planning
