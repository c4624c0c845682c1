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

void writeIndication(ReportPages& pages, const planning::PlanIndication& indication)
{
  const planning::BodyChart chart = planning::BodyChart::builtIn();
  pages.heading(QObject::tr("Pain map and targets"), 13);
  QStringList regions;
  for (const auto& id : indication.painRegions) {
    const planning::ChartRegion* r = chart.region(id);
    regions << (r ? QObject::tr("%1 (%2)").arg(q(r->label), sideText(r->side)) : q(id));
  }
  pages.paragraph(QObject::tr("Painful areas: %1.").arg(regions.join(", ")));
  pages.images(
    { { bodyChartImage(chart, indication.painRegions, 900),
        QObject::tr("painful areas marked in red; front view: the patient's left on the right") } },
    95);
  std::vector<std::pair<QString, QString>> rows;
  for (const auto& t : indication.targets) {
    rows.push_back(
      { q(planning::targetId(t.level, t.side)),
        (t.suggested ? QString() : QObject::tr("the user's choice, not suggested by the pain map. ")) +
          q(t.reason) });
  }
  pages.paragraph(
    QObject::tr("Targets accepted%1:")
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
    writeIndication(pages, *plan.indication);
  }
  if (trialResults) {
    pages.heading(QObject::tr("Trial results"), 13);
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
    std::vector<std::pair<QString, QString>> rows;
    for (const auto& l : t.leads) {
      rows.push_back({ q(l.name) + (l.kept ? QObject::tr(": KEPT") : QObject::tr(": dropped")),
                       QObject::tr("%1: %2").arg(q(l.target), resultText(l.result)) });
    }
    pages.table(rows, 8.5, 45);
  }
}

} // namespace drg::report
