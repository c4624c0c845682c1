// The report's patient-path page: why these targets (the pain map and the accepted targets with their
// reasons), the trial's results, or the trial a permanent plan came from beside what it kept.
#include "ReportSections.h"
#include "ReportText.h"

#include "drg/planning/PainMap.h"
#include "drg/report/BodyChartDrawing.h"

#include <QObject>
#include <QStringList>

namespace drg::report
{
namespace
{

QString resultText(const std::optional<planning::TrialResult>& r)
{
  if (!r) {
    return QObject::tr("no result entered");
  }
  QString out = QObject::tr("%1 % relief").arg(mm(r->reliefPercent, 0));
  if (r->coveragePercent >= 0) {
    out += QObject::tr(", %1 % of the painful areas covered").arg(r->coveragePercent);
  }
  if (!r->contactsUsed.empty()) {
    out += QObject::tr(", contacts %1").arg(q(r->contactsUsed));
  }
  out += r->keep ? QObject::tr("; keep") : QObject::tr("; drop");
  if (!r->note.empty()) {
    out += QStringLiteral(" (") + q(r->note) + QStringLiteral(")");
  }
  return out;
}

QString summaryText(const planning::TrialSummary& t)
{
  QString out = QObject::tr("Trial from %1 to %2")
                  .arg(t.started.empty() ? QObject::tr("(not recorded)") : q(t.started),
                       t.ended.empty() ? QObject::tr("(not recorded)") : q(t.ended));
  if (t.days() >= 0) {
    out += QObject::tr(" (%n days)", "", t.days());
  }
  if (t.painBefore >= 0 || t.painDuring >= 0) {
    out += QObject::tr("; pain on the 0-10 scale %1 before, %2 during")
             .arg(t.painBefore < 0 ? QStringLiteral("?") : QString::number(t.painBefore),
                  t.painDuring < 0 ? QStringLiteral("?") : QString::number(t.painDuring));
    if (t.painBefore > 0 && t.painDuring >= 0) {
      out += QObject::tr(" (%1 % less)").arg(mm(100.0 * (t.painBefore - t.painDuring) / t.painBefore, 0));
    }
  }
  return out + QStringLiteral(".");
}

/// The success criterion the results are read against.
QString criterionText()
{
  return QObject::tr("Success criterion: at least %1 % pain relief (rules, unverified seed data).")
    .arg(mm(planning::PlanRules::builtIn().trialSuccessReliefPercent.value, 0));
}

void writeIndication(ReportPages& pages, const planning::PlanIndication& indication, bool forTrial)
{
  const planning::BodyChart chart = planning::BodyChart::builtIn();
  pages.heading(QObject::tr("Pain map and targets"), 13);
  QStringList regions;
  for (const auto& id : indication.painRegions) {
    const planning::ChartRegion* r = chart.region(id);
    regions << (r ? QObject::tr("%1 (%2)").arg(q(r->label), sideText(r->side)) : q(id));
  }
  pages.paragraph(QObject::tr("Painful areas: %1.").arg(regions.join(", ")));
  pages.images({ { bodyChartImage(chart, indication.painRegions, 900),
                   QObject::tr("painful areas in red; R and L are the patient's sides (front view: the "
                               "patient's left on the right; the back view is seen from behind)") } },
               95);
  std::vector<std::pair<QString, QString>> rows;
  for (const auto& t : indication.targets) {
    rows.push_back(
      { q(planning::targetId(t.level, t.side)),
        (t.suggested ? QString() : QObject::tr("the user's choice, not suggested by the pain map. ")) +
          q(t.reason) });
  }
  pages.paragraph(
    (forTrial ? QObject::tr("Targets accepted for the trial%1:") : QObject::tr("Targets accepted%1:"))
      .arg(indication.acceptedAt.empty() ? QString() : QObject::tr(" on %1").arg(q(indication.acceptedAt))),
    9, true);
  pages.table(rows, 8, 25);
  pages.paragraph(
    QObject::tr("The suggestions follow a dermatome map and published DRG target guidance, "
                "unverified seed data (assets/planning/targets.json); the choice of levels is the "
                "physician's."),
    7.5, false, QColor(90, 90, 90));
}

} // namespace

void writePatientPathPage(ReportPages& pages, const ReportInput& in)
{
  const planning::Plan& plan = in.plan;
  const bool trialResults = plan.kind == planning::PlanKind::Trial;
  if (!plan.indication && !plan.fromTrial && !trialResults) {
    return;
  }
  pages.newPage();
  if (plan.indication) {
    writeIndication(pages, *plan.indication, plan.fromTrial.has_value());
  }
  if (trialResults) {
    pages.heading(QObject::tr("Trial results"), 13);
    if (plan.trialSummary) {
      pages.paragraph(summaryText(*plan.trialSummary));
    }
    pages.paragraph(criterionText(), 8.5);
    std::vector<std::pair<QString, QString>> rows;
    for (const auto& l : plan.leads) {
      rows.push_back({ q(l.name), resultText(l.trialResult) });
    }
    pages.table(rows, 8.5, 35);
  }
  if (plan.fromTrial) {
    const planning::TrialOrigin& t = *plan.fromTrial;
    pages.heading(QObject::tr("From the trial"), 13);
    pages.paragraph(QObject::tr("This permanent plan carries over the leads the trial kept%1.")
                      .arg(t.studyDate.empty()
                             ? QString()
                             : QObject::tr(" (trial planned on images of %1)").arg(dateText(t.studyDate))));
    if (t.summary) {
      pages.paragraph(summaryText(*t.summary));
    }
    pages.paragraph(criterionText(), 8.5);
    const double success = planning::PlanRules::builtIn().trialSuccessReliefPercent.value;
    std::vector<std::pair<QString, QString>> rows;
    for (const auto& l : t.leads) {
      // a lead kept without the trial's support said beside it, in capitals
      QString against;
      if (l.kept && !l.result) {
        against = QObject::tr(" - KEPT WITHOUT A RESULT");
      } else if (l.kept && !l.result->keep) {
        against = QObject::tr(" - KEPT ALTHOUGH ITS RESULT SAYS DROP");
      } else if (l.kept && l.result->reliefPercent < success) {
        against = QObject::tr(" - KEPT BELOW THE %1 % CRITERION").arg(mm(success, 0));
      }
      rows.push_back({ q(l.name) + (l.kept ? QObject::tr(": KEPT") : QObject::tr(": dropped")),
                       QObject::tr("%1: %2").arg(q(l.target), resultText(l.result)) + against });
    }
    pages.table(rows, 8.5, 45);
  }
}

} // namespace drg::report
