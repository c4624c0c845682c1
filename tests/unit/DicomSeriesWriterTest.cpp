// The phantom's DICOM output read back with DCMTK: identity, geometry and pixels as specified.
#include "drg/imaging/DicomSeriesWriter.h"
#include "drg/imaging/Error.h"
#include "drg/imaging/SpinePhantom.h"

#include "TestSupport.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcuid.h>

#include <gtest/gtest.h>

#include <set>

using namespace drg::imaging;
namespace fs = std::filesystem;

namespace
{

PhantomOptions smallOptions()
{
  PhantomOptions o;
  o.matrix = { 96, 80, 40 };
  o.spacing = Eigen::Vector3d(4.0, 4.5, 5.0);
  o.fieldOfViewFrom = "L2";
  o.fieldOfViewTo = "L5";
  return o;
}

std::string str(DcmDataset& d, const DcmTagKey& tag)
{
  OFString v;
  d.findAndGetOFStringArray(tag, v);
  return v.c_str();
}

std::vector<double> numbers(DcmDataset& d, const DcmTagKey& tag)
{
  std::vector<double> out;
  Float64 v = 0;
  for (unsigned long i = 0; d.findAndGetFloat64(tag, v, i).good(); ++i) {
    out.push_back(v);
  }
  return out;
}

} // namespace

TEST(DicomSeriesWriter, PhantomSeriesReadsBackWithTheSpecifiedIdentityAndGeometry)
{
  for (auto contrast : { PhantomContrast::Ct, PhantomContrast::MrT2 }) {
    PhantomOptions o = smallOptions();
    o.contrast = contrast;
    o.obliqueDegrees = Eigen::Vector3d(8.0, 0.0, -5.0);
    o.slicesAscending = false;
    PhantomCase c = generateSpinePhantom(o);
    drg::test::TemporaryFolder dir("dicom");
    writeSpinePhantom(c, dir.path());
    const ImageGeometry& g = c.intensities.geometry();
    ASSERT_TRUE(fs::exists(dir.path() / "truth.json"));
    ASSERT_TRUE(fs::exists(dir.path() / "labels.nii.gz"));
    for (const auto& e : fs::directory_iterator(dir.path())) {
      EXPECT_EQ(e.path().filename().string().find(".partial"), std::string::npos)
        << "left over: " << e.path();
    }
    std::set<std::string> instances;
    std::string study;
    std::string series;
    std::string frame;
    for (std::size_t k = 0; k < g.size[2]; ++k) {
      char name[32];
      std::snprintf(name, sizeof(name), "IM%05zu.dcm", k + 1);
      DcmFileFormat file;
      ASSERT_TRUE(file.loadFile((dir.path() / "dicom" / name).c_str()).good()) << name;
      DcmDataset& d = *file.getDataset();
      bool ct = contrast == PhantomContrast::Ct;
      EXPECT_EQ(str(d, DCM_SOPClassUID), ct ? UID_CTImageStorage : UID_MRImageStorage);
      EXPECT_EQ(str(d, DCM_Modality), ct ? "CT" : "MR");
      EXPECT_EQ(str(d, DCM_PatientPosition), "HFS");
      instances.insert(str(d, DCM_SOPInstanceUID));
      if (k == 0) {
        study = str(d, DCM_StudyInstanceUID);
        series = str(d, DCM_SeriesInstanceUID);
        frame = str(d, DCM_FrameOfReferenceUID);
      }
      EXPECT_EQ(str(d, DCM_StudyInstanceUID), study);
      EXPECT_EQ(str(d, DCM_SeriesInstanceUID), series);
      EXPECT_EQ(str(d, DCM_FrameOfReferenceUID), frame);
      EXPECT_EQ(str(d, DCM_InstanceNumber), std::to_string(k + 1));
      // geometry: orientation = i and j axes, position = voxel (0,0,k), spacing = row\column
      auto iop = numbers(d, DCM_ImageOrientationPatient);
      ASSERT_EQ(iop.size(), 6u);
      for (int a = 0; a < 3; ++a) {
        EXPECT_NEAR(iop[static_cast<std::size_t>(a)], g.direction(a, 0), 1e-6);
        EXPECT_NEAR(iop[static_cast<std::size_t>(a + 3)], g.direction(a, 1), 1e-6);
      }
      auto ipp = numbers(d, DCM_ImagePositionPatient);
      ASSERT_EQ(ipp.size(), 3u);
      Eigen::Vector3d expected = g.indexToLps(Eigen::Vector3d(0, 0, static_cast<double>(k)));
      EXPECT_NEAR((Eigen::Vector3d(ipp[0], ipp[1], ipp[2]) - expected).norm(), 0.0, 1e-4);
      auto ps = numbers(d, DCM_PixelSpacing);
      ASSERT_EQ(ps.size(), 2u);
      EXPECT_DOUBLE_EQ(ps[0], g.spacing[1]);
      EXPECT_DOUBLE_EQ(ps[1], g.spacing[0]);
      Uint16 rows = 0;
      Uint16 cols = 0;
      d.findAndGetUint16(DCM_Rows, rows);
      d.findAndGetUint16(DCM_Columns, cols);
      EXPECT_EQ(rows, g.size[1]);
      EXPECT_EQ(cols, g.size[0]);
      // pixels: stored value through the rescale gives back the phantom's value
      const Uint16* pixels = nullptr;
      ASSERT_TRUE(d.findAndGetUint16Array(DCM_PixelData, pixels).good());
      double intercept = ct ? numbers(d, DCM_RescaleIntercept).at(0) : 0.0;
      for (std::size_t j = 0; j < g.size[1]; j += 7) {
        for (std::size_t i = 0; i < g.size[0]; i += 5) {
          ASSERT_EQ(pixels[i + j * g.size[0]] + intercept, c.intensities.at(i, j, k))
            << name << " " << i << "," << j;
        }
      }
    }
    EXPECT_EQ(instances.size(), g.size[2]) << "every slice has its own SOP Instance UID";
    EXPECT_NE(study, series);
  }
}

TEST(DicomSeriesWriter, RefusesValuesTheSeriesCannotStore)
{
  ImageGeometry g;
  g.size = { 4, 4, 2 };
  Image<std::int16_t> img(g, 0);
  img.at(1, 1, 1) = 5000;
  DicomSeriesDescription d;
  d.modality = "CT";
  d.rescaleIntercept = -1024;
  d.bitsStored = 12;
  d.studyInstanceUid = d.seriesInstanceUid = d.frameOfReferenceUid = "1.2.3";
  drg::test::TemporaryFolder dir("dicom-range");
  try {
    writeDicomSeries(img, d, dir.path());
    FAIL() << "a value above the stored range was written";
  } catch (const drg::Error& e) {
    EXPECT_EQ(e.code(), drg::ErrorCode::InvalidArgument);
    EXPECT_NE(std::string(e.what()).find("5000"), std::string::npos) << e.what();
  }
  d.modality = "PT";
  EXPECT_THROW(writeDicomSeries(img, d, dir.path()), drg::Error);
}
