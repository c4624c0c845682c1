// drgplan-cli phantom end to end: the files a user gets, checked by independent tools (DCMTK's
// dcmdump, dicom3tools' dciodvfy, dcm2niix) and against truth.json.
#include "drg/imaging/NiftiIo.h"

#include "TestSupport.h"

#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

#include <fstream>
#include <regex>

namespace fs = std::filesystem;
using drg::test::runCommand;
using nlohmann::json;

namespace
{

json readJson(const fs::path& p)
{
  std::ifstream in(p);
  return json::parse(in);
}

Eigen::Vector3d vec(const json& j)
{
  return Eigen::Vector3d(j[0].get<double>(), j[1].get<double>(), j[2].get<double>());
}

drg::imaging::ImageGeometry truthGeometry(const json& truth)
{
  drg::imaging::ImageGeometry g;
  const json& gj = truth.at("geometry");
  for (int a = 0; a < 3; ++a) {
    g.size[static_cast<std::size_t>(a)] = gj.at("size")[static_cast<std::size_t>(a)].get<std::size_t>();
    g.direction.col(a) = vec(gj.at("direction_columns")[static_cast<std::size_t>(a)]);
  }
  g.spacing = vec(gj.at("spacing"));
  g.origin = vec(gj.at("origin"));
  return g;
}

/// Runs the CLI's phantom command into `dir` with `args`; fails the test on a non-zero exit.
void makePhantom(const fs::path& dir, const std::string& args)
{
  auto r = runCommand(drg::test::cliPath() + " phantom --quiet --out " + dir.string() + " " + args);
  ASSERT_EQ(r.exitCode, 0) << r.output;
}

/// dciodvfy's error lines for one file (warnings are allowed).
std::vector<std::string> dciodvfyErrors(const fs::path& file)
{
  auto r = runCommand("dciodvfy " + file.string());
  std::vector<std::string> errors;
  std::istringstream in(r.output);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("Error", 0) == 0) {
      errors.push_back(line);
    }
  }
  return errors;
}

} // namespace

TEST(PhantomCli, WritesDicomTruthAndLabelsAndSaysWhere)
{
  drg::test::TemporaryFolder dir("cli");
  auto r = runCommand(drg::test::cliPath() + " phantom --out " + dir.path().string() +
                      " --matrix 128,128,120 --spacing 3,3,3.5");
  ASSERT_EQ(r.exitCode, 0) << r.output;
  EXPECT_NE(r.output.find("phantom written to"), std::string::npos);
  EXPECT_NE(r.output.find("levels in view: T10 T11 T12 L1 L2 L3 L4 L5 S1 sacrum"), std::string::npos)
    << r.output;
  int files = 0;
  for (const auto& e : fs::directory_iterator(dir.path() / "dicom")) {
    files += e.path().extension() == ".dcm" ? 1 : 0;
  }
  EXPECT_EQ(files, 120);
  json truth = readJson(dir.path() / "truth.json");
  EXPECT_EQ(truth.at("coordinate_system"), "LPS");
  EXPECT_EQ(truth.at("ganglia").size(), 18u);
  auto labels = drg::imaging::readNiftiLabels(dir.path() / "labels.nii.gz");
  drg::imaging::ImageGeometry g = truthGeometry(truth);
  EXPECT_EQ(labels.geometry().size, g.size);
  EXPECT_NEAR((labels.geometry().origin - g.origin).norm(), 0.0, 1e-3);
  EXPECT_NEAR((labels.geometry().direction - g.direction).norm(), 0.0, 1e-6);

  // a second run into the same folder replaces the outputs atomically and leaves nothing behind
  makePhantom(dir.path(), "--matrix 64,64,50 --spacing 6,6,8");
  int after = 0;
  for (const auto& e : fs::directory_iterator(dir.path() / "dicom")) {
    after += e.path().extension() == ".dcm" ? 1 : 0;
  }
  EXPECT_EQ(after, 50);
  for (const auto& e : fs::directory_iterator(dir.path())) {
    EXPECT_EQ(e.path().filename().string().find(".partial"), std::string::npos) << e.path();
  }
}

TEST(PhantomCli, DciodvfyFindsNoErrorsInCtAndMrVariants)
{
  DRG_REQUIRE_TOOL("dciodvfy");
  struct Case
  {
    const char* name;
    const char* args;
  };
  for (const Case& c :
       { Case{ "ct axial", "--matrix 96,96,30 --spacing 4,4,4 --levels L3-L5" },
         Case{ "mr sagittal",
               "--contrast t2 --plane sagittal --matrix 96,96,24 --spacing 4,4,4 --levels L3-L5" },
         Case{ "mr fat-sat prone oblique", "--contrast t2-fatsat --position HFP --oblique 10,0,5 --matrix "
                                           "80,80,20 --spacing 5,5,5 --levels L4-S1" } }) {
    drg::test::TemporaryFolder dir("dciodvfy");
    makePhantom(dir.path(), c.args);
    for (const char* f : { "IM00001.dcm", "IM00010.dcm" }) {
      auto errors = dciodvfyErrors(dir.path() / "dicom" / f);
      EXPECT_TRUE(errors.empty()) << c.name << " " << f << ":\n" << (errors.empty() ? "" : errors.front());
    }
  }
}

TEST(PhantomCli, Dcm2niixBuildsTheSameVoxelsOnTheTruthGeometry)
{
  DRG_REQUIRE_TOOL("dcm2niix");
  for (const char* args :
       { "--matrix 120,110,90 --spacing 3.2,3.4,4.5",
         "--matrix 100,100,60 --spacing 4,4,4 --position FFP --slice-order descending --oblique 0,6,12",
         "--contrast t2 --plane sagittal --matrix 110,100,40 --spacing 4,4,4" }) {
    drg::test::TemporaryFolder dir("dcm2niix");
    makePhantom(dir.path(), args);
    fs::path out = dir.path() / "nii";
    fs::create_directories(out);
    auto r = runCommand("dcm2niix -z n -f vol -o " + out.string() + " " + (dir.path() / "dicom").string());
    ASSERT_EQ(r.exitCode, 0) << r.output;
    auto vol = drg::imaging::readVolumeFile(out / "vol.nii");
    json truth = readJson(dir.path() / "truth.json");
    drg::imaging::ImageGeometry g = truthGeometry(truth);
    auto labels = drg::imaging::readNiftiLabels(dir.path() / "labels.nii.gz");
    // same grid up to axis flips: every dcm2niix voxel centre is one of ours, within 0.01 mm
    const auto& v = vol.geometry();
    ASSERT_EQ(v.voxelCount(), g.voxelCount()) << args;
    std::size_t checked = 0;
    for (std::size_t k = 0; k < v.size[2]; k += 3) {
      for (std::size_t j = 0; j < v.size[1]; j += 5) {
        for (std::size_t i = 0; i < v.size[0]; i += 5) {
          Eigen::Vector3d p = v.indexToLps(Eigen::Vector3d(i, j, k));
          Eigen::Vector3d ours = g.lpsToIndex(p);
          Eigen::Vector3d rounded = ours.array().round().matrix();
          ASSERT_LT(((ours - rounded).cwiseProduct(g.spacing)).norm(), 0.01)
            << args << " at " << i << "," << j << "," << k;
          ASSERT_TRUE(g.containsIndex(rounded)) << args;
          ++checked;
        }
      }
    }
    EXPECT_GT(checked, 1000u);
    // and the voxel values agree: the L3 body centre is bone, the canal behind it is not
    for (const auto& vt : truth.at("vertebrae")) {
      if (vt.at("level") != "L3") {
        continue;
      }
      Eigen::Vector3d c = vec(vt.at("body_centre"));
      Eigen::Vector3d idx = v.lpsToIndex(c).array().round().matrix();
      float value = vol.at(static_cast<std::size_t>(idx.x()), static_cast<std::size_t>(idx.y()),
                           static_cast<std::size_t>(idx.z()));
      Eigen::Vector3d li = labels.geometry().lpsToIndex(c).array().round().matrix();
      EXPECT_EQ(labels.at(static_cast<std::size_t>(li.x()), static_cast<std::size_t>(li.y()),
                          static_cast<std::size_t>(li.z())),
                vt.at("label").get<int>())
        << args;
      if (std::string(args).find("t2") == std::string::npos) {
        EXPECT_GT(value, 120.0) << args << ": L3 body centre should be cancellous bone in HU";
      } else {
        EXPECT_GT(value, 250.0) << args << ": marrow on T2";
      }
    }
  }
}

TEST(PhantomCli, BadInputGivesAClearMessageAndNonZeroExit)
{
  drg::test::TemporaryFolder dir("cli-bad");
  struct Case
  {
    std::string args;
    int exit;
    const char* fragment;
  };
  std::string out = " --out " + dir.path().string();
  for (const Case& c :
       { Case{ out + " --spacing 0,1,1", 2, "spacing" }, Case{ out + " --levels L6-S1", 2, "does not have" },
         Case{ out + " --levels S1-L3", 2, "upper level first" },
         Case{ out + " --contrast pet", 2, "unknown contrast" }, Case{ out + " --matrix 10,10", 2, "" },
         Case{ out + " --cage L3-L5", 2, "is not a disc" }, Case{ out + " --cage L5-L6", 2, "is not a disc" },
         Case{ out + " --transitional L6 --disc-collapse L5-S1", 2, "is not a disc" },
         Case{ out + " --fusion S1-L4", 2, "upper level first" },
         Case{ out + " --spondylolisthesis L5", 2, "LEVEL:MM" },
         Case{ out + " --twelfth-rib short", 2, "twelfth rib" },
         Case{ out + " --laminectomy L6", 2, "does not have" },
         Case{ " --matrix 16,16,16 --out /proc/drgplan-cannot-write", 3, "cannot" } }) {
    auto r = runCommand(drg::test::cliPath() + " phantom --quiet" + c.args);
    EXPECT_EQ(r.exitCode, c.exit) << c.args << "\n" << r.output;
    EXPECT_NE(r.output.find(c.fragment), std::string::npos) << c.args << "\n" << r.output;
    EXPECT_EQ(r.output.find("terminate"), std::string::npos) << "crashed: " << r.output;
  }
  auto r = runCommand(drg::test::cliPath() + " phantom");
  EXPECT_EQ(r.exitCode, 2) << "--out is required";
}

// A drawn, operated spine: what was drawn and done is in truth.json; options given explicitly win
// over the seed's draw.
TEST(PhantomCli, AnatomySeedAndSurgeryAreRecordedInTheTruth)
{
  drg::test::TemporaryFolder dir("cli-population");
  auto r = runCommand(drg::test::cliPath() + " phantom --quiet --out " + dir.path().string() +
                      " --matrix 96,96,100 --spacing 4,4,4 --anatomy-seed 7 --lordosis 33 --fusion L4-S1 "
                      "--cage L5-S1 --disc-collapse L3-L4 --laminectomy L4 --spondylolisthesis L4:5 "
                      "--cement L1 --twelfth-rib hypoplastic");
  ASSERT_EQ(r.exitCode, 0) << r.output;
  json truth = readJson(dir.path() / "truth.json");
  const json& o = truth.at("options");
  EXPECT_EQ(o.at("anatomy_seed"), 7);
  EXPECT_EQ(o.at("lordosis_degrees"), 33.0);
  EXPECT_EQ(o.at("twelfth_rib"), "hypoplastic");
  EXPECT_EQ(o.at("surgery"), "laminectomy L4; fusion L4-S1; cage below L5; disc collapse below L3; "
                             "spondylolisthesis L4 5 mm; cement L1");
  EXPECT_TRUE(truth.at("anatomy_drawn").at("levels_mm").contains("L4"));
  EXPECT_EQ(truth.at("labels").at("90"), "pedicle screws and rods");
  EXPECT_EQ(truth.at("labels").at("91"), "interbody cage");
}
