#pragma once
// Internal: a slice of the planned images through a lead's target, the plan drawn on it.

#include "drg/imaging/Image.h"
#include "drg/imaging/OrthogonalSlicer.h"
#include "drg/planning/Plan.h"

#include <QImage>

#include <cstddef>

namespace drg::report
{

/// A `plane` slice (120 mm square, 0.5 mm pixels) through the target of lead `lead`, every planned
/// lead drawn on it (CT in the bone window, MR in its own range), as an image `sizePx` square.
QImage planSlice(const imaging::Image<float>& volume, bool isCt, const planning::Plan& plan, std::size_t lead,
                 imaging::SlicePlane plane, int sizePx);

} // namespace drg::report
