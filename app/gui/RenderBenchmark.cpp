#include "RenderBenchmark.h"

#include "PlanSession.h"
#include "ViewGrid.h"

#include <QElapsedTimer>

#include <algorithm>
#include <cstdio>
#include <string>

RenderBenchmark::RenderBenchmark(ViewGrid& views, PlanSession& session,
                                 std::function<void(const Eigen::Vector3d&)> setCursor,
                                 std::function<void()> refreshPlan)
  : m_views(views)
  , m_session(session)
  , m_setCursor(std::move(setCursor))
  , m_refreshPlan(std::move(refreshPlan))
{}

RenderBenchmark::Figures RenderBenchmark::run(QSize window, const Eigen::Vector3d& cursor,
                                              double sliceSpacingMm, bool volumeRendering)
{
  Figures b;
  b.width = window.width();
  b.height = window.height();
  const Eigen::Vector3d start = cursor;
  // scrolling: the cursor steps through 60 axial slices; each step re-slices and repaints all views
  const Eigen::Vector3d step(0, 0, sliceSpacingMm);
  QElapsedTimer t;
  t.start();
  const int frames = 60;
  for (int i = 0; i < frames; ++i) {
    m_setCursor(start + step * (i % 2 == 0 ? i : -i) * 0.5);
    for (auto* view : m_views.sliceViews()) {
      view->repaint();
    }
  }
  b.scrollFps = frames / std::max(1e-6, t.elapsed() / 1000.0);
  m_setCursor(start);
  // 3D rotation: the camera turns 6 degrees a frame, each frame rendered (with the skin)
  View3D& view3d = m_views.view3d();
  if (view3d.widget()->isVisible()) {
    view3d.renderNow();
    b.volumeRendering = volumeRendering;
    t.restart();
    view3d.rotate(1.0);
    view3d.renderNow(); // full quality, as when the view stands still
    b.stillFrameMs = static_cast<double>(t.nsecsElapsed()) / 1e6;
    const int turns = 60;
    view3d.setInteracting(true); // as while the mouse turns the view
    t.restart();
    for (int i = 0; i < turns; ++i) {
      view3d.rotate(6.0);
      view3d.renderNow();
    }
    b.rotationFps = turns / std::max(1e-6, t.elapsed() / 1000.0);
    view3d.setInteracting(false);
    b.triangles = view3d.scene().triangleCount();
    view3d.resetCamera(drg::render::OverviewView::Posterior);
  }
  // dragging a skin entry: each update re-plans the lead, refreshes the panel and repaints all views
  if (auto* editor = m_session.editor()) {
    try {
      m_session.setAutosave({}); // (the benchmark's lead is no plan to recover)
      const int lead = editor->addLead("bench L5 left", "L5", drg::imaging::Side::Left);
      m_refreshPlan();
      const Eigen::Vector3d skin = editor->plan().leads[static_cast<std::size_t>(lead)].skinEntry;
      const int updates = 40;
      view3d.setInteracting(true); // as during a drag with the mouse
      t.restart();
      for (int i = 0; i < updates; ++i) {
        editor->moveSkinEntry(lead, skin + Eigen::Vector3d(0.25 * (i % 8), 0.0, -0.25 * (i % 8)), true);
        m_refreshPlan();
        for (auto* view : m_views.sliceViews()) {
          view->repaint();
        }
        view3d.renderNow();
      }
      b.dragUpdatesPerS = updates / std::max(1e-6, t.elapsed() / 1000.0);
      editor->endDrag();
      view3d.setInteracting(false);
    } catch (const std::exception&) {
      b.dragUpdatesPerS = 0;
    }
  }
  return b;
}

void RenderBenchmark::print(const Figures& b, double firstFrameMs, const QString& glRenderer)
{
  std::printf("window %dx%d, 2x2 layout (slice views drawn with QPainter, the 3D view with VTK on "
              "OpenGL: %s)\n",
              b.width, b.height, qPrintable(glRenderer));
  std::printf("first frame after the case is loaded: %.0f ms (goal 2000 ms)\n", firstFrameMs);
  std::printf("slice scrolling (the axial view re-sliced, all three repainted): %.1f frames/s (goal 30)\n",
              b.scrollFps);
  std::printf("dragging a skin entry (re-plan, findings, panel, all four views): %.1f updates/s (goal 20)\n",
              b.dragUpdatesPerS);
  std::printf("3D rotation (%s, skin and ganglia translucent): %.1f frames/s (goal 20); a still "
              "full-quality frame %.0f ms\n",
              b.volumeRendering ? "bone as CPU volume rendering, sampling lowered while turning"
                                : (std::to_string(b.triangles) + " triangles").c_str(),
              b.rotationFps, b.stillFrameMs);
  std::fflush(stdout);
}
