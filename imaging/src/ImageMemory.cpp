#include "drg/imaging/Image.h"

#include <cstdlib>
#include <new>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace drg::imaging::detail
{

namespace
{
constexpr std::size_t kHugePage = std::size_t{ 2 } << 20;
constexpr std::size_t kLargeBlock = std::size_t{ 8 } << 20;
} // namespace

void* allocateVoxelMemory(std::size_t bytes)
{
  if (bytes < kLargeBlock) {
    return ::operator new(bytes);
  }
  const std::size_t rounded = (bytes + kHugePage - 1) / kHugePage * kHugePage;
  void* p = std::aligned_alloc(kHugePage, rounded);
  if (p == nullptr) {
    throw std::bad_alloc();
  }
#if defined(MADV_HUGEPAGE)
  // Advice only: where transparent huge pages are off, the kernel ignores it.
  ::madvise(p, rounded, MADV_HUGEPAGE);
#endif
  return p;
}

void releaseVoxelMemory(void* p, std::size_t bytes) noexcept
{
  if (p == nullptr) {
    return;
  }
  if (bytes < kLargeBlock) {
    ::operator delete(p);
  } else {
    std::free(p);
  }
}

} // namespace drg::imaging::detail
