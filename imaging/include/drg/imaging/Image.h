#pragma once

#include "drg/imaging/ImageGeometry.h"

#include <cstddef>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>
#include <vector>

namespace drg::imaging
{

namespace detail
{
/// Memory for voxel buffers: blocks of 8 MB and more are aligned to 2 MB and asked to be backed by
/// transparent huge pages, so that filling a 300 MB volume takes hundreds of page faults, not tens
/// of thousands (a third of a CT import's time otherwise). Smaller blocks come from operator new.
void* allocateVoxelMemory(std::size_t bytes);
void releaseVoxelMemory(void* p, std::size_t bytes) noexcept;

template<typename T>
struct VoxelAllocator
{
  using value_type = T;
  VoxelAllocator() = default;
  template<typename U>
  VoxelAllocator(const VoxelAllocator<U>&) noexcept
  {}
  T* allocate(std::size_t n)
  {
    if (n > static_cast<std::size_t>(-1) / sizeof(T)) {
      throw std::bad_array_new_length();
    }
    return static_cast<T*>(allocateVoxelMemory(n * sizeof(T)));
  }
  void deallocate(T* p, std::size_t n) noexcept { releaseVoxelMemory(p, n * sizeof(T)); }
  template<typename U>
  bool operator==(const VoxelAllocator<U>&) const noexcept
  {
    return true;
  }
  template<typename U>
  bool operator!=(const VoxelAllocator<U>&) const noexcept
  {
    return false;
  }
};
} // namespace detail

/// Allocator whose value-less construct() default-initialises: a vector of numbers sized with it is
/// not zero-filled, so a large volume that is about to be written in full costs no extra pass.
template<typename T, typename Base = detail::VoxelAllocator<T>>
class DefaultInitAllocator : public Base
{
public:
  using Base::Base;
  DefaultInitAllocator() = default;
  template<typename U>
  struct rebind
  {
    using other = DefaultInitAllocator<U, typename std::allocator_traits<Base>::template rebind_alloc<U>>;
  };
  template<typename U>
  void construct(U* p) noexcept(std::is_nothrow_default_constructible<U>::value)
  {
    ::new (static_cast<void*>(p)) U;
  }
  template<typename U, typename... Args>
  void construct(U* p, Args&&... args)
  {
    std::allocator_traits<Base>::construct(static_cast<Base&>(*this), p, std::forward<Args>(args)...);
  }
};

/// Tag for an Image whose voxels are left unset, for code that writes every voxel next.
struct Uninitialized
{};

/// A scalar image on an ImageGeometry, voxels stored i fastest, then j, then k.
template<typename T>
class Image
{
public:
  using Buffer = std::vector<T, DefaultInitAllocator<T>>;

  Image() = default;
  explicit Image(const ImageGeometry& geometry, T fill = T{})
    : m_geometry(geometry)
    , m_voxels(geometry.voxelCount(), fill)
  {}

  /// Voxels left unset: the caller writes every one of them next.
  Image(const ImageGeometry& geometry, Uninitialized)
    : m_geometry(geometry)
    , m_voxels(geometry.voxelCount())
  {}

  const ImageGeometry& geometry() const { return m_geometry; }
  Buffer& voxels() { return m_voxels; }
  const Buffer& voxels() const { return m_voxels; }

  T& at(std::size_t i, std::size_t j, std::size_t k) { return m_voxels[m_geometry.offset(i, j, k)]; }
  const T& at(std::size_t i, std::size_t j, std::size_t k) const
  {
    return m_voxels[m_geometry.offset(i, j, k)];
  }

private:
  ImageGeometry m_geometry;
  Buffer m_voxels;
};

} // namespace drg::imaging
