#include "drg/imaging/ImageGeometry.h"

#include <Eigen/Geometry>
#include <gtest/gtest.h>

using namespace drg::imaging;

TEST(ImageGeometry, IndexAndPatientCoordinatesRoundTripOnAnObliqueGrid)
{
  ImageGeometry g;
  g.size = { 10, 20, 30 };
  g.spacing = Eigen::Vector3d(0.7, 0.9, 2.5);
  g.origin = Eigen::Vector3d(-120.5, 33.0, 400.25);
  g.direction =
    (Eigen::AngleAxisd(0.3, Eigen::Vector3d::UnitZ()) * Eigen::AngleAxisd(-0.2, Eigen::Vector3d::UnitX()))
      .toRotationMatrix();
  Eigen::Vector3d idx(3.25, 17.0, 29.0);
  Eigen::Vector3d p = g.indexToLps(idx);
  EXPECT_NEAR((g.lpsToIndex(p) - idx).norm(), 0.0, 1e-9);
  // one step along k moves by the slice spacing along the third direction column
  Eigen::Vector3d step = g.indexToLps(idx + Eigen::Vector3d(0, 0, 1)) - p;
  EXPECT_NEAR((step - g.direction.col(2) * 2.5).norm(), 0.0, 1e-12);
  EXPECT_TRUE(g.containsIndex(idx));
  EXPECT_FALSE(g.containsIndex(Eigen::Vector3d(-0.6, 0, 0)));
  EXPECT_TRUE(g.containsIndex(Eigen::Vector3d(-0.4, 0, 0), 0.5));
  EXPECT_EQ(g.offset(1, 2, 3), 1u + 10u * (2u + 20u * 3u));
}
