#pragma once

#include <functional>

namespace drg::imaging
{

/// Progress in [0, 1]; return false to cancel (the call then throws drg::Error(Cancelled)).
using ProgressCallback = std::function<bool(double)>;

} // namespace drg::imaging
