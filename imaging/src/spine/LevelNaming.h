#pragma once
// Internal: the level naming stage. Levels are counted from the sacrum (S1 below the lowest mobile
// disc, where the alae are widest) and checked against the lowest rib-bearing vertebra; without a
// sacrum from the lowest ribs; on T2 MR without either from the conus medullaris. The user's shift
// or declared transitional anatomy is applied last, and the sacrum below S1 is cut from S1. A
// vertebra the user named replaces the count; the image's anchors then check it.

#include "spine/SpineSegments.h"
#include "spine/SpineWork.h"

#include "drg/imaging/SpineModel.h"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace drg::imaging::spine
{

/// How the levels were counted.
struct LevelCount
{
  std::string anchor;                ///< "sacrum", "lowest ribs", "conus medullaris" (+ the user's shift)
  std::string anchorDetail;          ///< what was found, in words
  bool anchorsDisagree = false;      ///< the ribs contradict the count from the sacrum
  bool transitionalCount = false;    ///< six vertebrae without ribs above the sacrum (undeclared)
  std::vector<std::string> warnings; ///< for the user, in order
  LevelCheck check;                  ///< how far the names can be trusted
};

/// A warning when the disc above S1 is under half as high as the median of the discs above it: the
/// rudimentary disc of a transitional lumbosacral vertebra (or a degenerated disc); nothing else.
std::optional<std::string> thinLumbosacralDisc(const std::vector<SpineDisc>& discs);

/// The standard sequence of level names, head to foot, with the declared transitional anatomy.
std::vector<std::string> levelSequence(bool t13, bool l6);

/// Names `segments` (head to foot, from findBodiesAndDiscs) in place: `level` and `label` set, the
/// sacrum's segments merged and cut from S1 at the S1/S2 remnant of `profile`. `conus` gives the
/// segment above the disc nearest to the conus tip (T2 MR; asked only when neither sacrum nor ribs
/// are found, before any segment is renamed, merged or cut, so it may read `segments`). With the
/// user's anchor (`user.anchorAt`), `userSegment` is the segment holding its point: the levels are
/// counted from it and checked against the image's own anchors. Throws Error(NotFound) when no
/// anchor is in view, Error(InvalidArgument) for an anchor level outside the spine's sequence.
LevelCount nameLevels(std::vector<Segment>& segments, const std::vector<double>& profile,
                      const SpineLabelOverride& user, bool mr,
                      const std::function<std::optional<int>()>& conus,
                      std::optional<int> userSegment = std::nullopt);

/// Vertebrae whose volume is implausible beside their neighbours' (over 1.6 times the largest or under
/// 0.55 times the smallest complete one within two levels; neighbouring vertebrae differ by 10-20 %):
/// two vertebrae merged into one, or one split, shifts every name above it. Each as a reason, in
/// words; none for the sacrum or a vertebra the field of view cuts.
std::vector<std::string> implausibleVertebrae(const std::vector<SpineVertebra>& vertebrae);

/// T2 MR: the segment above the disc nearest to the conus tip (where the cord, a dark core in the
/// bright CSF of `raw`, tapers and ends), or nullopt when no cord is seen.
std::optional<int> conusSegment(const WorkVolume& raw, const std::vector<CentrelinePoint>& line,
                                const std::vector<Run>& discs, const std::vector<Segment>& segments);

} // namespace drg::imaging::spine
