#pragma once

#include "drg/imaging/DicomSeriesIndex.h"
#include "drg/imaging/Image.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace drg::imaging
{

/// A volume built from a DICOM stack: real-world values (rescale applied; HU for CT) on a regular
/// grid in LPS, and what the user should know about how it was built.
struct LoadedVolume
{
  Image<float> volume;
  std::vector<std::string> warnings;
  std::string modality;
  std::string seriesUid;
  std::string seriesDescription;
  std::string frameOfReferenceUid;
  std::string patientPosition; ///< DICOM Patient Position, e.g. "HFS" (head first supine); empty: not given
  /// MONOCHROME1: values are kept as stored (so CT numbers stay CT numbers) and viewers show
  /// low values bright, as the modality intended.
  bool invertedGreyscale = false;
};

/// Orders the frames by position along the slice normal (never by file name or instance number),
/// takes the slice spacing from the positions, decodes every frame (uncompressed, deflate, RLE,
/// JPEG, JPEG-LS; any byte order) and applies the rescale per frame.
/// Refuses, with drg::Error(Geometry) naming the problem and the positions, stacks that would give
/// a wrong volume: missing slices, duplicate positions, uneven spacing, gantry tilt, frames without
/// positions. Undecodable pixel data gives drg::Error(Unsupported) naming the transfer syntax.
LoadedVolume loadDicomStack(const DicomStack& stack, const ProgressCallback& progress = {});

/// Why `stack` cannot be built into a volume (missing slices, duplicate positions, uneven spacing,
/// tilt, no geometry), as loadDicomStack would say it, or an empty string when it can. Decodes no
/// pixel: for listings (`drgplan-cli info`, the series chooser).
std::string stackGeometryProblem(const DicomStack& stack);

/// Lossless 16-bit variant for conversion: when every frame has slope 1 and an integer intercept
/// and the stored range plus intercept fits int16, the volume holds exact values as int16 (half the
/// memory of float); otherwise nullopt (use loadDicomStack). Same checks and refusals.
std::optional<Image<std::int16_t>> loadDicomStackInt16(const DicomStack& stack,
                                                       const ProgressCallback& progress = {},
                                                       std::vector<std::string>* warnings = nullptr);

/// The stack of `scan` with id `stackId`, or its only image stack when the id is empty. Throws
/// drg::Error(Format) when there is none, drg::Error(InvalidArgument) listing them when there are
/// several and no id, or the id is unknown.
const DicomStack& chooseStack(const DicomScan& scan, const std::filesystem::path& input,
                              const std::string& stackId);

/// Scans `input` and loads its only image stack, or the stack whose id (series UID, or
/// "UID.2" for a split series) is `stackId`. With several stacks and no id, throws
/// drg::Error(InvalidArgument) listing them.
LoadedVolume loadDicom(const std::filesystem::path& input, const std::string& stackId = {},
                       const ProgressCallback& progress = {});

/// The same from a scan already made of `input` (its patient and study are then at hand too).
LoadedVolume loadDicom(const DicomScan& scan, const std::filesystem::path& input, const std::string& stackId,
                       const ProgressCallback& progress = {});

} // namespace drg::imaging
