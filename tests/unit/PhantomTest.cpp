// Geometry and content of the spine phantom: it is the ground truth of every accuracy test, so its
// truth must agree with its own voxels, in every acquisition variant.
#include "drg/imaging/AnatomyLabels.h"
#include "drg/imaging/Error.h"
#include "drg/imaging/SpinePhantom.h"

#include "phantom/PhantomAnatomy.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>

using namespace drg::imaging;

namespace
{

PhantomOptions fineOptions()
{
  PhantomOptions o;
  o.matrix = { 340, 340, 340 };
  o.spacing = Eigen::Vector3d(1.2, 1.2, 1.2);
  return o;
}

PhantomOptions coarseOptions()
{
  PhantomOptions o;
  o.matrix = { 150, 150, 150 };
  o.spacing = Eigen::Vector3d(2.7, 2.7, 2.8);
  return o;
}

int labelAt(const PhantomCase& c, const Eigen::Vector3d& lps)
{
  const ImageGeometry& g = c.labels.geometry();
  Eigen::Vector3d idx = g.lpsToIndex(lps);
  if (!g.containsIndex(idx, 0.49)) {
    return -1;
  }
  return c.labels.at(static_cast<std::size_t>(std::lround(idx.x())),
                     static_cast<std::size_t>(std::lround(idx.y())),
                     static_cast<std::size_t>(std::lround(idx.z())));
}

double valueAt(const PhantomCase& c, const Eigen::Vector3d& lps)
{
  const ImageGeometry& g = c.intensities.geometry();
  Eigen::Vector3d idx = g.lpsToIndex(lps);
  return c.intensities.at(static_cast<std::size_t>(std::lround(idx.x())),
                          static_cast<std::size_t>(std::lround(idx.y())),
                          static_cast<std::size_t>(std::lround(idx.z())));
}

/// Mean value of the voxels within `radius` mm of `lps` that carry `label`.
double meanOfLabelNear(const PhantomCase& c, const Eigen::Vector3d& lps, double radius, int label)
{
  const ImageGeometry& g = c.labels.geometry();
  Eigen::Vector3d centre = g.lpsToIndex(lps);
  double sum = 0;
  int n = 0;
  int r = static_cast<int>(std::ceil(radius / g.spacing.minCoeff()));
  for (int dz = -r; dz <= r; ++dz) {
    for (int dy = -r; dy <= r; ++dy) {
      for (int dx = -r; dx <= r; ++dx) {
        Eigen::Vector3d idx = centre.array().round().matrix() + Eigen::Vector3d(dx, dy, dz);
        if (!g.containsIndex(idx) || (g.indexToLps(idx) - lps).norm() > radius) {
          continue;
        }
        auto i = static_cast<std::size_t>(idx.x());
        auto j = static_cast<std::size_t>(idx.y());
        auto k = static_cast<std::size_t>(idx.z());
        if (c.labels.at(i, j, k) == label) {
          sum += c.intensities.at(i, j, k);
          ++n;
        }
      }
    }
  }
  return n > 0 ? sum / n : std::nan("");
}

const PhantomVertebra& vertebra(const PhantomTruth& truth, const std::string& level)
{
  for (const auto& v : truth.vertebrae) {
    if (v.level == level) {
      return v;
    }
  }
  throw std::runtime_error("no vertebra " + level);
}

const PhantomVertebra& vertebra(const PhantomCase& c, const std::string& level)
{
  return vertebra(c.truth, level);
}

class PhantomFine : public ::testing::Test
{
protected:
  static void SetUpTestSuite()
  {
    s_case = std::make_unique<PhantomCase>(generateSpinePhantom(fineOptions()));
  }
  static void TearDownTestSuite() { s_case.reset(); }
  static std::unique_ptr<PhantomCase> s_case;
};
std::unique_ptr<PhantomCase> PhantomFine::s_case;

} // namespace

TEST_F(PhantomFine, HasTheLevelsOfANormalSpineInOrder)
{
  const auto& v = s_case->truth.vertebrae;
  std::vector<std::string> names;
  for (const auto& x : v) {
    names.push_back(x.level);
  }
  EXPECT_EQ(names,
            (std::vector<std::string>{ "T10", "T11", "T12", "L1", "L2", "L3", "L4", "L5", "S1", "sacrum" }));
  for (std::size_t i = 0; i + 1 < v.size(); ++i) {
    EXPECT_GT(v[i].bodyCentre.z(), v[i + 1].bodyCentre.z())
      << v[i].level << " must lie above " << v[i + 1].level;
    EXPECT_EQ(v[i].visibility, "full") << v[i].level;
  }
  EXPECT_EQ(s_case->truth.ganglia.size(), 18u);  // T10-S1, both sides
  EXPECT_EQ(s_case->truth.foramina.size(), 16u); // T10/T11 ... L5/S1, both sides
  // realistic lumbar length: L1 to L5 body centres 130-170 mm apart
  double l1l5 = (vertebra(*s_case, "L1").bodyCentre - vertebra(*s_case, "L5").bodyCentre).norm();
  EXPECT_GT(l1l5, 130.0);
  EXPECT_LT(l1l5, 170.0);
}

TEST_F(PhantomFine, VertebraCentroidsAndBodiesCarryTheirOwnLabel)
{
  for (const auto& v : s_case->truth.vertebrae) {
    EXPECT_EQ(labelAt(*s_case, v.bodyCentre), v.label) << v.level;
    // the whole-bone centroid lies behind the body centre (posterior elements), within 25 mm
    double d = (v.centroid - v.bodyCentre).norm();
    EXPECT_LT(d, 25.0) << v.level;
    if (v.level != "sacrum") {
      EXPECT_GT((v.centroid - v.bodyCentre).dot(v.frame.col(1)), 2.0) << v.level;
    }
    EXPECT_EQ(s_case->truth.labelNames.at(v.label), v.level);
  }
}

// The cauda equina runs inside the dural sac down to each root's takeoff, and the lower sacral
// roots into the sacral canal: no strand voxel touches bone or muscle (a strand drawn as one
// straight line from the conus across the lordotic canal left the sac dorsally, through the
// epidural fat and the L2-L3 laminae, where planned routes run).
TEST_F(PhantomFine, CaudaEquinaRunsInsideTheDuralSac)
{
  namespace L = labels;
  const auto& lab = s_case->labels;
  const auto size = lab.geometry().size;
  auto inCanal = [](int l) {
    return l == L::kThecalSac || l == L::kCaudaEquina || l == L::kCord || l == L::kNerveRoot ||
           l == L::kEpiduralFat || l == L::kForaminalFat || l >= L::kGanglionBase;
  };
  std::size_t strand = 0, touching = 0;
  for (std::size_t k = 1; k + 1 < size[2]; ++k) {
    for (std::size_t j = 1; j + 1 < size[1]; ++j) {
      for (std::size_t i = 1; i + 1 < size[0]; ++i) {
        if (lab.at(i, j, k) != L::kCaudaEquina) {
          continue;
        }
        ++strand;
        const int n[6] = { lab.at(i - 1, j, k), lab.at(i + 1, j, k), lab.at(i, j - 1, k),
                           lab.at(i, j + 1, k), lab.at(i, j, k - 1), lab.at(i, j, k + 1) };
        touching += std::all_of(std::begin(n), std::end(n), inCanal) ? 0 : 1;
      }
    }
  }
  EXPECT_GT(strand, 500u);
  EXPECT_EQ(touching, 0u) << "of " << strand << " cauda equina voxels";
}

TEST_F(PhantomFine, GanglionTruthMatchesItsVoxelsAndItsPriors)
{
  std::map<std::string, double> lengthPrior = { { "L1", 5.39 }, { "L4", 7.97 }, { "L5", 10.83 } };
  for (const auto& g : s_case->truth.ganglia) {
    EXPECT_EQ(labelAt(*s_case, g.centre), g.label) << g.level << " " << sideName(g.side);
    EXPECT_NEAR(g.axis.norm(), 1.0, 1e-9);
    EXPECT_TRUE(g.inFieldOfView);
    if (lengthPrior.count(g.level)) {
      EXPECT_DOUBLE_EQ(g.lengthMm, lengthPrior[g.level]);
    }
    // left ganglia on the patient's left (+x in LPS)
    EXPECT_EQ(g.centre.x() > 0, g.side == Side::Left) << g.level;
    // the root runs outwards and downwards
    EXPECT_LT(g.axis.z(), 0.0) << g.level;
  }
}

TEST_F(PhantomFine, GanglionZonesFollowThePedicleLines)
{
  std::map<std::string, std::string> expected = { { "T10", "extraforaminal" }, { "T12", "extraforaminal" },
                                                  { "L1", "foraminal" },       { "L3", "foraminal" },
                                                  { "L5", "foraminal" },       { "S1", "intraspinal" } };
  for (const auto& g : s_case->truth.ganglia) {
    const PhantomPedicle* ped = nullptr;
    for (const auto& p : s_case->truth.pedicles) {
      if (p.level == g.level && p.side == g.side) {
        ped = &p;
      }
    }
    ASSERT_NE(ped, nullptr) << g.level;
    // position along the medial->lateral pedicle line: < 0 intraspinal, 0-1 foraminal, > 1 extraforaminal
    Eigen::Vector3d ml = ped->lateralBorder - ped->medialBorder;
    double t = (g.centre - ped->medialBorder).dot(ml) / ml.squaredNorm();
    std::string zone = t < 0 ? "intraspinal" : t <= 1 ? "foraminal" : "extraforaminal";
    EXPECT_EQ(zone, g.zone) << g.level << " t=" << t;
    if (expected.count(g.level)) {
      EXPECT_EQ(g.zone, expected[g.level]) << g.level;
    }
    // just below the pedicle of its own level (in the vertebra's cranio-caudal axis)
    const PhantomVertebra& v = vertebra(*s_case, g.level);
    double below = (ped->centre - g.centre).dot(v.frame.col(2));
    EXPECT_GT(below, 3.0) << g.level;
    EXPECT_LT(below, 20.0) << g.level;
  }
}

TEST_F(PhantomFine, ForaminaAreOpenWindowsOfPlausibleSize)
{
  for (const auto& f : s_case->truth.foramina) {
    EXPECT_GT(f.heightMm, 12.0) << f.upperLevel;
    EXPECT_LT(f.heightMm, 32.0) << f.upperLevel;
    EXPECT_GT(f.widthMm, 4.0) << f.upperLevel;
    EXPECT_LT(f.widthMm, 30.0) << f.upperLevel;
    int l = labelAt(*s_case, f.centre);
    EXPECT_TRUE(l >= 50 || l == 0 || l == 72)
      << f.upperLevel << " foramen centre is bone or disc (label " << l << ")";
    EXPECT_FALSE(l >= 1 && l <= 12) << f.upperLevel;
  }
}

TEST_F(PhantomFine, CtValuesLookLikeCt)
{
  const PhantomVertebra& l3 = vertebra(*s_case, "L3");
  double cancellous = meanOfLabelNear(*s_case, l3.bodyCentre, 6.0, l3.label);
  EXPECT_NEAR(cancellous, 200.0, 25.0);
  // cortical shell: the brightest voxel on a line from the body centre forwards
  double peak = -2000;
  for (double t = 0; t < 30; t += 0.3) {
    peak = std::max(peak, valueAt(*s_case, l3.bodyCentre - l3.frame.col(1) * t));
  }
  EXPECT_GT(peak, 450.0);
  // air outside, fat under the skin, CSF in the sac
  EXPECT_NEAR(valueAt(*s_case, s_case->intensities.geometry().origin), -1000.0, 60.0);
  const auto& g = s_case->intensities.geometry();
  Eigen::Vector3d canal = l3.bodyCentre + l3.frame.col(1) * (0.5 * l3.bodyDepthMm + 8.0);
  EXPECT_EQ(labelAt(*s_case, canal), 51) << "thecal sac behind the L3 body";
  EXPECT_NEAR(meanOfLabelNear(*s_case, canal, 3.0, 51), 8.0, 15.0);
  (void)g;
}

TEST_F(PhantomFine, LandmarksForPocketPlanningAndLabelling)
{
  std::map<std::string, Eigen::Vector3d> lm;
  for (const auto& l : s_case->truth.landmarks) {
    lm[l.name] = l.position;
  }
  for (const char* name : { "iliac_crest_top_left", "iliac_crest_top_right", "asis_left", "asis_right",
                            "lowest_rib_tip_left", "lowest_rib_tip_right", "lower_abdominal_wall_left",
                            "upper_outer_buttock_right", "conus_medullaris" }) {
    ASSERT_TRUE(lm.count(name)) << name;
  }
  // crest near L4/L5, ASIS anterior and below the crest, conus near L1
  EXPECT_LT(std::abs(lm["iliac_crest_top_left"].z() - vertebra(*s_case, "L4").bodyCentre.z()), 40.0);
  EXPECT_LT(lm["asis_left"].y(), vertebra(*s_case, "L5").bodyCentre.y() - 40.0);
  EXPECT_LT(lm["asis_left"].z(), lm["iliac_crest_top_left"].z());
  EXPECT_LT(std::abs(lm["conus_medullaris"].z() - vertebra(*s_case, "L1").bodyCentre.z()), 25.0);
  EXPECT_NEAR(std::abs(lm["asis_left"].x() - lm["asis_right"].x()), 240.0, 50.0);
}

TEST(Phantom, SameOptionsGiveTheSameVoxelsAndSeedsOnlyChangeNoise)
{
  PhantomOptions o = coarseOptions();
  PhantomCase a = generateSpinePhantom(o);
  PhantomCase b = generateSpinePhantom(o);
  EXPECT_EQ(a.intensities.voxels(), b.intensities.voxels());
  EXPECT_EQ(a.labels.voxels(), b.labels.voxels());
  o.seed = 2;
  PhantomCase c = generateSpinePhantom(o);
  EXPECT_NE(a.intensities.voxels(), c.intensities.voxels());
  EXPECT_EQ(a.labels.voxels().size(), c.labels.voxels().size());
  EXPECT_EQ(phantomTruthJson(a), phantomTruthJson(b));
}

namespace
{
/// One acquisition of the coarse phantom: its name and what it changes.
struct Acquisition
{
  const char* name;
  void (*change)(PhantomOptions&);
};

const Acquisition kAcquisitions[] = {
  { "ProneHeadFirst", [](PhantomOptions& o) { o.position = PatientPosition::HFP; } },
  { "SupineFeetFirst", [](PhantomOptions& o) { o.position = PatientPosition::FFS; } },
  { "ProneFeetFirstDescending",
    [](PhantomOptions& o) {
      o.position = PatientPosition::FFP;
      o.slicesAscending = false;
    } },
  { "Sagittal", [](PhantomOptions& o) { o.plane = AcquisitionPlane::Sagittal; } },
  { "Coronal", [](PhantomOptions& o) { o.plane = AcquisitionPlane::Coronal; } },
  { "Oblique", [](PhantomOptions& o) { o.obliqueDegrees = Eigen::Vector3d(12.0, -7.0, 20.0); } },
  { "Anisotropic",
    [](PhantomOptions& o) {
      o.spacing = Eigen::Vector3d(1.5, 1.5, 3.0);
      o.matrix = { 270, 270, 140 };
    } },
};

class PhantomAcquisition : public ::testing::TestWithParam<Acquisition>
{};
} // namespace

// The truth is in patient space: position, plane, slice order and oblique grids only change how
// voxels sample it. Each acquisition must put the bodies and the lower ganglia where the truth of
// the default acquisition says (one test per acquisition, so that ctest runs them side by side).
TEST_P(PhantomAcquisition, AnatomyStaysPut)
{
  // the truth of the default acquisition: the anatomy stage alone (no voxels needed)
  const PhantomTruth reference = phantom::buildAnatomy(coarseOptions()).truth;
  PhantomOptions o = coarseOptions();
  GetParam().change(o);
  const PhantomCase c = generateSpinePhantom(o);
  ASSERT_EQ(c.truth.vertebrae.size(), reference.vertebrae.size());
  for (std::size_t i = 0; i < c.truth.vertebrae.size(); ++i) {
    EXPECT_LT((c.truth.vertebrae[i].bodyCentre - reference.vertebrae[i].bodyCentre).norm(), 1e-9);
  }
  ASSERT_EQ(c.truth.ganglia.size(), reference.ganglia.size());
  for (std::size_t i = 0; i < c.truth.ganglia.size(); ++i) {
    EXPECT_LT((c.truth.ganglia[i].centre - reference.ganglia[i].centre).norm(), 1e-9);
  }
  for (const auto& vt : c.truth.vertebrae) {
    EXPECT_EQ(labelAt(c, vt.bodyCentre), vt.label) << vt.level;
  }
  for (const auto& g : c.truth.ganglia) {
    if (g.level == "L4" || g.level == "L5" || g.level == "S1") {
      EXPECT_EQ(labelAt(c, g.centre), g.label) << g.level;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Phantom, PhantomAcquisition, ::testing::ValuesIn(kAcquisitions),
                         [](const ::testing::TestParamInfo<Acquisition>& info) { return info.param.name; });

TEST(Phantom, TransitionalAnatomyChangesTheLevels)
{
  PhantomOptions o = coarseOptions();
  o.transitional = TransitionalAnatomy::L6;
  PhantomCase l6 = generateSpinePhantom(o);
  ASSERT_NO_THROW(vertebra(l6, "L6"));
  EXPECT_EQ(labelAt(l6, vertebra(l6, "L6").bodyCentre), vertebra(l6, "L6").label);
  EXPECT_GT(vertebra(l6, "L6").bodyCentre.z(), vertebra(l6, "S1").bodyCentre.z());
  EXPECT_EQ(l6.truth.ganglia.size(), 20u);

  // the rest is the truth alone: the anatomy stage (no voxels needed)
  auto truthOf = [](const PhantomOptions& options) { return phantom::buildAnatomy(options).truth; };
  o.transitional = TransitionalAnatomy::T13;
  const PhantomTruth t13 = truthOf(o);
  int ribBearing = 0;
  for (const auto& v : t13.vertebrae) {
    ribBearing += v.hasRibs ? 1 : 0;
  }
  EXPECT_EQ(ribBearing, 4);
  EXPECT_TRUE(t13.labelNames.count(23)) << "rib T13 label";

  o.transitional = TransitionalAnatomy::SacralizedL5;
  const PhantomTruth sac = truthOf(o);
  const PhantomTruth normal = truthOf(coarseOptions());
  double gapSac = (vertebra(sac, "L5").bodyCentre - vertebra(sac, "S1").bodyCentre).norm();
  double gapNormal = (vertebra(normal, "L5").bodyCentre - vertebra(normal, "S1").bodyCentre).norm();
  EXPECT_LT(gapSac, gapNormal - 4.0) << "rudimentary L5/S1 disc";
}

TEST(Phantom, PartialFieldOfViewReportsWhatIsVisible)
{
  PhantomOptions o = coarseOptions();
  o.fieldOfViewFrom = "L3";
  o.fieldOfViewTo = "S1";
  PhantomCase c = generateSpinePhantom(o);
  EXPECT_LT(c.intensities.geometry().size[2], 150u);
  for (const auto& v : c.truth.vertebrae) {
    if (v.level == "T10" || v.level == "T11" || v.level == "T12") {
      EXPECT_EQ(v.visibility, "none") << v.level;
    }
    if (v.level == "L3" || v.level == "L4" || v.level == "L5" || v.level == "S1") {
      EXPECT_NE(v.visibility, "none") << v.level;
    }
  }
  for (const auto& g : c.truth.ganglia) {
    if (g.level == "T10") {
      EXPECT_FALSE(g.inFieldOfView);
    }
    if (g.level == "L4") {
      EXPECT_TRUE(g.inFieldOfView);
    }
  }
}

TEST(Phantom, BoneDensityAndMrContrastAreConfigurable)
{
  PhantomOptions o = fineOptions();
  o.matrix = { 300, 300, 60 };
  o.fieldOfViewFrom = "L3";
  o.fieldOfViewTo = "L3";
  o.cancellousHu = 80.0;
  PhantomCase osteo = generateSpinePhantom(o);
  const PhantomVertebra& l3 = vertebra(osteo, "L3");
  EXPECT_NEAR(meanOfLabelNear(osteo, l3.bodyCentre, 6.0, l3.label), 80.0, 20.0);

  o.cancellousHu = 200.0;
  o.contrast = PhantomContrast::MrT2;
  PhantomCase t2 = generateSpinePhantom(o);
  Eigen::Vector3d canal = l3.bodyCentre + l3.frame.col(1) * (0.5 * l3.bodyDepthMm + 8.0);
  double csf = meanOfLabelNear(t2, canal, 3.0, 51);
  double body = meanOfLabelNear(t2, l3.bodyCentre, 6.0, l3.label);
  EXPECT_GT(csf, 850.0);
  EXPECT_LT(body, csf);
  o.contrast = PhantomContrast::MrT2FatSat;
  PhantomCase fs = generateSpinePhantom(o);
  EXPECT_LT(meanOfLabelNear(fs, l3.bodyCentre, 6.0, l3.label), body - 150.0)
    << "fat-suppressed marrow is darker";
}

TEST(Phantom, ScoliosisAndRotationMoveTheSpineButNotItsLabels)
{
  PhantomOptions o = coarseOptions();
  o.scoliosisDegrees = 25.0;
  o.axialRotationDegrees = 15.0;
  o.lordosisDegrees = 60.0;
  PhantomCase c = generateSpinePhantom(o);
  double maxLateral = 0;
  for (const auto& v : c.truth.vertebrae) {
    maxLateral = std::max(maxLateral, std::abs(v.bodyCentre.x()));
    EXPECT_EQ(labelAt(c, v.bodyCentre), v.label) << v.level;
  }
  EXPECT_GT(maxLateral, 8.0);
  const PhantomVertebra& l2 = vertebra(c, "L2");
  EXPECT_GT(std::abs(l2.frame.col(0).y()), std::sin(10.0 * M_PI / 180.0)) << "apex vertebra rotated axially";
}

TEST(Phantom, RefusesOptionsOutOfRangeWithAReason)
{
  auto expectRefusal = [](PhantomOptions o, const std::string& fragment) {
    try {
      generateSpinePhantom(o);
      ADD_FAILURE() << "accepted options that should be refused (" << fragment << ")";
    } catch (const drg::Error& e) {
      EXPECT_EQ(e.code(), drg::ErrorCode::InvalidArgument);
      EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
    }
  };
  PhantomOptions o = coarseOptions();
  o.spacing.x() = 0.0;
  expectRefusal(o, "spacing");
  o = coarseOptions();
  o.matrix[2] = 3;
  expectRefusal(o, "matrix");
  o = coarseOptions();
  o.fieldOfViewFrom = "L6";
  o.fieldOfViewTo = "S1";
  expectRefusal(o, "does not have");
  o = coarseOptions();
  o.cancellousHu = 900;
  o.corticalHu = 500;
  expectRefusal(o, "cortical");
  o = coarseOptions();
  o.scoliosisDegrees = 70;
  expectRefusal(o, "scoliosis");
  EXPECT_THROW(parsePhantomContrast("pet"), drg::Error);
  EXPECT_THROW(parseTransitionalAnatomy("L7"), drg::Error);
  EXPECT_THROW(parsePatientPosition("LFP"), drg::Error);
}

TEST(Phantom, CancelStopsGenerationWithATypedError)
{
  try {
    generateSpinePhantom(coarseOptions(), [](double f) { return f < 0.2; });
    FAIL() << "cancel was ignored";
  } catch (const drg::Error& e) {
    EXPECT_EQ(e.code(), drg::ErrorCode::Cancelled);
  }
}
