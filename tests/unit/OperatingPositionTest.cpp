// The plan in the prone operating room: the scan's patient position read from DICOM (and unknown
// for a volume file), the note when the scan was not prone, and the skin entry said against the
// bony landmarks.
#include "drg/imaging/NiftiIo.h"
#include "drg/imaging/SpineCaseLoader.h"
#include "drg/imaging/SpinePhantom.h"
#include "drg/planning/Plan.h"

#include "TestSupport.h"

#include <gtest/gtest.h>

using namespace drg::imaging;
using namespace drg::planning;

namespace
{

/// A small phantom series written with `position` and loaded as the CLI loads a case.
SpineCaseImage loadedPhantom(PatientPosition position, const drg::test::TemporaryFolder& dir)
{
  PhantomOptions o;
  o.matrix = { 64, 64, 24 };
  o.spacing = Eigen::Vector3d(5.0, 5.0, 6.0);
  o.fieldOfViewFrom = "L3";
  o.fieldOfViewTo = "L5";
  o.position = position;
  writeSpinePhantom(generateSpinePhantom(o), dir.path());
  return SpineCaseLoader().load((dir.path() / "dicom").string());
}

StudyReference study(const std::string& modality, const std::string& position)
{
  StudyReference s;
  s.modality = modality;
  s.patientPosition = position;
  return s;
}

} // namespace

TEST(OperatingPosition, PatientPositionIsReadFromTheDicomSeries)
{
  for (PatientPosition p : { PatientPosition::HFS, PatientPosition::HFP, PatientPosition::FFP }) {
    drg::test::TemporaryFolder dir("position");
    EXPECT_EQ(loadedPhantom(p, dir).patientPosition, patientPositionName(p));
  }
}

TEST(OperatingPosition, AVolumeFileHasNoPatientPosition)
{
  drg::test::TemporaryFolder dir("position");
  const SpineCaseImage dicom = loadedPhantom(PatientPosition::HFP, dir);
  writeVolumeFile(dicom.volume, dir.path() / "volume.nii.gz");
  EXPECT_EQ(SpineCaseLoader().load((dir.path() / "volume.nii.gz").string()).patientPosition, "");
}

TEST(OperatingPosition, SupineScanGivesTheNote)
{
  const std::string note = patientPositionNote(study("CT", "HFS"));
  EXPECT_EQ(note, "planning CT supine (HFS), procedure prone: skin entries move; use the bony landmarks");
  EXPECT_TRUE(scanNotProne(study("CT", "FFS")));
  EXPECT_NE(patientPositionNote(study("MR", "FFS")).find("planning MR supine (FFS)"), std::string::npos);
}

TEST(OperatingPosition, ProneScanGivesNoNote)
{
  for (const char* p : { "HFP", "FFP", "LFP" }) {
    EXPECT_FALSE(scanNotProne(study("CT", p))) << p;
    EXPECT_EQ(patientPositionNote(study("CT", p)), "") << p;
  }
}

TEST(OperatingPosition, UnknownOrDecubitusPositionGivesTheNote)
{
  EXPECT_NE(patientPositionNote(study("CT", "")).find("patient position not known"), std::string::npos);
  EXPECT_NE(patientPositionNote(study("CT", "HFDL")).find("not prone (HFDL)"), std::string::npos);
  EXPECT_NE(patientPositionNote(study("CT", "")).find("use the bony landmarks"), std::string::npos);
}

TEST(OperatingPosition, EntryLandmarksTextSaysLevelSideAndWindow)
{
  EntryLandmarks e;
  EXPECT_EQ(entryLandmarksText(e), "") << "nothing found, nothing said";
  e.found = true;
  e.midlineOffsetMm = -18.2;
  e.spinousLevel = "L5";
  e.belowSpinousMm = 3.0;
  e.pedicleLevel = "S1";
  e.belowPedicleMm = -12.4;
  e.window = "L5/S1";
  e.belowWindowMm = 41.0;
  EXPECT_EQ(entryLandmarksText(e), "at the L5 spinous process tip, 18 mm right of the midline; 12 mm cranial "
                                   "to the S1 pedicle; 41 mm caudal to the L5/S1 interlaminar window");
  e.belowSpinousMm = 9.0;
  e.midlineOffsetMm = 7.0;
  EXPECT_NE(entryLandmarksText(e).find("9 mm caudal to the L5 spinous process tip, 7 mm left of the midline"),
            std::string::npos);
}
