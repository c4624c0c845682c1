#pragma once

#include "drg/imaging/Image.h"
#include "drg/imaging/ProgressCallback.h"
#include "drg/imaging/SpineLevel.h"

#include <Eigen/Core>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace drg::imaging
{

/// Image contrast the phantom is rendered with.
enum class PhantomContrast
{
  Ct,        ///< Hounsfield units, stored with RescaleIntercept -1024
  MrT2,      ///< T2-weighted MR: CSF bright, fat bright, DRG intermediate
  MrT2FatSat ///< T2-weighted MR with fat suppression (fat and fatty marrow dark)
};

/// DICOM Patient Position of the acquisition (head/feet first, supine/prone).
enum class PatientPosition
{
  HFS,
  FFS,
  HFP,
  FFP
};

/// Plane the slices are acquired in (before any oblique rotation).
enum class AcquisitionPlane
{
  Axial,
  Sagittal,
  Coronal
};

/// The twelfth rib pair: normal, hypoplastic (a stub of 15-40 mm) or absent (11 rib pairs).
enum class TwelfthRib
{
  Normal,
  Hypoplastic,
  Absent
};

/// Spine surgery and degeneration shown by the phantom; each entry names a level of this phantom.
/// Disc entries name the vertebra above the disc ("L5" is the L5/S1 disc).
struct PhantomSurgery
{
  std::vector<std::string> laminectomy;  ///< laminae and spinous process removed
  std::string fusionFrom;                ///< titanium pedicle screws in every level from..to, rods
  std::string fusionTo;                  ///<   between their heads (e.g. L4..S1)
  std::vector<std::string> cages;        ///< PEEK interbody cage with bone graft in the disc below
  std::vector<std::string> discCollapse; ///< disc below collapsed to a quarter, gas in it
  std::string listhesisLevel;            ///< vertebra slipped forwards over the one below
  double listhesisMm = 0.0;              ///< the slip (mm)
  std::vector<std::string> cement;       ///< vertebroplasty cement in the body

  bool empty() const
  {
    return laminectomy.empty() && fusionFrom.empty() && cages.empty() && discCollapse.empty() &&
           listhesisLevel.empty() && cement.empty();
  }
};

/// A DRG lead as implanted, for post-operative phantoms: its contacts and its body in the frame of
/// the images it was planned on (see PhantomImplants::plannedPoses).
struct PhantomLead
{
  std::string name;
  std::string level;                     ///< the vertebra it moves with (its target level)
  std::vector<Eigen::Vector3d> contacts; ///< contact centres, distal first
  /// The lead body: from the distal tip through the contacts, the epidural route, the needle track
  /// to the anchor and the tunnel to the generator (polyline)
  std::vector<Eigen::Vector3d> body;
  std::size_t epiduralPoints = 0; ///< the body's points from the tip to the epidural entry
  double contactLengthMm = 1.25;
  double diameterMm = 1.0;
};

/// The pulse generator in its pocket.
struct PhantomGenerator
{
  Eigen::Vector3d centre{ 0, 0, 0 };
  Eigen::Matrix3d axes = Eigen::Matrix3d::Identity(); ///< columns: length, width, thickness
  Eigen::Vector3d sizeMm{ 55, 48, 12 };
};

/// Where a vertebra lay in the phantom the leads were planned on (truth.json's body centre and frame).
struct PhantomVertebraPose
{
  Eigen::Vector3d centre{ 0, 0, 0 };
  Eigen::Matrix3d frame = Eigen::Matrix3d::Identity();
};

/// The implants of a post-operative phantom. Each lead moves rigidly with its vertebra from the pose
/// it had in the planning phantom (`plannedPoses`, by level) to its pose in this one (another
/// lordosis: the patient lies differently); the generator moves with S1. Without planned poses the
/// positions are taken as they are.
struct PhantomImplants
{
  std::vector<PhantomLead> leads;
  std::optional<PhantomGenerator> generator;
  std::map<std::string, PhantomVertebraPose> plannedPoses;
  bool empty() const { return leads.empty() && !generator; }
};

/// Everything that shapes one phantom case. Defaults give a 512 x 512 x 400 lumbar CT
/// (0.8 x 0.8 x 1.0 mm) of a normal adult, T10 to the sacrum.
struct PhantomOptions
{
  std::array<int, 3> matrix{ 512, 512, 400 }; ///< columns, rows, slices
  Eigen::Vector3d spacing{ 0.8, 0.8, 1.0 };   ///< column spacing, row spacing, slice step (mm)
  bool slicesAscending = true;                ///< k runs along the slice normal (else against it)
  PatientPosition position = PatientPosition::HFS;
  AcquisitionPlane plane = AcquisitionPlane::Axial;
  Eigen::Vector3d obliqueDegrees{ 0.0, 0.0, 0.0 }; ///< grid rotation about the L, P, S axes
  PhantomContrast contrast = PhantomContrast::Ct;
  double noiseSigma = -1.0;          ///< CT: HU; MR: fraction of CSF signal; < 0: contrast default
  double cancellousHu = 200.0;       ///< trabecular bone (osteoporotic about 80 HU, Jang 2019)
  double corticalHu = 850.0;         ///< cortical shell (700-1000 HU)
  double corticalThicknessMm = 1.0;  ///< vertebral shell thickness
  double lordosisDegrees = 45.0;     ///< L1-S1 lordosis
  double scoliosisDegrees = 0.0;     ///< Cobb angle of a single lumbar curve (positive: convex left)
  double axialRotationDegrees = 0.0; ///< vertebral axial rotation at the apex (L2)
  TransitionalAnatomy transitional = TransitionalAnatomy::None;
  std::string fieldOfViewFrom;       ///< e.g. "L3"; empty: whole phantom along the slice axis
  std::string fieldOfViewTo;         ///< e.g. "S1"
  double fieldOfViewMarginMm = 10.0; ///< beyond the end levels' bone (negative: the ends are cut)
  /// 0: the reference adult of assets/phantom/vertebrae.json; otherwise each vertebra's size is
  /// drawn from the population ranges of assets/phantom/population.json (see drawPhantomAnatomy for
  /// the pose and the variants)
  std::uint64_t anatomySeed = 0;
  TwelfthRib twelfthRib = TwelfthRib::Normal;
  PhantomSurgery surgery;
  PhantomImplants implants; ///< DRG leads and generator (a post-operative CT)
  std::uint64_t seed = 1;   ///< noise and UIDs; same seed and options give the same files
};

/// Draws the pose and the variants of anatomy seed `options.anatomySeed` from the population of
/// assets/phantom/population.json: L1-S1 lordosis, transitional anatomy (six lumbar vertebrae, a
/// sacralised L5, thirteen rib pairs) and the twelfth rib, each with its published prevalence.
/// Seed 0 changes nothing. Deterministic for equal seeds.
void drawPhantomAnatomy(PhantomOptions& options);

/// Parses "normal", "hypoplastic", "absent"; throws drg::Error(InvalidArgument) on other words.
TwelfthRib parseTwelfthRib(const std::string& word);
const char* twelfthRibName(TwelfthRib rib) noexcept;

/// Parses "L5:8" (a vertebra and its forward slip in mm) into the surgery's listhesis fields.
void parseListhesis(const std::string& text, PhantomSurgery& surgery);

/// Throws drg::Error(InvalidArgument) naming the first option out of range.
void validatePhantomOptions(const PhantomOptions& options);

/// Ground truth of one vertebra (all LPS mm).
struct PhantomVertebra
{
  std::string level;          ///< "T10" ... "L5", "L6", "T13", "S1", "sacrum"
  int label = 0;              ///< value in the label map
  Eigen::Vector3d centroid;   ///< centroid of the whole bone (body and posterior elements)
  Eigen::Vector3d bodyCentre; ///< centre of the vertebral body
  Eigen::Matrix3d frame;      ///< columns: the vertebra's left, posterior, superior axes
  double bodyHeightMm = 0.0;
  double bodyWidthMm = 0.0;
  double bodyDepthMm = 0.0;
  bool hasRibs = false;
  std::string visibility; ///< "full", "partial" or "none" within the image grid
};

/// Pedicle borders that define the DRG zones (medial line, lateral line), per level and side.
struct PhantomPedicle
{
  std::string level;
  Side side = Side::Left;
  Eigen::Vector3d centre;
  Eigen::Vector3d medialBorder;  ///< point on the medial wall at the pedicle's mid height
  Eigen::Vector3d lateralBorder; ///< point on the lateral wall
  double widthMm = 0.0;
  double heightMm = 0.0;
};

/// Intervertebral foramen between `upperLevel` and the next vertebra down.
struct PhantomForamen
{
  std::string upperLevel;
  std::string lowerLevel;
  Side side = Side::Left;
  Eigen::Vector3d centre;
  Eigen::Vector3d axis;  ///< unit vector, pointing out of the canal (laterally)
  double widthMm = 0.0;  ///< antero-posterior free width at the centre (measured on the bone)
  double heightMm = 0.0; ///< cranio-caudal free height between the pedicles
};

/// Ganglion of the root of `level` (the L4 ganglion exits the L4/L5 foramen).
struct PhantomGanglion
{
  std::string level;
  Side side = Side::Left;
  int label = 0;
  Eigen::Vector3d centre;
  Eigen::Vector3d axis;  ///< unit vector along the exiting root, pointing distally
  double lengthMm = 0.0; ///< along the axis
  double widthMm = 0.0;
  double heightMm = 0.0;
  std::string zone; ///< "intraspinal", "foraminal" or "extraforaminal" (pedicle lines)
  bool inFieldOfView = false;
};

/// A named anatomical point (iliac crest tops, ASIS, lowest rib tips, ...).
struct PhantomLandmark
{
  std::string name;
  Eigen::Vector3d position;
};

/// A lead as the post-operative phantom drew it.
struct PhantomImplantedLead
{
  std::string name;
  std::string level;
  std::vector<Eigen::Vector3d> contacts;             ///< contact centres in this image (LPS mm), distal first
  std::vector<Eigen::Vector3d> plannedFrameContacts; ///< the same contacts in the planning images' frame
};

/// Everything the phantom knows about itself, for accuracy tests.
struct PhantomTruth
{
  std::vector<PhantomVertebra> vertebrae; ///< head to foot
  std::vector<PhantomPedicle> pedicles;
  std::vector<PhantomForamen> foramina;
  std::vector<PhantomGanglion> ganglia;
  std::vector<PhantomLandmark> landmarks;
  std::vector<PhantomImplantedLead> implantedLeads;
  std::map<int, std::string> labelNames; ///< label map values
  std::string anatomyJson;               ///< what the anatomy seed drew (JSON object text; empty for seed 0)
};

/// A generated case: stored intensities (CT: HU; MR: signal), labels and truth on one grid.
struct PhantomCase
{
  PhantomOptions options;
  Image<std::int16_t> intensities;
  Image<std::uint8_t> labels;
  PhantomTruth truth;
};

/// Builds the anatomy for `options` and rasterises it. Deterministic for equal options.
PhantomCase generateSpinePhantom(const PhantomOptions& options, const ProgressCallback& progress = {});

/// Writes `DIR/dicom/` (one DICOM file per slice), `DIR/truth.json` and `DIR/labels.nii.gz`.
/// Each output appears atomically (written aside, then renamed); existing outputs are replaced.
void writeSpinePhantom(const PhantomCase& phantom, const std::filesystem::path& dir);

/// The truth as JSON text (the content of truth.json).
std::string phantomTruthJson(const PhantomCase& phantom);

/// Parsers for option words used by the CLI; throw drg::Error(InvalidArgument) on unknown words.
PhantomContrast parsePhantomContrast(const std::string& word);
PatientPosition parsePatientPosition(const std::string& word);
AcquisitionPlane parseAcquisitionPlane(const std::string& word);
const char* patientPositionName(PatientPosition position) noexcept;

} // namespace drg::imaging
