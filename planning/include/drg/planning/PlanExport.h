#pragma once
// Interchange formats of a plan for other tools: 3D Slicer markups (targets, needles, routes) and a
// CSV table of the leads. Qt-free, deterministic text.

#include "drg/imaging/DicomDocumentWriter.h"
#include "drg/planning/Plan.h"

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace drg::planning
{

/// 3D Slicer markups JSON (`.mrk.json`, LPS millimetres): the ganglion targets as one point list,
/// each planned lead's needle as a line (skin entry to epidural entry) and its epidural route as a
/// curve (epidural entry to the tip, about every 2 mm), and its contacts as a point list.
std::string planToSlicerMarkups(const Plan& plan);

/// One row per lead (a header row first): name, target level and side, target, skin and epidural
/// entries (LPS mm), needle angles, depth, route length, coverage, lead model and length, extension,
/// whether it was planned and why not. Comma-separated, text fields quoted.
std::string planToCsv(const Plan& plan);

/// The plan as the content of a DICOM Comprehensive 3D SR (imaging::writePlanSr): the planning-aid
/// statement; per lead a container with its name, target ganglion, approach, lead model, the target,
/// skin and epidural entries as 3D points, the needle path and route (about every 2 mm) as polylines,
/// the contacts as a multipoint, and the needle angles, depth, route length and coverage as numbers;
/// the pocket (site, generator centre, skin point, depth). drgplan's concepts are coded in the private
/// scheme "99DRGPLAN"; units in UCUM. `observer` is the planner's name (may be empty).
imaging::SrContent planToSrContent(const Plan& plan, const std::string& observer);

/// The DICOM objects a planning team files in the PACS, written into `folder`, each a new series in
/// the planned study (`seriesFiles`: the planned series' files, imaging::DicomScan::seriesFiles):
/// report.dcm (the report's PDF bytes as an Encapsulated PDF; skipped when `pdf` is empty), plan-sr.dcm
/// (planToSrContent as a Comprehensive 3D SR) and vertebrae-seg.dcm (the vertebrae of `labels`, the
/// spine model's label map, as a DICOM SEG; left out when no vertebra is labelled). Returns the files
/// written. Throws drg::Error as the
/// imaging writers do; InvalidArgument when `seriesFiles` is empty (the images are not DICOM).
std::vector<std::filesystem::path> writePlanDicomObjects(
  const Plan& plan, const std::string& planner, const imaging::Image<std::uint8_t>& labels,
  const std::vector<std::filesystem::path>& seriesFiles, const std::string& pdf,
  const std::filesystem::path& folder, const imaging::DicomDocumentOptions& options);

} // namespace drg::planning
