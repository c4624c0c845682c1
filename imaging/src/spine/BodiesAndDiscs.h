#pragma once
// Internal: the body profile stage. Along the canal centreline, the bone fraction of the body
// region in front of the canal is high through a vertebral body and low through a disc: its deep,
// regularly spaced minima are the discs, the runs between them the vertebrae. Beside each body the
// sacral alae and the ribs are measured for the level count.

#include "spine/SpineSegments.h"
#include "spine/SpineWork.h"

#include <vector>

namespace drg::imaging::spine
{

/// What the body profile stage hands on.
struct BodyProfile
{
  std::vector<double> profile;   ///< per centreline point (1 mm): the body region's bone fraction, smoothed
  std::vector<Run> discs;        ///< head to foot
  std::vector<Segment> segments; ///< the vertebrae between the discs, head to foot, not yet named
};

/// Bodies and discs along `line` in `work` (bone scale; `mr`: T2 mapped, narrower body region).
/// Throws Error(NotFound) when fewer than two bodies are told apart, or when bodies cover less than
/// half of the canal in view (the bone's signal was not understood) or a body is missing.
BodyProfile findBodiesAndDiscs(const WorkVolume& work, const std::vector<CentrelinePoint>& line, bool mr);

} // namespace drg::imaging::spine
