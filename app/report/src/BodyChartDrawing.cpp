// The body chart drawn with QPainter: two views, outlines, regions, the marked ones filled.
#include "drg/report/BodyChartDrawing.h"

#include <QFontMetricsF>
#include <QObject>
#include <QPainterPath>
#include <QPolygonF>

#include <algorithm>

namespace drg::report
{
namespace
{

using planning::ChartView;

constexpr double kTitleFraction = 0.06; ///< of the height, above each view, for its name

QPolygonF polygon(const BodyChartLayout& layout, ChartView view, const std::vector<Eigen::Vector2d>& points)
{
  QPolygonF out;
  for (const auto& p : points) {
    out << layout.painterPoint(view, p);
  }
  return out;
}

} // namespace

std::optional<std::pair<ChartView, Eigen::Vector2d>> BodyChartLayout::chartPoint(const QPointF& p) const
{
  for (ChartView v : { ChartView::Front, ChartView::Back }) {
    const QRectF& box = v == ChartView::Front ? front : back;
    if (box.contains(p)) {
      return std::make_pair(v, Eigen::Vector2d((p.x() - box.left()) / scale, (p.y() - box.top()) / scale));
    }
  }
  return std::nullopt;
}

QPointF BodyChartLayout::painterPoint(ChartView view, const Eigen::Vector2d& chart) const
{
  const QRectF& box = view == ChartView::Front ? front : back;
  return { box.left() + chart.x() * scale, box.top() + chart.y() * scale };
}

BodyChartLayout bodyChartLayout(const planning::BodyChart& chart, const QRectF& area)
{
  BodyChartLayout l;
  const double title = area.height() * kTitleFraction;
  const double h = area.height() - title;
  l.scale = std::min(h / chart.height(), area.width() / (2.0 * chart.width()));
  const double w = chart.width() * l.scale;
  const double left = area.left() + (area.width() - 2.0 * w) / 2.0;
  l.front = QRectF(left, area.top() + title, w, chart.height() * l.scale);
  l.back = QRectF(left + w, area.top() + title, w, chart.height() * l.scale);
  return l;
}

BodyChartLayout drawBodyChart(QPainter& painter, const QRectF& area, const planning::BodyChart& chart,
                              const std::vector<std::string>& marked, const std::string& highlighted)
{
  const BodyChartLayout layout = bodyChartLayout(chart, area);
  painter.save();
  painter.setRenderHint(QPainter::Antialiasing, true);
  const double lineWidth = std::max(0.6, layout.scale * 0.35);
  for (ChartView view : { ChartView::Front, ChartView::Back }) {
    painter.setPen(QPen(QColor(90, 90, 90), lineWidth * 1.6));
    painter.setBrush(QColor(246, 240, 232));
    for (const auto& poly : chart.outline(view)) {
      painter.drawPolygon(polygon(layout, view, poly));
    }
    for (const auto& r : chart.regions()) {
      if (r.view != view) {
        continue;
      }
      const bool isMarked = std::find(marked.begin(), marked.end(), r.id) != marked.end();
      painter.setPen(r.id == highlighted ? QPen(QColor(0, 90, 200), lineWidth * 3)
                                         : QPen(QColor(170, 160, 150), lineWidth));
      painter.setBrush(isMarked ? QBrush(QColor(205, 30, 30, 200)) : QBrush(Qt::NoBrush));
      painter.drawPolygon(polygon(layout, view, r.polygon));
    }
    // the view's name above it; the patient's sides beside the figure, at the waist: the front view
    // shows the patient's left on the right, the view from behind on the left
    const QRectF& box = view == ChartView::Front ? layout.front : layout.back;
    QFont f = painter.font();
    f.setPixelSize(std::max(8, static_cast<int>(area.height() * kTitleFraction * 0.5)));
    f.setBold(true);
    painter.setFont(f);
    painter.setPen(Qt::black);
    const QRectF titleBox(box.left(), area.top(), box.width(), box.top() - area.top());
    const QString title =
      view == ChartView::Front ? QObject::tr("FRONT") : QObject::tr("BACK, seen from behind");
    QFont titleFont = f;
    while (titleFont.pixelSize() > 6 &&
           QFontMetricsF(titleFont).horizontalAdvance(title) > box.width() * 0.95) {
      titleFont.setPixelSize(titleFont.pixelSize() - 1); // (the narrow view of a small chart)
    }
    painter.setFont(titleFont);
    painter.drawText(titleBox, Qt::AlignCenter, title);
    painter.setFont(f);
    const QString leftLetter = view == ChartView::Front ? QObject::tr("R") : QObject::tr("L");
    const QString rightLetter = view == ChartView::Front ? QObject::tr("L") : QObject::tr("R");
    const double y = layout.painterPoint(view, { 0, 66 }).y();
    const double h = f.pixelSize() * 1.6;
    painter.drawText(QRectF(box.left(), y - h / 2, box.width() * 0.16, h), Qt::AlignCenter, leftLetter);
    painter.drawText(QRectF(box.right() - box.width() * 0.16, y - h / 2, box.width() * 0.16, h),
                     Qt::AlignCenter, rightLetter);
  }
  painter.restore();
  return layout;
}

QImage bodyChartImage(const planning::BodyChart& chart, const std::vector<std::string>& marked, int heightPx)
{
  const double aspect = 2.0 * chart.width() / (chart.height() / (1.0 - kTitleFraction));
  QImage image(static_cast<int>(heightPx * aspect) + 2, heightPx, QImage::Format_RGB32);
  image.fill(Qt::white);
  QPainter painter(&image);
  drawBodyChart(painter, QRectF(0, 0, image.width(), image.height()), chart, marked);
  return image;
}

} // namespace drg::report
