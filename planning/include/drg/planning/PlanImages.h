#pragma once
// A plan belongs to the images it was made on: its coordinates are theirs and its leads were shaped
// on their anatomy. Opening it on other images (another patient's, another study of the same
// patient) is refused, naming both in words; carrying a plan's targets to other images of the same
// patient is an explicit step that says what it does.

#include "drg/imaging/ImageIdentity.h"
#include "drg/planning/Plan.h"

#include <string>

namespace drg::planning
{

/// Records which images a plan is made on: source, series, frame of reference, patient, study,
/// grid and fingerprint (the modality, the levels' anchor and the user's level corrections are the
/// caller's, from the spine model).
void recordImages(StudyReference& study, const imaging::ImageIdentity& images);

/// The images a plan records, as an identity (for describing them).
imaging::ImageIdentity recordedImages(const StudyReference& study);

enum class ImagesMatch
{
  Same,                      ///< the plan's own images
  OtherImagesSamePatient,    ///< other images, of the same patient (both DICOM, the same patient key)
  OtherImagesPatientUnknown, ///< other images, or none the plan records; the patient cannot be told
  OtherPatient               ///< another patient's images
};

struct ImagesCheck
{
  ImagesMatch match = ImagesMatch::Same;
  /// Empty when Same; else what was found and both images in words (what to do is the caller's:
  /// open the plan's own images, or carry the targets where that is offered).
  std::string message;

  /// True when the plan's targets may be carried to the images by an explicit step.
  bool carriable() const
  {
    return match == ImagesMatch::OtherImagesSamePatient || match == ImagesMatch::OtherImagesPatientUnknown;
  }
};

/// Whether `plan`'s study reference names `images`. The patient first (both DICOM: their keys);
/// then the images: the grid and the voxel values' fingerprint where both are recorded, else the
/// frame of reference and the series (plans made before fingerprints); a plan recording neither
/// cannot be told to be these images'.
ImagesCheck checkPlanImages(const StudyReference& plan, const imaging::ImageIdentity& images);

/// The plan's targets carried to other images, on the plan `start` begun for them (its study
/// reference set): each lead's name, target level and side, approach, entry level and devices, and
/// the pocket's site, side, generator and depth. Positions set by hand (targets, entries, the
/// pocket) and locks are not carried: their coordinates are the other images'. Every lead is
/// planned again on the new images when the plan is recomputed.
Plan carryTargets(const Plan& plan, Plan start);

/// What carryTargets does to `plan`, in words, for the question put to the user.
std::string carryTargetsDescription(const Plan& plan);

} // namespace drg::planning
