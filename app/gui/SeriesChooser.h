#pragma once

#include "drg/imaging/DicomSeriesIndex.h"

#include <QDialog>

class QListWidget;
class QLabel;

/// Lists the image series of a scan with a thumbnail of each (its middle image), the matrix,
/// spacing, orientation and the importer's warnings; the user picks one to load.
class SeriesChooser : public QDialog
{
  Q_OBJECT

public:
  SeriesChooser(const drg::imaging::DicomScan& scan, QWidget* parent = nullptr);

  /// Id of the chosen stack (empty when cancelled).
  QString chosenStack() const;

private:
  QListWidget* m_list = nullptr;
  QLabel* m_details = nullptr;
};
