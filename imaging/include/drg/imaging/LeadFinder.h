#pragma once
// Finds implanted DRG leads on a post-operative CT: their ring contacts as the brightest compact
// metal, chained at the lead's contact spacing; thick metal (pedicle screws, rods, the generator,
// cement) is set aside first.

#include "drg/imaging/Image.h"

#include <Eigen/Core>

#include <string>
#include <vector>

namespace drg::imaging
{

/// What a lead looks like (from the device catalog) and the thresholds of the search.
struct LeadFinderOptions
{
  int contactCount = 4;
  double contactSpacingMm = 5.0; ///< centre to centre
  double contactLengthMm = 1.25;
  double diameterMm = 1.0;
  /// A voxel at least this dense is metal. Platinum-iridium contacts reach the top of the CT scale
  /// (3071 HU stored) even when they fill a tenth of a voxel; compact bone stays below about 2000.
  double metalHu = 2000.0;
  /// Metal at least this deep inside its blob (mm) is thick: a screw, a rod, the generator, cement;
  /// a contact (1 mm across) never is.
  double thickCoreMm = 1.6;
  /// Metal within this distance of a thick core belongs to the thick object.
  double thickReachMm = 2.6;
};

/// A lead found in the image (positions LPS mm of the image searched).
struct FoundLead
{
  /// Contact centres along the lead, in chain order (one end to the other; which end is distal is
  /// told by `distalFirst` when the body shows, else the caller's to decide)
  std::vector<Eigen::Vector3d> contacts;
  /// Blob volume (mm^3) of each contact's metal, for judging a missing or merged contact
  std::vector<double> blobVolumeMm3;
  /// Mean CT number just beyond each end of the array, along it (the body continues proximally;
  /// the distal end has only its 1 mm tip): front() is beyond contacts.front(), back() beyond back()
  double beyondFirstHu = 0.0, beyondLastHu = 0.0;
  /// True when the body's evidence says contacts.front() is the distal end; false when it says the
  /// other end; see `orientationKnown`
  bool distalFirst = true;
  bool orientationKnown = false;
  double lineRmsMm = 0.0; ///< scatter of the contacts about their line
};

struct LeadSearch
{
  std::vector<FoundLead> leads;
  int metalBlobs = 0;     ///< compact metal blobs seen (contacts and anything like them)
  int thickObjects = 0;   ///< thick metal objects set aside (screws, rods, generator, cement)
  int unchainedBlobs = 0; ///< compact blobs that joined no lead (noise, dense bone, loose metal)
};

/// Finds the leads in a CT volume (HU). Deterministic; runs in a second or two on 512^3.
LeadSearch findLeads(const Image<float>& ct, const LeadFinderOptions& options = {});

} // namespace drg::imaging
