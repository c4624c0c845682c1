#include "PlanPanel.h"

#include "LeadChoices.h"
#include "PlanOverlays.h"
#include "PlanSession.h"
#include "Prompts.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QSignalBlocker>
#include <QVBoxLayout>

#include <cmath>

PlanPanel::PlanPanel(const PlanSession& session, const Prompts& prompts, Edit edit, QWidget* parent)
  : QWidget(parent)
  , m_session(session)
  , m_prompts(prompts)
  , m_edit(std::move(edit))
{
  auto* planLayout = new QVBoxLayout(this);
  auto* addRow = new QHBoxLayout();
  m_target = new QComboBox(this);
  m_target->setObjectName("planTarget");
  m_target->setToolTip(tr("the ganglion the new lead targets (from the spine model)"));
  m_target->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
  m_target->setMinimumContentsLength(8);
  auto* add = new QPushButton(tr("Add lead"), this);
  add->setObjectName("addLead");
  m_leadName = new QLineEdit(this);
  m_leadName->setObjectName("leadName");
  m_leadName->setPlaceholderText(tr("name (default: the target)"));
  m_leadName->setToolTip(tr("the new lead's name, as the report and the OR will call it"));
  auto* retarget = new QPushButton(tr("Retarget"), this);
  retarget->setObjectName("retarget");
  retarget->setToolTip(tr("aim the selected lead at the ganglion chosen here (or clicked in a view)"));
  // (two rows: the panel stays usable at a third of a 1024-pixel screen)
  addRow->addWidget(m_leadName, 1);
  addRow->addWidget(m_target, 1);
  planLayout->addLayout(addRow);
  auto* buttonRow = new QHBoxLayout();
  buttonRow->addWidget(add);
  buttonRow->addWidget(retarget);
  buttonRow->addStretch(1);
  planLayout->addLayout(buttonRow);
  // the keyboard goes as the eye reads: name, target, Add lead, Retarget
  setTabOrder(m_leadName, m_target);
  setTabOrder(m_target, add);
  setTabOrder(add, retarget);
  auto* hint =
    new QLabel(tr("Target: pick it here or click a ganglion in a view, then add a lead or retarget "
                  "the selected one; the route is planned automatically."),
               this);
  hint->setWordWrap(true);
  planLayout->addWidget(hint);
  m_leads = new QListWidget(this);
  m_leads->setObjectName("leads");
  m_leads->setWordWrap(true);
  // (by pixel: a lead's entry is several lines; by item the list would hide the others to show one)
  m_leads->setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);
  planLayout->addWidget(m_leads, 2);
  auto* leadRow = new QHBoxLayout();
  auto* remove = new QPushButton(tr("Remove"), this);
  m_locked = new QCheckBox(tr("Locked"), this);
  m_locked->setObjectName("leadLocked");
  leadRow->addWidget(remove);
  leadRow->addWidget(m_locked);
  leadRow->addStretch(1);
  planLayout->addLayout(leadRow);
  m_choices = new LeadChoices(session, m_edit, this);
  planLayout->addWidget(m_choices);
  // a point of the selected lead (skin entry, epidural entry or target), typed exactly (LPS mm)
  auto* entryRow = new QHBoxLayout();
  m_entryPoint = new QComboBox(this);
  m_entryPoint->setObjectName("entryPoint");
  m_entryPoint->addItems({ tr("Skin entry"), tr("Epidural entry"), tr("Target") });
  m_entryPoint->setToolTip(tr("which point of the selected lead the coordinates (LPS mm) are"));
  entryRow->addWidget(m_entryPoint, 1);
  auto* pointRow = new QHBoxLayout(); // (the coordinates on a row of their own: narrow panels)
  for (int a = 0; a < 3; ++a) {
    m_entry[a] = new QDoubleSpinBox(this);
    m_entry[a]->setRange(-1000.0, 1000.0);
    m_entry[a]->setDecimals(1);
    m_entry[a]->setSpecialValueText(tr("none")); // (at the minimum: a point the lead does not have)
    m_entry[a]->setObjectName(QString("skinEntry%1").arg(a));
    pointRow->addWidget(m_entry[a], 1);
  }
  auto* moveEntry = new QPushButton(tr("Move"), this);
  moveEntry->setObjectName("moveSkinEntry");
  entryRow->addWidget(moveEntry);
  planLayout->addLayout(entryRow);
  planLayout->addLayout(pointRow);
  connect(moveEntry, &QPushButton::clicked, this, &PlanPanel::moveTypedPoint);
  connect(m_entryPoint, &QComboBox::currentIndexChanged, this, [this] {
    showTypedPoint();
    enableTypedPoint();
  });
  m_pocket = new QComboBox(this);
  m_pocket->addItems(
    { tr("No pocket"), tr("Buttock left"), tr("Buttock right"), tr("Abdomen left"), tr("Abdomen right") });
  planLayout->addWidget(m_pocket);
  planLayout->addWidget(new QLabel(tr("Findings"), this));
  m_findings = new QListWidget(this);
  m_findings->setObjectName("findings");
  m_findings->setWordWrap(true);
  m_findings->setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);
  planLayout->addWidget(m_findings, 3);

  connect(add, &QPushButton::clicked, this, &PlanPanel::addLead);
  connect(retarget, &QPushButton::clicked, this, &PlanPanel::retarget);
  connect(remove, &QPushButton::clicked, this, [this] {
    const int row = m_leads->currentRow();
    if (auto* editor = m_session.editor(); editor && row >= 0) {
      m_edit([&] { editor->removeLead(row); });
    }
  });
  connect(m_locked, &QCheckBox::clicked, this, [this](bool on) {
    const int row = m_leads->currentRow();
    if (auto* editor = m_session.editor(); editor && row >= 0) {
      m_edit([&] { editor->setLocked(row, on); });
    }
  });
  connect(m_leads, &QListWidget::currentRowChanged, this, [this](int row) {
    enableTypedPoint();
    m_choices->showLead(row);
    emit currentLeadChanged(row);
  });
  connect(m_pocket, &QComboBox::activated, this, &PlanPanel::setPocket);
  connect(m_findings, &QListWidget::itemClicked, this, [this](QListWidgetItem* item) {
    const auto* editor = m_session.editor();
    const int i = item->data(Qt::UserRole).toInt();
    if (!editor || i < 0 || i >= static_cast<int>(editor->plan().findings.size())) {
      return;
    }
    const auto& f = editor->plan().findings[static_cast<std::size_t>(i)];
    if (f.lead >= 0 && f.lead < m_leads->count()) {
      m_leads->setCurrentRow(f.lead);
    }
    if (const auto place = drg::planning::findingPlace(editor->plan(), f)) {
      emit placeChosen(*place);
    }
  });
  for (auto* box : m_entry) {
    box->setEnabled(false);
  }
}

void PlanPanel::addLead()
{
  auto* editor = m_session.editor();
  if (!editor || m_target->currentIndex() < 0) {
    return;
  }
  const QStringList t = m_target->currentText().split(' ');
  const auto side = t.value(1) == "left" ? drg::imaging::Side::Left : drg::imaging::Side::Right;
  const QString name =
    m_leadName->text().trimmed().isEmpty() ? m_target->currentText() : m_leadName->text().trimmed();
  m_edit([&] { editor->addLead(name.toStdString(), t.value(0).toStdString(), side); });
  m_leadName->clear();
  m_leads->setCurrentRow(m_leads->count() - 1); // the new lead is the one being worked on
}

void PlanPanel::retarget()
{
  auto* editor = m_session.editor();
  const int row = m_leads->currentRow();
  if (!editor || row < 0 || m_target->currentIndex() < 0) {
    m_prompts.status(tr("Select a lead to retarget (and a target)"), 4000);
    return;
  }
  const QStringList t = m_target->currentText().split(' ');
  const auto side = t.value(1) == "left" ? drg::imaging::Side::Left : drg::imaging::Side::Right;
  m_edit([&] { editor->setTarget(row, t.value(0).toStdString(), side); });
}

void PlanPanel::moveTypedPoint()
{
  auto* editor = m_session.editor();
  const int row = m_leads->currentRow();
  if (editor && row >= 0) {
    const Eigen::Vector3d p(m_entry[0]->value(), m_entry[1]->value(), m_entry[2]->value());
    m_edit([&] {
      switch (m_entryPoint->currentIndex()) {
        case 0:
          editor->moveSkinEntry(row, p);
          break;
        case 1:
          editor->moveEpiduralEntry(row, p);
          break;
        default:
          editor->setManualTarget(row, p);
      }
    });
  }
}

void PlanPanel::setPocket(int index)
{
  auto* editor = m_session.editor();
  if (!editor) {
    return;
  }
  using drg::planning::PocketSite;
  m_edit([&] {
    if (index == 0) {
      editor->removePocket();
    } else {
      editor->setPocket(index <= 2 ? PocketSite::Buttock : PocketSite::Abdomen,
                        index % 2 == 1 ? drg::imaging::Side::Left : drg::imaging::Side::Right);
    }
  });
}

void PlanPanel::setTargets(const std::vector<drg::imaging::DrgEstimate>& ganglia)
{
  m_target->clear();
  if (ganglia.empty()) {
    return;
  }
  for (const auto& g : ganglia) {
    m_target->addItem(QString::fromStdString(g.level + " " + drg::imaging::sideName(g.side)));
  }
  const int l5 = m_target->findText("L5 left");
  m_target->setCurrentIndex(l5 >= 0 ? l5 : 0);
}

void PlanPanel::pickTarget(const QString& name)
{
  const int at = m_target->findText(name);
  if (at >= 0) {
    m_target->setCurrentIndex(at);
    m_prompts.status(tr("Target %1: Add lead, or Retarget the selected lead").arg(m_target->currentText()),
                     6000);
  }
}

int PlanPanel::currentLead() const
{
  return m_leads->currentRow();
}

void PlanPanel::showLead(int row)
{
  const auto& l = m_session.editor()->plan().leads[static_cast<std::size_t>(row)];
  m_locked->setChecked(l.locked);
  m_choices->showLead(row);
  showTypedPoint();
}

void PlanPanel::showTypedPoint()
{
  const auto* editor = m_session.editor();
  const int row = m_leads->currentRow();
  if (!editor || row < 0 || row >= static_cast<int>(editor->plan().leads.size())) {
    for (auto* box : m_entry) {
      box->setValue(box->minimum()); // no lead: no point ("none")
    }
    return;
  }
  const auto& l = editor->plan().leads[static_cast<std::size_t>(row)];
  const Eigen::Vector3d& p = m_entryPoint->currentIndex() == 0   ? l.skinEntry
                             : m_entryPoint->currentIndex() == 1 ? l.epiduralEntry
                                                                 : l.target;
  // a lead that failed has no needle: its entries read "none", never a made-up 0, 0, 0
  const bool exists = l.planned || m_entryPoint->currentIndex() == 2;
  for (int a = 0; a < 3; ++a) {
    m_entry[a]->setValue(exists ? p[a] : m_entry[a]->minimum());
  }
}

void PlanPanel::showPlan(const drg::planning::Plan* plan)
{
  const int row = m_leads->currentRow();
  const QSignalBlocker quiet(m_leads); // rebuilding the list is no change of the selected lead
  m_leads->clear();
  m_findings->clear();
  if (plan) {
    for (std::size_t i = 0; i < plan->leads.size(); ++i) {
      const auto& l = plan->leads[i];
      const QColor c = PlanOverlays::leadColour(i);
      QString text = QString::fromStdString(l.name) + (l.locked ? tr("  [locked]") : QString());
      if (l.planned) {
        // the needle's angles as read on fluoroscopy ("?": not known)
        auto deg = [](double v) { return std::isnan(v) ? QString("?") : QString::number(v, 'f', 0); };
        text += tr("\n  %1, window %2, needle %3 mm, contacts %4 %, lead %5"
                   "\n  needle %6 deg to the skin, %7 to the lamina line (lateral), %8 medio-lateral (AP)")
                  .arg(QString::fromStdString(drg::planning::approachName(l.approach)),
                       QString::fromStdString(drg::planning::windowText(l)))
                  .arg(l.needleDepthMm, 0, 'f', 0)
                  .arg(l.coverage * 100.0, 0, 'f', 0)
                  .arg(l.budget.complete ? tr("%1 cm").arg(l.budget.leadCm + l.budget.extensionCm, 0, 'f', 0)
                                         : tr("length not budgeted (no pocket)"))
                  .arg(deg(l.needleToSkinDeg), deg(l.needleToLaminaLineDeg), deg(l.needleApMedioLateralDeg));
        // the skin entry as found on the prone patient
        if (const std::string where = drg::planning::entryLandmarksText(l.entryLandmarks); !where.empty()) {
          text += tr("\n  prone: %1").arg(QString::fromStdString(where));
        }
      } else {
        text += "\n  " + QString::fromStdString(l.problem);
      }
      auto* item = new QListWidgetItem(text, m_leads);
      item->setForeground(l.planned ? c.darker(160) : QColor(200, 0, 0));
      item->setToolTip(
        tr("Needle angles as read on fluoroscopy. To the skin: on the lateral image, between "
           "the needle and the skin line at the skin entry. To the lamina line: on the lateral "
           "image, between the needle and the dorsal wall of the canal (the lamina line) over "
           "the entry level. Medio-lateral: on the AP image, between the needle's shadow and "
           "the image's cranio-caudal axis."));
    }
    for (std::size_t i = 0; i < plan->findings.size(); ++i) {
      const auto& f = plan->findings[i];
      QString text = QString("%1: %2").arg(QString::fromStdString(drg::planning::severityName(f.severity)),
                                           QString::fromStdString(f.message));
      // the measure and its limit, where the finding has one ("(0.0, limit 0.0)" said nothing)
      if (!f.unit.empty()) {
        text += QString(" (%1 %2, limit %3)")
                  .arg(f.measured, 0, 'f', 1)
                  .arg(QString::fromStdString(f.unit))
                  .arg(f.threshold, 0, 'f', 1);
      }
      auto* item = new QListWidgetItem(text, m_findings);
      item->setData(Qt::UserRole, static_cast<int>(i));
      item->setToolTip(tr("Click: show where (its lead selected, the views moved there)"));
      item->setForeground(f.severity == drg::planning::Severity::Error     ? QColor(200, 0, 0)
                          : f.severity == drg::planning::Severity::Warning ? QColor(170, 110, 0)
                                                                           : QColor(60, 60, 60));
    }
    m_pocket->setCurrentIndex(!plan->pocket
                                ? 0
                                : (plan->pocket->site == drg::planning::PocketSite::Buttock ? 1 : 3) +
                                    (plan->pocket->side == drg::imaging::Side::Left ? 0 : 1));
  }
  if (row >= 0 && row < m_leads->count()) {
    m_leads->setCurrentRow(row);
    // the boxes follow every change of the plan (a drag, an undo): Move then applies only what is
    // typed, never an older position
    showLead(row);
  } else {
    m_choices->showLead(-1);
    showTypedPoint();
  }
  enableTypedPoint();
}

void PlanPanel::enableTypedPoint()
{
  // the typed point belongs to the selected lead; a lead that failed has no skin or epidural entry
  // to show or move (its target can be typed)
  const auto* editor = m_session.editor();
  const int row = m_leads->currentRow();
  const bool lead = editor && row >= 0 && row < static_cast<int>(editor->plan().leads.size());
  const bool planned = lead && editor->plan().leads[static_cast<std::size_t>(row)].planned;
  for (auto* box : m_entry) {
    box->setEnabled(lead && (planned || m_entryPoint->currentIndex() == 2));
  }
}
