#pragma once
// Internal: the sections of the placement report, each drawn onto the pages in turn.

#include "LeadPictures.h"
#include "ReportPages.h"

#include "drg/report/PlacementReport.h"

#include <cstddef>

namespace drg::report
{

/// Page 1: the safety notice, who and what (the patient, or the pseudonym when de-identified), the
/// plan file and its SHA-256, the sign-off lines, one line per lead, the 3D overview when it fits.
void writeCoverPage(ReportPages& pages, const ReportInput& in);

/// When the plan has an indication or a trial behind it, a new page: the body chart with the painful
/// regions, the accepted targets and their reasons; a trial's results, or the trial a permanent plan
/// came from with every trial lead's outcome beside what was kept.
void writePatientPathPage(ReportPages& pages, const ReportInput& in);

/// A new page for lead `i`: its target, approach, needle, route, contacts, devices and length
/// budget, then its pictures.
void writeLeadPage(ReportPages& pages, const ReportInput& in, std::size_t i, const LeadPictures& pictures);

/// A new page: the generator's pocket, the findings, and how many device values are unverified.
void writeClosingPage(ReportPages& pages, const ReportInput& in);

} // namespace drg::report
