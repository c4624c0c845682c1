// Real data from ../shared/data, read in place: the NIfTI reader must land the reference vertebrae
// where their source says (RAS files converted to LPS).
#include "drg/imaging/LeadFinder.h"
#include "drg/imaging/NiftiIo.h"

#include "TestSupport.h"

#include <gtest/gtest.h>

#include <iostream>
#include <map>

TEST(RealData, TotalSegmentatorCtLabelsLandWhereTheSourceSays)
{
  auto data = drg::test::sharedData();
  if (!data) {
    GTEST_SKIP()
      << "../shared/data is absent (a fresh clone without the shared folder): skipping the real-data check";
  }
  auto dir = *data / "ct-lumbar-totalseg";
  auto labels = drg::imaging::readNiftiLabels(dir / "example_seg_fast_force_split.nii.gz");
  auto ct = drg::imaging::readVolumeFile(dir / "example_ct.nii.gz");
  ASSERT_EQ(labels.geometry().size, ct.geometry().size);
  // reference centroids from SOURCE.md, world RAS mm; LPS negates x and y
  std::map<int, Eigen::Vector3d> ras = { { 26, { 0.2, 107.0, 221.6 } },  { 27, { -1.3, 125.0, 246.0 } },
                                         { 28, { -3.6, 133.2, 278.7 } }, { 29, { -3.7, 131.2, 314.9 } },
                                         { 30, { -4.8, 123.1, 349.1 } }, { 31, { -5.5, 111.9, 382.7 } } };
  std::map<int, Eigen::Vector3d> sum;
  std::map<int, double> hu;
  std::map<int, int> count;
  const auto& g = labels.geometry();
  for (std::size_t k = 0; k < g.size[2]; ++k) {
    for (std::size_t j = 0; j < g.size[1]; ++j) {
      for (std::size_t i = 0; i < g.size[0]; ++i) {
        int l = labels.at(i, j, k);
        if (ras.count(l)) {
          sum[l] = sum.count(l) ? Eigen::Vector3d(sum[l] + g.indexToLps(Eigen::Vector3d(i, j, k)))
                                : g.indexToLps(Eigen::Vector3d(i, j, k));
          hu[l] += ct.at(i, j, k);
          ++count[l];
        }
      }
    }
  }
  for (const auto& [label, r] : ras) {
    ASSERT_GT(count[label], 100) << "label " << label;
    Eigen::Vector3d lps(-r.x(), -r.y(), r.z());
    Eigen::Vector3d centroid = sum[label] / count[label];
    EXPECT_LT((centroid - lps).norm(), 1.0) << "label " << label << " centroid " << centroid.transpose();
    EXPECT_GT(hu[label] / count[label], 100.0) << "vertebra " << label << " should be bone in HU";
  }
}

// A real pre-operative CT has dense bone, calcified vessels and no lead: the lead finder must find
// none (a false lead on a pre-operative scan would be a confident wrong answer).
TEST(RealData, APreoperativeCtShowsNoLead)
{
  auto data = drg::test::sharedData();
  if (!data) {
    GTEST_SKIP() << "../shared/data is absent (a fresh clone without the shared folder): skipping the real-data check";
  }
  auto ct = drg::imaging::readVolumeFile(*data / "ct-lumbar-totalseg" / "example_ct.nii.gz");
  const drg::imaging::LeadSearch s = drg::imaging::findLeads(ct);
  EXPECT_TRUE(s.leads.empty()) << s.leads.size() << " leads found; " << s.metalBlobs << " compact dense spots";
  std::cout << "real CT: " << s.metalBlobs << " compact dense spots, " << s.thickObjects << " thick dense objects, "
            << s.leads.size() << " leads\n";
}
