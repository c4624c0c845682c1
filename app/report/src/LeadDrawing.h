#pragma once
// Internal: a lead's plan drawn on a view (a radiograph or a slice) of the report.

#include "drg/planning/Plan.h"

#include <QColor>
#include <QPainter>
#include <QPainterPath>

#include <Eigen/Core>

#include <algorithm>
#include <vector>

namespace drg::report
{

/// The leads' colours on paper: lead i in kLeadColours[i % 4].
inline const QColor kLeadColours[] = { QColor(230, 170, 0), QColor(0, 170, 90), QColor(200, 60, 200),
                                       QColor(0, 150, 220) };

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

} // namespace drg::report
