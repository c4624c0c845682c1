// `drgplan-cli cases list|show|add|export|refresh`: the case library (a local SQLite index of case
// folders). A case is named by its library id or its folder.
#include "Commands.h"

#include "drg/imaging/Error.h"
#include "drg/planning/CaseLibrary.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>

namespace drg::cli
{
namespace
{
using namespace drg::planning;
namespace fs = std::filesystem;

struct CasesArgs
{
  std::string library;
  std::string which; ///< id or folder
  std::string label;
  std::string search;
  std::string out;
  std::string pseudonym;
  bool deidentify = false;
  bool json = false;
  int limit = 50;
};

fs::path libraryPath(const CasesArgs& a)
{
  return a.library.empty() ? CaseLibrary::defaultPath() : fs::path(a.library);
}

/// The case `which` names: a library id, or a folder indexed in the library.
std::int64_t caseId(const CaseLibrary& lib, const std::string& which)
{
  if (!which.empty() && which.find_first_not_of("0123456789") == std::string::npos) {
    return std::stoll(which);
  }
  if (const auto c = lib.findFolder(which)) {
    return c->id;
  }
  throw Error(ErrorCode::NotFound, which + " is not a case in the library " + lib.file().string() +
                                     ": add it with drgplan-cli cases add " + which);
}

nlohmann::json summaryJson(const CaseSummary& c)
{
  return { { "id", c.id },
           { "label", c.label },
           { "folder", c.folder },
           { "targets", c.targets },
           { "stages", c.stageCount },
           { "last_stage", c.lastStage },
           { "last_stage_at", c.lastStageAt } };
}

int runList(const CasesArgs& a)
{
  CaseLibrary lib(libraryPath(a));
  const auto cases = lib.list(a.search, a.limit);
  if (a.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& c : cases) {
      out.push_back(summaryJson(c));
    }
    std::cout << out.dump(2) << "\n";
    return 0;
  }
  std::printf("%6s  %-18s %-26s %-22s %s\n", "id", "case", "targets", "last stage", "folder");
  for (const auto& c : cases) {
    std::printf(
      "%6lld  %-18s %-26s %-22s %s\n", static_cast<long long>(c.id), c.label.c_str(), c.targets.c_str(),
      (c.lastStage.empty() ? std::string("-") : c.lastStage + " " + c.lastStageAt.substr(0, 10)).c_str(),
      c.folder.c_str());
  }
  std::printf("%zu of %lld cases%s\n", cases.size(), static_cast<long long>(lib.count()),
              a.search.empty() ? "" : (" matching '" + a.search + "'").c_str());
  return 0;
}

int runShow(const CasesArgs& a)
{
  CaseLibrary lib(libraryPath(a));
  const CaseDetails d = lib.open(caseId(lib, a.which));
  int problems = d.problem.empty() ? 0 : 1;
  for (const auto& s : d.stages) {
    problems += s.problem.empty() ? 0 : 1;
  }
  if (a.json) {
    nlohmann::json stages = nlohmann::json::array();
    for (const auto& s : d.stages) {
      stages.push_back({ { "kind", s.stage.kind },
                         { "file", s.stage.file },
                         { "at", s.stage.at },
                         { "note", s.stage.note },
                         { "problem", s.problem } });
    }
    nlohmann::json out = summaryJson(d.summary);
    out["timeline"] = stages;
    out["problem"] = d.problem;
    if (d.record) {
      out["pain_regions"] = d.record->pain.regions;
    }
    std::cout << out.dump(2) << "\n";
    return problems ? 9 : 0;
  }
  std::cout << "case " << d.summary.id << ": " << d.summary.label << "\n  folder: " << d.summary.folder
            << "\n";
  if (!d.problem.empty()) {
    std::cout << "  CASE FILE UNREADABLE: " << d.problem
              << "\n  (the timeline below is the library's copy)\n";
  }
  if (d.record) {
    std::string regions;
    for (const auto& r : d.record->pain.regions) {
      regions += (regions.empty() ? "" : ", ") + r;
    }
    std::cout << "  pain map: " << (regions.empty() ? std::string("none") : regions) << "\n";
    std::cout << "  targets: "
              << (d.summary.targets.empty() ? std::string("none accepted") : d.summary.targets) << "\n";
  }
  std::cout << "  timeline:\n";
  if (d.record && !d.record->targetsAcceptedAt.empty()) {
    std::printf("    %-20s %-15s %s\n", d.record->targetsAcceptedAt.c_str(), "targets",
                d.summary.targets.c_str());
  }
  for (const auto& s : d.stages) {
    std::printf("    %-20s %-15s %s%s%s\n", s.stage.at.c_str(), s.stage.kind.c_str(), s.stage.file.c_str(),
                s.stage.note.empty() ? "" : ("  " + s.stage.note).c_str(),
                s.problem.empty() ? "" : ("  [" + s.problem + "]").c_str());
  }
  if (problems) {
    std::cout << problems
              << " file(s) of this case missing or damaged (marked); the rest of the case opens\n";
  }
  return problems ? 9 : 0;
}

int runAdd(const CasesArgs& a)
{
  if (!fs::exists(caseFilePath(a.which))) {
    if (a.label.empty()) {
      throw Error(ErrorCode::InvalidArgument, a.which +
                                                " holds no case yet: give --label (a pseudonym, or initials "
                                                "and birth year) to start one");
    }
    saveCase(CaseRecord{}, a.which);
  }
  if (!a.label.empty()) {
    CaseRecord r = loadCase(a.which);
    r.label = a.label;
    saveCase(r, a.which);
  }
  CaseLibrary lib(libraryPath(a));
  const std::int64_t id = lib.add(a.which);
  std::cout << "case " << id << " indexed in " << lib.file().string() << "\n";
  return 0;
}

int runExport(const CasesArgs& a)
{
  fs::path folder = a.which;
  if (!fs::is_directory(folder)) {
    CaseLibrary lib(libraryPath(a));
    folder = lib.open(caseId(lib, a.which)).summary.folder;
  }
  const ExportResult result = exportCase(folder, a.out, a.deidentify, a.pseudonym);
  for (const auto& [file, why] : result.skipped) {
    std::cout << "not exported: " << file << ": " << why << "\n";
  }
  std::cout << result.written.size() << " files exported to " << a.out
            << (a.deidentify ? " (de-identified)" : "") << "\n";
  if (a.deidentify) {
    std::cout
      << "not exported: reports, images and spine models (they may hold identity); make the report again "
         "from an exported plan with drgplan-cli report PLAN --deidentify --images ...\n";
  }
  return result.skipped.empty() ? 0 : 9;
}

int runRefresh(const CasesArgs& a)
{
  CaseLibrary lib(libraryPath(a));
  const auto problems = lib.refreshAll();
  for (const auto& [folder, why] : problems) {
    std::cout << "unreadable: " << folder << ": " << why << "\n";
  }
  std::cout << lib.count() << " cases indexed, " << problems.size() << " unreadable\n";
  return problems.empty() ? 0 : 9;
}

} // namespace

void reindexCase(const fs::path& folder)
{
  if (const std::string why = reindexIfIndexed(folder); !why.empty()) {
    std::cerr << "warning: the case library was not updated (" << why
              << "); drgplan-cli cases refresh updates it from the folders\n";
  }
}

void addCasesCommand(CLI::App& app, const GlobalOptions& /*global*/, Action& run)
{
  auto a = std::make_shared<CasesArgs>();
  CLI::App* cmd = app.add_subcommand("cases", "the case library: list, show, add, export and refresh cases");
  cmd->require_subcommand(1);
  cmd->add_option("--library", a->library,
                  "the library file (default: $DRGPLAN_LIBRARY or ~/.local/share/drgplan/cases.sqlite)");
  CLI::App* list = cmd->add_subcommand("list", "list the cases, most recently changed first");
  list->add_option("--search", a->search, "only cases whose label, folder or targets contain this");
  list->add_option("--limit", a->limit, "at most this many (default 50)");
  list->add_flag("--json", a->json, "print JSON");
  list->callback([a, &run] { run = [a] { return runList(*a); }; });
  CLI::App* show = cmd->add_subcommand("show", "a case's pain map, targets and timeline, each file checked");
  show->add_option("case", a->which, "library id or case folder")->required();
  show->add_flag("--json", a->json, "print JSON");
  show->callback([a, &run] { run = [a] { return runShow(*a); }; });
  CLI::App* add = cmd->add_subcommand("add", "index a case folder (start one with --label)");
  add->add_option("folder", a->which, "the case folder")->required();
  add->add_option("--label", a->label, "pseudonym, or initials and birth year (never the full name or ID)");
  add->callback([a, &run] { run = [a] { return runAdd(*a); }; });
  CLI::App* exp = cmd->add_subcommand("export", "copy a case for sharing, whole or de-identified");
  exp->add_option("case", a->which, "library id or case folder")->required();
  exp->add_option("--out", a->out, "a new folder")->required();
  exp->add_flag("--deidentify", a->deidentify, "without the patient's identity (DICOM PS3.15 basic profile)");
  exp->add_option("--pseudonym", a->pseudonym, "the de-identified case's name");
  exp->callback([a, &run] { run = [a] { return runExport(*a); }; });
  CLI::App* refresh = cmd->add_subcommand("refresh", "read every indexed case folder again");
  refresh->callback([a, &run] { run = [a] { return runRefresh(*a); }; });
}

} // namespace drg::cli
