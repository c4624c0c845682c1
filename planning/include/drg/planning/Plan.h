#pragma once
// The plan: up to four DRG leads (target, needle, epidural route, contacts, anchor, strain-relief
// loop), the pulse generator pocket and its tunnels, the length budget and the safety findings.
// Qt-free: the CLI and the GUI drive the same model (the GUI binds to PlanEditor and its undo).
// Positions are LPS millimetres in the frame of reference of the planned series.

#include "drg/imaging/SpineLevel.h"
#include "drg/planning/DeviceCatalog.h"
#include "drg/planning/PainMap.h"

#include <Eigen/Core>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace drg::planning
{

using Eigen::Vector3d;
using imaging::Side;

/// Thresholds and defaults of the planner and its safety checks, from assets/planning/rules.json
/// (each with its source and a verified flag, like the device catalog).
struct PlanRules
{
  SourcedValue<int> maxLeads;
  SourcedValue<double> preferredNeedleAngleDeg; ///< needle to the skin (lateral image) the planner aims for
  SourcedValue<double> minNeedleAngleDeg;       ///< flatter to the skin is flagged
  SourcedValue<double> maxNeedleAngleDeg;       ///< steeper to the skin is flagged
  SourcedValue<double> maxMedioLateralAngleDeg; ///< medio-lateral angle (AP image) beyond this is flagged
  SourcedValue<double> ganglionClearanceMm;     ///< needle or route nearer another ganglion is flagged
  SourcedValue<double> cordClearanceMm;         ///< needle tip or route nearer the cord is flagged
  SourcedValue<double> cordRadiusMm;            ///< the cord's radius above the conus
  SourcedValue<double> minCoverage;             ///< fraction of the ganglion's length under the contacts
  SourcedValue<double> contactDorsalOffset;     ///< lead axis behind the ganglion centre, in ganglion widths
  SourcedValue<double> leadSpacingMm;           ///< two leads nearer than this crowd each other
  SourcedValue<double> strainReliefLoopDiameterMm;
  SourcedValue<double> pocketSlackMm;        ///< lead coiled behind the generator
  SourcedValue<double> connectorInsertionMm; ///< lead inside the generator's header
  SourcedValue<double> pocketDepthMm;        ///< default depth of the pocket (skin to generator)
  SourcedValue<double> minPocketDepthMm;
  SourcedValue<double> maxPocketDepthMm;
  SourcedValue<double> pocketBoneClearanceMm; ///< generator edge to iliac crest or lowest rib
  SourcedValue<double> fallbackFasciaDepthMm; ///< anchor depth when the fascia is not seen
  SourcedValue<double> routeBoneToleranceMm;  ///< a route through more bone (mm) is refused
  SourcedValue<double>
    routeSacToleranceMm; ///< a route through more of the dural sac, cord or cauda (mm) is refused
  SourcedValue<double> trialExternalLeadMm;       ///< trial lead outside the skin, exit to the trial cable
  SourcedValue<double> trialSuccessReliefPercent; ///< relief a trial lead needs to be worth keeping

  /// Parses rules text; throws drg::Error(Format) naming the field.
  static PlanRules fromJson(std::string_view text, const std::string& origin);
  /// The rules compiled in from assets/planning/rules.json.
  static PlanRules builtIn();
  std::size_t unverifiedCount() const;
};

enum class Approach
{
  ContralateralInterlaminar, ///< needle on the other side, 1-2 levels below, sheath crosses over
  IpsilateralInterlaminar,
  Sacral ///< S1: from the L5/S1 window down the sacral canal, lead along the root medial to lateral
};
const char* approachName(Approach a) noexcept;   ///< "contralateral", "ipsilateral", "sacral"
Approach parseApproach(const std::string& text); ///< throws drg::Error(InvalidArgument)

enum class Severity
{
  Info,
  Warning,
  Error
};
const char* severityName(Severity s) noexcept; ///< "info", "warning", "error"

/// One safety finding: what was measured against which threshold.
struct Finding
{
  std::string code; ///< stable id, e.g. "needle-through-bone"
  Severity severity = Severity::Warning;
  int lead = -1; ///< index into Plan::leads, or -1 for the pocket / the plan
  double measured = 0.0;
  double threshold = 0.0;
  std::string unit;
  std::string message;
  /// Where the problem is, when the check found a spot (the first stretch of a route through the
  /// dura or bone); not saved: findings are computed again after every edit and when a plan opens.
  std::optional<Vector3d> place;
};

/// Lead length needed against what the catalog offers.
struct LengthBudget
{
  double routeMm = 0;  ///< lead tip to the epidural entry, along the route
  double trackMm = 0;  ///< epidural entry to the anchor at the fascia, along the needle track
  double loopMm = 0;   ///< strain-relief loop
  double tunnelMm = 0; ///< anchor to the pocket, subcutaneous
  double slackMm = 0;  ///< coiled in the pocket plus the connector's insertion
  double totalMm = 0;
  double leadCm = 0;      ///< chosen lead length (0: none fits)
  double extensionCm = 0; ///< chosen extension (0: none needed)
  bool fits = false;
  /// True when the tunnel to a placed pocket is in the total: only then are lengths chosen
  /// (without the tunnel the total is a lower bound, and `leadCm` stays 0).
  bool complete = false;
};

/// The skin entry against landmarks that carry over from the (supine) planning CT to the prone
/// patient in the OR: the line of the spinous processes, their levels and the pedicles, and the
/// interlaminar window the needle aims at. Heights are along the spine's axis, offsets across it.
struct EntryLandmarks
{
  bool found = false;         ///< false: the spinous processes near the entry were not found
  double midlineOffsetMm = 0; ///< from the spinous processes' line, positive to the patient's left
  std::string spinousLevel;   ///< the spinous process whose tip is nearest in height
  double belowSpinousMm = 0;  ///< skin entry caudal (+) or cranial (-) of that tip
  std::string pedicleLevel;   ///< the pedicle nearest in height (on the entry's side)
  double belowPedicleMm = 0;  ///< skin entry caudal (+) or cranial (-) of that pedicle's centre
  std::string window;         ///< the interlaminar window aimed at, e.g. "L5/S1"
  double belowWindowMm = 0;   ///< skin entry caudal of the needle's epidural entry in that window
};

/// One line for the OR, e.g. "at the L5 spinous process (3 mm caudal to its tip), 18 mm left of the
/// midline; 41 mm caudal to the L5/S1 window"; empty when nothing was found.
std::string entryLandmarksText(const EntryLandmarks& e);

/// What kind of plan: the trial (temporary percutaneous leads on an external stimulator for some
/// days, no pocket) or the permanent implant (leads anchored, tunnelled to the generator's pocket).
enum class PlanKind
{
  Trial,
  Permanent
};
const char* planKindName(PlanKind k) noexcept;   ///< "trial", "permanent"
PlanKind parsePlanKind(const std::string& text); ///< throws drg::Error(InvalidArgument)

/// A trial lead's outcome, entered after the trial.
struct TrialResult
{
  double reliefPercent = 0; ///< pain relief the patient reported with this lead, 0-100
  int coveragePercent = -1; ///< paraesthesia over the mapped painful areas, 0-100; -1: not recorded
  std::string contactsUsed; ///< the program's contacts, e.g. "2-3"; empty: not recorded
  bool keep = false;        ///< to be carried into the permanent implant
  std::string note;
  std::string enteredAt; ///< UTC, ISO 8601

  bool operator==(const TrialResult& other) const;
};

/// The trial as a whole: when the leads went in and came out, and the patient's pain before and
/// during it (numeric rating scale 0-10).
struct TrialSummary
{
  std::string started, ended; ///< dates, YYYY-MM-DD; empty: not recorded
  int painBefore = -1;        ///< NRS 0-10 before the trial; -1: not recorded
  int painDuring = -1;        ///< NRS 0-10 during the trial; -1: not recorded

  /// Days from the start to the end, or -1 when either is not recorded (or not a date).
  int days() const;
  bool operator==(const TrialSummary& other) const;
};

struct LeadPlan
{
  // ---- what the user decides ----------------------------------------------------------------
  std::string name;
  std::string targetLevel; ///< "L4": the L4 ganglion (in the L4/L5 foramen)
  Side targetSide = Side::Left;
  std::optional<Vector3d> manualTarget; ///< a point the user gave instead of the DRG estimate
  Approach approach = Approach::ContralateralInterlaminar;
  std::string entryLevel;        ///< upper vertebra of the interlaminar window ("L5": the L5/S1 window)
  std::string leadModel, needle; ///< catalog ids
  std::string sheath;            ///< catalog id; empty: the planner picks the widest curve that fits
  std::optional<Vector3d> skinEntryOverride;
  std::optional<Vector3d> epiduralEntryOverride;
  bool locked = false;
  std::optional<TrialResult> trialResult; ///< trial plans: the lead's outcome once entered
  /// The approach and entry level are the user's choice: the planner never changes them (false:
  /// its defaults, which it may change to keep the lead clear of another one)
  bool techniqueChosen = false;

  // ---- what the planner derives -------------------------------------------------------------
  Vector3d target{ 0, 0, 0 };      ///< ganglion centre aimed at
  Vector3d targetAxis{ 0, 0, -1 }; ///< along the exiting root, distally
  double targetLengthMm = 0, targetWidthMm = 0;
  Vector3d skinEntry{ 0, 0, 0 };
  Vector3d epiduralEntry{ 0, 0, 0 };
  double needleDepthMm = 0; ///< skin entry to epidural entry
  // the needle's angles as read on the report's fluoroscopy images (drg/planning/FluoroProjection.h),
  // acute, in degrees; NaN: not known (the skin line not in the image, or a plan file without them)
  double needleToSkinDeg = 0;         ///< lateral image: against the skin line at the skin entry
  double needleToLaminaLineDeg = 0;   ///< lateral image: against the dorsal epidural (lamina) line
  double needleApMedioLateralDeg = 0; ///< AP image: the needle's shadow against the cranio-caudal axis
  double needleBoneMm = 0;            ///< length of the needle path within bone
  std::vector<Vector3d> route;        ///< epidural entry to the lead tip, about every 0.5 mm
  double routeLengthMm = 0;
  double minRadiusMm =
    0; ///< tightest bend of the path (needle, the sheath's exit from its tip, route), measured on it
  double sheathRadiusMm = 0; ///< of the chosen sheath
  Vector3d tip{ 0, 0, 0 };
  std::vector<Vector3d> contacts; ///< contact centres, distal first
  double coverage = 0;            ///< fraction of the ganglion's length under the contact array
  Vector3d anchor{ 0, 0, 0 };     ///< at the fascia on the needle track
  bool anchorAtFascia = false;    ///< false: fascia not seen, anchor at the fallback depth
  Vector3d loopCentre{ 0, 0, 0 };
  double loopDiameterMm = 0;
  std::vector<Vector3d> tunnel; ///< anchor to the pocket
  LengthBudget budget;
  EntryLandmarks entryLandmarks; ///< the skin entry as found on the prone patient
  std::string sheathUsed;        ///< the sheath the route was shaped for
  /// Set when the planner changed the default approach or entry level to keep this lead clear of
  /// another one: what it did and why (else empty)
  std::string spreadNote;
  /// The approaches and windows the planner tried for a lead that crosses or crowds another and found
  /// none clearer (runtime only, not saved: said with the crossing)
  std::string spreadTried;
  bool planned = false; ///< false when the target could not be reached: `problem` says why
  std::string problem;
  std::string plannedFrom; ///< the inputs the geometry was computed from (a cache key; not saved)
  std::string tunnelFrom;  ///< the anchor and pocket the tunnel was computed from (a cache key; not saved)
};

/// The lead's interlaminar window as the OR names it ("L5/S1"; "below L5" before it was found).
std::string windowText(const LeadPlan& lead);

enum class PocketSite
{
  Abdomen,
  Buttock
};
const char* pocketSiteName(PocketSite s) noexcept; ///< "abdomen", "buttock"

struct PocketPlan
{
  PocketSite site = PocketSite::Buttock;
  Side side = Side::Left;
  std::string generator;                    ///< catalog id
  double depthMm = 0;                       ///< skin to the generator's outer face
  std::optional<Vector3d> positionOverride; ///< a point on or near the skin the user chose

  Vector3d skinPoint{ 0, 0, 0 };
  Vector3d outward{ 0, 0, 1 };                        ///< skin normal
  Vector3d centre{ 0, 0, 0 };                         ///< generator centre
  Eigen::Matrix3d axes = Eigen::Matrix3d::Identity(); ///< columns: length, width, thickness (outward)
  Vector3d sizeMm{ 0, 0, 0 };
  bool placed = false;
  std::string problem; ///< why it was not placed (empty when placed)
};

/// Which images the plan belongs to.
struct StudyReference
{
  std::string source; ///< path of the series or volume as opened
  std::string modality;
  std::string seriesUid;
  std::string frameOfReferenceUid;
  std::string seriesDescription;
  std::string levelAnchor; ///< what the spine model counted the levels from
  int labelShift = 0;
  /// Transitional anatomy the user declared when the levels were labelled ("none", "L6", "T13",
  /// "sacralized-L5"); empty when nothing was declared. Reports and reopening rebuild the levels so.
  std::string declaredTransitional;
  /// The user's anchor the levels were counted from ("X,Y,Z=L3", LPS mm), empty when none
  std::string levelAt;
  /// How far the spine model's level names could be trusted: "consistent", "unconfirmed",
  /// "user-anchored" (drg/imaging/SpineModel.h LevelCheck); empty in older plans
  std::string levelCheck;
  std::string levelCheckWhy; ///< its reasons, in one line (empty: none)
  /// The user's confirmation of the level names (how they were counted, by whom) and when (UTC,
  /// ISO 8601); empty when not confirmed. A plan on unconfirmed levels is an error until then.
  std::string levelsConfirmedBy, levelsConfirmedAt;
  /// DICOM Patient Position (0018,5100) of the planned series, e.g. "HFS" (head first, supine),
  /// "HFP" (prone); empty when the images do not say (a NIfTI volume).
  std::string patientPosition;
  // ---- which images, beyond the frame of reference (drg/imaging/ImageIdentity.h; empty in plans
  // made before they were recorded): a plan opens only on its own images (drg/planning/PlanImages.h)
  std::string patientKey;   ///< the patient's keyed hash (never shown)
  std::string patientLabel; ///< the patient's initials and birth year, for a person to read
  std::string studyUid, studyDate, studyDescription;
  std::string imageGeometry;    ///< the grid as text
  std::string imageFingerprint; ///< the voxel values' fingerprint
};

/// Now, UTC, ISO 8601 ("2026-12-07T10:00:00Z"): when something was confirmed, entered or accepted.
std::string utcNow();

/// True when the planning scan was not taken prone (supine, decubitus, or not known): the skin moves
/// against the spine when the patient is turned prone for the procedure.
bool scanNotProne(const StudyReference& study);

/// The note for a scan that was not taken prone (empty when it was): skin entries move, use the bony
/// landmarks.
std::string patientPositionNote(const StudyReference& study);

/// Where a permanent plan came from: the trial it carries leads over from, and every trial lead's
/// outcome (kept or not), for the report to show beside the permanent plan.
struct TrialOrigin
{
  std::string file;                           ///< the trial plan file as opened
  std::string studyUid, seriesUid, studyDate; ///< the trial plan's images
  struct Lead
  {
    std::string name;   ///< as in the trial plan
    std::string target; ///< "L4-left"
    std::optional<TrialResult> result;
    bool kept = false; ///< carried into this plan
  };
  std::vector<Lead> leads;
  std::optional<TrialSummary> summary;

  bool operator==(const TrialOrigin& other) const;
};

/// Why these targets: the pain map they came from and the targets the user accepted from it, with
/// their reasons (plans started from a case; carried from the trial into the permanent plan).
struct PlanIndication
{
  std::vector<std::string> painRegions; ///< body chart region ids
  std::vector<AcceptedTarget> targets;
  std::string acceptedAt; ///< UTC, ISO 8601

  bool operator==(const PlanIndication& other) const;
};

struct Plan
{
  PlanKind kind = PlanKind::Permanent;
  std::optional<PlanIndication> indication; ///< plans started from a pain map
  std::optional<TrialOrigin> fromTrial;     ///< permanent plans made from a trial
  std::optional<TrialSummary> trialSummary; ///< trial plans: the trial's dates and pain scores
  StudyReference study;
  std::vector<LeadPlan> leads;
  std::optional<PocketPlan> pocket;
  std::vector<Finding> findings; ///< recomputed after every edit

  bool operator==(const Plan& other) const;
};

/// Where a finding is to be looked at (LPS mm): the spot its check found, else the point of the plan
/// it concerns (the skin entry for a needle's angle, the needle's tip for the needle and the epidural
/// entry, the target for the contacts, the pocket, the anchor for the length); none for the plan as a
/// whole.
std::optional<Vector3d> findingPlace(const Plan& plan, const Finding& finding);

// ---- plan files (.drgplan.json) -------------------------------------------------------------

/// Version 2 added the plan's kind (trial or permanent), trial results and the trial a permanent
/// plan came from; version 1 files open as permanent plans.
constexpr int kPlanFileVersion = 2;

/// The plan file's text (schema "drgplan.plan", version kPlanFileVersion): deterministic, so an
/// unchanged plan gives the same bytes.
std::string planToJson(const Plan& plan);

/// Parses a plan file's text. Throws drg::Error(Format) for text that is not JSON or not a plan
/// (naming what is wrong), drg::Error(Unsupported) for a newer version; older versions are
/// migrated. Never returns a half-read plan.
Plan planFromJson(std::string_view text, const std::string& origin);

/// Writes the plan atomically (temporary file, fsync, rename; then the folder is synced).
void savePlan(const Plan& plan, const std::filesystem::path& path);

/// Reads a plan file; errors as planFromJson, plus drg::Error(Io).
Plan loadPlan(const std::filesystem::path& path);

/// Autosave next to the plan: "<name>.autosave" (or in `folder` for an unsaved plan).
std::filesystem::path autosavePath(const std::filesystem::path& planPath);

/// The autosave to offer for recovery: it exists and is newer than the plan file (or the plan
/// file is missing). Empty when there is nothing to recover.
std::optional<std::filesystem::path> recoverableAutosave(const std::filesystem::path& planPath);

} // namespace drg::planning
