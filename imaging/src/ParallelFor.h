#pragma once
// Internal: the one worker pool of the imaging library (phantom slices, DICOM files).

#include "drg/imaging/ProgressCallback.h"

#include <cstddef>
#include <functional>
#include <string>

namespace drg::imaging
{

/// Runs `body(i)` for every i in [0, n) on up to `maxThreads` threads (0: all cores). The first
/// exception stops the remaining items and is rethrown in the caller. `progress` gets the fraction
/// of items done (called from the calling thread only); returning false cancels the rest and throws
/// drg::Error(Cancelled, cancelMessage).
void parallelFor(std::size_t n, const std::function<void(std::size_t)>& body,
                 const ProgressCallback& progress = {}, const std::string& cancelMessage = "cancelled",
                 unsigned maxThreads = 0);

} // namespace drg::imaging
