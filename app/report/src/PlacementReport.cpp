// The placement report as an A4 PDF: the pictures first, then the pages (twice, to number them).
#include "drg/report/PlacementReport.h"

#include "LeadPictures.h"
#include "ReportPages.h"
#include "ReportSections.h"
#include "ReportText.h"

#include "drg/imaging/AtomicOutput.h"
#include "drg/imaging/Error.h"

#include <QBuffer>
#include <QPageSize>
#include <QPdfWriter>

#include <string_view>
#include <vector>

namespace drg::report
{

int writePlacementReportPdf(const ReportInput& in, const std::filesystem::path& pdf)
{
  const planning::Plan& plan = in.plan;
  if (plan.leads.empty()) {
    throw Error(ErrorCode::InvalidArgument, "the plan has no leads: nothing to report");
  }
  // the pictures first (each once): per lead AP and lateral radiographs (CT), axial and sagittal slices
  const std::vector<LeadPictures> pictures = renderLeadPictures(in);
  int total = 0;
  const QByteArray bytes = numberedPdf(
    "drgplan placement report", q("drgplan " + in.softwareVersion), {},
    [&](ReportPages& pages) {
      writeCoverPage(pages, in);
      writePatientPathPage(pages, in);
      for (std::size_t i = 0; i < plan.leads.size(); ++i) {
        writeLeadPage(pages, in, i, pictures[i]);
      }
      writeClosingPage(pages, in);
    },
    total);
  imaging::writeFileAtomically(pdf,
                               std::string_view(bytes.constData(), static_cast<std::size_t>(bytes.size())));
  return total;
}

} // namespace drg::report
