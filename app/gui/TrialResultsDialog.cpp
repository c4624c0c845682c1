#include "TrialResultsDialog.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QSpinBox>
#include <QTableWidget>
#include <QVBoxLayout>

using namespace drg::planning;

namespace
{
enum Column
{
  Relief,
  Coverage,
  Contacts,
  Keep,
  Note
};
constexpr int kNotGiven = -1; ///< a spin box's special value: nothing entered
} // namespace

TrialResultsDialog::TrialResultsDialog(const Plan& plan, QWidget* parent)
  : QDialog(parent)
{
  setObjectName("trialResultsDialog");
  setWindowTitle(tr("Trial results"));
  auto* layout = new QVBoxLayout(this);
  const double success = PlanRules::builtIn().trialSuccessReliefPercent.value;
  layout->addWidget(new QLabel(tr("Each trial lead's outcome. Leads marked keep go into the permanent plan "
                                  "(usually those with at least %1 % relief).")
                                 .arg(success, 0, 'f', 0),
                               this));
  auto* whole = new QHBoxLayout();
  const drg::planning::TrialSummary now = plan.trialSummary.value_or(drg::planning::TrialSummary{});
  m_started = new QLineEdit(QString::fromStdString(now.started), this);
  m_started->setObjectName("trialStarted");
  m_ended = new QLineEdit(QString::fromStdString(now.ended), this);
  m_ended->setObjectName("trialEnded");
  for (QLineEdit* date : { m_started, m_ended }) {
    date->setPlaceholderText(tr("YYYY-MM-DD"));
    date->setMaximumWidth(110);
  }
  auto nrs = [this](int value) {
    auto* s = new QSpinBox(this);
    s->setRange(kNotGiven, 10);
    s->setSpecialValueText(tr("not given"));
    s->setValue(value);
    return s;
  };
  m_painBefore = nrs(now.painBefore);
  m_painDuring = nrs(now.painDuring);
  whole->addWidget(new QLabel(tr("Trial from"), this));
  whole->addWidget(m_started);
  whole->addWidget(new QLabel(tr("to"), this));
  whole->addWidget(m_ended);
  whole->addSpacing(16);
  whole->addWidget(new QLabel(tr("pain (0-10) before"), this));
  whole->addWidget(m_painBefore);
  whole->addWidget(new QLabel(tr("during"), this));
  whole->addWidget(m_painDuring);
  whole->addStretch(1);
  layout->addLayout(whole);
  m_table = new QTableWidget(static_cast<int>(plan.leads.size()), 5, this);
  m_table->setObjectName("trialResults");
  m_table->setHorizontalHeaderLabels(
    { tr("Relief %"), tr("Coverage % of the painful areas"), tr("Contacts used"), tr("Keep"), tr("Note") });
  m_table->horizontalHeader()->setSectionResizeMode(Note, QHeaderView::Stretch);
  for (std::size_t i = 0; i < plan.leads.size(); ++i) {
    const int row = static_cast<int>(i);
    const auto& r = plan.leads[i].trialResult;
    m_before.push_back(r);
    m_table->setVerticalHeaderItem(row, new QTableWidgetItem(QString::fromStdString(plan.leads[i].name)));
    auto spin = [&](int value) {
      auto* s = new QSpinBox(m_table);
      s->setRange(kNotGiven, 100);
      s->setSpecialValueText(tr("not given"));
      s->setValue(value);
      return s;
    };
    m_table->setCellWidget(row, Relief, spin(r ? static_cast<int>(r->reliefPercent + 0.5) : kNotGiven));
    m_table->setCellWidget(row, Coverage, spin(r ? r->coveragePercent : kNotGiven));
    auto* contacts = new QLineEdit(r ? QString::fromStdString(r->contactsUsed) : QString(), m_table);
    contacts->setPlaceholderText(tr("e.g. 2-3"));
    m_table->setCellWidget(row, Contacts, contacts);
    auto* keep = new QCheckBox(m_table);
    keep->setChecked(r && r->keep);
    m_table->setCellWidget(row, Keep, keep);
    auto* note = new QLineEdit(r ? QString::fromStdString(r->note) : QString(), m_table);
    note->setPlaceholderText(tr("no patient identity"));
    m_table->setCellWidget(row, Note, note);
  }
  m_table->resizeColumnsToContents();
  m_table->horizontalHeader()->setSectionResizeMode(Note, QHeaderView::Stretch);
  layout->addWidget(m_table);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
  layout->addWidget(buttons);
  connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  resize(820, 120 + 40 * static_cast<int>(plan.leads.size()));
}

std::vector<std::optional<TrialResult>> TrialResultsDialog::results() const
{
  std::vector<std::optional<TrialResult>> out;
  for (int row = 0; row < m_table->rowCount(); ++row) {
    const int relief = static_cast<QSpinBox*>(m_table->cellWidget(row, Relief))->value();
    if (relief == kNotGiven) {
      out.emplace_back();
      continue;
    }
    TrialResult r;
    r.reliefPercent = relief;
    r.coveragePercent = static_cast<QSpinBox*>(m_table->cellWidget(row, Coverage))->value();
    r.contactsUsed = static_cast<QLineEdit*>(m_table->cellWidget(row, Contacts))->text().toStdString();
    r.keep = static_cast<QCheckBox*>(m_table->cellWidget(row, Keep))->isChecked();
    r.note = static_cast<QLineEdit*>(m_table->cellWidget(row, Note))->text().toStdString();
    const auto& before = m_before[static_cast<std::size_t>(row)];
    // unchanged: entered when it was; else now
    r.enteredAt = before ? before->enteredAt : std::string();
    if (!before || !(r == *before)) {
      r.enteredAt = utcNow();
    }
    out.push_back(r);
  }
  return out;
}

std::optional<TrialSummary> TrialResultsDialog::summary() const
{
  TrialSummary s;
  s.started = m_started->text().trimmed().toStdString();
  s.ended = m_ended->text().trimmed().toStdString();
  s.painBefore = m_painBefore->value();
  s.painDuring = m_painDuring->value();
  if (s.started.empty() && s.ended.empty() && s.painBefore < 0 && s.painDuring < 0) {
    return std::nullopt;
  }
  return s;
}
