#include "drg/imaging/NiftiIo.h"

#include "ItkImageIo.h"
#include "NiftiWriter.h"

#include <algorithm>
#include <cctype>
#include <cmath>

namespace drg::imaging
{
namespace
{

itkio::PlainGeometry plain(const ImageGeometry& g)
{
  itkio::PlainGeometry p;
  for (int a = 0; a < 3; ++a) {
    p.size[static_cast<std::size_t>(a)] = g.size[static_cast<std::size_t>(a)];
    p.spacing[static_cast<std::size_t>(a)] = g.spacing[a];
    p.origin[static_cast<std::size_t>(a)] = g.origin[a];
    for (int b = 0; b < 3; ++b) {
      p.direction[static_cast<std::size_t>(a * 3 + b)] = g.direction(a, b);
    }
  }
  return p;
}

} // namespace

void writeNifti(const Image<std::uint8_t>& image, const std::filesystem::path& path)
{
  itkio::writeVolumeU8(plain(image.geometry()), image.voxels().data(), path.string());
}

void writeNifti(const Image<std::int16_t>& image, const std::filesystem::path& path)
{
  writeVolumeFile(image, path);
}

void writeVolumeFile(const Image<std::int16_t>& image, const std::filesystem::path& path)
{
  if (isNiftiFileName(path)) {
    writeNiftiStreaming(image, path);
    return;
  }
  itkio::writeVolumeI16(plain(image.geometry()), image.voxels().data(), path.string());
}

namespace
{

bool nameEndsWith(const std::filesystem::path& path, const std::string& tail)
{
  std::string name = path.filename().string();
  if (name.size() < tail.size()) {
    return false;
  }
  return std::equal(tail.rbegin(), tail.rend(), name.rbegin(), [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
  });
}

} // namespace

bool isNiftiFileName(const std::filesystem::path& path)
{
  return nameEndsWith(path, ".nii") || nameEndsWith(path, ".nii.gz");
}

bool isVolumeFileName(const std::filesystem::path& path)
{
  for (const char* ext : { ".nii", ".nii.gz", ".nrrd", ".nhdr", ".mha", ".mhd" }) {
    if (nameEndsWith(path, ext)) {
      return true;
    }
  }
  return false;
}

static ImageGeometry fromPlain(const itkio::PlainGeometry& p)
{
  ImageGeometry g;
  for (int a = 0; a < 3; ++a) {
    g.size[static_cast<std::size_t>(a)] = p.size[static_cast<std::size_t>(a)];
    g.spacing[a] = p.spacing[static_cast<std::size_t>(a)];
    g.origin[a] = p.origin[static_cast<std::size_t>(a)];
    for (int b = 0; b < 3; ++b) {
      g.direction(a, b) = p.direction[static_cast<std::size_t>(a * 3 + b)];
    }
  }
  return g;
}

Image<std::uint8_t> readNiftiLabels(const std::filesystem::path& path)
{
  itkio::PlainGeometry p;
  std::vector<std::uint8_t> data = itkio::readNiftiU8(path.string(), p);
  Image<std::uint8_t> out(fromPlain(p), Uninitialized{});
  out.voxels().assign(data.begin(), data.end());
  return out;
}

void writeVolumeFile(const Image<float>& image, const std::filesystem::path& path)
{
  bool integral = true;
  for (float v : image.voxels()) {
    if (v != std::floor(v) || v < -32768.0f || v > 32767.0f) {
      integral = false;
      break;
    }
  }
  if (isNiftiFileName(path)) {
    writeNiftiStreaming(image, path, integral); // no second copy of the volume
    return;
  }
  itkio::writeVolumeF32(plain(image.geometry()), image.voxels().data(), path.string(), integral);
}

Image<float> readVolumeFile(const std::filesystem::path& path)
{
  itkio::PlainGeometry p;
  std::vector<float> data = itkio::readVolumeF32(path.string(), p);
  Image<float> out(fromPlain(p), Uninitialized{});
  out.voxels().assign(data.begin(), data.end());
  return out;
}

} // namespace drg::imaging
