// drgplan-cli phantom --implant and drgplan-cli verify end to end on small phantoms: verify.json's
// fields, migration against an earlier verification, and the refusals (the planning images
// themselves, another patient, MR, a lead the plan does not name).
#include "TestSupport.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <string>

using drg::test::runCommand;

namespace
{

const std::string kCli = DRG_CLI_PATH;
const std::string kGrid = "--matrix 256,256,200 --spacing 1.6,1.6,2";

void run(const std::string& args, int expected, const std::string& says = {})
{
  const auto r = runCommand(kCli + " -q " + args);
  EXPECT_EQ(r.exitCode, expected) << args << "\n" << r.output;
  if (!says.empty()) {
    EXPECT_NE(r.output.find(says), std::string::npos) << args << "\n" << r.output;
  }
}

nlohmann::json readJson(const std::filesystem::path& p)
{
  std::ifstream in(p);
  return nlohmann::json::parse(in);
}

} // namespace

TEST(VerifyCli, ImplantedPlanIsVerifiedAndMigrationMeasured)
{
  drg::test::TemporaryFolder dir("verify-cli");
  const auto d = dir.path();
  run("phantom --out " + (d / "pre").string() + " " + kGrid, 0);
  run("plan " + (d / "pre" / "dicom").string() + " --targets L4-left,L5-right --out " + (d / "plan").string(),
      0);
  const std::string plan = (d / "plan" / "plan.drgplan.json").string();
  run("phantom --out " + (d / "post1").string() + " " + kGrid + " --implant " + plan, 0);
  run("phantom --out " + (d / "post2").string() + " " + kGrid + " --seed 1 --lordosis 50 --implant " + plan +
        " --shift-lead L5-right:0,0,4",
      0);
  run("verify " + (d / "post1" / "dicom").string() + " --plan " + plan + " --out " + (d / "v1").string(), 0);
  run("verify " + (d / "post2" / "dicom").string() + " --plan " + plan + " --out " + (d / "v2").string() +
        " --previous " + (d / "v1").string() + " --pdf",
      0, "migration");
  // the report: a summary page and a page per lead
  const auto pdf = d / "v2" / "verify.pdf";
  ASSERT_TRUE(std::filesystem::exists(pdf));
  const auto info = runCommand("pdfinfo " + pdf.string());
  if (info.exitCode == 0) {
    EXPECT_NE(info.output.find("Pages:           3"), std::string::npos) << info.output;
  }
  // the found contacts as an SR filed into the post-operative study
  const auto sr = d / "v1" / "verify-sr.dcm";
  ASSERT_TRUE(std::filesystem::exists(sr));
  EXPECT_EQ(drg::test::dicomValue(sr, "0008,0060"), "SR");
  EXPECT_EQ(drg::test::dicomValue(sr, "0020,000d"),
            drg::test::dicomValue(d / "post1" / "dicom", "0020,000d"));
  const auto v1 = readJson(d / "v1" / "verify.json");
  ASSERT_EQ(v1["leads"].size(), 2u);
  for (const auto& l : v1["leads"]) {
    EXPECT_TRUE(l["found"].get<bool>()) << l.dump();
    ASSERT_EQ(l["contacts"].size(), 4u);
    EXPECT_TRUE(l["contacts"][0].contains("deviation_mm"));
    EXPECT_TRUE(l["contacts"][0].contains("ganglion_distance_mm"));
    EXPECT_TRUE(l.contains("in_intended_foramen"));
  }
  const auto v2 = readJson(d / "v2" / "verify.json");
  for (const auto& l : v2["leads"]) {
    ASSERT_TRUE(l.contains("migration_mm")) << l.dump();
    const double expected = l["name"] == "L5 right" ? 4.0 : 0.0;
    EXPECT_NEAR(l["migration_mm"].get<double>(), expected, 1.5) << l["name"];
  }
  // the refusals
  run("verify " + (d / "pre" / "dicom").string() + " --plan " + plan + " --out " + (d / "x").string(), 2,
      "the plan's own (planning) images");
  run("phantom --out " + (d / "other").string() + " " + kGrid + " --seed 9 --implant " + plan, 0);
  run("verify " + (d / "other" / "dicom").string() + " --plan " + plan + " --out " + (d / "x").string(), 2,
      "another patient");
  run("phantom --out " + (d / "mr").string() + " " + kGrid + " --contrast t2 --implant " + plan, 0);
  run("verify " + (d / "mr" / "dicom").string() + " --plan " + plan + " --out " + (d / "x").string(), 6,
      "needs CT");
  run("phantom --out " + (d / "y").string() + " " + kGrid + " --implant " + plan +
        " --shift-lead L3-left:0,0,1",
      2, "no implanted lead L3-left");
  run("phantom --out " + (d / "y").string() + " " + kGrid + " --shift-lead L4-left:0,0,1", 2,
      "need --implant");
  EXPECT_FALSE(std::filesystem::exists(d / "x" / "verify.json")) << "a refused verification wrote nothing";
}
