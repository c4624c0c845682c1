// The spine model's vertebrae as a binary DICOM Segmentation (DCMTK dcmseg).
#include "dicom/DicomDocumentCommon.h"

#include "drg/imaging/AnatomyLabels.h"
#include "drg/imaging/DerivedUid.h"
#include "drg/imaging/Error.h"

#include <dcmtk/dcmfg/fgderimg.h>
#include <dcmtk/dcmfg/fgfracon.h>
#include <dcmtk/dcmfg/fgpixmsr.h>
#include <dcmtk/dcmfg/fgplanor.h>
#include <dcmtk/dcmfg/fgplanpo.h>
#include <dcmtk/dcmfg/fgseg.h>
#include <dcmtk/dcmiod/iodutil.h>
#include <dcmtk/dcmseg/segdoc.h>
#include <dcmtk/dcmseg/segment.h>
#include <dcmtk/dcmseg/segutils.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <map>
#include <memory>
#include <utility>
#include <vector>

namespace drg::imaging
{
namespace
{

/// SNOMED CT code of a vertebra's level (the codes DICOM's anatomic region lists use; also in
/// TotalSegmentator's DICOM SEG mapping). L6 and T13 have none: "Vertebra" with the level as label.
DicomCode vertebraCode(const std::string& level)
{
  static const std::map<std::string, std::string> codes = {
    { "T1", "64864005" }, { "T2", "53733008" }, { "T3", "1626008" },   { "T4", "73071006" },
    { "T5", "56401006" }, { "T6", "45296009" }, { "T7", "62487009" },  { "T8", "11068009" },
    { "T9", "82687006" }, { "T10", "7610001" }, { "T11", "12989004" }, { "T12", "23215003" },
    { "L1", "66794005" }, { "L2", "14293000" }, { "L3", "36470004" },  { "L4", "11994002" },
    { "L5", "49668003" },
  };
  if (const auto it = codes.find(level); it != codes.end()) {
    return { it->second, "SCT", level + " vertebra" };
  }
  if (level == "S1" || level == "sacrum") {
    return { "54735007", "SCT", "Sacrum" };
  }
  return { "51282000", "SCT", "Vertebra" };
}

void check(OFCondition status, const std::string& what)
{
  require(status, "the vertebra segmentation", what);
}

std::string number(double v)
{
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.6g", std::abs(v) < 1e-9 ? 0.0 : v);
  return buffer;
}

/// sRGB (0-255) to DICOM's CIELab PCS values (each 0-65535), D65.
std::array<Uint16, 3> cieLab(const labels::Rgba& c)
{
  auto linear = [](double u) {
    u /= 255.0;
    return u <= 0.04045 ? u / 12.92 : std::pow((u + 0.055) / 1.055, 2.4);
  };
  const double r = linear(c.r), g = linear(c.g), b = linear(c.b);
  const double x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047;
  const double y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  const double z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883;
  auto f = [](double t) { return t > 0.008856 ? std::cbrt(t) : 7.787 * t + 16.0 / 116.0; };
  const double L = 116.0 * f(y) - 16.0, A = 500.0 * (f(x) - f(y)), B = 200.0 * (f(y) - f(z));
  auto scale = [](double v, double lo, double hi) {
    return static_cast<Uint16>(std::lround(std::clamp((v - lo) / (hi - lo), 0.0, 1.0) * 65535.0));
  };
  return { scale(L, 0, 100), scale(A, -128, 127), scale(B, -128, 127) };
}

/// A source file of the planned series: its instance and where its plane lies.
struct SourceSlice
{
  std::string sopClass, sopInstance;
  Eigen::Vector3d position{ 0, 0, 0 };
  bool single = true; ///< a single-frame image (only those are referenced frame by frame)
};

/// The vertebra labels of `labelMap` (those with a level name) and the slices each touches.
std::map<int, std::vector<std::size_t>> vertebraSlices(const Image<std::uint8_t>& labelMap)
{
  const ImageGeometry& g = labelMap.geometry();
  std::map<int, std::vector<std::size_t>> slicesOf;
  for (std::size_t k = 0; k < g.size[2]; ++k) {
    std::array<bool, 256> seen{};
    const std::uint8_t* slice = labelMap.voxels().data() + k * g.size[0] * g.size[1];
    for (std::size_t i = 0; i < g.size[0] * g.size[1]; ++i) {
      seen[slice[i]] = true;
    }
    for (int l = 1; l < 256; ++l) {
      if (seen[static_cast<std::size_t>(l)] && !labels::vertebraLevelOfLabel(l).empty()) {
        slicesOf[l].push_back(k);
      }
    }
  }
  return slicesOf;
}

/// The single-frame images of `sourceFiles` with a position, to refer each frame to the image it
/// was derived from. Throws drg::Error(Format) for a file that is not DICOM.
std::vector<SourceSlice> readSourceSlices(const std::vector<std::filesystem::path>& sourceFiles)
{
  std::vector<SourceSlice> slices;
  slices.reserve(sourceFiles.size());
  for (const auto& f : sourceFiles) {
    DcmFileFormat ff;
    if (ff.loadFile(f.c_str(), EXS_Unknown, EGL_noChange, 256, ERM_autoDetect).bad()) {
      throw Error(ErrorCode::Format, f.string() + " is not a readable DICOM file");
    }
    DcmDataset& d = *ff.getDataset();
    SourceSlice s;
    s.sopClass = text(d, DCM_SOPClassUID);
    s.sopInstance = text(d, DCM_SOPInstanceUID);
    Sint32 frames = 1;
    d.findAndGetSint32(DCM_NumberOfFrames, frames);
    s.single = frames <= 1;
    Float64 p[3] = { 0, 0, 0 };
    bool hasPosition = true;
    for (int a = 0; a < 3; ++a) {
      hasPosition = hasPosition &&
                    d.findAndGetFloat64(DCM_ImagePositionPatient, p[a], static_cast<unsigned long>(a)).good();
    }
    s.position = Eigen::Vector3d(p[0], p[1], p[2]);
    if (hasPosition && s.single && !s.sopInstance.empty()) {
      slices.push_back(s);
    }
  }
  return slices;
}

/// The source image lying on slice `k` of `g` (within 5 % of the slice spacing), or nullptr.
const SourceSlice* sourceOfSlice(const ImageGeometry& g, const std::vector<SourceSlice>& slices,
                                 std::size_t k)
{
  const Eigen::Vector3d at = g.indexToLps(Eigen::Vector3d(0, 0, static_cast<double>(k)));
  for (const SourceSlice& s : slices) {
    if ((s.position - at).norm() < 0.05 * g.spacing[2] + 1e-3) {
      return &s;
    }
  }
  return nullptr;
}

/// Pixel measures, orientation and the dimensions (segment, then position) all frames share.
void setSharedGeometry(DcmSegmentation& seg, const ImageGeometry& g, const DocumentStamp& stamp)
{
  FGPixelMeasures measures;
  check(measures.setPixelSpacing((number(g.spacing[1]) + "\\" + number(g.spacing[0])).c_str()),
        "pixel spacing");
  check(measures.setSliceThickness(number(g.spacing[2]).c_str()), "slice thickness");
  check(measures.setSpacingBetweenSlices(number(g.spacing[2]).c_str()), "spacing between slices");
  check(seg.addForAllFrames(measures), "pixel measures");
  const Eigen::Vector3d row = g.direction.col(0), column = g.direction.col(1);
  std::unique_ptr<FGPlaneOrientationPatient> orientation(FGPlaneOrientationPatient::createMinimal(
    number(row.x()).c_str(), number(row.y()).c_str(), number(row.z()).c_str(), number(column.x()).c_str(),
    number(column.y()).c_str(), number(column.z()).c_str()));
  check(seg.addForAllFrames(*orientation), "orientation");
  const std::string dimensions = derivedUid("drgplan SEG dimensions|" + stamp.key);
  check(seg.getDimensions().addDimensionIndex(DCM_ReferencedSegmentNumber, dimensions.c_str(),
                                              DCM_SegmentIdentificationSequence, "ReferencedSegmentNumber"),
        "dimension");
  check(seg.getDimensions().addDimensionIndex(DCM_ImagePositionPatient, dimensions.c_str(),
                                              DCM_PlanePositionSequence, "ImagePositionPatient"),
        "dimension");
}

/// One segment per vertebra of `slicesOf`, one frame per slice it touches (its position, and its
/// source image as Derivation Image when `slices` hold it); returns the source images referenced
/// (class, instance), as in the source.
std::vector<std::pair<std::string, std::string>> addVertebraSegments(
  DcmSegmentation& seg, const Image<std::uint8_t>& labelMap,
  const std::map<int, std::vector<std::size_t>>& slicesOf, const std::vector<SourceSlice>& slices,
  const DicomDocumentOptions& o)
{
  const ImageGeometry& g = labelMap.geometry();
  const auto columns = static_cast<Uint16>(g.size[0]), rows = static_cast<Uint16>(g.size[1]);
  const CodeSequenceMacro category("123037004", "SCT", "Anatomical Structure");
  std::vector<Uint8> frame(static_cast<std::size_t>(rows) * columns);
  std::vector<std::pair<std::string, std::string>> referencedInstances; // class, instance
  for (const auto& [label, ks] : slicesOf) {
    const std::string level = labels::vertebraLevelOfLabel(label);
    const DicomCode code = vertebraCode(level);
    DcmSegment* segment = nullptr;
    check(DcmSegment::create(segment, level.c_str(), category,
                             CodeSequenceMacro(code.value.c_str(), code.scheme.c_str(), code.meaning.c_str()),
                             DcmSegTypes::SAT_AUTOMATIC, "drgplan spine model"),
          "segment " + level);
    const auto lab = cieLab(labels::displayColour(label));
    segment->setRecommendedDisplayCIELabValue(lab[0], lab[1], lab[2]);
    segment->setSegmentDescription((level + " vertebra").c_str());
    Uint16 segmentNumber = 0;
    if (seg.addSegment(segment, segmentNumber).bad()) {
      delete segment;
      throw Error(ErrorCode::Format, "cannot add the segment of " + level);
    }
    for (std::size_t k : ks) {
      const std::uint8_t* slice = labelMap.voxels().data() + k * g.size[0] * g.size[1];
      for (std::size_t i = 0; i < frame.size(); ++i) {
        frame[i] = slice[i] == label ? 1 : 0;
      }
      const Eigen::Vector3d p = g.indexToLps(Eigen::Vector3d(0, 0, static_cast<double>(k)));
      std::unique_ptr<FGPlanePosPatient> position(FGPlanePosPatient::createMinimal(
        number(p.x()).c_str(), number(p.y()).c_str(), number(p.z()).c_str()));
      FGFrameContent content;
      content.setDimensionIndexValues(segmentNumber, 0);
      content.setDimensionIndexValues(static_cast<Uint32>(k + 1), 1);
      OFVector<FGBase*> perFrame;
      perFrame.push_back(position.get());
      perFrame.push_back(&content);
      std::unique_ptr<FGDerivationImage> derivation;
      if (const SourceSlice* s = sourceOfSlice(g, slices, k)) {
        OFVector<ImageSOPInstanceReferenceMacro> refs(1);
        refs[0].setReferencedSOPClassUID(s->sopClass.c_str());
        refs[0].setReferencedSOPInstanceUID(mappedUid(o, s->sopInstance).c_str());
        derivation.reset(
          DcmSegmentation::createDerivationImageFG(refs, "Vertebrae labelled by the drgplan spine model"));
        if (derivation) {
          perFrame.push_back(derivation.get());
        }
        referencedInstances.push_back({ s->sopClass, s->sopInstance });
      }
      check(seg.addFrame(frame.data(), segmentNumber, perFrame), "frame of " + level);
    }
  }
  return referencedInstances;
}

/// Common Instance Reference: the planned series and the images the frames were derived from (the
/// source image itself when none was).
void writeInstanceReferences(DcmDataset& d, const DocumentSource& source, const DicomDocumentOptions& o,
                             std::vector<std::pair<std::string, std::string>> referencedInstances)
{
  std::sort(referencedInstances.begin(), referencedInstances.end());
  referencedInstances.erase(std::unique(referencedInstances.begin(), referencedInstances.end()),
                            referencedInstances.end());
  if (referencedInstances.empty()) {
    referencedInstances.push_back({ source.sopClass, source.sopInstance });
  }
  {
    std::unique_ptr<DcmElement> old(d.remove(DCM_ReferencedSeriesSequence));
  }
  DcmItem* series = nullptr;
  if (d.findOrCreateSequenceItem(DCM_ReferencedSeriesSequence, series, -2).bad() || series == nullptr) {
    throw Error(ErrorCode::Internal, "cannot refer the segmentation to its series");
  }
  put(*series, DCM_SeriesInstanceUID, mappedUid(o, source.seriesUid));
  for (const auto& [sopClass, instance] : referencedInstances) {
    DcmItem* ref = nullptr;
    if (series->findOrCreateSequenceItem(DCM_ReferencedInstanceSequence, ref, -2).good() && ref != nullptr) {
      put(*ref, DCM_ReferencedSOPClassUID, sopClass);
      put(*ref, DCM_ReferencedSOPInstanceUID, mappedUid(o, instance));
    }
  }
}

} // namespace

int writeVertebraSegmentation(const Image<std::uint8_t>& labelMap,
                              const std::vector<std::filesystem::path>& sourceFiles,
                              const std::filesystem::path& out, DicomDocumentOptions o)
{
  if (sourceFiles.empty()) {
    throw Error(ErrorCode::InvalidArgument,
                "the vertebra segmentation needs the planned series' DICOM files");
  }
  const ImageGeometry& g = labelMap.geometry();
  if (g.size[0] > 65535 || g.size[1] > 65535 || g.voxelCount() == 0) {
    throw Error(ErrorCode::InvalidArgument, "the label map's slices do not fit a DICOM frame");
  }
  const auto columns = static_cast<Uint16>(g.size[0]), rows = static_cast<Uint16>(g.size[1]);
  // which vertebrae are there, and on which slices
  const std::map<int, std::vector<std::size_t>> slicesOf = vertebraSlices(labelMap);
  if (slicesOf.empty()) {
    throw Error(ErrorCode::InvalidArgument, "no vertebra is labelled: there is no segmentation to write");
  }
  DocumentSource source(sourceFiles.front());
  if (o.seriesNumber == 9901) {
    o.seriesNumber = 9903;
  }
  if (o.seriesDescription == DicomDocumentOptions{}.seriesDescription) {
    o.seriesDescription = "drgplan vertebrae (SEG)";
  }
  const std::vector<SourceSlice> slices = readSourceSlices(sourceFiles);

  const DocumentStamp stamp(source.sopInstance + "|SEG",
                            std::to_string(g.voxelCount()) + "|" + std::to_string(slicesOf.size()));
  IODGeneralEquipmentModule::EquipmentInfo equipment("drgplan", "drgplan", "1", DRG_IMAGING_VERSION);
  ContentIdentificationMacro identification("1", "VERTEBRAE", "Vertebrae labelled by the drgplan spine model",
                                            "drgplan^");
  DcmSegmentation* created = nullptr;
  check(DcmSegmentation::createBinarySegmentation(created, rows, columns, equipment, identification),
        "create");
  std::unique_ptr<DcmSegmentation> seg(created);
  setSharedGeometry(*seg, g, stamp);
  const auto referencedInstances = addVertebraSegments(*seg, labelMap, slicesOf, slices, o);

  // patient, study, frame of reference, series
  check(seg->getFrameOfReference().setFrameOfReferenceUID(
          mappedUid(o, source.frameOfReferenceUid.empty() ? derivedUid("drgplan FoR|" + stamp.key)
                                                          : source.frameOfReferenceUid)
            .c_str()),
        "frame of reference");
  check(seg->getStudy().setStudyInstanceUID(mappedUid(o, source.studyUid).c_str()), "study");
  check(seg->getSeries().setSeriesInstanceUID(derivedUid("drgplan SEG series|" + stamp.key).c_str()),
        "series");
  check(seg->getSeries().setSeriesNumber(std::to_string(o.seriesNumber).c_str()), "series number");
  check(seg->getSeries().setSeriesDescription(o.seriesDescription.c_str()), "series description");
  check(seg->getSOPCommon().setSOPInstanceUID(derivedUid("drgplan SEG instance|" + stamp.key).c_str()),
        "instance");

  DcmFileFormat file;
  DcmDataset& d = *file.getDataset();
  check(seg->writeDataset(d), "dataset");
  writeIdentity(d, source, o);
  put(d, DCM_ContentDate, o.deidentify ? "19000101" : stamp.date);
  put(d, DCM_ContentTime, o.deidentify ? "000000" : stamp.time);
  writeInstanceReferences(d, source, o, referencedInstances);
  saveAtomically(file, out);
  return static_cast<int>(slicesOf.size());
}

} // namespace drg::imaging
