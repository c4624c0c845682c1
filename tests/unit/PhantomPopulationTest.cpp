// The phantom as a population (issue 21): anatomy seeds draw sizes, pose and rib/lumbosacral
// variants from published ranges; operated and degenerated spines (screws and rods with their
// artefacts, laminectomy, cages, collapsed discs, spondylolisthesis, cement).
#include "drg/imaging/AnatomyLabels.h"
#include "drg/imaging/Error.h"
#include "drg/imaging/SpinePhantom.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cmath>
#include <map>

using namespace drg::imaging;

namespace
{

PhantomOptions small()
{
  PhantomOptions o;
  o.matrix = { 128, 128, 130 };
  o.spacing = Eigen::Vector3d(3.0, 3.0, 3.0);
  return o;
}

const PhantomVertebra& vertebra(const PhantomCase& c, const std::string& level)
{
  for (const auto& v : c.truth.vertebrae) {
    if (v.level == level) {
      return v;
    }
  }
  throw std::runtime_error("no vertebra " + level);
}

std::size_t countLabel(const PhantomCase& c, int label)
{
  std::size_t n = 0;
  for (auto v : c.labels.voxels()) {
    n += v == label ? 1 : 0;
  }
  return n;
}

} // namespace

TEST(PhantomPopulation, SeedZeroIsTheReferenceAndOtherSeedsDrawFromThePublishedRanges)
{
  PhantomOptions reference;
  PhantomOptions zero;
  drawPhantomAnatomy(zero);
  EXPECT_EQ(zero.lordosisDegrees, reference.lordosisDegrees);
  EXPECT_EQ(zero.transitional, TransitionalAnatomy::None);

  std::map<TransitionalAnatomy, int> transitional;
  std::map<TwelfthRib, int> ribs;
  double lordosisSum = 0;
  const int n = 1000;
  for (int seed = 1; seed <= n; ++seed) {
    PhantomOptions o;
    o.anatomySeed = static_cast<std::uint64_t>(seed);
    drawPhantomAnatomy(o);
    PhantomOptions again = o;
    drawPhantomAnatomy(again);
    ASSERT_EQ(again.lordosisDegrees, o.lordosisDegrees) << "not deterministic";
    EXPECT_GE(o.lordosisDegrees, 30.0);
    EXPECT_LE(o.lordosisDegrees, 75.0);
    lordosisSum += o.lordosisDegrees;
    ++transitional[o.transitional];
    ++ribs[o.twelfthRib];
  }
  EXPECT_NEAR(lordosisSum / n, 60.0, 2.0);
  // prevalences of assets/phantom/population.json: 3.8 % six lumbar, 4.1 % sacralised L5,
  // 1.5 % thirteen rib pairs, 1.7 % a twelfth vertebra without ribs, 12.6 % hypoplastic twelfth ribs
  EXPECT_NEAR(transitional[TransitionalAnatomy::L6], 38, 20);
  EXPECT_NEAR(transitional[TransitionalAnatomy::SacralizedL5], 41, 20);
  EXPECT_NEAR(transitional[TransitionalAnatomy::T13], 15, 12);
  EXPECT_NEAR(ribs[TwelfthRib::Absent], 17, 12);
  EXPECT_NEAR(ribs[TwelfthRib::Hypoplastic], 126, 35);
}

TEST(PhantomPopulation, SeedsChangeVertebraSizesWithinTheirRangeAndSayWhatTheyDrew)
{
  const PhantomCase reference = generateSpinePhantom(small());
  EXPECT_TRUE(reference.truth.anatomyJson.empty());
  int changed = 0;
  for (std::uint64_t seed : { 3U, 4U }) {
    PhantomOptions o = small();
    o.anatomySeed = seed;
    const PhantomCase c = generateSpinePhantom(o);
    for (const char* level : { "L1", "L3", "L5" }) {
      double ref = vertebra(reference, level).bodyWidthMm;
      double got = vertebra(c, level).bodyWidthMm;
      EXPECT_GT(got, 0.8 * ref) << level;
      EXPECT_LT(got, 1.2 * ref) << level;
      changed += std::abs(got - ref) > 0.2 ? 1 : 0;
    }
    auto drawn = nlohmann::json::parse(c.truth.anatomyJson);
    EXPECT_TRUE(drawn.at("levels_mm").contains("L3"));
    EXPECT_TRUE(nlohmann::json::parse(phantomTruthJson(c)).contains("anatomy_drawn"));
  }
  EXPECT_GE(changed, 5) << "the seeds hardly changed the vertebrae";
}

TEST(PhantomPopulation, TheTwelfthRibCanBeAStubOrMissing)
{
  PhantomOptions o = small();
  const PhantomCase normal = generateSpinePhantom(o);
  o.twelfthRib = TwelfthRib::Hypoplastic;
  const PhantomCase stub = generateSpinePhantom(o);
  o.twelfthRib = TwelfthRib::Absent;
  const PhantomCase absent = generateSpinePhantom(o);
  const int t12Ribs = labels::kRibBase + 2;
  EXPECT_LT(countLabel(stub, t12Ribs), countLabel(normal, t12Ribs) / 2);
  EXPECT_GT(countLabel(stub, t12Ribs), 0u);
  EXPECT_EQ(countLabel(absent, t12Ribs), 0u);
  EXPECT_TRUE(vertebra(normal, "T12").hasRibs);
  EXPECT_FALSE(vertebra(absent, "T12").hasRibs);
}

TEST(PhantomSurgery, FusionPutsScrewsAndRodsInWithStreaksOnlyInTheirSlices)
{
  PhantomOptions o = small();
  const PhantomCase plain = generateSpinePhantom(o);
  o.surgery.fusionFrom = "L4";
  o.surgery.fusionTo = "S1";
  const PhantomCase fused = generateSpinePhantom(o);
  EXPECT_GT(countLabel(fused, labels::kMetalImplant), 100u);
  EXPECT_EQ(countLabel(plain, labels::kMetalImplant), 0u);

  // streaks: soft tissue in slices through the metal changes by tens of HU, slices far away not
  const ImageGeometry& g = fused.labels.geometry();
  double l4 = vertebra(fused, "L4").bodyCentre.z();
  double t11 = vertebra(fused, "T11").bodyCentre.z();
  auto meanChange = [&](double z) {
    auto k = static_cast<std::size_t>(std::lround(g.lpsToIndex(Eigen::Vector3d(0, 0, z)).z()));
    double sum = 0;
    std::size_t n = 0;
    for (std::size_t j = 0; j < g.size[1]; ++j) {
      for (std::size_t i = 0; i < g.size[0]; ++i) {
        if (fused.labels.at(i, j, k) == labels::kMuscle) {
          sum += std::abs(fused.intensities.at(i, j, k) - plain.intensities.at(i, j, k));
          ++n;
        }
      }
    }
    return n ? sum / static_cast<double>(n) : 0.0;
  };
  EXPECT_GT(meanChange(l4 + 5.0), 3.0) << "no metal artefacts next to the screws";
  EXPECT_EQ(meanChange(t11), 0.0) << "artefacts where there is no metal";
}

TEST(PhantomSurgery, LaminectomyCollapseListhesisCageAndCementChangeTheAnatomy)
{
  PhantomOptions o = small();
  const PhantomCase plain = generateSpinePhantom(o);
  o.surgery.laminectomy = { "L4" };
  o.surgery.discCollapse = { "L3" };
  o.surgery.listhesisLevel = "L5";
  o.surgery.listhesisMm = 8.0;
  o.surgery.cages = { "L4" };
  o.surgery.cement = { "L1" };
  const PhantomCase operated = generateSpinePhantom(o);

  const int l4 = labels::vertebraLabel("L4");
  EXPECT_LT(countLabel(operated, l4), 0.93 * static_cast<double>(countLabel(plain, l4)))
    << "the laminae and spinous process are still there";
  // the L3/L4 disc keeps about a quarter of its height
  double gapPlain = (vertebra(plain, "L3").bodyCentre - vertebra(plain, "L4").bodyCentre).norm();
  double gapOperated = (vertebra(operated, "L3").bodyCentre - vertebra(operated, "L4").bodyCentre).norm();
  EXPECT_LT(gapOperated, gapPlain - 5.0);
  // L5 slips forwards (anterior is -P) over S1
  auto forwardOfS1 = [](const PhantomCase& c) {
    return (vertebra(c, "L5").bodyCentre - vertebra(c, "S1").bodyCentre).dot(vertebra(c, "S1").frame.col(1));
  };
  EXPECT_NEAR(forwardOfS1(plain) - forwardOfS1(operated), 8.0, 0.5);
  EXPECT_GT(countLabel(operated, labels::kInterbodyCage), 10u);
  // a laminectomy of S1 takes its laminae and crest, not its alae
  PhantomOptions s1 = small();
  s1.surgery.laminectomy = { "S1" };
  const int s1Label = labels::vertebraLabel("S1");
  EXPECT_GT(countLabel(generateSpinePhantom(s1), s1Label),
            0.85 * static_cast<double>(countLabel(plain, s1Label)));
  // the cement is part of L1 and far brighter than bone
  const ImageGeometry& g = operated.labels.geometry();
  Eigen::Vector3d idx = g.lpsToIndex(vertebra(operated, "L1").bodyCentre);
  auto at = [&](const PhantomCase& c) {
    return c.intensities.at(static_cast<std::size_t>(std::lround(idx.x())),
                            static_cast<std::size_t>(std::lround(idx.y())),
                            static_cast<std::size_t>(std::lround(idx.z())));
  };
  EXPECT_GT(at(operated), 1500);
  EXPECT_LT(at(plain), 600);
}

TEST(PhantomSurgery, RefusesSurgeryOnLevelsThePhantomDoesNotHave)
{
  auto refusal = [](PhantomOptions o) -> std::string {
    try {
      validatePhantomOptions(o);
    } catch (const drg::Error& e) {
      return e.what();
    }
    return "";
  };
  PhantomOptions o = small();
  o.surgery.laminectomy = { "L6" };
  EXPECT_NE(refusal(o).find("L6"), std::string::npos);
  o = small();
  o.surgery.fusionFrom = "S1";
  o.surgery.fusionTo = "L4";
  EXPECT_NE(refusal(o).find("head to foot"), std::string::npos);
  o = small();
  o.surgery.cages = { "S1" };
  EXPECT_NE(refusal(o).find("vertebra above the disc"), std::string::npos);
  o = small();
  o.surgery.listhesisLevel = "L5";
  o.surgery.listhesisMm = 40;
  EXPECT_NE(refusal(o).find("0 to 25 mm"), std::string::npos);
  o = small();
  o.surgery.listhesisLevel = "S1";
  o.surgery.listhesisMm = 5;
  EXPECT_NE(refusal(o).find("slips forwards over the one below"), std::string::npos);
  o = small();
  o.fieldOfViewMarginMm = -5;
  EXPECT_NE(refusal(o).find("--levels"), std::string::npos);
  o = small();
  o.transitional = TransitionalAnatomy::T13;
  o.twelfthRib = TwelfthRib::Absent;
  EXPECT_NE(refusal(o).find("not a spine the phantom draws"), std::string::npos);
  PhantomSurgery s;
  EXPECT_THROW(parseListhesis("L5-8", s), drg::Error);
  EXPECT_THROW(parseListhesis("L5:8mm", s), drg::Error);
  parseListhesis("L4:6.5", s);
  EXPECT_EQ(s.listhesisLevel, "L4");
  EXPECT_DOUBLE_EQ(s.listhesisMm, 6.5);
}
