#pragma once
// Internal: the bone mask and the spinal canal, the spine model's first measures on the working
// grid. CT: the canal is a hole enclosed by bone in the axial slices; T2 MR: the CSF-bright tube.
// The canal's candidates are chained from slice to slice and the chain smoothed into the
// centreline every later stage measures in.

#include "spine/SliceMorphology.h"
#include "spine/SpineTuning.h"
#include "spine/SpineWork.h"

#include "drg/imaging/ProgressCallback.h"

#include <Eigen/Geometry>

#include <cstdint>
#include <vector>

namespace drg::imaging::spine
{

/// A bone-enclosed hole of one axial slice that could be the spinal canal.
struct CanalCandidate
{
  int k = 0;
  double x = 0, y = 0; ///< LPS centroid (mm)
  double areaMm2 = 0;
  std::vector<std::uint32_t> pixels; ///< i + nx * j within the slice
};

/// Bone mask with enclosed non-canal holes filled (1 bone, 2 filled), and canal candidates.
struct BoneAnalysis
{
  std::vector<std::uint8_t> bone;
  std::vector<CanalCandidate> candidates;
  std::vector<CanalCandidate> faintCandidates; ///< canal holes in fainter rings only (osteoporosis)
};

/// True for a hole of canal size, shape and content (CT numbers of CSF, cord and fat).
bool canalLike(const Hole& hole);
/// The hole's centroid in LPS mm as a canal candidate of slice k.
CanalCandidate candidateFrom(const Hole& hole, int k, const WorkGrid& g);
/// The candidates of all slices, in slice order.
std::vector<CanalCandidate> flatten(std::vector<std::vector<CanalCandidate>>& perSlice);
/// Bone mask and canal candidates of the work volume on the bone scale (CT numbers, or T2 mapped
/// by mapMrToBoneScale); progress from 0.1 to 0.4.
BoneAnalysis analyseBone(const WorkVolume& w, const ProgressCallback& progress);

/// T2 MR: the canal is the CSF-bright tube. Candidates are compact bright blobs of each axial slice.
std::vector<CanalCandidate> mrCanalCandidates(const WorkVolume& w, double csf);

/// T2 MR intensities mapped onto a bone-like scale (marrow reads as bone, CSF as fluid, the rest
/// as soft tissue), so that bodies, discs and pedicles are measured as on CT. Cortex is dark on T2
/// and is found as the edge of the marrow. Bowel, kidney and cord share marrow's signal: the thin
/// cortex between a body and the bowel in front of it blurs to a voxel barely darker than both, so
/// every voxel darker by 8 % of CSF than the voxels on both sides of it (one or two voxels away, in
/// any of the 13 directions) is a wall, whatever its own signal.
void mapMrToBoneScale(WorkVolume& w, double csf);

/// A canal candidate's pixels and every pixel they enclose in their slice (MR: the cord inside the
/// CSF ring).
std::vector<std::uint32_t> canalWithContents(const CanalCandidate& c, const WorkGrid& g);

/// MR marrow without its outer voxel (6-neighbourhood erosion): bridges of a voxel or two through
/// a blurred cortex, or along tissue of marrow-like signal, no longer join bone to the bowel.
void erodeOnce(std::vector<std::uint8_t>& bone, const WorkGrid& g);

/// The longest chain of candidates that continues from slice to slice: the canal.
std::vector<const CanalCandidate*> canalChain(const std::vector<CanalCandidate>& cands, double h);

/// Centreline points every 1 mm, head to foot, with their frames; the chain's positions smoothed over
/// `smoothMm` each way (`centredEnds`: over less, centred, near the chain's ends).
std::vector<CentrelinePoint> buildCentreline(const std::vector<const CanalCandidate*>& chain,
                                             const WorkGrid& g, double smoothMm, bool centredEnds);

/// Fraction of bone among samples on a (u, v) box of the plane of centreline point `p`.
double boneFraction(const WorkVolume& w, const CentrelinePoint& p, double u0, double u1, double v0, double v1,
                    double threshold = kBoneHu, double* valid = nullptr);

/// What the T2 preparation hands on.
struct T2Signal
{
  WorkVolume raw;                         ///< the resampled signal before mapping
  double csf = 0.0;                       ///< CSF signal: 90th percentile inside the canal found
  std::vector<CanalCandidate> candidates; ///< the CSF-bright canal candidates
};

/// T2 MR: finds the CSF signal and the canal's candidates in `work`, then maps `work` onto the bone
/// scale (mapMrToBoneScale) with the canal's contents (cord, roots) read as fluid. Throws
/// Error(NotFound) for a volume without signal.
T2Signal prepareT2Signal(WorkVolume& work);

/// The canal: the longest chain of `bone`'s candidates, or of those and the faint rings' (copied to
/// `allCandidates`) when that chain is clearly longer. The chain points into `bone.candidates` or
/// `allCandidates`, which must outlive it unmoved. Throws
/// Error(NotFound) when no chain runs 50 mm (or the image is too short for two vertebrae).
std::vector<const CanalCandidate*> chooseCanal(const BoneAnalysis& bone,
                                               std::vector<CanalCandidate>& allCandidates, const WorkGrid& g,
                                               bool mr);

} // namespace drg::imaging::spine
