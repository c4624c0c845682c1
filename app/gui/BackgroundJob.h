#pragma once

#include "LoadedCase.h"

#include <QObject>
#include <QPointer>
#include <QThread>

#include <atomic>
#include <functional>
#include <memory>

class QMainWindow;
class QProgressBar;
class QPushButton;

/// Runs the window's background jobs (loading, relabelling, exports) off the GUI thread, one at a
/// time, with a progress bar and a cancel button in the status bar. The window waits for a running
/// job before it goes (stop()), so a job's thread never outlives it.
class BackgroundJob : public QObject
{
  Q_OBJECT

public:
  /// Progress in [0, 1]; false when the user cancelled (the job then throws drg::Error(Cancelled)).
  using Progress = std::function<bool(double)>;
  /// The work: runs on its own thread; a case it returns is shown (caseLoaded).
  using Job = std::function<std::shared_ptr<LoadedCase>(const Progress&)>;

  explicit BackgroundJob(QMainWindow* window);
  /// Puts the progress bar and the cancel button into the window's status bar (once, before a job).
  void addProgressToStatusBar();

  /// Runs `job` off the GUI thread with progress and cancel; the case it returns is announced
  /// (caseLoaded), then `then` runs (both on the GUI thread, after the thread ended). Refused, with a
  /// message, while another job runs (they share the progress bar, the cancel button and the case).
  void start(const QString& what, Job job, std::function<void()> then = {});
  /// Cancels a running job and waits for its thread.
  void stop();
  bool busy() const { return !m_job.isNull(); }
  /// Hides the progress bar and the cancel button (a job ended, failed or was not started).
  void hideProgress();

signals:
  /// A job failed: emitted on the job's thread (pass it on with Qt::DirectConnection).
  void failed(const QString& message);
  /// A job's case, on the GUI thread once its thread ended.
  void caseLoaded(std::shared_ptr<LoadedCase> loaded);

private:
  QMainWindow* m_window;
  QProgressBar* m_progress = nullptr;
  QPushButton* m_cancel = nullptr;
  std::atomic<bool> m_cancelRequested{ false };
  QPointer<QThread> m_job; ///< the background job running, if any
};
