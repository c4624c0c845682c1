#pragma once

#include "LoadedCase.h"

#include <QTreeWidget>

#include <Eigen/Core>

/// The anatomy list: the case's vertebrae and dorsal root ganglia with their zone and position
/// (LPS mm); a click on one goes there.
class AnatomyPanel : public QTreeWidget
{
  Q_OBJECT

public:
  explicit AnatomyPanel(QWidget* parent);
  /// Lists the anatomy of `loaded` (or says there is no spine model).
  void showCase(const LoadedCase& loaded);

signals:
  /// A structure was clicked: its centre (LPS mm).
  void pointChosen(const Eigen::Vector3d& lps);
};
