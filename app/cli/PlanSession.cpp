// The images, spine model and planner a plan is made on; the pocket's words; the printed plan.
#include "PlanSession.h"

#include "Commands.h"

#include "drg/imaging/Error.h"
#include "drg/planning/PlanImages.h"

#include <cmath>
#include <cstdio>
#include <iostream>

namespace drg::cli
{
using namespace drg::imaging;
using namespace drg::planning;

namespace
{

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

} // namespace

std::string trialResultText(const std::optional<TrialResult>& r)
{
  if (!r) {
    return "no trial result";
  }
  char b[96];
  std::snprintf(b, sizeof b, "%.0f %% relief", r->reliefPercent);
  std::string out = b;
  if (r->coveragePercent >= 0) {
    out += ", " + std::to_string(r->coveragePercent) + " % coverage";
  }
  if (!r->contactsUsed.empty()) {
    out += ", contacts " + r->contactsUsed;
  }
  out += r->keep ? ", keep" : ", drop";
  if (!r->note.empty()) {
    out += " (" + r->note + ")";
  }
  return out;
}

std::unique_ptr<PlanSession> openPlanSession(SpineCaseLoader& loader, const std::string& input,
                                             const std::string& series, const std::string& devices,
                                             const std::string& levelAt, bool quiet)
{
  auto s = std::make_unique<PlanSession>();
  s->in = loader.load(input, series, [&](double f) { return reportProgress("loading", f, quiet); });
  buildPlanner(*s, loader, input, devices, levelAt, quiet);
  return s;
}

void buildPlanner(PlanSession& s, const SpineCaseLoader& loader, const std::string& input,
                  const std::string& devices, const std::string& levelAt, bool quiet)
{
  s.model = loader.buildModel(s.in.volume, [&](double f) { return reportProgress("spine model", f, quiet); });
  s.anatomy = std::make_unique<PlanAnatomy>(s.model, &s.in.volume);
  s.planner =
    std::make_unique<Planner>(*s.anatomy, DeviceCatalog::withUserFolder(devices), PlanRules::builtIn());
  const SpineModelOptions& o = loader.options();
  StudyReference& study = s.study;
  study = StudyReference{};
  recordImages(study, s.in.images);
  study.source = std::filesystem::absolute(input).string();
  study.modality = s.in.modality.empty() ? imaging::spineModalityName(s.model.modality) : s.in.modality;
  study.patientPosition = s.in.patientPosition;
  study.levelAnchor = s.model.anchor;
  study.labelShift = s.model.labelShift;
  study.declaredTransitional = o.labels.declaredSet ? transitionalAnatomyName(o.labels.declared) : "";
  study.levelAt = levelAt;
  study.levelCheck = s.model.levelCheck.status;
  study.levelCheckWhy = s.model.levelCheck.why();
}

std::pair<PocketSite, Side> parsePocket(const std::string& text)
{
  const auto dash = text.find('-');
  const std::string site = text.substr(0, dash),
                    side = dash == std::string::npos ? "" : text.substr(dash + 1);
  if ((site != "abdomen" && site != "buttock") || (side != "left" && side != "right")) {
    throw Error(ErrorCode::InvalidArgument,
                "--pocket must be abdomen-left, abdomen-right, buttock-left or buttock-right, not '" + text +
                  "'");
  }
  return { site == "abdomen" ? PocketSite::Abdomen : PocketSite::Buttock,
           side == "left" ? Side::Left : Side::Right };
}

void printPlanSummary(const Plan& plan, const PlanSession& session, const std::filesystem::path& file)
{
  std::cout << planKindName(plan.kind) << " plan written to " << file.string()
            << " (spine model beside it)\n";
  std::cout << "levels counted from: " << session.model.anchor << "\n";
  std::cout << "level check: " << session.model.levelCheck.status
            << (session.model.levelCheck.reasons.empty() ? std::string()
                                                         : " (" + session.model.levelCheck.why() + ")")
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
  if (plan.kind == PlanKind::Trial) {
    std::cout
      << "\ntrial: no pocket; each lead leaves the skin at its needle's entry for the external stimulator\n";
    for (const auto& l : plan.leads) {
      if (l.planned) {
        std::printf(
          "  %-11s length needed %.0f mm = route %.0f + track to the skin %.0f + loop %.0f + outside "
          "the skin %.0f: %s\n",
          l.name.c_str(), l.budget.totalMm, l.budget.routeMm, l.budget.trackMm, l.budget.loopMm,
          l.budget.slackMm,
          l.budget.fits ? (std::to_string(static_cast<int>(l.budget.leadCm)) + " cm lead").c_str()
                        : "no lead in the catalog is long enough");
      }
    }
  } else if (!plan.pocket) {
    std::cout << "\nno pocket chosen: lead lengths not budgeted (the tunnel to the pocket is unknown)\n";
  } else if (!plan.pocket->placed) {
    std::printf("\npocket: %s %s NOT PLACED: %s\n  lead lengths not budgeted (the tunnel to the pocket is "
                "unknown)\n",
                pocketSiteName(plan.pocket->site), sideName(plan.pocket->side), plan.pocket->problem.c_str());
  }
  if (plan.fromTrial) {
    std::cout << "\nfrom the trial " << plan.fromTrial->file << ":\n";
    for (const auto& l : plan.fromTrial->leads) {
      std::printf("  %-11s %s  %s\n", l.name.c_str(), l.kept ? "kept   " : "dropped",
                  trialResultText(l.result).c_str());
    }
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
  for (const auto& w : session.in.warnings) {
    std::cout << "warning: " << w << "\n";
  }
  for (const auto& w : session.model.warnings) {
    if (!plan.study.levelsConfirmedBy.empty() &&
        (w.rfind("levels unconfirmed", 0) == 0 ||
         w.rfind("the levels follow the vertebra you named", 0) == 0)) {
      continue; // (confirmed since: said on the level check line)
    }
    std::cout << "warning: " << w << "\n";
  }
}

} // namespace drg::cli
