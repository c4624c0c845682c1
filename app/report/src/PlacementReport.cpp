#include "drg/report/PlacementReport.h"

#include "drg/imaging/AtomicOutput.h"
#include "drg/imaging/Error.h"
#include "drg/imaging/OrthogonalSlicer.h"
#include "drg/report/SliceImages.h"

#include <QBuffer>
#include <QFont>
#include <QFontMetricsF>
#include <QPageSize>
#include <QPainter>
#include <QPainterPath>
#include <QPdfWriter>

#include <Eigen/Geometry>

#include <algorithm>
#include <cmath>
#include <future>
#include <vector>

namespace drg::report
{
namespace
{

QString q(const std::string& s)
{
  return QString::fromStdString(s);
}

QString mm(double v, int decimals = 1)
{
  return QString::number(v, 'f', decimals);
}

QString point(const Eigen::Vector3d& p)
{
  return QString("%1, %2, %3").arg(mm(p.x()), mm(p.y()), mm(p.z()));
}

const QColor kLeadColours[] = { QColor(230, 170, 0), QColor(0, 170, 90), QColor(200, 60, 200),
                                QColor(0, 150, 220) };

/// Frame of a fluoroscopy view: AP seen from behind (patient left on the left), lateral from the left.
imaging::PlaneFrame fluoroFrame(FluoroView view, double halfMm)
{
  imaging::PlaneFrame f;
  if (view == FluoroView::AP) {
    f.right = Eigen::Vector3d(-1, 0, 0);
    f.down = Eigen::Vector3d(0, 0, -1);
  } else {
    f.right = Eigen::Vector3d(0, 1, 0);
    f.down = Eigen::Vector3d(0, 0, -1);
  }
  f.halfWidthMm = halfMm;
  f.halfHeightMm = halfMm;
  return f;
}

/// Draws a path of LPS points mapped by `at`.
template<typename Map>
void drawPath(QPainter& p, const std::vector<Eigen::Vector3d>& points, const Map& at)
{
  QPainterPath path;
  for (std::size_t i = 0; i < points.size(); ++i) {
    if (i == 0) {
      path.moveTo(at(points[i]));
    } else {
      path.lineTo(at(points[i]));
    }
  }
  p.drawPath(path);
}

/// Draws a lead's plan on a view: needle (and its line beyond the tip), route, contacts, target.
template<typename Map>
void drawLead(QPainter& p, const planning::LeadPlan& l, const QColor& colour, double pxPerMm, const Map& at)
{
  p.setRenderHint(QPainter::Antialiasing);
  p.setBrush(Qt::NoBrush);
  const Eigen::Vector3d ahead = (l.epiduralEntry - l.skinEntry).normalized();
  p.setPen(QPen(QColor(20, 20, 20), std::max(2.0, 1.3 * pxPerMm), Qt::SolidLine, Qt::RoundCap));
  p.drawLine(at(l.skinEntry), at(l.epiduralEntry));
  p.setPen(QPen(QColor(20, 20, 20), 1.0, Qt::DashLine));
  p.drawLine(at(l.epiduralEntry), at(l.epiduralEntry + 40.0 * ahead));
  // the lead: its colour with a dark edge, as a metal lead shows dark on the C-arm
  std::vector<Eigen::Vector3d> lead{ l.anchor, l.epiduralEntry };
  lead.insert(lead.end(), l.route.begin(), l.route.end());
  p.setPen(
    QPen(QColor(20, 20, 20), std::max(3.0, 1.0 * pxPerMm + 2.0), Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin));
  drawPath(p, lead, at);
  p.setPen(QPen(colour, std::max(1.5, 1.0 * pxPerMm), Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin));
  drawPath(p, lead, at);
  p.setPen(Qt::NoPen);
  p.setBrush(QColor(10, 10, 10));
  for (const auto& c : l.contacts) {
    p.drawEllipse(at(c), 3.0, 3.0);
  }
  p.setBrush(Qt::NoBrush);
  p.setPen(QPen(QColor(220, 30, 30), 2.0));
  const double r = std::max(4.0, 0.5 * l.targetLengthMm * pxPerMm);
  p.drawEllipse(at(l.target), r, r);
}

} // namespace

QImage fluoroscopyView(const imaging::Image<float>& ct, const planning::Plan& plan, std::size_t lead,
                       const imaging::SpineModel* model, FluoroView view, int sizePx)
{
  const planning::LeadPlan& l = plan.leads.at(lead);
  const double halfMm = 80.0;
  const imaging::PlaneFrame frame = fluoroFrame(view, halfMm);
  const imaging::Slice s = imaging::projectCt(ct, frame, l.target, 1.0, 250.0, 1.5);
  // C-arm look: more attenuation darker, the window from the image's own range (automatic exposure)
  std::vector<float> values;
  for (float v : s.values) {
    if (!std::isnan(v)) {
      values.push_back(v);
    }
  }
  QImage img(s.width, s.height, QImage::Format_RGB32);
  img.fill(Qt::black);
  if (!values.empty()) {
    std::sort(values.begin(), values.end());
    const double lo = values[values.size() / 50], hi = values[values.size() * 995 / 1000];
    for (int y = 0; y < s.height; ++y) {
      auto* line = reinterpret_cast<QRgb*>(img.scanLine(y));
      for (int x = 0; x < s.width; ++x) {
        const float v = s.values[static_cast<std::size_t>(x + s.width * y)];
        const double t = std::isnan(v) ? 1.0 : std::clamp((v - lo) / std::max(1e-6, hi - lo), 0.0, 1.0);
        const int g = static_cast<int>(std::lround(235.0 - 215.0 * std::pow(t, 0.8)));
        line[x] = qRgb(g, g, g);
      }
    }
  }
  QImage out = img.scaled(sizePx, sizePx, Qt::IgnoreAspectRatio, Qt::SmoothTransformation);
  const double pxPerMm = sizePx / (s.width * s.pixelMm);
  auto at = [&](const Eigen::Vector3d& p) {
    const Eigen::Vector2d px = s.lpsToPixel(p);
    return QPointF(px.x() * sizePx / s.width, px.y() * sizePx / s.height);
  };
  QPainter p(&out);
  p.setRenderHint(QPainter::Antialiasing);
  // the pedicles of the target's vertebra and the one below: the landmarks the surgeon aims by
  if (model != nullptr) {
    QFont f = p.font();
    f.setPixelSize(std::max(10, sizePx / 40));
    p.setFont(f);
    for (const auto& ped : model->pedicles) {
      if (std::abs(ped.centre.z() - l.target.z()) > 45.0) {
        continue;
      }
      p.setPen(QPen(QColor(0, 120, 170), 1.5));
      const double w = std::max(3.0, 0.5 * (view == FluoroView::AP ? ped.widthMm : 8.0) * pxPerMm);
      const double h = std::max(3.0, 0.5 * ped.heightMm * pxPerMm);
      p.drawEllipse(at(ped.centre), w, h);
      p.drawText(at(ped.centre) + QPointF(w + 2, -h), q(ped.level));
    }
  }
  for (std::size_t i = 0; i < plan.leads.size(); ++i) {
    if (plan.leads[i].planned) {
      drawLead(p, plan.leads[i], kLeadColours[i % 4], pxPerMm, at);
    }
  }
  p.setPen(QColor(200, 40, 40));
  drawOrientationLetters(p, QRectF(0, 0, sizePx, sizePx), frame.right, frame.down);
  QFont f = p.font();
  f.setPixelSize(std::max(11, sizePx / 34));
  f.setBold(true);
  p.setFont(f);
  p.setPen(QColor(20, 20, 20));
  p.drawText(QRectF(6, 4, sizePx - 12, sizePx / 10.0), Qt::AlignLeft | Qt::AlignTop,
             view == FluoroView::AP ? QObject::tr("AP, seen from behind")
                                    : QObject::tr("Lateral, from the left"));
  // 1 cm bar
  p.setPen(QPen(QColor(20, 20, 20), 2));
  p.drawLine(QPointF(8, sizePx - 10), QPointF(8 + 10.0 * pxPerMm, sizePx - 10));
  return out;
}

namespace
{

/// A4 pages drawn in millimetres: `y` runs down the page, text wraps inside the margins.
class Pages
{
public:
  /// `total` 0: a counting pass (images take their room but are not drawn).
  Pages(QPdfWriter& writer, int total)
    : m_writer(writer)
    , m_painter(&writer)
    , m_total(total)
  {
    const double dotsPerMm = writer.resolution() / 25.4;
    m_painter.scale(dotsPerMm, dotsPerMm); // millimetres from here on
    m_width = writer.pageLayout().paintRect(QPageLayout::Millimeter).width();
    m_height = writer.pageLayout().paintRect(QPageLayout::Millimeter).height();
    begin();
  }
  ~Pages() { m_painter.end(); }

  void newPage()
  {
    m_writer.newPage();
    begin();
  }
  QPainter& painter() { return m_painter; }
  double width() const { return m_width; }
  double y = 0;

  void heading(const QString& text, double size = 14)
  {
    text_(text, size, true);
    y += 1.5;
  }
  void paragraph(const QString& text, double size = 9, bool bold = false, const QColor& colour = Qt::black)
  {
    text_(text, size, bold, colour);
  }
  /// Rows of two columns: name and value.
  void table(const std::vector<std::pair<QString, QString>>& rows, double size = 8.5, double nameWidth = 55)
  {
    QFont f = font(size, false);
    m_painter.setFont(f);
    for (const auto& [name, value] : rows) {
      const QRectF valueBox(nameWidth, y, m_width - nameWidth, 1000);
      const QRectF used = m_painter.boundingRect(valueBox, Qt::TextWordWrap, value);
      m_painter.setPen(QColor(70, 70, 70));
      m_painter.drawText(QRectF(0, y, nameWidth - 2, used.height()), Qt::TextWordWrap, name);
      m_painter.setPen(Qt::black);
      m_painter.drawText(valueBox, Qt::TextWordWrap, value);
      y += std::max(used.height(), 3.6) + 0.6;
    }
    y += 1.5;
  }
  /// Images side by side across the page, `heightMm` high, with captions.
  void images(const std::vector<std::pair<QImage, QString>>& items, double heightMm)
  {
    const double gap = 4;
    const double w = (m_width - gap * (items.size() - 1)) / items.size();
    double x = 0;
    for (const auto& [img, caption] : items) {
      if (!img.isNull() && m_total > 0) {
        const double scale = std::min(w / img.width(), heightMm / img.height());
        const QRectF r(x, y, img.width() * scale, img.height() * scale);
        m_painter.drawImage(r, img);
      }
      m_painter.setFont(font(7.5, false));
      m_painter.setPen(QColor(60, 60, 60));
      m_painter.drawText(QRectF(x, y + heightMm + 0.5, w, 8), Qt::TextWordWrap, caption);
      x += w + gap;
    }
    y += heightMm + 8;
  }
  bool fits(double mmNeeded) const { return y + mmNeeded < m_height - 10; }
  double room() const { return m_height - 10 - y; }
  int count() const { return m_page; }

private:
  QFont font(double points, bool bold) const
  {
    QFont f("DejaVu Sans");
    // the painter draws in millimetres, and a font's points are turned into the device's dots first
    f.setPointSizeF(points * 0.3528 * 72.0 / m_writer.resolution());
    // no ligatures ("fi" as one glyph): the PDF's text must be found by searching for "verified"
    // (any letter spacing turns Qt's ligatures off; 0.02 mm, above its 1/64 resolution, does not show)
    f.setLetterSpacing(QFont::AbsoluteSpacing, 0.02);
    f.setBold(bold);
    return f;
  }
  void text_(const QString& text, double size, bool bold, const QColor& colour = Qt::black)
  {
    m_painter.setFont(font(size, bold));
    m_painter.setPen(colour);
    const QRectF box(0, y, m_width, 1000);
    const QRectF used = m_painter.boundingRect(box, Qt::TextWordWrap, text);
    m_painter.drawText(box, Qt::TextWordWrap, text);
    y += used.height() + 1.2;
  }
  void begin()
  {
    ++m_page;
    y = 0;
    m_painter.setFont(font(7.5, false));
    m_painter.setPen(QColor(90, 90, 90));
    m_painter.drawText(QRectF(0, m_height - 6, m_width, 6), Qt::AlignRight | Qt::AlignBottom,
                       m_total > 0 ? QObject::tr("Page %1 of %2").arg(m_page).arg(m_total)
                                   : QObject::tr("Page %1").arg(m_page));
    m_painter.drawText(QRectF(0, m_height - 6, m_width, 6), Qt::AlignLeft | Qt::AlignBottom,
                       QObject::tr("drgplan placement report - a planning aid: verify intra-operatively"));
  }

  QPdfWriter& m_writer;
  QPainter m_painter;
  int m_total = 1;
  int m_page = 0;
  double m_width = 180, m_height = 270;
};

QString sideText(imaging::Side s)
{
  return s == imaging::Side::Left ? QObject::tr("left") : QObject::tr("right");
}

/// A slice through `centre` with the plan drawn on it, as an image `sizePx` wide.
QImage planSlice(const imaging::Image<float>& volume, bool isCt, const planning::Plan& plan, std::size_t lead,
                 imaging::SlicePlane plane, int sizePx)
{
  const auto& l = plan.leads[lead];
  imaging::PlaneFrame frame;
  imaging::slicePlaneAxes(plane, frame.right, frame.down);
  frame.halfWidthMm = 60;
  frame.halfHeightMm = 60;
  const imaging::Slice s = imaging::extractPlane(volume, frame, l.target, 0.5);
  const WindowLevel w = isCt ? windowPreset("bone") : automaticWindow(s.values);
  QImage img = renderSlice(s, w).scaled(sizePx, sizePx, Qt::IgnoreAspectRatio, Qt::SmoothTransformation);
  const double pxPerMm = sizePx / (s.width * s.pixelMm);
  auto at = [&](const Eigen::Vector3d& p) {
    const Eigen::Vector2d px = s.lpsToPixel(p);
    return QPointF(px.x() * sizePx / s.width, px.y() * sizePx / s.height);
  };
  QPainter p(&img);
  for (std::size_t i = 0; i < plan.leads.size(); ++i) {
    if (plan.leads[i].planned) {
      drawLead(p, plan.leads[i], kLeadColours[i % 4], pxPerMm, at);
    }
  }
  p.setPen(QColor(255, 200, 60));
  drawOrientationLetters(p, QRectF(0, 0, sizePx, sizePx), frame.right, frame.down);
  return img;
}

} // namespace

int writePlacementReportPdf(const ReportInput& in, const std::filesystem::path& pdf)
{
  const planning::Plan& plan = in.plan;
  if (plan.leads.empty()) {
    throw Error(ErrorCode::InvalidArgument, "the plan has no leads: nothing to report");
  }
  // the pictures first (each once): per lead AP and lateral radiographs (CT), axial and sagittal slices
  struct LeadImages
  {
    QImage ap, lateral, axial, sagittal;
  };
  std::vector<LeadImages> pictures(plan.leads.size());
  // one task per picture, on all cores (QImage painting is safe off the GUI thread)
  std::vector<std::future<void>> tasks;
  for (std::size_t i = 0; i < plan.leads.size() && in.volume != nullptr; ++i) {
    if (!plan.leads[i].planned) {
      continue;
    }
    LeadImages& pic = pictures[i];
    if (in.isCt) {
      tasks.push_back(std::async(std::launch::async, [&, i] {
        pic.ap = fluoroscopyView(*in.volume, plan, i, in.model, FluoroView::AP, 600);
      }));
      tasks.push_back(std::async(std::launch::async, [&, i] {
        pic.lateral = fluoroscopyView(*in.volume, plan, i, in.model, FluoroView::Lateral, 600);
      }));
    }
    tasks.push_back(std::async(std::launch::async, [&, i] {
      pic.axial = planSlice(*in.volume, in.isCt, plan, i, imaging::SlicePlane::Axial, 500);
      pic.sagittal = planSlice(*in.volume, in.isCt, plan, i, imaging::SlicePlane::Sagittal, 500);
    }));
  }
  for (auto& t : tasks) {
    t.get(); // (rethrows a task's error)
  }
  // twice: once to count the pages, once with "page i of n"
  QByteArray bytes;
  int total = 0;
  for (int pass = 0; pass < 2; ++pass) {
    bytes.clear();
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    QPdfWriter writer(&buffer);
    writer.setPageSize(QPageSize(QPageSize::A4));
    writer.setPageMargins(QMarginsF(15, 15, 15, 12), QPageLayout::Millimeter);
    writer.setResolution(200);
    writer.setTitle("drgplan placement report");
    writer.setCreator(q("drgplan " + in.softwareVersion));
    Pages pages(writer, total);

    // ---- page 1: who, what, sign-off, summary, overview
    pages.heading(QObject::tr("DRG stimulation placement plan"), 16);
    pages.paragraph(
      QObject::tr("PLANNING AID - NOT FOR NAVIGATION. Positions come from image analysis and "
                  "published priors; the ganglia, the needle path and the lead position must be "
                  "verified intra-operatively (fluoroscopy, stimulation response)."),
      8.5, true, QColor(170, 0, 0));
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
    who.push_back({ QObject::tr("Images"),
                    id.deidentified ? QObject::tr("(withheld: de-identified)") : q(plan.study.source) });
    who.push_back({ QObject::tr("Levels counted from"),
                    q(plan.study.levelAnchor) +
                      (plan.study.labelShift != 0
                         ? QObject::tr(" (renumbered by the user by %1)").arg(plan.study.labelShift)
                         : QString()) });
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
                            ? QObject::tr("%1 %2 ganglion; %3 approach, window below %4; needle %5 mm; "
                                          "lead %6 cm%7")
                                .arg(q(l.targetLevel), sideText(l.targetSide),
                                     q(planning::approachName(l.approach)), q(l.entryLevel))
                                .arg(mm(l.needleDepthMm, 0))
                                .arg(mm(l.budget.leadCm, 0))
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

    // ---- a page per lead
    for (std::size_t i = 0; i < plan.leads.size(); ++i) {
      pages.newPage();
      const auto& l = plan.leads[i];
      pages.heading(QObject::tr("Lead %1: %2").arg(i + 1).arg(q(l.name)), 13);
      if (!l.planned) {
        pages.paragraph(QObject::tr("Not planned: %1").arg(q(l.problem)), 10, true, QColor(170, 0, 0));
        continue;
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
        { QObject::tr("Approach"), QObject::tr("%1, interlaminar window below %2")
                                     .arg(q(planning::approachName(l.approach)), q(l.entryLevel)) },
        { QObject::tr("Skin entry (LPS mm)"), point(l.skinEntry) },
        { QObject::tr("Epidural entry (LPS mm)"), point(l.epiduralEntry) },
        { QObject::tr("Needle angles (fluoroscopy)"),
          QObject::tr("cranio-caudal %1 deg to the skin (lateral view), medio-lateral %2 deg (AP view)")
            .arg(mm(l.needleCranioCaudalDeg, 0), mm(l.needleMedioLateralDeg, 0)) },
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
          (model ? q(model->name) : q(l.leadModel)) + QObject::tr(", %1 cm").arg(mm(l.budget.leadCm, 0)) },
        { QObject::tr("Extension"), l.budget.extensionCm > 0
                                      ? QObject::tr("%1 cm").arg(mm(l.budget.extensionCm, 0))
                                      : QObject::tr("none") },
        { QObject::tr("Anchor"),
          QObject::tr("(%1)%2").arg(point(l.anchor), l.anchorAtFascia
                                                       ? QObject::tr(", at the fascia")
                                                       : QObject::tr(", fascia not seen: fallback depth")) },
        { QObject::tr("Strain-relief loop"), QObject::tr("%1 mm across").arg(mm(l.loopDiameterMm, 0)) },
        { QObject::tr("Length needed"),
          QObject::tr("%1 cm: route %2, track %3, loop %4, tunnel %5, slack %6 mm")
            .arg(mm(0.1 * l.budget.totalMm, 0), mm(l.budget.routeMm, 0), mm(l.budget.trackMm, 0),
                 mm(l.budget.loopMm, 0), mm(l.budget.tunnelMm, 0), mm(l.budget.slackMm, 0)) },
      });
      if (!pictures[i].ap.isNull()) {
        pages.images(
          { { pictures[i].ap, QObject::tr("AP (seen from behind), digitally reconstructed: lead, contacts "
                                          "(dots), needle, target (red), pedicles (blue)") },
            { pictures[i].lateral, QObject::tr("Lateral (from the left), digitally reconstructed") } },
          78);
      }
      if (!pictures[i].axial.isNull()) {
        if (!pages.fits(60)) {
          pages.newPage();
        }
        pages.images({ { pictures[i].axial, QObject::tr("Axial slice through the ganglion") },
                       { pictures[i].sagittal, QObject::tr("Sagittal slice through the ganglion") } },
                     std::min(72.0, pages.room() - 10));
      }
    }

    // ---- pocket, findings, devices
    pages.newPage();
    pages.heading(QObject::tr("Pulse generator pocket"), 13);
    if (plan.pocket && plan.pocket->placed) {
      const auto& p = *plan.pocket;
      const auto* gen = in.catalog ? in.catalog->generator(p.generator) : nullptr;
      double tunnel = 0;
      for (const auto& l : plan.leads) {
        for (std::size_t k = 1; k < l.tunnel.size(); ++k) {
          tunnel += (l.tunnel[k] - l.tunnel[k - 1]).norm();
        }
      }
      pages.table({ { QObject::tr("Site"),
                      q(std::string(planning::pocketSiteName(p.site)) + " " + imaging::sideName(p.side)) },
                    { QObject::tr("Skin point (LPS mm)"), point(p.skinPoint) },
                    { QObject::tr("Depth"), QObject::tr("%1 mm below the skin").arg(mm(p.depthMm)) },
                    { QObject::tr("Generator"),
                      (gen ? q(gen->name) : q(p.generator)) +
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
    total = pages.count();
  }
  imaging::writeFileAtomically(pdf,
                               std::string_view(bytes.constData(), static_cast<std::size_t>(bytes.size())));
  return total;
}

} // namespace drg::report
