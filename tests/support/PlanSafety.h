#pragma once
// A planned lead measured against a phantom's truth label map (not the spine model the planner
// saw): how much of the needle and the epidural route runs through bone or the no-go structures
// (dural sac, spinal cord, cauda equina), where the needle's tip lies, how tight the whole path
// bends and how much of the truth ganglion the contacts cover.

#include "drg/imaging/Image.h"
#include "drg/imaging/SpinePhantom.h"
#include "drg/planning/Plan.h"

#include <Eigen/Core>

#include <string>
#include <vector>

namespace drg::test
{

/// What one lead does to the truth anatomy. Lengths in mm, sampled every 0.25 mm.
struct LeadSafety
{
  std::string name;
  bool planned = false;
  std::string problem;     ///< why the planner refused the lead
  double needleBoneMm = 0; ///< needle (its whole width) through truth bone
  double needleNoGoMm = 0; ///< needle (its axis) through sac, cord or cauda equina
  int entryLabel = -1;     ///< truth label at the epidural entry
  double entryFatMm = 0;   ///< the entry's depth in truth epidural fat: distance to the nearest non-fat voxel
  double routeBoneMm = 0;  ///< route up to the contacts through truth bone
  double routeNoGoMm = 0;  ///< route up to the contacts through sac, cord or cauda equina
  double tightestBendMm =
    0; ///< whole path (needle, exit from its tip, route), circles through points 2 mm apart
  /// where the tightest bend lies: mm along the path past the needle's tip (negative: on the needle)
  double tightestBendPastTipMm = 0;
  /// ... and how far before the contact array's proximal edge (mm along the route)
  double tightestBendBeforeContactsMm = 0;
  double sheathRadiusMm = 0;
  double coverage = 0; ///< of the truth ganglion
  double skinAngleDeg = 0;

  /// True when the lead meets issue 20's acceptance: needle 0 mm through bone and no-go, entry in
  /// fat, route at most 1 mm through no-go and 0.5 mm through bone, no bend tighter than the
  /// sheath, contacts over at least 80 % of the ganglion.
  bool safe() const;
  /// What is wrong, for the test's message ("" when safe or refused).
  std::string failures() const;
};

/// Measures `lead` against the phantom's truth labels and ganglia.
LeadSafety measureLeadSafety(const imaging::PhantomCase& phantom, const planning::LeadPlan& lead,
                             const planning::DeviceCatalog& catalog);

/// Tightest bend (mm) of a path: the smallest circle through three points `span` mm apart along
/// it, the path resampled every 0.25 mm; 1e9 for a straight path. Written here apart from the
/// planner's own measure, so that a test checks the planner's number against an independent one.
/// `at`, when given, gets the middle point's distance (mm) along the path from its start.
double tightestBend(const std::vector<Eigen::Vector3d>& path, double span, double* at = nullptr);

/// One line for a table of leads.
std::string safetyRow(const LeadSafety& s);

} // namespace drg::test
