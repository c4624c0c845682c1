#pragma once

#include <QString>

#include <functional>
#include <optional>

class QMainWindow;

/// How the workstation speaks to the user: yes/no questions, warnings and status bar messages.
/// Without interaction (--screenshot, --bench-render, tests) no dialog waits for a click: questions
/// get their unattended answer (or a test's handler's) and warnings are not shown (warn() shows a
/// dialog only when interactive; callers that must leave a trace also set the status bar).
class Prompts
{
public:
  explicit Prompts(QMainWindow* window);

  void setInteractive(bool interactive) { m_interactive = interactive; }
  bool interactive() const { return m_interactive; }
  /// Answers yes/no questions instead of a dialog (tests).
  void setQuestionHandler(std::function<bool(const QString&)> answer) { m_answer = std::move(answer); }
  /// True when someone answers questions: the user, or a test's handler.
  bool answered() const { return m_interactive || static_cast<bool>(m_answer); }

  /// A yes/no question: a dialog, the test's handler, or `unattended` without interaction.
  bool ask(const QString& title, const QString& question, bool unattended) const;

  /// What to do with a plan's unsaved changes before something drops them.
  enum class Unsaved
  {
    Save,
    Discard,
    Cancel,
    KeepAutosave ///< without interaction: go on, the autosave stays (as after a crash)
  };
  /// Answers the unsaved-changes question instead of a dialog (tests).
  void setUnsavedHandler(std::function<Unsaved(const QString&)> answer) { m_unsaved = std::move(answer); }
  /// Save, Discard or Cancel: a dialog, the test's handler, or KeepAutosave without interaction.
  Unsaved askUnsaved(const QString& title, const QString& question) const;
  /// What a volume without a DICOM header is, when its values do not tell: CT (true), T2 MR (false)
  /// or cancelled (nothing; also without interaction).
  void setModalityHandler(std::function<std::optional<bool>(const QString&)> answer)
  {
    m_modality = std::move(answer);
  }
  std::optional<bool> askModality(const QString& question) const;
  /// A warning dialog, when interactive (nothing otherwise: say it in the status bar too).
  void warn(const QString& title, const QString& text) const;
  /// A status bar message for `timeoutMs` (0: until the next one).
  void status(const QString& text, int timeoutMs = 0) const;

private:
  QMainWindow* m_window;
  bool m_interactive = true;
  std::function<bool(const QString&)> m_answer;
  std::function<Unsaved(const QString&)> m_unsaved;
  std::function<std::optional<bool>(const QString&)> m_modality;
};
