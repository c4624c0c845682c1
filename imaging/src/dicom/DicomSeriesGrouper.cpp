// Groups a scan's objects into patients, studies, series and stacks.
#include "dicom/DicomSeriesGrouper.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcmetinf.h>
#include <dcmtk/dcmdata/dcuid.h>

#include <Eigen/Geometry>

#include <algorithm>
#include <cmath>
#include <tuple>

namespace drg::imaging::dicom
{
namespace fs = std::filesystem;

namespace
{

DicomObjectKind kindOf(const std::string& sopClass, bool hasImageMatrix)
{
  if (sopClass.rfind("1.2.840.10008.5.1.4.1.1.88.", 0) == 0) {
    return DicomObjectKind::StructuredReport;
  }
  if (sopClass == UID_SegmentationStorage) {
    return DicomObjectKind::Segmentation;
  }
  if (sopClass == UID_EncapsulatedPDFStorage) {
    return DicomObjectKind::EncapsulatedPdf;
  }
  if (sopClass == UID_MediaStorageDirectoryStorage) {
    return DicomObjectKind::Other;
  }
  return hasImageMatrix ? DicomObjectKind::Image : DicomObjectKind::Other;
}

/// A stack whose positions repeat and whose frames carry several acquisition numbers holds several
/// acquisitions of the same volume (e.g. before and after contrast): one stack per acquisition.
void splitRepeatedAcquisitions(DicomSeriesInfo& series)
{
  std::vector<DicomStack> result;
  for (auto& stack : series.stacks) {
    Eigen::Vector3d normal = stack.rowDirection.cross(stack.columnDirection);
    std::map<long, int> positions;
    bool repeats = false;
    std::map<int, std::vector<DicomFrameRef>> byAcquisition;
    for (const auto& f : stack.frames) {
      repeats = repeats || (f.hasPosition && ++positions[std::lround(f.position.dot(normal) * 100.0)] > 1);
      byAcquisition[f.acquisitionNumber].push_back(f);
    }
    if (!repeats || byAcquisition.size() < 2) {
      result.push_back(std::move(stack));
      continue;
    }
    for (auto& [number, frames] : byAcquisition) {
      DicomStack part = stack;
      part.frames = std::move(frames);
      part.id = stack.id + ".acq" + std::to_string(number);
      part.splitReason = "acquisition " + std::to_string(number) + " repeats the positions of another";
      result.push_back(std::move(part));
    }
  }
  series.stacks = std::move(result);
}

} // namespace

bool DicomSeriesGrouper::StackKey::operator<(const StackKey& o) const
{
  return std::tie(rows, columns, spacing[0], spacing[1], orientation[0], orientation[1], orientation[2],
                  orientation[3], orientation[4], orientation[5], hasGeometry) <
         std::tie(o.rows, o.columns, o.spacing[0], o.spacing[1], o.orientation[0], o.orientation[1],
                  o.orientation[2], o.orientation[3], o.orientation[4], o.orientation[5], o.hasGeometry);
}

std::string DicomSeriesGrouper::splitReason(const StackKey& a, const StackKey& b)
{
  if (a.rows != b.rows || a.columns != b.columns) {
    return "image size differs (" + std::to_string(b.columns) + " x " + std::to_string(b.rows) + " vs " +
           std::to_string(a.columns) + " x " + std::to_string(a.rows) + ")";
  }
  if (a.spacing[0] != b.spacing[0] || a.spacing[1] != b.spacing[1]) {
    return "pixel spacing differs";
  }
  return "orientation differs";
}

void DicomSeriesGrouper::add(const fs::path& file, DcmFileFormat& ff)
{
  DcmDataset& d = *ff.getDataset();
  DcmMetaInfo& meta = *ff.getMetaInfo();
  std::string sopClass = dicom::text(d, DCM_SOPClassUID);
  if (sopClass.empty()) {
    sopClass = dicom::text(meta, DCM_MediaStorageSOPClassUID);
  }
  if (sopClass == UID_MediaStorageDirectoryStorage) {
    return; // the DICOMDIR itself
  }
  int rows = dicom::integer(d, DCM_Rows, 0);
  int columns = dicom::integer(d, DCM_Columns, 0);
  DicomObjectKind kind = kindOf(sopClass, rows > 0 && columns > 0);

  std::string seriesUid;
  PendingSeries& series = seriesOf(file, d, kind, seriesUid);
  ++series.info.objectCount;
  if (kind != DicomObjectKind::Image) {
    if (series.info.kind == DicomObjectKind::Image && kind != DicomObjectKind::Image) {
      series.info.warnings.push_back("series mixes images with " + std::string(dicomObjectKindName(kind)) +
                                     " objects");
    }
    return;
  }
  std::string imageType = dicom::text(d, DCM_ImageType);
  if (imageType.find("LOCALIZER") != std::string::npos) {
    ++series.info.localizers;
    return;
  }

  // frames: single-frame geometry, or per-frame functional groups of enhanced objects
  Matrix m;
  m.frames = dicom::frameGeometry(d);
  m.rows = rows;
  m.columns = columns;
  expandMosaic(file, d, imageType, m, series.info);
  if (m.frames.empty()) {
    series.info.warnings.push_back(file.filename().string() + ": no frames");
    return;
  }
  addFrames(file, d, meta, seriesUid, m, series);
}

DicomSeriesGrouper::PendingSeries& DicomSeriesGrouper::seriesOf(const fs::path& file, DcmDataset& d,
                                                                DicomObjectKind kind, std::string& seriesUid)
{
  std::string patientKey = dicom::text(d, DCM_PatientID) + "\x1f" + dicom::text(d, DCM_PatientName);
  auto [pit, newPatient] = m_patients.try_emplace(patientKey);
  if (newPatient) {
    m_patientOrder.push_back(patientKey);
    pit->second.info.id = dicom::text(d, DCM_PatientID);
    pit->second.info.name = dicom::text(d, DCM_PatientName);
    pit->second.info.birthDate = dicom::text(d, DCM_PatientBirthDate);
    pit->second.info.sex = dicom::text(d, DCM_PatientSex);
  }
  PendingPatient& patient = pit->second;
  std::string studyUid = dicom::text(d, DCM_StudyInstanceUID);
  auto [sit, newStudy] = patient.studies.try_emplace(studyUid);
  if (newStudy) {
    patient.order.push_back(studyUid);
    sit->second.info.studyUid = studyUid;
    sit->second.info.date = dicom::text(d, DCM_StudyDate);
    sit->second.info.description = dicom::text(d, DCM_StudyDescription);
    sit->second.info.accessionNumber = dicom::text(d, DCM_AccessionNumber);
  }
  PendingStudy& study = sit->second;
  seriesUid = dicom::text(d, DCM_SeriesInstanceUID);
  if (seriesUid.empty()) {
    seriesUid = "(no series UID) " + file.parent_path().string();
  }
  auto [seit, newSeries] = study.series.try_emplace(seriesUid);
  if (newSeries) {
    study.order.push_back(seriesUid);
    DicomSeriesInfo& s = seit->second.info;
    s.seriesUid = seriesUid;
    s.modality = dicom::text(d, DCM_Modality);
    s.description = dicom::text(d, DCM_SeriesDescription);
    s.seriesNumber = dicom::text(d, DCM_SeriesNumber);
    s.frameOfReferenceUid = dicom::text(d, DCM_FrameOfReferenceUID);
    s.patientPosition = dicom::text(d, DCM_PatientPosition);
    s.kind = kind;
  }
  return seit->second;
}

void DicomSeriesGrouper::expandMosaic(const fs::path& file, DcmDataset& d, const std::string& imageType,
                                      Matrix& m, DicomSeriesInfo& series)
{
  // Siemens mosaic: one stored image holds a grid of slices (tiles)
  int mosaicTiles = 0;
  if (imageType.find("MOSAIC") != std::string::npos && m.frames.size() == 1) {
    mosaicTiles = dicom::integer(d, DcmTagKey(0x0019, 0x100A), 0);
    if (mosaicTiles > 1) {
      m.mosaicPerRow = static_cast<int>(std::ceil(std::sqrt(static_cast<double>(mosaicTiles))));
      if (m.rows % m.mosaicPerRow != 0 || m.columns % m.mosaicPerRow != 0) {
        series.warnings.push_back(file.filename().string() +
                                  ": mosaic grid does not divide the image; read as one slice");
        mosaicTiles = 0;
        m.mosaicPerRow = 0;
      }
    }
  }
  if (m.mosaicPerRow > 0) {
    const dicom::FrameGeometry top = m.frames.front();
    int tileRows = m.rows / m.mosaicPerRow;
    int tileColumns = m.columns / m.mosaicPerRow;
    auto spacingBetween = dicom::numbers(d, DCM_SpacingBetweenSlices);
    auto thickness = dicom::numbers(d, DCM_SliceThickness);
    double step = !spacingBetween.empty() ? spacingBetween[0] : !thickness.empty() ? thickness[0] : 1.0;
    Eigen::Vector3d normal = top.rowDirection.cross(top.columnDirection);
    // the stored position is the mosaic's corner; the first tile's corner is offset by half the
    // difference between mosaic and tile sizes (Siemens convention, as dcm2niix and nibabel do)
    Eigen::Vector3d first = top.position +
                            top.rowDirection * (top.pixelSpacing[1] * (m.columns - tileColumns) / 2.0) +
                            top.columnDirection * (top.pixelSpacing[0] * (m.rows - tileRows) / 2.0);
    m.frames.assign(static_cast<std::size_t>(mosaicTiles), top);
    for (int t = 0; t < mosaicTiles; ++t) {
      m.frames[static_cast<std::size_t>(t)].position = first + normal * (step * t);
    }
    m.rows = tileRows;
    m.columns = tileColumns;
  }
}

void DicomSeriesGrouper::addFrames(const fs::path& file, DcmDataset& d, DcmMetaInfo& meta,
                                   const std::string& seriesUid, const Matrix& m, PendingSeries& series)
{
  for (std::size_t f = 0; f < m.frames.size(); ++f) {
    const dicom::FrameGeometry& fg = m.frames[f];
    StackKey key;
    key.rows = m.rows;
    key.columns = m.columns;
    key.hasGeometry = fg.hasOrientation && fg.hasSpacing;
    for (int a = 0; a < 2; ++a) {
      key.spacing[a] = std::lround(fg.pixelSpacing[a] * 1000.0);
    }
    for (int a = 0; a < 3; ++a) {
      key.orientation[a] = std::lround(fg.rowDirection[a] * 1000.0);
      key.orientation[a + 3] = std::lround(fg.columnDirection[a] * 1000.0);
    }
    auto kit = std::find_if(series.keys.begin(), series.keys.end(),
                            [&](const StackKey& k) { return !(k < key) && !(key < k); });
    std::size_t stackIndex = static_cast<std::size_t>(kit - series.keys.begin());
    if (kit == series.keys.end()) {
      series.keys.push_back(key);
      DicomStack stack;
      stack.id = seriesUid + (stackIndex == 0 ? "" : "." + std::to_string(stackIndex + 1));
      stack.rows = m.rows;
      stack.columns = m.columns;
      stack.pixelSpacing = fg.pixelSpacing;
      stack.rowDirection = fg.rowDirection;
      stack.columnDirection = fg.columnDirection;
      stack.hasGeometry = key.hasGeometry;
      stack.transferSyntaxUid = dicom::text(meta, DCM_TransferSyntaxUID);
      stack.transferSyntaxName = dicom::transferSyntaxName(stack.transferSyntaxUid);
      stack.bitsAllocated = dicom::integer(d, DCM_BitsAllocated, 16);
      stack.bitsStored = dicom::integer(d, DCM_BitsStored, stack.bitsAllocated);
      stack.isSigned = dicom::integer(d, DCM_PixelRepresentation, 0) == 1;
      stack.photometric = dicom::text(d, DCM_PhotometricInterpretation);
      stack.multiFrame = m.frames.size() > 1 && m.mosaicPerRow == 0;
      stack.mosaicTilesPerRow = m.mosaicPerRow;
      if (stackIndex > 0) {
        stack.splitReason = splitReason(series.keys.front(), key);
      }
      series.info.stacks.push_back(stack);
    }
    DicomFrameRef ref;
    ref.file = file;
    ref.frame = static_cast<int>(f);
    ref.position = fg.position;
    ref.hasPosition = fg.hasPosition;
    ref.rescaleSlope = fg.rescaleSlope;
    ref.rescaleIntercept = fg.rescaleIntercept;
    ref.instanceNumber = dicom::integer(d, DCM_InstanceNumber, 0);
    ref.acquisitionNumber = dicom::integer(d, DCM_AcquisitionNumber, 0);
    series.info.stacks[stackIndex].frames.push_back(ref);
  }
}

std::vector<DicomPatientInfo> DicomSeriesGrouper::finish()
{
  std::vector<DicomPatientInfo> out;
  for (const auto& pk : m_patientOrder) {
    PendingPatient& p = m_patients[pk];
    for (const auto& sk : p.order) {
      PendingStudy& s = p.studies[sk];
      for (const auto& rk : s.order) {
        PendingSeries& r = s.series[rk];
        splitRepeatedAcquisitions(r.info);
        if (r.info.stacks.size() > 1) {
          r.info.warnings.push_back("series split into " + std::to_string(r.info.stacks.size()) +
                                    " stacks: " + r.info.stacks[1].splitReason);
        }
        s.info.series.push_back(std::move(r.info));
      }
      p.info.studies.push_back(std::move(s.info));
    }
    out.push_back(std::move(p.info));
  }
  m_patients.clear();
  m_patientOrder.clear();
  return out;
}

} // namespace drg::imaging::dicom
