#include "ViewGrid.h"

#include <QGridLayout>

#include <Eigen/Geometry>

using drg::imaging::SlicePlane;

ViewGrid::ViewGrid(QWidget* parent)
  : QWidget(parent)
{
  m_grid = new QGridLayout(this);
  m_grid->setContentsMargins(2, 2, 2, 2);
  m_grid->setSpacing(2);
  // axial, sagittal, coronal; then the needle views (oblique: along the needle, probe's eye), shown
  // in their own layout
  const SlicePlane planes[] = { SlicePlane::Axial, SlicePlane::Sagittal, SlicePlane::Coronal,
                                SlicePlane::Sagittal, SlicePlane::Axial };
  const int cells[][2] = { { 0, 0 }, { 0, 1 }, { 1, 0 } };
  for (int i = 0; i < 5; ++i) {
    auto* view = new SliceView(planes[i], this);
    if (i < 3) {
      m_grid->addWidget(view, cells[i][0], cells[i][1]);
    } else {
      view->setObjectName(i == 3 ? "alongNeedle" : "probesEye");
      view->hide();
    }
    m_views.push_back(view);
  }
  m_view3d = new View3D(this);
  m_view3d->setObjectName("view3d");
  m_grid->addWidget(m_view3d->widget(), 1, 1);
  m_grid->setColumnStretch(0, 1);
  m_grid->setColumnStretch(1, 1);
  m_grid->setRowStretch(0, 1);
  m_grid->setRowStretch(1, 1);
}

void ViewGrid::arrange(Layout layout)
{
  m_layout = layout;
  // views in m_views: axial, sagittal, coronal
  for (auto* v : m_views) {
    m_grid->removeWidget(v);
    v->hide();
  }
  m_grid->removeWidget(m_view3d->widget());
  m_view3d->widget()->hide();
  for (int i = 0; i < 3; ++i) {
    m_grid->setRowStretch(i, 0);
    m_grid->setColumnStretch(i, 0);
  }
  auto place = [&](QWidget* w, int row, int col, int rows = 1, int cols = 1) {
    m_grid->addWidget(w, row, col, rows, cols);
    w->show();
  };
  auto grid2x2 = [&](QWidget* topLeft, QWidget* topRight, QWidget* bottomLeft, QWidget* bottomRight) {
    place(topLeft, 0, 0);
    place(topRight, 0, 1);
    place(bottomLeft, 1, 0);
    place(bottomRight, 1, 1);
    for (int i = 0; i < 2; ++i) {
      m_grid->setRowStretch(i, 1);
      m_grid->setColumnStretch(i, 1);
    }
  };
  switch (layout) {
    case Layout::TwoByTwo:
      grid2x2(m_views[0], m_views[1], m_views[2], m_view3d->widget());
      break;
    case Layout::OnePlusThree:
      place(m_views[1], 0, 0, 3, 1); // the sagittal view large: the plan's levels at a glance
      place(m_views[0], 0, 1);
      place(m_views[2], 1, 1);
      place(m_view3d->widget(), 2, 1);
      for (int i = 0; i < 3; ++i) {
        m_grid->setRowStretch(i, 1);
      }
      m_grid->setColumnStretch(0, 2);
      m_grid->setColumnStretch(1, 1);
      break;
    case Layout::Axial:
    case Layout::Sagittal:
    case Layout::Coronal:
      place(m_views[layout == Layout::Axial ? 0 : layout == Layout::Sagittal ? 1 : 2], 0, 0);
      m_grid->setRowStretch(0, 1);
      m_grid->setColumnStretch(0, 1);
      break;
    case Layout::Needle:
      grid2x2(m_views[3], m_views[4], m_views[0], m_view3d->widget());
      break;
    case Layout::ThreeD:
      place(m_view3d->widget(), 0, 0);
      m_grid->setRowStretch(0, 1);
      m_grid->setColumnStretch(0, 1);
      break;
  }
}

void ViewGrid::showNeedle(const drg::planning::LeadPlan* lead)
{
  SliceView* along = m_views[3];
  SliceView* probe = m_views[4];
  if (lead == nullptr || (lead->epiduralEntry - lead->skinEntry).norm() < 1.0) {
    along->setPlaceholder(tr("Needle views: add a lead (Plan panel) and select it"));
    probe->setPlaceholder(tr("Needle views: add a lead (Plan panel) and select it"));
    return;
  }
  along->setPlaceholder({});
  probe->setPlaceholder({});
  const Eigen::Vector3d n = (lead->epiduralEntry - lead->skinEntry).normalized();
  // the plane holding the needle and the head-foot direction: the interlaminar window side on
  Eigen::Vector3d up = Eigen::Vector3d::UnitZ() - n * n.z();
  if (up.norm() < 1e-3) {
    up = Eigen::Vector3d::UnitY() - n * n.y();
  }
  up.normalize();
  drg::imaging::PlaneFrame alongFrame;
  alongFrame.right = n.y() < 0 ? -n : n; // posterior on the right, as in the sagittal view
  alongFrame.down = -up;
  const double reach = (lead->target - lead->skinEntry).norm();
  alongFrame.halfWidthMm = 0.5 * reach + 30.0;
  alongFrame.halfHeightMm = 0.5 * reach + 30.0;
  const QString name = QString::fromStdString(lead->name);
  // centred on the needle's line, half way to the target's depth: the needle lies in the plane
  along->setOblique(alongFrame, lead->skinEntry + n * 0.5 * reach, tr("Along the needle (%1)").arg(name));
  // looking down the needle from the skin, at the epidural entry (scroll: deeper or shallower)
  drg::imaging::PlaneFrame eye;
  eye.down = -up;
  eye.right = eye.down.cross(n);
  eye.halfWidthMm = 30.0;
  eye.halfHeightMm = 30.0;
  probe->setOblique(eye, lead->epiduralEntry, tr("Probe's eye (%1), at the epidural entry").arg(name));
}

std::vector<QImage> ViewGrid::screenshots()
{
  std::vector<QImage> shots;
  for (int i = 0; i < 3; ++i) {
    shots.push_back(m_views[static_cast<std::size_t>(i)]->grab().toImage());
  }
  shots.push_back(m_view3d->grabFrame());
  return shots;
}
