#include "PainMapDialog.h"

#include "BodyChartWidget.h"

#include "drg/planning/CaseFile.h"

#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

#include <algorithm>
#include <set>

using namespace drg::planning;

namespace
{
enum Column
{
  Accept,
  Target,
  Score,
  Reason
};
} // namespace

PainMapDialog::PainMapDialog(const std::optional<PlanIndication>& start, int maxLeads, QWidget* parent)
  : QDialog(parent)
  , m_maxLeads(maxLeads)
{
  setObjectName("painMapDialog");
  setWindowTitle(tr("Targets from a pain map"));
  auto* layout = new QHBoxLayout(this);
  m_chart = new BodyChartWidget(m_bodyChart, this);
  layout->addWidget(m_chart, 2);
  auto* right = new QVBoxLayout();
  right->addWidget(new QLabel(tr("<b>Mark where it hurts</b>: click a region, drag to mark several; click a "
                                 "marked one to clear it."),
                              this));
  m_regions = new QLabel(this);
  m_regions->setWordWrap(true);
  right->addWidget(m_regions);
  right->addWidget(new QLabel(tr("<b>Suggested targets</b>, best first (tick the ones to plan):"), this));
  m_table = new QTableWidget(0, 4, this);
  m_table->setObjectName("targetSuggestions");
  m_table->setHorizontalHeaderLabels({ tr("Plan"), tr("Target"), tr("Score"), tr("Why") });
  m_table->horizontalHeader()->setSectionResizeMode(Reason, QHeaderView::Stretch);
  m_table->verticalHeader()->setVisible(false);
  m_table->setWordWrap(true);
  m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
  right->addWidget(m_table, 1);
  auto* note = new QLabel(tr("From a dermatome map and published DRG target guidance, unverified seed data "
                             "(sources in the report). The choice of levels is the physician's."),
                          this);
  note->setWordWrap(true);
  note->setStyleSheet("color: #555;");
  right->addWidget(note);
  m_count = new QLabel(this);
  right->addWidget(m_count);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
  m_ok = buttons->button(QDialogButtonBox::Ok);
  m_ok->setText(tr("Plan the ticked targets"));
  right->addWidget(buttons);
  layout->addLayout(right, 3);
  resize(1000, 560);
  connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  connect(m_chart, &BodyChartWidget::markedChanged, this, &PainMapDialog::suggest);
  connect(m_table, &QTableWidget::itemChanged, this, [this](QTableWidgetItem* item) {
    if (item->column() == Accept) {
      acceptedChanged();
    }
  });
  if (start) {
    m_chart->setMarked(start->painRegions); // (suggests)
    const QSignalBlocker quiet(m_table);
    for (int row = 0; row < m_table->rowCount(); ++row) {
      const auto& s = m_suggestions[static_cast<std::size_t>(row)];
      const bool accepted =
        std::any_of(start->targets.begin(), start->targets.end(),
                    [&](const AcceptedTarget& t) { return t.level == s.level && t.side == s.side; });
      m_table->item(row, Accept)->setCheckState(accepted ? Qt::Checked : Qt::Unchecked);
    }
  }
  suggest();
}

void PainMapDialog::suggest()
{
  // the ticks stay with their targets as the ranking changes
  std::set<std::string> ticked;
  for (int row = 0; row < m_table->rowCount(); ++row) {
    if (m_table->item(row, Accept)->checkState() == Qt::Checked) {
      ticked.insert(m_table->item(row, Target)->text().toStdString());
    }
  }
  QStringList names;
  for (const auto& id : m_chart->marked()) {
    if (const ChartRegion* r = m_bodyChart.region(id)) {
      names << QString::fromStdString(r->label + " (" + drg::imaging::sideName(r->side) + ")");
    }
  }
  m_regions->setText(names.isEmpty() ? tr("No region marked.") : tr("Marked: %1.").arg(names.join(", ")));
  m_suggestions = m_chart->marked().empty()
                    ? std::vector<TargetSuggestion>{}
                    : suggestTargets(PainMap{ m_chart->marked() }, m_bodyChart, m_guidance);
  const QSignalBlocker quiet(m_table);
  m_table->setRowCount(static_cast<int>(m_suggestions.size()));
  for (std::size_t i = 0; i < m_suggestions.size(); ++i) {
    const TargetSuggestion& s = m_suggestions[i];
    const int row = static_cast<int>(i);
    const std::string id = targetId(s.level, s.side);
    auto* accept = new QTableWidgetItem();
    accept->setFlags(s.plannable ? Qt::ItemIsUserCheckable | Qt::ItemIsEnabled : Qt::NoItemFlags);
    accept->setCheckState(ticked.count(id) && s.plannable ? Qt::Checked : Qt::Unchecked);
    m_table->setItem(row, Accept, accept);
    m_table->setItem(row, Target, new QTableWidgetItem(QString::fromStdString(id)));
    m_table->setItem(row, Score, new QTableWidgetItem(QString::number(s.score, 'f', 1)));
    auto* reason = new QTableWidgetItem(QString::fromStdString(
      (s.plannable ? std::string() : std::string("(a ganglion drgplan does not plan) ")) + s.reason));
    reason->setToolTip(QString::fromStdString(s.reason));
    m_table->setItem(row, Reason, reason);
  }
  m_table->resizeColumnsToContents();
  m_table->horizontalHeader()->setSectionResizeMode(Reason, QHeaderView::Stretch);
  m_table->resizeRowsToContents();
  acceptedChanged();
}

void PainMapDialog::acceptedChanged()
{
  int n = 0;
  for (int row = 0; row < m_table->rowCount(); ++row) {
    n += m_table->item(row, Accept)->checkState() == Qt::Checked ? 1 : 0;
  }
  m_count->setText(n > m_maxLeads ? tr("%1 ticked: a plan holds at most %2 leads").arg(n).arg(m_maxLeads)
                                  : tr("%1 of at most %2 ticked").arg(n).arg(m_maxLeads));
  m_ok->setEnabled(n >= 1 && n <= m_maxLeads);
}

PlanIndication PainMapDialog::indication() const
{
  PlanIndication out;
  out.painRegions = m_chart->marked();
  for (int row = 0; row < m_table->rowCount(); ++row) {
    if (m_table->item(row, Accept)->checkState() == Qt::Checked) {
      const TargetSuggestion& s = m_suggestions[static_cast<std::size_t>(row)];
      out.targets.push_back({ s.level, s.side, true, s.reason });
    }
  }
  out.acceptedAt = utcNow();
  return out;
}
