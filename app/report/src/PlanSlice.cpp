// A slice of the planned images through a lead's target, the plan drawn on it.
#include "PlanSlice.h"

#include "LeadDrawing.h"

#include "drg/report/SliceImages.h"

#include <QPainter>

namespace drg::report
{

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

} // namespace drg::report
