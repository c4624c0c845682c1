#pragma once
// Internal: metal artefacts of the phantom's implants (MetalArtefacts.cpp).

#include "drg/imaging/Image.h"

#include <cstdint>

namespace drg::imaging::phantom
{

/// Adds the artefacts of the metal voxels (labels::isMetal) to `values`, slice by slice in
/// the acquisition plane: CT streaks and dark bands (`ct`), or MR signal voids. Stored values stay
/// within [lo, hi]. Deterministic for equal `seed`.
void addMetalArtefacts(Image<std::int16_t>& values, const Image<std::uint8_t>& labels, bool ct,
                       std::uint64_t seed, double lo, double hi);

} // namespace drg::imaging::phantom
