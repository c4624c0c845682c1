#pragma once
// From where it hurts to which ganglia to stimulate: the body chart (front and back outlines and the
// named regions a user marks, as data: assets/anatomy/body_chart.json), the dermatome map and the
// published DRG target guidance (as data with their sources: assets/planning/targets.json), and the
// ranked level/side suggestions they give for a pain map. Qt-free: the CLI's `targets` command and the
// workstation's body chart use the same model.

#include "drg/imaging/SpineLevel.h"

#include <Eigen/Core>

#include <string>
#include <string_view>
#include <vector>

namespace drg::planning
{

using imaging::Side;

enum class ChartView
{
  Front,
  Back
};
const char* chartViewName(ChartView v) noexcept; ///< "front", "back"

/// One region a user can mark: "foot-sole-left" is the sole of the left foot.
struct ChartRegion
{
  std::string id;    ///< "<base>-<side>", e.g. "foot-sole-left"
  std::string base;  ///< "foot-sole": the guidance names regions without their side
  std::string label; ///< for a person, e.g. "sole of the foot"
  Side side = Side::Left;
  ChartView view = ChartView::Front;
  std::vector<Eigen::Vector2d> polygon; ///< chart units: x right as drawn, y down from the top
};

/// The body chart: outlines of the front and back views, each `width` x `height` chart units, and
/// the regions. The data holds the patient's left half of each view; the right half is its mirror.
/// Drawn as the patient is seen: on the front view the patient's left is on the viewer's right, on
/// the back view on the viewer's left.
class BodyChart
{
public:
  /// Parses chart text; throws drg::Error(Format) naming the region or outline that is wrong.
  static BodyChart fromJson(std::string_view text, const std::string& origin);
  /// The chart compiled in from assets/anatomy/body_chart.json.
  static BodyChart builtIn();

  double width() const { return m_width; }
  double height() const { return m_height; }
  std::string source() const { return m_source; }
  /// The view's outline as closed polygons (body, then limbs), in chart units.
  const std::vector<std::vector<Eigen::Vector2d>>& outline(ChartView v) const
  {
    return v == ChartView::Front ? m_front : m_back;
  }
  const std::vector<ChartRegion>& regions() const { return m_regions; }
  /// The region with this id, or nullptr.
  const ChartRegion* region(std::string_view id) const;
  /// The region under a point of a view (chart units), or nullptr.
  const ChartRegion* regionAt(ChartView view, const Eigen::Vector2d& point) const;

private:
  double m_width = 0, m_height = 0;
  std::string m_source;
  std::vector<std::vector<Eigen::Vector2d>> m_front, m_back;
  std::vector<ChartRegion> m_regions;
};

/// A level a region's pain suggests, with how strongly and why.
struct LevelWeight
{
  std::string level; ///< the ganglion, e.g. "L5" (in the L5/S1 foramen); T1-T12, L1-L5, S1-S5
  double weight = 0;
};

/// A published rule: pain in these regions is treated at these ganglia.
struct TargetRule
{
  std::string id;                   ///< e.g. "knee"
  std::string presentation;         ///< for a person, e.g. "knee pain"
  std::vector<std::string> regions; ///< region bases the rule applies to
  std::vector<LevelWeight> levels;  ///< best first
  std::string source;
  bool verified = false;
};

/// The dermatomes of one region base, from the dermatome map.
struct RegionDermatomes
{
  std::string region;
  std::vector<LevelWeight> levels; ///< the dermatome(s) covering the region, strongest first
};

/// The dermatome map and the target rules (assets/planning/targets.json).
struct TargetGuidance
{
  std::string dermatomeSource; ///< the dermatome map's citation
  bool dermatomesVerified = false;
  std::vector<RegionDermatomes> dermatomes;
  std::vector<TargetRule> rules;

  /// Parses guidance text; every chart region base must have its dermatomes (checked against `chart`).
  /// Throws drg::Error(Format) naming what is wrong.
  static TargetGuidance fromJson(std::string_view text, const std::string& origin, const BodyChart& chart);
  /// The guidance compiled in from assets/planning/targets.json, checked against the built-in chart.
  static TargetGuidance builtIn();
};

/// One suggested target: a ganglion and side, with its score and the reasons for it.
struct TargetSuggestion
{
  std::string level;
  Side side = Side::Left;
  double score = 0;
  std::vector<std::string> regions; ///< the marked regions that point here
  std::string reason;               ///< one line for a person: every rule and dermatome that counted
  std::vector<std::string> sources; ///< the citations behind the reason
  bool verified = false;            ///< every source behind it checked by a person
  bool plannable = true;            ///< false: a ganglion drgplan does not plan (S2 and below)
};

/// Where it hurts: region ids of the body chart.
struct PainMap
{
  std::vector<std::string> regions;
};

/// A target the user accepted for the case: where it came from and why.
struct AcceptedTarget
{
  std::string level;
  Side side = Side::Left;
  bool suggested = false; ///< among the pain map's suggestions (false: the user's own choice)
  std::string reason;     ///< the suggestion's reason, or "chosen by the user"
};

/// Checks a pain map against the chart: every id is a region, none twice, at least one. Throws
/// drg::Error(InvalidArgument) naming the unknown id and the nearest region names.
void checkPainMap(const PainMap& pain, const BodyChart& chart);

/// The targets a pain map suggests, best first: for each marked region the published rules that
/// name it (the stronger evidence, weighted as the data says) and its dermatomes add to the score of
/// a level on the region's side; of equal scores a ganglion drgplan plans goes first, then the more
/// caudal. A rule's reason is conditional ("if knee pain: ..."): the pain map does not know the
/// diagnosis. Throws as checkPainMap.
std::vector<TargetSuggestion> suggestTargets(const PainMap& pain, const BodyChart& chart,
                                             const TargetGuidance& guidance);

/// A target as the plan command takes it: "L5-left".
std::string targetId(const std::string& level, Side side);

} // namespace drg::planning
