#pragma once
// Internal: a streaming NIfTI-1 writer (.nii, or .nii.gz through zlib) that converts slice by slice,
// so writing needs no second copy of the volume. ITK stays the reader and the NRRD/MetaImage writer.

#include "drg/imaging/Image.h"

#include <cstdint>
#include <filesystem>

namespace drg::imaging
{

/// Writes `image` as NIfTI-1 with qform and sform in RAS (LPS converted), as int16 when `asInt16`
/// (values must be integers in range) else float32. Throws drg::Error(Io) on failure.
void writeNiftiStreaming(const Image<float>& image, const std::filesystem::path& path, bool asInt16);

/// Writes an int16 image as NIfTI-1 straight from its buffer.
void writeNiftiStreaming(const Image<std::int16_t>& image, const std::filesystem::path& path);

} // namespace drg::imaging
