#pragma once
// The post-operative verification in the workstation: a post-operative CT verified against the plan
// open (drg/planning/LeadVerification.h), the found contacts drawn in the 2D views over the planned
// ones, and each lead's verdict in a window and the status bar.

#include "SliceView.h"

#include "drg/planning/LeadVerification.h"

#include <QObject>
#include <QString>

#include <optional>
#include <vector>

class BackgroundJob;
class PlanSession;
class Prompts;
class ViewGrid;
class QWidget;

class PostopView : public QObject
{
  Q_OBJECT

public:
  PostopView(const PlanSession& session, BackgroundJob& jobs, const Prompts& prompts, ViewGrid& views,
             QWidget* window);

  /// Asks for the post-operative CT (a DICOM folder), then verifies it in the background.
  void choose();
  /// Verifies `path` in the background (the window's job: progress and cancel).
  void start(const QString& path);
  /// Verifies `path` now (the command line's --verify); false with `error` set.
  bool runNow(const QString& path, QString* error);
  const std::optional<drg::planning::Verification>& result() const { return m_result; }
  /// A line per lead: its verdict and measures, as the window shows them.
  QString summary() const;

signals:
  /// The views should go to `lps` (the first lead not in place, else the first lead found).
  void lookAt(const Eigen::Vector3d& lps);

public slots:
  /// Forgets the verification when another case is shown.
  void caseShown();

private:
  /// Loads and verifies (any thread); throws drg::Error.
  drg::planning::Verification verify(const QString& path, const drg::planning::Plan& plan,
                                     const std::function<bool(double)>& progress) const;
  void show(drg::planning::Verification v);
  void clear();

  const PlanSession& m_session;
  BackgroundJob& m_jobs;
  const Prompts& m_prompts;
  ViewGrid& m_views;
  QWidget* m_window;
  std::optional<drg::planning::Verification> m_result;
  const void* m_case = nullptr; ///< the case the verification is of
};
