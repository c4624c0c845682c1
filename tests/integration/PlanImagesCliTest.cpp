// drgplan-cli report refuses a plan on images other than its own, for every pairing of DICOM series
// and NIfTI volumes of phantoms (another patient: another seed; another study of the same patient:
// the same seed on another grid), naming both images in words; on a copy of its own volume it runs.
#include "TestSupport.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

using drg::test::runCommand;

namespace
{

const std::string kCli = DRG_CLI_PATH;

/// A phantom's DICOM series (and, converted, its NIfTI volume) in `dir`/`name`.
void phantom(const std::filesystem::path& dir, const std::string& name, const std::string& options)
{
  const auto made = runCommand(kCli + " -q phantom --out " + (dir / name).string() + " " + options);
  ASSERT_EQ(made.exitCode, 0) << made.output;
  const auto converted = runCommand(kCli + " -q convert " + (dir / name / "dicom").string() + " " +
                                    (dir / (name + ".nii.gz")).string());
  ASSERT_EQ(converted.exitCode, 0) << converted.output;
}

std::filesystem::path plan(const std::filesystem::path& dir, const std::string& images,
                           const std::string& name)
{
  const auto planned =
    runCommand(kCli + " -q plan " + images + " --targets L5-left --out " + (dir / name).string());
  EXPECT_EQ(planned.exitCode, 0) << planned.output;
  return dir / name / "plan.drgplan.json";
}

} // namespace

TEST(PlanImagesCli, ReportRefusesEveryOtherPairing)
{
  drg::test::TemporaryFolder dir("plan-images");
  const std::string grid = "--matrix 256,256,200 --spacing 1.6,1.6,2";
  phantom(dir.path(), "a", grid + " --seed 1");
  phantom(dir.path(), "b", grid + " --seed 2");                                     // another patient
  phantom(dir.path(), "a2", "--matrix 240,240,180 --spacing 1.7,1.7,2.2 --seed 1"); // the same, again
  const auto a = dir.path() / "a", b = dir.path() / "b", a2 = dir.path() / "a2";
  const auto planDicom = plan(dir.path(), (a / "dicom").string(), "plan-dicom");
  const auto planNifti = plan(dir.path(), (dir.path() / "a.nii.gz").string(), "plan-nifti");
  struct Pairing
  {
    std::filesystem::path plan, images;
    const char* says;
  };
  const Pairing refused[] = {
    { planDicom, b / "dicom", "another patient" },
    { planDicom, a2 / "dicom", "other images of the same patient" },
    { planDicom, dir.path() / "b.nii.gz", "cannot tell whether" },
    { planNifti, dir.path() / "b.nii.gz", "cannot tell whether" },
    { planNifti, b / "dicom", "cannot tell whether" },
    { planNifti, dir.path() / "a2.nii.gz", "cannot tell whether" },
  };
  for (const Pairing& p : refused) {
    const auto r = runCommand(kCli + " -q report " + p.plan.string() + " --images " + p.images.string() +
                              " --csv --out " + (dir.path() / "r").string());
    EXPECT_NE(r.exitCode, 0) << p.plan << " on " << p.images << ": " << r.output;
    EXPECT_NE(r.output.find(p.says), std::string::npos) << r.output;
    EXPECT_NE(r.output.find(p.images.string()), std::string::npos) << "the images open, named: " << r.output;
    EXPECT_FALSE(std::filesystem::exists(dir.path() / "r" / "leads.csv")) << "a report was written";
  }
  // the patient in words, never the ID: the phantom's patient is PHANTOM^SPINE, ID DRGPHANTOM-<seed>
  const auto other = runCommand(kCli + " -q report " + planDicom.string() + " --images " +
                                (b / "dicom").string() + " --csv --out " + (dir.path() / "r").string());
  EXPECT_NE(other.output.find("S.P."), std::string::npos) << other.output;
  EXPECT_EQ(other.output.find("DRGPHANTOM"), std::string::npos) << other.output;
  // in a folder of several series, the report finds the plan's own (series given when planning)
  const auto two = dir.path() / "two";
  std::filesystem::create_directories(two);
  std::filesystem::copy(a / "dicom", two / "a");
  std::filesystem::copy(a2 / "dicom", two / "a2");
  const std::string series = drg::test::dicomValue(a / "dicom", "SeriesInstanceUID");
  const auto planned = runCommand(kCli + " -q plan " + two.string() + " --series " + series +
                                  " --targets L5-left --out " + (dir.path() / "plan-two").string());
  ASSERT_EQ(planned.exitCode, 0) << planned.output;
  const auto ofTwo =
    runCommand(kCli + " -q report " + (dir.path() / "plan-two" / "plan.drgplan.json").string() +
               " --csv --out " + (dir.path() / "two-out").string());
  EXPECT_EQ(ofTwo.exitCode, 0) << ofTwo.output;
  // its own volume, copied elsewhere, is its own
  std::filesystem::copy_file(dir.path() / "a.nii.gz", dir.path() / "copy.nii.gz");
  const auto own =
    runCommand(kCli + " -q report " + planNifti.string() + " --images " +
               (dir.path() / "copy.nii.gz").string() + " --csv --out " + (dir.path() / "own").string());
  EXPECT_EQ(own.exitCode, 0) << own.output;
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "own" / "leads.csv"));
}
