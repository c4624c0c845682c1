#pragma once

#include "drg/imaging/Image.h"

#include <Eigen/Core>

#include <cstdint>
#include <filesystem>

namespace drg::render
{

/// Camera placement for the overview.
enum class OverviewView
{
  Posterior,   ///< looking at the patient's back (as the surgeon sees a prone patient)
  LeftLateral, ///< from the patient's left
  PosteriorOblique
};

/// Renders the labelled anatomy in 3D (each vertebra in its colour, ribs, ilia, ganglia in yellow,
/// the skin semi-transparent) and writes a PNG. VTK only, no Qt: usable from the CLI and tests.
/// Debian's VTK needs an X display even offscreen: without DISPLAY this throws drg::Error
/// (Unsupported) telling to run under `xvfb-run -a`.
void renderSpineOverview(const imaging::Image<std::uint8_t>& labels, const std::filesystem::path& png,
                         OverviewView view = OverviewView::PosteriorOblique, int width = 900,
                         int height = 900, bool withSkin = true);

} // namespace drg::render
