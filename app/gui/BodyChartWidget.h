#pragma once
// The body chart to mark pain on: click a region to mark or unmark it, drag to paint several (the
// first region's new state is painted over the others), the region under the pointer outlined.

#include "drg/planning/PainMap.h"
#include "drg/report/BodyChartDrawing.h"

#include <QWidget>

#include <string>
#include <vector>

class BodyChartWidget : public QWidget
{
  Q_OBJECT

public:
  explicit BodyChartWidget(const drg::planning::BodyChart& chart, QWidget* parent = nullptr);

  const std::vector<std::string>& marked() const { return m_marked; }
  void setMarked(std::vector<std::string> regions);
  /// The region at a widget point, or nullptr (for tests and tooltips).
  const drg::planning::ChartRegion* regionAt(const QPointF& p) const;
  /// A point inside the region `id` in widget coordinates (its polygon's centre), for tests.
  QPointF pointIn(const std::string& id) const;
  QSize sizeHint() const override { return { 420, 460 }; }

signals:
  void markedChanged();

protected:
  void paintEvent(QPaintEvent*) override;
  void mousePressEvent(QMouseEvent* e) override;
  void mouseMoveEvent(QMouseEvent* e) override;
  void mouseReleaseEvent(QMouseEvent* e) override;
  void leaveEvent(QEvent*) override;

private:
  /// Marks (or unmarks) `id`; true when that changed something.
  bool setRegion(const std::string& id, bool on);
  drg::report::BodyChartLayout layout() const;

  const drg::planning::BodyChart& m_chart;
  std::vector<std::string> m_marked;
  std::string m_hover;
  bool m_painting = false;
  bool m_paintOn = true;
};
