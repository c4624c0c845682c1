#include "drg/imaging/DicomSeriesWriter.h"

#include "drg/imaging/DerivedUid.h"
#include "drg/imaging/Error.h"

#include "ParallelFor.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcuid.h>

#include <Eigen/Geometry>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

namespace drg::imaging
{
namespace
{

/// Decimal String value: at most 16 characters, no exponent for ordinary values.
std::string ds(double v)
{
  if (std::abs(v) < 5e-11) {
    v = 0.0;
  }
  char buf[32];
  for (int precision = 10; precision >= 1; --precision) {
    std::snprintf(buf, sizeof(buf), "%.*g", precision, v);
    if (std::string(buf).size() <= 16) {
      return buf;
    }
  }
  std::snprintf(buf, sizeof(buf), "%.6e", v);
  return buf;
}

std::string multi(std::initializer_list<double> values)
{
  std::string out;
  for (double v : values) {
    if (!out.empty()) {
      out += "\\";
    }
    out += ds(v);
  }
  return out;
}

void put(DcmDataset& d, const DcmTagKey& tag, const std::string& value)
{
  OFCondition c = d.putAndInsertString(tag, value.c_str());
  if (c.bad()) {
    throw Error(ErrorCode::Internal, std::string("cannot set DICOM attribute: ") + c.text());
  }
}

void putCommon(DcmDataset& d, const DicomSeriesDescription& s, const ImageGeometry& g)
{
  bool ct = s.modality == "CT";
  put(d, DCM_SpecificCharacterSet, "ISO_IR 100");
  put(d, DCM_SOPClassUID, ct ? UID_CTImageStorage : UID_MRImageStorage);
  std::string imageType;
  for (const auto& t : s.imageType) {
    imageType += (imageType.empty() ? "" : "\\") + t;
  }
  put(d, DCM_ImageType, imageType);
  put(d, DCM_StudyDate, s.studyDate);
  put(d, DCM_SeriesDate, s.studyDate);
  put(d, DCM_ContentDate, s.studyDate);
  put(d, DCM_StudyTime, s.studyTime);
  put(d, DCM_SeriesTime, s.studyTime);
  put(d, DCM_ContentTime, s.studyTime);
  put(d, DCM_AccessionNumber, s.accessionNumber);
  put(d, DCM_Modality, s.modality);
  put(d, DCM_Manufacturer, s.manufacturer);
  put(d, DCM_ReferringPhysicianName, "");
  put(d, DCM_StudyDescription, s.studyDescription);
  put(d, DCM_SeriesDescription, s.seriesDescription);
  put(d, DCM_ManufacturerModelName, s.modelName);
  put(d, DCM_PatientName, s.patientName);
  put(d, DCM_PatientID, s.patientId);
  put(d, DCM_PatientBirthDate, s.patientBirthDate);
  put(d, DCM_PatientSex, s.patientSex);
  put(d, DCM_BodyPartExamined, s.bodyPartExamined);
  put(d, DCM_SliceThickness, ds(g.spacing[2]));
  put(d, DCM_SoftwareVersions, s.softwareVersion);
  put(d, DCM_PatientPosition, s.patientPosition);
  put(d, DCM_StudyInstanceUID, s.studyInstanceUid);
  put(d, DCM_SeriesInstanceUID, s.seriesInstanceUid);
  put(d, DCM_StudyID, s.studyId);
  put(d, DCM_SeriesNumber, std::to_string(s.seriesNumber));
  put(d, DCM_AcquisitionNumber, "1");
  put(d, DCM_FrameOfReferenceUID, s.frameOfReferenceUid);
  put(d, DCM_PositionReferenceIndicator, "");
  const Eigen::Vector3d r = g.direction.col(0);
  const Eigen::Vector3d c = g.direction.col(1);
  put(d, DCM_ImageOrientationPatient, multi({ r.x(), r.y(), r.z(), c.x(), c.y(), c.z() }));
  put(d, DCM_SamplesPerPixel, "1");
  put(d, DCM_PhotometricInterpretation, "MONOCHROME2");
  put(d, DCM_Rows, std::to_string(g.size[1]));
  put(d, DCM_Columns, std::to_string(g.size[0]));
  // Pixel Spacing is row spacing (between rows, along j) then column spacing (along i)
  put(d, DCM_PixelSpacing, multi({ g.spacing[1], g.spacing[0] }));
  put(d, DCM_BitsAllocated, "16");
  put(d, DCM_BitsStored, std::to_string(s.bitsStored));
  put(d, DCM_HighBit, std::to_string(s.bitsStored - 1));
  put(d, DCM_PixelRepresentation, "0");
  if (!s.windows.empty()) {
    std::string centres;
    std::string widths;
    for (const auto& [centre, width] : s.windows) {
      centres += (centres.empty() ? "" : "\\") + ds(centre);
      widths += (widths.empty() ? "" : "\\") + ds(width);
    }
    put(d, DCM_WindowCenter, centres);
    put(d, DCM_WindowWidth, widths);
  }
  if (ct) {
    put(d, DCM_KVP, ds(s.kvp));
    put(d, DCM_RescaleIntercept, ds(s.rescaleIntercept));
    put(d, DCM_RescaleSlope, ds(s.rescaleSlope));
    put(d, DCM_RescaleType, "HU");
  } else {
    put(d, DCM_ScanningSequence, "SE");
    put(d, DCM_SequenceVariant, "SK");
    put(d, DCM_ScanOptions, s.fatSuppressed ? "FS" : "");
    put(d, DCM_MRAcquisitionType, "3D");
    put(d, DCM_RepetitionTime, ds(s.repetitionTimeMs));
    put(d, DCM_EchoTime, ds(s.echoTimeMs));
    put(d, DCM_EchoTrainLength, "64");
    put(d, DCM_MagneticFieldStrength, ds(s.magneticFieldStrengthT));
    put(d, DCM_SpacingBetweenSlices, ds(g.spacing[2]));
    if (s.rescaleSlope != 1.0 || s.rescaleIntercept != 0.0) {
      put(d, DCM_RescaleIntercept, ds(s.rescaleIntercept));
      put(d, DCM_RescaleSlope, ds(s.rescaleSlope));
      put(d, DCM_RescaleType, "US");
    }
  }
}

} // namespace

void writeDicomSeries(const Image<std::int16_t>& image, const DicomSeriesDescription& description,
                      const std::filesystem::path& dir)
{
  const ImageGeometry& g = image.geometry();
  if (description.modality != "CT" && description.modality != "MR") {
    throw Error(ErrorCode::Unsupported,
                "DICOM series writer supports CT and MR, not " + description.modality);
  }
  if (g.voxelCount() == 0) {
    throw Error(ErrorCode::InvalidArgument, "cannot write an empty image as DICOM");
  }
  if (description.rescaleSlope <= 0.0) {
    throw Error(ErrorCode::InvalidArgument, "rescale slope must be positive");
  }
  const double maxStored = std::ldexp(1.0, description.bitsStored) - 1.0;
  const std::size_t nx = g.size[0];
  const std::size_t ny = g.size[1];
  const std::size_t nz = g.size[2];
  const Eigen::Vector3d normal = g.direction.col(0).cross(g.direction.col(1));

  // one file per slice, written in parallel (DCMTK copies the buffer into each dataset)
  parallelFor(
    nz,
    [&](std::size_t k) {
      std::vector<Uint16> stored(nx * ny);
      const std::int16_t* src = image.voxels().data() + k * nx * ny;
      for (std::size_t n = 0; n < nx * ny; ++n) {
        double s = std::round((src[n] - description.rescaleIntercept) / description.rescaleSlope);
        if (s < 0.0 || s > maxStored) {
          throw Error(ErrorCode::InvalidArgument,
                      "value " + std::to_string(src[n]) + " in slice " + std::to_string(k) +
                        " does not fit the stored range of the series (check rescale and bits stored)");
        }
        stored[n] = static_cast<Uint16>(s);
      }
      DcmFileFormat file;
      DcmDataset& d = *file.getDataset();
      putCommon(d, description, g);
      std::string uid = derivedUid(description.sopInstanceUidKey + "/" + std::to_string(k));
      put(d, DCM_SOPInstanceUID, uid);
      put(d, DCM_InstanceNumber, std::to_string(k + 1));
      Eigen::Vector3d pos = g.indexToLps(Eigen::Vector3d(0.0, 0.0, static_cast<double>(k)));
      put(d, DCM_ImagePositionPatient, multi({ pos.x(), pos.y(), pos.z() }));
      put(d, DCM_SliceLocation, ds(pos.dot(normal)));
      OFCondition c =
        d.putAndInsertUint16Array(DCM_PixelData, stored.data(), static_cast<unsigned long>(stored.size()));
      if (c.bad()) {
        throw Error(ErrorCode::Internal, std::string("cannot set pixel data: ") + c.text());
      }
      char name[32];
      std::snprintf(name, sizeof(name), "IM%05zu.dcm", k + 1);
      std::filesystem::path path = dir / name;
      c = file.saveFile(path.c_str(), EXS_LittleEndianExplicit);
      if (c.bad()) {
        throw Error(ErrorCode::Io, "cannot write " + path.string() + ": " + c.text());
      }
    },
    {}, "cancelled", 4);
}

} // namespace drg::imaging
