// The case-loading service: options from the command line's words; a volume file and small DICOM
// series loaded, the modality taken from DICOM unless one was named; the spine model's refusals.
#include "drg/imaging/SpineCaseLoader.h"
#include "drg/imaging/DicomSeriesWriter.h"
#include "drg/imaging/Error.h"
#include "drg/imaging/NiftiIo.h"

#include "TestSupport.h"

#include <gtest/gtest.h>

using namespace drg::imaging;

namespace
{

/// 32 x 32 x 12 voxels of 2 mm: air (-1000 HU) with a line of bone along k.
Image<std::int16_t> smallVolume()
{
  ImageGeometry g;
  g.size = { 32, 32, 12 };
  g.spacing = Eigen::Vector3d(2.0, 2.0, 2.0);
  Image<std::int16_t> image(g, std::int16_t(-1000));
  for (std::size_t k = 0; k < g.size[2]; ++k) {
    image.at(16, 16, k) = 400; // (something other than air)
  }
  return image;
}

/// smallVolume() as a DICOM series of `modality` ("CT" or "MR") in `dir`.
void writeSeries(const std::string& modality, const std::filesystem::path& dir)
{
  DicomSeriesDescription d;
  d.modality = modality;
  d.studyInstanceUid = "1.2.826.0.1.3680043.10.1011.1";
  d.seriesInstanceUid = "1.2.826.0.1.3680043.10.1011.1." + std::string(modality == "CT" ? "1" : "2");
  d.frameOfReferenceUid = "1.2.826.0.1.3680043.10.1011.1.3";
  d.sopInstanceUidKey = "case-loader-" + modality;
  d.rescaleIntercept = -1024.0;
  std::filesystem::create_directories(dir);
  writeDicomSeries(smallVolume(), d, dir);
}

} // namespace

TEST(SpineCaseLoader, OptionsFromTheCommandLinesWords)
{
  EXPECT_EQ(SpineCaseLoader::parseOptions("auto", 0, "", 0.0).modality, SpineModality::Auto);
  EXPECT_EQ(SpineCaseLoader::parseOptions("ct", 0, "", 0.0).modality, SpineModality::Ct);
  EXPECT_EQ(SpineCaseLoader::parseOptions("t2", 0, "", 0.0).modality, SpineModality::MrT2);
  EXPECT_EQ(SpineCaseLoader::parseOptions("mr", 0, "", 0.0).modality, SpineModality::MrT2);
  EXPECT_THROW(SpineCaseLoader::parseOptions("pet", 0, "", 0.0), drg::Error);
  const SpineModelOptions o = SpineCaseLoader::parseOptions("auto", -1, "L6", 1.5);
  EXPECT_EQ(o.labels.shift, -1);
  EXPECT_TRUE(o.labels.declaredSet);
  EXPECT_EQ(o.labels.declared, TransitionalAnatomy::L6);
  EXPECT_DOUBLE_EQ(o.workSpacingMm, 1.5);
  EXPECT_FALSE(SpineCaseLoader::parseOptions("auto", 0, "", 0.0).labels.declaredSet) << "nothing declared";
  EXPECT_TRUE(SpineCaseLoader::parseOptions("auto", 0, "none", 0.0).labels.declaredSet);
}

TEST(SpineCaseLoader, LoadsAVolumeFileAndADicomSeriesTakingTheModalityFromDicom)
{
  drg::test::TemporaryFolder dir("case-loader");
  writeSeries("CT", dir.path() / "ct");
  writeSeries("MR", dir.path() / "mr");
  const std::string file = (dir.path() / "ct.nii.gz").string();
  writeNifti(smallVolume(), file);

  // a volume file says nothing of its modality: Auto stays (the intensities decide)
  SpineCaseLoader fromFile;
  const SpineCaseImage nifti = fromFile.load(file);
  EXPECT_EQ(nifti.source, file);
  EXPECT_TRUE(nifti.modality.empty() && nifti.seriesUid.empty());
  EXPECT_EQ(nifti.volume.geometry().size, smallVolume().geometry().size);
  EXPECT_EQ(fromFile.options().modality, SpineModality::Auto);

  SpineCaseLoader fromCt;
  double reported = 0.0;
  const SpineCaseImage series = fromCt.load((dir.path() / "ct").string(), "", [&](double f) {
    reported = f;
    return true;
  });
  EXPECT_EQ(series.modality, "CT");
  EXPECT_FALSE(series.seriesUid.empty());
  EXPECT_FALSE(series.frameOfReferenceUid.empty());
  EXPECT_EQ(series.volume.geometry().size, smallVolume().geometry().size);
  EXPECT_FLOAT_EQ(series.volume.at(16, 16, 5), 400.0f) << "real-world values (HU)";
  EXPECT_GT(reported, 0.0) << "no progress reported";
  EXPECT_EQ(fromCt.options().modality, SpineModality::Ct);

  SpineCaseLoader fromMr;
  EXPECT_EQ(fromMr.load((dir.path() / "mr").string()).modality, "MR");
  EXPECT_EQ(fromMr.options().modality, SpineModality::MrT2);

  // a modality named is kept, whatever DICOM says
  SpineCaseLoader named(SpineCaseLoader::parseOptions("t2", 0, "", 0.0));
  named.load((dir.path() / "ct").string());
  EXPECT_EQ(named.options().modality, SpineModality::MrT2);
}

TEST(SpineCaseLoader, AssumesCtOnlyWhenTheModalityIsLeftAutomatic)
{
  SpineCaseLoader automatic;
  automatic.assumeCt(false);
  EXPECT_EQ(automatic.options().modality, SpineModality::Auto);
  automatic.assumeCt(true);
  EXPECT_EQ(automatic.options().modality, SpineModality::Ct);
  SpineCaseLoader mr(SpineCaseLoader::parseOptions("t2", 0, "", 0.0));
  mr.assumeCt(true);
  EXPECT_EQ(mr.options().modality, SpineModality::MrT2);
}

TEST(SpineCaseLoader, BuildModelRefusesAVolumeTooSmallForASpine)
{
  ImageGeometry tiny;
  tiny.size = { 8, 8, 8 };
  EXPECT_THROW(SpineCaseLoader().buildModel(Image<float>(tiny, 0.0f)), drg::Error);
}
