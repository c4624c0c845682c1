// The post-operative steps one at a time, on small synthetic volumes: the lead finder (contacts,
// thick metal, stray spots, the distal end), the rigid registration, the verification's rules and
// its verify.json read back.
#include "drg/imaging/Error.h"
#include "drg/imaging/LeadFinder.h"
#include "drg/imaging/RigidRegistration.h"
#include "drg/planning/LeadVerification.h"

#include <Eigen/Geometry>
#include <gtest/gtest.h>

#include <cmath>

namespace drg::test
{
namespace
{
using namespace drg::imaging;
using Eigen::Vector3d;

Image<float> volume(std::size_t n, double spacing, double sliceStep, float value)
{
  ImageGeometry g;
  g.size = { n, n, static_cast<std::size_t>(std::lround(n * spacing / sliceStep)) };
  g.spacing = Vector3d(spacing, spacing, sliceStep);
  g.origin = Vector3d(-0.5 * n * spacing, -0.5 * n * spacing, -0.5 * n * spacing);
  Image<float> img(g);
  std::fill(img.voxels().begin(), img.voxels().end(), value);
  return img;
}

/// Paints `value` (composited by the voxel's share, sampled finely, then clamped to 3071 as CT
/// stores it) wherever `inside` holds.
template<typename Inside>
void paint(Image<float>& img, double value, Inside inside)
{
  const ImageGeometry& g = img.geometry();
  for (std::size_t k = 0; k < g.size[2]; ++k) {
    for (std::size_t j = 0; j < g.size[1]; ++j) {
      for (std::size_t i = 0; i < g.size[0]; ++i) {
        const Vector3d c = g.indexToLps(Vector3d(i, j, k));
        int in = 0;
        for (int s = 0; s < 27; ++s) {
          Vector3d d((s % 3 - 1) / 3.0, ((s / 3) % 3 - 1) / 3.0, (s / 9 - 1) / 3.0);
          in += inside(c + g.spacing.cwiseProduct(d)) ? 1 : 0;
        }
        if (in > 0) {
          float& v = img.at(i, j, k);
          v = static_cast<float>(std::min(3071.0, v + in / 27.0 * (value - v)));
        }
      }
    }
  }
}

double segmentDistance(const Vector3d& p, const Vector3d& a, const Vector3d& b)
{
  const Vector3d ab = b - a;
  const double t = std::clamp((p - a).dot(ab) / ab.squaredNorm(), 0.0, 1.0);
  return (p - (a + t * ab)).norm();
}

/// A lead along `axis` through `first` (its distal contact), contacts every 5 mm, the body going on
/// proximally for 20 mm.
std::vector<Vector3d> drawLead(Image<float>& img, const Vector3d& first, const Vector3d& axis)
{
  std::vector<Vector3d> contacts;
  for (int c = 0; c < 4; ++c) {
    contacts.push_back(first + 5.0 * c * axis);
  }
  const Vector3d end = contacts.back() + 20.0 * axis;
  paint(img, 1200.0, [&](const Vector3d& p) { return segmentDistance(p, contacts.front(), end) <= 0.5; });
  for (const auto& c : contacts) {
    paint(img, 30000.0, [&](const Vector3d& p) {
      const double along = (p - c).dot(axis);
      return std::abs(along) <= 0.625 && (p - c - along * axis).norm() <= 0.5;
    });
  }
  return contacts;
}

TEST(LeadFinder, FindsTheContactsAndTheDistalEnd)
{
  Image<float> img = volume(64, 0.8, 0.8, 40.0f);
  const Vector3d axis = Vector3d(0.3, 0.2, 1.0).normalized();
  const auto truth = drawLead(img, Vector3d(1.3, -2.1, -12.2), axis);
  LeadSearch s = findLeads(img);
  ASSERT_EQ(s.leads.size(), 1u);
  const FoundLead& lead = s.leads.front();
  ASSERT_EQ(lead.contacts.size(), 4u);
  ASSERT_TRUE(lead.orientationKnown) << lead.beyondFirstHu << " / " << lead.beyondLastHu;
  for (std::size_t c = 0; c < 4; ++c) {
    const Vector3d found = lead.distalFirst ? lead.contacts[c] : lead.contacts[3 - c];
    EXPECT_LT((found - truth[c]).norm(), 0.35) << "contact " << c + 1;
  }
}

TEST(LeadFinder, AScrewBesideTheLeadIsSetAsideNotFound)
{
  Image<float> img = volume(72, 0.8, 0.8, 40.0f);
  const auto truth = drawLead(img, Vector3d(0, 0, -10), Vector3d(0, 0, 1));
  // a 6.5 mm screw 4 mm from the lead's axis, with a head
  paint(img, 3071.0, [&](const Vector3d& p) {
    return segmentDistance(p, Vector3d(7.25, -15, 0), Vector3d(7.25, 15, 0)) <= 3.25;
  });
  LeadSearch s = findLeads(img);
  EXPECT_EQ(s.thickObjects, 1);
  ASSERT_EQ(s.leads.size(), 1u);
  EXPECT_EQ(s.leads.front().contacts.size(), 4u);
}

TEST(LeadFinder, StraySpotsMakeNoLead)
{
  Image<float> img = volume(64, 0.8, 0.8, 40.0f);
  // dense spots 12 mm apart (beyond the contact spacing): bone islands, a clip
  for (double x : { -12.0, 0.0, 12.0 }) {
    paint(img, 30000.0, [&](const Vector3d& p) { return (p - Vector3d(x, 0, 0)).norm() <= 0.6; });
  }
  LeadSearch s = findLeads(img);
  EXPECT_TRUE(s.leads.empty());
  EXPECT_EQ(s.unchainedBlobs, 3);
}

TEST(LeadFinder, ThickSlicesStillGiveTheContactsWithinHalfAMillimetre)
{
  Image<float> img = volume(64, 0.8, 3.0, 40.0f);
  const Vector3d axis = Vector3d(0.5, 0.1, 1.0).normalized();
  const auto truth = drawLead(img, Vector3d(-3.0, 0.4, -11.3), axis);
  LeadSearch s = findLeads(img);
  ASSERT_EQ(s.leads.size(), 1u);
  const FoundLead& lead = s.leads.front();
  ASSERT_EQ(lead.contacts.size(), 4u);
  const bool reversed =
    (lead.contacts.front() - truth.front()).norm() > (lead.contacts.back() - truth.front()).norm();
  for (std::size_t c = 0; c < 4; ++c) {
    EXPECT_LT(((reversed ? lead.contacts[3 - c] : lead.contacts[c]) - truth[c]).norm(), 0.5)
      << "contact " << c + 1;
  }
}

/// A few bone-like ellipsoids, not symmetric, so that a rigid motion is told.
Image<float> bones(const RigidTransform& motion)
{
  Image<float> img = volume(100, 1.0, 1.0, 30.0f);
  const RigidTransform back = motion.inverse();
  struct E
  {
    Vector3d c, r;
    double hu;
  };
  const std::vector<E> parts = { { Vector3d(0, 0, 0), Vector3d(18, 14, 10), 300 },
                                 { Vector3d(0, 22, 4), Vector3d(5, 9, 16), 700 },
                                 { Vector3d(16, 10, -14), Vector3d(4, 6, 4), 900 },
                                 { Vector3d(-20, 6, 12), Vector3d(7, 4, 5), 500 } };
  paint(img, 0.0, [](const Vector3d&) { return false; });
  for (const auto& e : parts) {
    paint(img, e.hu,
          [&](const Vector3d& p) { return (back.apply(p) - e.c).cwiseQuotient(e.r).norm() <= 1.0; });
  }
  return img;
}

TEST(RigidRegistration, RecoversAKnownMotion)
{
  RigidTransform motion;
  motion.rotation =
    Eigen::AngleAxisd(4.0 * M_PI / 180.0, Vector3d(0.2, 1.0, 0.3).normalized()).toRotationMatrix();
  motion.translation = Vector3d(5.0, -3.5, 7.0);
  const Image<float> planning = bones({});
  const Image<float> moved = bones(motion);
  RegistrationOptions o;
  o.halfSizeMm = Vector3d(28, 28, 28);
  o.searchMm = 16.0;
  RegistrationResult r = registerRigid(planning, moved, Vector3d::Zero(), {}, o);
  for (const Vector3d& p : { Vector3d(0, 0, 0), Vector3d(20, 15, 10), Vector3d(-15, 20, -10) }) {
    EXPECT_LT((r.planningToImage.apply(p) - motion.apply(p)).norm(), 0.3) << p.transpose();
  }
  EXPECT_GT(r.correlation, 0.95);
}

TEST(VerifyRules, BuiltInAndBrokenOnes)
{
  const planning::VerifyRules r = planning::VerifyRules::builtIn();
  EXPECT_GT(r.migratedMm.value, r.inPlaceMm.value);
  EXPECT_FALSE(r.inPlaceMm.source.empty());
  try {
    planning::VerifyRules::fromJson(
      R"({"format":"drgplan-verify-rules","in_place_mm":{"value":2,"source":"x"}})", "test.json");
    ADD_FAILURE() << "rules without migrated_mm were taken";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("migrated_mm"), std::string::npos) << e.what();
  }
}

TEST(VerifyJson, AnEarlierVerificationIsReadBackByLeadName)
{
  planning::Verification v;
  planning::VerifiedLead lead;
  lead.name = "L4 left";
  lead.found = true;
  for (int n = 1; n <= 2; ++n) {
    planning::VerifiedContact c;
    c.number = n;
    c.planning = Vector3d(1.0 * n, 2.0, 3.25);
    lead.contacts.push_back(c);
  }
  v.leads.push_back(lead);
  planning::VerifiedLead missing;
  missing.name = "L5 right";
  v.leads.push_back(missing);
  planning::Plan plan;
  plan.study.seriesUid = "1.2.3";
  plan.study.imageFingerprint = "00aa11bb22cc33dd";
  planning::VerifyInput in;
  in.plan = &plan;
  in.postopImages.fingerprint = "ffee000011112222";
  in.postopImages.studyDate = "20260401";
  const std::string text = planning::verificationToJson(v, in, "plan.drgplan.json", "postop");
  const planning::PreviousVerification previous = planning::previousFromJson(text, "verify.json");
  const planning::PreviousContacts& back = previous.contacts;
  ASSERT_EQ(back.size(), 1u) << "a lead not found has no contacts to compare with";
  ASSERT_EQ(back.at("L4 left").size(), 2u);
  EXPECT_NEAR(back.at("L4 left")[1].x(), 2.0, 1e-9);
  EXPECT_NEAR(back.at("L4 left")[1].z(), 3.25, 1e-9);
  EXPECT_THROW(planning::previousFromJson("{\"format\":\"other\"}", "x.json"), Error);
  // an earlier verification is one of this plan's images, of an earlier scan
  ImageIdentity later;
  later.fingerprint = "1234123412341234";
  later.studyDate = "20261001";
  EXPECT_NO_THROW(planning::checkPrevious(previous, plan.study, later));
  planning::StudyReference otherPlan = plan.study;
  otherPlan.imageFingerprint = "9999999999999999";
  EXPECT_THROW(planning::checkPrevious(previous, otherPlan, later), Error) << "another plan's images";
  EXPECT_THROW(planning::checkPrevious(previous, plan.study, in.postopImages), Error) << "the same scan";
  ImageIdentity earlier = later;
  earlier.studyDate = "20260101";
  EXPECT_THROW(planning::checkPrevious(previous, plan.study, earlier), Error) << "given the wrong way round";
}

} // namespace
} // namespace drg::test
