// Fluoroscopy-like views of a lead: a radiograph reconstructed from the CT, the plan drawn on it.
#include "drg/report/PlacementReport.h"

#include "LeadDrawing.h"
#include "ReportText.h"

#include "drg/imaging/OrthogonalSlicer.h"
#include "drg/planning/FluoroProjection.h"
#include "drg/report/SliceImages.h"

#include <QFont>
#include <QPainter>

#include <Eigen/Geometry>

#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

namespace drg::report
{
namespace
{

/// Frame of a fluoroscopy view: the projections the plan's needle angles are measured in
/// (drg/planning/FluoroProjection.h), AP seen from behind (patient left on the left), lateral from
/// the left.
imaging::PlaneFrame fluoroFrame(FluoroView view, double halfMm)
{
  const planning::FluoroProjection p =
    view == FluoroView::AP ? planning::apProjection() : planning::lateralProjection();
  imaging::PlaneFrame f;
  f.right = p.right;
  f.down = p.down;
  f.halfWidthMm = halfMm;
  f.halfHeightMm = halfMm;
  return f;
}

/// What a view shows: the target's vertebral body, the target and the whole needle from its skin
/// entry (its angle to the skin is read there), 15 mm spare around them, at least 80 mm either side
/// of its centre. Returns the centre and the half size (mm).
std::pair<Eigen::Vector3d, double> fluoroField(const planning::LeadPlan& l, const imaging::SpineModel* model,
                                               const imaging::PlaneFrame& frame)
{
  std::vector<Eigen::Vector3d> shown{ l.target, l.skinEntry, l.epiduralEntry };
  if (const imaging::SpineVertebra* v = model ? model->vertebra(l.targetLevel) : nullptr) {
    shown.push_back(v->bodyCentre);
  }
  Eigen::Vector2d lo(1e30, 1e30), hi(-1e30, -1e30);
  for (const Eigen::Vector3d& p : shown) {
    const Eigen::Vector2d q(p.dot(frame.right), p.dot(frame.down));
    lo = lo.cwiseMin(q);
    hi = hi.cwiseMax(q);
  }
  const Eigen::Vector2d mid = 0.5 * (lo + hi);
  const double half = std::max(80.0, 0.5 * (hi - lo).maxCoeff() + 15.0);
  // the centre in the view's plane through the target (along the beam, the projection's depth is
  // centred on the target)
  const Eigen::Vector3d centre = l.target + (mid.x() - l.target.dot(frame.right)) * frame.right +
                                 (mid.y() - l.target.dot(frame.down)) * frame.down;
  return { centre, half };
}

} // namespace

QImage fluoroscopyView(const imaging::Image<float>& ct, const planning::Plan& plan, std::size_t lead,
                       const imaging::SpineModel* model, FluoroView view, int sizePx, FluoroPixels* pixels)
{
  const planning::LeadPlan& l = plan.leads.at(lead);
  const auto [centre, halfMm] = fluoroField(l, model, fluoroFrame(view, 0.0));
  const imaging::PlaneFrame frame = fluoroFrame(view, halfMm);
  const imaging::Slice s = imaging::projectCt(ct, frame, centre, 1.0, 250.0, 1.5);
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
  FluoroPixels where;
  where.topLeft = s.topLeft;
  where.right = s.right;
  where.down = s.down;
  where.pxPerMmX = sizePx / (s.width * s.pixelMm);
  where.pxPerMmY = sizePx / (s.height * s.pixelMm);
  if (pixels != nullptr) {
    *pixels = where;
  }
  auto at = [&](const Eigen::Vector3d& p) {
    const Eigen::Vector2d px = where.of(p);
    return QPointF(px.x(), px.y());
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

} // namespace drg::report
