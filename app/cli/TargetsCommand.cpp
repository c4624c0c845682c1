// `drgplan-cli targets --pain foot-sole-left,knee-front-left [--json] [--case DIR --accept L5-left]`:
// the ranked DRG targets a pain map suggests, with their reasons; `--list-regions` names the body
// chart's regions. With --case, the pain map and the accepted targets are the case's first stage
// (DIR/case.json), which `plan --from-case DIR` starts from.
#include "Commands.h"

#include "drg/imaging/Error.h"
#include "drg/planning/CaseFile.h"
#include "drg/planning/PainMap.h"
#include "drg/planning/Planner.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>
#include <memory>

namespace drg::cli
{
namespace
{
using namespace drg::planning;

struct TargetsArgs
{
  std::string pain;
  std::string caseDir;
  std::string accept;
  bool listRegions = false;
  bool json = false;
};

int listRegions(const BodyChart& chart, const TargetGuidance& guidance, bool asJson)
{
  nlohmann::json regions = nlohmann::json::array();
  for (const auto& r : chart.regions()) {
    std::string dermatomes;
    for (const auto& d : guidance.dermatomes) {
      if (d.region == r.base) {
        for (const auto& lw : d.levels) {
          dermatomes += (dermatomes.empty() ? "" : " ") + lw.level;
        }
      }
    }
    if (asJson) {
      regions.push_back({ { "id", r.id },
                          { "label", r.label },
                          { "view", chartViewName(r.view) },
                          { "side", imaging::sideName(r.side) },
                          { "dermatomes", dermatomes } });
    } else {
      std::printf("%-24s %-6s %-34s dermatomes %s\n", r.id.c_str(), chartViewName(r.view), r.label.c_str(),
                  dermatomes.c_str());
    }
  }
  if (asJson) {
    std::cout << nlohmann::json{ { "regions", regions } }.dump(2) << "\n";
  }
  return 0;
}

nlohmann::json suggestionsJson(const std::vector<TargetSuggestion>& suggestions)
{
  nlohmann::json out = nlohmann::json::array();
  int rank = 0;
  for (const auto& s : suggestions) {
    out.push_back({ { "rank", ++rank },
                    { "target", targetId(s.level, s.side) },
                    { "level", s.level },
                    { "side", imaging::sideName(s.side) },
                    { "score", s.score },
                    { "reason", s.reason },
                    { "regions", s.regions },
                    { "sources", s.sources },
                    { "verified", s.verified },
                    { "plannable", s.plannable } });
  }
  return out;
}

int runTargets(const TargetsArgs& a)
{
  const BodyChart chart = BodyChart::builtIn();
  const TargetGuidance guidance = TargetGuidance::builtIn();
  if (a.listRegions) {
    return listRegions(chart, guidance, a.json);
  }
  if (a.pain.empty()) {
    throw Error(ErrorCode::InvalidArgument,
                "say where it hurts: --pain REGION,... (the regions: drgplan-cli targets --list-regions)");
  }
  if (!a.accept.empty() && a.caseDir.empty()) {
    throw Error(ErrorCode::InvalidArgument,
                "--accept needs --case DIR: the case the targets are accepted for");
  }
  PainMap pain{ splitList(a.pain) };
  const std::vector<TargetSuggestion> suggestions = suggestTargets(pain, chart, guidance);
  std::optional<CaseRecord> record;
  if (!a.accept.empty()) {
    record = CaseRecord{};
    if (std::filesystem::exists(caseFilePath(a.caseDir))) {
      record = loadCase(a.caseDir); // (keeps the case's other stages)
    }
    record->pain = pain;
    record->targets = acceptTargets(splitList(a.accept), suggestions, PlanRules::builtIn().maxLeads.value);
    record->targetsAcceptedAt = utcNow();
    saveCase(*record, a.caseDir);
    reindexCase(a.caseDir);
  }
  if (a.json) {
    nlohmann::json out = { { "pain", pain.regions }, { "suggestions", suggestionsJson(suggestions) } };
    if (record) {
      out["case"] = caseFilePath(a.caseDir).string();
    }
    std::cout << out.dump(2) << "\n";
    return 0;
  }
  std::cout << "targets for the pain in " << a.pain << ", best first:\n";
  std::cout << "rank  target      score  reason\n";
  int rank = 0;
  for (const auto& s : suggestions) {
    std::printf("%4d  %-10s %5.1f  %s%s\n", ++rank, targetId(s.level, s.side).c_str(), s.score,
                s.plannable ? "" : "(a ganglion drgplan does not plan) ", s.reason.c_str());
  }
  bool allVerified = true;
  std::cout << "\nsources:\n";
  std::vector<std::string> seen;
  for (const auto& s : suggestions) {
    allVerified = allVerified && s.verified;
    for (const auto& src : s.sources) {
      if (std::find(seen.begin(), seen.end(), src) == seen.end()) {
        seen.push_back(src);
        std::cout << "  - " << src << "\n";
      }
    }
  }
  if (!allVerified) {
    std::cout
      << "note: the guidance is unverified seed data (not yet checked by a person against the papers); "
         "the choice of levels is the physician's\n";
  }
  if (record) {
    std::cout << "\naccepted for the case in " << a.caseDir << ":";
    for (const auto& t : record->targets) {
      std::cout << " " << targetId(t.level, t.side) << (t.suggested ? "" : " (the user's choice)");
    }
    std::cout << "\nplan them with: drgplan-cli plan IMAGES --from-case " << a.caseDir << " --out DIR\n";
  }
  return 0;
}

} // namespace

void addTargetsCommand(CLI::App& app, const GlobalOptions& /*global*/, Action& run)
{
  auto args = std::make_shared<TargetsArgs>();
  CLI::App* cmd = app.add_subcommand(
    "targets", "suggest DRG targets (level and side) for a pain map, best first, with the reason for each");
  cmd->add_option("--pain", args->pain,
                  "comma-separated painful regions, e.g. foot-sole-left,knee-front-left");
  cmd->add_flag("--list-regions", args->listRegions, "list the body chart's regions and their dermatomes");
  cmd->add_option("--case", args->caseDir,
                  "case folder: with --accept, record the pain map and targets there");
  cmd->add_option("--accept", args->accept,
                  "comma-separated targets accepted for the case (1-4), e.g. L5-left,S1-left");
  cmd->add_flag("--json", args->json, "print JSON instead of the table");
  cmd->callback([args, &run] { run = [args] { return runTargets(*args); }; });
}

} // namespace drg::cli
