#pragma once
// The CLI's drawing (QtGui slice sheets, VTK 3D views) lives in a module loaded only by commands
// that draw: the many libraries of Qt and VTK cost ~20 ms of start-up that `info` and `convert`
// should not pay.

#include "drg/imaging/Image.h"
#include "drg/imaging/SpineModel.h"
#include "drg/imaging/SpinePhantom.h"
#include "drg/planning/DeviceCatalog.h"
#include "drg/planning/LeadVerification.h"
#include "drg/planning/Plan.h"

#include <cstdint>
#include <string>
#include <vector>

namespace drg::cli
{

/// What `drgplan-cli report` hands the module to write the placement report.
struct ReportRequest
{
  std::string planFile;
  planning::Plan plan;
  const imaging::Image<float>* volume = nullptr;
  bool isCt = true;
  const imaging::SpineModel* model = nullptr;
  const planning::DeviceCatalog* catalog = nullptr;
  std::string patientName, patientId, birthDate, sex, studyDate, studyDescription, accessionNumber;
  std::string seriesDescription, modality;
  bool deidentify = false;
  std::string pseudonym;
  std::string planner, reviewer, softwareVersion;
  std::string pdf; ///< where to write it
};

/// What `drgplan-cli verify --pdf` hands the module to write the verification report.
struct VerifyReportRequest
{
  std::string planFile;
  planning::Plan plan;
  const planning::Verification* verification = nullptr;
  planning::VerifyRules rules;
  const imaging::Image<float>* planning = nullptr;
  const imaging::SpineModel* model = nullptr;
  std::string postopSource, postopSeries;
  bool migrationMeasured = false;
  std::string patientName, patientId;
  std::string softwareVersion;
  std::string pdf; ///< where to write it
};

/// Functions of the graphics module; errors are thrown as drg::Error.
struct GraphicsModule
{
  unsigned version; ///< kGraphicsModuleVersion of the module's build
  /// Orthogonal slices through the left L4 ganglion (or the grid centre), ganglia marked, as PNG.
  void (*phantomPreview)(const drg::imaging::PhantomCase& phantom, const std::string& png);
  /// Posterior oblique 3D view of a label map, as PNG (needs an X display).
  void (*spineOverview)(const drg::imaging::Image<std::uint8_t>& labels, const std::string& png);
  /// The placement report as PDF (with a 3D overview when an X display is there); returns the pages.
  int (*placementReport)(const ReportRequest& request);
  /// STL surfaces (each vertebra, ribs, ilia, skin, each lead) into `folder`; returns the files.
  std::vector<std::string> (*meshes)(const ReportRequest& request, const std::string& folder);
  /// The post-operative verification report as PDF; returns the pages.
  int (*verificationReport)(const VerifyReportRequest& request);
};

/// Bumped whenever GraphicsModule changes: a module from another build is refused.
constexpr unsigned kGraphicsModuleVersion = 4;

/// File name of the module, looked up beside the drgplan-cli executable.
constexpr const char* kGraphicsModuleFile = "drgplan-cli-graphics.so";

/// Loads the module on first use. Throws drg::Error(Unsupported) when it is missing or from
/// another build.
const GraphicsModule& graphics();

} // namespace drg::cli
