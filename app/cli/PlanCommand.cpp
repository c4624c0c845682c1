// `drgplan-cli plan IN --targets L4-left,L5-left --pocket buttock-left --out DIR`: the spine model,
// auto-planned leads and pocket, the plan file and a table of leads, pocket and findings.
#include "Commands.h"

#include "drg/imaging/Error.h"
#include "drg/imaging/SpineCaseLoader.h"
#include "drg/planning/PlanEditor.h"
#include "drg/planning/PlanImages.h"
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

std::vector<std::string> splitList(const std::string& text)
{
  std::vector<std::string> out;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) {
    if (!item.empty()) {
      out.push_back(item);
    }
  }
  return out;
}

/// An angle in whole degrees, "?" when not known (NaN).
std::string wholeDegrees(double deg)
{
  if (std::isnan(deg)) {
    return "?";
  }
  char b[16];
  std::snprintf(b, sizeof b, "%.0f", deg);
  return b;
}

/// The leads' table: needle, angles as read on fluoroscopy, route, coverage, lengths; then each
/// lead's points in LPS mm.
void printLeadTable(const Plan& plan)
{
  std::cout
    << "lead        approach        window  needle depth  skin/lamina/AP  route  min radius  coverage  "
       "lead   ext\n";
  for (const auto& l : plan.leads) {
    if (!l.planned) {
      std::printf("%-11s not planned: %s\n", l.name.c_str(), l.problem.c_str());
      continue;
    }
    // (no length without the tunnel to a placed pocket)
    char lengths[32] = "   -      -";
    if (l.budget.complete) {
      std::snprintf(lengths, sizeof lengths, "%3.0f cm %3.0f cm", l.budget.leadCm, l.budget.extensionCm);
    }
    const std::string angles = wholeDegrees(l.needleToSkinDeg) + "/" + wholeDegrees(l.needleToLaminaLineDeg) +
                               "/" + wholeDegrees(l.needleApMedioLateralDeg) + " deg";
    std::printf("%-11s %-15s %-7s %6.1f mm   %-14s %4.0f mm  %4.1f mm  %6.0f %%  %s\n", l.name.c_str(),
                approachName(l.approach), windowText(l).c_str(), l.needleDepthMm, angles.c_str(),
                l.routeLengthMm, l.minRadiusMm, l.coverage * 100.0, lengths);
  }
  std::cout
    << "(needle angles as read on fluoroscopy: to the skin line and to the lamina line on the lateral "
       "image, medio-lateral on the AP image; ? not known)\n";
  std::cout << "\nlead        target (LPS mm)            skin entry (LPS mm)        epidural entry (LPS mm)  "
               "  sheath\n";
  for (const auto& l : plan.leads) {
    if (l.planned) {
      std::printf("%-11s %7.1f %7.1f %7.1f    %7.1f %7.1f %7.1f    %7.1f %7.1f %7.1f    %s\n", l.name.c_str(),
                  l.target.x(), l.target.y(), l.target.z(), l.skinEntry.x(), l.skinEntry.y(), l.skinEntry.z(),
                  l.epiduralEntry.x(), l.epiduralEntry.y(), l.epiduralEntry.z(), l.sheathUsed.c_str());
    }
  }
}

int runPlan(const PlanArgs& a, const GlobalOptions& global)
{
  const std::vector<std::string> targets = splitList(a.targets);
  if (targets.empty()) {
    throw Error(ErrorCode::InvalidArgument, "--targets needs at least one LEVEL-SIDE, e.g. L4-left");
  }
  std::vector<std::pair<std::string, Side>> parsed;
  for (const auto& t : targets) {
    parsed.push_back(parseTarget(t));
  }
  std::optional<std::pair<PocketSite, Side>> pocket;
  if (!a.pocket.empty()) {
    const auto dash = a.pocket.find('-');
    const std::string site = a.pocket.substr(0, dash),
                      side = dash == std::string::npos ? "" : a.pocket.substr(dash + 1);
    if ((site != "abdomen" && site != "buttock") || (side != "left" && side != "right")) {
      throw Error(ErrorCode::InvalidArgument,
                  "--pocket must be abdomen-left, abdomen-right, buttock-left or buttock-right, not '" +
                    a.pocket + "'");
    }
    pocket = std::make_pair(site == "abdomen" ? PocketSite::Abdomen : PocketSite::Buttock,
                            side == "left" ? Side::Left : Side::Right);
  }
  const bool approachGiven = !a.approach.empty();
  const Approach approach = approachGiven ? parseApproach(a.approach) : Approach::ContralateralInterlaminar;
  DeviceCatalog catalog = DeviceCatalog::withUserFolder(a.devices);
  PlanRules rules = PlanRules::builtIn();
  if (static_cast<int>(parsed.size()) > rules.maxLeads.value) {
    throw Error(ErrorCode::InvalidArgument, std::to_string(parsed.size()) +
                                              " targets: a plan holds at most " +
                                              std::to_string(rules.maxLeads.value) + " leads");
  }

  SpineCaseLoader loader(SpineCaseLoader::parseOptions(a.modality, a.shift, a.transitional, 0.0, a.levelAt));
  SpineCaseImage in =
    loader.load(a.input, a.series, [&](double f) { return reportProgress("loading", f, global.quiet); });
  const SpineModelOptions& o = loader.options();
  SpineModel model =
    loader.buildModel(in.volume, [&](double f) { return reportProgress("spine model", f, global.quiet); });
  PlanAnatomy anatomy(model, &in.volume);
  Planner planner(anatomy, std::move(catalog), std::move(rules));
  Plan start;
  recordImages(start.study, in.images);
  start.study.source = std::filesystem::absolute(a.input).string();
  start.study.modality = in.modality.empty() ? imaging::spineModalityName(model.modality) : in.modality;
  start.study.patientPosition = in.patientPosition;
  start.study.levelAnchor = model.anchor;
  start.study.labelShift = model.labelShift;
  start.study.declaredTransitional = o.labels.declaredSet ? transitionalAnatomyName(o.labels.declared) : "";
  start.study.levelAt = a.levelAt;
  start.study.levelCheck = model.levelCheck.status;
  start.study.levelCheckWhy = model.levelCheck.why();
  PlanEditor editor(planner, start);
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
  writeSpineModel(model, a.out);
  const std::filesystem::path file = std::filesystem::path(a.out) / "plan.drgplan.json";
  savePlan(plan, file);
  if (a.json) {
    std::cout << planToJson(plan);
    return 0;
  }
  std::cout << "plan written to " << file.string() << " (spine model beside it)\n";
  std::cout << "levels counted from: " << model.anchor << "\n";
  std::cout << "level check: " << model.levelCheck.status
            << (model.levelCheck.reasons.empty() ? std::string() : " (" + model.levelCheck.why() + ")")
            << (plan.study.levelsConfirmedBy.empty() ? std::string()
                                                     : "; confirmed: " + plan.study.levelsConfirmedBy)
            << "\n\n";
  printLeadTable(plan);
  std::cout << "\nskin entries in the OR (prone), against the bone:\n";
  for (const auto& l : plan.leads) {
    if (l.planned) {
      const std::string where = entryLandmarksText(l.entryLandmarks);
      std::printf("  %-11s %s\n", l.name.c_str(),
                  where.empty() ? "no spinous process found near the entry" : where.c_str());
    }
  }
  if (!plan.pocket) {
    std::cout << "\nno pocket chosen: lead lengths not budgeted (the tunnel to the pocket is unknown)\n";
  } else if (!plan.pocket->placed) {
    std::printf("\npocket: %s %s NOT PLACED: %s\n  lead lengths not budgeted (the tunnel to the pocket is "
                "unknown)\n",
                pocketSiteName(plan.pocket->site), sideName(plan.pocket->side), plan.pocket->problem.c_str());
  }
  if (plan.pocket) {
    const PocketPlan& p = *plan.pocket;
    if (p.placed) {
      std::printf("\npocket: %s %s, centre %.1f %.1f %.1f, depth %.0f mm\n", pocketSiteName(p.site),
                  sideName(p.side), p.centre.x(), p.centre.y(), p.centre.z(), p.depthMm);
      for (const auto& l : plan.leads) {
        if (l.planned) {
          std::printf("  %-11s length needed %.0f mm = route %.0f + track %.0f + loop %.0f + tunnel %.0f + "
                      "slack %.0f\n",
                      l.name.c_str(), l.budget.totalMm, l.budget.routeMm, l.budget.trackMm, l.budget.loopMm,
                      l.budget.tunnelMm, l.budget.slackMm);
        }
      }
    }
  }
  int errors = 0, warnings = 0;
  std::cout << "\nfindings:" << (plan.findings.empty() ? " none\n" : "\n");
  for (const auto& f : plan.findings) {
    errors += f.severity == Severity::Error ? 1 : 0;
    warnings += f.severity == Severity::Warning ? 1 : 0;
    std::printf("  %-7s %-28s %s", severityName(f.severity), f.code.c_str(), f.message.c_str());
    if (!f.unit.empty()) { // (a finding without a measure has no "(0.0 , limit 0.0)")
      std::printf(" (%.1f %s, limit %.1f)", f.measured, f.unit.c_str(), f.threshold);
    }
    std::printf("\n");
  }
  std::printf("%d errors, %d warnings; device values and planning rules are unverified seed data\n", errors,
              warnings);
  if (const std::string note = patientPositionNote(plan.study); !note.empty()) {
    std::cout << "note: " << note << "\n";
  }
  std::fflush(stdout);
  for (const auto& w : in.warnings) {
    std::cout << "warning: " << w << "\n";
  }
  for (const auto& w : model.warnings) {
    if (!plan.study.levelsConfirmedBy.empty() &&
        (w.rfind("levels unconfirmed", 0) == 0 ||
         w.rfind("the levels follow the vertebra you named", 0) == 0)) {
      continue; // (confirmed since: said on the level check line)
    }
    std::cout << "warning: " << w << "\n";
  }
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
  cmd
    ->add_option("--targets", args->targets, "comma-separated LEVEL-SIDE targets, e.g. L4-left,L5-left (1-4)")
    ->required();
  cmd->add_option("--pocket", args->pocket,
                  "generator pocket: abdomen-left|abdomen-right|buttock-left|buttock-right");
  cmd->add_option("--out", args->out, "output folder")->required();
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
