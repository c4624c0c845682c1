// Binding a plan to its images: the check when a plan is opened on images, and carrying its
// targets to other images of the same patient.
#include "drg/planning/PlanImages.h"

namespace drg::planning
{

void recordImages(StudyReference& study, const imaging::ImageIdentity& images)
{
  if (!images.source.empty()) {
    study.source = images.source;
  }
  study.seriesUid = images.seriesUid;
  study.frameOfReferenceUid = images.frameOfReferenceUid;
  if (!images.seriesDescription.empty()) {
    study.seriesDescription = images.seriesDescription;
  }
  study.patientKey = images.patientKey;
  study.patientLabel = images.patientLabel;
  study.studyUid = images.studyUid;
  study.studyDate = images.studyDate;
  study.studyDescription = images.studyDescription;
  study.imageGeometry = images.geometry;
  study.imageFingerprint = images.fingerprint;
}

imaging::ImageIdentity recordedImages(const StudyReference& study)
{
  imaging::ImageIdentity id;
  id.patientKey = study.patientKey;
  id.patientLabel = study.patientLabel;
  id.studyUid = study.studyUid;
  id.studyDate = study.studyDate;
  id.studyDescription = study.studyDescription;
  // (the modality the plan records is the spine model's word when DICOM gave none)
  id.modality = study.seriesUid.empty() ? std::string() : study.modality;
  id.seriesUid = study.seriesUid;
  id.seriesDescription = study.seriesDescription;
  id.frameOfReferenceUid = study.frameOfReferenceUid;
  id.geometry = study.imageGeometry;
  id.fingerprint = study.imageFingerprint;
  id.source = study.source;
  return id;
}

ImagesCheck checkPlanImages(const StudyReference& plan, const imaging::ImageIdentity& images)
{
  ImagesCheck c;
  const std::string made = "\n  the plan's images: " + imaging::describeImages(recordedImages(plan)) +
                           "\n  these images:      " + imaging::describeImages(images);
  const bool patientsKnown = !plan.patientKey.empty() && !images.patientKey.empty();
  const bool sameVoxels = !plan.imageFingerprint.empty() && plan.imageFingerprint == images.fingerprint &&
                          plan.imageGeometry == images.geometry;
  if (patientsKnown && plan.patientKey != images.patientKey && sameVoxels) {
    // the very images, under other patient data: a corrected name or ID, a merged record
    c.match = ImagesMatch::OtherImagesPatientUnknown;
    c.message = "These are the images the plan was made on (the same grid and voxel values), but their "
                "patient data are not the plan's (a corrected name, ID or birth date, or a merged "
                "record?): check that they show the plan's patient." +
                made;
    return c;
  }
  if (patientsKnown && plan.patientKey != images.patientKey) {
    c.match = ImagesMatch::OtherPatient;
    // (initials and birth year can agree for two patients: then say that the keys do not)
    const std::string alike = plan.patientLabel == images.patientLabel && !plan.patientLabel.empty()
                                ? " (the same initials, but another patient ID, name or birth date)"
                                : "";
    c.message = "This plan belongs to another patient" + alike + "." + made;
    return c;
  }
  bool same = false, recorded = true;
  if (!plan.imageFingerprint.empty() && !images.fingerprint.empty()) {
    same = sameVoxels;
  } else if (!plan.frameOfReferenceUid.empty() && !images.frameOfReferenceUid.empty()) {
    same = plan.frameOfReferenceUid == images.frameOfReferenceUid &&
           (plan.seriesUid.empty() || images.seriesUid.empty() || plan.seriesUid == images.seriesUid);
  } else {
    recorded = false;
  }
  if (same) {
    return c;
  }
  if (patientsKnown) {
    c.match = ImagesMatch::OtherImagesSamePatient;
    c.message = "This plan was made on other images of the same patient." + made;
  } else if (!recorded) {
    c.match = ImagesMatch::OtherImagesPatientUnknown;
    c.message = "drgplan cannot tell that these are the plan's images: the plan does not record them well "
                "enough to compare (made by an older drgplan, or written by hand), and neither can the "
                "patient be compared." +
                made;
  } else {
    c.match = ImagesMatch::OtherImagesPatientUnknown;
    c.message = "This plan was made on other images, and drgplan cannot tell whether they show the same "
                "patient (the patient is not named in both)." +
                made;
  }
  return c;
}

Plan carryTargets(const Plan& plan, Plan start)
{
  start.leads.clear();
  for (const LeadPlan& from : plan.leads) {
    LeadPlan l;
    l.name = from.name;
    l.targetLevel = from.targetLevel;
    l.targetSide = from.targetSide;
    l.approach = from.approach;
    l.entryLevel = from.entryLevel;
    l.techniqueChosen = from.techniqueChosen;
    l.leadModel = from.leadModel;
    l.needle = from.needle;
    l.sheath = from.sheath;
    start.leads.push_back(std::move(l));
  }
  start.pocket.reset();
  if (plan.pocket) {
    PocketPlan p;
    p.site = plan.pocket->site;
    p.side = plan.pocket->side;
    p.generator = plan.pocket->generator;
    p.depthMm = plan.pocket->depthMm;
    start.pocket = p;
  }
  start.findings.clear();
  return start;
}

std::string carryTargetsDescription(const Plan& plan)
{
  std::string names;
  bool byHand = false;
  for (const LeadPlan& l : plan.leads) {
    names += (names.empty() ? "" : ", ") + l.name;
    byHand = byHand || l.manualTarget || l.skinEntryOverride || l.epiduralEntryOverride || l.locked;
  }
  std::string s = "Carry the plan's " + std::to_string(plan.leads.size()) + " lead target(s)" +
                  (names.empty() ? std::string() : " (" + names + ")") +
                  (plan.pocket ? " and its pocket's site" : "") +
                  " to the images open? Every lead is planned again on these images";
  s += byHand ? "; the positions set by hand and the locks in the plan are not carried (their "
                "coordinates are the other images')."
              : ".";
  return s;
}

} // namespace drg::planning
