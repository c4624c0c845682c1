#include "BodyChartWidget.h"

#include <QMouseEvent>
#include <QPainter>

#include <algorithm>

BodyChartWidget::BodyChartWidget(const drg::planning::BodyChart& chart, QWidget* parent)
  : QWidget(parent)
  , m_chart(chart)
{
  setObjectName("bodyChart");
  setMouseTracking(true);
  setMinimumSize(300, 330);
  setCursor(Qt::PointingHandCursor);
}

void BodyChartWidget::setMarked(std::vector<std::string> regions)
{
  m_marked = std::move(regions);
  update();
  emit markedChanged();
}

drg::report::BodyChartLayout BodyChartWidget::layout() const
{
  return drg::report::bodyChartLayout(m_chart, QRectF(rect()).adjusted(4, 4, -4, -4));
}

const drg::planning::ChartRegion* BodyChartWidget::regionAt(const QPointF& p) const
{
  const auto at = layout().chartPoint(p);
  return at ? m_chart.regionAt(at->first, at->second) : nullptr;
}

QPointF BodyChartWidget::pointIn(const std::string& id) const
{
  const drg::planning::ChartRegion* r = m_chart.region(id);
  if (!r) {
    return {};
  }
  Eigen::Vector2d c(0, 0);
  for (const auto& p : r->polygon) {
    c += p;
  }
  return layout().painterPoint(r->view, c / static_cast<double>(r->polygon.size()));
}

bool BodyChartWidget::setRegion(const std::string& id, bool on)
{
  const auto it = std::find(m_marked.begin(), m_marked.end(), id);
  if (on == (it != m_marked.end())) {
    return false;
  }
  if (on) {
    m_marked.push_back(id);
  } else {
    m_marked.erase(it);
  }
  return true;
}

void BodyChartWidget::paintEvent(QPaintEvent*)
{
  QPainter painter(this);
  painter.fillRect(rect(), Qt::white);
  drg::report::drawBodyChart(painter, QRectF(rect()).adjusted(4, 4, -4, -4), m_chart, m_marked, m_hover);
}

void BodyChartWidget::mousePressEvent(QMouseEvent* e)
{
  if (e->button() != Qt::LeftButton) {
    return;
  }
  if (const auto* r = regionAt(e->position())) {
    // the first region toggles; a drag paints that state over the regions it crosses
    m_paintOn = std::find(m_marked.begin(), m_marked.end(), r->id) == m_marked.end();
    m_painting = true;
    setRegion(r->id, m_paintOn);
    update();
    emit markedChanged();
  }
}

void BodyChartWidget::mouseMoveEvent(QMouseEvent* e)
{
  const auto* r = regionAt(e->position());
  const std::string hover = r ? r->id : std::string();
  if (hover != m_hover) {
    m_hover = hover;
    setToolTip(r ? QString::fromStdString(r->label + " (" + drg::imaging::sideName(r->side) + ")")
                 : QString());
    update();
  }
  if (m_painting && r && setRegion(r->id, m_paintOn)) {
    update();
    emit markedChanged();
  }
}

void BodyChartWidget::mouseReleaseEvent(QMouseEvent*)
{
  m_painting = false;
}

void BodyChartWidget::leaveEvent(QEvent*)
{
  m_hover.clear();
  update();
}
