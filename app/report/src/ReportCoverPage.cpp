// Page 1 of the placement report: who and what, the sign-off, the leads in a line each, the overview.
#include "ReportSections.h"
#include "ReportText.h"

#include "drg/imaging/SpineLevel.h"

#include <QObject>
#include <QStringList>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

namespace drg::report
{

void writeCoverPage(ReportPages& pages, const ReportInput& in)
{
  const planning::Plan& plan = in.plan;
  const bool trial = plan.kind == planning::PlanKind::Trial;
  pages.heading(
    trial ? QObject::tr("DRG stimulation trial plan") : QObject::tr("DRG stimulation placement plan"), 16);
  pages.paragraph(QObject::tr("PLANNING AID - NOT FOR NAVIGATION. Positions come from image analysis and "
                              "published priors; the ganglia, the needle path and the lead position must be "
                              "verified intra-operatively (fluoroscopy, stimulation response)."),
                  8.5, true, QColor(170, 0, 0));
  // what the plan does not settle, said before anything else
  if (trial) {
    pages.paragraph(QObject::tr("TRIAL: temporary leads on an external stimulator, no pocket; the permanent "
                                "plan is made from the leads the trial keeps."),
                    9, true);
  } else if (!plan.pocket) {
    pages.paragraph(QObject::tr("NO POCKET CHOSEN: no lead length is budgeted (the tunnel to the pocket "
                                "is not known)."),
                    9, true, QColor(170, 0, 0));
  } else if (!plan.pocket->placed) {
    pages.paragraph(
      QObject::tr("POCKET NOT PLACED: %1. No lead length is budgeted (the tunnel to the "
                  "pocket is not known).")
        .arg(q(plan.pocket->problem.empty() ? std::string("its landmark or skin is not in the image")
                                            : plan.pocket->problem)),
      9, true, QColor(170, 0, 0));
  }
  if (plan.fromTrial) {
    QStringList kept, dropped;
    for (const auto& l : plan.fromTrial->leads) {
      (l.kept ? kept : dropped) << q(l.name) + (l.result
                                                  ? QObject::tr(" (%1 %)").arg(mm(l.result->reliefPercent, 0))
                                                  : QString());
    }
    pages.paragraph(QObject::tr("Made from the trial%1: kept %2; dropped %3 (page 2).")
                      .arg(plan.fromTrial->summary && !plan.fromTrial->summary->started.empty()
                             ? QObject::tr(" of %1").arg(q(plan.fromTrial->summary->started))
                             : QString(),
                           kept.join(", "), dropped.isEmpty() ? QObject::tr("none") : dropped.join(", ")),
                    9, true);
  }
  // errors of the plan (a needle or route through the dura, a bend the sheath cannot take, ...):
  // on the first page, one line each, not only in the findings at the end
  {
    QStringList errors;
    for (const auto& f : plan.findings) {
      if (f.severity == planning::Severity::Error) {
        errors << q(f.message);
      }
    }
    if (!errors.isEmpty()) {
      pages.paragraph(QObject::tr("%n ERROR(S) IN THIS PLAN - not to be carried out as planned:", "",
                                  static_cast<int>(errors.size())),
                      9, true, QColor(170, 0, 0));
      for (const QString& e : errors) {
        pages.paragraph(QStringLiteral("- ") + e, 8.5, false, QColor(170, 0, 0));
      }
    }
  }
  if (const std::string note = planning::patientPositionNote(plan.study); !note.empty()) {
    pages.paragraph(QObject::tr("Note: %1 (each lead's page: In the OR).").arg(q(note)), 9, true);
  }
  const ReportIdentity& id = in.identity;
  std::vector<std::pair<QString, QString>> who;
  if (id.deidentified) {
    who.push_back({ QObject::tr("Patient"), QObject::tr("%1 (de-identified)").arg(q(id.pseudonym)) });
  } else {
    who.push_back({ QObject::tr("Patient"), q(id.patientName.empty() ? "(not given)" : id.patientName) });
    who.push_back({ QObject::tr("Patient ID"), q(id.patientId) });
    who.push_back(
      { QObject::tr("Birth date, sex"), q(id.birthDate + (id.sex.empty() ? "" : ", " + id.sex)) });
    who.push_back(
      { QObject::tr("Study"), q(id.studyDate + " " + id.studyDescription +
                                (id.accessionNumber.empty() ? "" : ", accession " + id.accessionNumber)) });
  }
  who.push_back(
    { QObject::tr("Series"), q(id.modality + (id.deidentified ? "" : " " + id.seriesDescription)) });
  who.push_back({ QObject::tr("Scan position"), plan.study.patientPosition.empty()
                                                  ? QObject::tr("not given by the images")
                                                  : q(plan.study.patientPosition) });
  who.push_back({ QObject::tr("Images"),
                  id.deidentified ? QObject::tr("(withheld: de-identified)") : q(plan.study.source) });
  who.push_back({ QObject::tr("Levels counted from"),
                  q(plan.study.levelAnchor) +
                    (plan.study.labelShift != 0
                       ? QObject::tr(" (renumbered by the user by %1)").arg(plan.study.labelShift)
                       : QString()) });
  // how far the level names can be trusted, and who confirmed them: the wrong level is the error
  // that matters most
  {
    const std::string& check = plan.study.levelCheck;
    const QString why = q(plan.study.levelCheckWhy);
    QString levels =
      check == "consistent"
        ? QObject::tr("consistent: the sacrum and the lowest ribs agree (hypoplastic 12th or lumbar ribs "
                      "can mislead: count on fluoroscopy)")
      : check == "user-anchored"
        ? QObject::tr("named by the user") +
            (plan.study.levelAt.empty() ? QString() : " (" + q(plan.study.levelAt) + ")") +
            (why.isEmpty() ? QString() : QObject::tr("; AGAINST THE IMAGE: %1").arg(why))
      : check == "unconfirmed" ? QObject::tr("UNCONFIRMED by the image's anchors: %1").arg(why)
                               : QObject::tr("not recorded");
    if (!plan.study.levelsConfirmedBy.empty()) {
      levels += QObject::tr("; confirmed: %1 (%2)")
                  .arg(q(plan.study.levelsConfirmedBy), q(plan.study.levelsConfirmedAt));
    } else if (check == "unconfirmed" || !why.isEmpty()) {
      levels += QObject::tr("; NOT CONFIRMED by the user");
    }
    who.push_back({ QObject::tr("Level names"), levels });
  }
  // (de-identified: the file's name without its folder)
  who.push_back(
    { QObject::tr("Plan file"),
      q(id.deidentified ? std::filesystem::path(in.planFile).filename().string() : in.planFile) });
  who.push_back({ QObject::tr("Plan file SHA-256"), q(in.planSha256) });
  who.push_back({ QObject::tr("Software"), q("drgplan " + in.softwareVersion) });
  who.push_back({ QObject::tr("Planned by"),
                  q(in.planner.empty() ? "______________________  date ________" : in.planner) });
  who.push_back({ QObject::tr("Reviewed by"),
                  q(in.reviewer.empty() ? "______________________  date ________" : in.reviewer) });
  pages.table(who);
  pages.heading(QObject::tr("Leads"), 12);
  std::vector<std::pair<QString, QString>> summary;
  for (std::size_t i = 0; i < plan.leads.size(); ++i) {
    const auto& l = plan.leads[i];
    summary.push_back({ QObject::tr("%1. %2").arg(i + 1).arg(q(l.name)),
                        l.planned
                          ? QObject::tr("%1 %2 ganglion; %3 approach, window %4; needle %5 mm; "
                                        "lead %6%7")
                              .arg(q(l.targetLevel), sideText(l.targetSide),
                                   q(planning::approachName(l.approach)), q(planning::windowText(l)))
                              .arg(mm(l.needleDepthMm, 0))
                              .arg(l.budget.complete ? mm(l.budget.leadCm, 0) + QObject::tr(" cm")
                                                     : QObject::tr("length not budgeted"))
                              .arg(l.budget.extensionCm > 0
                                     ? QObject::tr(" + extension %1 cm").arg(mm(l.budget.extensionCm, 0))
                                     : QString())
                          : QObject::tr("NOT PLANNED: %1").arg(q(l.problem)) });
  }
  pages.table(summary);
  if (!in.overview3d.isNull() && pages.fits(90)) {
    pages.images(
      { { in.overview3d, QObject::tr("3D overview: vertebrae, ganglia (yellow), leads, needles") } },
      std::min(110.0, 250.0 - pages.y));
  } else if (!in.overviewNote.empty()) {
    pages.paragraph(QObject::tr("3D overview not included: %1").arg(q(in.overviewNote)), 8);
  }
}

} // namespace drg::report
