#pragma once
// Internal: how a scan groups the objects it reads into patients, studies, series and stacks.

#include "dicom/DicomCommon.h"

#include "drg/imaging/DicomSeriesIndex.h"

#include <dcmtk/dcmdata/dcfilefo.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace drg::imaging::dicom
{

/// Groups object headers, handed in file order, by patient (ID and name), study UID and series UID;
/// within a series the image frames go into stacks of equal geometry (matrix, pixel spacing,
/// orientation). Localizers are counted and left out; Siemens mosaics become one frame per tile.
class DicomSeriesGrouper
{
public:
  /// Adds the header of one object read from `file`.
  void add(const std::filesystem::path& file, DcmFileFormat& header);
  /// The patients in the order first seen (studies and series likewise), each series' repeated
  /// acquisitions split into stacks of their own. Leaves the grouper empty.
  std::vector<DicomPatientInfo> finish();

private:
  /// Geometry key of a frame: frames with equal keys can share a volume.
  struct StackKey
  {
    int rows = 0;
    int columns = 0;
    long spacing[2] = { 0, 0 };
    long orientation[6] = { 0, 0, 0, 0, 0, 0 };
    bool hasGeometry = false;
    bool operator<(const StackKey& o) const;
  };

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

  /// The image matrix of an object: its frames, rows and columns (of one tile for a mosaic).
  struct Matrix
  {
    std::vector<FrameGeometry> frames;
    int rows = 0;
    int columns = 0;
    int mosaicPerRow = 0; ///< tiles per row of a Siemens mosaic (0: not a mosaic)
  };

  /// The series of dataset `d` (created, with its patient and study, when new); `seriesUid` is set.
  PendingSeries& seriesOf(const std::filesystem::path& file, DcmDataset& d, DicomObjectKind kind,
                          std::string& seriesUid);
  /// Expands a Siemens mosaic of `m` (one stored image holding a grid of slices) into its tiles.
  static void expandMosaic(const std::filesystem::path& file, DcmDataset& d, const std::string& imageType,
                           Matrix& m, DicomSeriesInfo& series);
  /// Adds the frames of `m` to the stacks of `series` (a stack for each new geometry).
  static void addFrames(const std::filesystem::path& file, DcmDataset& d, DcmMetaInfo& meta,
                        const std::string& seriesUid, const Matrix& m, PendingSeries& series);
  static std::string splitReason(const StackKey& a, const StackKey& b);

  std::map<std::string, PendingPatient> m_patients;
  std::vector<std::string> m_patientOrder;
};

} // namespace drg::imaging::dicom
