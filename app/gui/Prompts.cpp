#include "Prompts.h"

#include <QMainWindow>
#include <QMessageBox>
#include <QPushButton>
#include <QStatusBar>

Prompts::Prompts(QMainWindow* window)
  : m_window(window)
{}

bool Prompts::ask(const QString& title, const QString& question, bool unattended) const
{
  if (m_answer) {
    return m_answer(question);
  }
  if (!m_interactive) {
    return unattended;
  }
  return QMessageBox::question(m_window, title, question) == QMessageBox::Yes;
}

Prompts::Unsaved Prompts::askUnsaved(const QString& title, const QString& question) const
{
  if (m_unsaved) {
    return m_unsaved(question);
  }
  if (!m_interactive) {
    return Unsaved::KeepAutosave;
  }
  const auto choice = QMessageBox::question(m_window, title, question,
                                            QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel,
                                            QMessageBox::Cancel);
  return choice == QMessageBox::Save      ? Unsaved::Save
         : choice == QMessageBox::Discard ? Unsaved::Discard
                                          : Unsaved::Cancel;
}

std::optional<bool> Prompts::askModality(const QString& question) const
{
  if (m_modality) {
    return m_modality(question);
  }
  if (!m_interactive) {
    return std::nullopt;
  }
  QMessageBox box(QMessageBox::Question, QObject::tr("CT or MR?"), question, QMessageBox::Cancel, m_window);
  QPushButton* ct = box.addButton(QObject::tr("CT"), QMessageBox::AcceptRole);
  QPushButton* mr = box.addButton(QObject::tr("T2 MR"), QMessageBox::AcceptRole);
  box.setDefaultButton(QMessageBox::Cancel);
  box.exec();
  if (box.clickedButton() == ct) {
    return true;
  }
  if (box.clickedButton() == mr) {
    return false;
  }
  return std::nullopt;
}

void Prompts::warn(const QString& title, const QString& text) const
{
  if (m_interactive) {
    QMessageBox::warning(m_window, title, text);
  }
}

void Prompts::status(const QString& text, int timeoutMs) const
{
  m_window->statusBar()->showMessage(text, timeoutMs);
}
