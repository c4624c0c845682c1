// DICOM import: the phantom's series round trip exactly in every acquisition variant; real series
// from ../shared/data match dcm2niix voxel for voxel and position for position; series that would
// give a wrong volume are refused with a message naming the problem.
#include "drg/imaging/DicomVolumeLoader.h"
#include "drg/imaging/Error.h"
#include "drg/imaging/NiftiIo.h"
#include "drg/imaging/SpinePhantom.h"

#include "TestSupport.h"

#include <gtest/gtest.h>

#include <fstream>

namespace fs = std::filesystem;
using namespace drg::imaging;
using drg::test::runCommand;

namespace
{

PhantomOptions smallPhantom()
{
  PhantomOptions o;
  o.matrix = { 100, 90, 40 };
  o.spacing = Eigen::Vector3d(3.5, 3.5, 4.0);
  o.fieldOfViewFrom = "L1";
  o.fieldOfViewTo = "L5";
  return o;
}

/// Every voxel of `loaded` sits on a voxel of `reference` (within `tolMm`) with the same value.
void expectSameVoxels(const Image<float>& loaded, const Image<std::int16_t>& reference,
                      const std::string& what)
{
  const auto& a = loaded.geometry();
  const auto& b = reference.geometry();
  ASSERT_EQ(a.voxelCount(), b.voxelCount()) << what;
  for (std::size_t k = 0; k < a.size[2]; ++k) {
    for (std::size_t j = 0; j < a.size[1]; j += 3) {
      for (std::size_t i = 0; i < a.size[0]; i += 3) {
        Eigen::Vector3d idx = b.lpsToIndex(a.indexToLps(Eigen::Vector3d(i, j, k)));
        Eigen::Vector3d r = idx.array().round().matrix();
        ASSERT_LT(((idx - r).cwiseProduct(b.spacing)).norm(), 0.01)
          << what << " voxel " << i << "," << j << "," << k;
        ASSERT_TRUE(b.containsIndex(r)) << what;
        ASSERT_EQ(loaded.at(i, j, k),
                  reference.at(static_cast<std::size_t>(r.x()), static_cast<std::size_t>(r.y()),
                               static_cast<std::size_t>(r.z())))
          << what << " voxel " << i << "," << j << "," << k;
      }
    }
  }
}

/// Checks that `loaded` has the voxels of the dcm2niix volume `ref` at the same places.
void expectMatchesReference(const fs::path& input, const Image<float>& loaded, const Image<float>& ref,
                            double tolMm = 0.01)
{
  const auto& a = loaded.geometry();
  const auto& b = ref.geometry();
  ASSERT_EQ(a.voxelCount(), b.voxelCount()) << input;
  std::size_t checked = 0;
  for (std::size_t k = 0; k < b.size[2]; ++k) {
    for (std::size_t j = 0; j < b.size[1]; j += 2) {
      for (std::size_t i = 0; i < b.size[0]; i += 2) {
        Eigen::Vector3d p = b.indexToLps(Eigen::Vector3d(i, j, k));
        Eigen::Vector3d idx = a.lpsToIndex(p);
        Eigen::Vector3d rr = idx.array().round().matrix();
        if (a.size[2] == 1) {
          rr.z() = 0;
          idx.z() = 0; // single slice: no spacing along the normal to compare
        }
        ASSERT_LT(((idx - rr).cwiseProduct(a.spacing)).norm(), tolMm) << input << " at " << p.transpose();
        ASSERT_TRUE(a.containsIndex(rr)) << input;
        float ours = loaded.at(static_cast<std::size_t>(rr.x()), static_cast<std::size_t>(rr.y()),
                               static_cast<std::size_t>(rr.z()));
        float theirs = ref.at(i, j, k);
        ASSERT_NEAR(ours, theirs, 1e-3 * std::max(1.0f, std::abs(theirs)))
          << input << " at " << p.transpose();
        ++checked;
      }
    }
  }
  EXPECT_GT(checked, 100u);
}

/// Converts `input` with dcm2niix here and compares (see expectMatchesReference).
void expectMatchesDcm2niix(const fs::path& input, const Image<float>& loaded, double tolMm = 0.01)
{
  drg::test::TemporaryFolder out("dcm2niix");
  std::string cmd = "dcm2niix -z n -b n -f ref -o " + out.path().string() + " " +
                    (fs::is_directory(input) ? "" : "-s y ") + input.string();
  auto r = runCommand(cmd);
  ASSERT_EQ(r.exitCode, 0) << r.output;
  fs::path nii;
  for (const auto& e : fs::directory_iterator(out.path())) {
    if (e.path().extension() == ".nii") {
      nii = e.path();
    }
  }
  ASSERT_FALSE(nii.empty()) << "dcm2niix wrote no volume:\n" << r.output;
  expectMatchesReference(input, loaded, readVolumeFile(nii), tolMm);
}

void expectRefused(const fs::path& input, drg::ErrorCode code, const std::string& fragment)
{
  try {
    loadDicom(input);
    ADD_FAILURE() << input << " was loaded; expected a refusal mentioning '" << fragment << "'";
  } catch (const drg::Error& e) {
    EXPECT_EQ(e.code(), code) << e.what();
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
  }
}

fs::path requireShared()
{
  auto d = drg::test::sharedData();
  return d ? *d : fs::path();
}

#define DRG_REQUIRE_SHARED(var)                                                                              \
  fs::path var = requireShared();                                                                            \
  if (var.empty()) {                                                                                         \
    GTEST_SKIP() << "../shared/data is absent: skipping the real-data check";                                \
  }

} // namespace

TEST(DicomImport, PhantomSeriesRoundTripExactlyInEveryAcquisition)
{
  struct Variant
  {
    const char* name;
    void (*change)(PhantomOptions&);
  };
  const Variant variants[] = {
    { "axial", [](PhantomOptions&) {} },
    { "descending feet-first prone",
      [](PhantomOptions& o) {
        o.slicesAscending = false;
        o.position = PatientPosition::FFP;
      } },
    { "sagittal T2",
      [](PhantomOptions& o) {
        o.plane = AcquisitionPlane::Sagittal;
        o.contrast = PhantomContrast::MrT2;
      } },
    { "coronal", [](PhantomOptions& o) { o.plane = AcquisitionPlane::Coronal; } },
    { "oblique anisotropic",
      [](PhantomOptions& o) {
        o.obliqueDegrees = Eigen::Vector3d(15, -10, 25);
        o.spacing = Eigen::Vector3d(2.2, 3.1, 5.0);
      } },
  };
  for (const auto& v : variants) {
    PhantomOptions o = smallPhantom();
    v.change(o);
    PhantomCase c = generateSpinePhantom(o);
    drg::test::TemporaryFolder dir("import");
    writeSpinePhantom(c, dir.path());
    LoadedVolume loaded = loadDicom(dir.path() / "dicom");
    expectSameVoxels(loaded.volume, c.intensities, v.name);
    EXPECT_TRUE(loaded.warnings.empty())
      << v.name << ": " << (loaded.warnings.empty() ? "" : loaded.warnings.front());
    EXPECT_EQ(loaded.modality, o.contrast == PhantomContrast::Ct ? "CT" : "MR");
  }
}

TEST(DicomImport, RefusesMissingDuplicateAndMixedSlicesNamingThePositions)
{
  PhantomCase c = generateSpinePhantom(smallPhantom());
  drg::test::TemporaryFolder dir("import-bad");
  writeSpinePhantom(c, dir.path());
  fs::path series = dir.path() / "dicom";

  // a missing slice
  fs::path gap = dir.path() / "gap";
  fs::copy(series, gap);
  fs::remove(gap / "IM00020.dcm");
  expectRefused(gap, drg::ErrorCode::Geometry, "missing slices (1 missing between");
  // listings say so before any pixel is read
  DicomScan gapScan = scanDicom(gap);
  ASSERT_EQ(gapScan.imageStacks().size(), 1u);
  EXPECT_NE(stackGeometryProblem(*gapScan.imageStacks()[0]).find("missing slices"), std::string::npos);
  EXPECT_EQ(stackGeometryProblem(*scanDicom(series).imageStacks()[0]), "");

  // the same position twice (a copy under another name)
  fs::path dup = dir.path() / "dup";
  fs::copy(series, dup);
  fs::copy_file(dup / "IM00010.dcm", dup / "copy-of-10.dcm");
  expectRefused(dup, drg::ErrorCode::Geometry, "share the position");

  // one image in another orientation: the series is split, and the loader asks which one
  fs::path mixed = dir.path() / "mixed";
  fs::copy(series, mixed);
  auto r = runCommand("dcmodify -nb -m \"(0020,0037)=0\\\\1\\\\0\\\\0\\\\0\\\\-1\" " +
                      (mixed / "IM00005.dcm").string());
  ASSERT_EQ(r.exitCode, 0) << r.output;
  DicomScan scan = scanDicom(mixed);
  ASSERT_EQ(scan.imageStacks().size(), 2u);
  EXPECT_EQ(scan.imageStacks()[1]->splitReason, "orientation differs");
  expectRefused(mixed, drg::ErrorCode::InvalidArgument, "choose one with --series");

  // a second acquisition of the same positions in the same series: one stack per acquisition
  fs::path twice = dir.path() / "twice";
  fs::copy(series, twice);
  for (const auto& e : fs::directory_iterator(series)) {
    fs::copy_file(e.path(), twice / ("B" + e.path().filename().string()));
  }
  auto acq = runCommand("dcmodify -nb -gin -m \"(0020,0012)=2\" " + (twice / "B*.dcm").string());
  ASSERT_EQ(acq.exitCode, 0) << acq.output;
  DicomScan repeated = scanDicom(twice);
  ASSERT_EQ(repeated.imageStacks().size(), 2u);
  EXPECT_NE(repeated.imageStacks()[1]->splitReason.find("acquisition 2"), std::string::npos);
  for (const auto* stack : repeated.imageStacks()) {
    expectSameVoxels(loadDicomStack(*stack).volume, c.intensities, stack->id);
  }
  // the input folders are never modified
  EXPECT_TRUE(fs::exists(series / "IM00020.dcm"));
}

TEST(DicomImport, DicomDirRecordsNameTheFilesRead)
{
  DRG_REQUIRE_TOOL("dcmmkdir");
  PhantomCase c = generateSpinePhantom(smallPhantom());
  drg::test::TemporaryFolder dir("import-dicomdir");
  writeSpinePhantom(c, dir.path());
  // a CD layout: ISO 9660 names without extension, and a DICOMDIR made by DCMTK
  fs::path cd = dir.path() / "cd";
  fs::create_directories(cd / "SER1");
  for (const auto& e : fs::directory_iterator(dir.path() / "dicom")) {
    fs::copy_file(e.path(), cd / "SER1" / e.path().stem());
  }
  auto mk = runCommand("cd " + cd.string() + " && dcmmkdir -q +r -Pgp +D DICOMDIR SER1");
  ASSERT_EQ(mk.exitCode, 0) << mk.output;
  // files beside it that the DICOMDIR does not list are not read; lower-case copies of the
  // listed names (as copied from a CD by some systems) are found
  fs::copy(cd / "SER1", cd / "unlisted");
  fs::rename(cd / "SER1", cd / "ser1");
  DicomScan scan = scanDicom(cd / "DICOMDIR");
  EXPECT_EQ(scan.source, "DICOMDIR");
  EXPECT_EQ(scan.filesSeen, c.intensities.geometry().size[2]);
  ASSERT_EQ(scan.imageStacks().size(), 1u);
  expectSameVoxels(loadDicom(cd / "DICOMDIR").volume, c.intensities, "through DICOMDIR");
  // the folder itself holds both copies: a duplicate-position refusal, as it should
  EXPECT_EQ(scanDicom(cd).source, "folder");
  expectRefused(cd, drg::ErrorCode::Geometry, "share the position");

  // a listed file that is missing: a warning naming it, and the gap it leaves is refused
  fs::remove(cd / "ser1" / "IM00007");
  DicomScan partial = scanDicom(cd / "DICOMDIR");
  ASSERT_FALSE(partial.warnings.empty());
  EXPECT_NE(partial.warnings[0].find("SER1\\IM00007"), std::string::npos) << partial.warnings[0];
  expectRefused(cd / "DICOMDIR", drg::ErrorCode::Geometry, "missing slices");

  // an unreadable DICOMDIR: its folder is scanned, with a warning
  fs::path damaged = dir.path() / "damaged";
  fs::create_directories(damaged);
  fs::copy(dir.path() / "dicom", damaged / "images");
  std::ofstream(damaged / "DICOMDIR") << "not a DICOMDIR";
  DicomScan fallback = scanDicom(damaged / "DICOMDIR");
  EXPECT_EQ(fallback.source, "folder");
  ASSERT_EQ(fallback.imageStacks().size(), 1u);
  EXPECT_NE(fallback.warnings.front().find("could not be read as a DICOMDIR"), std::string::npos);

  // the CLI converts through it
  auto conv = runCommand(drg::test::cliPath() + " convert --quiet " + (damaged / "DICOMDIR").string() + " " +
                         (dir.path() / "out.nii").string());
  EXPECT_EQ(conv.exitCode, 0) << conv.output;
}

TEST(DicomImport, Monochrome1KeepsValuesAndAsksForInvertedDisplay)
{
  DRG_REQUIRE_TOOL("dcmodify");
  PhantomCase c = generateSpinePhantom(smallPhantom());
  drg::test::TemporaryFolder dir("import-mono1");
  writeSpinePhantom(c, dir.path());
  fs::path series = dir.path() / "dicom";
  EXPECT_FALSE(loadDicom(series).invertedGreyscale);
  auto r = runCommand("dcmodify -nb -m \"(0028,0004)=MONOCHROME1\" " + (series / "*.dcm").string());
  ASSERT_EQ(r.exitCode, 0) << r.output;
  LoadedVolume v = loadDicom(series);
  EXPECT_TRUE(v.invertedGreyscale);
  ASSERT_FALSE(v.warnings.empty());
  EXPECT_NE(v.warnings.back().find("MONOCHROME1"), std::string::npos);
  expectSameVoxels(v.volume, c.intensities, "MONOCHROME1");
}

TEST(DicomImport, SkipsWhatIsNotDicomAndCountsIt)
{
  PhantomCase c = generateSpinePhantom(smallPhantom());
  drg::test::TemporaryFolder dir("import-junk");
  writeSpinePhantom(c, dir.path());
  std::ofstream(dir.path() / "dicom" / "notes.txt") << "not an image";
  std::ofstream(dir.path() / "dicom" / "IM99999.dcm") << "DICM? no, a truncated file";
  DicomScan scan = scanDicom(dir.path());
  EXPECT_EQ(scan.nonDicomSkipped, 4u); // notes.txt, the fake .dcm, truth.json, labels.nii.gz
  ASSERT_EQ(scan.imageStacks().size(), 1u);
  EXPECT_EQ(scan.imageStacks()[0]->frames.size(), c.intensities.geometry().size[2]);
  EXPECT_NO_THROW(loadDicom(dir.path()));
}

TEST(DicomImport, RealCtAndMrSeriesMatchDcm2niix)
{
  DRG_REQUIRE_SHARED(data);
  DRG_REQUIRE_TOOL("dcm2niix");
  for (const char* series :
       { "ct-lumbar-totalseg/dicom", "mr-t2-lumbar-sct/dicom", "ct-dicom-j2k-totalseg" }) {
    LoadedVolume v = loadDicom(data / series);
    expectMatchesDcm2niix(data / series, v.volume);
  }
}

TEST(DicomImport, EveryTransferSyntaxMatchesDcm2niix)
{
  DRG_REQUIRE_SHARED(data);
  DRG_REQUIRE_TOOL("dcm2niix");
  fs::path in = data / "dicom-edge" / "transfer-syntaxes" / "In";
  for (int n = 1; n <= 9; ++n) {
    // Ref/N.nii is dcm2niix's conversion shipped with the data (Debian's dcm2niix lacks JPEG-LS)
    fs::path file = in / (std::to_string(n) + ".dcm");
    SCOPED_TRACE(file.string());
    LoadedVolume v = loadDicom(file);
    expectMatchesReference(file, v.volume,
                           readVolumeFile(in.parent_path() / "Ref" / (std::to_string(n) + ".nii")));
  }
  for (const char* f : { "693_UNCI.dcm", "693_UNCR.dcm", "693_J2KR.dcm", "eCT_Supplemental.dcm" }) {
    fs::path file = data / "dicom-edge" / "single-files" / f;
    SCOPED_TRACE(file.string());
    LoadedVolume v = loadDicom(file);
    expectMatchesDcm2niix(file, v.volume);
  }
}

TEST(DicomImport, SeriesThatCannotBeBuiltYetAreRefusedWithTheReason)
{
  DRG_REQUIRE_SHARED(data);
  // gantry tilt is named with its angle
  expectRefused(data / "dicom-edge" / "ct-gantry-tilt" / "In" / "GE", drg::ErrorCode::Geometry,
                "gantry tilt of 18.50 degrees");
  // a multi-frame object without any geometry cannot be placed
  expectRefused(data / "dicom-edge" / "single-files" / "emri_small.dcm", drg::ErrorCode::Geometry,
                "no Image Orientation");
  // a segmentation is listed as such, not loaded as an image
  DicomScan seg = scanDicom(data / "dicom-edge" / "single-files" / "liver.dcm");
  ASSERT_EQ(seg.patients.size(), 1u);
  EXPECT_EQ(seg.patients[0].studies[0].series[0].kind, DicomObjectKind::Segmentation);
  expectRefused(data / "dicom-edge" / "single-files" / "liver.dcm", drg::ErrorCode::Format,
                "no DICOM image series");
}

TEST(DicomImport, CliInfoHidesIdentityAndConvertWritesNifti)
{
  PhantomCase c = generateSpinePhantom(smallPhantom());
  drg::test::TemporaryFolder dir("import-cli");
  writeSpinePhantom(c, dir.path());
  auto info = runCommand(drg::test::cliPath() + " info " + dir.path().string());
  ASSERT_EQ(info.exitCode, 0) << info.output;
  EXPECT_EQ(info.output.find("PHANTOM^SPINE"), std::string::npos)
    << "identity printed without --show-identity";
  EXPECT_NE(info.output.find(" images, 100 x 90, 3.500 x 3.500 x 4.000 mm, axial"), std::string::npos)
    << info.output;
  auto shown = runCommand(drg::test::cliPath() + " info --show-identity --json " + dir.path().string());
  EXPECT_NE(shown.output.find("PHANTOM^SPINE"), std::string::npos) << shown.output;
  fs::path out = dir.path() / "vol.nii.gz";
  auto conv = runCommand(drg::test::cliPath() + " convert --quiet " + (dir.path() / "dicom").string() + " " +
                         out.string());
  ASSERT_EQ(conv.exitCode, 0) << conv.output;
  Image<float> back = readVolumeFile(out);
  expectSameVoxels(back, c.intensities, "convert");
  // a left-handed oblique grid keeps its geometry through our NIfTI writer (qform with qfac, sform)
  for (const char* ext : { ".nii", ".nii.gz", ".nrrd", ".mha" }) {
    PhantomOptions o = smallPhantom();
    o.obliqueDegrees = Eigen::Vector3d(12, -8, 20);
    o.slicesAscending = false;
    o.contrast = PhantomContrast::MrT2;
    PhantomCase oblique = generateSpinePhantom(o);
    drg::test::TemporaryFolder odir("import-oblique");
    writeSpinePhantom(oblique, odir.path());
    fs::path ofile = odir.path() / (std::string("vol") + ext);
    auto oc = runCommand(drg::test::cliPath() + " convert --quiet " + (odir.path() / "dicom").string() + " " +
                         ofile.string());
    ASSERT_EQ(oc.exitCode, 0) << oc.output;
    expectSameVoxels(readVolumeFile(ofile), oblique.intensities, std::string("oblique ") + ext);
  }
  auto bad = runCommand(drg::test::cliPath() + " convert " + dir.path().string() + " out.png");
  EXPECT_EQ(bad.exitCode, 2) << bad.output;
  auto missing = runCommand(drg::test::cliPath() + " info /nonexistent/folder");
  EXPECT_EQ(missing.exitCode, 3) << missing.output;
  EXPECT_NE(missing.output.find("does not exist"), std::string::npos);
}

TEST(DicomImport, BadFilesGiveClearErrorsAndAreNeverModified)
{
  PhantomOptions o = smallPhantom();
  PhantomCase c = generateSpinePhantom(o);
  drg::test::TemporaryFolder dir("import-broken");
  writeSpinePhantom(c, dir.path());
  fs::path series = dir.path() / "dicom";
  auto copyOf = [&](const std::string& name) {
    fs::path d = dir.path() / name;
    fs::copy(series, d);
    return d;
  };
  // a zero-byte file among the images is skipped as not DICOM
  fs::path empty = copyOf("empty");
  std::ofstream(empty / "zero.dcm").close();
  EXPECT_EQ(scanDicom(empty).nonDicomSkipped, 1u);
  EXPECT_NO_THROW(loadDicom(empty));

  // a truncated image
  fs::path cut = copyOf("cut");
  fs::resize_file(cut / "IM00007.dcm", fs::file_size(cut / "IM00007.dcm") / 2);
  auto before = fs::file_size(cut / "IM00007.dcm");
  expectRefused(cut, drg::ErrorCode::Format, "IM00007.dcm");
  EXPECT_EQ(fs::file_size(cut / "IM00007.dcm"), before) << "input modified";

  // no pixel data
  fs::path nopix = copyOf("nopix");
  ASSERT_EQ(runCommand("dcmodify -nb -e \"(7fe0,0010)\" " + (nopix / "IM00003.dcm").string()).exitCode, 0);
  expectRefused(nopix, drg::ErrorCode::Format, "IM00003.dcm");

  // Rows and Columns that do not match the pixel data, in every file
  fs::path rows = copyOf("rows");
  ASSERT_EQ(runCommand("dcmodify -nb -m \"(0028,0010)=120\" " + (rows / "*.dcm").string()).exitCode, 0);
  expectRefused(rows, drg::ErrorCode::Format, "Rows/Columns do not match");

  // absurd dimensions from a forged header: refused before any allocation
  fs::path huge = copyOf("huge");
  ASSERT_EQ(
    runCommand("dcmodify -nb -m \"(0028,0010)=65535\" -m \"(0028,0011)=65535\" " + (huge / "*.dcm").string())
      .exitCode,
    0);
  expectRefused(huge, drg::ErrorCode::Format, "implausible");

  // random bytes named .dcm, and a text file with a DICOM preamble but nothing valid after it
  fs::path junk = dir.path() / "junk";
  fs::create_directories(junk);
  {
    std::ofstream f(junk / "a.dcm", std::ios::binary);
    for (int i = 0; i < 5000; ++i) {
      f.put(static_cast<char>((i * 7919) & 0xFF));
    }
    std::ofstream g(junk / "b.dcm", std::ios::binary);
    g << std::string(128, '\0') << "DICM"
      << "garbage that is not a data set";
  }
  DicomScan s = scanDicom(junk);
  EXPECT_TRUE(s.imageStacks().empty());
  expectRefused(junk, drg::ErrorCode::Format, "no DICOM image series");
}
