#pragma once
// Internal: the pictures of each lead in the report.

#include "drg/report/PlacementReport.h"

#include <QImage>

#include <vector>

namespace drg::report
{

/// The pictures of one lead: AP and lateral radiographs (CT only), axial and sagittal slices through
/// its target (null when not made).
struct LeadPictures
{
  QImage ap, lateral, axial, sagittal;
};

/// The pictures of every planned lead of `in.plan` (none without `in.volume`), each made once, one
/// task per picture on all cores (QImage painting is safe off the GUI thread). Rethrows a task's error.
std::vector<LeadPictures> renderLeadPictures(const ReportInput& in);

} // namespace drg::report
