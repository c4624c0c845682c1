// The real applications under X (Xvfb in CI): the workstation renders the demo case, the CLI writes
// its preview and 3D overview, the report its pages. Images are checked for content, the report pages
// against baselines.
#include "ImageBaseline.h"
#include "TestSupport.h"

#include <QGuiApplication>
#include <QImage>

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <iterator>

namespace
{

/// Share of pixels in `rect` brighter than `level` (0-255 grey).
double brightShare(const QImage& img, const QRect& rect, int level)
{
  int n = 0;
  int bright = 0;
  for (int y = rect.top(); y <= rect.bottom(); y += 2) {
    for (int x = rect.left(); x <= rect.right(); x += 2) {
      ++n;
      bright += qGray(img.pixel(x, y)) > level ? 1 : 0;
    }
  }
  return n > 0 ? static_cast<double>(bright) / n : 0.0;
}

} // namespace

TEST(Gui, DemoCaseOpensInTheWorkstationAndRenders)
{
  DRG_REQUIRE_DISPLAY();
  drg::test::TemporaryFolder dir("gui");
  std::string png = (dir.path() / "window.png").string();
  auto r = drg::test::runCommand(std::string(DRG_GUI_PATH) + " --demo --screenshot " + png);
  ASSERT_EQ(r.exitCode, 0) << r.output;
  QImage img(QString::fromStdString(png));
  ASSERT_FALSE(img.isNull());
  EXPECT_GE(img.width(), 1000);
  EXPECT_GE(img.height(), 700);
  // top-left quadrant is the axial view: black air around a grey body with bright bone
  QRect axial(0, 60, img.width() / 2, img.height() / 2 - 80);
  double air = 1.0 - brightShare(img, axial, 20);
  double bone = brightShare(img, axial, 170);
  EXPECT_GT(air, 0.2) << "air around the body";
  EXPECT_GT(bone, 0.002) << "bone visible";
  EXPECT_LT(bone, 0.2) << "bone window, not a white screen";
}

TEST(Gui, OpensADicomSeriesThroughTheImporter)
{
  DRG_REQUIRE_DISPLAY();
  drg::test::TemporaryFolder dir("gui-dicom");
  auto made = drg::test::runCommand(
    drg::test::cliPath() + " phantom --quiet --out " + dir.path().string() +
    " --contrast t2 --plane sagittal --matrix 160,160,30 --spacing 1.5,1.5,3 --levels L2-S1");
  ASSERT_EQ(made.exitCode, 0) << made.output;
  std::string png = (dir.path() / "window.png").string();
  auto r = drg::test::runCommand(std::string(DRG_GUI_PATH) + " " + (dir.path() / "dicom").string() +
                                 " --screenshot " + png);
  ASSERT_EQ(r.exitCode, 0) << r.output;
  QImage img(QString::fromStdString(png));
  ASSERT_FALSE(img.isNull());
  // top-right quadrant is the sagittal view of the sagittal series: bright CSF and fat on T2
  QRect sagittal(img.width() / 2, 60, img.width() / 2 - 10, img.height() / 2 - 80);
  EXPECT_GT(brightShare(img, sagittal, 150), 0.01);
  auto bad = drg::test::runCommand(std::string(DRG_GUI_PATH) + " /nonexistent/series --screenshot " + png);
  EXPECT_EQ(bad.exitCode, 4) << "a folder that does not exist is reported, not crashed on: " << bad.output;
  EXPECT_NE(bad.output.find("does not exist"), std::string::npos) << bad.output;
}

TEST(Gui, ACtSeriesOpensWithItsSpineModel)
{
  DRG_REQUIRE_DISPLAY();
  drg::test::TemporaryFolder dir("gui-spine");
  auto made = drg::test::runCommand(drg::test::cliPath() + " phantom --quiet --out " + dir.path().string() +
                                    " --matrix 200,200,150 --spacing 2,2,2.5 --levels T12-S1");
  ASSERT_EQ(made.exitCode, 0) << made.output;
  std::string png = (dir.path() / "window.png").string();
  auto r = drg::test::runCommand(std::string(DRG_GUI_PATH) + " " + (dir.path() / "dicom").string() +
                                 " --screenshot " + png);
  ASSERT_EQ(r.exitCode, 0) << r.output;
  // the status bar reports the model built off the GUI thread after the import
  // (the field of view from T12 also shows the lower part of T11)
  EXPECT_NE(r.output.find("spine model T11-sacrum, 16 DRG estimates"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("levels counted from the sacrum"), std::string::npos) << r.output;
}

TEST(Gui, CliPreviewAndThreeDimensionalOverview)
{
  DRG_REQUIRE_DISPLAY();
  drg::test::TemporaryFolder dir("render");
  std::string preview = (dir.path() / "preview.png").string();
  std::string overview = (dir.path() / "overview.png").string();
  auto r = drg::test::runCommand(drg::test::cliPath() + " phantom --quiet --out " + dir.path().string() +
                                 " --matrix 160,160,140 --spacing 2.5,2.5,3 --preview " + preview +
                                 " --render3d " + overview);
  ASSERT_EQ(r.exitCode, 0) << r.output;
  QImage p(QString::fromStdString(preview));
  ASSERT_FALSE(p.isNull());
  EXPECT_GT(p.width(), p.height()) << "three panels side by side";
  EXPECT_GT(brightShare(p, p.rect(), 170), 0.002);
  QImage o(QString::fromStdString(overview));
  ASSERT_FALSE(o.isNull());
  EXPECT_EQ(o.width(), 900);
  // coloured vertebrae in front of the dark background
  int coloured = 0;
  for (int y = 0; y < o.height(); y += 3) {
    for (int x = 0; x < o.width(); x += 3) {
      QColor c = o.pixelColor(x, y);
      coloured +=
        (std::max({ c.red(), c.green(), c.blue() }) - std::min({ c.red(), c.green(), c.blue() }) > 60) ? 1
                                                                                                       : 0;
    }
  }
  EXPECT_GT(coloured, 500);
}

TEST(Gui, ThreeDimensionalRenderingWithoutDisplayIsRefusedClearly)
{
  drg::test::TemporaryFolder dir("nodisplay");
  auto r = drg::test::runCommand("env -u DISPLAY " + drg::test::cliPath() + " phantom --quiet --out " +
                                 dir.path().string() + " --matrix 32,32,32 --spacing 8,8,8 --render3d " +
                                 (dir.path() / "x.png").string());
  EXPECT_EQ(r.exitCode, 6) << r.output;
  EXPECT_NE(r.output.find("xvfb-run"), std::string::npos) << r.output;
}

// A lead added in the workstation, its plan saved, the case and plan reopened: the same plan, and
// the views show the lead (its colour in the sagittal view).
TEST(Gui, PlanMadeInTheWorkstationReopensTheSame)
{
  DRG_REQUIRE_DISPLAY();
  drg::test::TemporaryFolder dir("guiplan");
  const std::string first = (dir.path() / "first.drgplan.json").string();
  const std::string second = (dir.path() / "second.drgplan.json").string();
  const std::string png = (dir.path() / "window.png").string();
  auto r = drg::test::runCommand(std::string(DRG_GUI_PATH) + " --demo --lead L5-left --save-plan " + first +
                                 " --screenshot " + png);
  ASSERT_EQ(r.exitCode, 0) << r.output;
  EXPECT_NE(r.output.find("plan: 1 leads"), std::string::npos) << r.output;
  QImage img(QString::fromStdString(png));
  ASSERT_FALSE(img.isNull());
  // the first lead is drawn in gold (255, 215, 0) somewhere in the views
  int gold = 0;
  for (int y = 0; y < img.height(); y += 1) {
    for (int x = 0; x < img.width() * 3 / 4; x += 1) {
      const QRgb p = img.pixel(x, y);
      // (the ganglion markers are (255, 230, 0): the lead's gold is told apart by its green)
      gold += qRed(p) > 235 && qGreen(p) > 205 && qGreen(p) < 222 && qBlue(p) < 40 ? 1 : 0;
    }
  }
  EXPECT_GT(gold, 20) << "the lead is not drawn";
  auto again = drg::test::runCommand(std::string(DRG_GUI_PATH) + " --demo --plan " + first + " --save-plan " +
                                     second + " --screenshot " + png);
  ASSERT_EQ(again.exitCode, 0) << again.output;
  auto read = [](const std::string& f) {
    std::ifstream in(f, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  const std::string a = read(first), b = read(second);
  ASSERT_FALSE(a.empty());
  EXPECT_EQ(a, b) << "the reopened plan differs";
  // the demo's plan on other images, DICOM or NIfTI: refused (exit 4), saying why
  const std::string cli = DRG_CLI_PATH;
  ASSERT_EQ(drg::test::runCommand(cli + " -q phantom --out " + (dir.path() / "other").string() +
                                  " --matrix 256,256,200 --spacing 1.6,1.6,2 --seed 2")
              .exitCode,
            0);
  ASSERT_EQ(drg::test::runCommand(cli + " -q convert " + (dir.path() / "other" / "dicom").string() + " " +
                                  (dir.path() / "other.nii.gz").string())
              .exitCode,
            0);
  for (const auto& images : { dir.path() / "other" / "dicom", dir.path() / "other.nii.gz" }) {
    // (a lead and a save asked after the refusal: neither happens, the plan file stays the demo's)
    const auto refused =
      drg::test::runCommand(std::string(DRG_GUI_PATH) + " " + images.string() + " --plan " + first +
                            " --lead L5-left --save-plan " + first + " --screenshot " + png);
    EXPECT_EQ(refused.exitCode, 4) << images << ": " << refused.output;
    EXPECT_NE(refused.output.find("cannot tell whether"), std::string::npos) << refused.output;
    EXPECT_NE(refused.output.find("demo phantom"), std::string::npos)
      << "the plan's images named: " << refused.output;
    EXPECT_EQ(read(first), a) << "a refused plan was saved over";
  }
}

// `drgplan STUDY --plan PLAN` refuses a plan made on other images for every pairing of the study
// kinds: a DICOM series, a NIfTI volume and the demo phantom (the demo's plan on the others is
// refused in PlanMadeInTheWorkstationReopensTheSame). Refused: exit 4, why in words, no lead added
// and nothing saved over the plan.
TEST(Gui, PlanRefusedOnEveryOtherKindOfStudy)
{
  DRG_REQUIRE_DISPLAY();
  drg::test::TemporaryFolder dir("guipairs");
  const std::string cli = DRG_CLI_PATH, gui = DRG_GUI_PATH;
  const std::string grid = " --matrix 256,256,200 --spacing 1.6,1.6,2";
  for (const char* seed : { "1", "2" }) {
    const std::string folder = (dir.path() / (std::string("p") + seed)).string();
    ASSERT_EQ(drg::test::runCommand(cli + " -q phantom --out " + folder + grid + " --seed " + seed).exitCode,
              0);
    ASSERT_EQ(drg::test::runCommand(cli + " -q convert " + folder + "/dicom " + folder + ".nii.gz").exitCode,
              0);
  }
  const std::string dicom1 = (dir.path() / "p1" / "dicom").string(),
                    nifti1 = (dir.path() / "p1.nii.gz").string();
  const std::string dicom2 = (dir.path() / "p2" / "dicom").string(),
                    nifti2 = (dir.path() / "p2.nii.gz").string();
  // a plan on each kind of the first patient's images, by the CLI
  auto planOn = [&](const std::string& images, const std::string& name) {
    const auto out = dir.path() / name;
    const auto r =
      drg::test::runCommand(cli + " -q plan " + images + " --targets L5-left --out " + out.string());
    EXPECT_EQ(r.exitCode, 0) << r.output;
    return (out / "plan.drgplan.json").string();
  };
  const std::string fromDicom = planOn(dicom1, "plan-dicom"), fromNifti = planOn(nifti1, "plan-nifti");
  auto read = [](const std::string& f) {
    std::ifstream in(f, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  struct Pairing
  {
    std::string plan, study, says;
  };
  const Pairing pairings[] = {
    { fromDicom, "--demo", "cannot tell whether" }, { fromDicom, dicom2, "another patient" },
    { fromDicom, nifti2, "cannot tell whether" },   { fromNifti, "--demo", "cannot tell whether" },
    { fromNifti, dicom2, "cannot tell whether" },   { fromNifti, nifti2, "cannot tell whether" },
  };
  const std::string png = (dir.path() / "window.png").string();
  for (const Pairing& p : pairings) {
    const std::string before = read(p.plan);
    const auto r = drg::test::runCommand(gui + " " + p.study + " --plan " + p.plan +
                                         " --lead L4-left --save-plan " + p.plan + " --screenshot " + png);
    EXPECT_EQ(r.exitCode, 4) << p.plan << " on " << p.study << ": " << r.output;
    EXPECT_NE(r.output.find(p.says), std::string::npos) << p.plan << " on " << p.study << ": " << r.output;
    EXPECT_EQ(read(p.plan), before) << "a refused plan was saved over";
  }
}

// The placement report's pages as a surgeon sees them (pdftoppm at 40 dpi), against the baselines in
// tests/gui/baselines: 2 leads on the phantom give a cover page, a page per lead (fluoroscopy-like views,
// slices through the ganglion) and the pocket/findings page. The report's date, the plan file's hash and
// the temporary folder's name change between runs, hence the tolerance (measured: at most 0.33 % of the
// pixels differ by more than 32 between runs; another lead's page differs by 11 %).
TEST(Gui, ReportPagesMatchTheirBaselines)
{
  DRG_REQUIRE_DISPLAY();
  DRG_REQUIRE_TOOL("pdftoppm");
  drg::test::TemporaryFolder dir("report-pages");
  const std::string cli = DRG_CLI_PATH;
  ASSERT_EQ(drg::test::runCommand(cli + " -q phantom --out " + (dir.path() / "p").string() +
                                  " --matrix 256,256,200 --spacing 1.6,1.6,2")
              .exitCode,
            0);
  const auto planned = drg::test::runCommand(cli + " -q plan " + (dir.path() / "p" / "dicom").string() +
                                             " --targets L4-left,L5-right --pocket buttock-left --out " +
                                             (dir.path() / "plan").string());
  ASSERT_EQ(planned.exitCode, 0) << planned.output;
  const auto report =
    drg::test::runCommand(cli + " -q report " + (dir.path() / "plan" / "plan.drgplan.json").string() +
                          " --pdf --planner \"Ada Planner\" --out " + (dir.path() / "r").string());
  ASSERT_EQ(report.exitCode, 0) << report.output;
  const auto pages =
    drg::test::runCommand("pdftoppm -r 40 -png " + (dir.path() / "r" / "report.pdf").string() + " " +
                          (dir.path() / "page").string());
  ASSERT_EQ(pages.exitCode, 0) << pages.output;
  for (int page = 1; page <= 4; ++page) {
    const QImage image(
      QString::fromStdString((dir.path() / ("page-" + std::to_string(page) + ".png")).string()));
    ASSERT_FALSE(image.isNull()) << "page " << page << " was not rendered";
    const auto check =
      drg::test::checkBaseline(image, DRG_BASELINE_DIR, "report-page-" + std::to_string(page),
                               std::filesystem::path(DRG_TEST_OUTPUT_DIR) / "baseline-check", 32, 0.01);
    EXPECT_TRUE(check.passed) << check.message;
  }
  // a lead's numbers, its OR block and checklist, and its radiographs fill a page; its slices the next
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "page-7.png"))
    << "more pages than a cover, 2 pages for each of 2 leads and the pocket";
}

// The workstation opens a case with its plan and verifies a post-operative CT against it: each lead's
// verdict said, the found contacts drawn over the plan (white rings: more white in the views than
// without them); the planning images themselves are refused as a post-operative scan.
TEST(Gui, PostOperativeCtIsVerifiedAgainstTheOpenPlan)
{
  DRG_REQUIRE_DISPLAY();
  drg::test::TemporaryFolder dir("gui-postop");
  const auto d = dir.path();
  const std::string grid = " --matrix 256,256,200 --spacing 1.6,1.6,2";
  const std::string cli = drg::test::cliPath() + " -q ";
  ASSERT_EQ(drg::test::runCommand(cli + "phantom --out " + (d / "pre").string() + grid).exitCode, 0);
  auto planned = drg::test::runCommand(cli + "plan " + (d / "pre" / "dicom").string() +
                                       " --targets L4-left,L5-right --out " + (d / "plan").string());
  ASSERT_EQ(planned.exitCode, 0) << planned.output;
  const std::string plan = (d / "plan" / "plan.drgplan.json").string();
  ASSERT_EQ(drg::test::runCommand(cli + "phantom --out " + (d / "post").string() + grid + " --implant " +
                                  plan + " --shift-lead L5-right:0,0,6")
              .exitCode,
            0);
  const std::string open =
    std::string(DRG_GUI_PATH) + " " + (d / "pre" / "dicom").string() + " --plan " + plan;
  auto r = drg::test::runCommand(open + " --verify " + (d / "post" / "dicom").string() + " --screenshot " +
                                 (d / "verified.png").string());
  ASSERT_EQ(r.exitCode, 0) << r.output;
  EXPECT_NE(r.output.find("L4 left: in place"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("L5 right: migrated"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("1 lead(s) not in place"), std::string::npos) << r.output;
  auto plain = drg::test::runCommand(open + " --screenshot " + (d / "plain.png").string());
  ASSERT_EQ(plain.exitCode, 0) << plain.output;
  const QImage verified((d / "verified.png").string().c_str());
  const QImage without((d / "plain.png").string().c_str());
  ASSERT_EQ(verified.size(), without.size());
  int whiter = 0;
  for (int y = 0; y < verified.height(); ++y) {
    for (int x = 0; x < verified.width(); ++x) {
      whiter += qGray(verified.pixel(x, y)) > 240 && qGray(without.pixel(x, y)) < 200 ? 1 : 0;
    }
  }
  EXPECT_GT(whiter, 20) << "the found contacts' rings are drawn in the views";
  auto refused = drg::test::runCommand(open + " --verify " + (d / "pre" / "dicom").string() +
                                       " --screenshot " + (d / "x.png").string());
  EXPECT_EQ(refused.exitCode, 5) << refused.output;
  EXPECT_NE(refused.output.find("the plan's own (planning) images"), std::string::npos) << refused.output;
}
