#pragma once
// The placement report: a PDF a planning team files and a surgeon reads before and during the case.
// QtGui only (QPdfWriter, QPainter): text is real text, pages are numbered.

#include "drg/imaging/Image.h"
#include "drg/imaging/SpineModel.h"
#include "drg/planning/DeviceCatalog.h"
#include "drg/planning/Plan.h"

#include <QImage>

#include <filesystem>
#include <string>

namespace drg::report
{

/// Who and what the report is about (from the DICOM study), or a pseudonym when de-identified.
struct ReportIdentity
{
  std::string patientName, patientId, birthDate, sex;
  std::string studyDate, studyDescription, accessionNumber;
  std::string seriesDescription, modality;
  /// No identity in the report: the pseudonym instead of the patient, and neither the study, the
  /// series description, the images' path nor the plan file's folder is printed.
  bool deidentified = false;
  std::string pseudonym;
};

struct ReportInput
{
  planning::Plan plan;
  std::string planFile;   ///< as given (its name is printed)
  std::string planSha256; ///< of the plan file's bytes
  ReportIdentity identity;
  std::string planner, reviewer; ///< sign-off names (empty: a line to sign)
  std::string softwareVersion;
  const imaging::Image<float>* volume = nullptr; ///< the planned images (slices; CT: radiographs)
  bool isCt = true;
  const imaging::SpineModel* model = nullptr;       ///< pedicles and ganglia drawn when given
  const planning::DeviceCatalog* catalog = nullptr; ///< device names, sizes, unverified values
  QImage overview3d;                                ///< the 3D overview (null: not available)
  std::string overviewNote;                         ///< why there is none, when there is none
};

/// Writes the report as an A4 PDF (atomically: a temporary beside it, then renamed). Throws
/// drg::Error(Io) when it cannot be written, drg::Error(InvalidArgument) for a plan without leads.
/// Returns the number of pages.
int writePlacementReportPdf(const ReportInput& input, const std::filesystem::path& pdf);

/// Fluoroscopy-like views of a lead: a digitally reconstructed radiograph of the CT (AP seen from
/// behind, as the surgeon sees a prone patient, or lateral from the patient's left; the projections
/// of drg/planning/FluoroProjection.h, in which the plan's needle angles are measured) showing the
/// target's vertebral body, the target and the whole needle from its skin entry, bone dark as on a
/// C-arm, with the lead, its contacts, the needle, the target and the pedicles of its level drawn on
/// it. `sizePx` square.
enum class FluoroView
{
  AP,
  Lateral
};
/// Where a fluoroscopy view puts an LPS point (pixels; its depth along the beam is ignored).
struct FluoroPixels
{
  Eigen::Vector3d topLeft{ 0, 0, 0 }, right{ 1, 0, 0 }, down{ 0, 0, -1 };
  double pxPerMmX = 1.0, pxPerMmY = 1.0;
  Eigen::Vector2d of(const Eigen::Vector3d& p) const
  {
    return { (p - topLeft).dot(right) * pxPerMmX, (p - topLeft).dot(down) * pxPerMmY };
  }
};
/// `pixels`, when given, receives where the view put the plan's points.
QImage fluoroscopyView(const imaging::Image<float>& ct, const planning::Plan& plan, std::size_t lead,
                       const imaging::SpineModel* model, FluoroView view, int sizePx = 520,
                       FluoroPixels* pixels = nullptr);

} // namespace drg::report
