#include "LeadChoices.h"

#include "PlanSession.h"

#include "drg/planning/PlanEditor.h"

#include <QComboBox>
#include <QGridLayout>
#include <QLabel>
#include <QSignalBlocker>

LeadChoices::LeadChoices(const PlanSession& session, Edit edit, QWidget* parent)
  : QWidget(parent)
  , m_session(session)
  , m_edit(std::move(edit))
{
  auto* grid = new QGridLayout(this);
  grid->setContentsMargins(0, 0, 0, 0);
  m_approach = new QComboBox(this);
  m_approach->setObjectName("leadApproach");
  m_approach->setToolTip(tr("the side the needle enters from: contralateral (the sheath crosses the "
                            "midline to the ganglion's side), ipsilateral, or sacral (S1 only)"));
  m_window = new QComboBox(this);
  m_window->setObjectName("leadEntryLevel");
  m_window->setToolTip(tr("the interlaminar window the needle enters by: the one below this vertebra"));
  m_sheath = new QComboBox(this);
  m_sheath->setObjectName("leadSheath");
  m_sheath->setToolTip(tr("the sheath whose curve steers the lead into the foramen; Auto: the planner "
                          "takes the widest curve that fits"));
  // (two rows, combos that may shrink: the panel stays usable when narrow)
  for (auto* box : { m_approach, m_window, m_sheath }) {
    box->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    box->setMinimumContentsLength(box == m_approach ? 13 : 4); // ("contralateral" in full)
  }
  grid->addWidget(new QLabel(tr("Approach"), this), 0, 0);
  grid->addWidget(m_approach, 0, 1);
  grid->addWidget(new QLabel(tr("window below"), this), 0, 2);
  grid->addWidget(m_window, 0, 3);
  grid->addWidget(new QLabel(tr("Sheath"), this), 1, 0);
  grid->addWidget(m_sheath, 1, 1, 1, 3);
  grid->setColumnStretch(1, 1);
  grid->setColumnStretch(3, 1);
  for (auto* box : { m_approach, m_window, m_sheath }) {
    connect(box, &QComboBox::activated, this, &LeadChoices::choose);
  }
  showLead(-1);
}

void LeadChoices::showLead(int row)
{
  const auto* editor = m_session.editor();
  const bool valid = editor && row >= 0 && row < static_cast<int>(editor->plan().leads.size());
  m_row = valid ? row : -1;
  const QSignalBlocker a(m_approach), w(m_window), s(m_sheath);
  m_approach->clear();
  m_window->clear();
  m_sheath->clear();
  for (auto* box : { m_approach, m_window, m_sheath }) {
    box->setEnabled(valid);
  }
  if (!valid) {
    return;
  }
  using drg::planning::Approach;
  const auto& lead = editor->plan().leads[static_cast<std::size_t>(row)];
  // the approaches open to this ganglion: S1's by the sacral route, the others by a window above it
  const std::vector<Approach> approaches =
    lead.targetLevel == "S1"
      ? std::vector<Approach>{ Approach::Sacral }
      : std::vector<Approach>{ Approach::ContralateralInterlaminar, Approach::IpsilateralInterlaminar };
  for (Approach ap : approaches) {
    m_approach->addItem(QString::fromLatin1(drg::planning::approachName(ap)), static_cast<int>(ap));
  }
  m_approach->setCurrentIndex(m_approach->findData(static_cast<int>(lead.approach)));
  // the windows: below each mobile vertebra of the image (not the sacrum's)
  for (const auto& v : editor->planner().anatomy().model().vertebrae) {
    if (v.level != "S1" && v.level != "sacrum") {
      m_window->addItem(QString::fromStdString(v.level));
    }
  }
  m_window->setCurrentIndex(m_window->findText(QString::fromStdString(lead.entryLevel)));
  m_sheath->addItem(tr("Auto"), QString());
  for (const auto& sheath : editor->planner().catalog().sheaths()) {
    m_sheath->addItem(QString::fromStdString(sheath.name), QString::fromStdString(sheath.id));
  }
  m_sheath->setCurrentIndex(m_sheath->findData(QString::fromStdString(lead.sheath)));
  if (lead.locked) { // a locked lead's technique is not changed (unlock it first)
    for (auto* box : { m_approach, m_window, m_sheath }) {
      box->setEnabled(false);
    }
  }
}

void LeadChoices::choose()
{
  auto* editor = m_session.editor();
  if (!editor || m_row < 0 || m_row >= static_cast<int>(editor->plan().leads.size())) {
    return;
  }
  const auto& lead = editor->plan().leads[static_cast<std::size_t>(m_row)];
  const auto approach = static_cast<drg::planning::Approach>(m_approach->currentData().toInt());
  const std::string window = m_window->currentText().toStdString();
  const std::string sheath = m_sheath->currentData().toString().toStdString();
  const int row = m_row;
  m_edit([&] {
    if (approach != lead.approach || window != lead.entryLevel) {
      editor->setApproach(row, approach, window);
    } else if (sheath != lead.sheath) {
      editor->setSheath(row, sheath);
    }
  });
}
