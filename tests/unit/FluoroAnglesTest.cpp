// The needle's angles as read on fluoroscopy (planning/src/planner/FluoroAngles.cpp) on synthetic
// anatomy whose angles are known: a flat back tilted in the sagittal plane, a straight canal.
#include "planner/FluoroAngles.h"

#include "drg/imaging/AnatomyLabels.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace drg::imaging;
using namespace drg::planning;

namespace
{

constexpr double kPiTest = 3.14159265358979323846;

double radians(double deg)
{
  return deg * kPiTest / 180.0;
}

/// A body whose back is a plane leaning `skinDeg` from the cranio-caudal axis (further back towards
/// the feet: y = 100 - z tan), its outer 1 mm labelled skin; a straight canal of 8 mm radius
/// through (0, 20, 0) leaning `canalDeg` the same way; grid 0.5 mm. `level` adds a vertebra L4
/// and the L4/L5 disc whose heights bound the lamina line.
struct SyntheticBack
{
  SpineModel model;
  std::unique_ptr<PlanAnatomy::Impl> anatomy;
  double skinDeg, canalDeg;

  SyntheticBack(double skinDeg_, double canalDeg_, bool level = false)
    : skinDeg(skinDeg_)
    , canalDeg(canalDeg_)
  {
    ImageGeometry g;
    g.size = { 100, 300, 240 };
    g.spacing = Eigen::Vector3d(0.5, 0.5, 0.5);
    g.origin = Eigen::Vector3d(-25, -20, -60);
    model.modality = SpineModality::Ct;
    model.labels = Image<std::uint8_t>(g, 0);
    const double ts = std::tan(radians(skinDeg)), tc = std::tan(radians(canalDeg));
    for (std::size_t k = 0; k < g.size[2]; ++k) {
      for (std::size_t j = 0; j < g.size[1]; ++j) {
        for (std::size_t i = 0; i < g.size[0]; ++i) {
          const Eigen::Vector3d p = g.indexToLps(Eigen::Vector3d(i, j, k));
          // depth under the back's plane, measured square to it
          const double under = (100.0 - p.z() * ts - p.y()) * std::cos(radians(skinDeg));
          const double canalY = 20.0 - p.z() * tc;
          const double fromCanal = std::hypot(p.x(), (p.y() - canalY) * std::cos(radians(canalDeg)));
          if (under >= 0 && under < 1.0) {
            model.labels.at(i, j, k) = labels::kSkin;
          } else if (fromCanal < 8.0) {
            model.labels.at(i, j, k) = labels::kSpinalCanal;
          }
        }
      }
    }
    for (double z = 55; z >= -55; z -= 1.0) {
      model.canalCentreline.emplace_back(0.0, 20.0 - z * tc, z);
    }
    if (level) {
      SpineVertebra v;
      v.level = "L4";
      v.superiorEndplate = Eigen::Vector3d(0, -10 - 20 * tc, 20);
      model.vertebrae.push_back(v);
      SpineDisc d;
      d.upperLevel = "L4";
      d.lowerLevel = "L5";
      d.centre = Eigen::Vector3d(0, -10 + 15 * tc, -15);
      model.discs.push_back(d);
    }
    anatomy = std::make_unique<PlanAnatomy::Impl>(model, nullptr);
  }

  /// The skin point at height `z` and `x` mm to the left.
  Eigen::Vector3d skinAt(double x, double z) const
  {
    return { x, 100.0 - z * std::tan(radians(skinDeg)) - 0.5, z };
  }
};

/// A needle from `skin`, `depth` mm long, leaning `sagittalDeg` from the cranio-caudal axis in the
/// sagittal plane (towards the head as it goes in) and `apDeg` across it as the AP image shows it.
Eigen::Vector3d needleTip(const Eigen::Vector3d& skin, double sagittalDeg, double apDeg, double depth)
{
  const double s = radians(sagittalDeg);
  Eigen::Vector3d d(std::tan(radians(apDeg)) * std::cos(s), -std::sin(s), std::cos(s));
  return skin + depth * d.normalized();
}

} // namespace

TEST(FluoroAngles, NeedleAgainstATiltedSkinLine)
{
  // the back leans 20 degrees, the needle 50 degrees the same way: 30 degrees between them
  const SyntheticBack back(20.0, 0.0);
  const Eigen::Vector3d skin = back.skinAt(-10, 0);
  const NeedleAngles a = fluoroscopicAngles(*back.anatomy, skin, needleTip(skin, 50.0, 0.0, 70.0), "L4");
  ASSERT_TRUE(a.skinLineFound);
  EXPECT_NEAR(a.toSkinDeg, 30.0, 1.0);
}

TEST(FluoroAngles, NeedleSquareToAFlatBackIsNinetyDegrees)
{
  const SyntheticBack back(0.0, 0.0);
  const Eigen::Vector3d skin = back.skinAt(0, 10);
  const NeedleAngles a = fluoroscopicAngles(*back.anatomy, skin, needleTip(skin, 90.0, 0.0, 60.0), "L4");
  ASSERT_TRUE(a.skinLineFound);
  EXPECT_NEAR(a.toSkinDeg, 90.0, 1.0);
}

TEST(FluoroAngles, SkinAngleIsAcuteWhicheverWayTheNeedleLeans)
{
  // leaning towards the feet: 130 degrees to the head-foot axis, 20 against the back's 150
  const SyntheticBack back(-30.0, 0.0);
  const Eigen::Vector3d skin = back.skinAt(0, 0);
  const NeedleAngles a = fluoroscopicAngles(*back.anatomy, skin, needleTip(skin, 130.0, 0.0, 60.0), "L4");
  ASSERT_TRUE(a.skinLineFound);
  EXPECT_NEAR(a.toSkinDeg, 20.0, 1.0);
}

TEST(FluoroAngles, NeedleAgainstTheLaminaLineOfTheEntryLevel)
{
  // the canal leans 10 degrees, the needle 50: 40 degrees, over the level's span
  const SyntheticBack back(0.0, 10.0, true);
  const Eigen::Vector3d skin = back.skinAt(-5, -20);
  const NeedleAngles a = fluoroscopicAngles(*back.anatomy, skin, needleTip(skin, 50.0, 0.0, 80.0), "L4");
  EXPECT_NEAR(a.toLaminaLineDeg, 40.0, 1.0);
}

TEST(FluoroAngles, LaminaLineAroundTheTipWhenTheLevelIsNotInTheModel)
{
  const SyntheticBack back(0.0, -15.0);
  const Eigen::Vector3d skin = back.skinAt(0, -10);
  const NeedleAngles a = fluoroscopicAngles(*back.anatomy, skin, needleTip(skin, 45.0, 0.0, 80.0), "L2");
  EXPECT_NEAR(a.toLaminaLineDeg, 60.0, 1.0);
}

TEST(FluoroAngles, MedioLateralIsTheShadowOnTheApImage)
{
  // 15 degrees across the cranio-caudal axis on the AP image, whatever the needle's sagittal lean
  const SyntheticBack back(0.0, 0.0);
  const Eigen::Vector3d skin = back.skinAt(10, 0);
  for (double sagittal : { 30.0, 60.0 }) {
    const NeedleAngles a =
      fluoroscopicAngles(*back.anatomy, skin, needleTip(skin, sagittal, 15.0, 60.0), "L4");
    EXPECT_NEAR(a.apMedioLateralDeg, 15.0, 1e-6) << sagittal;
    // the lateral image does not see the needle's tilt across the body
    EXPECT_NEAR(a.toSkinDeg, sagittal, 1.0) << sagittal;
  }
}

TEST(FluoroAngles, SkinOutsideTheImageIsNotMeasured)
{
  // the image ends 4 mm above the skin entry: no skin line, no angle to it
  const SyntheticBack back(0.0, 0.0);
  const Eigen::Vector3d skin = back.skinAt(0, 55.5);
  const NeedleAngles a = fluoroscopicAngles(*back.anatomy, skin, needleTip(skin, 40.0, 0.0, 60.0), "L4");
  EXPECT_FALSE(a.skinLineFound);
  EXPECT_TRUE(std::isnan(a.toSkinDeg));
  EXPECT_FALSE(std::isnan(a.toLaminaLineDeg));
}
