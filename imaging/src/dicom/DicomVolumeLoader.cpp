#include "drg/imaging/DicomVolumeLoader.h"

#include "ParallelFor.h"
#include "dicom/DicomCommon.h"
#include "dicom/Jpeg2000Decoder.h"

#include "drg/imaging/Error.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcpixel.h>
#include <dcmtk/dcmdata/dcpixseq.h>
#include <dcmtk/dcmdata/dcpxitem.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmdata/dcxfer.h>

#include <Eigen/Geometry>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <memory>
#include <numeric>
#include <sstream>

namespace drg::imaging
{
namespace
{

std::string mm(double v)
{
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.2f", v);
  return buf;
}

struct SortedFrame
{
  const DicomFrameRef* ref;
  double depth; // position along the normal
};

/// The JPEG 2000 codestream of each frame: fragments are joined, a new frame starting at each
/// fragment that opens with a start-of-codestream marker (or JP2 signature) when there are several.
std::vector<Uint32> decodeJpeg2000Frames(DcmDataset& d, const std::filesystem::path& file,
                                         const DicomStack& stack)
{
  DcmElement* element = nullptr;
  if (d.findAndGetElement(DCM_PixelData, element).bad() || element == nullptr) {
    throw Error(ErrorCode::Format, file.filename().string() + " has no pixel data");
  }
  auto* pixelData = static_cast<DcmPixelData*>(element);
  DcmPixelSequence* sequence = nullptr;
  if (pixelData->getEncapsulatedRepresentation(d.getOriginalXfer(), nullptr, sequence).bad() ||
      sequence == nullptr) {
    throw Error(ErrorCode::Format, file.filename().string() + ": encapsulated pixel data cannot be read");
  }
  int frames = std::max(1, dicom::integer(d, DCM_NumberOfFrames, 1));
  std::vector<std::vector<std::uint8_t>> streams;
  for (unsigned long i = 1; i < sequence->card(); ++i) { // item 0 is the offset table
    DcmPixelItem* item = nullptr;
    if (sequence->getItem(item, i).bad() || item == nullptr) {
      continue;
    }
    Uint8* bytes = nullptr;
    item->getUint8Array(bytes);
    Uint32 length = item->getLength();
    if (bytes == nullptr || length == 0) {
      continue;
    }
    bool startsFrame = length >= 2 && ((bytes[0] == 0xFF && bytes[1] == 0x4F) ||
                                       (length >= 8 && bytes[4] == 0x6A && bytes[5] == 0x50));
    if (streams.empty() || (frames > 1 && startsFrame && static_cast<int>(streams.size()) < frames)) {
      streams.emplace_back();
    }
    streams.back().insert(streams.back().end(), bytes, bytes + length);
  }
  if (static_cast<int>(streams.size()) != frames) {
    throw Error(ErrorCode::Format, file.filename().string() + ": found " + std::to_string(streams.size()) +
                                     " JPEG 2000 codestreams for " + std::to_string(frames) + " frames");
  }
  const std::size_t pixels =
    static_cast<std::size_t>(stack.rows) * static_cast<std::size_t>(stack.columns) *
    static_cast<std::size_t>(std::max(1, stack.mosaicTilesPerRow * stack.mosaicTilesPerRow));
  std::vector<Uint32> out;
  out.reserve(pixels * streams.size());
  for (const auto& s : streams) {
    j2k::DecodedFrame f = j2k::decode(s.data(), s.size());
    if (f.samples.size() != pixels) {
      throw Error(ErrorCode::Format, file.filename().string() + ": JPEG 2000 frame is " +
                                       std::to_string(f.width) + " x " + std::to_string(f.height) +
                                       ", the header says otherwise");
    }
    for (std::int32_t v : f.samples) {
      out.push_back(static_cast<Uint32>(v));
    }
  }
  return out;
}

/// Fast path for the commonest files: one uncompressed little-endian 16-bit frame stored last. The
/// pixel bytes are read straight from the file when the element header just before them is exactly
/// Pixel Data with the expected length; any other layout returns false and DCMTK parses the file.
template<typename T>
bool readNativePixelsDirectly(const std::filesystem::path& file,
                              const std::vector<std::pair<int, std::size_t>>& frameToSlice,
                              const DicomStack& stack, const std::vector<SortedFrame>& sorted,
                              Image<T>& volume)
{
  const bool explicitVr = stack.transferSyntaxUid == UID_LittleEndianExplicitTransferSyntax;
  const bool implicitVr = stack.transferSyntaxUid == UID_LittleEndianImplicitTransferSyntax;
  if ((!explicitVr && !implicitVr) || stack.bitsAllocated != 16 || stack.mosaicTilesPerRow > 0 ||
      frameToSlice.size() != 1 || frameToSlice.front().first != 0 || stack.bitsStored > 16 ||
      stack.bitsStored < 1) {
    return false;
  }
  const std::size_t pixels = static_cast<std::size_t>(stack.rows) * static_cast<std::size_t>(stack.columns);
  const std::size_t bytes = pixels * 2;
  std::FILE* f = std::fopen(file.c_str(), "rb");
  if (f == nullptr) {
    return false;
  }
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> closer(f, std::fclose);
  if (std::fseek(f, 0, SEEK_END) != 0) {
    return false;
  }
  long size = std::ftell(f);
  const long headerBytes = explicitVr ? 12 : 8;
  if (size < static_cast<long>(bytes) + headerBytes + 132) {
    return false;
  }
  unsigned char h[12];
  if (std::fseek(f, size - static_cast<long>(bytes) - headerBytes, SEEK_SET) != 0 ||
      std::fread(h, 1, static_cast<std::size_t>(headerBytes), f) != static_cast<std::size_t>(headerBytes)) {
    return false;
  }
  auto u32 = [](const unsigned char* p) {
    return static_cast<std::uint32_t>(p[0]) | (static_cast<std::uint32_t>(p[1]) << 8) |
           (static_cast<std::uint32_t>(p[2]) << 16) | (static_cast<std::uint32_t>(p[3]) << 24);
  };
  if (h[0] != 0xE0 || h[1] != 0x7F || h[2] != 0x10 || h[3] != 0x00) {
    return false;
  }
  if (explicitVr ? (h[4] != 'O' || h[5] != 'W' || h[6] != 0 || h[7] != 0 || u32(h + 8) != bytes)
                 : u32(h + 4) != bytes) {
    return false;
  }
  const std::size_t slice = frameToSlice.front().second;
  const DicomFrameRef& ref = *sorted[slice].ref;
  T* out = volume.voxels().data() + slice * pixels;
  std::vector<std::uint16_t> raw;
  std::uint16_t* target = nullptr;
  if constexpr (sizeof(T) == 2) {
    target = reinterpret_cast<std::uint16_t*>(out); // read in place, then transform in place
  } else {
    raw.resize(pixels);
    target = raw.data();
  }
  if (std::fread(target, 2, pixels, f) != pixels) {
    return false;
  }
  // Stored value: the low bitsStored bits, sign-extended when signed (shift up, arithmetic shift down).
  const int unusedBits = 32 - stack.bitsStored;
  const std::uint32_t mask = 0xFFFFFFFFu >> unusedBits;
  const bool isSigned = stack.isSigned;
  auto stored = [unusedBits, mask, isSigned](std::uint16_t raw) {
    const std::uint32_t v = raw;
    return isSigned ? static_cast<std::int32_t>(v << unusedBits) >> unusedBits
                    : static_cast<std::int32_t>(v & mask);
  };
  const double slope = ref.rescaleSlope;
  const double intercept = ref.rescaleIntercept;
  if (slope == 1.0 && std::floor(intercept) == intercept && std::abs(intercept) < 65536.0) {
    // The usual CT case: integer arithmetic, which the compiler vectorises (values are exact
    // in both float and, when the loader chose it, int16).
    const auto shift = static_cast<std::int32_t>(intercept);
    for (std::size_t n = 0; n < pixels; ++n) {
      out[n] = static_cast<T>(stored(target[n]) + shift);
    }
  } else {
    for (std::size_t n = 0; n < pixels; ++n) {
      out[n] = static_cast<T>(static_cast<double>(stored(target[n])) * slope + intercept);
    }
  }
  return true;
}

/// Decodes the frames of one file into the volume's slices.
template<typename T>
void decodeFile(const std::filesystem::path& file,
                const std::vector<std::pair<int, std::size_t>>& frameToSlice, const DicomStack& stack,
                const std::vector<SortedFrame>& sorted, Image<T>& volume)
{
  if (readNativePixelsDirectly(file, frameToSlice, stack, sorted, volume)) {
    return;
  }
  DcmFileFormat ff;
  OFCondition c = ff.loadFile(file.c_str());
  if (c.bad()) {
    throw Error(ErrorCode::Format, "cannot read " + file.string() + ": " + c.text());
  }
  DcmDataset& d = *ff.getDataset();
  DcmXfer original(d.getOriginalXfer());
  std::vector<Uint32> j2kStore; // JPEG 2000 frames decoded by OpenJPEG, as stored bit patterns
  if (original.isEncapsulated()) {
    if (j2k::isJpeg2000TransferSyntax(original.getXferID())) {
      j2kStore = decodeJpeg2000Frames(d, file, stack);
    } else {
      c = d.chooseRepresentation(EXS_LittleEndianExplicit, nullptr);
      if (c.bad() || !d.canWriteXfer(EXS_LittleEndianExplicit)) {
        throw Error(ErrorCode::Unsupported, "cannot decode the pixel data of " + file.filename().string() +
                                              ": " + original.getXferName() + " (" + original.getXferID() +
                                              ") is not supported by this version");
      }
    }
  }
  int samples = dicom::integer(d, DCM_SamplesPerPixel, 1);
  if (samples != 1) {
    throw Error(ErrorCode::Unsupported, file.filename().string() + " is a colour image (" +
                                          std::to_string(samples) +
                                          " samples per pixel); only greyscale volumes can be planned on");
  }
  int bitsAllocated = dicom::integer(d, DCM_BitsAllocated, 16);
  int bitsStored = dicom::integer(d, DCM_BitsStored, bitsAllocated);
  bool isSigned = dicom::integer(d, DCM_PixelRepresentation, 0) == 1;
  const std::size_t pixels = static_cast<std::size_t>(stack.rows) * static_cast<std::size_t>(stack.columns);
  DcmElement* element = nullptr;
  if (d.findAndGetElement(DCM_PixelData, element).bad() || element == nullptr) {
    throw Error(ErrorCode::Format, file.filename().string() + " has no pixel data");
  }
  const void* raw = nullptr;
  std::size_t available = 0;
  int readWidth = bitsAllocated;
  if (!j2kStore.empty()) {
    raw = j2kStore.data();
    available = j2kStore.size();
    readWidth = 32;
  } else if (bitsAllocated == 8) {
    Uint8* p = nullptr;
    element->getUint8Array(p);
    raw = p;
    available = element->getLength();
  } else if (bitsAllocated == 16) {
    Uint16* p = nullptr;
    element->getUint16Array(p);
    raw = p;
    available = element->getLength() / 2;
  } else if (bitsAllocated == 32) {
    Uint32* p = nullptr;
    element->getUint32Array(p);
    raw = p;
    available = element->getLength() / 4;
  } else {
    throw Error(ErrorCode::Unsupported, file.filename().string() + ": " + std::to_string(bitsAllocated) +
                                          " bits allocated is not supported");
  }
  if (raw == nullptr) {
    throw Error(ErrorCode::Format, file.filename().string() + ": pixel data could not be read");
  }
  const std::uint32_t mask = bitsStored >= 32 ? 0xFFFFFFFFu : ((1u << bitsStored) - 1u);
  const std::uint32_t signBit = bitsStored >= 32 ? 0x80000000u : (1u << (bitsStored - 1));
  const int perRow = stack.mosaicTilesPerRow;
  const std::size_t storedPixels = perRow > 0 ? pixels * static_cast<std::size_t>(perRow * perRow) : pixels;
  const std::size_t storedColumns =
    static_cast<std::size_t>(stack.columns) * static_cast<std::size_t>(std::max(perRow, 1));
  for (const auto& [frame, slice] : frameToSlice) {
    // a mosaic tile is read from its place in the stored grid; other frames follow each other
    std::size_t offset = perRow > 0 ? 0 : static_cast<std::size_t>(frame) * pixels;
    std::size_t tileX =
      perRow > 0 ? static_cast<std::size_t>(frame % perRow) * static_cast<std::size_t>(stack.columns) : 0;
    std::size_t tileY =
      perRow > 0 ? static_cast<std::size_t>(frame / perRow) * static_cast<std::size_t>(stack.rows) : 0;
    if (offset + storedPixels > available) {
      throw Error(ErrorCode::Format, file.filename().string() + ": pixel data is shorter than " +
                                       std::to_string(frame + 1) + " frames of " +
                                       std::to_string(stack.columns) + " x " + std::to_string(stack.rows));
    }
    const DicomFrameRef& ref = *sorted[slice].ref;
    T* out = volume.voxels().data() + slice * pixels;
    for (std::size_t n = 0; n < pixels; ++n) {
      std::size_t src = offset + n;
      if (perRow > 0) {
        std::size_t x = n % static_cast<std::size_t>(stack.columns);
        std::size_t y = n / static_cast<std::size_t>(stack.columns);
        src = (tileY + y) * storedColumns + tileX + x;
      }
      std::uint32_t v = 0;
      if (readWidth == 8) {
        v = static_cast<const Uint8*>(raw)[src];
      } else if (readWidth == 16) {
        v = static_cast<const Uint16*>(raw)[src];
      } else {
        v = static_cast<const Uint32*>(raw)[src];
      }
      v &= mask;
      double value = 0;
      if (isSigned && (v & signBit) != 0) {
        value = static_cast<double>(static_cast<std::int64_t>(v) - (static_cast<std::int64_t>(mask) + 1));
      } else {
        value = static_cast<double>(v);
      }
      out[n] = static_cast<T>(value * ref.rescaleSlope + ref.rescaleIntercept);
    }
  }
}

/// Guards against forged or corrupt headers before any large allocation: the volume must be of a
/// plausible size, and uncompressed files must hold the pixel bytes their header announces.
void checkSizesBeforeAllocating(const DicomStack& stack, std::size_t slices)
{
  const double voxels = static_cast<double>(stack.rows) * stack.columns * static_cast<double>(slices);
  constexpr double kMaxVoxels = 1.5e9; // 6 GB as float; no spine series comes near
  if (stack.rows <= 0 || stack.columns <= 0 || voxels > kMaxVoxels) {
    throw Error(ErrorCode::Format, "series " + stack.id + " announces " + std::to_string(stack.columns) +
                                     " x " + std::to_string(stack.rows) + " x " + std::to_string(slices) +
                                     " voxels: implausible (corrupt or forged header), refusing to allocate");
  }
  if (stack.bitsAllocated != 8 && stack.bitsAllocated != 16 && stack.bitsAllocated != 32) {
    throw Error(ErrorCode::Unsupported, "series " + stack.id + ": " + std::to_string(stack.bitsAllocated) +
                                          " bits allocated is not supported");
  }
  DcmXfer xfer(stack.transferSyntaxUid.c_str());
  if (xfer.getXfer() == EXS_Unknown || xfer.isEncapsulated() ||
      xfer.getXfer() == EXS_DeflatedLittleEndianExplicit) {
    return; // compressed: the decoder checks the decoded size
  }
  std::map<std::string, std::size_t> framesPerFile;
  for (const auto& f : stack.frames) {
    ++framesPerFile[f.file.string()];
  }
  const std::uintmax_t perFrame =
    static_cast<std::uintmax_t>(stack.rows) * static_cast<std::uintmax_t>(stack.columns) *
    static_cast<std::uintmax_t>(std::max(1, stack.mosaicTilesPerRow * stack.mosaicTilesPerRow)) *
    static_cast<std::uintmax_t>(stack.bitsAllocated / 8);
  for (const auto& [file, frames] : framesPerFile) {
    std::error_code ec;
    std::uintmax_t size = std::filesystem::file_size(file, ec);
    std::uintmax_t needed = perFrame * (stack.mosaicTilesPerRow > 0 ? 1 : frames);
    if (ec || size < needed) {
      throw Error(ErrorCode::Format, std::filesystem::path(file).filename().string() + " should hold " +
                                       std::to_string(needed) + " bytes of pixel data but the file has " +
                                       std::to_string(ec ? 0 : size) +
                                       ": truncated, or Rows/Columns do not match the pixel data");
    }
  }
}

} // namespace

namespace
{

/// A stack's frames in order along the slice normal and the regular grid they fill.
struct StackLayout
{
  std::vector<SortedFrame> sorted;
  ImageGeometry geometry;
};

/// Checks the stack's geometry (throws drg::Error(Geometry) naming the problem), orders its frames
/// and places the grid. Reads no pixel.
StackLayout layoutStack(const DicomStack& stack, std::vector<std::string>& warnings)
{
  dicom::registerCodecs();
  if (stack.frames.empty()) {
    throw Error(ErrorCode::InvalidArgument, "stack " + stack.id + " holds no images");
  }
  if (!stack.hasGeometry) {
    throw Error(ErrorCode::Geometry,
                "series " + stack.id +
                  " has no Image Orientation or Pixel Spacing: it cannot be placed in patient "
                  "space, refusing to build a volume");
  }
  Eigen::Vector3d row = stack.rowDirection;
  Eigen::Vector3d col = stack.columnDirection;
  if (std::abs(row.norm() - 1.0) > 1e-3 || std::abs(col.norm() - 1.0) > 1e-3 ||
      std::abs(row.dot(col)) > 1e-3) {
    throw Error(ErrorCode::Geometry,
                "series " + stack.id + " has an invalid Image Orientation (not two orthogonal unit vectors)");
  }
  row.normalize();
  col = (col - row * row.dot(col)).normalized();
  const Eigen::Vector3d normal = row.cross(col);

  std::vector<SortedFrame> sorted;
  for (const auto& f : stack.frames) {
    if (!f.hasPosition) {
      throw Error(ErrorCode::Geometry, "an image of series " + stack.id + " (" + f.file.filename().string() +
                                         ") has no Image Position: refusing to guess the slice order");
    }
    sorted.push_back({ &f, f.position.dot(normal) });
  }
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const SortedFrame& a, const SortedFrame& b) { return a.depth < b.depth; });

  double spacing = 1.0;
  if (sorted.size() > 1) {
    std::vector<double> gaps;
    for (std::size_t i = 0; i + 1 < sorted.size(); ++i) {
      double gap = sorted[i + 1].depth - sorted[i].depth;
      if (gap < 0.01) {
        throw Error(ErrorCode::Geometry, "two images of series " + stack.id + " share the position " +
                                           mm(sorted[i].depth) + " mm along the slice normal (" +
                                           sorted[i].ref->file.filename().string() + ", " +
                                           sorted[i + 1].ref->file.filename().string() +
                                           "): duplicate or mixed acquisitions, refusing to build a volume");
      }
      gaps.push_back(gap);
    }
    std::vector<double> ordered = gaps;
    std::nth_element(ordered.begin(), ordered.begin() + static_cast<long>(ordered.size() / 2), ordered.end());
    spacing = ordered[ordered.size() / 2];
    // gantry tilt: successive positions shifted within the image plane
    double maxShear = 0;
    for (std::size_t i = 0; i + 1 < sorted.size(); ++i) {
      Eigen::Vector3d step = sorted[i + 1].ref->position - sorted[i].ref->position;
      Eigen::Vector3d inPlane = step - normal * step.dot(normal);
      maxShear = std::max(maxShear, inPlane.norm() / gaps[i]);
    }
    if (maxShear > 1e-3) {
      double degrees = std::atan(maxShear) * 180.0 / 3.14159265358979323846;
      throw Error(
        ErrorCode::Geometry,
        "series " + stack.id + " was acquired with a gantry tilt of " + mm(degrees) +
          " degrees (each slice is shifted in its own plane); drgplan does not resample tilted series: "
          "reconstruct the series without tilt (or with tilt correction) on the scanner");
    }
    std::vector<std::string> missing;
    std::vector<std::string> uneven;
    const double tolerance = std::max(0.02, 0.01 * spacing);
    for (std::size_t i = 0; i < gaps.size(); ++i) {
      if (std::abs(gaps[i] - spacing) <= tolerance) {
        continue;
      }
      double ratio = gaps[i] / spacing;
      long k = std::lround(ratio);
      if (k >= 2 && std::abs(gaps[i] - k * spacing) <= tolerance * k) {
        missing.push_back(std::to_string(k - 1) + " missing between " + mm(sorted[i].depth) + " and " +
                          mm(sorted[i + 1].depth) + " mm");
      } else {
        uneven.push_back(mm(gaps[i]) + " mm between " + mm(sorted[i].depth) + " and " +
                         mm(sorted[i + 1].depth) + " mm");
      }
    }
    if (!missing.empty()) {
      std::string list;
      for (std::size_t i = 0; i < missing.size() && i < 5; ++i) {
        list += (i ? "; " : "") + missing[i];
      }
      throw Error(ErrorCode::Geometry, "series " + stack.id + " has missing slices (" + list +
                                         ", positions along the slice normal; spacing " + mm(spacing) +
                                         " mm): refusing to build a volume with a gap");
    }
    if (!uneven.empty()) {
      std::string list;
      for (std::size_t i = 0; i < uneven.size() && i < 5; ++i) {
        list += (i ? "; " : "") + uneven[i];
      }
      throw Error(ErrorCode::Geometry, "series " + stack.id + " has uneven slice spacing (usual " +
                                         mm(spacing) + " mm; " + list +
                                         "): drgplan does not resample uneven series, refusing");
    }
  } else {
    warnings.push_back("single-slice series: slice spacing unknown, 1 mm assumed");
  }

  ImageGeometry g;
  g.size = { static_cast<std::size_t>(stack.columns), static_cast<std::size_t>(stack.rows), sorted.size() };
  g.spacing = Eigen::Vector3d(stack.pixelSpacing[1], stack.pixelSpacing[0], spacing);
  g.direction.col(0) = row;
  g.direction.col(1) = col;
  g.direction.col(2) = normal;
  g.origin = sorted.front().ref->position;
  return { std::move(sorted), g };
}

/// Checks the stack, orders its frames, places the grid and decodes every frame into Image<T>.
template<typename T>
Image<T> buildVolume(const DicomStack& stack, const ProgressCallback& progress,
                     std::vector<std::string>& warnings)
{
  dicom::registerCodecs();
  StackLayout layout = layoutStack(stack, warnings);
  const std::vector<SortedFrame>& sorted = layout.sorted;
  checkSizesBeforeAllocating(stack, sorted.size());
  Image<T> volume(layout.geometry, Uninitialized{}); // every voxel is decoded into
  if (stack.photometric == "MONOCHROME1") {
    warnings.push_back("MONOCHROME1 series: values are kept as stored and shown inverted (low values "
                       "bright), as the modality intended");
  }

  // decode file by file (a multi-frame file once), in parallel
  std::map<std::string, std::vector<std::pair<int, std::size_t>>> byFile;
  std::vector<std::string> fileOrder;
  for (std::size_t s = 0; s < sorted.size(); ++s) {
    std::string key = sorted[s].ref->file.string();
    if (!byFile.count(key)) {
      fileOrder.push_back(key);
    }
    byFile[key].push_back({ sorted[s].ref->frame, s });
  }
  parallelFor(
    fileOrder.size(),
    [&](std::size_t n) { decodeFile(fileOrder[n], byFile.at(fileOrder[n]), stack, sorted, volume); },
    progress, "loading cancelled");
  return volume;
}

} // namespace

std::string stackGeometryProblem(const DicomStack& stack)
{
  std::vector<std::string> ignored;
  try {
    layoutStack(stack, ignored);
  } catch (const Error& e) {
    return e.what();
  }
  return {};
}

LoadedVolume loadDicomStack(const DicomStack& stack, const ProgressCallback& progress)
{
  LoadedVolume out;
  out.volume = buildVolume<float>(stack, progress, out.warnings);
  out.invertedGreyscale = stack.photometric == "MONOCHROME1";
  return out;
}

std::optional<Image<std::int16_t>> loadDicomStackInt16(const DicomStack& stack,
                                                       const ProgressCallback& progress,
                                                       std::vector<std::string>* warnings)
{
  // exact only when every value is stored * 1 + an integer that lands within int16
  double lo = stack.isSigned ? -std::ldexp(1.0, stack.bitsStored - 1) : 0.0;
  double hi =
    stack.isSigned ? std::ldexp(1.0, stack.bitsStored - 1) - 1.0 : std::ldexp(1.0, stack.bitsStored) - 1.0;
  for (const auto& f : stack.frames) {
    if (f.rescaleSlope != 1.0 || f.rescaleIntercept != std::floor(f.rescaleIntercept) ||
        lo + f.rescaleIntercept < -32768.0 || hi + f.rescaleIntercept > 32767.0) {
      return std::nullopt;
    }
  }
  std::vector<std::string> local;
  Image<std::int16_t> v = buildVolume<std::int16_t>(stack, progress, warnings != nullptr ? *warnings : local);
  return v;
}

const DicomStack& chooseStack(const DicomScan& scan, const std::filesystem::path& input,
                              const std::string& stackId)
{
  std::vector<const DicomStack*> stacks = scan.imageStacks();
  if (stacks.empty()) {
    throw Error(ErrorCode::Format, "no DICOM image series found in " + input.string() + " (" +
                                     std::to_string(scan.filesSeen) + " files, " +
                                     std::to_string(scan.dicomFiles) + " DICOM)");
  }
  if (stackId.empty()) {
    if (stacks.size() > 1) {
      std::string list;
      for (const auto* s : stacks) {
        const DicomSeriesInfo* se = scan.seriesOfStack(s->id);
        list += "\n  " + s->id + "  " + (se ? se->modality + " " + se->description : "") + " (" +
                std::to_string(s->frames.size()) + " images)";
      }
      throw Error(ErrorCode::InvalidArgument, input.string() + " holds " + std::to_string(stacks.size()) +
                                                " image series; choose one with --series:" + list);
    }
    return *stacks.front();
  }
  for (const auto* s : stacks) {
    if (s->id == stackId) {
      return *s;
    }
  }
  throw Error(ErrorCode::InvalidArgument, "no image series " + stackId + " in " + input.string());
}

LoadedVolume loadDicom(const std::filesystem::path& input, const std::string& stackId,
                       const ProgressCallback& progress)
{
  return loadDicom(scanDicom(input), input, stackId, progress);
}

LoadedVolume loadDicom(const DicomScan& scan, const std::filesystem::path& input, const std::string& stackId,
                       const ProgressCallback& progress)
{
  const DicomStack& chosen = chooseStack(scan, input, stackId);
  LoadedVolume v = loadDicomStack(chosen, progress);
  if (const DicomSeriesInfo* se = scan.seriesOfStack(chosen.id)) {
    v.modality = se->modality;
    v.seriesUid = se->seriesUid;
    v.seriesDescription = se->description;
    v.frameOfReferenceUid = se->frameOfReferenceUid;
    v.patientPosition = se->patientPosition;
    v.warnings.insert(v.warnings.end(), se->warnings.begin(), se->warnings.end());
  }
  return v;
}

} // namespace drg::imaging
