#pragma once
// Internal: what the spine model's stages measure along the centreline and hand on: runs of
// centreline points, the vertebral segments between discs, pedicle measures and ganglion places.

#include "spine/SpineWork.h"

#include <Eigen/Core>
#include <Eigen/Geometry>

#include <string>
#include <vector>

namespace drg::imaging::spine
{

/// A run of centreline indices [first, last].
struct Run
{
  int first = 0, last = 0;
  int length() const { return last - first + 1; }
  double mid() const { return 0.5 * (first + last); }
};

/// A vertebra between two discs along the centreline: its run, what was seen beside it, its level.
struct Segment
{
  Run run;
  bool topOpen = false, bottomOpen = false;
  bool sacral = false;     ///< alae beside it and fused bone below it: the sacrum's S1
  bool alae = false;       ///< bone as wide as the sacral alae beside its upper part
  double fusedBelowMm = 0; ///< how far its bone runs on below one body's height without a disc
  bool ribs = false;
  double alaLeft = 0, alaRight = 0, ribLeft = 0, ribRight = 0;
  double ribHeadLeft = 0, ribHeadRight = 0; ///< bone where rib heads meet the body (fraction)
  double rotation = 0; ///< axial rotation of the vertebra about the canal's axis (radians, towards the left)
  std::string level;
  int label = 0;
};

/// A pedicle measured in its vertebra's rotated centreline frame (u left, v anterior, mm).
struct PedicleMeasure
{
  bool found = false;
  Run run;
  double uMed = 0, uLat = 0, v = 0;
  double uReach = 0; ///< how far out the bone reaches from the medial wall (with what merges laterally)
  double top = 0,
         bottom = 0; ///< continuous centreline positions (mm, head to foot) of its upper and lower edges
  double centre() const { return 0.5 * (top + bottom); }
  double height() const { return bottom - top; }
};

/// Where a ganglion goes in its pedicle's frame: the frame moved to its height, and (u, v).
struct GanglionPlace
{
  bool found = false;
  CentrelinePoint frame;
  double u = 0, v = 0;
  double free = 0;   ///< length of the free antero-posterior interval it was placed in (mm)
  double spread = 0; ///< half the range of the antero-posterior places across its width (mm)
};

} // namespace drg::imaging::spine
