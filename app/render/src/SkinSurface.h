#pragma once
// Internal: the skin of a case, the outline of the body on a coarse grid.

#include "drg/imaging/Image.h"
#include "drg/render/SpineScene.h"

#include <vtkPolyData.h>
#include <vtkSmartPointer.h>
#include <vtkTransform.h>

#include <cstdint>
#include <functional>

namespace drg::render
{

/// The skin: the body on a grid of about `options.skinGridMm`. With `ct` (the labels' CT, same grid),
/// the blocks averaging above -400 HU, then their largest connected part (not the table); otherwise
/// every labelled block. Then what that encloses in each slice across the axis closest to head-foot
/// (a body cut by the field of view stays closed there). Contoured to `options.skinDetailMm` and
/// placed in LPS by `transform`. Null when the outline encloses nothing (labels only: a cropped slab,
/// a body cut by the field of view). `tick` is told the progress (0.85 once the grid is marked).
vtkSmartPointer<vtkPolyData> buildSkinSurface(const imaging::Image<std::uint8_t>& labels,
                                              const imaging::Image<float>* ct, const SurfaceOptions& options,
                                              vtkTransform* transform, const std::function<void(double)>& tick);

} // namespace drg::render
