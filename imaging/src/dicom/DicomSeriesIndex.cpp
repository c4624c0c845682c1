// What a DICOM folder, file or DICOMDIR holds: the scan (headers only) and its queries.
#include "drg/imaging/DicomSeriesIndex.h"

#include "ParallelFor.h"
#include "dicom/DicomCommon.h"
#include "dicom/DicomInputFiles.h"
#include "dicom/DicomSeriesGrouper.h"

#include "drg/imaging/Error.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>

#include <algorithm>
#include <memory>

namespace drg::imaging
{
namespace fs = std::filesystem;

const char* dicomObjectKindName(DicomObjectKind kind) noexcept
{
  switch (kind) {
    case DicomObjectKind::Image:
      return "image";
    case DicomObjectKind::StructuredReport:
      return "SR";
    case DicomObjectKind::Segmentation:
      return "SEG";
    case DicomObjectKind::EncapsulatedPdf:
      return "PDF";
    case DicomObjectKind::Other:
      return "other";
  }
  return "other";
}

std::vector<const DicomStack*> DicomScan::imageStacks() const
{
  std::vector<const DicomStack*> out;
  for (const auto& p : patients) {
    for (const auto& st : p.studies) {
      for (const auto& se : st.series) {
        if (se.kind == DicomObjectKind::Image) {
          for (const auto& stack : se.stacks) {
            out.push_back(&stack);
          }
        }
      }
    }
  }
  return out;
}

DicomScan::Place DicomScan::findSeries(const std::string& uid) const
{
  for (const auto& p : patients) {
    for (const auto& st : p.studies) {
      for (const auto& se : st.series) {
        if (se.seriesUid == uid) {
          return { &p, &st, &se };
        }
      }
    }
  }
  return {};
}

std::vector<std::filesystem::path> DicomScan::seriesFiles(const std::string& uid) const
{
  std::vector<std::filesystem::path> files;
  const Place at = findSeries(uid);
  if (at.series != nullptr && !at.series->stacks.empty()) {
    for (const DicomFrameRef& f : at.series->stacks.front().frames) {
      if (files.empty() || files.back() != f.file) {
        files.push_back(f.file);
      }
    }
  }
  return files;
}

const DicomSeriesInfo* DicomScan::seriesOfStack(const std::string& id) const
{
  for (const auto& p : patients) {
    for (const auto& st : p.studies) {
      for (const auto& se : st.series) {
        for (const auto& stack : se.stacks) {
          if (stack.id == id) {
            return &se;
          }
        }
      }
    }
  }
  return nullptr;
}

DicomScan scanDicom(const fs::path& input, const ProgressCallback& progress)
{
  dicom::registerCodecs();
  dicom::DicomInputFiles in = dicom::listDicomInput(input);
  const std::vector<fs::path>& files = in.files;

  DicomScan scan;
  scan.source = in.source;
  scan.warnings = std::move(in.warnings);
  dicom::DicomSeriesGrouper grouper;
  // headers are parsed in parallel, a chunk at a time (bounded memory), then grouped in file order
  constexpr std::size_t kChunk = 256;
  struct Parsed
  {
    bool dicom = false;
    std::unique_ptr<DcmFileFormat> header;
    std::string error;
  };
  std::vector<Parsed> chunk;
  for (std::size_t first = 0; first < files.size(); first += kChunk) {
    std::size_t count = std::min(kChunk, files.size() - first);
    chunk.clear();
    chunk.resize(count);
    parallelFor(count, [&](std::size_t i) {
      const fs::path& file = files[first + i];
      Parsed& p = chunk[i];
      p.dicom = dicom::looksLikeDicom(file);
      if (!p.dicom) {
        return;
      }
      auto ff = std::make_unique<DcmFileFormat>();
      OFCondition st = ff->loadFileUntilTag(file.c_str(), EXS_Unknown, EGL_noChange, DCM_MaxReadLength,
                                            ERM_autoDetect, DCM_PixelData);
      if (st.bad()) {
        p.error = st.text();
      } else {
        p.header = std::move(ff);
      }
    });
    if (progress && !progress(static_cast<double>(first + count) / static_cast<double>(files.size()))) {
      throw Error(ErrorCode::Cancelled, "scan cancelled");
    }
    for (std::size_t n = first; n < first + count; ++n) {
      const fs::path& file = files[n];
      Parsed& parsed = chunk[n - first];
      ++scan.filesSeen;
      if (!parsed.dicom) {
        ++scan.nonDicomSkipped;
        continue;
      }
      if (!parsed.header) {
        ++scan.unreadableSkipped;
        scan.warnings.push_back("skipped unreadable DICOM file " + file.filename().string() + ": " +
                                parsed.error);
        continue;
      }
      ++scan.dicomFiles;
      grouper.add(file, *parsed.header);
    }
  }
  scan.patients = grouper.finish();
  if (progress) {
    progress(1.0);
  }
  return scan;
}

} // namespace drg::imaging
