#pragma once

#include "drg/imaging/Image.h"

#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace drg::imaging
{

/// Identity and acquisition attributes of a single-frame CT or MR series.
struct DicomSeriesDescription
{
  std::string modality = "CT"; ///< "CT" (CT Image Storage) or "MR" (MR Image Storage)
  std::string patientName;
  std::string patientId;
  std::string patientBirthDate; ///< YYYYMMDD or empty
  std::string patientSex;       ///< M, F, O or empty
  std::string studyInstanceUid;
  std::string seriesInstanceUid;
  std::string frameOfReferenceUid;
  std::string sopInstanceUidKey; ///< each slice's SOP Instance UID is derived from key + index
  std::string studyDate;         ///< YYYYMMDD
  std::string studyTime;         ///< HHMMSS
  std::string studyId = "1";
  std::string accessionNumber;
  std::string studyDescription;
  std::string seriesDescription;
  int seriesNumber = 1;
  std::string patientPosition = "HFS";
  std::string bodyPartExamined = "LSPINE";
  std::string manufacturer = "drgplan";
  std::string modelName;
  std::string softwareVersion;
  std::vector<std::string> imageType = { "DERIVED", "PRIMARY", "AXIAL" };
  double rescaleIntercept = 0.0; ///< stored = (value - intercept) / slope
  double rescaleSlope = 1.0;
  int bitsStored = 16;
  std::vector<std::pair<double, double>> windows; ///< (centre, width) presets
  // MR only
  bool fatSuppressed = false;
  double repetitionTimeMs = 3000.0;
  double echoTimeMs = 100.0;
  double magneticFieldStrengthT = 1.5;
  // CT only
  double kvp = 120.0;
};

/// Writes `image` as one DICOM file per k-slice (IM00001.dcm ...; explicit VR little endian) into
/// `dir`, which must exist and be empty. Image Position/Orientation come from the image geometry:
/// the row direction is the i axis, the column direction the j axis. Values are real-world values
/// (HU for CT) and are stored as unsigned 16-bit through the rescale; a value that does not fit
/// throws drg::Error(InvalidArgument). Throws drg::Error(Io) when a file cannot be written.
void writeDicomSeries(const Image<std::int16_t>& image, const DicomSeriesDescription& description,
                      const std::filesystem::path& dir);

} // namespace drg::imaging
