#pragma once

#include "drg/imaging/ProgressCallback.h"

#include <Eigen/Core>

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

namespace drg::imaging
{

/// One image frame of a stack: a single-frame file, or one frame of a multi-frame object.
struct DicomFrameRef
{
  std::filesystem::path file;
  int frame = 0; ///< frame index within the file (0 for single-frame), or tile of a mosaic
  Eigen::Vector3d position{ 0, 0, 0 }; ///< Image Position (Patient), LPS mm
  bool hasPosition = false;
  double rescaleSlope = 1.0;
  double rescaleIntercept = 0.0;
  int instanceNumber = 0;
  int acquisitionNumber = 0;
};

/// Frames of one series that share orientation, matrix and pixel spacing, so they can form one
/// volume. A series whose frames differ in these is split into several stacks.
struct DicomStack
{
  std::string id; ///< series UID, plus ".2", ".3" ... for further stacks
  std::vector<DicomFrameRef> frames;
  int rows = 0;
  int columns = 0;
  Eigen::Vector2d pixelSpacing{ 1, 1 };       ///< between rows (along a column), between columns (mm)
  Eigen::Vector3d rowDirection{ 1, 0, 0 };    ///< direction of increasing column index (LPS)
  Eigen::Vector3d columnDirection{ 0, 1, 0 }; ///< direction of increasing row index (LPS)
  bool hasGeometry = false;
  std::string transferSyntaxUid;
  std::string transferSyntaxName;
  int bitsAllocated = 16;
  int bitsStored = 16;
  bool isSigned = false; ///< Pixel Representation 1
  std::string photometric;
  bool multiFrame = false;
  int mosaicTilesPerRow = 0; ///< Siemens mosaic: tiles per row of the stored image (0: not a mosaic)
  std::string splitReason;   ///< why this stack is separate from the first one of the series
};

/// Kind of a stored object, for listing what is not an image volume.
enum class DicomObjectKind
{
  Image,
  StructuredReport,
  Segmentation,
  EncapsulatedPdf,
  Other
};

const char* dicomObjectKindName(DicomObjectKind kind) noexcept;

struct DicomSeriesInfo
{
  std::string seriesUid;
  std::string modality;
  std::string description;
  std::string seriesNumber;
  std::string frameOfReferenceUid;
  std::string patientPosition; ///< Patient Position (0018,5100), e.g. "HFS"; empty when not given
  DicomObjectKind kind = DicomObjectKind::Image;
  std::size_t objectCount = 0; ///< files of this series
  std::size_t localizers = 0;  ///< localizer images left out of the stacks
  std::vector<DicomStack> stacks;
  std::vector<std::string> warnings;
};

struct DicomStudyInfo
{
  std::string studyUid;
  std::string date;
  std::string description;
  std::string accessionNumber;
  std::vector<DicomSeriesInfo> series;
};

struct DicomPatientInfo
{
  std::string id;
  std::string name;
  std::string birthDate;
  std::string sex;
  std::vector<DicomStudyInfo> studies;
};

/// What a folder (or a single file, or a DICOMDIR) holds: patient -> study -> series -> stacks.
struct DicomScan
{
  std::vector<DicomPatientInfo> patients;
  std::size_t filesSeen = 0;
  std::size_t dicomFiles = 0;
  std::size_t nonDicomSkipped = 0;   ///< files that are not DICOM
  std::size_t unreadableSkipped = 0; ///< DICOM-looking files that could not be parsed
  std::vector<std::string> warnings;
  std::string source; ///< what was read: "folder", "file" or "DICOMDIR" (its records)

  /// Every image stack in the scan, in patient/study/series order.
  std::vector<const DicomStack*> imageStacks() const;
  /// The series holding stack `id` (nullptr when unknown).
  const DicomSeriesInfo* seriesOfStack(const std::string& id) const;
  /// Where series `uid` is: its patient, study and series (all nullptr when it is not in the scan).
  struct Place
  {
    const DicomPatientInfo* patient = nullptr;
    const DicomStudyInfo* study = nullptr;
    const DicomSeriesInfo* series = nullptr;
  };
  Place findSeries(const std::string& uid) const;
  /// The files of series `uid`'s first stack (the one a volume is loaded from), in slice order, each
  /// once; empty when the series is not in the scan.
  std::vector<std::filesystem::path> seriesFiles(const std::string& uid) const;
};

/// Scans `input` (a folder, recursively; a single file; or a DICOMDIR, whose records name the files to
/// read, matched without regard to case; a DICOMDIR that cannot be read makes its folder be scanned)
/// reading headers only (parsing stops before the pixel data). Never modifies the input.
/// Throws drg::Error(Io) when the input does not exist or cannot be read.
DicomScan scanDicom(const std::filesystem::path& input, const ProgressCallback& progress = {});

} // namespace drg::imaging
