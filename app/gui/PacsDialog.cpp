#include "PacsDialog.h"

#include "drg/imaging/Error.h"

#include <QCheckBox>
#include <QCloseEvent>
#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

#include <memory>

namespace
{

QTableWidget* table(QWidget* parent, const QStringList& headers, const char* name)
{
  auto* t = new QTableWidget(0, headers.size(), parent);
  t->setObjectName(name);
  t->setHorizontalHeaderLabels(headers);
  t->setSelectionBehavior(QAbstractItemView::SelectRows);
  t->setSelectionMode(QAbstractItemView::SingleSelection);
  t->setEditTriggers(QAbstractItemView::NoEditTriggers);
  t->verticalHeader()->hide();
  t->horizontalHeader()->setStretchLastSection(true);
  return t;
}

QTableWidgetItem* item(const std::string& text)
{
  return new QTableWidgetItem(QString::fromStdString(text));
}

/// 20240131 as 2024-01-31 (other text as it is).
std::string readableDate(const std::string& d)
{
  return d.size() == 8 ? d.substr(0, 4) + "-" + d.substr(4, 2) + "-" + d.substr(6, 2) : d;
}

} // namespace

PacsDialog::PacsDialog(const std::filesystem::path& settingsFile, QWidget* parent)
  : QDialog(parent)
{
  setWindowTitle(tr("Open from PACS"));
  resize(900, 600);
  auto* layout = new QVBoxLayout(this);
  auto* form = new QFormLayout;
  m_server = new QComboBox(this);
  m_server->setObjectName("pacsServer");
  m_patientId = new QLineEdit(this);
  m_patientId->setObjectName("pacsPatientId");
  m_patientName = new QLineEdit(this);
  m_patientName->setObjectName("pacsPatientName");
  m_patientName->setPlaceholderText(tr("FAMILY^GIVEN, wildcards * and ?"));
  m_date = new QLineEdit(this);
  m_date->setObjectName("pacsDate");
  m_date->setPlaceholderText(tr("YYYYMMDD or YYYYMMDD-YYYYMMDD"));
  m_accession = new QLineEdit(this);
  m_accession->setObjectName("pacsAccession");
  m_modality = new QComboBox(this);
  m_modality->setObjectName("pacsModality");
  m_modality->addItems({ tr("any"), "CT", "MR" });
  form->addRow(tr("PACS"), m_server);
  form->addRow(tr("Patient ID"), m_patientId);
  form->addRow(tr("Patient name"), m_patientName);
  form->addRow(tr("Study date"), m_date);
  form->addRow(tr("Modality"), m_modality);
  form->addRow(tr("Accession number"), m_accession);
  layout->addLayout(form);
  m_searchButton = new QPushButton(tr("Search"), this);
  m_searchButton->setObjectName("pacsSearch");
  m_searchButton->setDefault(true);
  layout->addWidget(m_searchButton);
  m_studyTable =
    table(this, { tr("Patient"), tr("ID"), tr("Date"), tr("Modalities"), tr("Series"), tr("Description") },
          "pacsStudies");
  m_seriesTable = table(this, { tr("No"), tr("Modality"), tr("Images"), tr("Description") }, "pacsSeries");
  layout->addWidget(m_studyTable, 3);
  layout->addWidget(m_seriesTable, 2);
  auto* bottom = new QHBoxLayout;
  m_move = new QCheckBox(tr("Retrieve by C-MOVE (our AE title must be registered at the PACS)"), this);
  m_move->setObjectName("pacsMove");
  m_retrieveButton = new QPushButton(tr("Retrieve and open"), this);
  m_retrieveButton->setObjectName("pacsRetrieve");
  m_retrieveButton->setEnabled(false);
  bottom->addWidget(m_move);
  bottom->addStretch();
  bottom->addWidget(m_retrieveButton);
  layout->addLayout(bottom);
  m_progress = new QProgressBar(this);
  m_progress->hide();
  layout->addWidget(m_progress);
  m_status = new QLabel(this);
  m_status->setObjectName("pacsStatus");
  m_status->setWordWrap(true);
  m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
  layout->addWidget(m_status);

  try {
    m_settings = drg::imaging::loadPacsSettings(settingsFile);
    for (const auto& s : m_settings.servers) {
      m_server->addItem(QString::fromStdString(s.name + " (" + s.aeTitle + " at " + s.host + ")"),
                        QString::fromStdString(s.name));
    }
    m_configured = !m_settings.servers.empty();
    if (!m_configured) {
      fail(tr("No PACS in %1: add one with drgplan-cli pacs add NAME --ae AE --host HOST --port PORT")
             .arg(QString::fromStdString(settingsFile.string())));
    }
  } catch (const std::exception& e) {
    fail(QString::fromStdString(e.what()));
  }
  m_searchButton->setEnabled(m_configured);
  connect(m_searchButton, &QPushButton::clicked, this, &PacsDialog::search);
  connect(m_retrieveButton, &QPushButton::clicked, this, &PacsDialog::retrieveSelected);
  connect(m_studyTable, &QTableWidget::itemSelectionChanged, this, &PacsDialog::listSeries);
  connect(m_seriesTable, &QTableWidget::itemSelectionChanged, this,
          [this] { m_retrieveButton->setEnabled(!m_job && !m_seriesTable->selectedItems().isEmpty()); });
  connect(m_seriesTable, &QTableWidget::cellDoubleClicked, this, [this] { retrieveSelected(); });
}

PacsDialog::~PacsDialog()
{
  if (m_job) {
    *m_cancel = true; // (a retrieve stops at its next object; a search ends at its timeout)
    m_job->wait();    // (the job holds no pointer into the dialog but its results)
  }
}

void PacsDialog::closeEvent(QCloseEvent* event)
{
  *m_cancel = true; // closing cancels a retrieve under way (nothing is kept of it)
  QDialog::closeEvent(event);
}

void PacsDialog::reject()
{
  *m_cancel = true;
  QDialog::reject();
}

QString PacsDialog::status() const
{
  return m_status->text();
}

void PacsDialog::fail(const QString& message)
{
  m_status->setStyleSheet("color: #c0392b");
  m_status->setText(message);
}

void PacsDialog::setBusy(bool busy, const QString& what)
{
  // (the tables hold still while the network works: a series listed must be the study's selected)
  m_studyTable->setEnabled(!busy);
  m_seriesTable->setEnabled(!busy);
  m_searchButton->setEnabled(!busy && m_configured);
  m_retrieveButton->setEnabled(!busy && !m_seriesTable->selectedItems().isEmpty());
  m_progress->setVisible(busy);
  if (busy) {
    m_progress->setRange(0, 0);
    m_status->setStyleSheet({});
    m_status->setText(what);
  }
}

void PacsDialog::run(const QString& what, std::function<void()> job, std::function<void()> then)
{
  if (m_job) {
    return;
  }
  setBusy(true, what);
  auto error = std::make_shared<QString>();
  QThread* thread = QThread::create([job, error] {
    try {
      job();
    } catch (const std::exception& e) {
      *error = QString::fromStdString(e.what());
    }
  });
  connect(thread, &QThread::finished, this, [this, error, then] {
    m_job = nullptr;
    setBusy(false);
    if (error->isEmpty()) {
      then();
    } else {
      fail(*error);
    }
    emit finished();
  });
  connect(thread, &QThread::finished, thread, &QObject::deleteLater);
  m_job = thread;
  thread->start();
}

void PacsDialog::search()
{
  if (!m_configured) {
    return;
  }
  drg::imaging::PacsQuery q;
  q.patientId = m_patientId->text().trimmed().toStdString();
  q.patientName = m_patientName->text().trimmed().toStdString();
  q.studyDate = m_date->text().trimmed().toStdString();
  q.accessionNumber = m_accession->text().trimmed().toStdString();
  q.modality = m_modality->currentIndex() == 0 ? std::string() : m_modality->currentText().toStdString();
  const std::string server = m_server->currentData().toString().toStdString();
  auto studies = std::make_shared<std::vector<drg::imaging::PacsStudy>>();
  const auto settings = m_settings;
  run(
    tr("Searching %1...").arg(QString::fromStdString(server)),
    [settings, server, q, studies] { *studies = drg::imaging::PacsClient(settings, server).findStudies(q); },
    [this, studies] {
      m_studies = *studies;
      showStudies();
    });
}

void PacsDialog::showStudies()
{
  m_seriesTable->setRowCount(0);
  m_series.clear();
  m_studyTable->setRowCount(static_cast<int>(m_studies.size()));
  for (int r = 0; r < static_cast<int>(m_studies.size()); ++r) {
    const auto& s = m_studies[static_cast<std::size_t>(r)];
    m_studyTable->setItem(r, 0, item(s.patientName));
    m_studyTable->setItem(r, 1, item(s.patientId));
    m_studyTable->setItem(r, 2, item(readableDate(s.studyDate)));
    m_studyTable->setItem(r, 3, item(s.modalities));
    m_studyTable->setItem(r, 4, item(std::to_string(s.series)));
    m_studyTable->setItem(r, 5, item(s.description));
  }
  m_studyTable->resizeColumnsToContents();
  m_status->setStyleSheet({});
  m_status->setText(m_studies.empty()
                      ? tr("No study matches")
                      : tr("%n stud(y/ies): pick one", "", static_cast<int>(m_studies.size())));
}

void PacsDialog::listSeries()
{
  const int row = m_studyTable->currentRow();
  if (row < 0 || row >= static_cast<int>(m_studies.size()) || m_job) {
    return;
  }
  const std::string study = m_studies[static_cast<std::size_t>(row)].studyUid;
  m_series.clear(); // (nothing of another study stays listed while this one's series come)
  m_seriesTable->setRowCount(0);
  m_listedStudy.clear();
  const std::string server = m_server->currentData().toString().toStdString();
  auto series = std::make_shared<std::vector<drg::imaging::PacsSeries>>();
  const auto settings = m_settings;
  run(
    tr("Listing the study's series..."),
    [settings, server, study, series] {
      *series = drg::imaging::PacsClient(settings, server).findSeries(study);
    },
    [this, series, study] {
      const int now = m_studyTable->currentRow();
      if (now < 0 || now >= static_cast<int>(m_studies.size()) ||
          m_studies[static_cast<std::size_t>(now)].studyUid != study) {
        listSeries(); // the selection moved meanwhile: list the selected study's series instead
        return;
      }
      m_listedStudy = study;
      m_series = *series;
      m_seriesTable->setRowCount(static_cast<int>(m_series.size()));
      for (int r = 0; r < static_cast<int>(m_series.size()); ++r) {
        const auto& s = m_series[static_cast<std::size_t>(r)];
        m_seriesTable->setItem(r, 0, item(s.seriesNumber));
        m_seriesTable->setItem(r, 1, item(s.modality));
        m_seriesTable->setItem(r, 2, item(std::to_string(s.instances)));
        m_seriesTable->setItem(r, 3, item(s.description));
      }
      m_seriesTable->resizeColumnsToContents();
      m_status->setStyleSheet({});
      m_status->setText(
        tr("%n series: pick the CT or T2 MR to plan on", "", static_cast<int>(m_series.size())));
    });
}

void PacsDialog::retrieveSelected()
{
  const int row = m_seriesTable->currentRow();
  if (row < 0 || row >= static_cast<int>(m_series.size())) {
    fail(tr("Pick a series first"));
    return;
  }
  const drg::imaging::PacsSeries picked = m_series[static_cast<std::size_t>(row)];
  const int studyRow = m_studyTable->currentRow();
  if (studyRow < 0 || studyRow >= static_cast<int>(m_studies.size()) ||
      m_studies[static_cast<std::size_t>(studyRow)].studyUid != picked.studyUid ||
      m_listedStudy != picked.studyUid) {
    fail(tr("The series listed are not those of the selected study: pick the study again"));
    return;
  }
  *m_cancel = false;
  auto cancel = m_cancel;
  const std::string server = m_server->currentData().toString().toStdString();
  const auto method =
    m_move->isChecked() ? drg::imaging::RetrieveMethod::Move : drg::imaging::RetrieveMethod::Get;
  auto result = std::make_shared<drg::imaging::RetrieveResult>();
  const auto settings = m_settings;
  QPointer<QProgressBar> bar = m_progress;
  run(
    tr("Retrieving %n image(s)...", "", picked.instances),
    [settings, server, picked, method, result, bar, cancel] {
      *result = drg::imaging::PacsClient(settings, server)
                  .retrieve(picked.studyUid, picked.seriesUid, method, [bar, cancel](int done, int total) {
                    if (bar) {
                      QMetaObject::invokeMethod(
                        bar,
                        [bar, done, total] {
                          if (bar) {
                            bar->setRange(0, std::max(total, done));
                            bar->setValue(done);
                          }
                        },
                        Qt::QueuedConnection);
                    }
                    return !cancel->load();
                  });
    },
    [this, result] {
      m_status->setStyleSheet({});
      m_status->setText(
        tr("%1 images in %2").arg(result->received).arg(QString::fromStdString(result->folder.string())));
      emit seriesRetrieved(QString::fromStdString(result->folder.string()));
    });
}
