#pragma once
// Internal: the size draws of an anatomy seed (assets/phantom/population.json).

#include "phantom/PhantomAssets.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace drg::imaging::phantom
{

/// Scales each vertebra's dimensions by the subject's size, its own proportions and a small
/// deviation per level, drawn for `seed` (0: unchanged). Returns what was drawn as JSON text.
std::string drawLevelSizes(std::vector<LevelDims>& levels, std::uint64_t seed);

/// Length (mm) of a hypoplastic twelfth rib beyond its transverse process, drawn for `seed`.
double hypoplasticRibLength(std::uint64_t seed);

} // namespace drg::imaging::phantom
