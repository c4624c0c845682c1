#pragma once

#include <QSize>
#include <QString>

#include <Eigen/Core>

#include <cstddef>
#include <functional>

class PlanSession;
class ViewGrid;

/// Rendering figures on the case shown (drgplan --bench-render): slice scrolling in all views
/// (frames/s, each frame re-slicing and repainting the views), the 3D view turning (frames/s) and a
/// still full-quality 3D frame, and a lead's skin entry dragged (updates/s: re-plan, findings, panel
/// and all views repainted). Adds a lead on L5 left for the drag, without autosaving it.
class RenderBenchmark
{
public:
  struct Figures
  {
    double scrollFps = 0, dragUpdatesPerS = 0, rotationFps = 0;
    int width = 0, height = 0; ///< the window's, in pixels
    std::size_t triangles = 0; ///< in the 3D view
    double stillFrameMs = 0;   ///< one full-quality 3D frame
    bool volumeRendering = false;
  };

  /// `setCursor` moves the shared cursor (LPS mm) as a click does; `refreshPlan` shows what the plan
  /// holds (panel, views).
  RenderBenchmark(ViewGrid& views, PlanSession& session,
                  std::function<void(const Eigen::Vector3d&)> setCursor, std::function<void()> refreshPlan);

  /// Runs the loops about `cursor` (LPS mm), stepping `sliceSpacingMm` (the volume's axial spacing).
  Figures run(QSize window, const Eigen::Vector3d& cursor, double sliceSpacingMm, bool volumeRendering);

  /// Prints the figures (and `firstFrameMs`, from the case loaded to its first frame) on stdout.
  static void print(const Figures& figures, double firstFrameMs, const QString& glRenderer);

private:
  ViewGrid& m_views;
  PlanSession& m_session;
  std::function<void(const Eigen::Vector3d&)> m_setCursor;
  std::function<void()> m_refreshPlan;
};
