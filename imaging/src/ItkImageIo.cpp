// The one translation unit that instantiates ITK's image I/O templates (they are slow to compile).
#include "ItkImageIo.h"

#include "drg/imaging/Error.h"

#include <itkImage.h>
#include <itkImageFileReader.h>
#include <itkImageFileWriter.h>
#include <itkMetaImageIO.h>
#include <itkNiftiImageIO.h>
#include <itkNrrdImageIO.h>

#include <algorithm>

namespace drg::imaging::itkio
{
namespace
{

bool endsWith(const std::string& s, const std::string& tail)
{
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

/// The ITK reader/writer for a file name; throws drg::Error(Unsupported) for other extensions.
itk::ImageIOBase::Pointer ioFor(const std::string& path)
{
  if (endsWith(path, ".nii") || endsWith(path, ".nii.gz")) {
    return itk::NiftiImageIO::New().GetPointer();
  }
  if (endsWith(path, ".nrrd") || endsWith(path, ".nhdr")) {
    return itk::NrrdImageIO::New().GetPointer();
  }
  if (endsWith(path, ".mha") || endsWith(path, ".mhd")) {
    return itk::MetaImageIO::New().GetPointer();
  }
  throw Error(ErrorCode::Unsupported,
              "'" + path + "': unknown volume format (use .nii, .nii.gz, .nrrd, .nhdr, .mha or .mhd)");
}

template<typename T>
typename itk::Image<T, 3>::Pointer toItk(const PlainGeometry& g, const T* data)
{
  using ItkImage = itk::Image<T, 3>;
  auto out = ItkImage::New();
  typename ItkImage::RegionType region;
  typename ItkImage::SizeType size;
  typename ItkImage::SpacingType spacing;
  typename ItkImage::PointType origin;
  typename ItkImage::DirectionType direction;
  for (unsigned a = 0; a < 3; ++a) {
    size[a] = g.size[a];
    spacing[a] = g.spacing[a];
    origin[a] = g.origin[a];
    for (unsigned b = 0; b < 3; ++b) {
      direction(a, b) = g.direction[a * 3 + b];
    }
  }
  region.SetSize(size);
  out->SetRegions(region);
  out->SetSpacing(spacing);
  out->SetOrigin(origin);
  out->SetDirection(direction);
  out->Allocate();
  std::copy(data, data + g.size[0] * g.size[1] * g.size[2], out->GetBufferPointer());
  return out;
}

template<typename T>
void write(const PlainGeometry& g, const T* data, const std::string& path)
{
  using ItkImage = itk::Image<T, 3>;
  try {
    auto writer = itk::ImageFileWriter<ItkImage>::New();
    writer->SetImageIO(ioFor(path));
    writer->SetFileName(path);
    writer->SetInput(toItk(g, data));
    writer->SetUseCompression(endsWith(path, ".gz") || endsWith(path, ".nrrd") || endsWith(path, ".mha"));
    writer->Update();
  } catch (const itk::ExceptionObject& e) {
    throw Error(ErrorCode::Io, "cannot write NIfTI " + path + ": " + e.GetDescription());
  }
}

} // namespace

void writeVolumeU8(const PlainGeometry& g, const std::uint8_t* data, const std::string& path)
{
  write(g, data, path);
}

void writeVolumeI16(const PlainGeometry& g, const std::int16_t* data, const std::string& path)
{
  write(g, data, path);
}

template<typename T>
std::vector<T> read(const std::string& path, PlainGeometry& g)
{
  using ItkImage = itk::Image<T, 3>;
  try {
    auto reader = itk::ImageFileReader<ItkImage>::New();
    reader->SetImageIO(ioFor(path));
    reader->SetFileName(path);
    reader->Update();
    typename ItkImage::Pointer img = reader->GetOutput();
    auto size = img->GetLargestPossibleRegion().GetSize();
    for (unsigned a = 0; a < 3; ++a) {
      g.size[a] = size[a];
      g.spacing[a] = img->GetSpacing()[a];
      g.origin[a] = img->GetOrigin()[a];
      for (unsigned b = 0; b < 3; ++b) {
        g.direction[a * 3 + b] = img->GetDirection()(a, b);
      }
    }
    std::size_t n = size[0] * size[1] * size[2];
    return std::vector<T>(img->GetBufferPointer(), img->GetBufferPointer() + n);
  } catch (const itk::ExceptionObject& e) {
    throw Error(ErrorCode::Format, "cannot read NIfTI " + path + ": " + e.GetDescription());
  }
}

std::vector<std::uint8_t> readNiftiU8(const std::string& path, PlainGeometry& g)
{
  return read<std::uint8_t>(path, g);
}

std::vector<float> readVolumeF32(const std::string& path, PlainGeometry& g)
{
  return read<float>(path, g);
}

void writeVolumeF32(const PlainGeometry& g, const float* data, const std::string& path, bool asInt16)
{
  if (asInt16) {
    std::size_t n = g.size[0] * g.size[1] * g.size[2];
    std::vector<std::int16_t> v(n);
    for (std::size_t i = 0; i < n; ++i) {
      v[i] = static_cast<std::int16_t>(data[i]);
    }
    write(g, v.data(), path);
  } else {
    write(g, data, path);
  }
}

} // namespace drg::imaging::itkio
