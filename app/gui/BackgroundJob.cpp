#include "BackgroundJob.h"

#include "drg/imaging/Error.h"

#include <QMainWindow>
#include <QProgressBar>
#include <QPushButton>
#include <QStatusBar>

BackgroundJob::BackgroundJob(QMainWindow* window)
  : QObject(window)
  , m_window(window)
{}

void BackgroundJob::addProgressToStatusBar()
{
  m_progress = new QProgressBar(m_window);
  m_progress->setMaximumWidth(220);
  m_progress->setRange(0, 100);
  m_progress->hide();
  m_cancel = new QPushButton(tr("Cancel"), m_window);
  m_cancel->hide();
  m_window->statusBar()->addPermanentWidget(m_progress);
  m_window->statusBar()->addPermanentWidget(m_cancel);
  connect(m_cancel, &QPushButton::clicked, this, [this] { m_cancelRequested = true; });
}

void BackgroundJob::hideProgress()
{
  m_progress->hide();
  m_cancel->hide();
}

void BackgroundJob::start(const QString& what, Job job, std::function<void()> then)
{
  if (m_job) {
    m_window->statusBar()->showMessage(tr("Busy: wait for the current job to finish, or cancel it"), 5000);
    return;
  }
  m_cancelRequested = false;
  m_progress->setValue(0);
  m_progress->setFormat(what + " %p%");
  m_progress->show();
  m_cancel->show();
  // what the job produced, taken over on the GUI thread once the thread has ended
  auto result = std::make_shared<std::shared_ptr<LoadedCase>>();
  QThread* thread = QThread::create([this, job, result] {
    try {
      auto progress = [this](double f) {
        QMetaObject::invokeMethod(m_progress, "setValue", Qt::QueuedConnection,
                                  Q_ARG(int, static_cast<int>(f * 100)));
        return !m_cancelRequested.load();
      };
      *result = job(progress);
    } catch (const drg::Error& e) {
      if (e.code() != drg::ErrorCode::Cancelled) {
        emit failed(QString::fromStdString(e.what()));
      } else {
        QMetaObject::invokeMethod(
          this,
          [this] {
            hideProgress();
            m_window->statusBar()->showMessage(tr("Cancelled"), 4000);
          },
          Qt::QueuedConnection);
      }
    } catch (const std::exception& e) {
      emit failed(QString::fromStdString(e.what()));
    }
  });
  connect(thread, &QThread::finished, this, [this, result, then] {
    m_job = nullptr;
    if (*result) {
      emit caseLoaded(*result);
    }
    if (then) {
      then();
    }
  });
  connect(thread, &QThread::finished, thread, &QObject::deleteLater);
  m_job = thread;
  thread->start();
}

void BackgroundJob::stop()
{
  if (m_job) {
    m_cancelRequested = true;
    m_job->wait();
  }
}
