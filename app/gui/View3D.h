#pragma once

#include "drg/render/SpineScene.h"

#include <QOpenGLWindow>

#include <vtkGenericOpenGLRenderWindow.h>
#include <vtkGenericRenderWindowInteractor.h>
#include <vtkNew.h>
#include <vtkRenderer.h>

#include <memory>

/// The 3D view: VTK rendering in a QOpenGLWindow (Debian's VTK Qt module is built for Qt 5, so this
/// is our own bridge: a vtkGenericOpenGLRenderWindow drawing in Qt's OpenGL context, on a window rather than
/// a QOpenGLWidget: a QOpenGLWidget turns on OpenGL composition for the whole main window, which halved the
/// slice views' frame rate under Mesa's software rendering). The window sits in the layout through widget(),
/// a window container. Left drag rotates, middle drag (or Shift + left) pans, right drag and the wheel zoom;
/// keys: R resets to the posterior view, L the left lateral, O the oblique one, S shows or hides the skin,
/// the arrow keys turn the spine.
class View3D : public QOpenGLWindow
{
  Q_OBJECT

public:
  /// Makes the view and its container (a child of `parent`).
  explicit View3D(QWidget* parent);
  ~View3D() override;

  /// The widget that holds the view in a layout.
  QWidget* widget() const { return m_container; }

  /// The OpenGL format VTK 9.1 needs; set before the QApplication is made.
  static void setDefaultSurfaceFormat();

  drg::render::SpineScene& scene() { return *m_scene; }
  /// Re-places the camera (and redraws).
  void resetCamera(drg::render::OverviewView view);
  /// Rotates the camera about the view's up axis by `degrees` (the benchmark, keys).
  void rotate(double degrees);
  /// Renders and shows a frame now (not at the next event loop turn), finished: for the benchmark.
  void renderNow();
  /// While true, frames render at the interactive rate a mouse rotation asks for (20 frames/s: the
  /// volume rendering lowers its sampling to keep up); false: full quality (still frames).
  void setInteracting(bool on);
  /// The view as it is now, rendered afresh and read back before it is shown (the window's back
  /// buffer is undefined after a swap); a null image before the view was first shown.
  QImage grabFrame();
  /// Shows or hides the skin (as the S key does).
  void setSkinShown(bool shown);
  bool skinShown() const { return m_skinShown; }
  /// The OpenGL renderer's name (e.g. "llvmpipe" for Mesa's software rendering), once shown.
  QString glRenderer() const { return m_glRenderer; }

signals:
  /// The skin was shown or hidden (by the S key or setSkinShown).
  void skinShownChanged(bool shown);

protected:
  bool event(QEvent* event) override;
  void initializeGL() override;
  void paintGL() override;
  void resizeGL(int w, int h) override;
  void mousePressEvent(QMouseEvent* event) override;
  void mouseMoveEvent(QMouseEvent* event) override;
  void mouseReleaseEvent(QMouseEvent* event) override;
  void wheelEvent(QWheelEvent* event) override;
  void keyPressEvent(QKeyEvent* event) override;

private:
  void forward(QMouseEvent* event, unsigned long vtkEvent);

  vtkNew<vtkGenericOpenGLRenderWindow> m_window;
  vtkNew<vtkRenderer> m_renderer;
  vtkNew<vtkGenericRenderWindowInteractor> m_interactor;
  std::unique_ptr<drg::render::SpineScene> m_scene;
  QWidget* m_container = nullptr;
  bool m_initialised = false;
  bool m_skinShown = true;
  QString m_glRenderer;
};
