#include "TrialResultsDialog.h"

#include "drg/planning/CaseFile.h"

#include <QCheckBox>
#include <QDialogButtonBox>
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
