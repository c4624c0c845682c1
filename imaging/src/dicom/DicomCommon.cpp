#include "dicom/DicomCommon.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcrledrg.h>
#include <dcmtk/dcmdata/dcsequen.h>
#include <dcmtk/dcmdata/dcxfer.h>
#include <dcmtk/dcmjpeg/djdecode.h>
#include <dcmtk/dcmjpls/djdecode.h>
#include <dcmtk/oflog/oflog.h>

#include <mutex>

namespace drg::imaging::dicom
{

void registerCodecs()
{
  static std::once_flag once;
  std::call_once(once, [] {
    // DCMTK logs parse problems to stderr; our typed errors say what matters to the user.
    OFLog::configure(OFLogger::FATAL_LOG_LEVEL);
    DcmRLEDecoderRegistration::registerCodecs();
    DJDecoderRegistration::registerCodecs();
    DJLSDecoderRegistration::registerCodecs();
  });
}

std::string text(DcmItem& item, const DcmTagKey& tag)
{
  OFString v;
  if (item.findAndGetOFStringArray(tag, v).bad()) {
    return {};
  }
  std::string s = v.c_str();
  auto b = s.find_first_not_of(" \0", 0, 2);
  auto e = s.find_last_not_of(" \0", std::string::npos, 2);
  return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

int integer(DcmItem& item, const DcmTagKey& tag, int fallback)
{
  Sint32 v = 0;
  if (item.findAndGetSint32(tag, v).good()) {
    return v;
  }
  Uint16 u = 0;
  if (item.findAndGetUint16(tag, u).good()) {
    return u;
  }
  // a private element read with implicit VR is UN: two little-endian bytes hold a US value
  DcmElement* e = nullptr;
  if (item.findAndGetElement(tag, e).good() && e != nullptr && e->getLength() == 2) {
    Uint8* bytes = nullptr;
    if (e->getUint8Array(bytes).good() && bytes != nullptr) {
      return bytes[0] | (bytes[1] << 8);
    }
  }
  std::string t = text(item, tag);
  try {
    return t.empty() ? fallback : std::stoi(t);
  } catch (...) {
    return fallback;
  }
}

std::vector<double> numbers(DcmItem& item, const DcmTagKey& tag)
{
  std::vector<double> out;
  Float64 v = 0;
  for (unsigned long i = 0; item.findAndGetFloat64(tag, v, i).good(); ++i) {
    out.push_back(v);
  }
  return out;
}

std::string transferSyntaxName(const std::string& uid)
{
  if (uid.empty()) {
    return "unknown (no meta header)";
  }
  DcmXfer x(uid.c_str());
  if (x.getXfer() == EXS_Unknown) {
    return "unknown (" + uid + ")";
  }
  return x.getXferName();
}

namespace
{

DcmItem* firstItem(DcmItem& parent, const DcmTagKey& sequence)
{
  DcmItem* item = nullptr;
  if (parent.findAndGetSequenceItem(sequence, item, 0).good()) {
    return item;
  }
  return nullptr;
}

/// Fills what `group` (a functional groups item) says about the frame.
void readGroups(DcmItem* group, FrameGeometry& g)
{
  if (group == nullptr) {
    return;
  }
  if (DcmItem* pos = firstItem(*group, DCM_PlanePositionSequence)) {
    auto p = numbers(*pos, DCM_ImagePositionPatient);
    if (p.size() == 3) {
      g.position = Eigen::Vector3d(p[0], p[1], p[2]);
      g.hasPosition = true;
    }
  }
  if (DcmItem* ori = firstItem(*group, DCM_PlaneOrientationSequence)) {
    auto o = numbers(*ori, DCM_ImageOrientationPatient);
    if (o.size() == 6) {
      g.rowDirection = Eigen::Vector3d(o[0], o[1], o[2]);
      g.columnDirection = Eigen::Vector3d(o[3], o[4], o[5]);
      g.hasOrientation = true;
    }
  }
  if (DcmItem* meas = firstItem(*group, DCM_PixelMeasuresSequence)) {
    auto s = numbers(*meas, DCM_PixelSpacing);
    if (s.size() == 2) {
      g.pixelSpacing = Eigen::Vector2d(s[0], s[1]);
      g.hasSpacing = true;
    }
  }
  if (DcmItem* pvt = firstItem(*group, DCM_PixelValueTransformationSequence)) {
    auto slope = numbers(*pvt, DCM_RescaleSlope);
    auto intercept = numbers(*pvt, DCM_RescaleIntercept);
    if (!slope.empty()) {
      g.rescaleSlope = slope[0];
    }
    if (!intercept.empty()) {
      g.rescaleIntercept = intercept[0];
    }
  }
}

} // namespace

std::vector<FrameGeometry> frameGeometry(DcmItem& d)
{
  FrameGeometry top;
  auto p = numbers(d, DCM_ImagePositionPatient);
  if (p.size() == 3) {
    top.position = Eigen::Vector3d(p[0], p[1], p[2]);
    top.hasPosition = true;
  }
  auto o = numbers(d, DCM_ImageOrientationPatient);
  if (o.size() == 6) {
    top.rowDirection = Eigen::Vector3d(o[0], o[1], o[2]);
    top.columnDirection = Eigen::Vector3d(o[3], o[4], o[5]);
    top.hasOrientation = true;
  }
  auto s = numbers(d, DCM_PixelSpacing);
  if (s.size() == 2) {
    top.pixelSpacing = Eigen::Vector2d(s[0], s[1]);
    top.hasSpacing = true;
  }
  auto slope = numbers(d, DCM_RescaleSlope);
  auto intercept = numbers(d, DCM_RescaleIntercept);
  if (!slope.empty()) {
    top.rescaleSlope = slope[0];
  }
  if (!intercept.empty()) {
    top.rescaleIntercept = intercept[0];
  }
  int frames = integer(d, DCM_NumberOfFrames, 1);
  DcmSequenceOfItems* perFrame = nullptr;
  if (d.findAndGetSequence(DCM_PerFrameFunctionalGroupsSequence, perFrame).good() && perFrame != nullptr &&
      perFrame->card() > 0) {
    FrameGeometry shared = top;
    readGroups(firstItem(d, DCM_SharedFunctionalGroupsSequence), shared);
    std::vector<FrameGeometry> out;
    for (unsigned long f = 0; f < perFrame->card(); ++f) {
      FrameGeometry g = shared;
      readGroups(perFrame->getItem(f), g);
      out.push_back(g);
    }
    return out;
  }
  if (frames > 1) {
    // a multi-frame object without functional groups: frames have no positions of their own
    std::vector<FrameGeometry> out(static_cast<std::size_t>(frames), top);
    for (auto& g : out) {
      g.hasPosition = false;
    }
    return out;
  }
  return { top };
}

} // namespace drg::imaging::dicom
