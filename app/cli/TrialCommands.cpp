// The trial stage: `drgplan-cli trial-result CASE|TRIAL --lead L4-left --relief 70 --keep` records a
// trial lead's outcome in the trial plan; `drgplan-cli permanent CASE|TRIAL --keep L4-left,L5-left
// --pocket buttock-left [--images NEWER] --out DIR` makes the permanent plan from the kept leads,
// re-planned on the same or a newer study, with the pocket, tunnels and lengths.
#include "Commands.h"
#include "PlanSession.h"

#include "drg/imaging/Error.h"
#include "drg/planning/CaseFile.h"
#include "drg/planning/PlanEditor.h"
#include "drg/planning/PlanImages.h"
#include "drg/planning/TrialPlan.h"

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>

namespace drg::cli
{
namespace
{
using namespace drg::imaging;
using namespace drg::planning;
namespace fs = std::filesystem;

/// The trial plan a CASE|TRIAL argument names: a plan file, or a case folder's latest trial plan.
fs::path trialPlanFile(const std::string& given)
{
  if (fs::is_directory(given)) {
    const fs::path file = latestStageFile(loadCase(given), given, "trial-plan");
    if (file.empty()) {
      throw Error(ErrorCode::NotFound, "the case in " + given +
                                         " has no trial plan yet: make one with `drgplan-cli plan IMAGES "
                                         "--from-case " +
                                         given + " --kind trial --out " + given + "/trial`");
    }
    return file;
  }
  if (!fs::is_regular_file(given)) {
    throw Error(ErrorCode::NotFound, given + ": neither a case folder nor a plan file");
  }
  return given;
}

/// Records a stage in the case `given` names (nothing when it is a plan file).
void recordStage(const std::string& given, const std::string& kind, const fs::path& file,
                 const std::string& note)
{
  if (fs::is_directory(given)) {
    CaseRecord record = loadCase(given);
    addStage(record, given, kind, file, note);
    saveCase(record, given);
    reindexCase(given);
  }
}

struct TrialResultArgs
{
  std::string target;
  std::string lead;
  double relief = -1;
  int coverage = -1;
  std::string contacts;
  bool keep = false, drop = false;
  std::string note;
  std::string started, ended;
  int painBefore = -1, painDuring = -1;
};

/// The trial's dates and pain scores as given over what the plan holds; nullopt when none is given.
std::optional<TrialSummary> summaryFrom(const TrialResultArgs& a, const Plan& plan)
{
  if (a.started.empty() && a.ended.empty() && a.painBefore < 0 && a.painDuring < 0) {
    return std::nullopt;
  }
  TrialSummary s = plan.trialSummary.value_or(TrialSummary{});
  s.started = a.started.empty() ? s.started : a.started;
  s.ended = a.ended.empty() ? s.ended : a.ended;
  s.painBefore = a.painBefore < 0 ? s.painBefore : a.painBefore;
  s.painDuring = a.painDuring < 0 ? s.painDuring : a.painDuring;
  return s;
}

std::string summaryText(const TrialSummary& s)
{
  std::string out = "trial " + (s.started.empty() ? std::string("?") : s.started) + " to " +
                    (s.ended.empty() ? std::string("?") : s.ended);
  if (s.days() >= 0) {
    out += " (" + std::to_string(s.days()) + " days)";
  }
  if (s.painBefore >= 0 || s.painDuring >= 0) {
    out += "; pain (NRS) " + (s.painBefore < 0 ? std::string("?") : std::to_string(s.painBefore)) +
           " before, " + (s.painDuring < 0 ? std::string("?") : std::to_string(s.painDuring)) + " during";
  }
  return out;
}

int runTrialResult(const TrialResultArgs& a)
{
  const fs::path file = trialPlanFile(a.target);
  Plan plan = loadPlan(file);
  const std::optional<TrialSummary> summary = summaryFrom(a, plan);
  if (a.lead.empty() && !summary) {
    throw Error(ErrorCode::InvalidArgument,
                "say what to record: --lead L with --relief and --keep or --drop, "
                "and/or the trial's --started, --ended, --pain-before, --pain-during");
  }
  if (summary) {
    setTrialSummary(plan, summary);
  }
  if (a.lead.empty()) {
    savePlan(plan, file);
    recordStage(a.target, "trial-result", file, summaryText(*plan.trialSummary));
    std::cout << summaryText(*plan.trialSummary) << "\n";
    return 0;
  }
  if (a.keep == a.drop) {
    throw Error(ErrorCode::InvalidArgument,
                "say whether the lead is kept for the permanent implant: --keep or --drop");
  }
  if (a.relief < 0) {
    throw Error(ErrorCode::InvalidArgument, "give the lead's pain relief: --relief PERCENT");
  }
  const int lead = findLead(plan, a.lead);
  TrialResult r;
  r.reliefPercent = a.relief;
  r.coveragePercent = a.coverage;
  r.contactsUsed = a.contacts;
  r.keep = a.keep;
  r.note = a.note;
  r.enteredAt = utcNow();
  setTrialResult(plan, lead, r);
  savePlan(plan, file);
  const LeadPlan& l = plan.leads[static_cast<std::size_t>(lead)];
  recordStage(a.target, "trial-result", file, l.name + ": " + trialResultText(l.trialResult));
  std::cout << "trial results in " << file.string() << ":\n";
  if (plan.trialSummary) {
    std::cout << "  " << summaryText(*plan.trialSummary) << "\n";
  }
  for (const auto& each : plan.leads) {
    std::printf("  %-11s %s\n", each.name.c_str(), trialResultText(each.trialResult).c_str());
  }
  const double success = PlanRules::builtIn().trialSuccessReliefPercent.value;
  if (r.keep && r.reliefPercent < success) {
    std::printf("note: %s is kept with %.0f %% relief, below the %.0f %% usually required for the permanent "
                "implant\n",
                l.name.c_str(), r.reliefPercent, success);
  }
  return 0;
}

struct PermanentArgs
{
  std::string trial;
  std::string keep;
  std::string pocket;
  std::string images;
  std::string out;
  std::string confirmLevels;
  std::string devices;
  bool samePatient = false;
};

int runPermanent(const PermanentArgs& a, const GlobalOptions& global)
{
  const fs::path trialFile = trialPlanFile(a.trial);
  const Plan trial = loadPlan(trialFile);
  const std::vector<int> kept = leadsToKeep(trial, splitList(a.keep));
  const auto [site, side] = parsePocket(a.pocket);
  // the trial's own images keep its level naming; a newer study is counted afresh (the declared
  // transitional anatomy is the patient's and carries over)
  const std::string images = planImages(trial.study, a.images);
  SpineCaseLoader trialLoader = planLevelsLoader(trial.study);
  auto session = std::make_unique<PlanSession>();
  session->in =
    trialLoader.load(images, trial.study.seriesUid.empty() || !a.images.empty() ? "" : trial.study.seriesUid,
                     [&](double f) { return reportProgress("loading", f, global.quiet); });
  const ImagesCheck check = checkPlanImages(trial.study, session->in.images);
  if (check.match == ImagesMatch::OtherPatient) {
    throw Error(ErrorCode::InvalidArgument, "no permanent plan: " + check.message);
  }
  // images that cannot be told to be the patient's (a volume file without DICOM identity): the
  // user says so, else a plan could be made on another patient's spine
  if (check.match == ImagesMatch::OtherImagesPatientUnknown && !a.samePatient) {
    throw Error(ErrorCode::InvalidArgument,
                "no permanent plan: " + check.message +
                  "\nIf these are the same patient's images, say so with --same-patient.");
  }
  const bool same = check.match == ImagesMatch::Same;
  // (the modality as loading found it)
  const SpineModality modality = trialLoader.options().modality;
  const SpineCaseLoader newStudyLoader(
    SpineCaseLoader::parseOptions(modality == SpineModality::Ct     ? "ct"
                                  : modality == SpineModality::MrT2 ? "t2"
                                                                    : "auto",
                                  0, trial.study.declaredTransitional, 0.0, ""));
  buildPlanner(*session, same ? trialLoader : newStudyLoader, images, a.devices,
               same ? trial.study.levelAt : "", global.quiet);
  Plan start;
  start.study = session->study;
  if (same) {
    // the same images, counted the same way: the trial's confirmation of the levels stands
    start.study.levelsConfirmedBy = trial.study.levelsConfirmedBy;
    start.study.levelsConfirmedAt = trial.study.levelsConfirmedAt;
  }
  PlanEditor editor(*session->planner, start);
  startFromTrial(editor, trial, fs::absolute(trialFile).string(), kept);
  if (!a.confirmLevels.empty()) {
    editor.confirmLevels(a.confirmLevels);
  }
  editor.setPocket(site, side);
  const Plan& plan = editor.plan();
  fs::create_directories(a.out);
  writeSpineModel(session->model, a.out);
  const fs::path file = fs::path(a.out) / "plan.drgplan.json";
  savePlan(plan, file);
  std::string keptNames;
  for (int i : kept) {
    keptNames += (keptNames.empty() ? "" : ", ") + trial.leads[static_cast<std::size_t>(i)].name;
  }
  recordStage(a.trial, "permanent-plan", file, "kept " + keptNames + "; pocket " + a.pocket);
  std::cout << (same ? "on the trial's images" : "on other images: " + check.message) << "\n";
  for (const auto& note : keepNotes(trial, kept, PlanRules::builtIn())) {
    std::cout << "note: " << note << "\n";
  }
  printPlanSummary(plan, *session, file);
  return 0;
}

} // namespace

void addTrialCommands(CLI::App& app, const GlobalOptions& global, Action& run)
{
  auto r = std::make_shared<TrialResultArgs>();
  CLI::App* tr = app.add_subcommand("trial-result", "record a trial lead's outcome in the trial plan");
  tr->add_option("case", r->target, "the case folder (its latest trial plan) or the trial plan file")
    ->required();
  tr->add_option("--lead", r->lead, "the lead: its name or target, e.g. L4-left");
  tr->add_option("--relief", r->relief, "pain relief with this lead, in % (0-100)")
    ->check(CLI::Range(0.0, 100.0));
  tr->add_option("--coverage", r->coverage, "paraesthesia coverage of the mapped painful areas, in % (0-100)")
    ->check(CLI::Range(0, 100));
  tr->add_option("--contacts", r->contacts, "the contacts the trial program used, e.g. 2-3");
  tr->add_flag("--keep", r->keep, "carry the lead into the permanent implant");
  tr->add_flag("--drop", r->drop, "leave the lead out of the permanent implant");
  tr->add_option("--note", r->note, "a note for the case (no patient identity)");
  tr->add_option("--started", r->started, "the day the trial leads went in (YYYY-MM-DD)");
  tr->add_option("--ended", r->ended, "the day they came out (YYYY-MM-DD)");
  tr->add_option("--pain-before", r->painBefore, "pain before the trial, numeric rating scale 0-10")
    ->check(CLI::Range(0, 10));
  tr->add_option("--pain-during", r->painDuring, "pain during the trial, numeric rating scale 0-10")
    ->check(CLI::Range(0, 10));
  tr->callback([r, &run] { run = [r] { return runTrialResult(*r); }; });

  auto p = std::make_shared<PermanentArgs>();
  CLI::App* pm = app.add_subcommand(
    "permanent",
    "make the permanent plan from a trial: the kept leads re-planned, the pocket, tunnels and lengths");
  pm->add_option("trial", p->trial, "the case folder (its latest trial plan) or the trial plan file")
    ->required();
  pm->add_option(
    "--keep", p->keep,
    "comma-separated leads to keep (names or targets); default: those whose trial result says keep");
  pm->add_option("--pocket", p->pocket,
                 "generator pocket: abdomen-left|abdomen-right|buttock-left|buttock-right")
    ->required();
  pm->add_option("--images", p->images,
                 "plan on these images (a newer study of the patient) instead of the trial's");
  pm->add_option("--out", p->out, "output folder")->required();
  pm->add_option("--confirm-levels", p->confirmLevels,
                 "how the level names were confirmed and by whom (needed again on a newer study)");
  pm->add_option("--devices", p->devices, "folder of extra device catalog files (*.json)");
  pm->add_flag("--same-patient", p->samePatient,
               "the --images are the trial patient's although drgplan cannot tell (a volume file)");
  pm->callback([p, &global, &run] { run = [p, &global] { return runPermanent(*p, global); }; });
}

} // namespace drg::cli
