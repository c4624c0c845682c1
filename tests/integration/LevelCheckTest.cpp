// How far the level names can be trusted (issue 21): two anchors that agree are "consistent", one
// anchor or a weak one "unconfirmed" with its reasons; a vertebra the user names re-counts the levels
// and is checked against the image's anchors; a plan on unconfirmed levels is an error until the
// user confirms them. On phantoms whose field of view holds both anchors, one, or none.
#include "drg/imaging/Error.h"
#include "drg/imaging/SpineModel.h"
#include "drg/imaging/SpinePhantom.h"
#include "drg/planning/PlanEditor.h"
#include "drg/planning/Planner.h"

#include "TestSupport.h"

#include <gtest/gtest.h>

#include <algorithm>

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
  EXPECT_TRUE(anyContains(sacrum.levelCheck.reasons, "one anchor only: the sacrum"));
  EXPECT_TRUE(anyContains(sacrum.warnings, "levels unconfirmed")) << "the user is not told";

  const SpineModel ribs = buildSpineModel(asFloat(phantomOf("T10", "L2", 100).intensities));
  EXPECT_EQ(ribs.levelCheck.status, "unconfirmed");
  EXPECT_TRUE(anyContains(ribs.levelCheck.reasons, "one anchor only: the lowest ribs"));
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
  EXPECT_TRUE(anyContains(followed.levelCheck.reasons, "names this vertebra L3, not L4"));
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
  const drg::planning::PlanAnatomy anatomy(model, &volume);
  const drg::planning::Planner planner(anatomy, drg::planning::DeviceCatalog::builtIn(),
                                       drg::planning::PlanRules::builtIn());
  drg::planning::PlanEditor editor(planner);
  auto has = [&](const std::string& code) {
    const auto& f = editor.plan().findings;
    return std::any_of(f.begin(), f.end(), [&](const auto& x) {
      return x.code == code && x.severity == drg::planning::Severity::Error;
    });
  };
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
