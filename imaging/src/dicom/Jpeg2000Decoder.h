#pragma once
// Internal: JPEG 2000 decoding of DICOM frames through OpenJPEG (DCMTK 3.6.7 ships no J2K codec).

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace drg::imaging::j2k
{

struct DecodedFrame
{
  int width = 0;
  int height = 0;
  int precision = 0;
  bool isSigned = false;
  std::vector<std::int32_t> samples; ///< first component, row by row
};

/// Decodes a J2K codestream or JP2 file held in memory; throws drg::Error(Format) with the reason.
DecodedFrame decode(const std::uint8_t* data, std::size_t size);

/// True for the JPEG 2000 transfer syntaxes (lossless, lossy, part 2).
bool isJpeg2000TransferSyntax(const std::string& uid);

} // namespace drg::imaging::j2k
