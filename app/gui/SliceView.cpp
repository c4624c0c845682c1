#include "SliceView.h"

#include <QAbstractSpinBox>
#include <QApplication>
#include <QKeyEvent>
#include <QLineEdit>
#include <QLineF>
#include <QMouseEvent>
#include <QPainter>
#include <QWheelEvent>

#include <Eigen/Geometry>

#include <algorithm>
#include <cmath>

using drg::imaging::SlicePlane;

SliceView::SliceView(SlicePlane plane, QWidget* parent)
  : QWidget(parent)
  , m_plane(plane)
{
  setMouseTracking(true);
  setFocusPolicy(Qt::StrongFocus);
  setMinimumSize(200, 200);
  setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Ignored);
  setAutoFillBackground(false);
}

void SliceView::setVolume(const drg::imaging::Image<float>* volume,
                          const drg::imaging::Image<std::uint8_t>* labels)
{
  if (volume != m_volume) {
    // another study: its views start whole, not at the last study's zoom and pan
    m_zoom = 1.0;
    m_pan = QPointF(0, 0);
  }
  m_volume = volume;
  m_labels = labels;
  rebuild();
}

void SliceView::setOblique(const drg::imaging::PlaneFrame& frame, const Eigen::Vector3d& centre,
                           const QString& title)
{
  const bool samePlane = m_oblique && (frame.right - m_frame.right).norm() < 1e-9 &&
                         (frame.down - m_frame.down).norm() < 1e-9 && (centre - m_planeCentre).norm() < 1e-9;
  if (!samePlane) {
    m_planeOffset = 0.0;
  }
  m_oblique = true;
  m_frame = frame;
  m_planeCentre = centre;
  m_planeNormal = frame.right.cross(frame.down).normalized();
  m_title = title;
  rebuild();
}

void SliceView::setPlaceholder(const QString& text)
{
  if (text != m_placeholder) {
    m_placeholder = text;
    update();
  }
}

void SliceView::clearOblique()
{
  m_oblique = false;
  m_planeOffset = 0.0;
  rebuild();
}

void SliceView::setZoom(double zoom, const QPointF& about)
{
  // the image point under `about` stays there
  const QRectF before = imageRect();
  const double z = std::clamp(zoom, 1.0, 16.0);
  if (before.isEmpty()) {
    m_zoom = z;
    return;
  }
  const QPointF rel((about.x() - before.left()) / before.width(),
                    (about.y() - before.top()) / before.height());
  m_zoom = z;
  const QRectF after = imageRect();
  const QPointF moved(after.left() + rel.x() * after.width(), after.top() + rel.y() * after.height());
  m_pan += about - moved;
  if (m_zoom <= 1.0) {
    m_pan = QPointF(0, 0);
  }
  update();
}

void SliceView::setCursor(const Eigen::Vector3d& lps)
{
  if (m_oblique) {
    m_cursor = lps; // the plane stays; the crosshair follows
    if (m_image.isNull() && !m_stale) {
      rebuild();
    }
    update();
    return;
  }
  // a move within this view's plane only moves the crosshair: the slice stays (scrolling in one
  // view re-slices that view alone)
  const bool samePlane =
    !m_image.isNull() && std::abs((lps - m_cursor).dot(m_slice.right.cross(m_slice.down))) < 1e-9;
  m_cursor = lps;
  if (samePlane) {
    update();
  } else {
    rebuild();
  }
}

void SliceView::setWindow(const drg::report::WindowLevel& window)
{
  m_window = window;
  rebuild();
}

void SliceView::setMarkers(const std::vector<drg::report::SliceMarker>& markers)
{
  m_markers = markers;
  update();
}

void SliceView::setLabelOpacity(double opacity)
{
  m_labelOpacity = opacity;
  rebuild();
}

void SliceView::showEvent(QShowEvent* event)
{
  QWidget::showEvent(event);
  if (m_stale) {
    rebuild();
  }
}

void SliceView::rebuild()
{
  if (!isVisible() && m_volume != nullptr) {
    m_stale = true; // a hidden view (another layout) re-slices when it shows
    return;
  }
  m_stale = false;
  if (m_volume == nullptr) {
    m_image = QImage();
    update();
    return;
  }
  drg::imaging::Slice labels;
  bool overlay = m_labels != nullptr && m_labelOpacity > 0.0;
  if (m_oblique) {
    m_slice = drg::imaging::extractPlane(*m_volume, m_frame, sliceCentre());
    if (overlay) {
      labels = drg::imaging::extractLabelPlane(*m_labels, m_frame, sliceCentre(), m_slice.pixelMm);
    }
  } else {
    m_slice = drg::imaging::extractSlice(*m_volume, m_plane, m_cursor);
    if (overlay) {
      labels = drg::imaging::extractLabelSlice(*m_labels, m_plane, m_cursor, m_slice.pixelMm);
    }
  }
  m_image = drg::report::renderSlice(m_slice, m_window, overlay ? &labels : nullptr, m_labelOpacity);
  update();
}

QRectF SliceView::imageRect() const
{
  if (m_image.isNull()) {
    return {};
  }
  double scale = std::min(width() / static_cast<double>(m_image.width()),
                          height() / static_cast<double>(m_image.height()));
  double w = m_image.width() * scale * m_zoom;
  double h = m_image.height() * scale * m_zoom;
  return { (width() - w) / 2.0 + m_pan.x(), (height() - h) / 2.0 + m_pan.y(), w, h };
}

Eigen::Vector3d SliceView::widgetToLps(const QPointF& p) const
{
  QRectF r = imageRect();
  double x = (p.x() - r.left()) / r.width() * m_slice.width;
  double y = (p.y() - r.top()) / r.height() * m_slice.height;
  Eigen::Vector3d onPlane = m_slice.pixelToLps(x, y);
  // keep the cursor's depth along the plane normal (an oblique view: on its plane)
  Eigen::Vector3d normal = m_slice.right.cross(m_slice.down);
  return onPlane + normal * (sliceCentre() - onPlane).dot(normal);
}

void SliceView::paintEvent(QPaintEvent*)
{
  QPainter painter(this);
  painter.fillRect(rect(), Qt::black);
  if (m_image.isNull() || !m_placeholder.isEmpty()) {
    painter.setPen(Qt::gray);
    painter.drawText(rect().adjusted(10, 10, -10, -10), Qt::AlignCenter | Qt::TextWordWrap,
                     m_placeholder.isEmpty() ? tr("No image") : m_placeholder);
    return;
  }
  QRectF target = imageRect();
  painter.setRenderHint(QPainter::SmoothPixmapTransform);
  painter.drawImage(target, m_image);
  // crosshair at the shared cursor
  Eigen::Vector2d c = m_slice.lpsToPixel(m_cursor);
  double sx = target.width() / m_slice.width;
  double sy = target.height() / m_slice.height;
  QPointF cp(target.left() + c.x() * sx, target.top() + c.y() * sy);
  painter.setPen(QPen(QColor(80, 200, 255, 150), 1));
  painter.drawLine(QPointF(target.left(), cp.y()), QPointF(cp.x() - 8, cp.y()));
  painter.drawLine(QPointF(cp.x() + 8, cp.y()), QPointF(target.right(), cp.y()));
  painter.drawLine(QPointF(cp.x(), target.top()), QPointF(cp.x(), cp.y() - 8));
  painter.drawLine(QPointF(cp.x(), cp.y() + 8), QPointF(cp.x(), target.bottom()));
  drg::report::drawMarkers(painter, target, m_slice, m_markers, 0.75 * m_slice.pixelMm + 3.0);
  // plan overlays: at their true width near the slice, a faint projection elsewhere
  const Eigen::Vector3d normal = m_slice.right.cross(m_slice.down);
  const double nearMm = std::max(2.0, m_slice.pixelMm);
  auto toWidget = [&](const Eigen::Vector3d& q) { return lpsToWidget(q); };
  auto depth = [&](const Eigen::Vector3d& q) { return std::abs((q - sliceCentre()).dot(normal)); };
  painter.setRenderHint(QPainter::Antialiasing);
  std::vector<const SliceOverlay*> drawn;
  for (const auto* list : { &m_overlays, &m_found }) {
    for (const SliceOverlay& o : *list) {
      drawn.push_back(&o);
    }
  }
  for (const SliceOverlay* overlay : drawn) {
    const SliceOverlay& o = *overlay;
    const double widthPx = std::max(1.5, o.widthMm / m_slice.pixelMm * sx);
    QColor faint = o.colour;
    faint.setAlpha(70);
    if (o.dots) {
      for (const auto& q : o.points) {
        const bool near = depth(q) <= nearMm;
        const double r = std::max(2.5, 0.5 * widthPx + (near ? 1.5 : 0.0));
        if (o.rings) {
          painter.setBrush(Qt::NoBrush);
          painter.setPen(QPen(QColor(0, 0, 0, near ? 255 : 90), 3.5));
          painter.drawEllipse(toWidget(q), r + 1.5, r + 1.5);
          painter.setPen(QPen(near ? o.colour : faint, 1.8));
          painter.drawEllipse(toWidget(q), r + 1.5, r + 1.5);
          continue;
        }
        painter.setPen(Qt::NoPen);
        painter.setBrush(near ? o.colour : faint);
        painter.drawEllipse(toWidget(q), r, r);
      }
      continue;
    }
    for (std::size_t i = 1; i < o.points.size(); ++i) {
      const bool near = depth(o.points[i - 1]) <= nearMm || depth(o.points[i]) <= nearMm;
      painter.setPen(QPen(near ? o.colour : faint, near ? widthPx : 1.0,
                          o.dashed ? Qt::DashLine : Qt::SolidLine, Qt::RoundCap));
      painter.drawLine(toWidget(o.points[i - 1]), toWidget(o.points[i]));
    }
  }
  for (std::size_t h = 0; h < m_handles.size(); ++h) {
    const Eigen::Vector3d q = static_cast<int>(h) == m_dragHandle ? m_dragTo : m_handles[h].position;
    painter.setPen(QPen(m_handles[h].colour, 2));
    painter.setBrush(Qt::NoBrush);
    const QPointF c = toWidget(q);
    painter.drawRect(QRectF(c.x() - 5, c.y() - 5, 10, 10));
  }
  // the letters at the edges of what is seen (a zoomed image reaches past the view), below the
  // title line (a needle view's long title ran under the top letter)
  const QRectF seen =
    target.intersected(QRectF(rect()).adjusted(0, painter.fontMetrics().height() + 6, 0, 0));
  drg::report::drawOrientationLetters(painter, seen, m_slice.right, m_slice.down);
  const char* names[] = { "Axial", "Coronal", "Sagittal" };
  QString title = m_oblique ? m_title : QString(names[static_cast<int>(m_plane)]);
  if (m_oblique && std::abs(m_planeOffset) > 0.05) {
    title += QString(" %1%2 mm").arg(m_planeOffset > 0 ? "+" : "").arg(m_planeOffset, 0, 'f', 1);
  }
  if (m_zoom > 1.0) {
    title += QString("  x%1").arg(m_zoom, 0, 'f', 1);
  }
  painter.setPen(Qt::white);
  painter.drawText(rect().adjusted(6, 4, -6, -4), Qt::AlignLeft | Qt::AlignTop,
                   QString("%1  W %2 L %3").arg(title).arg(m_window.width).arg(m_window.centre));
  // 1 cm scale bar, bottom left
  const double cm = 10.0 / m_slice.pixelMm * sx;
  painter.setPen(QPen(Qt::white, 2));
  painter.drawLine(QPointF(8, height() - 10), QPointF(8 + cm, height() - 10));
  painter.drawText(QPointF(10, height() - 14), "1 cm");
}

QPointF SliceView::lpsToWidget(const Eigen::Vector3d& lps) const
{
  const QRectF target = imageRect();
  if (m_image.isNull()) {
    return {};
  }
  const Eigen::Vector2d px = m_slice.lpsToPixel(lps);
  return { target.left() + px.x() * target.width() / m_slice.width,
           target.top() + px.y() * target.height() / m_slice.height };
}

void SliceView::setFoundOverlays(std::vector<SliceOverlay> overlays)
{
  m_found = std::move(overlays);
  update();
}

void SliceView::setOverlays(std::vector<SliceOverlay> overlays, std::vector<SliceHandle> handles)
{
  // a drag in progress survives the plan's update (the same handle, found by its id)
  const int draggedId = m_dragHandle >= 0 ? m_handles[static_cast<std::size_t>(m_dragHandle)].id : -1;
  m_overlays = std::move(overlays);
  m_handles = std::move(handles);
  m_dragHandle = -1;
  for (std::size_t h = 0; h < m_handles.size() && draggedId >= 0; ++h) {
    if (m_handles[h].id == draggedId) {
      m_dragHandle = static_cast<int>(h);
    }
  }
  if (draggedId >= 0 && m_dragHandle < 0) {
    emit handleMoved(draggedId, m_dragTo,
                     true); // the handle went (its lead cannot be planned): the drag ends
  }
  update();
}

bool SliceView::showsImage() const
{
  return !m_image.isNull() && m_placeholder.isEmpty();
}

double SliceView::distanceFromPlane(const Eigen::Vector3d& lps) const
{
  return (lps - sliceCentre()).dot(m_slice.right.cross(m_slice.down));
}

void SliceView::mousePressEvent(QMouseEvent* event)
{
  setFocus();
  m_dragHandle = -1; // (a drag whose release went elsewhere is over)
  if (!showsImage()) {
    return;
  }
  m_dragStart = event->position().toPoint();
  m_dragWindow = m_window;
  if (event->button() == Qt::MiddleButton ||
      (event->button() == Qt::LeftButton && (event->modifiers() & Qt::ShiftModifier))) {
    m_panning = true; // pan
    m_panStart = m_pan;
    return;
  }
  if (event->button() == Qt::LeftButton && !m_image.isNull()) {
    // a handle under the mouse (within 8 pixels, on this slice's projection) is picked up
    for (std::size_t h = 0; h < m_handles.size(); ++h) {
      if (QLineF(lpsToWidget(m_handles[h].position), event->position()).length() <= 8.0) {
        m_dragHandle = static_cast<int>(h);
        m_dragTo = m_handles[h].position;
        return;
      }
    }
    // a ganglion marker on this slice under the mouse is picked (as a target)
    const Eigen::Vector3d normal = m_slice.right.cross(m_slice.down);
    const double slab = 0.75 * m_slice.pixelMm + 3.0,
                 pxPerMm = imageRect().width() / (m_slice.width * m_slice.pixelMm);
    for (std::size_t i = 0; i < m_markers.size(); ++i) {
      const auto& mk = m_markers[i];
      if (std::abs((mk.position - sliceCentre()).dot(normal)) <= slab &&
          QLineF(lpsToWidget(mk.position), event->position()).length() <= mk.radiusMm * pxPerMm + 6.0) {
        emit markerClicked(static_cast<int>(i));
        break;
      }
    }
    emit cursorMoved(widgetToLps(event->position()));
  }
}

void SliceView::mouseReleaseEvent(QMouseEvent* event)
{
  if (m_panning) {
    m_panning = false;
    return;
  }
  if (m_dragHandle >= 0 && event->button() == Qt::LeftButton) {
    const SliceHandle h = m_handles[static_cast<std::size_t>(m_dragHandle)];
    const Eigen::Vector3d to = m_dragTo;
    m_dragHandle = -1;
    emit handleMoved(h.id, to, true);
  }
}

void SliceView::mouseMoveEvent(QMouseEvent* event)
{
  if (!showsImage()) {
    return;
  }
  if (m_panning) {
    m_pan = m_panStart + (event->position() - QPointF(m_dragStart));
    update();
  } else if ((event->buttons() & Qt::LeftButton) && m_dragHandle >= 0) {
    // the handle follows the mouse in this slice's plane and keeps its own depth
    const Eigen::Vector3d normal = m_slice.right.cross(m_slice.down);
    const Eigen::Vector3d& from = m_handles[static_cast<std::size_t>(m_dragHandle)].position;
    const Eigen::Vector3d at = widgetToLps(event->position());
    m_dragTo = at + normal * (from - at).dot(normal);
    update();
    // the plan follows the drag (a recomputation takes a few ms)
    emit handleMoved(m_handles[static_cast<std::size_t>(m_dragHandle)].id, m_dragTo, false);
  } else if (event->buttons() & Qt::LeftButton) {
    emit cursorMoved(widgetToLps(event->position()));
  } else if (event->buttons() & Qt::RightButton) {
    QPoint d = event->position().toPoint() - m_dragStart;
    drg::report::WindowLevel w = m_dragWindow;
    w.width = std::max(1.0, m_dragWindow.width * std::exp(d.x() / 200.0));
    w.centre = m_dragWindow.centre - d.y() * m_dragWindow.width / 300.0;
    emit windowChanged(w);
  }
  emit hovered(widgetToLps(event->position()));
}

void SliceView::step(int slices)
{
  if (!showsImage()) {
    return;
  }
  if (m_oblique) {
    // the oblique plane moves itself (along a needle: deeper or shallower), not the shared cursor
    m_planeOffset += slices * m_slice.pixelMm;
    rebuild();
    return;
  }
  Eigen::Vector3d normal = m_slice.right.cross(m_slice.down);
  emit cursorMoved(m_cursor + normal * (slices * m_slice.pixelMm));
}

void SliceView::wheelEvent(QWheelEvent* event)
{
  const int delta = event->angleDelta().y();
  if (delta == 0) {
    return;
  }
  if (event->modifiers() & Qt::ControlModifier) {
    setZoom(m_zoom * (delta > 0 ? 1.25 : 0.8), event->position());
    return;
  }
  step(delta > 0 ? 1 : -1);
}

void SliceView::enterEvent(QEnterEvent* event)
{
  // the keys (Up/Down, +/-, Home) act on the view under the mouse, without a click that would also
  // move the crosshair; but typing in a text or number field is never taken from it
  QWidget* focus = QApplication::focusWidget();
  const bool typing =
    qobject_cast<QLineEdit*>(focus) != nullptr || qobject_cast<QAbstractSpinBox*>(focus) != nullptr;
  if (!typing && window()->isActiveWindow()) {
    setFocus(Qt::MouseFocusReason);
  }
  QWidget::enterEvent(event);
}

void SliceView::keyPressEvent(QKeyEvent* event)
{
  switch (event->key()) {
    case Qt::Key_Up:
    case Qt::Key_PageUp:
      step(event->key() == Qt::Key_PageUp ? 10 : 1);
      break;
    case Qt::Key_Down:
    case Qt::Key_PageDown:
      step(event->key() == Qt::Key_PageDown ? -10 : -1);
      break;
    case Qt::Key_Plus:
    case Qt::Key_Equal:
      setZoom(m_zoom * 1.25, QPointF(width() / 2.0, height() / 2.0));
      break;
    case Qt::Key_Minus:
      setZoom(m_zoom * 0.8, QPointF(width() / 2.0, height() / 2.0));
      break;
    case Qt::Key_Home:
      m_zoom = 1.0;
      m_pan = QPointF(0, 0);
      update();
      break;
    default:
      QWidget::keyPressEvent(event);
  }
}
