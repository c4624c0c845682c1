#pragma once

#include "LoadedCase.h"

#include "drg/planning/PlanEditor.h"
#include "drg/planning/Planner.h"

#include <QObject>
#include <QString>

#include <filesystem>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

class Prompts;

/// The plan being made on the case shown: its planner and editor, its file (open, save), its
/// autosave (beside the file; until it has one, one per study in the user's data folder, offered
/// back after a crash) and the recent studies the start page lists.
class PlanSession : public QObject
{
  Q_OBJECT

public:
  PlanSession(const Prompts& prompts, QObject* parent);
  ~PlanSession() override;

  /// A planner and editor for the case's spine model (none without one). `keep`: that plan,
  /// re-planned on the model (relabelling), autosaved where it was; otherwise a new plan, autosaved
  /// per study. What goes wrong is added to the case's warnings.
  void setUp(std::shared_ptr<LoadedCase> loaded, std::optional<drg::planning::Plan> keep = std::nullopt);
  /// The plan being edited (nullptr before a case with a spine model is shown).
  drg::planning::PlanEditor* editor() const { return m_editor.get(); }
  /// Its planner (nullptr with no editor).
  const drg::planning::Planner* planner() const { return m_planner.get(); }
  /// The case planned on.
  const std::shared_ptr<LoadedCase>& loadedCase() const { return m_case; }

  /// Opens a plan file for the case (refused with a message when it is not readable, or belongs to
  /// other images or other level corrections); offers its unsaved changes after a crash.
  bool open(const QString& path);
  /// Saves the plan (atomic); false with a message on failure.
  bool save(const QString& path);
  /// Offers the plan autosaved for this study before it was ever saved (kept when drgplan stopped,
  /// or another study was opened, before a save). True when it was recovered.
  bool offerUnsavedPlan();
  /// A study opened with an empty plan: offers the plan file last saved (or opened) for it.
  void offerLastPlan();
  /// Sets where the plan autosaves (empty: nowhere).
  void setAutosave(const std::filesystem::path& path);
  /// The plan differs from what was last saved or opened.
  bool hasUnsavedChanges() const;
  /// Removes the autosave (the user discarded the changes: nothing to recover next time).
  void discardAutosave();
  /// The file the plan was last saved to or opened from (empty: none yet).
  QString planPath() const { return m_planPath; }
  /// The plan's file when `json` (the plan as it would be saved now) is what it holds, else empty.
  QString fileHolding(const std::string& json) const;

  /// Puts a study first in the recent studies (at most ten, kept in the settings).
  void rememberStudy(const QString& path, const QString& title);
  /// The recent studies, most recent first: path and title.
  static std::vector<std::pair<QString, QString>> recentStudies();

signals:
  /// The editor's plan was replaced (a plan opened or recovered): show it.
  void planReplaced();
  void recentStudiesChanged();

private:
  /// A plan saved inside a case folder joins the case's timeline: what the status bar adds to say so
  /// (empty when the folder is no case's or the file is a stage already).
  QString recordInCase(const QString& path) const;
  /// Removes the study's unsaved-plan autosave (the plan has a file now).
  void forgetUnsavedPlan();
  /// The settings key under which the study's last plan file is kept, and keeping it there.
  QString studyPlanKey() const;
  void rememberPlanOfStudy(const QString& path);
  /// A file's modification time, for a person ("2026-12-07 06:40").
  static QString lastChanged(const std::filesystem::path& file);
  /// Throws (naming what to do) when `study`'s levels were numbered otherwise than the case's: the
  /// user's renumbering and declared transitional anatomy.
  void refuseOtherNumbering(const drg::planning::StudyReference& study) const;
  /// A new plan of the case open: its study reference (images, levels) set, no leads.
  drg::planning::Plan newPlan() const;
  /// Until the plan has a file, every edit is kept in the user's data folder, one file per study.
  void autosavePerStudy();

  const Prompts& m_prompts;
  std::shared_ptr<LoadedCase> m_case;
  std::unique_ptr<drg::planning::PlanAnatomy> m_planAnatomy;
  std::unique_ptr<drg::planning::Planner> m_planner;
  std::unique_ptr<drg::planning::PlanEditor> m_editor;
  std::string m_savedJson;             ///< the plan as last saved or opened (unsaved changes differ)
  std::filesystem::path m_unsavedPlan; ///< where the plan of a study without a file autosaves
  std::filesystem::path m_autosave;    ///< where the plan autosaves now
  QString m_planPath;                  ///< the plan's file, once opened or saved
};
