// The C-arm set-up and the contacts' checks of a lead, on a small hand-made spine model.
#include "drg/planning/FluoroscopyChecklist.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace drg::planning;
using drg::imaging::Side;
using Eigen::Vector3d;

namespace
{

constexpr double kPi = 3.14159265358979323846;

/// An L4 left target: the L4/L5 disc tilted `discDegrees` (its normal from the head towards the
/// back; negative: towards the belly), the L4 left pedicle between x = 10 and 18 mm, the L4/L5 left foramen
/// centred at y = 0 and 8 mm wide; four contacts 5 mm apart from x = 8 to 23 at y = 2.
drg::imaging::SpineModel model(double discDegrees)
{
  drg::imaging::SpineModel m;
  drg::imaging::SpineDisc d;
  d.upperLevel = "L4";
  d.lowerLevel = "L5";
  const double a = discDegrees * kPi / 180.0;
  d.normal = Vector3d(0, std::sin(a), std::cos(a));
  m.discs.push_back(d);
  drg::imaging::SpinePedicle p;
  p.level = "L4";
  p.side = Side::Left;
  p.medialBorder = Vector3d(10, 5, 0);
  p.lateralBorder = Vector3d(18, 5, 0);
  m.pedicles.push_back(p);
  drg::imaging::SpineForamen f;
  f.upperLevel = "L4";
  f.lowerLevel = "L5";
  f.side = Side::Left;
  f.centre = Vector3d(20, 0, -10);
  f.widthMm = 8;
  f.heightMm = 10;
  m.foramina.push_back(f);
  return m;
}

LeadPlan lead()
{
  LeadPlan l;
  l.targetLevel = "L4";
  l.targetSide = Side::Left;
  // distal first: the tip is lateral
  l.contacts = { Vector3d(23, 2, -10), Vector3d(18, 2, -10), Vector3d(13, 2, -10), Vector3d(8, -3, -10) };
  return l;
}

} // namespace

TEST(FluoroscopyChecklist, BeamTiltSquaresTheDiscBelowTheTarget)
{
  // a disc facing forwards and up (its normal leaning towards the belly: the lordotic lower lumbar
  // discs): the beam along it runs from the table up and towards the head
  const FluoroscopyChecklist c = fluoroscopyChecklist(model(-12.0), lead());
  EXPECT_EQ(c.squaredDisc, "L4/L5");
  EXPECT_NEAR(c.beamTiltDeg, 12.0, 1e-6);
  EXPECT_TRUE(c.intensifierToHead);
  EXPECT_NE(c.lines()[0].find("tilt the beam 12 degrees, image intensifier towards the head"),
            std::string::npos)
    << c.lines()[0];
  // a disc facing backwards and up: towards the feet
  EXPECT_FALSE(fluoroscopyChecklist(model(8.0), lead()).intensifierToHead);
  EXPECT_NEAR(fluoroscopyChecklist(model(8.0), lead()).beamTiltDeg, 8.0, 1e-6);
}

TEST(FluoroscopyChecklist, ContactsBetweenThePedicleBordersOnAp)
{
  const FluoroscopyChecklist c = fluoroscopyChecklist(model(0.0), lead());
  EXPECT_EQ(c.pedicle, "L4 left");
  EXPECT_EQ(c.betweenPedicleBorders, (std::vector<int>{ 2, 3 }));
  EXPECT_NE(
    c.lines()[1].find("contacts 2-3 between the medial and lateral borders of the L4 left pedicle, at the "
                      "foramen's height"),
    std::string::npos)
    << c.lines()[1];
}

TEST(FluoroscopyChecklist, ContactsInTheDorsalHalfOfTheForamenOnTheLateralImage)
{
  const FluoroscopyChecklist c = fluoroscopyChecklist(model(0.0), lead());
  EXPECT_EQ(c.foramen, "L4/L5 left");
  EXPECT_EQ(c.dorsalHalfOfForamen, (std::vector<int>{ 1, 2, 3 })); // contact 4 lies ventral of the centre
  EXPECT_NE(c.lines()[2].find("contacts 1-3 in the dorsal half of the L4/L5 left foramen"), std::string::npos)
    << c.lines()[2];
  EXPECT_NE(c.lines()[0].find("plain AP beam"), std::string::npos) << c.lines()[0];
}

TEST(FluoroscopyChecklist, WhatTheModelLacksIsSaid)
{
  LeadPlan s1 = lead();
  s1.targetLevel = "S1";
  const FluoroscopyChecklist c = fluoroscopyChecklist(model(0.0), s1);
  EXPECT_TRUE(c.squaredDisc.empty()); // (the model has no L5/S1 disc)
  EXPECT_TRUE(c.foramen.empty());
  const auto lines = c.lines();
  EXPECT_NE(lines[0].find("no disc below"), std::string::npos);
  EXPECT_NE(lines[1].find("no pedicle-border check"), std::string::npos) << lines[1];
  EXPECT_NE(lines[2].find("sacral border"), std::string::npos) << lines[2];
}

TEST(FluoroscopyChecklist, ContactsAtAnotherHeightDoNotCount)
{
  // the same contacts 20 mm above the foramen: between the borders across, but not at its height
  LeadPlan high = lead();
  for (auto& c : high.contacts) {
    c.z() += 20.0;
  }
  const drg::imaging::SpineModel m = model(0.0);
  const FluoroscopyChecklist c = fluoroscopyChecklist(m, high);
  EXPECT_TRUE(c.betweenPedicleBorders.empty());
  EXPECT_TRUE(c.dorsalHalfOfForamen.empty());
  EXPECT_NE(c.lines()[1].find("no contact lies between"), std::string::npos) << c.lines()[1];
  EXPECT_NE(c.lines()[2].find("no contact lies in the dorsal half"), std::string::npos) << c.lines()[2];
}
