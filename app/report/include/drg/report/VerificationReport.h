#pragma once
// The post-operative verification report: where each implanted lead lies against its plan, on the
// planning images' AP and lateral radiographs with the planned and the found contacts, a table of
// deviations and a verdict per lead with the thresholds used. QtGui only (QPdfWriter, QPainter).
#include "drg/imaging/Image.h"
#include "drg/imaging/SpineModel.h"
#include "drg/planning/LeadVerification.h"
#include "drg/planning/Plan.h"
#include "drg/report/PlacementReport.h"

#include <filesystem>
#include <string>

namespace drg::report
{

struct VerificationReportInput
{
  planning::Plan plan;
  planning::Verification verification;
  planning::VerifyRules rules;
  std::string planFile;           ///< as given (its name is printed)
  std::string postopSource;       ///< the post-operative images as given
  std::string postopSeries;       ///< their series description and date, for a person to read
  bool migrationMeasured = false; ///< an earlier verification was given
  ReportIdentity identity;
  std::string softwareVersion;
  const imaging::Image<float>* planning = nullptr; ///< the plan's own CT (the radiographs)
  const imaging::SpineModel* model = nullptr;      ///< of the planning images (pedicles drawn)
};

/// Writes the report as an A4 PDF (atomically). Returns the number of pages.
int writeVerificationReportPdf(const VerificationReportInput& input, const std::filesystem::path& pdf);

} // namespace drg::report
