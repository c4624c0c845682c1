#pragma once
// Follow-up: where the implanted leads lie on a post-operative CT against their plan. Each lead is
// found in the post-operative images (drg/imaging/LeadFinder.h), the post-operative spine is
// registered onto the planning spine about each lead's ganglion (drg/imaging/RigidRegistration.h),
// and every contact is measured in the planning images' frame: against its planned position,
// against the ganglion, and against an earlier verification (migration).

#include "drg/imaging/DicomDocumentWriter.h"
#include "drg/imaging/Image.h"
#include "drg/imaging/ImageIdentity.h"
#include "drg/imaging/LeadFinder.h"
#include "drg/imaging/RigidRegistration.h"
#include "drg/imaging/SpineModel.h"
#include "drg/planning/DeviceCatalog.h"
#include "drg/planning/Plan.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace drg::planning
{

/// Thresholds of the verdicts, from assets/planning/verify.json (each with its source).
struct VerifyRules
{
  SourcedValue<double> inPlaceMm;      ///< every contact within this of its plan: in place
  SourcedValue<double> migratedMm;     ///< a contact further than this from its plan: migrated
  SourcedValue<double> minCorrelation; ///< a registration below this is not trusted
  SourcedValue<double> foramenReachMm; ///< a contact this far beyond the foramen's half height is out of it

  static VerifyRules fromJson(std::string_view text, const std::string& origin);
  static VerifyRules builtIn();
};

/// One contact as found, numbered as the programmer numbers them (1 = most distal).
struct VerifiedContact
{
  int number = 0;
  Vector3d postop{ 0, 0, 0 };        ///< in the post-operative images (LPS mm)
  Vector3d planning{ 0, 0, 0 };      ///< the same point in the planning images' frame
  std::optional<Vector3d> planned;   ///< where the plan put it (none: a lead the plan does not have)
  double deviationMm = 0.0;          ///< from the planned position
  double ganglionDistanceMm = 0.0;   ///< to the planned ganglion's centre
  std::optional<double> migrationMm; ///< since the previous verification
};

struct VerifiedLead
{
  std::string name; ///< the plan's lead name; "unplanned N" for a lead the plan does not have
  bool inPlan = true;
  bool found = false;
  std::vector<VerifiedContact> contacts;
  std::string orientationFrom; ///< "lead body" or "plan": how the distal end was told
  double coverage = 0.0;       ///< of the planned ganglion's length by the found contact array
  bool coversGanglion = false;
  std::optional<bool> inIntendedForamen;     ///< none: the model shows no such foramen
  std::string foramenFound;                  ///< e.g. "L4/L5 left" (the nearest foramen)
  double depthChangeMm = 0.0;                ///< along the planned array, positive deeper (distal)
  Eigen::Vector3d displacementMm{ 0, 0, 0 }; ///< mean of found minus planned over the contacts (LPS)
  std::string displacementText;              ///< the same in words ("4.1 mm: 3.9 caudal, 1.2 lateral")
  double maxDeviationMm = 0.0;
  std::optional<double> maxMigrationMm;
  imaging::RegistrationResult registration; ///< planning -> post-operative, about this lead's ganglion
  std::string
    verdict; ///< "in place", "moved", "migrated", "out of its foramen", "not found", "not planned", ...
  std::vector<std::string> notes;
};

struct Verification
{
  std::vector<VerifiedLead> leads; ///< the plan's leads in its order, then leads it does not have
  imaging::RegistrationResult global;
  imaging::LeadSearch search;
  std::vector<std::string> notes;
};

/// The contacts of an earlier verification (verify.json), by lead name, in the planning frame.
using PreviousContacts = std::map<std::string, std::vector<Vector3d>>;

/// An earlier verification as verify.json records it: its contacts and which images it compared.
struct PreviousVerification
{
  PreviousContacts contacts;
  std::string planningSeries, planningFingerprint; ///< the plan's images
  std::string postopStudy, postopDate, postopFingerprint;
};

struct VerifyInput
{
  const Plan* plan = nullptr;
  const imaging::Image<float>* planning = nullptr; ///< the plan's own images (CT, HU)
  const imaging::Image<float>* postop = nullptr;   ///< the post-operative CT (HU)
  const imaging::SpineModel* model = nullptr;      ///< of the planning images (foramina); may be null
  const DeviceCatalog* catalog = nullptr;
  std::optional<PreviousContacts> previous;
  imaging::ImageIdentity postopImages; ///< which post-operative images (recorded in verify.json)
  VerifyRules rules = VerifyRules::builtIn();
};

/// Whether images (`postop`, named `name` in messages, of DICOM modality `modality`) may be verified
/// against a plan on `plan`'s images. Throws drg::Error naming why not: the planning images
/// themselves, another patient's images (InvalidArgument), MR (Unsupported). Returns a warning when
/// whose images they are cannot be told (a volume file), else empty.
std::string checkPostopImages(const StudyReference& plan, const imaging::ImageIdentity& postop,
                              const std::string& modality, const std::string& name);

/// Finds, registers, matches and measures. Throws drg::Error(InvalidArgument) when the
/// post-operative images show no lead at all.
Verification verifyLeads(const VerifyInput& input);

/// verify.json's text.
std::string verificationToJson(const Verification& v, const VerifyInput& input, const std::string& planFile,
                               const std::string& postopSource);

/// The verification as a Comprehensive 3D SR's content: each lead's found contacts in the
/// post-operative images' frame of reference (imaging::writePlanSr writes it into their study).
imaging::SrContent verificationToSrContent(const Verification& v);

/// An earlier verify.json (for --previous); throws drg::Error(Format) naming the field.
PreviousVerification previousFromJson(std::string_view text, const std::string& origin);

/// Throws drg::Error(InvalidArgument) when `previous` compared other planning images than `plan`'s,
/// or the same post-operative images as `postop`, or later ones (by study date).
void checkPrevious(const PreviousVerification& previous, const StudyReference& plan,
                   const imaging::ImageIdentity& postop);

} // namespace drg::planning
