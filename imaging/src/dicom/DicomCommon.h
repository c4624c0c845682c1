#pragma once
// Internal DCMTK helpers shared by the scanner, the loader and the writers.

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcitem.h>

#include <Eigen/Core>

#include <string>
#include <vector>

namespace drg::imaging::dicom
{

/// Registers DCMTK's decoders (RLE, JPEG, JPEG-LS) once per process.
void registerCodecs();

/// Element value as text (all values joined with backslashes), trimmed; "" when absent.
std::string text(DcmItem& item, const DcmTagKey& tag);
/// First value as an integer, or `fallback`.
int integer(DcmItem& item, const DcmTagKey& tag, int fallback);
/// Values as doubles (empty when absent).
std::vector<double> numbers(DcmItem& item, const DcmTagKey& tag);

/// Readable name of a transfer syntax UID ("JPEG 2000 lossless", ...).
std::string transferSyntaxName(const std::string& uid);

/// Geometry and value transform of one frame (from the top level or the functional groups).
struct FrameGeometry
{
  Eigen::Vector3d position{ 0, 0, 0 };
  Eigen::Vector3d rowDirection{ 1, 0, 0 };
  Eigen::Vector3d columnDirection{ 0, 1, 0 };
  Eigen::Vector2d pixelSpacing{ 1, 1 };
  double rescaleSlope = 1.0;
  double rescaleIntercept = 0.0;
  bool hasPosition = false;
  bool hasOrientation = false;
  bool hasSpacing = false;
};

/// One entry per frame: single-frame images give one; enhanced multi-frame objects give their
/// per-frame functional groups (falling back to the shared groups, then the top level).
std::vector<FrameGeometry> frameGeometry(DcmItem& dataset);

} // namespace drg::imaging::dicom
