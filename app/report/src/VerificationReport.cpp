// The post-operative verification report as an A4 PDF: a summary page (who, which images, a line
// per lead, how it is measured, the thresholds with their sources), then a page per found lead with
// its AP and lateral radiographs of the planning CT (the plan drawn as in the placement report, the
// found contacts as numbered orange rings) and its contacts' table.
#include "drg/report/VerificationReport.h"

#include "ReportPages.h"
#include "ReportText.h"

#include "drg/imaging/AtomicOutput.h"
#include "drg/imaging/Error.h"

#include <QFontMetricsF>
#include <QPainter>

#include <future>
#include <string_view>
#include <vector>

namespace drg::report
{
namespace
{

/// The found contacts' colour: white rings outlined in black, which no lead, pedicle or ganglion of
/// the plan's drawing is.
const QColor kFound(255, 255, 255);

QString sourced(const planning::SourcedValue<double>& v, const QString& unit, int decimals = 1)
{
  return mm(v.value, decimals) + (unit.isEmpty() ? QString() : " " + unit) +
         (v.verified ? QString() : QObject::tr(" (unverified)")) + " - " + q(v.source);
}

/// One line for a lead: the verdict, then the measures.
QString leadLine(const planning::VerifiedLead& l, bool migration)
{
  if (!l.found) {
    return QObject::tr("NOT FOUND in the post-operative images");
  }
  QString s = q(l.verdict) + ": " + QObject::tr("%1 contacts").arg(l.contacts.size());
  if (l.inPlan) {
    s += QObject::tr("; up to %1 mm from the plan; moved on the whole %2 (%3 mm %4 along the lead); ganglion "
                     "coverage %5 %")
           .arg(mm(l.maxDeviationMm), q(l.displacementText), mm(std::abs(l.depthChangeMm)),
                l.depthChangeMm >= 0 ? QObject::tr("deeper") : QObject::tr("withdrawn"),
                mm(100.0 * l.coverage, 0));
    s += l.inIntendedForamen
           ? (*l.inIntendedForamen
                ? QObject::tr("; in its intended foramen")
                : QObject::tr("; NOT in its intended foramen (nearest: %1)").arg(q(l.foramenFound)))
           : QObject::tr("; foramen not told");
  } else {
    s += QObject::tr("; the plan has no such lead");
  }
  if (migration && l.maxMigrationMm) {
    s += QObject::tr("; moved up to %1 mm since the previous scan").arg(mm(*l.maxMigrationMm));
  }
  return s;
}

/// The radiograph with the found contacts drawn over the plan's: white rings joined by a thin white
/// line, each numbered on the side of the array away from it (so that a number never sits in its
/// neighbour's ring).
QImage withFoundContacts(QImage image, const FluoroPixels& px, const planning::VerifiedLead& l)
{
  QPainter p(&image);
  p.setRenderHint(QPainter::Antialiasing);
  QFont f = p.font();
  f.setPixelSize(std::max(11, image.width() / 45));
  f.setBold(true);
  p.setFont(f);
  const double r = std::max(5.0, image.width() / 90.0);
  std::vector<QPointF> at;
  for (const auto& c : l.contacts) {
    const Eigen::Vector2d xy = px.of(c.planning);
    at.emplace_back(xy.x(), xy.y());
  }
  // the array's direction on the image, and the side its numbers go
  QPointF across(1, 0);
  if (at.size() >= 2) {
    const QPointF along = at.back() - at.front();
    const double n = std::hypot(along.x(), along.y());
    if (n > 1e-6) {
      across = QPointF(-along.y() / n, along.x() / n);
    }
  }
  p.setPen(QPen(kFound, 1.2));
  for (std::size_t i = 1; i < at.size(); ++i) {
    p.drawLine(at[i - 1], at[i]);
  }
  const QFontMetricsF metrics(f);
  for (std::size_t i = 0; i < at.size(); ++i) {
    p.setPen(QPen(Qt::black, 3.0));
    p.drawEllipse(at[i], r, r);
    p.setPen(QPen(kFound, 2.0));
    p.drawEllipse(at[i], r, r);
    const QString number = QString::number(l.contacts[i].number);
    const QPointF centre = at[i] + across * (r + 0.8 * metrics.height());
    const QRectF box(centre.x() - metrics.horizontalAdvance(number) / 2, centre.y() - metrics.ascent() / 2,
                     metrics.horizontalAdvance(number), metrics.ascent());
    p.setPen(Qt::black);
    p.drawText(box.translated(1, 1), Qt::AlignCenter, number);
    p.setPen(kFound);
    p.drawText(box, Qt::AlignCenter, number);
  }
  return image;
}

struct Pictures
{
  QImage ap, lateral;         ///< the whole views
  QImage apZoom, lateralZoom; ///< about the contacts, enlarged
};

/// A square crop of `image` about the found contacts (40 mm across at least), enlarged to `sizePx`.
QImage zoomOnContacts(const QImage& image, const FluoroPixels& px, const planning::VerifiedLead& l,
                      const planning::LeadPlan& planned, int sizePx)
{
  double x0 = 1e9, y0 = 1e9, x1 = -1e9, y1 = -1e9;
  auto take = [&](const Eigen::Vector3d& p) {
    const Eigen::Vector2d at = px.of(p);
    x0 = std::min(x0, at.x());
    y0 = std::min(y0, at.y());
    x1 = std::max(x1, at.x());
    y1 = std::max(y1, at.y());
  };
  for (const auto& c : l.contacts) {
    take(c.planning);
  }
  for (const auto& c : planned.contacts) {
    take(c);
  }
  const double side = std::max({ x1 - x0, y1 - y0, 40.0 * px.pxPerMmX }) * 1.4;
  const QRect box(static_cast<int>((x0 + x1 - side) / 2), static_cast<int>((y0 + y1 - side) / 2),
                  static_cast<int>(side), static_cast<int>(side));
  return image.copy(box).scaled(sizePx, sizePx, Qt::KeepAspectRatio, Qt::SmoothTransformation);
}

void summaryPage(ReportPages& pages, const VerificationReportInput& in)
{
  const ReportIdentity& id = in.identity;
  pages.heading(QObject::tr("Post-operative lead verification"), 16);
  std::vector<std::pair<QString, QString>> who;
  if (id.deidentified) {
    who.emplace_back(QObject::tr("Patient"), q(id.pseudonym));
  } else {
    who.emplace_back(QObject::tr("Patient"),
                     q(id.patientName + (id.patientId.empty() ? "" : "  (ID " + id.patientId + ")")));
  }
  who.emplace_back(QObject::tr("Post-operative images"),
                   q(in.postopSeries) + (id.deidentified ? QString() : "\n" + q(in.postopSource)));
  std::string date = in.plan.study.studyDate;
  if (date.size() == 8) {
    date = date.substr(0, 4) + "-" + date.substr(4, 2) + "-" + date.substr(6, 2);
  }
  who.emplace_back(QObject::tr("Planned on"),
                   q(in.plan.study.seriesDescription + (date.empty() ? "" : " of " + date)));
  who.emplace_back(QObject::tr("Plan file"), q(std::filesystem::path(in.planFile).filename().string()));
  pages.table(who);
  pages.y += 2;
  pages.heading(QObject::tr("Leads"), 12);
  std::vector<std::pair<QString, QString>> rows;
  for (const auto& l : in.verification.leads) {
    rows.emplace_back(q(l.name), leadLine(l, in.migrationMeasured));
  }
  pages.table(rows, 9, 30);
  for (const auto& note : in.verification.notes) {
    pages.paragraph(QObject::tr("Note: ") + q(note), 8.5);
  }
  pages.y += 2;
  pages.heading(QObject::tr("How it is measured"), 12);
  pages.paragraph(
    QObject::tr(
      "The leads are found on the post-operative CT as their platinum-iridium contacts (the densest "
      "compact metal, chained at the lead's contact spacing; screws, rods and the generator set aside). "
      "The post-operative spine is registered rigidly onto the planning CT about each lead's ganglion, "
      "since the patient lies differently and the spine bends between the scans; every position below is "
      "in the planning images' frame (LPS mm). Contacts are numbered as the clinician programmer numbers "
      "them: 1 is the most distal (at the tip). Deviation: a contact's distance from its planned position. "
      "Depth: the mean shift along the planned array, positive deeper (distal). Coverage: the share of the "
      "planned ganglion's length beside the found array."),
    8.5);
  pages.table(
    { { QObject::tr("In place"), QObject::tr("every contact within ") + sourced(in.rules.inPlaceMm, "mm") },
      { QObject::tr("Migrated"),
        QObject::tr("a contact further than ") + sourced(in.rules.migratedMm, "mm") },
      { QObject::tr("Registration trusted"),
        QObject::tr("correlation at least ") + sourced(in.rules.minCorrelation, "", 2) },
      { QObject::tr("In its foramen"),
        QObject::tr("the contact nearest the ganglion within the foramen's half height plus ") +
          sourced(in.rules.foramenReachMm, "mm") } },
    8, 40);
  pages.paragraph(QObject::tr("A verification aid: compare with the operative record and the programmer's "
                              "impedances before acting on a verdict."),
                  8.5, true);
}

void leadPage(ReportPages& pages, const VerificationReportInput& in, const planning::VerifiedLead& l,
              const Pictures& pics)
{
  pages.newPage();
  pages.heading(q(l.name) + " - " + q(l.verdict), 14);
  pages.paragraph(leadLine(l, in.migrationMeasured), 9);
  if (!pics.ap.isNull()) {
    pages.images({ { pics.ap, QObject::tr("AP, seen from behind (planning CT)") },
                   { pics.lateral, QObject::tr("Lateral, from the patient's left") } },
                 72);
    pages.images({ { pics.apZoom, QObject::tr("AP about the contacts: planned as in the placement report, "
                                              "found as numbered white rings") },
                   { pics.lateralZoom, QObject::tr("Lateral about the contacts") } },
                 72);
  }
  std::vector<std::pair<QString, QString>> rows;
  for (const auto& c : l.contacts) {
    QString v = QObject::tr("at %1").arg(point(c.planning));
    if (c.planned) {
      v += QObject::tr("; %1 mm from its planned position").arg(mm(c.deviationMm));
    }
    if (l.inPlan) {
      v += QObject::tr("; %1 mm from the ganglion's centre").arg(mm(c.ganglionDistanceMm));
    }
    if (c.migrationMm) {
      v += QObject::tr("; moved %1 mm since the previous scan").arg(mm(*c.migrationMm));
    }
    rows.emplace_back(QObject::tr("Contact %1").arg(c.number), v);
  }
  rows.emplace_back(
    QObject::tr("Registration"),
    QObject::tr("correlation %1, rotation %2 deg, translation %3 mm (planning to post-operative)")
      .arg(mm(l.registration.correlation, 3), mm(l.registration.planningToImage.angleDegrees()),
           point(l.registration.planningToImage.translation)));
  rows.emplace_back(QObject::tr("Distal end told by"), q(l.orientationFrom));
  pages.table(rows, 8.5, 30);
  for (const auto& note : l.notes) {
    pages.paragraph(QObject::tr("Note: ") + q(note), 8.5);
  }
}

} // namespace

int writeVerificationReportPdf(const VerificationReportInput& in, const std::filesystem::path& pdf)
{
  // the radiographs of each found planned lead, in parallel
  std::vector<Pictures> pictures(in.verification.leads.size());
  std::vector<std::future<void>> tasks;
  for (std::size_t i = 0; i < in.verification.leads.size() && in.planning != nullptr; ++i) {
    const auto& l = in.verification.leads[i];
    auto planned = std::find_if(in.plan.leads.begin(), in.plan.leads.end(),
                                [&](const planning::LeadPlan& p) { return p.name == l.name; });
    if (!l.found || planned == in.plan.leads.end() || !planned->planned) {
      continue;
    }
    const auto index = static_cast<std::size_t>(planned - in.plan.leads.begin());
    for (FluoroView view : { FluoroView::AP, FluoroView::Lateral }) {
      tasks.push_back(std::async(std::launch::async, [&, i, index, view] {
        FluoroPixels px;
        const QImage image =
          withFoundContacts(fluoroscopyView(*in.planning, in.plan, index, in.model, view, 900, &px), px,
                            in.verification.leads[i]);
        const QImage zoom = zoomOnContacts(image, px, in.verification.leads[i], in.plan.leads[index], 600);
        (view == FluoroView::AP ? pictures[i].ap : pictures[i].lateral) = image;
        (view == FluoroView::AP ? pictures[i].apZoom : pictures[i].lateralZoom) = zoom;
      }));
    }
  }
  for (auto& t : tasks) {
    t.get();
  }
  int total = 0;
  const QByteArray bytes = numberedPdf(
    "drgplan lead verification", q("drgplan " + in.softwareVersion),
    QObject::tr("drgplan post-operative lead verification - compare with the operative record"),
    [&](ReportPages& pages) {
      summaryPage(pages, in);
      for (std::size_t i = 0; i < in.verification.leads.size(); ++i) {
        if (in.verification.leads[i].found) {
          leadPage(pages, in, in.verification.leads[i], pictures[i]);
        }
      }
    },
    total);
  imaging::writeFileAtomically(pdf,
                               std::string_view(bytes.constData(), static_cast<std::size_t>(bytes.size())));
  return total;
}

} // namespace drg::report
