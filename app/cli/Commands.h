#pragma once
// Subcommands of drgplan-cli. Each registers itself on the app and sets `run` to the action.

#include "drg/imaging/SpineCaseLoader.h"
#include "drg/planning/Plan.h"

#include <CLI/CLI.hpp>

#include <filesystem>
#include <functional>

namespace drg::cli
{

/// Common flags every command understands.
struct GlobalOptions
{
  bool quiet = false;
};

using Action = std::function<int()>;

/// `drgplan-cli phantom --out DIR [options]`: writes the spine phantom (DICOM, truth, labels).
void addPhantomCommand(CLI::App& app, const GlobalOptions& global, Action& run);

/// `drgplan-cli info IN` and `drgplan-cli convert IN OUT`: DICOM import.
void addImportCommands(CLI::App& app, const GlobalOptions& global, Action& run);

/// `drgplan-cli segment IN --out DIR`: the spine model.
void addSegmentCommand(CLI::App& app, const GlobalOptions& global, Action& run);

/// `drgplan-cli plan IN --targets L4-left,... --pocket buttock-left --out DIR`: auto-planned leads.
void addPlanCommand(CLI::App& app, const GlobalOptions& global, Action& run);

/// `drgplan-cli targets --pain REGION,... [--case DIR --accept T,...]`: targets from a pain map.
void addTargetsCommand(CLI::App& app, const GlobalOptions& global, Action& run);

/// `drgplan-cli trial-result CASE --lead L --relief P --keep|--drop` and `drgplan-cli permanent CASE
/// --keep L,... --pocket SITE-SIDE --out DIR`: the trial stage.
void addTrialCommands(CLI::App& app, const GlobalOptions& global, Action& run);

/// `drgplan-cli cases list|show|add|export|refresh`: the case library.
void addCasesCommand(CLI::App& app, const GlobalOptions& global, Action& run);

/// After a case folder changed: the default library, when there is one and it indexes the folder,
/// reads it again (a failure is a warning: the folder is the record).
void reindexCase(const std::filesystem::path& folder);

/// `drgplan-cli report PLAN --out DIR [--pdf] [--deidentify]`: the placement report.
void addReportCommand(CLI::App& app, const GlobalOptions& global, Action& run);

/// `drgplan-cli verify POSTOP --plan PLAN --out DIR`: the implanted leads against their plan.
void addVerifyCommand(CLI::App& app, const GlobalOptions& global, Action& run);

/// `drgplan-cli pacs servers|add|echo|find|get|send`: the PACS client.
void addPacsCommand(CLI::App& app, const GlobalOptions& global, Action& run);

/// The plan's images: `given` (--images) or the ones the plan names; throws drg::Error(NotFound)
/// when they are not there.
std::string planImages(const planning::StudyReference& study, const std::string& given);

/// A loader that names the levels as the plan was made on them (the user's renumbering, declared
/// transitional anatomy and anchor).
imaging::SpineCaseLoader planLevelsLoader(const planning::StudyReference& study);

/// "a,b,,c" -> {"a", "b", "c"}
std::vector<std::string> splitList(const std::string& text);

/// Prints progress on a terminal (stderr) unless quiet; returns true (never cancels).
bool reportProgress(const char* what, double fraction, bool quiet);

} // namespace drg::cli
