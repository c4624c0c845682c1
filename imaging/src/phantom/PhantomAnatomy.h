#pragma once
// Internal: builds the phantom's anatomy (scene of primitives) and its analytic ground truth.

#include "phantom/PhantomScene.h"

#include "drg/imaging/AnatomyLabels.h"
#include "drg/imaging/SpinePhantom.h"

#include <map>
#include <string>
#include <vector>

namespace drg::imaging::phantom
{

namespace labels = drg::imaging::labels;
using labels::vertebraLabel;

/// The anatomy before rasterisation: scene, truth without image-dependent fields, and the extent
/// of each vertebra (for field-of-view cropping).
struct Anatomy
{
  Scene scene;
  PhantomTruth truth;
  std::map<std::string, Box> vertebraBounds; ///< LPS box of each vertebra's bone
  Box bodyBounds;                            ///< LPS box of the anatomy that must be imaged
  double airValue = -1000.0;
};

/// Builds the anatomy for `options` (pose, transitional anatomy, bone density, contrast).
Anatomy buildAnatomy(const PhantomOptions& options);

/// Extends the outline (skin) part so that it covers `box` (the imaged region).
void coverOutline(Anatomy& anatomy, const Box& box);

} // namespace drg::imaging::phantom
