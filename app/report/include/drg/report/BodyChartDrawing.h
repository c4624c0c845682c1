#pragma once
// The body chart drawn: the front and back views side by side, the marked (painful) regions filled,
// the patient's sides lettered. QtGui only: the report prints it, the workstation's pain map draws
// and hit-tests with it.

#include "drg/planning/PainMap.h"

#include <QImage>
#include <QPainter>
#include <QRectF>

#include <optional>
#include <string>
#include <vector>

namespace drg::report
{

/// Where the chart's two views go in a rectangle: chart units to the painter's and back.
struct BodyChartLayout
{
  QRectF front, back; ///< each view's box, the chart's aspect kept
  double scale = 1;   ///< painter units per chart unit

  /// The view and chart point under a painter point, or nullopt outside both views.
  std::optional<std::pair<planning::ChartView, Eigen::Vector2d>> chartPoint(const QPointF& p) const;
  QPointF painterPoint(planning::ChartView view, const Eigen::Vector2d& chart) const;
};

/// The layout of the two views inside `area` (a strip at the top of each view for its name).
BodyChartLayout bodyChartLayout(const planning::BodyChart& chart, const QRectF& area);

/// Draws both views into `area`: outlines, every region's edge, the `marked` regions filled, the
/// `highlighted` one (under the pointer) outlined; each view named, its patient sides lettered.
BodyChartLayout drawBodyChart(QPainter& painter, const QRectF& area, const planning::BodyChart& chart,
                              const std::vector<std::string>& marked, const std::string& highlighted = {});

/// The chart as an image `heightPx` high (white background), for the report.
QImage bodyChartImage(const planning::BodyChart& chart, const std::vector<std::string>& marked, int heightPx);

} // namespace drg::report
