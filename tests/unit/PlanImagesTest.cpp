// A plan opens only on its own images: the patient's keyed hash, the grid and the voxel values'
// fingerprint, the older plans' frame of reference; the messages in words; carrying the targets.
#include "drg/planning/PlanImages.h"

#include <gtest/gtest.h>

using namespace drg::planning;
using drg::imaging::Image;
using drg::imaging::ImageGeometry;
using drg::imaging::ImageIdentity;

namespace
{

Image<float> volume(float value, double spacing = 1.0)
{
  ImageGeometry g;
  g.size = { 8, 7, 6 };
  g.spacing = Eigen::Vector3d(spacing, spacing, 2.0);
  g.origin = Eigen::Vector3d(-4, -3, 10);
  Image<float> v(g);
  for (std::size_t i = 0; i < v.voxels().size(); ++i) {
    v.voxels()[i] = value + static_cast<float>(i % 13);
  }
  return v;
}

/// DICOM images of a patient: the volume's identity, the patient and the series.
ImageIdentity dicom(const Image<float>& v, const std::string& patientId, const std::string& name,
                    const std::string& series)
{
  ImageIdentity id = drg::imaging::volumeIdentity(v, "/data/" + series);
  drg::imaging::setDicomPatient(id, patientId, name, "19600101");
  id.modality = "CT";
  id.seriesUid = "1.2.826.0.1." + series;
  id.seriesDescription = "Lumbar " + series;
  id.frameOfReferenceUid = "1.2.826.0.2." + series;
  id.studyDate = "20250302";
  return id;
}

StudyReference planOn(const ImageIdentity& images)
{
  StudyReference s;
  recordImages(s, images);
  s.modality = "CT";
  return s;
}

} // namespace

TEST(ImageIdentity, PatientKeyIsKeyedHashNeverTheId)
{
  const std::string a = drg::imaging::patientIdentityKey("PID-Z4711", "DOE^JOHN", "19600101");
  EXPECT_EQ(a.size(), 64u); // SHA-256, hex
  EXPECT_EQ(a, drg::imaging::patientIdentityKey(" PID-Z4711 ", "DOE^JOHN", "19600101")) << "DICOM padding";
  EXPECT_EQ(a, drg::imaging::patientIdentityKey("PID-Z4711", "Doe^John^^", "19600101")) << "as typed";
  EXPECT_EQ(a, drg::imaging::patientIdentityKey("PID-Z4711", "DOE^JOHN=å±±ç°", "19600101"))
    << "its ideographic form";
  EXPECT_NE(a, drg::imaging::patientIdentityKey("4712", "DOE^JOHN", "19600101"));
  EXPECT_NE(a, drg::imaging::patientIdentityKey("PID-Z4711", "DOE^JANE", "19600101"));
  EXPECT_EQ(a.find("PID-Z4711"), std::string::npos);
  EXPECT_TRUE(drg::imaging::patientIdentityKey("", "", "").empty());
  EXPECT_EQ(drg::imaging::patientLabelOf("DOE^JOHN", "19600101"), "J.D., born 1960");
  EXPECT_EQ(drg::imaging::patientLabelOf("Doe^John^Quincy", ""), "J.Q.D.");
  EXPECT_TRUE(drg::imaging::patientLabelOf("", "19600101").empty());
}

TEST(ImageIdentity, FingerprintTellsValuesAndGrid)
{
  const Image<float> a = volume(0.0f);
  EXPECT_EQ(drg::imaging::volumeFingerprint(a), drg::imaging::volumeFingerprint(volume(0.0f)));
  Image<float> b = volume(0.0f);
  b.voxels()[100] += 1.0f;
  EXPECT_NE(drg::imaging::volumeFingerprint(a), drg::imaging::volumeFingerprint(b)) << "one voxel changed";
  EXPECT_NE(drg::imaging::volumeFingerprint(a), drg::imaging::volumeFingerprint(volume(0.0f, 1.1)))
    << "the same values on another grid";
}

TEST(PlanImages, TheSameImagesOpen)
{
  const Image<float> v = volume(0.0f);
  const ImageIdentity images = dicom(v, "PID-Z4711", "DOE^JOHN", "3");
  EXPECT_EQ(checkPlanImages(planOn(images), images).match, ImagesMatch::Same);
  // a volume file without DICOM identity: by its grid and values
  const ImageIdentity file = drg::imaging::volumeIdentity(v, "/data/ct.nii.gz");
  const ImageIdentity again = drg::imaging::volumeIdentity(volume(0.0f), "/elsewhere/copy.nii.gz");
  EXPECT_EQ(checkPlanImages(planOn(file), again).match, ImagesMatch::Same);
}

TEST(PlanImages, AnotherPatientIsRefusedInWords)
{
  const ImageIdentity mine = dicom(volume(0.0f), "PID-Z4711", "DOE^JOHN", "3");
  const ImageIdentity theirs = dicom(volume(0.5f), "PID-Y0815", "ROE^ANNA", "3");
  const ImagesCheck c = checkPlanImages(planOn(mine), theirs);
  EXPECT_EQ(c.match, ImagesMatch::OtherPatient);
  EXPECT_FALSE(c.carriable());
  EXPECT_NE(c.message.find("another patient"), std::string::npos) << c.message;
  EXPECT_NE(c.message.find("J.D., born 1960"), std::string::npos) << c.message;
  EXPECT_NE(c.message.find("A.R., born 1960"), std::string::npos) << c.message;
  EXPECT_NE(c.message.find("'Lumbar 3' of 2025-03-02"), std::string::npos) << c.message;
  EXPECT_EQ(c.message.find(mine.patientKey), std::string::npos) << "the key is never shown";
  EXPECT_EQ(c.message.find("PID-Z4711"), std::string::npos) << "nor the patient's ID";
}

TEST(PlanImages, TheSameImagesUnderOtherPatientDataAreQuestioned)
{
  // a name corrected in the archive: the very voxels, another key; never "another patient", never open
  const ImageIdentity before = dicom(volume(0.0f), "PID-Z4711", "DOE^JON", "3");
  const ImageIdentity after = dicom(volume(0.0f), "PID-Z4711", "DOE^JOHN", "3");
  const ImagesCheck c = checkPlanImages(planOn(before), after);
  EXPECT_EQ(c.match, ImagesMatch::OtherImagesPatientUnknown);
  EXPECT_NE(c.message.find("patient data are not the plan's"), std::string::npos) << c.message;
}

TEST(PlanImages, AnotherStudyOfTheSamePatientIsCarriedOnlyOnRequest)
{
  const ImageIdentity first = dicom(volume(0.0f), "PID-Z4711", "DOE^JOHN", "3");
  const ImageIdentity later = dicom(volume(5.0f), "PID-Z4711", "DOE^JOHN", "9");
  const ImagesCheck c = checkPlanImages(planOn(first), later);
  EXPECT_EQ(c.match, ImagesMatch::OtherImagesSamePatient);
  EXPECT_TRUE(c.carriable());
  EXPECT_NE(c.message.find("same patient"), std::string::npos) << c.message;
}

TEST(PlanImages, VolumeFilesOfUnknownPatientsAreRefused)
{
  // a NIfTI plan on another NIfTI, a DICOM plan on a NIfTI, a NIfTI plan on DICOM
  const ImageIdentity a = drg::imaging::volumeIdentity(volume(0.0f), "/data/a.nii.gz");
  const ImageIdentity b = drg::imaging::volumeIdentity(volume(7.0f), "/data/b.nii.gz");
  const ImageIdentity d = dicom(volume(3.0f), "PID-Z4711", "DOE^JOHN", "3");
  for (const auto& [plan, images] : { std::pair{ a, b }, std::pair{ d, b }, std::pair{ a, d } }) {
    const ImagesCheck c = checkPlanImages(planOn(plan), images);
    EXPECT_EQ(c.match, ImagesMatch::OtherImagesPatientUnknown) << plan.source << " on " << images.source;
    EXPECT_NE(c.message.find("cannot tell whether"), std::string::npos) << c.message;
    EXPECT_NE(c.message.find(plan.source), std::string::npos) << c.message;
    EXPECT_NE(c.message.find(images.source), std::string::npos) << c.message;
  }
}

TEST(PlanImages, OlderPlansByFrameOfReferenceOrNotAtAll)
{
  const ImageIdentity images = dicom(volume(0.0f), "PID-Z4711", "DOE^JOHN", "3");
  StudyReference older; // what plans recorded before fingerprints
  older.source = "/data/3";
  older.seriesUid = images.seriesUid;
  older.frameOfReferenceUid = images.frameOfReferenceUid;
  EXPECT_EQ(checkPlanImages(older, images).match, ImagesMatch::Same);
  older.frameOfReferenceUid = "1.2.3.999";
  EXPECT_EQ(checkPlanImages(older, images).match, ImagesMatch::OtherImagesPatientUnknown);
  // a plan that records nothing to compare (an older plan of a volume file) opens on nothing
  StudyReference nothing;
  nothing.source = "/data/ct.nii.gz";
  const ImagesCheck c =
    checkPlanImages(nothing, drg::imaging::volumeIdentity(volume(0.0f), "/data/ct.nii.gz"));
  EXPECT_EQ(c.match, ImagesMatch::OtherImagesPatientUnknown);
  EXPECT_NE(c.message.find("does not record"), std::string::npos) << c.message;
}

TEST(PlanImages, CarryingKeepsTargetsAndDevicesNotPositions)
{
  Plan plan;
  plan.study = planOn(dicom(volume(0.0f), "PID-Z4711", "DOE^JOHN", "3"));
  LeadPlan l;
  l.name = "L4 left";
  l.targetLevel = "L4";
  l.entryLevel = "L5";
  l.sheath = "tight";
  l.manualTarget = Vector3d(1, 2, 3);
  l.skinEntryOverride = Vector3d(4, 5, 6);
  l.locked = true;
  l.planned = true;
  l.route = { Vector3d::Zero(), Vector3d::Ones() };
  plan.leads.push_back(l);
  PocketPlan pocket;
  pocket.site = PocketSite::Abdomen;
  pocket.side = Side::Right;
  pocket.depthMm = 15;
  pocket.positionOverride = Vector3d(7, 8, 9);
  plan.pocket = pocket;
  Plan start;
  start.study = planOn(dicom(volume(5.0f), "PID-Z4711", "DOE^JOHN", "9"));
  const Plan carried = carryTargets(plan, start);
  EXPECT_EQ(carried.study.seriesUid, start.study.seriesUid) << "the new images' plan";
  ASSERT_EQ(carried.leads.size(), 1u);
  const LeadPlan& c = carried.leads[0];
  EXPECT_EQ(c.name, "L4 left");
  EXPECT_EQ(c.targetLevel, "L4");
  EXPECT_EQ(c.entryLevel, "L5");
  EXPECT_EQ(c.sheath, "tight");
  EXPECT_FALSE(c.manualTarget || c.skinEntryOverride || c.locked || c.planned || !c.route.empty());
  ASSERT_TRUE(carried.pocket.has_value());
  EXPECT_EQ(carried.pocket->site, PocketSite::Abdomen);
  EXPECT_EQ(carried.pocket->side, Side::Right);
  EXPECT_FALSE(carried.pocket->positionOverride.has_value());
  const std::string said = carryTargetsDescription(plan);
  EXPECT_NE(said.find("L4 left"), std::string::npos) << said;
  EXPECT_NE(said.find("not carried"), std::string::npos) << said;
}

TEST(PlanImages, PlanFilesKeepWhichImages)
{
  Plan plan;
  plan.study = planOn(dicom(volume(0.0f), "PID-Z4711", "DOE^JOHN", "3"));
  const Plan back = planFromJson(planToJson(plan), "test");
  EXPECT_EQ(back.study.patientKey, plan.study.patientKey);
  EXPECT_EQ(back.study.patientLabel, "J.D., born 1960");
  EXPECT_EQ(back.study.imageFingerprint, plan.study.imageFingerprint);
  EXPECT_EQ(back.study.imageGeometry, plan.study.imageGeometry);
  EXPECT_EQ(back.study.studyDate, "20250302");
  EXPECT_EQ(planToJson(plan).find("PID-Z4711"), std::string::npos) << "no patient ID in the file";
}
