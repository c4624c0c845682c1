// How far the level names can be trusted (issue 21): two anchors that agree are "consistent", one
// anchor or a weak one "unconfirmed" with its reasons; a vertebra the user names re-counts the levels
// and is checked against the image's anchors; a plan on unconfirmed levels is an error until the
// user confirms them. On phantoms whose field of view holds both anchors, one, or none.
#include "drg/imaging/Error.h"
#include "drg/imaging/NiftiIo.h"
#include "drg/imaging/SpineModel.h"
#include "drg/imaging/SpinePhantom.h"
#include "drg/planning/PlanEditor.h"
#include "drg/planning/Planner.h"

#include "TestSupport.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>

using namespace drg::imaging;

namespace
{

Image<float> asFloat(const Image<std::int16_t>& in)
{
  Image<float> out(in.geometry(), Uninitialized{});
  std::copy(in.voxels().begin(), in.voxels().end(), out.voxels().begin());
  return out;
}

/// The coarse test phantom, its field of view from `from` to `to` ("" for all), `slices` deep.
PhantomCase phantomOf(const std::string& from, const std::string& to, int slices)
{
  PhantomOptions o = drg::test::spineTestPhantom();
  o.fieldOfViewFrom = from;
  o.fieldOfViewTo = to;
  o.matrix = { 256, 256, slices };
  return generateSpinePhantom(o);
}

std::vector<std::string> truthLevels(const PhantomCase& p)
{
  std::vector<std::string> out;
  for (const auto& v : p.truth.vertebrae) {
    if (v.visibility != "none") {
      out.push_back(v.level);
    }
  }
  return out;
}

std::vector<std::string> modelLevels(const SpineModel& m)

{
  std::vector<std::string> out;
  for (const auto& v : m.vertebrae) {
    out.push_back(v.level);
  }
  return out;
}

const PhantomVertebra& truthVertebra(const PhantomCase& p, const std::string& level)
{
  for (const auto& v : p.truth.vertebrae) {
    if (v.level == level) {
      return v;
    }
  }
  throw std::runtime_error("no truth vertebra " + level);
}

/// A plan made on a model: its planner and editor, and whether its findings hold an error.
struct PlanOn
{
  PlanOn(const SpineModel& model, const Image<float>& volume)
    : anatomy(model, &volume)
    , planner(anatomy, drg::planning::DeviceCatalog::builtIn(), drg::planning::PlanRules::builtIn())
    , editor(planner)
  {}
  bool hasError(const std::string& code) const
  {
    const auto& f = editor.plan().findings;
    return std::any_of(f.begin(), f.end(), [&](const auto& x) {
      return x.code == code && x.severity == drg::planning::Severity::Error;
    });
  }
  drg::planning::PlanAnatomy anatomy;
  drg::planning::Planner planner;
  drg::planning::PlanEditor editor;
};

bool anyContains(const std::vector<std::string>& texts, const std::string& part)
{
  return std::any_of(texts.begin(), texts.end(),
                     [&](const std::string& t) { return t.find(part) != std::string::npos; });
}

} // namespace

TEST(LevelCheck, TwoAnchorsThatAgreeAreConsistentOneIsUnconfirmed)
{
  const SpineModel both = buildSpineModel(asFloat(phantomOf("", "", 200).intensities));
  EXPECT_EQ(both.levelCheck.status, "consistent");
  EXPECT_EQ(both.levelCheck.anchors.size(), 2u);
  EXPECT_TRUE(both.levelCheck.reasons.empty());

  const PhantomCase lower = phantomOf("L3", "S1", 100);
  const SpineModel sacrum = buildSpineModel(asFloat(lower.intensities));
  EXPECT_EQ(modelLevels(sacrum), truthLevels(lower)) << "(named right, but on one anchor)";
  EXPECT_EQ(sacrum.levelCheck.status, "unconfirmed");
  EXPECT_TRUE(anyContains(sacrum.levelCheck.reasons, "one anchor only, the sacrum"));
  EXPECT_TRUE(anyContains(sacrum.warnings, "levels unconfirmed")) << "the user is not told";

  const SpineModel ribs = buildSpineModel(asFloat(phantomOf("T10", "L2", 100).intensities));
  EXPECT_EQ(ribs.levelCheck.status, "unconfirmed");
  EXPECT_TRUE(anyContains(ribs.levelCheck.reasons, "one anchor only, the lowest ribs"));
}

// A stretch without any anchor is refused; the user's anchor names it as the truth does. A wrong
// anchor is followed but the image's evidence against it is named; a point in a disc is refused.
TEST(LevelCheck, TheUsersAnchorCountsTheLevelsAndIsCheckedAgainstTheImage)
{
  const PhantomCase middle = phantomOf("L2", "L4", 60);
  EXPECT_THROW(buildSpineModel(asFloat(middle.intensities)), drg::Error);
  SpineModelOptions named;
  named.labels.anchorAt = LevelAnchorPoint{ truthVertebra(middle, "L3").bodyCentre, "L3" };
  const SpineModel m = buildSpineModel(asFloat(middle.intensities), named);
  ASSERT_GE(m.vertebrae.size(), 3u);
  for (const auto& v : m.vertebrae) {
    if (v.complete) { // each named as the truth names the bone it found
      EXPECT_LT((v.bodyCentre - truthVertebra(middle, v.level).bodyCentre).norm(), 5.0) << v.level;
    }
  }
  EXPECT_EQ(m.levelCheck.status, "user-anchored");
  EXPECT_TRUE(anyContains(m.levelCheck.reasons, "neither the sacrum nor the lowest ribs"));

  const PhantomCase whole = phantomOf("", "", 200);
  SpineModelOptions right, wrong, disc;
  right.labels.anchorAt = LevelAnchorPoint{ truthVertebra(whole, "L3").bodyCentre, "L3" };
  const SpineModel agreed = buildSpineModel(asFloat(whole.intensities), right);
  EXPECT_EQ(modelLevels(agreed), truthLevels(whole));
  EXPECT_EQ(agreed.levelCheck.status, "user-anchored");
  EXPECT_TRUE(agreed.levelCheck.reasons.empty());
  wrong.labels.anchorAt = LevelAnchorPoint{ truthVertebra(whole, "L3").bodyCentre, "L4" };
  const SpineModel followed = buildSpineModel(asFloat(whole.intensities), wrong);
  ASSERT_NE(followed.vertebra("L4"), nullptr);
  EXPECT_LT((followed.vertebra("L4")->bodyCentre - truthVertebra(whole, "L3").bodyCentre).norm(), 5.0)
    << "the user's anchor was not followed";
  EXPECT_TRUE(anyContains(followed.levelCheck.reasons,
                          "the sacrum and the lowest ribs, which agree, name this vertebra L3, not L4"));
  EXPECT_TRUE(anyContains(followed.warnings, "against the image"));
  disc.labels.anchorAt =
    LevelAnchorPoint{ 0.5 * (truthVertebra(whole, "L3").bodyCentre + truthVertebra(whole, "L4").bodyCentre),
                      "L3" };
  try {
    buildSpineModel(asFloat(whole.intensities), disc);
    FAIL() << "a point in a disc named a vertebra";
  } catch (const drg::Error& e) {
    EXPECT_NE(std::string(e.what()).find("disc"), std::string::npos) << e.what();
  }
}

// A plan on unconfirmed levels carries an error until the user confirms them (how and by whom,
// stamped); the confirmation is one undoable edit.
TEST(LevelCheck, PlanOnUnconfirmedLevelsIsAnErrorUntilConfirmed)
{
  const PhantomCase lower = phantomOf("L3", "S1", 100);
  const Image<float> volume = asFloat(lower.intensities);
  const SpineModel model = buildSpineModel(volume);
  ASSERT_EQ(model.levelCheck.status, "unconfirmed");
  PlanOn plan(model, volume);
  drg::planning::PlanEditor& editor = plan.editor;
  auto has = [&](const std::string& code) { return plan.hasError(code); };
  editor.addLead("L4 left", "L4", Side::Left);
  EXPECT_TRUE(has("levels-unconfirmed"));
  EXPECT_THROW(editor.confirmLevels("  "), drg::Error);
  editor.confirmLevels("counted up from S1 on the sagittal view, the test");
  EXPECT_FALSE(has("levels-unconfirmed"));
  EXPECT_EQ(editor.plan().study.levelsConfirmedBy, "counted up from S1 on the sagittal view, the test");
  EXPECT_EQ(editor.plan().study.levelsConfirmedAt.size(), 20u) << editor.plan().study.levelsConfirmedAt;
  EXPECT_EQ(editor.undoName(), "confirm the levels");
  editor.undo();
  EXPECT_TRUE(has("levels-unconfirmed"));
}

// A real CT cropped tight on three lumbar vertebrae (no air in view) is still CT: its fat and
// cortical bone are in CT numbers (the air rule alone took such a crop for MR). Without sacrum or
// ribs its levels cannot be counted: refused, not counted from a "conus".
TEST(LevelCheck, ATightRealCtCropIsToldCtAndItsLevelsAreNotGuessed)
{
  const auto shared = drg::test::sharedData();
  if (!shared) {
    GTEST_SKIP() << "../shared/data is absent: skipping the real CT";
  }
  const auto base = *shared / "ct-lumbar-totalseg";
  const Image<float> ct = readVolumeFile((base / "example_ct.nii.gz").string());
  const Image<std::uint8_t> reference = readNiftiLabels(base / "example_seg_fast_force_split.nii.gz");
  ASSERT_EQ(reference.geometry().size, ct.geometry().size);
  // the box around L2-L4 (reference labels 28-30), 3 mm around
  const auto& g = ct.geometry();
  std::array<long, 3> lo{ 1L << 30, 1L << 30, 1L << 30 }, hi{ -1, -1, -1 };
  for (std::size_t k = 0; k < g.size[2]; ++k) {
    for (std::size_t j = 0; j < g.size[1]; ++j) {
      for (std::size_t i = 0; i < g.size[0]; ++i) {
        const int r = reference.at(i, j, k);
        if (r >= 28 && r <= 30) {
          const long at[3] = { static_cast<long>(i), static_cast<long>(j), static_cast<long>(k) };
          for (int a = 0; a < 3; ++a) {
            lo[a] = std::min(lo[a], at[a]);
            hi[a] = std::max(hi[a], at[a]);
          }
        }
      }
    }
  }
  ASSERT_GE(hi[0], 0) << "no L2-L4 in the reference";
  ImageGeometry crop = g;
  for (int a = 0; a < 3; ++a) {
    const long margin = static_cast<long>(std::ceil(3.0 / g.spacing[a]));
    lo[a] = std::max(0L, lo[a] - margin);
    hi[a] = std::min(static_cast<long>(g.size[a]) - 1, hi[a] + margin);
    crop.size[static_cast<std::size_t>(a)] = static_cast<std::size_t>(hi[a] - lo[a] + 1);
  }
  crop.origin = g.indexToLps(Eigen::Vector3d(lo[0], lo[1], lo[2]));
  Image<float> tight(crop);
  for (std::size_t k = 0; k < crop.size[2]; ++k) {
    for (std::size_t j = 0; j < crop.size[1]; ++j) {
      for (std::size_t i = 0; i < crop.size[0]; ++i) {
        tight.at(i, j, k) = ct.at(i + static_cast<std::size_t>(lo[0]), j + static_cast<std::size_t>(lo[1]),
                                  k + static_cast<std::size_t>(lo[2]));
      }
    }
  }
  EXPECT_EQ(modalityFromIntensities(tight), SpineModality::Ct);
  try {
    const SpineModel m = buildSpineModel(tight);
    FAIL() << "levels named without an anchor: " << m.anchor;
  } catch (const drg::Error& e) {
    EXPECT_NE(std::string(e.what()).find("neither the sacrum nor the lowest ribs"), std::string::npos)
      << e.what();
  }
}

// The user's naming against the image's own anchors: a plan on it is an error until confirmed, as
// on unconfirmed levels (the user's word alone does not outweigh two anchors that agree).
TEST(LevelCheck, PlanOnANamingAgainstTheImageIsAnErrorUntilConfirmed)
{
  const PhantomCase whole = phantomOf("", "", 200);
  const Image<float> volume = asFloat(whole.intensities);
  SpineModelOptions wrong;
  wrong.labels.anchorAt = LevelAnchorPoint{ truthVertebra(whole, "L3").bodyCentre, "L4" };
  const SpineModel model = buildSpineModel(volume, wrong);
  ASSERT_TRUE(model.levelCheck.needsConfirmation());
  PlanOn plan(model, volume);
  drg::planning::PlanEditor& editor = plan.editor;
  editor.addLead("L4 left", "L4", Side::Left);
  auto against = [&] {
    const auto& f = editor.plan().findings;
    return std::find_if(f.begin(), f.end(), [](const auto& x) { return x.code == "levels-against-image"; });
  };
  ASSERT_NE(against(), editor.plan().findings.end());
  EXPECT_EQ(against()->severity, drg::planning::Severity::Error);
  EXPECT_NE(against()->message.find("name this vertebra L3, not L4"), std::string::npos)
    << against()->message;
  editor.confirmLevels("counted on fluoroscopy from S1, the test");
  EXPECT_EQ(against(), editor.plan().findings.end());
}

// Six vertebrae without ribs above the sacrum are a sixth lumbar vertebra or eleven rib pairs; the
// two look alike without the cervical spine, so neither is a confident count.
TEST(LevelCheck, SixVertebraeWithoutRibsAboveTheSacrumAreNotConfirmed)
{
  PhantomOptions o = drg::test::spineTestPhantom();
  o.matrix = { 256, 256, 200 };
  o.twelfthRib = TwelfthRib::Absent;
  const SpineModel elevenRibs = buildSpineModel(asFloat(generateSpinePhantom(o).intensities));
  EXPECT_EQ(elevenRibs.levelCheck.status, "unconfirmed");
  EXPECT_TRUE(anyContains(elevenRibs.levelCheck.reasons, "eleven rib pairs"));

  o.twelfthRib = TwelfthRib::Normal;
  o.transitional = TransitionalAnatomy::L6;
  o.matrix = { 256, 256, 220 };
  const SpineModel sixLumbar = buildSpineModel(asFloat(generateSpinePhantom(o).intensities));
  EXPECT_EQ(sixLumbar.levelCheck.status, "unconfirmed");
  EXPECT_TRUE(anyContains(sixLumbar.levelCheck.reasons, "a sixth lumbar vertebra"));
}

// Screws, rods and cages (with their CT artefacts) and a collapsed disc do not change the count.
TEST(LevelCheck, OperatedAndDegeneratedSpinesKeepTheirLevels)
{
  PhantomOptions o = drg::test::spineTestPhantom();
  o.matrix = { 256, 256, 200 };
  o.surgery.fusionFrom = "L4";
  o.surgery.fusionTo = "S1";
  o.surgery.cages = { "L5" };
  o.surgery.discCollapse = { "L2" };
  const PhantomCase operated = generateSpinePhantom(o);
  const SpineModel m = buildSpineModel(asFloat(operated.intensities));
  EXPECT_EQ(modelLevels(m), truthLevels(operated));
  EXPECT_EQ(m.levelCheck.status, "consistent");
  for (const auto& v : m.vertebrae) {
    if (v.complete && v.level != "sacrum" && v.level != "T10") {
      // (S1's top is the cage's bone graft: its centre measured 4.4 mm off)
      EXPECT_LT((v.bodyCentre - truthVertebra(operated, v.level).bodyCentre).norm(),
                v.level == "S1" ? 5.0 : 3.0)
        << v.level;
    }
  }
}

// Thirteen rib pairs: sacrum and ribs agree on five lumbar vertebrae, so the lumbar names are right
// and consistent; the thoracic names assume twelve pairs (here one level off), which is said, and a
// lead on a thoracic level is an error until the user confirms the levels. Lumbar leads are not.
TEST(LevelCheck, ThoracicNamesAssumeTwelveRibPairsAndThoracicLeadsNeedConfirming)
{
  PhantomOptions o = drg::test::spineTestPhantom();
  o.transitional = TransitionalAnatomy::T13;
  o.matrix = { 256, 256, 220 };
  const PhantomCase thirteen = generateSpinePhantom(o);
  const Image<float> volume = asFloat(thirteen.intensities);
  const SpineModel model = buildSpineModel(volume);
  EXPECT_EQ(model.levelCheck.status, "consistent");
  EXPECT_NE(model.levelCheck.thoracicNames.find("twelve rib pairs"), std::string::npos);
  for (const char* lumbar : { "L1", "L3", "L5" }) {
    ASSERT_NE(model.vertebra(lumbar), nullptr);
    EXPECT_LT((model.vertebra(lumbar)->bodyCentre - truthVertebra(thirteen, lumbar).bodyCentre).norm(), 3.0);
  }
  PlanOn plan(model, volume);
  drg::planning::PlanEditor& editor = plan.editor;
  auto has = [&](const std::string& code) { return plan.hasError(code); };
  editor.addLead("L4 left", "L4", Side::Left);
  EXPECT_FALSE(has("thoracic-level-assumed"));
  EXPECT_FALSE(has("levels-unconfirmed"));
  editor.addLead("T12 left", "T12", Side::Left);
  EXPECT_TRUE(has("thoracic-level-assumed"));
  editor.confirmLevels("ribs counted from the first on the chest CT, the test");
  EXPECT_FALSE(has("thoracic-level-assumed"));
}
