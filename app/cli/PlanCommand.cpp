// `drgplan-cli plan IN --targets L4-left,L5-left|--from-case DIR --pocket buttock-left --out DIR`: the spine
// model, auto-planned leads and pocket, the plan file and a table of leads, pocket and findings.
#include "Commands.h"
#include "PlanSession.h"

#include "drg/imaging/Error.h"
#include "drg/imaging/SpineCaseLoader.h"
#include "drg/planning/CaseFile.h"
#include "drg/planning/PlanEditor.h"
#include "drg/planning/Planner.h"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <sstream>

namespace drg::cli
{
namespace
{
using namespace drg::imaging;
using namespace drg::planning;

struct PlanArgs
{
  std::string input;
  std::string out;
  std::string series;
  std::string targets;
  std::string fromCase;
  std::string kind = "permanent";
  std::string pocket;
  std::string approach;
  std::string modality = "auto";
  int shift = 0;
  std::string transitional;
  std::string levelAt;
  std::string confirmLevels;
  std::string devices;
  bool json = false;
};

/// "L3 left, L5 left"
std::string leadNames(const Plan& plan)
{
  std::string out;
  for (const auto& l : plan.leads) {
    out += (out.empty() ? "" : ", ") + l.name;
  }
  return out;
}

int runPlan(const PlanArgs& a, const GlobalOptions& global)
{
  std::vector<std::pair<std::string, Side>> parsed;
  std::optional<PlanIndication> indication;
  if (!a.fromCase.empty()) {
    if (!a.targets.empty()) {
      throw Error(ErrorCode::InvalidArgument, "give --targets or --from-case, not both");
    }
    const CaseRecord record = loadCase(a.fromCase);
    indication = PlanIndication{ record.pain.regions, record.targets, record.targetsAcceptedAt };
    if (record.targets.empty()) {
      throw Error(ErrorCode::InvalidArgument,
                  "the case in " + a.fromCase +
                    " has no accepted targets: accept them with `drgplan-cli targets "
                    "--pain ... --case " +
                    a.fromCase + " --accept ...`");
    }
    for (const auto& t : record.targets) {
      parsed.emplace_back(t.level, t.side);
    }
  } else {
    for (const auto& t : splitList(a.targets)) {
      parsed.push_back(parseTarget(t));
    }
  }
  if (parsed.empty()) {
    throw Error(ErrorCode::InvalidArgument,
                "say what to plan: --targets LEVEL-SIDE,... (e.g. L4-left) or --from-case DIR");
  }
  const PlanKind kind = parsePlanKind(a.kind);
  if (kind == PlanKind::Trial && !a.pocket.empty()) {
    throw Error(
      ErrorCode::InvalidArgument,
      "a trial plan has no pocket (its leads leave the skin for the external trial stimulator): drop "
      "--pocket, or plan the pocket in the permanent plan (drgplan-cli permanent)");
  }
  std::optional<std::pair<PocketSite, Side>> pocket;
  if (!a.pocket.empty()) {
    pocket = parsePocket(a.pocket);
  }
  const bool approachGiven = !a.approach.empty();
  const Approach approach = approachGiven ? parseApproach(a.approach) : Approach::ContralateralInterlaminar;
  const int maxLeads = PlanRules::builtIn().maxLeads.value;
  if (static_cast<int>(parsed.size()) > maxLeads) {
    throw Error(ErrorCode::InvalidArgument, std::to_string(parsed.size()) +
                                              " targets: a plan holds at most " + std::to_string(maxLeads) +
                                              " leads");
  }

  SpineCaseLoader loader(SpineCaseLoader::parseOptions(a.modality, a.shift, a.transitional, 0.0, a.levelAt));
  const std::unique_ptr<PlanSession> session =
    openPlanSession(loader, a.input, a.series, a.devices, a.levelAt, global.quiet);
  Plan start;
  start.kind = kind;
  start.indication = indication;
  start.study = session->study;
  PlanEditor editor(*session->planner, start);
  if (!a.confirmLevels.empty()) {
    editor.confirmLevels(a.confirmLevels);
  }
  for (const auto& [level, side] : parsed) {
    const int i = editor.addLead(level + " " + sideName(side), level, side);
    if (approachGiven && level != "S1") {
      editor.setApproach(i, approach); // (refuses "sacral" for a lumbar target)
    }
  }
  if (pocket) {
    editor.setPocket(pocket->first, pocket->second);
  }
  const Plan& plan = editor.plan();
  std::filesystem::create_directories(a.out);
  writeSpineModel(session->model, a.out);
  const std::filesystem::path file = std::filesystem::path(a.out) / "plan.drgplan.json";
  savePlan(plan, file);
  if (a.json) {
    std::cout << planToJson(plan);
    return 0;
  }
  if (!a.fromCase.empty()) {
    CaseRecord record = loadCase(a.fromCase);
    addStage(record, a.fromCase, std::string(planKindName(kind)) + "-plan", file, leadNames(plan));
    saveCase(record, a.fromCase);
    reindexCase(a.fromCase);
  }
  printPlanSummary(plan, *session, file);
  return 0;
}

} // namespace

void addPlanCommand(CLI::App& app, const GlobalOptions& global, Action& run)
{
  auto args = std::make_shared<PlanArgs>();
  CLI::App* cmd = app.add_subcommand(
    "plan", "plan DRG leads and the generator pocket on a spine image; writes DIR/plan.drgplan.json");
  cmd->add_option("input", args->input, "DICOM folder, file or DICOMDIR, or a NIfTI/NRRD/MetaImage volume")
    ->required();
  cmd->add_option("--targets", args->targets,
                  "comma-separated LEVEL-SIDE targets, e.g. L4-left,L5-left (1-4)");
  cmd->add_option(
    "--from-case", args->fromCase,
    "case folder whose accepted targets to plan (drgplan-cli targets ... --case DIR --accept ...)");
  cmd->add_option("--pocket", args->pocket,
                  "generator pocket: abdomen-left|abdomen-right|buttock-left|buttock-right");
  cmd->add_option("--out", args->out, "output folder")->required();
  cmd->add_option("--kind", args->kind,
                  "trial (temporary leads to an external stimulator, no pocket) or permanent (the default)");
  cmd->add_option("--approach", args->approach,
                  "contralateral (default) or ipsilateral; S1 uses the sacral approach");
  cmd->add_option("--series", args->series, "series (stack id) when the input holds several");
  cmd->add_option("--modality", args->modality, "auto, ct or t2");
  cmd->add_option("--shift", args->shift, "move every level label by N (+: towards the feet)");
  cmd->add_option("--transitional", args->transitional, "declare none, L6, T13 or sacralized-L5");
  cmd->add_option("--level-at", args->levelAt,
                  "X,Y,Z=LEVEL: the vertebra holding this point (LPS mm) is LEVEL; the levels are counted "
                  "from it (replaces --shift) and checked against the image's anchors");
  cmd->add_option(
    "--confirm-levels", args->confirmLevels,
    "how the level names were confirmed and by whom (e.g. \"counted from S1 on the sagittal CT, "
    "A. Surgeon\"); a plan on unconfirmed levels is an error until confirmed");
  cmd->add_option("--devices", args->devices, "folder of extra device catalog files (*.json)");
  cmd->add_flag("--json", args->json, "print the plan file instead of the tables");
  cmd->callback([args, &global, &run] { run = [args, &global] { return runPlan(*args, global); }; });
}

} // namespace drg::cli
