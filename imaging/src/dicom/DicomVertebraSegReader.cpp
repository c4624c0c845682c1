// A binary DICOM Segmentation of vertebrae (DCMTK dcmseg) read back into a label map.
#include "drg/imaging/DicomDocumentWriter.h"

#include "drg/imaging/AnatomyLabels.h"
#include "drg/imaging/Error.h"

#include <dcmtk/dcmdata/dctk.h>
#include <dcmtk/dcmfg/fgpixmsr.h>
#include <dcmtk/dcmfg/fgplanor.h>
#include <dcmtk/dcmfg/fgplanpo.h>
#include <dcmtk/dcmfg/fgseg.h>
#include <dcmtk/dcmseg/segdoc.h>
#include <dcmtk/dcmseg/segment.h>
#include <dcmtk/dcmseg/segutils.h>

#include <cmath>
#include <memory>

namespace drg::imaging
{

Image<std::uint8_t> readVertebraSegmentation(const std::filesystem::path& path, const ImageGeometry& g)
{
  DcmSegmentation* loaded = nullptr;
  if (DcmSegmentation::loadFile(path.c_str(), loaded).bad() || loaded == nullptr) {
    throw Error(ErrorCode::Format, path.string() + " is not a readable DICOM Segmentation");
  }
  std::unique_ptr<DcmSegmentation> seg(loaded);
  {
    DcmFileFormat header;
    Uint16 rows = 0, columns = 0;
    if (header.loadFile(path.c_str(), EXS_Unknown, EGL_noChange, 256, ERM_autoDetect).bad() ||
        header.getDataset()->findAndGetUint16(DCM_Rows, rows).bad() ||
        header.getDataset()->findAndGetUint16(DCM_Columns, columns).bad() || rows != g.size[1] ||
        columns != g.size[0]) {
      throw Error(ErrorCode::Format, path.string() + ": its frames (" + std::to_string(columns) + " x " +
                                       std::to_string(rows) + ") are not the image's slices (" +
                                       std::to_string(g.size[0]) + " x " + std::to_string(g.size[1]) + ")");
    }
  }
  if (seg->getSegmentationType() != DcmSegTypes::ST_BINARY) {
    throw Error(ErrorCode::Format, path.string() + " is not a binary segmentation");
  }
  FGInterface& groups = seg->getFunctionalGroups();
  Image<std::uint8_t> result(g, 0);
  const std::size_t frames = seg->getNumberOfFrames();
  if (frames > 0) {
    auto* measures = dynamic_cast<FGPixelMeasures*>(groups.get(0, DcmFGTypes::EFG_PIXELMEASURES));
    Float64 rowSpacing = 0, columnSpacing = 0;
    if (measures == nullptr || measures->getPixelSpacing(rowSpacing, 0).bad() ||
        measures->getPixelSpacing(columnSpacing, 1).bad() || std::abs(rowSpacing - g.spacing[1]) > 1e-3 ||
        std::abs(columnSpacing - g.spacing[0]) > 1e-3) {
      throw Error(ErrorCode::Format, path.string() + ": its pixel spacing is not the image's");
    }
    auto* orientation =
      dynamic_cast<FGPlaneOrientationPatient*>(groups.get(0, DcmFGTypes::EFG_PLANEORIENTPATIENT));
    Float64 o[6] = { 0, 0, 0, 0, 0, 0 };
    if (orientation == nullptr ||
        orientation->getImageOrientationPatient(o[0], o[1], o[2], o[3], o[4], o[5]).bad() ||
        (Eigen::Vector3d(o[0], o[1], o[2]) - g.direction.col(0)).norm() > 1e-3 ||
        (Eigen::Vector3d(o[3], o[4], o[5]) - g.direction.col(1)).norm() > 1e-3) {
      throw Error(ErrorCode::Format, path.string() + ": its frames are not oriented as the image's slices");
    }
  }
  for (std::size_t f = 0; f < frames; ++f) {
    const auto frameNo = static_cast<Uint32>(f);
    auto* segmentation = dynamic_cast<FGSegmentation*>(groups.get(frameNo, DcmFGTypes::EFG_SEGMENTATION));
    auto* position = dynamic_cast<FGPlanePosPatient*>(groups.get(frameNo, DcmFGTypes::EFG_PLANEPOSPATIENT));
    Uint16 number = 0;
    if (segmentation == nullptr || position == nullptr ||
        segmentation->getReferencedSegmentNumber(number).bad()) {
      throw Error(ErrorCode::Format,
                  path.string() + ": frame " + std::to_string(f + 1) + " has no segment or position");
    }
    DcmSegment* segment = seg->getSegment(number);
    OFString name;
    if (segment == nullptr || segment->getSegmentLabel(name).bad()) {
      throw Error(ErrorCode::Format,
                  path.string() + ": frame " + std::to_string(f + 1) + " refers to a missing segment");
    }
    const int label = labels::vertebraLabel(name.c_str());
    if (label == 0) {
      throw Error(ErrorCode::Format,
                  path.string() + ": segment '" + std::string(name.c_str()) + "' is not a vertebra level");
    }
    Float64 x = 0, y = 0, z = 0;
    position->getImagePositionPatient(x, y, z);
    const Eigen::Vector3d index = g.lpsToIndex(Eigen::Vector3d(x, y, z));
    const long k = std::lround(index.z());
    if (std::abs(index.x()) > 0.05 || std::abs(index.y()) > 0.05 ||
        std::abs(index.z() - static_cast<double>(k)) > 0.05 || k < 0 || k >= static_cast<long>(g.size[2])) {
      throw Error(ErrorCode::Format, path.string() + ": frame " + std::to_string(f + 1) +
                                       " does not lie on a slice of the image");
    }
    const DcmIODTypes::Frame* packed = seg->getFrame(f);
    std::unique_ptr<DcmIODTypes::Frame> pixels(
      packed == nullptr ? nullptr
                        : DcmSegUtils::unpackBinaryFrame(packed, static_cast<Uint16>(g.size[1]),
                                                         static_cast<Uint16>(g.size[0])));
    if (!pixels || pixels->length < g.size[0] * g.size[1]) {
      throw Error(ErrorCode::Format,
                  path.string() + ": frame " + std::to_string(f + 1) + " does not match the image's size");
    }
    std::uint8_t* slice = result.voxels().data() + static_cast<std::size_t>(k) * g.size[0] * g.size[1];
    for (std::size_t i = 0; i < g.size[0] * g.size[1]; ++i) {
      if (pixels->pixData[i] != 0) {
        slice[i] = static_cast<std::uint8_t>(label);
      }
    }
  }
  return result;
}

} // namespace drg::imaging
