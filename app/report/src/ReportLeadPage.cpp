// A page of the placement report per lead: the numbers of its plan and its pictures.
#include "ReportSections.h"
#include "ReportText.h"

#include "drg/imaging/SpineLevel.h"
#include "drg/planning/FluoroscopyChecklist.h"

#include <QObject>
#include <QStringList>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

namespace drg::report
{
namespace
{

/// An angle in whole degrees, or that it is not known (NaN).
QString degrees(double deg)
{
  return std::isnan(deg) ? QObject::tr("not known") : QObject::tr("%1 deg").arg(mm(deg, 0));
}

} // namespace

void writeLeadPage(ReportPages& pages, const ReportInput& in, std::size_t i, const LeadPictures& pictures)
{
  const planning::Plan& plan = in.plan;
  pages.newPage();
  const auto& l = plan.leads[i];
  pages.heading(QObject::tr("Lead %1: %2").arg(i + 1).arg(q(l.name)), 13);
  if (!l.planned) {
    pages.paragraph(QObject::tr("Not planned: %1").arg(q(l.problem)), 10, true, QColor(170, 0, 0));
    return;
  }
  // this lead's errors above everything else on its page: the page goes into the OR
  for (const auto& f : plan.findings) {
    if (f.lead == static_cast<int>(i) && f.severity == planning::Severity::Error) {
      pages.paragraph(QObject::tr("ERROR - not to be carried out as planned: %1").arg(q(f.message)), 9, true,
                      QColor(170, 0, 0));
    }
  }
  const auto* model = in.catalog ? in.catalog->lead(l.leadModel) : nullptr;
  const auto* needle = in.catalog ? in.catalog->needle(l.needle) : nullptr;
  const auto* sheath = in.catalog ? in.catalog->sheath(l.sheathUsed) : nullptr;
  QStringList contacts;
  for (const auto& c : l.contacts) {
    contacts << "(" + point(c) + ")";
  }
  pages.table({
    { QObject::tr("Target"),
      QObject::tr("%1 %2 dorsal root ganglion%3")
        .arg(q(l.targetLevel), sideText(l.targetSide),
             l.manualTarget ? QObject::tr(" (point set by the planner)") : QString()) },
    { QObject::tr("Ganglion centre (LPS mm)"), point(l.target) },
    { QObject::tr("Ganglion size (length x width)"),
      QObject::tr("%1 x %2 mm").arg(mm(l.targetLengthMm), mm(l.targetWidthMm)) },
    { QObject::tr("Approach"),
      QObject::tr("%1, interlaminar window %2%3")
        .arg(q(planning::approachName(l.approach)), q(planning::windowText(l)),
             l.spreadNote.empty() ? QString()
                                  : QObject::tr(" (chosen by the planner: %1)").arg(q(l.spreadNote))) },
    { QObject::tr("Skin entry (LPS mm)"), point(l.skinEntry) },
    { QObject::tr("Epidural entry (LPS mm)"), point(l.epiduralEntry) },
    // the needle's angles as read on the images below, each with its definition
    { QObject::tr("Needle to the skin"),
      QObject::tr("%1 (lateral image: between the needle and the skin line at the skin entry)")
        .arg(degrees(l.needleToSkinDeg)) },
    { QObject::tr("Needle to the lamina line"),
      QObject::tr("%1 (lateral image: between the needle and the dorsal wall of the canal over %2)")
        .arg(degrees(l.needleToLaminaLineDeg), q(l.entryLevel)) },
    { QObject::tr("Needle medio-lateral"),
      QObject::tr("%1 (AP image: between the needle's shadow and the image's cranio-caudal axis)")
        .arg(degrees(l.needleApMedioLateralDeg)) },
    { QObject::tr("Depth to the epidural space"), QObject::tr("%1 mm").arg(mm(l.needleDepthMm)) },
    { QObject::tr("Needle"),
      needle ? q(needle->name) + QObject::tr(", %1 mm long").arg(mm(needle->lengthMm.value, 0))
             : q(l.needle) },
    { QObject::tr("Epidural route"),
      QObject::tr("%1 mm; tightest bend radius %2 mm (sheath %3, %4 mm)")
        .arg(mm(l.routeLengthMm), mm(l.minRadiusMm), sheath ? q(sheath->name) : q(l.sheathUsed),
             mm(l.sheathRadiusMm)) },
    { QObject::tr("Contacts (LPS mm, distal first)"), contacts.join(", ") },
    { QObject::tr("Ganglion under the contacts"),
      QObject::tr("%1 % of its length").arg(mm(100.0 * l.coverage, 0)) },
    { QObject::tr("Lead"),
      (model ? q(model->name) : q(l.leadModel)) +
        (!l.budget.complete ? QObject::tr(", length NOT BUDGETED (no pocket placed: the tunnel is unknown)")
         : l.budget.fits    ? QObject::tr(", %1 cm").arg(mm(l.budget.leadCm, 0))
                            : QObject::tr(", NONE IN THE CATALOG IS LONG ENOUGH")) },
    { QObject::tr("Extension"), l.budget.extensionCm > 0
                                  ? QObject::tr("%1 cm").arg(mm(l.budget.extensionCm, 0))
                                  : QObject::tr("none") },
    { QObject::tr("Anchor"),
      QObject::tr("(%1)%2").arg(point(l.anchor), l.anchorAtFascia
                                                   ? QObject::tr(", at the fascia")
                                                   : QObject::tr(", fascia not seen: fallback depth")) },
    { QObject::tr("Strain-relief loop"), QObject::tr("%1 mm across").arg(mm(l.loopDiameterMm, 0)) },
    { QObject::tr("Length needed"),
      in.plan.kind == planning::PlanKind::Trial
        ? QObject::tr("%1 cm: route %2, needle track to the skin %3, loop %4, outside the skin %5 mm (trial: "
                      "the lead leaves the skin at its needle's entry)")
            .arg(mm(0.1 * l.budget.totalMm, 0), mm(l.budget.routeMm, 0), mm(l.budget.trackMm, 0),
                 mm(l.budget.loopMm, 0), mm(l.budget.slackMm, 0))
      : l.budget.complete
        ? QObject::tr("%1 cm: route %2, track %3, loop %4, tunnel %5, slack %6 mm")
            .arg(mm(0.1 * l.budget.totalMm, 0), mm(l.budget.routeMm, 0), mm(l.budget.trackMm, 0),
                 mm(l.budget.loopMm, 0), mm(l.budget.tunnelMm, 0), mm(l.budget.slackMm, 0))
        : QObject::tr("more than %1 cm: route %2, track %3, loop %4, slack %5 mm; the tunnel to the "
                      "pocket is not known")
            .arg(mm(0.1 * l.budget.totalMm, 0), mm(l.budget.routeMm, 0), mm(l.budget.trackMm, 0),
                 mm(l.budget.loopMm, 0), mm(l.budget.slackMm, 0)) },
  });
  // the skin entry against the bone: what carries over to the prone patient
  pages.heading(QObject::tr("In the OR (prone)"), 10);
  const std::string where = planning::entryLandmarksText(l.entryLandmarks);
  pages.paragraph(
    (where.empty() ? QObject::tr("Skin entry: no spinous process found near it; use the LPS position.")
                   : QObject::tr("Skin entry: %1.").arg(q(where))) +
      (planning::scanNotProne(plan.study)
         ? QObject::tr(" The planning scan was not taken prone (%1): the skin moves against the spine "
                       "when the patient is turned; mark the entry from these bony landmarks on "
                       "fluoroscopy.")
             .arg(plan.study.patientPosition.empty() ? QObject::tr("position not known")
                                                     : q(plan.study.patientPosition))
         : QString()),
    8.5);
  // the C-arm set-up for the target level and where the contacts must show
  if (in.model) {
    for (const std::string& line : planning::fluoroscopyChecklist(*in.model, l).lines()) {
      pages.paragraph(q(line), 8.5);
    }
  }
  if (!pictures.ap.isNull()) {
    pages.images(
      { { pictures.ap, QObject::tr("AP (seen from behind), digitally reconstructed: lead, contacts "
                                   "(dots), needle, target (red), pedicles (blue)") },
        { pictures.lateral, QObject::tr("Lateral (from the left), digitally reconstructed") } },
      78);
  }
  if (!pictures.axial.isNull()) {
    if (!pages.fits(60)) {
      pages.newPage();
    }
    pages.images({ { pictures.axial, QObject::tr("Axial slice through the ganglion") },
                   { pictures.sagittal, QObject::tr("Sagittal slice through the ganglion") } },
                 std::min(72.0, pages.room() - 10));
  }
}

} // namespace drg::report
