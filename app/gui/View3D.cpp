#include "View3D.h"
#include <QAbstractSpinBox>
#include <QApplication>
#include <QCursor>
#include <QLineEdit>

#include <QKeyEvent>
#include <QMouseEvent>
#include <QOpenGLContext>
#include <QOpenGLExtraFunctions>
#include <QOpenGLFunctions>
#include <QSurfaceFormat>
#include <QWheelEvent>
#include <QWidget>

#include <vtkCallbackCommand.h>
#include <vtkCamera.h>
#include <vtkCommand.h>
#include <vtkInteractorStyleTrackballCamera.h>
#include <vtkOpenGLFramebufferObject.h>
#include <vtkOpenGLState.h>

void View3D::setDefaultSurfaceFormat()
{
  QSurfaceFormat format;
  format.setRenderableType(QSurfaceFormat::OpenGL);
  format.setVersion(3, 2);
  format.setProfile(QSurfaceFormat::CoreProfile);
  format.setDepthBufferSize(24);
  format.setStencilBufferSize(8);
  format.setAlphaBufferSize(8);
  format.setSamples(0);
  QSurfaceFormat::setDefaultFormat(format);
}

View3D::View3D(QWidget* parent)
  : QOpenGLWindow(QOpenGLWindow::NoPartialUpdate)
{
  m_container = QWidget::createWindowContainer(this, parent);
  m_container->setFocusPolicy(Qt::StrongFocus);
  m_container->setMinimumSize(120, 120);
  m_window->AddRenderer(m_renderer);
  m_window->SetInteractor(m_interactor);
  m_window->SetMultiSamples(0);
  vtkNew<vtkInteractorStyleTrackballCamera> style;
  m_interactor->SetInteractorStyle(style);
  m_interactor->EnableRenderOff();          // Qt decides when to paint: a render request becomes update()
  m_interactor->SetDesiredUpdateRate(20.0); // what a rotation with the mouse asks for

  // VTK asks to make Qt's context current: bind it without QOpenGLWidget::makeCurrent(), which would
  // rebind Qt's framebuffer behind VTK's back
  vtkNew<vtkCallbackCommand> makeCurrent;
  makeCurrent->SetClientData(this);
  makeCurrent->SetCallback([](vtkObject*, unsigned long, void* self, void*) {
    auto* view = static_cast<View3D*>(self);
    // this window's surface (not context()->surface(), which is null once the context was released:
    // VTK frees its buffers through this too, between frames)
    if (view->context() != nullptr && view->handle() != nullptr) {
      view->context()->makeCurrent(view);
    }
  });
  m_window->AddObserver(vtkCommand::WindowMakeCurrentEvent, makeCurrent);
  vtkNew<vtkCallbackCommand> isCurrent;
  isCurrent->SetClientData(this);
  isCurrent->SetCallback([](vtkObject*, unsigned long, void* self, void* answer) {
    auto* view = static_cast<View3D*>(self);
    *static_cast<bool*>(answer) =
      view->context() != nullptr && QOpenGLContext::currentContext() == view->context();
  });
  m_window->AddObserver(vtkCommand::WindowIsCurrentEvent, isCurrent);
  vtkNew<vtkCallbackCommand> supports;
  supports->SetCallback(
    [](vtkObject*, unsigned long, void*, void* answer) { *static_cast<int*>(answer) = 1; });
  m_window->AddObserver(vtkCommand::WindowSupportsOpenGLEvent, supports);
  m_window->AddObserver(vtkCommand::WindowIsDirectEvent, supports);
  vtkNew<vtkCallbackCommand> render;
  render->SetClientData(this);
  render->SetCallback(
    [](vtkObject*, unsigned long, void* self, void*) { static_cast<View3D*>(self)->update(); });
  m_interactor->AddObserver(vtkCommand::RenderEvent, render);
  m_scene = std::make_unique<drg::render::SpineScene>(m_renderer);
}

View3D::~View3D()
{
  makeCurrent();
  m_scene.reset();
  m_window->Finalize();
  doneCurrent();
}

void View3D::initializeGL()
{
  m_window->SetOwnContext(false);
  m_window->SetReadyForRendering(true);
  m_window->OpenGLInitContext();
  const qreal dpr = devicePixelRatioF();
  m_window->SetSize(static_cast<int>(width() * dpr), static_cast<int>(height() * dpr));
  m_interactor->SetSize(static_cast<int>(width() * dpr), static_cast<int>(height() * dpr));
  m_interactor->Initialize();
  m_initialised = true;
  if (const auto* name = context()->functions()->glGetString(GL_RENDERER)) {
    m_glRenderer = QString::fromLatin1(reinterpret_cast<const char*>(name));
  }
}

void View3D::resizeGL(int w, int h)
{
  const qreal dpr = devicePixelRatioF();
  m_window->SetSize(static_cast<int>(w * dpr), static_cast<int>(h * dpr));
  m_interactor->SetSize(static_cast<int>(w * dpr), static_cast<int>(h * dpr));
}

void View3D::paintGL()
{
  if (!m_initialised) {
    return;
  }
  // Qt may have changed GL state since our last frame: VTK re-reads it
  m_window->GetState()->Reset();
  m_window->Render();
  const qreal dpr = devicePixelRatioF();
  const int w = static_cast<int>(width() * dpr), h = static_cast<int>(height() * dpr);
  QOpenGLExtraFunctions* f = context()->extraFunctions();
  f->glBindFramebuffer(GL_DRAW_FRAMEBUFFER, defaultFramebufferObject());
  m_window->GetDisplayFramebuffer()->Bind(GL_READ_FRAMEBUFFER);
  m_window->GetDisplayFramebuffer()->ActivateReadBuffer(0);
  f->glDisable(GL_SCISSOR_TEST);
  f->glBlitFramebuffer(0, 0, w, h, 0, 0, w, h, GL_COLOR_BUFFER_BIT, GL_NEAREST);
  f->glBindFramebuffer(GL_FRAMEBUFFER, defaultFramebufferObject());
  // opaque: Qt composes the widget with its alpha
  f->glColorMask(GL_FALSE, GL_FALSE, GL_FALSE, GL_TRUE);
  f->glClearColor(0, 0, 0, 1);
  f->glClear(GL_COLOR_BUFFER_BIT);
  f->glColorMask(GL_TRUE, GL_TRUE, GL_TRUE, GL_TRUE);
}

void View3D::renderNow()
{
  if (!m_initialised || !isExposed()) {
    return;
  }
  makeCurrent();
  paintGL();
  context()->swapBuffers(this);
  context()->functions()->glFinish();
  doneCurrent();
}

void View3D::setInteracting(bool on)
{
  m_window->SetDesiredUpdateRate(on ? m_interactor->GetDesiredUpdateRate()
                                    : m_interactor->GetStillUpdateRate());
}

QImage View3D::grabFrame()
{
  if (!m_initialised || context() == nullptr) {
    return {};
  }
  makeCurrent();
  paintGL();
  const qreal dpr = devicePixelRatio();
  const int w = static_cast<int>(width() * dpr), h = static_cast<int>(height() * dpr);
  QImage image(w, h, QImage::Format_RGBA8888);
  QOpenGLFunctions* f = context()->functions();
  f->glBindFramebuffer(GL_FRAMEBUFFER, defaultFramebufferObject());
  f->glPixelStorei(GL_PACK_ALIGNMENT, 4);
  f->glReadPixels(0, 0, w, h, GL_RGBA, GL_UNSIGNED_BYTE, image.bits());
  doneCurrent();
  image = image.mirrored(); // OpenGL's rows run bottom to top
  image.setDevicePixelRatio(dpr);
  return image.convertToFormat(QImage::Format_RGB32);
}

void View3D::resetCamera(drg::render::OverviewView view)
{
  m_scene->resetCamera(view);
  update();
}

void View3D::rotate(double degrees)
{
  m_renderer->GetActiveCamera()->Azimuth(degrees);
  m_renderer->ResetCameraClippingRange();
  update();
}

void View3D::forward(QMouseEvent* event, unsigned long vtkEvent)
{
  const qreal dpr = devicePixelRatioF();
  const QPointF p = event->position() * dpr;
  const bool ctrl = event->modifiers() & Qt::ControlModifier;
  const bool shift = event->modifiers() & Qt::ShiftModifier;
  m_interactor->SetEventInformationFlipY(static_cast<int>(p.x()), static_cast<int>(p.y()), ctrl, shift);
  m_interactor->InvokeEvent(vtkEvent, event);
}

bool View3D::event(QEvent* event)
{
  if (event->type() == QEvent::Enter) {
    // its keys (R, L, O, S, the arrows) act while the mouse is over it, as the slice views' do; typing
    // in a text or number field keeps the keys
    QWidget* focus = QApplication::focusWidget();
    const bool typing =
      qobject_cast<QLineEdit*>(focus) != nullptr || qobject_cast<QAbstractSpinBox*>(focus) != nullptr;
    // (only while the mouse is still there: an enter handled after the mouse left must not take the
    // keys from where it went)
    const bool stillHere = m_container->rect().contains(m_container->mapFromGlobal(QCursor::pos()));
    if (!typing && stillHere && m_container->window()->isActiveWindow()) {
      m_container->setFocus(Qt::MouseFocusReason);
    }
  }
  return QOpenGLWindow::event(event);
}

void View3D::mousePressEvent(QMouseEvent* event)
{
  switch (event->button()) {
    case Qt::LeftButton:
      forward(event, vtkCommand::LeftButtonPressEvent);
      break;
    case Qt::MiddleButton:
      forward(event, vtkCommand::MiddleButtonPressEvent);
      break;
    case Qt::RightButton:
      forward(event, vtkCommand::RightButtonPressEvent);
      break;
    default:
      break;
  }
}

void View3D::mouseMoveEvent(QMouseEvent* event)
{
  forward(event, vtkCommand::MouseMoveEvent);
}

void View3D::mouseReleaseEvent(QMouseEvent* event)
{
  switch (event->button()) {
    case Qt::LeftButton:
      forward(event, vtkCommand::LeftButtonReleaseEvent);
      break;
    case Qt::MiddleButton:
      forward(event, vtkCommand::MiddleButtonReleaseEvent);
      break;
    case Qt::RightButton:
      forward(event, vtkCommand::RightButtonReleaseEvent);
      break;
    default:
      break;
  }
}

void View3D::wheelEvent(QWheelEvent* event)
{
  const qreal dpr = devicePixelRatioF();
  const QPointF p = event->position() * dpr;
  m_interactor->SetEventInformationFlipY(static_cast<int>(p.x()), static_cast<int>(p.y()),
                                         event->modifiers() & Qt::ControlModifier,
                                         event->modifiers() & Qt::ShiftModifier);
  const int delta = event->angleDelta().y();
  if (delta != 0) {
    m_interactor->InvokeEvent(
      delta > 0 ? vtkCommand::MouseWheelForwardEvent : vtkCommand::MouseWheelBackwardEvent, event);
  }
  event->accept();
}

void View3D::setSkinShown(bool shown)
{
  if (shown == m_skinShown) {
    return;
  }
  m_skinShown = shown;
  m_scene->setSkinVisible(shown);
  update();
  emit skinShownChanged(shown);
}

void View3D::keyPressEvent(QKeyEvent* event)
{
  switch (event->key()) {
    case Qt::Key_R:
      resetCamera(drg::render::OverviewView::Posterior);
      break;
    case Qt::Key_L:
      resetCamera(drg::render::OverviewView::LeftLateral);
      break;
    case Qt::Key_O:
      resetCamera(drg::render::OverviewView::PosteriorOblique);
      break;
    case Qt::Key_S:
      setSkinShown(!m_skinShown);
      break;
    case Qt::Key_Left:
      rotate(-10);
      break;
    case Qt::Key_Right:
      rotate(10);
      break;
    default:
      QOpenGLWindow::keyPressEvent(event);
  }
}
