// The last page of the placement report: the pocket, the findings, the device values.
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

void writeClosingPage(ReportPages& pages, const ReportInput& in)
{
  const planning::Plan& plan = in.plan;
  pages.newPage();
  pages.heading(QObject::tr("Pulse generator pocket"), 13);
  if (plan.kind == planning::PlanKind::Trial) {
    pages.paragraph(
      QObject::tr("None: a trial. The leads leave the skin for the external trial stimulator; the "
                  "generator's pocket is planned in the permanent plan."));
  } else if (plan.pocket && plan.pocket->placed) {
    const auto& p = *plan.pocket;
    const auto* gen = in.catalog ? in.catalog->generator(p.generator) : nullptr;
    double tunnel = 0;
    for (const auto& l : plan.leads) {
      for (std::size_t k = 1; k < l.tunnel.size(); ++k) {
        tunnel += (l.tunnel[k] - l.tunnel[k - 1]).norm();
      }
    }
    pages.table(
      { { QObject::tr("Site"),
          q(std::string(planning::pocketSiteName(p.site)) + " " + imaging::sideName(p.side)) },
        { QObject::tr("Skin point (LPS mm)"), point(p.skinPoint) },
        { QObject::tr("Depth"), QObject::tr("%1 mm below the skin").arg(mm(p.depthMm)) },
        { QObject::tr("Generator"), (gen ? q(gen->name) : q(p.generator)) +
                                      QObject::tr(", %1 x %2 x %3 mm")
                                        .arg(mm(p.sizeMm.x(), 0), mm(p.sizeMm.y(), 0), mm(p.sizeMm.z(), 0)) },
        { QObject::tr("Tunnels (all leads)"), QObject::tr("%1 mm").arg(mm(tunnel, 0)) } });
  } else if (plan.pocket) {
    pages.paragraph(QObject::tr("A %1 %2 pocket was asked for but could not be placed (see the findings).")
                      .arg(q(planning::pocketSiteName(plan.pocket->site)), sideText(plan.pocket->side)),
                    9, true, QColor(170, 0, 0));
  } else {
    pages.paragraph(QObject::tr("No pocket planned."));
  }
  pages.heading(QObject::tr("Findings"), 13);
  if (plan.findings.empty()) {
    pages.paragraph(QObject::tr("None."));
  }
  for (const auto& f : plan.findings) {
    const QColor c = f.severity == planning::Severity::Error     ? QColor(170, 0, 0)
                     : f.severity == planning::Severity::Warning ? QColor(150, 90, 0)
                                                                 : QColor(40, 40, 40);
    const bool measured = !f.unit.empty() || f.measured != 0.0 || f.threshold != 0.0;
    pages.paragraph(
      QObject::tr("%1: %2%3")
        .arg(q(planning::severityName(f.severity)).toUpper(), q(f.message),
             measured ? QObject::tr(" (%1 %2, limit %3 %2)").arg(mm(f.measured), q(f.unit), mm(f.threshold))
                      : QString()),
      8.5, f.severity == planning::Severity::Error, c);
    if (!pages.fits(12)) {
      pages.newPage();
    }
  }
  if (in.catalog != nullptr) {
    pages.heading(QObject::tr("Device values"), 12);
    pages.paragraph(
      QObject::tr("%1 values of the device catalog are not verified against the makers' documents (marked "
                  "UNVERIFIED in assets/devices/catalog.json): check lead, needle, sheath and generator "
                  "dimensions before the case.")
        .arg(in.catalog->unverifiedCount()),
      8.5, true, QColor(150, 90, 0));
  }
}

} // namespace drg::report
