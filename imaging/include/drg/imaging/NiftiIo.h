#pragma once

#include "drg/imaging/Image.h"

#include <cstdint>
#include <filesystem>

namespace drg::imaging
{

/// True for the names the volume readers and writers take: .nii, .nii.gz, .nrrd, .nhdr, .mha, .mhd
/// (any case).
bool isVolumeFileName(const std::filesystem::path& path);
/// True for .nii and .nii.gz names.
bool isNiftiFileName(const std::filesystem::path& path);

/// Writes a label map as NIfTI-1 (.nii or .nii.gz by the name) through ITK; LPS geometry is
/// converted to the file's RAS convention by ITK. Throws drg::Error(Io) on failure.
void writeNifti(const Image<std::uint8_t>& image, const std::filesystem::path& path);

/// Writes a scalar volume as NIfTI-1 (see above).
void writeNifti(const Image<std::int16_t>& image, const std::filesystem::path& path);

/// Writes a volume as NIfTI (.nii, .nii.gz), NRRD (.nrrd, .nhdr) or MetaImage (.mha, .mhd) by the
/// name, as 16-bit integers when every value is an integer that fits, else as 32-bit floats.
/// Throws drg::Error(Unsupported) for other names, drg::Error(Io) on failure.
void writeVolumeFile(const Image<float>& image, const std::filesystem::path& path);

/// Writes an int16 volume as it is (NIfTI written straight from the buffer; NRRD/MetaImage via ITK).
void writeVolumeFile(const Image<std::int16_t>& image, const std::filesystem::path& path);

/// Reads a NIfTI, NRRD or MetaImage volume into LPS geometry (ITK converts RAS files).
Image<float> readVolumeFile(const std::filesystem::path& path);

/// Reads a NIfTI label map through ITK into LPS geometry. Throws drg::Error on failure.
Image<std::uint8_t> readNiftiLabels(const std::filesystem::path& path);

} // namespace drg::imaging
