#pragma once
// File > Open from PACS: search a PACS of the settings (patient, date range, modality, accession),
// pick a study and one of its series, retrieve it into the cache (C-GET, or C-MOVE) and hand the
// folder to the window, which opens it like any DICOM folder. Network work runs off the GUI thread.

#include "drg/imaging/Pacs.h"

#include <QDialog>
#include <QPointer>
#include <QThread>

#include <atomic>
#include <filesystem>
#include <functional>
#include <memory>
#include <vector>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QTableWidget;

class PacsDialog : public QDialog
{
  Q_OBJECT

public:
  /// Reads the settings from `settingsFile`; when they cannot be read the dialog says why (and how
  /// to add a PACS) instead of searching.
  explicit PacsDialog(const std::filesystem::path& settingsFile, QWidget* parent = nullptr);
  ~PacsDialog() override;

  /// Searches with the fields as they are (what the Search button does).
  void search();
  /// Retrieves the selected series (what the Retrieve button does).
  void retrieveSelected();
  /// The message line (errors in red), for tests.
  QString status() const;

signals:
  /// A series is complete in the cache: open `folder`.
  void seriesRetrieved(const QString& folder);
  /// A search, a series listing or a retrieve ended (ok or not), for tests.
  void finished();

private:
  void showStudies();
  void listSeries();
  void setBusy(bool busy, const QString& what = {});
  void fail(const QString& message);
  /// Runs `job` off the GUI thread, then `then` on it (one job at a time).
  void run(const QString& what, std::function<void()> job, std::function<void()> then);

  void closeEvent(QCloseEvent* event) override;
  void reject() override;

  drg::imaging::PacsSettings m_settings;
  std::shared_ptr<std::atomic<bool>> m_cancel = std::make_shared<std::atomic<bool>>(false);
  std::string m_listedStudy; ///< the study whose series the series table shows
  bool m_configured = false;
  std::vector<drg::imaging::PacsStudy> m_studies;
  std::vector<drg::imaging::PacsSeries> m_series;
  QPointer<QThread> m_job;
  QComboBox* m_server = nullptr;
  QLineEdit *m_patientId = nullptr, *m_patientName = nullptr, *m_date = nullptr, *m_accession = nullptr;
  QComboBox* m_modality = nullptr;
  QTableWidget *m_studyTable = nullptr, *m_seriesTable = nullptr;
  QCheckBox* m_move = nullptr;
  QPushButton *m_searchButton = nullptr, *m_retrieveButton = nullptr;
  QProgressBar* m_progress = nullptr;
  QLabel* m_status = nullptr;
};
