#include "AnatomyPanel.h"

#include <QHeaderView>

AnatomyPanel::AnatomyPanel(QWidget* parent)
  : QTreeWidget(parent)
{
  setHeaderLabels({ tr("Structure"), tr("Zone / view"), tr("Position (LPS mm)") });
  header()->setSectionResizeMode(QHeaderView::ResizeToContents);
  setMinimumWidth(200);
  connect(this, &QTreeWidget::itemClicked, this, [this](QTreeWidgetItem* item) {
    QVariant v = item->data(0, Qt::UserRole);
    if (v.isValid()) {
      QList<QVariant> p = v.toList();
      emit pointChosen(Eigen::Vector3d(p[0].toDouble(), p[1].toDouble(), p[2].toDouble()));
    }
  });
}

void AnatomyPanel::showCase(const LoadedCase& loaded)
{
  clear();
  if (loaded.anatomy.vertebrae.empty()) {
    new QTreeWidgetItem(this, { tr("No spine model for this image (the status bar says why)") });
    return;
  }
  auto point = [](const Eigen::Vector3d& p) { return QVariant(QList<QVariant>{ p.x(), p.y(), p.z() }); };
  auto text = [](const Eigen::Vector3d& p) {
    return QString("%1, %2, %3").arg(p.x(), 0, 'f', 1).arg(p.y(), 0, 'f', 1).arg(p.z(), 0, 'f', 1);
  };
  auto* vertebrae = new QTreeWidgetItem(this, { tr("Vertebrae") });
  for (const auto& v : loaded.anatomy.vertebrae) {
    auto* item = new QTreeWidgetItem(
      vertebrae, { QString::fromStdString(v.level), QString::fromStdString(v.visibility), text(v.centroid) });
    item->setData(0, Qt::UserRole, point(v.bodyCentre));
  }
  auto* ganglia = new QTreeWidgetItem(this, { tr("Dorsal root ganglia") });
  for (const auto& g : loaded.anatomy.ganglia) {
    auto* item =
      new QTreeWidgetItem(ganglia, { QString::fromStdString(g.level + "-" + drg::imaging::sideName(g.side)),
                                     QString::fromStdString(g.zone), text(g.centre) });
    item->setData(0, Qt::UserRole, point(g.centre));
  }
  expandAll();
}
