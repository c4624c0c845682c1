#include "drg/report/SliceImages.h"

#include "drg/imaging/AnatomyLabels.h"

#include <QFont>
#include <QPainter>

#include <Eigen/Geometry>

#include <algorithm>
#include <cmath>

namespace drg::report
{

WindowLevel windowPreset(const QString& name)
{
  if (name == "soft") {
    return { 40.0, 400.0 };
  }
  if (name == "spine-mr") {
    return { 500.0, 1100.0 };
  }
  return { 400.0, 1800.0 };
}

QColor labelColour(int label)
{
  const auto c = drg::imaging::labels::displayColour(label);
  return QColor(c.r, c.g, c.b, c.a);
}

QImage renderSlice(const imaging::Slice& slice, const WindowLevel& window, const imaging::Slice* labels,
                   double labelOpacity)
{
  QImage img(slice.width, slice.height, QImage::Format_RGB32);
  const double lo = window.centre - 0.5 * window.width;
  const double scale = 255.0 / std::max(window.width, 1e-6);
  bool useLabels = labels != nullptr && labels->width == slice.width && labels->height == slice.height;
  for (int y = 0; y < slice.height; ++y) {
    auto* line = reinterpret_cast<QRgb*>(img.scanLine(y));
    for (int x = 0; x < slice.width; ++x) {
      std::size_t i = static_cast<std::size_t>(x + slice.width * y);
      float v = slice.values[i];
      int g = std::isnan(v) ? 0 : static_cast<int>(std::clamp((v - lo) * scale, 0.0, 255.0));
      if (window.inverted && !std::isnan(v)) {
        g = 255 - g;
      }
      QRgb out = qRgb(g, g, g);
      if (useLabels) {
        float l = labels->values[i];
        QColor c = std::isnan(l) ? QColor(Qt::transparent) : labelColour(static_cast<int>(std::lround(l)));
        if (c.alpha() > 0) {
          double a = labelOpacity;
          out =
            qRgb(static_cast<int>(g * (1 - a) + c.red() * a), static_cast<int>(g * (1 - a) + c.green() * a),
                 static_cast<int>(g * (1 - a) + c.blue() * a));
        }
      }
      line[x] = out;
    }
  }
  return img;
}

void drawOrientationLetters(QPainter& painter, const QRectF& target, imaging::SlicePlane plane)
{
  Eigen::Vector3d right;
  Eigen::Vector3d down;
  imaging::slicePlaneAxes(plane, right, down);
  drawOrientationLetters(painter, target, right, down);
}

void drawOrientationLetters(QPainter& painter, const QRectF& target, const Eigen::Vector3d& right,
                            const Eigen::Vector3d& down)
{
  auto letter = [](const Eigen::Vector3d& d) {
    int a = 0;
    d.cwiseAbs().maxCoeff(&a);
    static const char* pos[] = { "L", "P", "S" };
    static const char* neg[] = { "R", "A", "I" };
    return QString(d[a] > 0 ? pos[a] : neg[a]);
  };
  painter.save();
  QFont f = painter.font();
  f.setPixelSize(std::max(10, static_cast<int>(target.height() / 28)));
  f.setBold(true);
  painter.setFont(f);
  painter.setPen(QColor(255, 200, 60));
  const double m = 4.0;
  painter.drawText(target.adjusted(m, m, -m, -m), Qt::AlignRight | Qt::AlignVCenter, letter(right));
  painter.drawText(target.adjusted(m, m, -m, -m), Qt::AlignLeft | Qt::AlignVCenter, letter(-right));
  painter.drawText(target.adjusted(m, m, -m, -m), Qt::AlignHCenter | Qt::AlignBottom, letter(down));
  painter.drawText(target.adjusted(m, m, -m, -m), Qt::AlignHCenter | Qt::AlignTop, letter(-down));
  painter.restore();
}

void drawMarkers(QPainter& painter, const QRectF& target, const imaging::Slice& slice,
                 const std::vector<SliceMarker>& markers, double slabMm)
{
  Eigen::Vector3d normal = slice.right.cross(slice.down);
  double sx = target.width() / slice.width;
  double sy = target.height() / slice.height;
  painter.save();
  painter.setRenderHint(QPainter::Antialiasing);
  QFont f = painter.font();
  f.setPixelSize(std::max(9, static_cast<int>(target.height() / 45)));
  painter.setFont(f);
  for (const auto& m : markers) {
    double off = (m.position - slice.topLeft).dot(normal);
    if (std::abs(off) > slabMm) {
      continue;
    }
    Eigen::Vector2d px = slice.lpsToPixel(m.position);
    QPointF c(target.left() + px.x() * sx, target.top() + px.y() * sy);
    double r = std::max(3.0, m.radiusMm / slice.pixelMm * sx);
    painter.setPen(QPen(QColor(255, 230, 0), 1.5));
    painter.setBrush(Qt::NoBrush);
    painter.drawEllipse(c, r, r);
    painter.drawText(c + QPointF(r + 2, -r), m.name);
  }
  painter.restore();
}

QImage renderOrthogonalSheet(const imaging::Image<std::int16_t>& image,
                             const imaging::Image<std::uint8_t>* labels, const Eigen::Vector3d& centre,
                             const WindowLevel& window, const std::vector<SliceMarker>& markers,
                             int panelHeight)
{
  using imaging::SlicePlane;
  const SlicePlane planes[] = { SlicePlane::Axial, SlicePlane::Coronal, SlicePlane::Sagittal };
  std::vector<QImage> panels;
  std::vector<imaging::Slice> slices;
  int total = 0;
  for (SlicePlane p : planes) {
    imaging::Slice s = imaging::extractSlice(image, p, centre);
    imaging::Slice l;
    if (labels != nullptr) {
      l = imaging::extractLabelSlice(*labels, p, centre, s.pixelMm);
    }
    QImage img = renderSlice(s, window, labels != nullptr ? &l : nullptr);
    int w = static_cast<int>(std::round(static_cast<double>(img.width()) * panelHeight / img.height()));
    panels.push_back(img.scaled(w, panelHeight, Qt::IgnoreAspectRatio, Qt::SmoothTransformation));
    slices.push_back(std::move(s));
    total += w;
  }
  const int gap = 6;
  QImage sheet(total + gap * 2, panelHeight, QImage::Format_RGB32);
  sheet.fill(Qt::black);
  QPainter painter(&sheet);
  int x = 0;
  for (std::size_t i = 0; i < panels.size(); ++i) {
    QRectF target(x, 0, panels[i].width(), panelHeight);
    painter.drawImage(target.topLeft(), panels[i]);
    drawOrientationLetters(painter, target, slices[i].plane);
    drawMarkers(painter, target, slices[i], markers, 4.0);
    // 5 cm scale bar
    double px = 50.0 / slices[i].pixelMm * (target.width() / slices[i].width);
    painter.setPen(QPen(Qt::white, 2));
    painter.drawLine(QPointF(target.left() + 10, panelHeight - 12),
                     QPointF(target.left() + 10 + px, panelHeight - 12));
    painter.drawText(QPointF(target.left() + 12, panelHeight - 16), "5 cm");
    x += panels[i].width() + gap;
  }
  return sheet;
}

} // namespace drg::report
