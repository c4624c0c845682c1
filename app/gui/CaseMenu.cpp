#include "CaseMenu.h"

#include "MainWindow.h"
#include "PainMapDialog.h"
#include "TrialResultsDialog.h"

#include <QAction>
#include <QMenu>
#include <QMessageBox>

using namespace drg::planning;

CaseMenu::CaseMenu(MainWindow& window, QMenu* menu)
  : QObject(menu)
  , m_window(window)
{
  menu->setObjectName("caseMenu");
  QAction* pain = menu->addAction(tr("Targets from a &pain map..."), this, &CaseMenu::editPainMap);
  pain->setObjectName("painMap");
  menu->addSeparator();
  QAction* trial = menu->addAction(tr("&Trial plan (temporary leads to an external stimulator, no pocket)"));
  trial->setObjectName("trialKind");
  trial->setCheckable(true);
  QAction* results = menu->addAction(tr("Trial &results..."), this, &CaseMenu::editTrialResults);
  results->setObjectName("trialResults");
  connect(menu, &QMenu::aboutToShow, this, [this, pain, trial, results] {
    PlanEditor* editor = m_window.planEditor();
    pain->setEnabled(editor != nullptr);
    trial->setEnabled(editor != nullptr);
    const QSignalBlocker quiet(trial);
    trial->setChecked(editor && editor->plan().kind == PlanKind::Trial);
    results->setEnabled(editor && editor->plan().kind == PlanKind::Trial && !editor->plan().leads.empty());
  });
  connect(trial, &QAction::toggled, this, [this](bool on) {
    PlanEditor* editor = m_window.planEditor();
    if (!editor) {
      return;
    }
    if (on && editor->plan().pocket &&
        QMessageBox::question(&m_window, tr("Trial plan"),
                              tr("A trial plan has no pocket: its leads leave the skin for the external "
                                 "stimulator. Remove the pocket (Undo brings it back)?")) !=
          QMessageBox::Yes) {
      return;
    }
    editor->setKind(on ? PlanKind::Trial : PlanKind::Permanent);
    m_window.refreshPlanView();
  });
}

void CaseMenu::editPainMap()
{
  PlanEditor* editor = m_window.planEditor();
  if (!editor) {
    return;
  }
  PainMapDialog dialog(editor->plan().indication, editor->planner().rules().maxLeads.value, &m_window);
  if (dialog.exec() != QDialog::Accepted) {
    return;
  }
  try {
    editor->setIndication(dialog.indication());
  } catch (const std::exception& e) {
    QMessageBox::warning(&m_window, tr("Targets from a pain map"), QString::fromUtf8(e.what()));
  }
  m_window.refreshPlanView();
}

void CaseMenu::editTrialResults()
{
  PlanEditor* editor = m_window.planEditor();
  if (!editor || editor->plan().kind != PlanKind::Trial) {
    return;
  }
  TrialResultsDialog dialog(editor->plan(), &m_window);
  if (dialog.exec() != QDialog::Accepted) {
    return;
  }
  const auto results = dialog.results();
  try {
    if (!(dialog.summary() == editor->plan().trialSummary)) {
      editor->setTrialSummary(dialog.summary());
    }
    for (std::size_t i = 0; i < results.size(); ++i) {
      if (!(results[i] == editor->plan().leads[i].trialResult)) {
        editor->setTrialResult(static_cast<int>(i), results[i]);
      }
    }
  } catch (const std::exception& e) {
    QMessageBox::warning(&m_window, tr("Trial results"), QString::fromUtf8(e.what()));
  }
  m_window.refreshPlanView();
}
