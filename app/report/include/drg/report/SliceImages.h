#pragma once

#include "drg/imaging/Image.h"
#include "drg/imaging/OrthogonalSlicer.h"

#include <QImage>
#include <QString>

#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

class QPainter;
class QRectF;

namespace drg::report
{

/// Display window in the image's units (HU for CT).
struct WindowLevel
{
  double centre = 400.0;
  double width = 1800.0;
  bool inverted = false; ///< low values bright (MONOCHROME1 series)
};

/// Named presets: "bone", "soft", "spine-mr"; unknown names give the bone window.
WindowLevel windowPreset(const QString& name);

/// Window covering the 1st to 99th percentile of `values` (the "auto" preset): at most about
/// 200,000 evenly spaced samples are used; NaN (outside the volume) is skipped. `fallback` when
/// there is no value.
template<typename Values>
WindowLevel automaticWindow(const Values& values, const WindowLevel& fallback = {})
{
  std::vector<double> sample;
  const std::size_t n = values.size();
  const std::size_t step = std::max<std::size_t>(1, n / 200000);
  for (std::size_t i = 0; i < n; i += step) {
    double v = static_cast<double>(values[i]);
    if (!std::isnan(v)) {
      sample.push_back(v);
    }
  }
  if (sample.empty()) {
    return fallback;
  }
  std::sort(sample.begin(), sample.end());
  double lo = sample[sample.size() / 100];
  double hi = sample[sample.size() * 99 / 100];
  return { 0.5 * (lo + hi), std::max(1.0, hi - lo) };
}

/// A point drawn on slices near it (a ganglion, a landmark).
struct SliceMarker
{
  Eigen::Vector3d position; ///< LPS mm
  QString name;
  double radiusMm = 3.0;
};

/// Greyscale rendering of a slice; labels (when given) blended in colour with `labelOpacity`.
QImage renderSlice(const imaging::Slice& slice, const WindowLevel& window,
                   const imaging::Slice* labels = nullptr, double labelOpacity = 0.35);

/// Colour of a label value (stable, distinct for neighbouring vertebrae).
QColor labelColour(int label);

/// Draws the anatomical direction letters (radiological convention) on the four edges of `target`.
void drawOrientationLetters(QPainter& painter, const QRectF& target, imaging::SlicePlane plane);
/// The same for any plane: the letter of the patient direction closest to each screen edge.
void drawOrientationLetters(QPainter& painter, const QRectF& target, const Eigen::Vector3d& right,
                            const Eigen::Vector3d& down);

/// Draws markers within `slabMm` of the slice plane, mapped from slice pixels into `target`.
void drawMarkers(QPainter& painter, const QRectF& target, const imaging::Slice& slice,
                 const std::vector<SliceMarker>& markers, double slabMm);

/// Axial, coronal and sagittal slices through `centre` side by side, with letters, markers and a
/// 5 cm scale bar: the quick look at a volume (CLI preview, report figures).
QImage renderOrthogonalSheet(const imaging::Image<std::int16_t>& image,
                             const imaging::Image<std::uint8_t>* labels, const Eigen::Vector3d& centre,
                             const WindowLevel& window, const std::vector<SliceMarker>& markers,
                             int panelHeight = 512);

} // namespace drg::report
