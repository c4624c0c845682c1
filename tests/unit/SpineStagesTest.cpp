// The spine model's stages one at a time, on synthetic inputs whose answer is known: the canal on a
// bony tube, bodies and discs on a stack of blocks, level naming on segments, holes in a ring, the
// foramen's free interval between two walls.
#include "spine/BodiesAndDiscs.h"
#include "spine/Canal.h"
#include "spine/Foramen.h"
#include "spine/LevelNaming.h"
#include "spine/SliceMorphology.h"
#include "spine/SpineSegments.h"

#include "drg/imaging/Error.h"
#include "drg/imaging/SpineModel.h"

#include <gtest/gtest.h>

#include <array>

#include <atomic>
#include <cmath>
#include <optional>

using namespace drg::imaging;
using namespace drg::imaging::spine;
using drg::Error;
using drg::ErrorCode;
using Eigen::Vector3d;

namespace
{

constexpr float kSoftHu = 40.0f, kCsfHu = 10.0f, kBoneHuValue = 600.0f;

/// An empty work volume of nx x ny x nz voxels of 1 mm, voxel (0,0,0) at `origin` (LPS mm).
WorkVolume workVolume(int nx, int ny, int nz, const Vector3d& origin, float value)
{
  WorkVolume w;
  w.grid.nx = nx;
  w.grid.ny = ny;
  w.grid.nz = nz;
  w.grid.h = 1.0;
  w.grid.origin = origin;
  w.values.assign(w.grid.count(), value);
  return w;
}

/// A CT-like bony tube along the body's axis: a ring 7-11 mm from its centre filled with CSF in
/// soft tissue; the centre drifts to the left by `tilt` mm per mm up.
WorkVolume bonyTube(double tilt)
{
  WorkVolume w = workVolume(64, 64, 120, Vector3d(-32, -32, 0), kSoftHu);
  for (int k = 0; k < w.grid.nz; ++k) {
    for (int j = 0; j < w.grid.ny; ++j) {
      for (int i = 0; i < w.grid.nx; ++i) {
        const Vector3d p = w.grid.lps(i, j, k);
        const double r = std::hypot(p.x() - tilt * p.z(), p.y());
        w.values[w.grid.index(i, j, k)] = r < 7.0 ? kCsfHu : r < 11.0 ? kBoneHuValue : kSoftHu;
      }
    }
  }
  return w;
}

/// A straight centreline down the body's axis at (x, y) = (0, 0), head to foot, 1 mm apart.
std::vector<CentrelinePoint> straightLine(int top, int bottom)
{
  std::vector<CentrelinePoint> line;
  for (int z = top; z >= bottom; --z) {
    CentrelinePoint p;
    p.centre = Vector3d(0, 0, z);
    line.push_back(p);
  }
  return line;
}

Segment segment(int first, int last)
{
  Segment s;
  s.run = { first, last };
  return s;
}

} // namespace

TEST(SpineCanalStage, ARingOfBoneInEverySliceIsTheCanal)
{
  const WorkVolume w = bonyTube(0.0);
  const BoneAnalysis bone = analyseBone(w, {});
  EXPECT_GE(bone.candidates.size(), 120u); // one per slice at least
  for (const CanalCandidate& c : bone.candidates) {
    EXPECT_NEAR(c.x, 0.0, 0.5);
    EXPECT_NEAR(c.y, 0.0, 0.5);
    EXPECT_NEAR(c.areaMm2, M_PI * 49.0, 25.0);
  }
  // the bone mask is the ring, not its CSF
  EXPECT_EQ(bone.bone[w.grid.index(32, 32, 60)], 0);
  EXPECT_EQ(bone.bone[w.grid.index(32 + 9, 32, 60)], 1);
}

TEST(SpineCanalStage, TheChainRunsTheTubesWholeLength)
{
  const WorkVolume w = bonyTube(0.1);
  const BoneAnalysis bone = analyseBone(w, {});
  std::vector<CanalCandidate> all;
  const auto chain = chooseCanal(bone, all, w.grid, false);
  ASSERT_GE(chain.size(), 100u);
  EXPECT_LE(chain.front()->k, 2); // foot to head
  EXPECT_GE(chain.back()->k, w.grid.nz - 3);
}

TEST(SpineCanalStage, TheCentrelineFollowsATiltedTubeHeadToFootWithItsFrames)
{
  const WorkVolume w = bonyTube(0.1);
  const BoneAnalysis bone = analyseBone(w, {});
  std::vector<CanalCandidate> all;
  const auto chain = chooseCanal(bone, all, w.grid, false);
  const auto line = buildCentreline(chain, w.grid, 5.0, true);
  ASSERT_GE(line.size(), 119u);
  EXPECT_GT(line.front().centre.z(), line.back().centre.z());
  for (const CentrelinePoint& p : line) {
    if (p.centre.z() < 5 || p.centre.z() > 115) {
      continue; // beyond the chain it is extended, not measured
    }
    EXPECT_NEAR(p.centre.x(), 0.1 * p.centre.z(), 0.5) << "at z " << p.centre.z();
    EXPECT_NEAR(p.centre.y(), 0.0, 0.5);
    EXPECT_GT(p.tangent.z(), 0.99);
    EXPECT_NEAR((p.tangent.cross(p.anterior) - p.left).norm(), 0.0, 1e-9); // left = tangent x anterior
    EXPECT_GT(p.left.x(), 0.99);                                           // the patient's left (LPS +x)
    EXPECT_LT(p.anterior.y(), -0.99);                                      // anterior is LPS -y
  }
}

TEST(SpineCanalStage, NoRingNoCanal)
{
  const WorkVolume w = workVolume(48, 48, 100, Vector3d(-24, -24, 0), kSoftHu);
  const BoneAnalysis bone = analyseBone(w, {});
  std::vector<CanalCandidate> all;
  try {
    chooseCanal(bone, all, w.grid, false);
    FAIL() << "a volume of soft tissue has no canal";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::NotFound);
    EXPECT_NE(std::string(e.what()).find("no spine found"), std::string::npos) << e.what();
  }
}

TEST(SpineCanalStage, OnT2TheCsfTubeIsTheCanalAndMarrowReadsAsBone)
{
  // T2 signal (CSF 1000): a CSF tube inside a ring of marrow (450) in muscle (250)
  WorkVolume w = workVolume(64, 64, 120, Vector3d(-32, -32, 0), 250.0f);
  for (int k = 0; k < w.grid.nz; ++k) {
    for (int j = 0; j < w.grid.ny; ++j) {
      for (int i = 0; i < w.grid.nx; ++i) {
        const double r = std::hypot(w.grid.lps(i, j, k).x(), w.grid.lps(i, j, k).y());
        w.values[w.grid.index(i, j, k)] = r < 7.0 ? 1000.0f : r < 11.0 ? 450.0f : 250.0f;
      }
    }
  }
  const T2Signal t2 = prepareT2Signal(w);
  EXPECT_NEAR(t2.csf, 1000.0, 1.0);
  ASSERT_GE(t2.candidates.size(), 100u);
  for (const CanalCandidate& c : t2.candidates) {
    EXPECT_NEAR(std::hypot(c.x, c.y), 0.0, 0.5);
  }
  EXPECT_EQ(t2.raw.values[w.grid.index(32, 32, 60)], 1000.0f); // the signal as it was
  // mapped onto the bone scale: the marrow ring is bone, the CSF (with 2 mm round it) fluid
  EXPECT_GE(w.values[w.grid.index(32 + 10, 32, 60)], static_cast<float>(kBoneHu));
  EXPECT_LT(w.values[w.grid.index(32, 32, 60)], 0.0f);
  EXPECT_LT(w.values[w.grid.index(2, 2, 60)], static_cast<float>(kBoneHu)); // muscle is not bone
}

TEST(SpineBodiesStage, BlocksOfBoneInFrontOfTheLineAreBodiesAndTheGapsDiscs)
{
  // five bodies 27 mm tall, 8 mm discs between them, 38 mm deep in front of the canal
  WorkVolume w = workVolume(80, 100, 200, Vector3d(-40, -70, 0), kSoftHu);
  const int firstBody = 20, period = 35, bodyHeight = 27;
  for (int k = 0; k < w.grid.nz; ++k) {
    const int z = k, inPeriod = (z - firstBody) % period;
    const bool body = z >= firstBody && z < firstBody + 5 * period && inPeriod < bodyHeight;
    for (int j = 0; j < w.grid.ny && body; ++j) {
      for (int i = 0; i < w.grid.nx; ++i) {
        const Vector3d p = w.grid.lps(i, j, k);
        if (std::abs(p.x()) <= 20 && -p.y() >= 8 && -p.y() <= 45) {
          w.values[w.grid.index(i, j, k)] = 400.0f;
        }
      }
    }
  }
  const auto line = straightLine(w.grid.nz - 1, 0);
  const BodyProfile bodies = findBodiesAndDiscs(w, line, false);
  ASSERT_EQ(bodies.discs.size(), 4u);
  ASSERT_EQ(bodies.segments.size(), 5u);
  ASSERT_EQ(bodies.profile.size(), line.size());
  for (std::size_t d = 0; d < 4; ++d) {
    // disc d from the top; its rows count from the head (z = 199 at row 0)
    const double discZ = firstBody + (4 - static_cast<int>(d)) * period - 0.5 * (period - bodyHeight) - 0.5;
    EXPECT_NEAR(line[0].centre.z() - bodies.discs[d].mid(), discZ, 2.0) << "disc " << d;
  }
  for (const Segment& s : bodies.segments) {
    EXPECT_NEAR(s.run.length(), bodyHeight, 3);
    EXPECT_FALSE(s.sacral);
    EXPECT_FALSE(s.ribs);
  }
}

TEST(SpineBodiesStage, WithoutBodiesTheProfileIsRefused)
{
  const WorkVolume w = workVolume(80, 100, 200, Vector3d(-40, -70, 0), kSoftHu);
  try {
    findBodiesAndDiscs(w, straightLine(199, 0), false);
    FAIL() << "soft tissue alone has no bodies";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::NotFound);
    EXPECT_NE(std::string(e.what()).find("fewer than two vertebral bodies"), std::string::npos) << e.what();
  }
}

namespace
{
/// T12 (ribs), L1-L5, S1 (alae) head to foot, 28 mm bodies, 20 mm S1; a flat profile.
std::vector<Segment> normalSpine(std::vector<double>& profile)
{
  std::vector<Segment> s;
  for (int i = 0; i < 7; ++i) {
    s.push_back(segment(i * 36, i * 36 + (i == 6 ? 19 : 27)));
  }
  s[0].ribs = true;
  s[6].sacral = true;
  s[6].alaLeft = s[6].alaRight = 0.5;
  profile.assign(static_cast<std::size_t>(s.back().run.last + 1), 0.5);
  return s;
}

std::vector<std::string> levels(const std::vector<Segment>& s)
{
  std::vector<std::string> out;
  for (const Segment& x : s) {
    out.push_back(x.level);
  }
  return out;
}

const auto kNoConus = [] { return std::optional<int>(); };
} // namespace

TEST(SpineLevelNaming, CountsFromTheSacrumAndAgreesWithTheRibs)
{
  std::vector<double> profile;
  auto s = normalSpine(profile);
  const LevelCount c = nameLevels(s, profile, {}, false, kNoConus);
  EXPECT_EQ(levels(s), (std::vector<std::string>{ "T12", "L1", "L2", "L3", "L4", "L5", "S1" }));
  EXPECT_EQ(c.anchor, "sacrum");
  EXPECT_FALSE(c.anchorsDisagree);
  EXPECT_TRUE(c.warnings.empty());
  EXPECT_NE(c.anchorDetail.find("lowest ribs"), std::string::npos);
}

TEST(SpineLevelNaming, RibsThatDisagreeWithTheSacrumAreSaid)
{
  std::vector<double> profile;
  auto s = normalSpine(profile);
  s[1].ribs = true; // ribs on "L1": four lumbar vertebrae between ribs and sacrum
  const LevelCount c = nameLevels(s, profile, {}, false, kNoConus);
  EXPECT_TRUE(c.anchorsDisagree);
  ASSERT_EQ(c.warnings.size(), 2u);
  EXPECT_NE(c.warnings[0].find("disagree"), std::string::npos);
  // the names are unconfirmed: the user is told to confirm them
  EXPECT_EQ(c.check.status, "unconfirmed");
  EXPECT_NE(c.warnings[1].find("levels unconfirmed"), std::string::npos);
  EXPECT_EQ(s.back().level, "S1"); // labels follow the sacrum
}

// Six vertebrae without ribs above the sacrum: named L1-L6, but a sixth lumbar vertebra and eleven
// rib pairs look the same without the cervical spine, so the names are not confirmed.
TEST(SpineLevelNaming, SixLumbarVertebraeAreNamedL1ToL6Unconfirmed)
{
  std::vector<double> profile;
  auto s = normalSpine(profile);
  s.insert(s.begin() + 1, segment(0, 27)); // runs are not looked at for the names
  const LevelCount c = nameLevels(s, profile, {}, false, kNoConus);
  EXPECT_EQ(levels(s), (std::vector<std::string>{ "T12", "L1", "L2", "L3", "L4", "L5", "L6", "S1" }));
  ASSERT_EQ(c.warnings.size(), 2u);
  EXPECT_NE(c.warnings[0].find("L1-L6"), std::string::npos);
  EXPECT_EQ(c.check.status, "unconfirmed");
  EXPECT_NE(c.check.why().find("eleven rib pairs"), std::string::npos);
}

TEST(SpineLevelNaming, TheUsersShiftMovesEveryNameAndIsRecorded)
{
  std::vector<double> profile;
  auto s = normalSpine(profile);
  s[0].ribs = false; // no ribs: the sacrum alone
  SpineLabelOverride user;
  user.shift = -1;
  const LevelCount c = nameLevels(s, profile, user, false, kNoConus);
  EXPECT_EQ(s[5].level, "L4");
  EXPECT_EQ(c.anchor, "sacrum (shifted by the user by -1)");
  EXPECT_EQ(c.check.status, "user-anchored");
}

TEST(SpineLevelNaming, WithoutSacrumTheLowestRibsCountWithAWarning)
{
  std::vector<double> profile;
  auto s = normalSpine(profile);
  s.pop_back(); // no sacrum
  const LevelCount ribs = nameLevels(s, profile, {}, false, kNoConus);
  EXPECT_EQ(ribs.anchor, "lowest ribs");
  EXPECT_EQ(s[0].level, "T12");
  ASSERT_EQ(ribs.warnings.size(), 2u);
  EXPECT_NE(ribs.warnings[0].find("less certain"), std::string::npos);
  EXPECT_EQ(ribs.check.status, "unconfirmed");
}

TEST(SpineLevelNaming, WithoutSacrumOrRibsACtIsRefusedEvenWithAConus)
{
  std::vector<double> profile;
  auto s = normalSpine(profile);
  s.pop_back();
  s[0].ribs = false;
  try {
    nameLevels(s, profile, {}, false, [] { return std::optional<int>(2); });
    FAIL() << "no anchor on CT";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::NotFound);
  }
}

TEST(SpineLevelNaming, OnT2WithoutSacrumOrRibsTheConusCountsAndIsCalledUncertain)
{
  std::vector<double> profile;
  auto s = normalSpine(profile);
  s.pop_back();
  s[0].ribs = false;
  const LevelCount conus = nameLevels(s, profile, {}, true, [] { return std::optional<int>(2); });
  EXPECT_EQ(conus.anchor, "conus medullaris");
  EXPECT_EQ(s[2].level, "L1");
  ASSERT_FALSE(conus.warnings.empty());
  EXPECT_NE(conus.warnings.front().find("uncertain"), std::string::npos);
  EXPECT_EQ(conus.check.status, "unconfirmed");
}

TEST(SpineLevelNaming, TheSacrumIsCutFromS1AtTheRemnantOfItsDisc)
{
  std::vector<double> profile;
  auto s = normalSpine(profile);
  // S1 and S2 fused: one long run, the S1/S2 remnant a dip 30 mm below S1's top
  s[6].run.last = s[6].run.first + 60;
  profile.assign(static_cast<std::size_t>(s[6].run.last + 1), 0.5);
  const int dip = s[6].run.first + 30;
  profile[static_cast<std::size_t>(dip)] = 0.2;
  nameLevels(s, profile, {}, false, kNoConus);
  ASSERT_EQ(s.size(), 8u);
  EXPECT_EQ(s[6].level, "S1");
  EXPECT_EQ(s[6].run.last, dip);
  EXPECT_EQ(s[7].level, "sacrum");
  EXPECT_EQ(s[7].run.first, dip + 1);
}

TEST(SpineSliceMorphology, AClosedRingHasOneHoleOfItsArea)
{
  const int n = 40;
  std::vector<std::uint8_t> ring(static_cast<std::size_t>(n * n), 0);
  std::vector<float> values(ring.size(), 5.0f);
  for (int j = 0; j < n; ++j) {
    for (int i = 0; i < n; ++i) {
      const double r = std::hypot(i - 20.0, j - 20.0);
      ring[static_cast<std::size_t>(i + n * j)] = r >= 8.0 && r < 11.0 ? 1 : 0;
    }
  }
  const auto holes = holesOf(closeSlice(ring, n, n, 1), values.data(), n, n, 0.5);
  ASSERT_EQ(holes.size(), 1u); // the outside touches the border: not a hole
  EXPECT_NEAR(holes[0].cx, 20.0, 0.1);
  EXPECT_NEAR(holes[0].cy, 20.0, 0.1);
  EXPECT_NEAR(holes[0].areaMm2, M_PI * 64.0 * 0.25, 8.0);
  EXPECT_NEAR(holes[0].mean, 5.0, 1e-6);
}

TEST(SpineSliceMorphology, MarrowOneVertebraEnclosesIsFilledNothingElse)
{
  // five 30 x 30 planes, each with its case: a ring of label 5 round an empty core (filled), the
  // same ring broken (open to the outside: not filled), a core bordered by two vertebrae (not
  // filled), a core larger than the limit (not filled), and an enclosed core the caller declines
  const std::size_t n = 30;
  std::vector<std::uint8_t> map(n * n * 5, 0);
  auto ring = [&](std::size_t k, int inner, int outer, int labelA, int labelB) {
    for (std::size_t j = 0; j < n; ++j) {
      for (std::size_t i = 0; i < n; ++i) {
        const int d = std::max(std::abs(static_cast<int>(i) - 15), std::abs(static_cast<int>(j) - 15));
        if (d > inner && d <= outer) {
          map[i + n * (j + n * k)] = static_cast<std::uint8_t>(i < 15 ? labelA : labelB);
        }
      }
    }
  };
  ring(0, 3, 6, 5, 5);
  ring(1, 3, 6, 5, 5);
  for (std::size_t i = 15; i < n; ++i) {
    map[i + n * (15 + n * 1)] = 0; // a gap from the core to the outside
  }
  ring(2, 3, 6, 5, 6);
  ring(3, 8, 11, 5, 5);
  ring(4, 3, 6, 5, 5);
  LabelSet fillable{};
  fillable[5] = fillable[6] = true;
  std::atomic<std::size_t> asked{ 0 };
  const std::size_t filled = fillEnclosedHoles(
    map.data(), n, n, 5, fillable, 60, [&](std::size_t k, const std::vector<std::size_t>& region) {
      asked += region.size();
      for (std::size_t q : region) {
        EXPECT_EQ(q / (n * n), k); // whole-map indices in the plane asked about
      }
      return k != 4;
    });
  EXPECT_EQ(asked.load(), 98u); // the two enclosed 7 x 7 cores; no other region is asked about
  EXPECT_EQ(filled, 49u);
  auto at = [&](std::size_t i, std::size_t j, std::size_t k) { return map[i + n * (j + n * k)]; };
  EXPECT_EQ(at(15, 15, 0), 5);
  EXPECT_EQ(at(14, 14, 1), 0);
  EXPECT_EQ(at(15, 15, 2), 0);
  EXPECT_EQ(at(15, 15, 3), 0);
  EXPECT_EQ(at(15, 15, 4), 0); // declined
  EXPECT_EQ(at(0, 0, 0), 0);   // the outside stays empty
}

TEST(SpineForamen, TheFreeIntervalEndsAtTheWallsEachWay)
{
  // walls of bone at 5 mm in front of the point and 4 mm behind it (anterior is -y in LPS)
  WorkVolume w = workVolume(20, 20, 20, Vector3d(-10, -10, -10), 0.0f);
  for (int k = 0; k < 20; ++k) {
    for (int i = 0; i < 20; ++i) {
      w.values[w.grid.index(i, 5, k)] = 400.0f;  // y = -5
      w.values[w.grid.index(i, 14, k)] = 400.0f; // y = +4
    }
  }
  CentrelinePoint p;
  p.centre = Vector3d(0, 0, 0);
  const auto [ant, post] = freeIntervalAlongV(w, p, 0.0, 0.0, 10.0);
  EXPECT_GE(ant, 4.0);
  EXPECT_LT(ant, 5.0);
  EXPECT_GT(post, -4.0);
  EXPECT_LE(post, -3.0);
}

namespace
{

/// A 32^3 volume whose voxels take `values` in turn (a histogram, not an anatomy).
drg::imaging::Image<float> valuesVolume(const std::vector<float>& values)
{
  drg::imaging::ImageGeometry g;
  g.size = { 32, 32, 32 };
  drg::imaging::Image<float> v(g);
  for (std::size_t i = 0; i < v.voxels().size(); ++i) {
    v.voxels()[i] = values[i % values.size()];
  }
  return v;
}

} // namespace

// CT or MR from the values of a volume without a header: CT numbers (air, or in a tight crop fat
// beside cortical bone) or magnitude MR (never negative); otherwise the user is asked.
TEST(SpineModality, ToldFromTheValuesOrAskedFor)
{
  using drg::imaging::SpineModality;
  // a CT with air around the body
  EXPECT_EQ(drg::imaging::modalityFromIntensities(valuesVolume({ -1000, -1000, 40, 50, 200, 900, 40, 30 })),
            SpineModality::Ct);
  // a crop tight on three lumbar vertebrae: no air, but fat (-100) and cortex (1200) in CT numbers
  std::vector<float> crop(200, 45.0f);
  for (int i = 0; i < 10; ++i) {
    crop[static_cast<std::size_t>(i)] = -95.0f;
  }
  for (int i = 10; i < 14; ++i) {
    crop[static_cast<std::size_t>(i)] = 1200.0f;
  }
  crop[20] = 300.0f;
  EXPECT_EQ(drg::imaging::modalityFromIntensities(valuesVolume(crop)), SpineModality::Ct);
  // magnitude MR: no negative values (bright CSF, dark cortex)
  EXPECT_EQ(drg::imaging::modalityFromIntensities(valuesVolume({ 0, 12, 300, 800, 1500, 90, 450 })),
            SpineModality::MrT2);
  // negative values that are neither air nor fat beside bone: asked, not guessed
  try {
    drg::imaging::modalityFromIntensities(valuesVolume({ -20, -5, 10, 30, 60, 120, -30, 80 }));
    FAIL() << "guessed a modality";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("--modality"), std::string::npos) << e.what();
  }
}

// A vertebra far larger than its neighbours (two taken for one) or far smaller (part of one) puts
// the names above it in doubt; neighbours that grow down the spine as vertebrae do are no doubt.
TEST(SpineLevelNaming, AVertebraOfImplausibleSizeIsNamedAsADoubt)
{
  auto vertebrae = [](const std::vector<double>& ml) {
    std::vector<drg::imaging::SpineVertebra> out;
    const char* names[] = { "T11", "T12", "L1", "L2", "L3", "L4", "L5" };
    for (std::size_t i = 0; i < ml.size(); ++i) {
      drg::imaging::SpineVertebra v;
      v.level = names[i];
      v.volumeMl = ml[i];
      out.push_back(v);
    }
    return out;
  };
  EXPECT_TRUE(implausibleVertebrae(vertebrae({ 47, 47, 49, 54, 59, 60, 61 })).empty());
  const auto merged = implausibleVertebrae(vertebrae({ 47, 47, 160, 54, 59 }));
  ASSERT_EQ(merged.size(), 1u);
  EXPECT_NE(merged[0].find("L1 is 160 ml"), std::string::npos) << merged[0];
  EXPECT_NE(merged[0].find("two vertebrae"), std::string::npos) << merged[0];
  const auto part = implausibleVertebrae(vertebrae({ 47, 47, 20, 54, 59 }));
  ASSERT_EQ(part.size(), 1u);
  EXPECT_NE(part[0].find("part of a vertebra"), std::string::npos) << part[0];
}

namespace
{

/// Bone (400 HU) in front of the canal over rows [from, to) of a straight spine along z, and beside
/// it where `lateral` says (u from, u to, v from, v to: left and anterior of the canal, mm).
void fillRows(WorkVolume& w, int from, int to, double fraction = 1.0,
              std::vector<std::array<double, 4>> lateral = {})
{
  for (int k = from; k < to; ++k) {
    for (int j = 0; j < w.grid.ny; ++j) {
      for (int i = 0; i < w.grid.nx; ++i) {
        const Vector3d p = w.grid.lps(i, j, k);
        const double u = p.x();
        const double v = -p.y();
        bool bone = std::abs(u) <= 20 * fraction && v >= 8 && v <= 45;
        for (const auto& box : lateral) {
          bone = bone || (std::abs(u) >= box[0] && std::abs(u) <= box[1] && v >= box[2] && v <= box[3]);
        }
        if (bone) {
          w.values[w.grid.index(i, j, k)] = 400.0f;
        }
      }
    }
  }
}

} // namespace

// A collapsed disc (2 mm, bone bridging half of it) dips less than a healthy one: still a disc.
TEST(SpineBodiesStage, ACollapsedDiscIsStillADisc)
{
  WorkVolume w = workVolume(100, 120, 220, Vector3d(-50, -80, 0), kSoftHu);
  // from the foot: bodies of 27 mm with 8 mm discs, the third disc from the top 2 mm and half bridged
  int z = 20;
  for (int b = 0; b < 5; ++b) {
    fillRows(w, z, z + 27);
    z += 27;
    if (b == 1) {
      fillRows(w, z, z + 2, 0.5);
      z += 2;
    } else {
      z += 8;
    }
  }
  const auto line = straightLine(w.grid.nz - 1, 0);
  const BodyProfile bodies = findBodiesAndDiscs(w, line, false);
  EXPECT_EQ(bodies.discs.size(), 4u);
  EXPECT_EQ(bodies.segments.size(), 5u);
}

// Ribs are told by their heads beside the body: a rib that only passes beside the next vertebra
// down does not make it rib-bearing; a stub of a rib with its head does.
TEST(SpineBodiesStage, RibHeadsTellTheRibBearingVertebrae)
{
  WorkVolume w = workVolume(160, 120, 200, Vector3d(-80, -80, 0), kSoftHu);
  const std::array<double, 4> head{ 24, 34, 10, 20 };
  const std::array<double, 4> shaft{ 50, 70, -30, 0 };
  // from the foot: a vertebra with the rib of the one above passing beside it, a vertebra with a
  // rib stub (head only), a vertebra with a whole rib
  fillRows(w, 30, 57, 1.0, { shaft });
  fillRows(w, 65, 92, 1.0, { head });
  fillRows(w, 100, 127, 1.0, { head, shaft });
  fillRows(w, 135, 162);
  const auto line = straightLine(w.grid.nz - 1, 0);
  BodyProfile bodies = findBodiesAndDiscs(w, line, false);
  ASSERT_EQ(bodies.segments.size(), 4u);
  // head to foot
  EXPECT_FALSE(bodies.segments[0].ribs);
  EXPECT_TRUE(bodies.segments[1].ribs) << "a whole rib";
  EXPECT_TRUE(bodies.segments[2].ribs) << "a hypoplastic rib: its head";
  EXPECT_FALSE(bodies.segments[3].ribs) << "only the rib above passing by";
}

// S1 needs alae beside it and bone fused below it: a vertebra with wide bone beside it where the
// image ends is not the sacrum.
TEST(SpineBodiesStage, TheSacrumNeedsAlaeAndFusedBoneBelow)
{
  const std::array<double, 4> ala{ 22, 42, 4, 30 };
  for (bool fused : { true, false }) {
    WorkVolume w = workVolume(120, 120, 200, Vector3d(-60, -80, 0), kSoftHu);
    if (fused) {
      fillRows(w, 10, 78); // S1 and the sacrum below it, no disc
      fillRows(w, 50, 78, 1.0, { ala });
    } else {
      fillRows(w, 50, 78, 1.0, { ala }); // the lowest vertebra, nothing below it
    }
    fillRows(w, 86, 113);
    fillRows(w, 121, 148);
    fillRows(w, 156, 183);
    const auto line = straightLine(w.grid.nz - 1, 0);
    BodyProfile bodies = findBodiesAndDiscs(w, line, false);
    ASSERT_GE(bodies.segments.size(), 4u);
    const Segment& lowest = bodies.segments[3];
    EXPECT_TRUE(lowest.alae) << fused;
    EXPECT_EQ(lowest.sacral, fused);
  }
}

// A rudimentary disc above S1 (a sacralised L5, or a degenerated disc) is said; a normal one not.
TEST(SpineLevelNaming, AThinDiscAboveS1IsSaid)
{
  std::vector<SpineDisc> discs;
  for (const char* upper : { "L2", "L3", "L4", "L5" }) {
    SpineDisc d;
    d.upperLevel = upper;
    d.lowerLevel = std::string(upper) == "L5" ? "S1" : "next";
    d.heightMm = 8.0;
    discs.push_back(d);
  }
  EXPECT_FALSE(thinLumbosacralDisc(discs).has_value());
  discs.back().heightMm = 3.0;
  const auto said = thinLumbosacralDisc(discs);
  ASSERT_TRUE(said.has_value());
  EXPECT_NE(said->find("L5/S1 disc is 3.0 mm"), std::string::npos) << *said;
  EXPECT_NE(said->find("transitional"), std::string::npos);
}
