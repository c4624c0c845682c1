#include "SeriesChooser.h"

#include "drg/imaging/DicomVolumeLoader.h"
#include "drg/imaging/OrthogonalSlicer.h"
#include "drg/report/SliceImages.h"

#include <QDialogButtonBox>
#include <QLabel>
#include <QListWidget>
#include <QVBoxLayout>

#include <Eigen/Geometry>

namespace
{

/// The stack's middle image, windowed automatically, as a 96-pixel icon (empty when undecodable).
QIcon thumbnail(const drg::imaging::DicomStack& stack)
{
  try {
    drg::imaging::DicomStack one = stack;
    one.frames = { stack.frames[stack.frames.size() / 2] };
    drg::imaging::LoadedVolume v = drg::imaging::loadDicomStack(one);
    const auto& g = v.volume.geometry();
    Eigen::Vector3d centre = g.indexToLps(Eigen::Vector3d(g.size[0] / 2.0, g.size[1] / 2.0, 0.0));
    Eigen::Vector3d n = g.direction.col(2).cwiseAbs();
    int axis = 0;
    n.maxCoeff(&axis);
    const drg::imaging::SlicePlane planes[] = { drg::imaging::SlicePlane::Sagittal,
                                                drg::imaging::SlicePlane::Coronal,
                                                drg::imaging::SlicePlane::Axial };
    drg::imaging::Slice s = drg::imaging::extractSlice(v.volume, planes[axis], centre);
    drg::report::WindowLevel window = drg::report::automaticWindow(s.values);
    window.inverted = v.invertedGreyscale;
    QImage img = drg::report::renderSlice(s, window);
    return QIcon(QPixmap::fromImage(img.scaled(96, 96, Qt::KeepAspectRatio, Qt::SmoothTransformation)));
  } catch (const std::exception&) {
    return {};
  }
}

} // namespace

SeriesChooser::SeriesChooser(const drg::imaging::DicomScan& scan, QWidget* parent)
  : QDialog(parent)
{
  setWindowTitle(tr("Choose a series"));
  auto* layout = new QVBoxLayout(this);
  m_list = new QListWidget(this);
  m_list->setIconSize(QSize(96, 96));
  m_list->setMinimumSize(640, 380);
  layout->addWidget(m_list);
  m_details = new QLabel(this);
  m_details->setWordWrap(true);
  layout->addWidget(m_details);
  for (const auto* stack : scan.imageStacks()) {
    const drg::imaging::DicomSeriesInfo* series = scan.seriesOfStack(stack->id);
    Eigen::Vector3d n = stack->rowDirection.cross(stack->columnDirection).cwiseAbs();
    int axis = 0;
    double m = n.maxCoeff(&axis);
    const char* names[] = { "sagittal", "coronal", "axial" };
    QString text = QString("%1  %2  %3\n%4 images, %5 x %6, %7 x %8 mm, %9, %10")
                     .arg(series ? QString::fromStdString(series->modality) : QString())
                     .arg(series ? QString::fromStdString(series->seriesNumber) : QString())
                     .arg(series ? QString::fromStdString(series->description) : QString())
                     .arg(stack->frames.size())
                     .arg(stack->columns)
                     .arg(stack->rows)
                     .arg(stack->pixelSpacing[1], 0, 'f', 3)
                     .arg(stack->pixelSpacing[0], 0, 'f', 3)
                     .arg(m > 0.995 ? names[axis] : "oblique")
                     .arg(QString::fromStdString(stack->transferSyntaxName));
    if (!stack->splitReason.empty()) {
      text += "\n" + tr("split from its series: %1").arg(QString::fromStdString(stack->splitReason));
    }
    const std::string problem = drg::imaging::stackGeometryProblem(*stack);
    if (!problem.empty()) {
      text += "\n" + tr("cannot be loaded: %1").arg(QString::fromStdString(problem)); // (why, not just grey)
    }
    auto* item = new QListWidgetItem(thumbnail(*stack), text, m_list);
    item->setData(Qt::UserRole, QString::fromStdString(stack->id));
    QStringList warnings;
    if (!problem.empty()) {
      warnings << QString::fromStdString(problem);
      item->setForeground(palette().color(QPalette::Disabled, QPalette::Text));
    }
    if (series) {
      for (const auto& w : series->warnings) {
        warnings << QString::fromStdString(w);
      }
    }
    item->setToolTip(warnings.join("\n"));
  }
  connect(m_list, &QListWidget::currentItemChanged, this, [this](QListWidgetItem* item) {
    m_details->setText(item && !item->toolTip().isEmpty() ? tr("Warnings: %1").arg(item->toolTip())
                                                          : QString());
  });
  m_list->setCurrentRow(0);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Open | QDialogButtonBox::Cancel, this);
  layout->addWidget(buttons);
  connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  connect(m_list, &QListWidget::itemDoubleClicked, this, &QDialog::accept);
}

QString SeriesChooser::chosenStack() const
{
  QListWidgetItem* item = m_list->currentItem();
  return item ? item->data(Qt::UserRole).toString() : QString();
}
