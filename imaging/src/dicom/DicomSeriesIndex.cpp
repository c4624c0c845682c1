#include "drg/imaging/DicomSeriesIndex.h"

#include "dicom/DicomCommon.h"
#include "ParallelFor.h"

#include "drg/imaging/Error.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcmetinf.h>
#include <dcmtk/dcmdata/dcsequen.h>
#include <dcmtk/dcmdata/dcuid.h>

#include <Eigen/Geometry>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>

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

namespace
{

/// Part 10 files carry "DICM" at offset 128; raw datasets usually start with a group 0008 tag.
bool looksLikeDicom(const fs::path& path)
{
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return false;
  }
  char head[132] = {};
  in.read(head, sizeof(head));
  std::streamsize n = in.gcount();
  if (n >= 132 && std::string(head + 128, 4) == "DICM") {
    return true;
  }
  return n >= 4 && ((head[0] == 0x08 && head[1] == 0x00) || (head[0] == 0x02 && head[1] == 0x00)) &&
         head[3] == 0x00;
}

/// Finds `components` under `root`, matching each name exactly or else without regard to case (a
/// DICOMDIR stores upper-case ISO 9660 names; copies of a CD often have lower-case ones).
std::optional<fs::path> resolveFileId(const fs::path& root, const std::vector<std::string>& components)
{
  fs::path at = root;
  std::error_code ec;
  for (const std::string& name : components) {
    fs::path exact = at / name;
    if (fs::exists(exact, ec)) {
      at = exact;
      continue;
    }
    std::optional<fs::path> match;
    for (fs::directory_iterator it(at, ec), end; !ec && it != end; it.increment(ec)) {
      const std::string candidate = it->path().filename().string();
      if (candidate.size() == name.size() &&
          std::equal(candidate.begin(), candidate.end(), name.begin(),
                     [](unsigned char a, unsigned char b) { return std::tolower(a) == std::tolower(b); })) {
        match = it->path();
        break;
      }
    }
    if (!match) {
      return std::nullopt;
    }
    at = *match;
  }
  return at;
}

/// The files a DICOMDIR references (in its record order, once each), or nullopt when `dicomdir`
/// cannot be read as one; problems with single records go to `warnings`.
std::optional<std::vector<fs::path>> filesOfDicomDir(const fs::path& dicomdir,
                                                     std::vector<std::string>& warnings)
{
  DcmFileFormat ff;
  if (ff.loadFile(dicomdir.c_str()).bad()) {
    return std::nullopt;
  }
  DcmSequenceOfItems* records = nullptr;
  if (ff.getDataset()->findAndGetSequence(DCM_DirectoryRecordSequence, records).bad() || records == nullptr) {
    return std::nullopt;
  }
  const fs::path root = dicomdir.parent_path().empty() ? fs::path(".") : dicomdir.parent_path();
  std::vector<fs::path> files;
  std::set<fs::path> seen;
  std::size_t missing = 0;
  std::size_t invalid = 0;
  std::string firstMissing;
  for (unsigned long n = 0; n < records->card(); ++n) {
    DcmItem* record = records->getItem(n);
    Uint16 inUse = 0xFFFF;
    if (record->findAndGetUint16(DCM_RecordInUseFlag, inUse).good() && inUse == 0) {
      continue; // a deleted record
    }
    OFString id;
    if (record->findAndGetOFStringArray(DCM_ReferencedFileID, id).bad() || id.empty()) {
      continue; // patient, study and series records reference no file
    }
    std::vector<std::string> components;
    std::stringstream parts(id.c_str());
    for (std::string part; std::getline(parts, part, '\\');) {
      components.push_back(part);
    }
    bool valid = !components.empty();
    for (const std::string& c : components) {
      valid = valid && !c.empty() && c != "." && c != ".." && c.find('/') == std::string::npos;
    }
    if (!valid) {
      ++invalid;
      continue;
    }
    std::optional<fs::path> file = resolveFileId(root, components);
    if (!file) {
      if (missing++ == 0) {
        firstMissing = id.c_str();
      }
      continue;
    }
    if (seen.insert(*file).second) {
      files.push_back(*file);
    }
  }
  if (missing > 0) {
    warnings.push_back("the DICOMDIR references " + std::to_string(missing) +
                       " file(s) that are not on the medium (first: " + firstMissing + ")");
  }
  if (invalid > 0) {
    warnings.push_back("ignored " + std::to_string(invalid) + " DICOMDIR record(s) with an invalid file ID");
  }
  return files;
}

bool isDicomDirFile(const fs::path& file)
{
  std::string lowerName = file.filename().string();
  std::transform(lowerName.begin(), lowerName.end(), lowerName.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  if (lowerName == "dicomdir") {
    return true;
  }
  if (!looksLikeDicom(file)) {
    return false;
  }
  DcmFileFormat ff;
  if (ff.loadFileUntilTag(file.c_str(), EXS_Unknown, EGL_noChange, DCM_MaxReadLength, ERM_autoDetect,
                          DCM_FileMetaInformationVersion)
        .bad()) {
    return false;
  }
  return dicom::text(*ff.getMetaInfo(), DCM_MediaStorageSOPClassUID) == UID_MediaStorageDirectoryStorage;
}

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

/// Geometry key of a frame: frames with equal keys can share a volume.
struct StackKey
{
  int rows = 0;
  int columns = 0;
  long spacing[2] = { 0, 0 };
  long orientation[6] = { 0, 0, 0, 0, 0, 0 };
  bool hasGeometry = false;
  bool operator<(const StackKey& o) const
  {
    return std::tie(rows, columns, spacing[0], spacing[1], orientation[0], orientation[1], orientation[2],
                    orientation[3], orientation[4], orientation[5], hasGeometry) <
           std::tie(o.rows, o.columns, o.spacing[0], o.spacing[1], o.orientation[0], o.orientation[1],
                    o.orientation[2], o.orientation[3], o.orientation[4], o.orientation[5], o.hasGeometry);
  }
};

std::string splitReason(const StackKey& a, const StackKey& b)
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

struct PendingSeries
{
  DicomSeriesInfo info;
  std::vector<StackKey> keys; // one per stack, same order
};

struct PendingStudy
{
  DicomStudyInfo info;
  std::map<std::string, PendingSeries> series;
  std::vector<std::string> order;
};

struct PendingPatient
{
  DicomPatientInfo info;
  std::map<std::string, PendingStudy> studies;
  std::vector<std::string> order;
};

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

DicomScan scanDicom(const fs::path& input, const ProgressCallback& progress)
{
  dicom::registerCodecs();
  std::error_code ec;
  if (!fs::exists(input, ec)) {
    throw Error(ErrorCode::Io, "'" + input.string() + "' does not exist");
  }
  std::vector<fs::path> files;
  std::vector<std::string> dicomdirWarnings;
  std::string source;
  fs::path root = input;
  if (fs::is_regular_file(input, ec) && isDicomDirFile(input)) {
    if (auto listed = filesOfDicomDir(input, dicomdirWarnings)) {
      files = std::move(*listed);
      source = "DICOMDIR";
    } else {
      // a damaged DICOMDIR is common on old CDs: the images beside it are still worth reading
      dicomdirWarnings.push_back(input.filename().string() +
                                 " could not be read as a DICOMDIR; its folder was scanned instead");
      root = input.parent_path().empty() ? fs::path(".") : input.parent_path();
    }
  }
  if (!source.empty()) {
    // files come from the DICOMDIR
  } else if (fs::is_directory(root, ec)) {
    source = "folder";
    for (fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, ec), end;
         it != end; it.increment(ec)) {
      if (ec) {
        break;
      }
      if (it->is_regular_file(ec)) {
        files.push_back(it->path());
      }
    }
    if (ec) {
      throw Error(ErrorCode::Io, "cannot list " + root.string() + ": " + ec.message());
    }
  } else if (fs::is_regular_file(root, ec)) {
    source = "file";
    files.push_back(root);
  } else {
    throw Error(ErrorCode::Io, "'" + input.string() + "' is neither a file nor a folder");
  }
  std::sort(files.begin(), files.end());

  DicomScan scan;
  scan.source = source;
  scan.warnings = std::move(dicomdirWarnings);
  std::map<std::string, PendingPatient> patients;
  std::vector<std::string> patientOrder;
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
      p.dicom = looksLikeDicom(file);
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
      DcmFileFormat& ff = *parsed.header;
      DcmDataset& d = *ff.getDataset();
      DcmMetaInfo& meta = *ff.getMetaInfo();
      std::string sopClass = dicom::text(d, DCM_SOPClassUID);
      if (sopClass.empty()) {
        sopClass = dicom::text(meta, DCM_MediaStorageSOPClassUID);
      }
      if (sopClass == UID_MediaStorageDirectoryStorage) {
        continue; // the DICOMDIR itself
      }
      int rows = dicom::integer(d, DCM_Rows, 0);
      int columns = dicom::integer(d, DCM_Columns, 0);
      DicomObjectKind kind = kindOf(sopClass, rows > 0 && columns > 0);

      std::string patientKey = dicom::text(d, DCM_PatientID) + "\x1f" + dicom::text(d, DCM_PatientName);
      auto [pit, newPatient] = patients.try_emplace(patientKey);
      if (newPatient) {
        patientOrder.push_back(patientKey);
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
      std::string seriesUid = dicom::text(d, DCM_SeriesInstanceUID);
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
        s.kind = kind;
      }
      PendingSeries& series = seit->second;
      ++series.info.objectCount;
      if (kind != DicomObjectKind::Image) {
        if (series.info.kind == DicomObjectKind::Image && kind != DicomObjectKind::Image) {
          series.info.warnings.push_back("series mixes images with " +
                                         std::string(dicomObjectKindName(kind)) + " objects");
        }
        continue;
      }
      std::string imageType = dicom::text(d, DCM_ImageType);
      if (imageType.find("LOCALIZER") != std::string::npos) {
        ++series.info.localizers;
        continue;
      }

      // frames: single-frame geometry, or per-frame functional groups of enhanced objects
      std::vector<dicom::FrameGeometry> frames = dicom::frameGeometry(d);
      // Siemens mosaic: one stored image holds a grid of slices (tiles)
      int mosaicTiles = 0;
      int mosaicPerRow = 0;
      if (imageType.find("MOSAIC") != std::string::npos && frames.size() == 1) {
        mosaicTiles = dicom::integer(d, DcmTagKey(0x0019, 0x100A), 0);
        if (mosaicTiles > 1) {
          mosaicPerRow = static_cast<int>(std::ceil(std::sqrt(static_cast<double>(mosaicTiles))));
          if (rows % mosaicPerRow != 0 || columns % mosaicPerRow != 0) {
            series.info.warnings.push_back(file.filename().string() +
                                           ": mosaic grid does not divide the image; read as one slice");
            mosaicTiles = 0;
            mosaicPerRow = 0;
          }
        }
      }
      if (mosaicPerRow > 0) {
        const dicom::FrameGeometry top = frames.front();
        int tileRows = rows / mosaicPerRow;
        int tileColumns = columns / mosaicPerRow;
        auto spacingBetween = dicom::numbers(d, DCM_SpacingBetweenSlices);
        auto thickness = dicom::numbers(d, DCM_SliceThickness);
        double step = !spacingBetween.empty() ? spacingBetween[0] : !thickness.empty() ? thickness[0] : 1.0;
        Eigen::Vector3d normal = top.rowDirection.cross(top.columnDirection);
        // the stored position is the mosaic's corner; the first tile's corner is offset by half the
        // difference between mosaic and tile sizes (Siemens convention, as dcm2niix and nibabel do)
        Eigen::Vector3d first = top.position +
                                top.rowDirection * (top.pixelSpacing[1] * (columns - tileColumns) / 2.0) +
                                top.columnDirection * (top.pixelSpacing[0] * (rows - tileRows) / 2.0);
        frames.assign(static_cast<std::size_t>(mosaicTiles), top);
        for (int t = 0; t < mosaicTiles; ++t) {
          frames[static_cast<std::size_t>(t)].position = first + normal * (step * t);
        }
        rows = tileRows;
        columns = tileColumns;
      }
      if (frames.empty()) {
        series.info.warnings.push_back(file.filename().string() + ": no frames");
        continue;
      }
      for (std::size_t f = 0; f < frames.size(); ++f) {
        const dicom::FrameGeometry& fg = frames[f];
        StackKey key;
        key.rows = rows;
        key.columns = columns;
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
          stack.rows = rows;
          stack.columns = columns;
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
          stack.multiFrame = frames.size() > 1 && mosaicPerRow == 0;
          stack.mosaicTilesPerRow = mosaicPerRow;
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
  }
  for (const auto& pk : patientOrder) {
    PendingPatient& p = patients[pk];
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
    scan.patients.push_back(std::move(p.info));
  }
  if (progress) {
    progress(1.0);
  }
  return scan;
}

} // namespace drg::imaging
