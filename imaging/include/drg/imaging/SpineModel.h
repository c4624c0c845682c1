#pragma once
// The spine model: labelled vertebrae, discs, canal, pedicles, foramina and a DRG estimate per
// level and side, computed from a CT or T2 MR volume by classical image analysis.

#include "drg/imaging/Image.h"
#include "drg/imaging/ProgressCallback.h"
#include "drg/imaging/SpineLevel.h"

#include <Eigen/Core>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace drg::imaging
{

/// What the volume is; Auto decides from the intensities (CT has air near -1000).
enum class SpineModality
{
  Auto,
  Ct,
  MrT2
};

/// "CT", "MR T2" or "auto": the modality as spine.json, plan files and reports name it.
const char* spineModalityName(SpineModality modality) noexcept;

/// A point inside a vertebra and the name the user gives that vertebra (the levels are then counted
/// from it: the user's anchor, e.g. counted on a view showing the sacrum or on fluoroscopy).
struct LevelAnchorPoint
{
  Eigen::Vector3d point{ 0, 0, 0 }; ///< LPS mm
  std::string level;                ///< "L3"
};

/// How the user corrects the automatic level labels.
struct SpineLabelOverride
{
  int shift = 0;                                            ///< move every label this many levels (+: caudal)
  TransitionalAnatomy declared = TransitionalAnatomy::None; ///< L6, T13 or sacralised L5
  bool declaredSet = false; ///< true when `declared` was given (None then means "no transitional anatomy")
  std::optional<LevelAnchorPoint> anchorAt; ///< the user's anchor (replaces the count and the shift)
};

/// Parses "X,Y,Z=L3" (LPS mm and a level name); throws drg::Error(InvalidArgument) saying the form.
LevelAnchorPoint parseLevelAnchorPoint(const std::string& text);
/// The anchor as parseLevelAnchorPoint reads it ("12.5,-30,88=L3", 0.1 mm).
std::string levelAnchorPointText(const LevelAnchorPoint& anchor);

/// How far the level names can be trusted. "consistent": two independent anchors (the sacrum and the
/// lowest ribs) give the same count; "unconfirmed": one anchor only, a weak one, or anchors that
/// disagree (`reasons` say which): the levels must be confirmed by the user before they are planned
/// on; "user-anchored": the user named a vertebra or shifted the count (`reasons` name any evidence
/// in the image that contradicts it).
struct LevelCheck
{
  std::string status;
  std::vector<std::string> anchors; ///< each anchor found and what it says, in words
  std::vector<std::string> reasons;
  /// What the thoracic names rest on when they are counted from the sacrum or the ribs: twelve rib
  /// pairs, assumed (empty when no thoracic vertebra is named, or the user named one).
  std::string thoracicNames;
  /// The reasons in one line ("a; b"), empty when there is none.
  std::string why() const;
  /// The names need the user's confirmation: unconfirmed, or the user's own naming against the image.
  bool needsConfirmation() const
  {
    return status == "unconfirmed" || (status == "user-anchored" && !reasons.empty());
  }
};

struct SpineModelOptions
{
  SpineModality modality = SpineModality::Auto;
  SpineLabelOverride labels;
  double workSpacingMm = 0.0; ///< internal isotropic grid; 0: chosen from the input (1.25-2 mm)
};

/// One vertebra found in the image (LPS mm).
struct SpineVertebra
{
  std::string level;
  int label = 0;                               ///< value in the label map (drg/imaging/AnatomyLabels.h)
  Eigen::Vector3d centroid{ 0, 0, 0 };         ///< of the labelled bone (body and posterior elements)
  Eigen::Vector3d bodyCentre{ 0, 0, 0 };       ///< of the vertebral body
  Eigen::Vector3d superiorEndplate{ 0, 0, 0 }; ///< centre of the upper endplate
  Eigen::Vector3d inferiorEndplate{ 0, 0, 0 }; ///< centre of the lower endplate
  Eigen::Vector3d axis{ 0, 0, 1 };             ///< unit, inferior to superior endplate
  double bodyHeightMm = 0.0;
  bool complete = true; ///< false when the field of view cuts it
  double volumeMl = 0.0;
};

/// Intervertebral disc between `upperLevel` and `lowerLevel`.
struct SpineDisc
{
  std::string upperLevel;
  std::string lowerLevel;
  Eigen::Vector3d centre{ 0, 0, 0 };
  Eigen::Vector3d normal{ 0, 0, 1 }; ///< unit, towards the head
  double heightMm = 0.0;
};

/// Pedicle of `level` on `side`; its medial and lateral borders define the DRG zones.
struct SpinePedicle
{
  std::string level;
  Side side = Side::Left;
  Eigen::Vector3d centre{ 0, 0, 0 };
  Eigen::Vector3d medialBorder{ 0, 0, 0 };  ///< on the medial wall, at the pedicle's mid height
  Eigen::Vector3d lateralBorder{ 0, 0, 0 }; ///< on the lateral wall
  double widthMm = 0.0;                     ///< medio-lateral
  double heightMm = 0.0;                    ///< cranio-caudal
  double inferiorBorderMm = 0.0; ///< signed distance of its lower edge from the centre along the spine axis
};

/// Intervertebral foramen between `upperLevel` and the vertebra below.
struct SpineForamen
{
  std::string upperLevel;
  std::string lowerLevel;
  Side side = Side::Left;
  Eigen::Vector3d centre{ 0, 0, 0 };
  Eigen::Vector3d axis{ 1, 0, 0 };       ///< unit, out of the canal (laterally)
  double widthMm = 0.0;                  ///< antero-posterior free width at the centre
  double heightMm = 0.0;                 ///< cranio-caudal free height between the pedicles
  std::vector<Eigen::Vector3d> boundary; ///< outline in the foramen's mid plane (LPS mm)
};

/// Estimated dorsal root ganglion of the root of `level` on `side` (L4 exits the L4/L5 foramen).
struct DrgEstimate
{
  std::string level;
  Side side = Side::Left;
  Eigen::Vector3d centre{ 0, 0, 0 };
  Eigen::Vector3d axis{ 0, 0, -1 }; ///< unit, along the exiting root, distally
  /// Uncertainty ellipsoid: columns of `ellipsoidAxes` are unit axes, `semiAxesMm` their half lengths
  /// (about 2 sigma: the ganglion centre lies inside with high probability).
  Eigen::Matrix3d ellipsoidAxes = Eigen::Matrix3d::Identity();
  Eigen::Vector3d semiAxesMm{ 4, 4, 4 };
  double lengthMm = 0.0; ///< expected ganglion size (priors)
  double widthMm = 0.0;
  std::string zone;        ///< "intraspinal", "foraminal" or "extraforaminal" (pedicle lines)
  double confidence = 0.0; ///< 0-1
  std::string derivedFrom; ///< "bone priors" or "bone priors refined by MRI signal" ...

  /// True when `p` lies inside the uncertainty ellipsoid.
  bool contains(const Eigen::Vector3d& p) const;
};

/// A named point for pocket planning and orientation (iliac crests, ASIS, lowest ribs, ...).
struct SpineLandmark
{
  std::string name;
  Eigen::Vector3d position{ 0, 0, 0 };
};

/// The canal's contents in the label map: the dural sac (with the cord and the cauda equina) and the
/// epidural fat around it.
struct SpineCanalContents
{
  double duralSacMl = 0.0;
  double epiduralFatMl = 0.0;
  std::string method; ///< how they were told apart, and what the image cannot show
};

/// Everything the spine model found. All positions LPS mm; lists run head to foot.
struct SpineModel
{
  SpineModality modality =
    SpineModality::Auto;             ///< what the model was built from: Ct or MrT2 (Auto: not built)
  std::string anchor;                ///< what the level labels were counted from
  std::string anchorDetail;          ///< e.g. "L5/S1 disc above the sacrum at z = ..."
  bool anchorsDisagree = false;      ///< sacrum and lowest ribs give different labels
  LevelCheck levelCheck;             ///< how far the level names can be trusted
  std::vector<std::string> warnings; ///< for the user (labels uncertain, levels cut, ...)
  int labelShift = 0;                ///< user override applied
  std::vector<SpineVertebra> vertebrae;
  std::vector<SpineDisc> discs;
  std::vector<Eigen::Vector3d> canalCentreline; ///< about 1 point per mm, head to foot
  std::vector<SpinePedicle> pedicles;
  std::vector<SpineForamen> foramina;
  std::vector<DrgEstimate> ganglia;
  std::vector<SpineLandmark> landmarks;
  SpineCanalContents canalContents;
  /// Label map on the input volume's grid: vertebrae, discs, canal, DRG ellipsoids
  /// (values of drg/imaging/AnatomyLabels.h).
  Image<std::uint8_t> labels;
  double seconds = 0.0; ///< wall time of the computation

  const SpineVertebra* vertebra(const std::string& level) const;
  const DrgEstimate* ganglion(const std::string& level, Side side) const;
};

/// The modality of a volume without a DICOM header, from its values: CT when its values are CT
/// numbers (air around the body, or in a tight crop fat beside bright cortical bone), T2 MR when it
/// has no negative values; otherwise throws drg::Error(InvalidArgument) asking for the modality.
SpineModality modalityFromIntensities(const Image<float>& volume);

/// Computes the spine model. Throws drg::Error(NotFound) with "no spine found" when the volume
/// shows no spine, drg::Error(InvalidArgument) for unusable input (empty, 2D, spacing
/// outside 0.2-5 mm).
SpineModel buildSpineModel(const Image<float>& volume, const SpineModelOptions& options = {},
                           const ProgressCallback& progress = {});

/// spine.json: the model without the label map (schema "drgplan.spine/1").
std::string spineModelJson(const SpineModel& model);

/// Writes `dir/labels.nii.gz` and `dir/spine.json` atomically.
void writeSpineModel(const SpineModel& model, const std::filesystem::path& dir);

} // namespace drg::imaging
