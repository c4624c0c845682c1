#pragma once
// Internal: the spine model's analysis of one volume, CT or T2 MR. The driver (run, in
// SpineAnalysis.cpp) reads as the pipeline: working grid -> bone and canal -> body profile, discs and
// level names -> vertebra growth -> pedicles -> foramina and ganglia -> skin, landmarks and label
// map. The first stages are free functions (Canal.h, BodiesAndDiscs.h, LevelNaming.h); the later
// ones share the label map they refine and are this class's methods, one stage a file; T2-only
// steps live in files named ...OnT2.cpp.

#include "spine/Canal.h"
#include "spine/LevelNaming.h"
#include "spine/SpineSegments.h"
#include "spine/SpineWork.h"

#include "DrgPriors.h"

#include "drg/imaging/AnatomyLabels.h"
#include "drg/imaging/SpineModel.h"

#include <Eigen/Core>
#include <Eigen/Geometry>

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace drg::imaging::spine
{
using Eigen::Vector3d;

/// Builds one SpineModel from a CT or T2 MR volume (LPS mm); `mr` selects the T2 steps.
class SpineAnalysis
{
public:
  SpineAnalysis(const Image<float>& volume, const SpineModelOptions& options,
                const ProgressCallback& progress, bool mr)
    : m_input(volume)
    , m_options(options)
    , m_progress(progress)
    , m_mr(mr)
  {}

  // the canal chain points into m_bone's and m_allCandidates' buffers: never copied or moved
  SpineAnalysis(const SpineAnalysis&) = delete;
  SpineAnalysis& operator=(const SpineAnalysis&) = delete;

  /// Runs every stage; throws Error (NotFound, Cancelled) with the reason when there is no model.
  SpineModel run();

private:
  /// The segment (from findBodiesAndDiscs) at the height of `p` along the canal: the user's anchor
  /// point. Throws Error(InvalidArgument) for a point far from the spine or in a disc.
  int segmentHolding(const Vector3d& p) const;
  /// Stage 1: the working grid, the bone mask, the canal and its centreline.
  void findBoneAndCanal();
  void report(double f);

  /// Vertebra labels by geodesic growth through the bone from each body.
  void growVertebrae();

  /// MR: how far in front of the canal's centre each body's marrow ends (the median over its middle
  /// rows and columns of where marrow meets a wall or other tissue, plus 2 mm of cortex). Where the bowel
  /// lies against a body, the thin cortex between them blurs away and the marrow seems to run on: those rows
  /// are a minority, and the body's own depth bounds its growth there. A ray whose first run of marrow is
  /// under 10 mm deep is not counted (a body is 20-35 mm deep): the top vertebra's rows above its
  /// body hold only the marrow-like tissue just in front of the canal, and would put its front
  /// too far back. A ray counts by its first run of marrow only.
  void measureBodyFronts();

  /// MR: the space between each pedicle and the next one down, beside the canal, in line with
  /// the pedicles: the foramen, which holds no bone. On T2 the ganglion and the roots there share
  /// marrow's signal and would otherwise grow into the vertebra above them (the foramen's free
  /// space, and so the ganglion's place, would be lost).
  void markForaminalSpace();

  /// In front of the canal's centre in its slice (mm, along the centreline's anterior).
  double anteriorOf(std::size_t q) const;

  /// The vertebrae just above and just below a disc (either may be missing).
  std::pair<const Segment*, const Segment*> segmentsAround(const Run& disc) const;

  /// A disc's plane bounding the bodies above and below it.
  struct Plane
  {
    bool set = false;
    Vector3d centre, normal, anterior;
    bool whole = false; ///< bounds the arch too (S1 and the sacrum: fused, no overlapping processes)
  };
  std::vector<std::array<Plane, 2>> m_bounds; ///< per label: upper and lower bound

  /// The discs' planes bound each body: growth never crosses one in front of the canal (partial
  /// volume and narrow discs would otherwise join neighbouring bodies); behind the canal the
  /// spinous processes rightly reach below their own disc.
  void computeDiscBounds();

  /// True when voxel q may carry `label` (inside its disc planes).
  bool allowedByDiscs(std::size_t q, int label) const;

  /// Index of the centreline point nearest to `q`.
  int nearestLineIndex(const Vector3d& q) const;

  /// Labels the domain's bone by growing from seeds: the bodies, and with `arches` also the pedicles
  /// and laminae measured so far (so that the posterior elements go to their own vertebra).
  void grow(bool arches);

  /// Cancellous bone fainter than the bone threshold (older patients) and the blurred edges of
  /// thick slices: unlabelled voxels above the disc's intensity that touch a vertebra join it,
  /// up to 3 mm out.
  void absorbFaintBone();

  /// Marrow enclosed by a vertebra's own bone in an axial slice belongs to it, however faint.
  void fillVertebraHoles();

  /// Marrow enclosed by S1's or the sacrum's own bone in planes across the canal. S1 is the most
  /// tilted body (sacral slope 30-65 degrees; lumbar bodies lie within about 20 degrees of axial)
  /// and is fused to the sacrum below a slanted cut: axial slices cross it obliquely, its ring there
  /// is part sacrum (or ends at the cut) and encloses nothing, while a plane across the canal
  /// follows its endplates. (The lumbar bodies' axial rings already enclose their marrow.)
  void fillBodyHolesAcrossCanal();

  /// T2 MR: a vertebra reaches no further along the canal than half its height above its body
  /// and its height below it (the spinous process slopes down over the next level). Where the
  /// paraspinal muscles share marrow's signal (the real T2 slab) the arch's growth ran through
  /// them along the whole slab: one level labelled from T9 to L3 behind the spine.
  void confineAlongCanal();

  void describeVertebrae(SpineModel& model);

  /// True when the LPS point is bone (trilinear value at the edge threshold) of vertebra `label`.
  bool boneOf(const Vector3d& p, int label, double threshold) const;

  /// True when the nearest voxel is bone (cortex or filled marrow) of vertebra `label`.
  bool filledBoneOf(const Vector3d& p, int label) const;

  /// Per row of a vertebra (centreline point), one side's pedicle: medial wall, lateral wall, the
  /// bone's reach and its antero-posterior middle (mm in the rotated frame; -1 where none).
  struct PedicleRows
  {
    std::vector<double> uMed, uLat, uReach, vMid;
  };
  /// The body's posterior wall (the canal's anterior wall) in the vertebra's frame (v, mm): one
  /// value for the vertebra (the median of its rows), nullopt when no row sees it.
  std::optional<double> bodyBackWall(const Segment& seg) const;
  /// The pedicle's walls in each row of `seg`, just behind the body's wall at `vBody`.
  PedicleRows measurePedicleRows(const Segment& seg, double side, double minMedial, double vBody) const;
  /// The rows that make the pedicle (into best.run); false when too few do.
  bool choosePedicleRun(const Segment& seg, const PedicleRows& measured, PedicleMeasure& best) const;
  /// The pedicle's edge from `through` along c's tangent (dir +1 up, -1 down): the half-maximum
  /// crossing once the bone is left (T2: its dark cortex), in mm; `fallback` when not found.
  double pedicleEdge(const CentrelinePoint& c, const Vector3d& through, double dir, double fallback) const;

  /// Pedicle of one vertebra and side: the bony bridge beside the canal at the canal's AP level.
  /// Edges are found on the interpolated intensities at the bone threshold (between soft tissue and cortex).
  /// `minMedial`: bone nearer the canal's centre (mm) is not the pedicle's medial wall.
  PedicleMeasure measurePedicle(const Segment& seg, double side, double minMedial) const;

  /// The centreline frame turned about its axis by a vertebra's axial rotation (scoliosis): its
  /// "anterior" then points through the vertebra's own body.
  static CentrelinePoint rotated(CentrelinePoint p, double angle);

  /// Axial rotation of each vertebra: the direction from the canal to the centre of its body bone.
  void estimateRotations();

  /// Centreline point at a continuous position (mm from the head end), interpolated.
  CentrelinePoint pointAt(double n) const;

  /// The vertebrae grown again with the neural arches measured so far as seeds (T2 MR: the foramina
  /// between the pedicles marked first, where nothing grows).
  void growFromArches();

  /// Measures each vertebra's pedicles (`missingOnly`: those not found before); returns how many
  /// were found.
  int measurePedicles(bool missingOnly);

  /// T2 MR: how far the thecal sac (the canal chain's CSF blobs) reaches to one side of the canal's
  /// centre across a vertebra's rows, through its middle (|v| <= 4 mm): a robust low value over the
  /// rows (root sleeves in the foramina widen a few), in mm to the outermost CSF voxel's centre. The
  /// pedicles wall the canal that holds the sac, so their medial walls lie beyond it.
  double sacHalfWidth(const Segment& seg, double side) const;

  /// The measured pedicles into the model; a warning for each one not found.
  void publishPedicles(SpineModel& model);

  /// True when the voxel nearest to `q` or one of its 6 neighbours carries a vertebra's label.
  bool nearVertebra(const Vector3d& q) const;

  /// True when the voxel nearest to `p` or one of its 6 face neighbours has a label `accept` takes.
  template<typename Accept>
  bool labelAround(const Vector3d& p, Accept accept) const
  {
    const WorkGrid& g = m_work.grid;
    const Vector3d c = g.continuousIndex(p);
    const int i = static_cast<int>(std::lround(c.x())), j = static_cast<int>(std::lround(c.y())),
              k = static_cast<int>(std::lround(c.z()));
    if (g.inside(i, j, k) && accept(m_labels[g.index(i, j, k)])) {
      return true;
    }
    for (const auto& o : kFaces) {
      if (g.inside(i + o[0], j + o[1], k + o[2]) && accept(m_labels[g.index(i + o[0], j + o[1], k + o[2])])) {
        return true;
      }
    }
    return false;
  }

  /// The ganglion's place by the priors, below its pedicle: in the dorsal part of the foramen's free
  /// interval (S1: just behind the canal's front wall). The foramen's walls are the vertebrae's
  /// bone: soft tissue that noise lifts above the wall level, ribs and other bone are not walls.
  GanglionPlace placeGanglion(const Segment& seg, const PedicleMeasure& ped, const DrgLevelPrior& prior,
                              double side, bool sacral) const;

  /// T2 MR: the foramen's walls for measuring its free space (vertebrae 400, dark tissue 150, the
  /// rest -50), since the ganglion and the roots share marrow's signal.
  void markMrWalls();
  /// The foramen between `ped` and the next pedicle down (`next`, of `below`) on one side, added to
  /// the model when it has a height: its centre, free width and boundary in the foramen's plane.
  void measureForamen(SpineModel& model, const Segment& seg, const Segment& below, const PedicleMeasure& ped,
                      const PedicleMeasure& next, double side, const WorkVolume& walls) const;
  /// One side's ganglion (s 0 left, 1 right) placed by the priors at `places[s]`, with its
  /// uncertainty ellipsoid, zone and confidence.
  DrgEstimate ganglionByPriors(const Segment& seg, const PedicleMeasure& ped, const DrgLevelPrior& prior,
                               const std::array<GanglionPlace, 2>& places, int s, bool sacral) const;

  void measureForaminaAndGanglia(SpineModel& model);

  /// The zone of a ganglion the image moved, from where it now lies across its pedicle's lines
  /// (`frame`: the pedicle's frame it was placed in); it changes only where the ganglion lies
  /// clearly (2 mm) across a line: nearer, the line's own measure is as uncertain.
  static void rezone(DrgEstimate& d, const CentrelinePoint& frame, const PedicleMeasure& ped, double side);

  /// T2 MR, one side of a level refined from the image and the other not (no piece of its own, or
  /// S1's outside its ellipsoid): both sides' priors come from the same measures (the pedicles'
  /// heights averaged, the same rules), so the refined side's correction, taken in its pedicle's
  /// frame (outwards, forwards, up) and mirrored into the other's, moves the other side too, when it
  /// stays inside that side's ellipsoid. Its confidence drops by a fifth; the ellipsoid keeps its
  /// size and axes; the zone follows as for a refined ganglion.
  void mirrorRefinement(SpineModel& model, std::size_t si, const std::array<GanglionPlace, 2>& places,
                        const std::array<std::ptrdiff_t, 2>& placed, const std::array<Vector3d, 2>& byPriors,
                        const std::array<bool, 2>& refined);

  /// A ganglion whose pedicle was not found is placed where its neighbours' ganglia lie on the same
  /// side, relative to their own vertebrae (position along the body, across and along the canal's
  /// frame), averaged over the level above and below; its ellipsoid is half as large again and its
  /// confidence halved, and on MR it is refined from the image like the others. Not for S1 (its
  /// ganglion lies inside the canal, unlike its neighbours') nor beyond the levels found.
  void placeFromNeighbours(SpineModel& model);

  /// T2 MR: the ganglion near the estimate's centre by the priors, seen as a compact piece of
  /// intermediate signal (0.38-0.58 of CSF: below fat and nucleus, above muscle and cortex) that is
  /// not a vertebra's, against the bright foraminal fat. Sampled from the input at 1 mm (each sample
  /// averaged over 0.5 mm) in a 21 mm cube round the prior; the band's voxels a millimetre away from
  /// the vertebrae, eroded by a millimetre (partial volume between fat and muscle makes thin sheets
  /// of the same signal); pieces of 4-10 (by the level's ganglion size) to 300 samples whose
  /// 2 mm shell is at least 5 % fat (0.56-0.85 of CSF: brighter is CSF, a root's sleeve; thoracic
  /// foramina hold little fat, so a higher share would refuse their ganglia; muscle's pieces have
  /// none) and which
  /// come within 12 mm of the prior; the best by fat around it less a tenth of its distance (pieces
  /// the cube's faces cut are kept: refusing them lost ganglia whose piece reaches along the root).
  /// None: nullopt (the prior stands).
  /// `inForamen` (when given) rejects a piece whose centre cannot be the ganglion.
  std::optional<Vector3d> ganglionOnT2(const DrgEstimate& estimate,
                                       const std::function<bool(const Vector3d&)>& inForamen = {}) const;

  /// Trilinear value of the input volume at an LPS point (NaN outside).
  double sampleInput(const ImageGeometry& ig, const Vector3d& p) const;

  /// The body outline (skin) and the landmarks pocket planning needs: iliac crest tops, ASIS,
  /// lowest rib tips, lower abdominal wall and upper outer buttock (skin points beside the midline).
  void findSkinAndLandmarks(SpineModel& model);

  /// Per label: the median input value of its inner voxels (all six neighbours in it), NaN for a
  /// label with fewer than 20.
  std::array<double, 256> innerMedians(const Image<std::uint8_t>::Buffer& out,
                                       const std::array<bool, 256>& isVertebra) const;

  /// T2 MR: processes too thin for the working grid (transverse processes, thin laminae: partial
  /// volume with the dark muscle round them darkens them below marrow there) are grown at the
  /// input's resolution, through faces, from all vertebrae at once (nearest first, so a contested
  /// voxel goes to the nearer one) through unlabelled marrow-like voxels (0.7-1.4 of the vertebra's
  /// inner median), up to 15 mm along the path in millimetres (slices may be thicker than the
  /// pixels), no more than 5 mm in front of the canal's centre, never into the canal, what is near
  /// it or within 5 mm of its centre, or into a foramen between measured pedicles (the roots and
  /// ganglia share marrow's signal), and not from S1 and the sacrum (fused, no free processes; the
  /// sacral roots touch them). Where muscle shares marrow's signal (it can on T2) such growth
  /// floods it: a vertebra that would gain more than a quarter of its volume keeps none of it.
  void growThinProcessesOnT2(Image<std::uint8_t>::Buffer& out, const std::array<bool, 256>& isVertebra,
                             const std::array<float, 256>& lo, const std::array<float, 256>& hi) const;

  /// T2 MR: the vertebrae's outlines at the input's resolution. The working grid's labels (marrow,
  /// nearest neighbour from a coarser grid) miss the dark cortex round thin bone (laminae,
  /// processes, which moves the centroids forward) and reach a voxel
  /// or two past it into the tissue beside the bodies. The cortex is where the marrow ends: the
  /// voxels of a vertebra outside its marrow's signal (0.7-1.4 of its inner median) that touch
  /// none of its marrow and are reached from outside through such voxels are dropped (dark or
  /// bright voxels inside the bone stay); thin processes grow (growThinProcessesOnT2); the dark
  /// voxels just outside (1 mm along each axis, at least a voxel along the finest) join as its
  /// cortex. A vertebra without a measured marrow signal (under 20 inner voxels) is left as it is.
  void fitCortexOnT2(Image<std::uint8_t>::Buffer& out) const;

  /// At the input's resolution, peel the soft-tissue shell that the coarser working grid and
  /// partial volume leave on each vertebra (it pulls centroids backwards: the arches have most of
  /// the surface). A surface voxel is one facing soft tissue, the canal or a disc. When the input
  /// is at least as fine as the working grid (`halfMaximum`), the surface moves in to the bone's
  /// half-maximum edge: a voxel is peeled when its value is below halfway between the brightest
  /// bone of its vertebra within two voxels and the darkest outside neighbour, in a few passes so
  /// the layer the first pass exposes is tested too, and then, up to the width of the working
  /// grid's rim, only where it is also darker than 85% of its vertebra's marrow (the marrow of an
  /// osteoporotic bone lies below a thin cortex's half maximum). A coarser input's voxels straddle
  /// the edge and the half maximum of the nearby cortex would take cancellous bone too: a surface voxel goes
  /// when it is darker than 85% of its vertebra's typical inner bone (100-200 HU), in two passes.
  void peelSurface(Image<std::uint8_t>::Buffer& out, bool halfMaximum) const;

  /// Fills, slice by slice of the input, what a vertebra's label encloses and is its marrow: in the
  /// body whatever its value, behind it only as bright as marrow (CT).
  void fillMarrowHoles(Image<std::uint8_t>::Buffer& out) const;

  /// Centroids and volumes of the vertebrae from the label map as written (the input's resolution,
  /// edges at the bone's half maximum), so they describe exactly what the user sees.
  void measureFromLabelMap(SpineModel& model) const;

  /// Label map on the input grid: vertebrae, canal and the expected ganglia.
  void paintLabels(SpineModel& model);

  // the input and how to read it
  const Image<float>& m_input;
  SpineModelOptions m_options;
  ProgressCallback m_progress;
  bool m_mr = false;
  double m_csf = 0.0;               ///< MR: CSF signal (90th percentile inside the canal)
  std::vector<std::uint8_t> m_core; ///< MR: the bone mask eroded by a voxel
  WorkVolume m_mrWalls; ///< MR: the foramen's walls (vertebrae 400, dark tissue 150, the rest -50)
  std::vector<std::uint8_t> m_foramenSpace;    ///< MR: the foramina between measured pedicles (no bone)
  std::vector<CanalCandidate> m_allCandidates; ///< with the faint rings, when the chain uses them
  WorkVolume m_raw;                            ///< MR: the resampled signal before mapping
  // written by the bone-and-canal, body-profile and level-naming stages, read by the later ones
  WorkVolume m_work;
  BoneAnalysis m_bone;
  std::vector<const CanalCandidate*> m_chain;
  std::vector<CentrelinePoint> m_line;
  std::vector<double> m_profile;
  std::vector<Run> m_discRuns;
  std::vector<Segment> m_segments;
  // refined together by the growth, pedicle, foramen and label-map stages
  std::vector<std::array<PedicleMeasure, 2>> m_pedicles;
  std::vector<std::uint8_t> m_labels;
  std::vector<std::uint8_t> m_domain; ///< bone the vertebrae grow through (kFaceOnly: not diagonally)
  static constexpr std::uint8_t kFaceOnly = 2;
  std::vector<Vector3d> m_sliceCentre,
    m_sliceAnterior;                ///< per work slice: the canal's centre (x, y), anterior
  std::vector<double> m_bodyFront;  ///< MR, per label: where its body ends in front (mm)
  std::vector<std::uint8_t> m_body; ///< inside the skin, on the working grid
  LevelCount m_levels;              ///< how the levels were counted (nameLevels)
  std::vector<std::string> m_warnings;
};

} // namespace drg::imaging::spine
