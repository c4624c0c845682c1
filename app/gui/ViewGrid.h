#pragma once

#include "SliceView.h"
#include "View3D.h"

#include "drg/planning/Plan.h"

#include <QImage>
#include <QWidget>

#include <vector>

class QGridLayout;

/// The views of a case, laid out in a grid: axial, sagittal and coronal slices through the shared
/// cursor, the 3D view, and the needle views (along the selected lead's needle and its probe's eye,
/// oblique planes shown in their own layout).
class ViewGrid : public QWidget
{
  Q_OBJECT

public:
  /// 2x2 (axial, sagittal, coronal, 3D), 1+3 (a large sagittal view), one view alone, or the needle
  /// views (along the needle, the probe's eye, axial and 3D).
  enum class Layout
  {
    TwoByTwo,
    OnePlusThree,
    Axial,
    Sagittal,
    Coronal,
    ThreeD,
    Needle
  };

  explicit ViewGrid(QWidget* parent);

  /// The slice views: axial, sagittal, coronal, along the needle, probe's eye.
  const std::vector<SliceView*>& sliceViews() const { return m_views; }
  View3D& view3d() { return *m_view3d; }
  void arrange(Layout layout);
  /// The layout shown.
  Layout layout() const { return m_layout; }
  /// Points the needle views at `lead`'s needle (nullptr, or a needle shorter than 1 mm: they say
  /// there is none).
  void showNeedle(const drg::planning::LeadPlan* lead);
  /// Each view as shown: axial, sagittal, coronal, 3D.
  std::vector<QImage> screenshots();

private:
  QGridLayout* m_grid = nullptr;
  Layout m_layout = Layout::TwoByTwo;
  std::vector<SliceView*> m_views;
  View3D* m_view3d = nullptr;
};
