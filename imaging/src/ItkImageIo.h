#pragma once
// Internal bridge to ITK's image I/O. Kept free of Eigen: ITK 5.2 bundles its own Eigen, which must
// not meet the system Eigen in one translation unit.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace drg::imaging::itkio
{

/// Plain geometry: size, spacing, origin, direction (row-major 3x3, columns are the axes in LPS).
struct PlainGeometry
{
  std::array<std::size_t, 3> size{};
  std::array<double, 3> spacing{};
  std::array<double, 3> origin{};
  std::array<double, 9> direction{};
};

/// Writes the buffer as NIfTI, NRRD or MetaImage by the name (compressed for .gz, .nrrd, .mha);
/// throws drg::Error(Io).
void writeVolumeU8(const PlainGeometry& g, const std::uint8_t* data, const std::string& path);
void writeVolumeI16(const PlainGeometry& g, const std::int16_t* data, const std::string& path);

/// Writes a float volume as NIfTI (.nii/.nii.gz), NRRD (.nrrd/.nhdr) or MetaImage (.mha/.mhd), chosen
/// by the name; stored as 16-bit integers when `asInt16`, else as 32-bit floats.
void writeVolumeF32(const PlainGeometry& g, const float* data, const std::string& path, bool asInt16);

/// Reads a NIfTI, NRRD or MetaImage volume (chosen by the name) as float.
std::vector<float> readVolumeF32(const std::string& path, PlainGeometry& g);

/// Reads a NIfTI file as unsigned 8-bit; throws drg::Error(Format).
std::vector<std::uint8_t> readNiftiU8(const std::string& path, PlainGeometry& g);

} // namespace drg::imaging::itkio
