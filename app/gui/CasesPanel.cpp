#include "CasesPanel.h"

#include "drg/planning/CaseLibrary.h"
#include "drg/planning/Plan.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

using namespace drg::planning;

namespace
{
enum Column
{
  Label,
  Targets,
  LastStage,
  Folder
};

QString text(const std::string& s)
{
  return QString::fromStdString(s);
}
} // namespace

CasesPanel::CasesPanel(std::filesystem::path library, QWidget* parent)
  : QWidget(parent)
  , m_library(std::move(library))
{
  setObjectName("casesPanel");
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  auto* top = new QHBoxLayout();
  top->addWidget(new QLabel(tr("<b>Cases</b>"), this));
  m_search = new QLineEdit(this);
  m_search->setObjectName("caseSearch");
  m_search->setPlaceholderText(tr("search: pseudonym, folder or target (e.g. L4-left)"));
  m_search->setClearButtonEnabled(true);
  top->addWidget(m_search, 1);
  layout->addLayout(top);
  auto* row = new QHBoxLayout();
  m_cases = new QTableWidget(0, 4, this);
  m_cases->setObjectName("caseList");
  m_cases->setHorizontalHeaderLabels({ tr("Case"), tr("Targets"), tr("Last stage"), tr("Folder") });
  m_cases->horizontalHeader()->setSectionResizeMode(Folder, QHeaderView::Stretch);
  m_cases->verticalHeader()->setVisible(false);
  m_cases->setSelectionBehavior(QAbstractItemView::SelectRows);
  m_cases->setSelectionMode(QAbstractItemView::SingleSelection);
  m_cases->setEditTriggers(QAbstractItemView::NoEditTriggers);
  row->addWidget(m_cases, 3);
  auto* right = new QVBoxLayout();
  right->addWidget(new QLabel(tr("Timeline"), this));
  m_timeline = new QListWidget(this);
  m_timeline->setObjectName("caseTimeline");
  right->addWidget(m_timeline, 1);
  m_open = new QPushButton(tr("Open the latest plan"), this);
  m_open->setObjectName("openCasePlan");
  m_open->setEnabled(false);
  right->addWidget(m_open);
  row->addLayout(right, 2);
  layout->addLayout(row, 1);
  m_status = new QLabel(this);
  m_status->setWordWrap(true);
  m_status->setStyleSheet("color: #555;");
  layout->addWidget(m_status);
  connect(m_search, &QLineEdit::textChanged, this, &CasesPanel::refresh);
  connect(m_cases, &QTableWidget::itemSelectionChanged, this, &CasesPanel::showTimeline);
  connect(m_open, &QPushButton::clicked, this, [this] { emit planChosen(m_latestImages, m_latestPlan); });
  refresh();
}

CasesPanel::~CasesPanel() = default;

const CaseLibrary& CasesPanel::library()
{
  if (!m_lib) {
    m_lib = std::make_unique<CaseLibrary>(m_library);
  }
  return *m_lib;
}

void CasesPanel::refresh()
{
  m_cases->setRowCount(0);
  m_timeline->clear();
  if (!std::filesystem::exists(m_library)) {
    m_status->setText(
      tr("No case library yet: a case is added with drgplan-cli cases add FOLDER --label NAME "
         "(the library: %1).")
        .arg(text(m_library.string())));
    return;
  }
  try {
    const CaseLibrary& lib = library();
    const auto found = lib.list(m_search->text().toStdString(), 200);
    m_cases->setRowCount(static_cast<int>(found.size()));
    for (std::size_t i = 0; i < found.size(); ++i) {
      const CaseSummary& c = found[i];
      const int row = static_cast<int>(i);
      auto* label = new QTableWidgetItem(text(c.label));
      label->setData(Qt::UserRole, static_cast<qlonglong>(c.id));
      m_cases->setItem(row, Label, label);
      m_cases->setItem(row, Targets, new QTableWidgetItem(text(c.targets)));
      auto* last = new QTableWidgetItem(
        c.lastStage.empty() ? tr("-") : text(c.lastStage + ", " + c.lastStageAt.substr(0, 10)));
      if (!c.lastStageFile.empty() && !std::filesystem::exists(c.lastStageFile)) {
        last->setText(last->text() + tr(" [missing]")); // (its file gone: said in the list too)
        last->setForeground(Qt::darkRed);
      }
      m_cases->setItem(row, LastStage, last);
      m_cases->setItem(row, Folder, new QTableWidgetItem(text(c.folder)));
    }
    m_cases->resizeColumnsToContents();
    m_cases->horizontalHeader()->setSectionResizeMode(Folder, QHeaderView::Stretch);
    m_status->setText(tr("%1 of %2 cases").arg(found.size()).arg(lib.count()));
  } catch (const std::exception& e) {
    m_status->setText(tr("The case library could not be read: %1").arg(QString::fromUtf8(e.what())));
  }
}

void CasesPanel::showTimeline()
{
  m_timeline->clear();
  m_open->setEnabled(false);
  m_open->setText(tr("Open the latest plan"));
  m_latestPlan.clear();
  m_latestImages.clear();
  const auto rows = m_cases->selectionModel()->selectedRows();
  if (rows.isEmpty()) {
    return;
  }
  try {
    const CaseLibrary& lib = library();
    const CaseDetails d = lib.open(m_cases->item(rows.front().row(), Label)->data(Qt::UserRole).toLongLong());
    if (!d.problem.empty()) {
      auto* item = new QListWidgetItem(
        tr("case file unreadable: %1 (the library's copy below)").arg(text(d.problem)), m_timeline);
      item->setForeground(Qt::darkRed);
    }
    if (d.record && !d.record->targetsAcceptedAt.empty()) {
      new QListWidgetItem(tr("%1  targets accepted: %2")
                            .arg(text(d.record->targetsAcceptedAt.substr(0, 10)), text(d.summary.targets)),
                          m_timeline);
    }
    for (const StageCheck& s : d.stages) {
      auto* item =
        new QListWidgetItem(QString("%1  %2%3")
                              .arg(text(s.stage.at.substr(0, 10)), text(s.stage.kind),
                                   s.stage.note.empty() ? QString() : QString(": ") + text(s.stage.note)),
                            m_timeline);
      const std::filesystem::path file = std::filesystem::path(s.stage.file).is_absolute()
                                           ? std::filesystem::path(s.stage.file)
                                           : std::filesystem::path(d.summary.folder) / s.stage.file;
      item->setToolTip(text(file.string()));
      if (!s.problem.empty()) {
        item->setText(item->text() + tr("  [%1]").arg(text(s.problem)));
        item->setForeground(Qt::darkRed);
      } else if (s.stage.kind == "trial-plan" || s.stage.kind == "permanent-plan") {
        m_latestPlan = text(file.string());
        m_open->setText(s.stage.kind == "trial-plan"
                          ? tr("Open the trial plan (%1)").arg(text(s.stage.at.substr(0, 10)))
                          : tr("Open the permanent plan (%1)").arg(text(s.stage.at.substr(0, 10))));
      }
    }
    if (!m_latestPlan.isEmpty()) {
      m_latestImages = text(loadPlan(m_latestPlan.toStdString()).study.source);
      m_open->setEnabled(true);
    }
  } catch (const std::exception& e) {
    new QListWidgetItem(tr("cannot open the case: %1").arg(QString::fromUtf8(e.what())), m_timeline);
  }
}
