#pragma once

#include "drg/imaging/Image.h"
#include "drg/imaging/OrthogonalSlicer.h"
#include "drg/report/SliceImages.h"

#include <QImage>
#include <QWidget>

#include <Eigen/Core>

/// A path drawn over the slices (needle, route, tunnel) or a row of dots (contacts), LPS mm. Near
/// the slice (within `nearMm`) it is drawn full, elsewhere as a faint projection.
struct SliceOverlay
{
  std::vector<Eigen::Vector3d> points;
  QColor colour;
  double widthMm = 1.0; ///< true width (the device's diameter); 0: a thin line
  bool dots = false;
  bool dashed = false;
  bool rings = false; ///< dots drawn as open rings outlined in black (contacts found post-operatively)
};

/// A point the user can drag in the view (a lead's skin entry ...), identified by `id`.
struct SliceHandle
{
  int id = 0;
  Eigen::Vector3d position;
  QColor colour;
};

/// One 2D view (axial, coronal or sagittal) of the volume through the shared cursor, or an oblique
/// plane (along a needle, the probe's eye). Wheel or arrow keys move through slices, left
/// click/drag moves the cursor, right drag changes the window (horizontal: width, vertical: level),
/// Ctrl + wheel (or + and -) zooms about the mouse, middle drag (or Shift + left drag) pans, Home
/// fits the image again, as in clinical viewers. Radiological convention.
class SliceView : public QWidget
{
  Q_OBJECT

public:
  SliceView(drg::imaging::SlicePlane plane, QWidget* parent = nullptr);

  void setVolume(const drg::imaging::Image<float>* volume, const drg::imaging::Image<std::uint8_t>* labels);
  void setCursor(const Eigen::Vector3d& lps);
  void setWindow(const drg::report::WindowLevel& window);
  void setMarkers(const std::vector<drg::report::SliceMarker>& markers);
  void setLabelOpacity(double opacity);
  void setOverlays(std::vector<SliceOverlay> overlays, std::vector<SliceHandle> handles);
  /// What a post-operative verification found, drawn over the plan (empty: nothing).
  void setFoundOverlays(std::vector<SliceOverlay> overlays);
  drg::imaging::SlicePlane plane() const { return m_plane; }
  /// Makes this an oblique view of the plane `frame` through `centre`, headed `title`. The plane
  /// stays where it is when the cursor moves; scrolling moves it along its normal (the caption shows
  /// how far from `centre`).
  void setOblique(const drg::imaging::PlaneFrame& frame, const Eigen::Vector3d& centre, const QString& title);
  /// Back to a patient plane view.
  void clearOblique();
  /// What an empty view says (instead of showing an image), e.g. "add a lead"; empty: show the image.
  void setPlaceholder(const QString& text);
  bool isOblique() const { return m_oblique; }
  /// Signed distance (mm) of a point from the plane shown (along its normal).
  double distanceFromPlane(const Eigen::Vector3d& lps) const;
  /// Zoom factor (1: the whole image fits the view).
  double zoom() const { return m_zoom; }
  void setZoom(double zoom, const QPointF& about);
  /// Where an LPS point shows in this widget (its projection onto the slice).
  QPointF lpsToWidget(const Eigen::Vector3d& lps) const;

signals:
  void cursorMoved(const Eigen::Vector3d& lps);
  void hovered(const Eigen::Vector3d& lps);
  void windowChanged(const drg::report::WindowLevel& window);
  /// A marker (a ganglion) was clicked: its index in setMarkers' list.
  void markerClicked(int index);
  /// A handle is being dragged (`done`: let go) at `lps` (the handle's own depth kept).
  void handleMoved(int id, const Eigen::Vector3d& lps, bool done);

protected:
  void paintEvent(QPaintEvent* event) override;
  void mousePressEvent(QMouseEvent* event) override;
  void mouseMoveEvent(QMouseEvent* event) override;
  void mouseReleaseEvent(QMouseEvent* event) override;
  void wheelEvent(QWheelEvent* event) override;
  void keyPressEvent(QKeyEvent* event) override;
  void enterEvent(QEnterEvent* event) override;
  void showEvent(QShowEvent* event) override;

private:
  void rebuild();
  bool showsImage() const; ///< an image, not a placeholder: input acts on it
  QRectF imageRect() const;
  Eigen::Vector3d widgetToLps(const QPointF& p) const;
  void step(int slices);
  Eigen::Vector3d sliceCentre() const
  {
    return m_oblique ? m_planeCentre + m_planeNormal * m_planeOffset : m_cursor;
  }

  drg::imaging::SlicePlane m_plane;
  const drg::imaging::Image<float>* m_volume = nullptr;
  const drg::imaging::Image<std::uint8_t>* m_labels = nullptr;
  Eigen::Vector3d m_cursor = Eigen::Vector3d::Zero();
  drg::report::WindowLevel m_window;
  std::vector<drg::report::SliceMarker> m_markers;
  double m_labelOpacity = 0.0;
  drg::imaging::Slice m_slice;
  QImage m_image;
  std::vector<SliceOverlay> m_overlays;
  std::vector<SliceOverlay> m_found;
  std::vector<SliceHandle> m_handles;
  int m_dragHandle = -1; ///< index into m_handles while one is dragged
  Eigen::Vector3d m_dragTo = Eigen::Vector3d::Zero();
  QPoint m_dragStart;
  drg::report::WindowLevel m_dragWindow;
  double m_zoom = 1.0;
  QPointF m_pan{ 0, 0 }; ///< widget pixels
  QPointF m_panStart;
  bool m_panning = false;
  bool m_oblique = false;
  drg::imaging::PlaneFrame m_frame;
  Eigen::Vector3d m_planeCentre = Eigen::Vector3d::Zero();
  Eigen::Vector3d m_planeNormal = Eigen::Vector3d::UnitZ();
  double m_planeOffset = 0.0; ///< mm along the normal from m_planeCentre (scrolling)
  QString m_title;
  QString m_placeholder;
  bool m_stale = false; ///< re-slicing put off while hidden (done when shown)
};
