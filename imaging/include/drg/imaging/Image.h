#pragma once

#include "drg/imaging/ImageGeometry.h"

#include <vector>

namespace drg::imaging
{

/// A scalar image on an ImageGeometry, voxels stored i fastest, then j, then k.
template<typename T>
class Image
{
public:
  Image() = default;
  explicit Image(const ImageGeometry& geometry, T fill = T{})
    : m_geometry(geometry)
    , m_voxels(geometry.voxelCount(), fill)
  {}

  const ImageGeometry& geometry() const { return m_geometry; }
  std::vector<T>& voxels() { return m_voxels; }
  const std::vector<T>& voxels() const { return m_voxels; }

  T& at(std::size_t i, std::size_t j, std::size_t k) { return m_voxels[m_geometry.offset(i, j, k)]; }
  const T& at(std::size_t i, std::size_t j, std::size_t k) const
  {
    return m_voxels[m_geometry.offset(i, j, k)];
  }

private:
  ImageGeometry m_geometry;
  std::vector<T> m_voxels;
};

} // namespace drg::imaging
