#include "StartPage.h"

#include "CaseLoader.h"
#include "CasesPanel.h"

#include "drg/planning/CaseLibrary.h"

#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QVBoxLayout>

StartPage::StartPage(CaseLoader& loader, QWidget* parent)
  : QWidget(parent)
{
  setObjectName("startPage");
  auto* outer = new QVBoxLayout(this);
  outer->addStretch(1);
  auto* column = new QVBoxLayout();
  auto* title =
    new QLabel(tr("<h1>drgplan</h1><p>Dorsal root ganglion stimulation planning: find the ganglia, "
                  "plan up to four leads and the generator pocket, report.</p>"),
               this);
  title->setWordWrap(true);
  column->addWidget(title);
  auto* buttons = new QHBoxLayout();
  auto* demo = new QPushButton(tr("Open demo case"), this);
  demo->setObjectName("openDemo");
  demo->setToolTip(tr("A CT phantom of the spine (T10 to the sacrum), ready to plan"));
  auto* dicom = new QPushButton(tr("Open DICOM folder..."), this);
  auto* volume = new QPushButton(tr("Open NIfTI / NRRD..."), this);
  buttons->addWidget(demo);
  buttons->addWidget(dicom);
  buttons->addWidget(volume);
  buttons->addStretch(1);
  column->addLayout(buttons);
  column->addSpacing(12);
  column->addWidget(new QLabel(tr("<b>Recent studies</b> (double-click to open)"), this));
  m_recent = new QListWidget(this);
  m_recent->setObjectName("recentStudies");
  m_recent->setMinimumHeight(160);
  column->addWidget(m_recent);
  column->addSpacing(12);
  m_cases = new CasesPanel(drg::planning::CaseLibrary::defaultPath(), this);
  m_cases->setMinimumHeight(220);
  column->addWidget(m_cases);
  auto* row = new QHBoxLayout();
  row->addStretch(1);
  row->addLayout(column, 3);
  row->addStretch(1);
  outer->addLayout(row);
  outer->addStretch(2);
  connect(demo, &QPushButton::clicked, this, &StartPage::demoRequested);
  connect(dicom, &QPushButton::clicked, this, &StartPage::dicomFolderRequested);
  connect(volume, &QPushButton::clicked, this, &StartPage::volumeFileRequested);
  connect(m_recent, &QListWidget::itemActivated, this,
          [this](QListWidgetItem* item) { emit recentStudyChosen(item->data(Qt::UserRole).toString()); });
  connect(m_cases, &CasesPanel::planChosen, this, &StartPage::casePlanChosen);
  connect(this, &StartPage::demoRequested, &loader, &CaseLoader::openDemo);
  connect(this, &StartPage::dicomFolderRequested, &loader, &CaseLoader::chooseDicomFolder);
  connect(this, &StartPage::volumeFileRequested, &loader, &CaseLoader::chooseVolumeFile);
  connect(this, &StartPage::recentStudyChosen, &loader, &CaseLoader::openRecent);
}

void StartPage::showRecentStudies(const std::vector<std::pair<QString, QString>>& studies)
{
  m_recent->clear();
  for (const auto& [path, title] : studies) {
    auto* item = new QListWidgetItem(QString("%1\n    %2").arg(title, path), m_recent);
    item->setData(Qt::UserRole, path);
    if (!QFileInfo::exists(path)) {
      item->setForeground(Qt::gray);
      item->setToolTip(tr("no longer there"));
    }
  }
  if (studies.empty()) {
    auto* none = new QListWidgetItem(tr("(none yet: studies you open are listed here)"), m_recent);
    none->setFlags(Qt::NoItemFlags);
  }
}
