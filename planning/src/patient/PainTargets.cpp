// The target guidance as data (assets/planning/targets.json) and the ranked suggestions for a pain
// map: published rules first, dermatomes beside them, each with the reason a person can check.
#include "drg/planning/PainMap.h"

#include "../Sourced.h"

#include <algorithm>
#include <map>
#include <set>

namespace drg::planning
{
namespace
{

using nlohmann::json;

/// Rank of a ganglion's level head to foot: T1-T12, L1-L5, S1-S5 (the dermatomes' names, which
/// include sacral ganglia below S1 that drgplan does not plan); -1 for another name.
int ganglionRank(const std::string& level)
{
  if (level.size() < 2 || level.size() > 3) {
    return -1;
  }
  int n = 0;
  for (std::size_t i = 1; i < level.size(); ++i) {
    if (level[i] < '0' || level[i] > '9') {
      return -1;
    }
    n = n * 10 + (level[i] - '0');
  }
  switch (level[0]) {
    case 'T':
      return n >= 1 && n <= 12 ? n - 1 : -1;
    case 'L':
      return n >= 1 && n <= 5 ? 11 + n : -1;
    case 'S':
      return n >= 1 && n <= 5 ? 16 + n : -1;
    default:
      return -1;
  }
}

std::vector<LevelWeight> levelWeights(const json& a, const std::string& origin, const std::string& where)
{
  if (!a.is_array() || a.empty()) {
    detail::fail(origin, where, "must be a non-empty list of [LEVEL, weight]");
  }
  std::vector<LevelWeight> out;
  for (const auto& p : a) {
    if (!p.is_array() || p.size() != 2 || !p[0].is_string() || !p[1].is_number()) {
      detail::fail(origin, where, "every entry must be [LEVEL, weight]");
    }
    LevelWeight w{ p[0].get<std::string>(), p[1].get<double>() };
    if (ganglionRank(w.level) < 0) {
      detail::fail(origin, where, "'" + w.level + "' is not a ganglion's level (T1-T12, L1-L5, S1-S5)");
    }
    if (!(w.weight > 0.0 && w.weight <= 10.0)) {
      detail::fail(origin, where, "weights must lie in (0, 10]");
    }
    out.push_back(w);
  }
  return out;
}

std::size_t editDistance(const std::string& a, const std::string& b)
{
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) {
    row[j] = j;
  }
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({ row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1) });
      diagonal = up;
    }
  }
  return row[b.size()];
}

/// "foot-sole-left, foot-dorsum-left": the region ids nearest to an unknown one.
std::string nearestRegions(const std::string& id, const BodyChart& chart)
{
  std::vector<std::pair<std::size_t, std::string>> ranked;
  for (const auto& r : chart.regions()) {
    ranked.emplace_back(editDistance(id, r.id), r.id);
  }
  std::sort(ranked.begin(), ranked.end());
  std::string out;
  for (std::size_t i = 0; i < ranked.size() && i < 3; ++i) {
    out += (i ? ", " : "") + ranked[i].second;
  }
  return out;
}

} // namespace

std::string targetId(const std::string& level, Side side)
{
  return level + "-" + imaging::sideName(side);
}

TargetGuidance TargetGuidance::fromJson(std::string_view text, const std::string& origin,
                                        const BodyChart& chart)
{
  const json j =
    detail::formattedDocument(text, origin, "drgplan-target-guidance", "drgplan DRG target guidance");
  TargetGuidance g;
  if (!j.contains("dermatomes") || !j["dermatomes"].is_object()) {
    detail::fail(origin, "dermatomes", "missing");
  }
  const json& d = j["dermatomes"];
  g.dermatomeSource = d.value("source", "");
  g.dermatomesVerified = d.value("verified", false);
  if (g.dermatomeSource.empty()) {
    detail::fail(origin, "dermatomes", "has no source");
  }
  if (!d.contains("regions") || !d["regions"].is_object()) {
    detail::fail(origin, "dermatomes.regions", "missing");
  }
  std::set<std::string> bases;
  for (const auto& r : chart.regions()) {
    bases.insert(r.base);
  }
  for (const auto& [region, levels] : d["regions"].items()) {
    if (!bases.count(region)) {
      detail::fail(origin, "dermatomes.regions." + region, "not a region of the body chart");
    }
    g.dermatomes.push_back({ region, levelWeights(levels, origin, "dermatomes.regions." + region) });
  }
  for (const auto& base : bases) {
    if (!d["regions"].contains(base)) {
      detail::fail(origin, "dermatomes.regions", "the chart's region '" + base + "' has no dermatomes");
    }
  }
  for (const auto& r : j.value("rules", json::array())) {
    TargetRule rule;
    rule.id = r.value("id", "");
    const std::string where = "rules[" + (rule.id.empty() ? std::string("?") : rule.id) + "]";
    rule.presentation = r.value("presentation", "");
    rule.source = r.value("source", "");
    rule.verified = r.value("verified", false);
    if (rule.id.empty() || rule.presentation.empty() || rule.source.empty()) {
      detail::fail(origin, where, "needs an id, a presentation and a source");
    }
    for (const auto& region : r.value("regions", json::array())) {
      if (!region.is_string() || !bases.count(region.get<std::string>())) {
        detail::fail(origin, where + ".regions", "names a region the body chart does not have");
      }
      rule.regions.push_back(region.get<std::string>());
    }
    if (rule.regions.empty()) {
      detail::fail(origin, where, "names no region");
    }
    rule.levels = levelWeights(r.value("levels", json()), origin, where + ".levels");
    g.rules.push_back(std::move(rule));
  }
  return g;
}

TargetGuidance TargetGuidance::builtIn()
{
  return fromJson(embeddedAsset("planning/targets.json"),
                  "built-in target guidance (assets/planning/targets.json)", BodyChart::builtIn());
}

void checkPainMap(const PainMap& pain, const BodyChart& chart)
{
  if (pain.regions.empty()) {
    throw Error(ErrorCode::InvalidArgument, "no painful region given (list them with --list-regions)");
  }
  std::set<std::string> seen;
  for (const auto& id : pain.regions) {
    if (!chart.region(id)) {
      throw Error(ErrorCode::InvalidArgument, "'" + id + "' is not a region of the body chart; nearest: " +
                                                nearestRegions(id, chart) + " (all of them: --list-regions)");
    }
    if (!seen.insert(id).second) {
      throw Error(ErrorCode::InvalidArgument, "the region '" + id + "' is given twice");
    }
  }
}

std::vector<TargetSuggestion> suggestTargets(const PainMap& pain, const BodyChart& chart,
                                             const TargetGuidance& guidance)
{
  checkPainMap(pain, chart);
  struct Tally
  {
    double score = 0;
    std::vector<std::string> regions, reasons, sources;
    bool verified = true;
  };
  std::map<std::pair<int, std::string>, Tally> tally; // (side, level)
  auto add = [&](const std::string& level, Side side, double weight, const std::string& region,
                 const std::string& reason, const std::string& source, bool verified) {
    Tally& t = tally[{ static_cast<int>(side), level }];
    t.score += weight;
    if (std::find(t.regions.begin(), t.regions.end(), region) == t.regions.end()) {
      t.regions.push_back(region);
    }
    t.reasons.push_back(reason);
    if (std::find(t.sources.begin(), t.sources.end(), source) == t.sources.end()) {
      t.sources.push_back(source);
    }
    t.verified = t.verified && verified;
  };
  // a published rule counts once per side, however many of its regions are marked: it names a
  // presentation (foot pain), not an area
  std::set<std::pair<std::string, int>> rulesUsed;
  for (const auto& id : pain.regions) {
    const ChartRegion& region = *chart.region(id);
    for (const auto& rule : guidance.rules) {
      if (std::find(rule.regions.begin(), rule.regions.end(), region.base) == rule.regions.end() ||
          !rulesUsed.insert({ rule.id, static_cast<int>(region.side) }).second) {
        continue;
      }
      for (const auto& lw : rule.levels) {
        add(lw.level, region.side, lw.weight, id,
            "if " + rule.presentation + ": published practice targets the " + lw.level + " DRG", rule.source,
            rule.verified);
      }
    }
    for (const auto& d : guidance.dermatomes) {
      if (d.region != region.base) {
        continue;
      }
      for (const auto& lw : d.levels) {
        add(lw.level, region.side, lw.weight, id, region.label + " lies in the " + lw.level + " dermatome",
            guidance.dermatomeSource, guidance.dermatomesVerified);
      }
    }
  }
  std::vector<TargetSuggestion> out;
  for (const auto& [key, t] : tally) {
    TargetSuggestion s;
    s.side = static_cast<Side>(key.first);
    s.level = key.second;
    s.plannable = imaging::isLevelName(s.level);
    s.score = t.score;
    s.regions = t.regions;
    s.sources = t.sources;
    s.verified = t.verified;
    for (std::size_t i = 0; i < t.reasons.size(); ++i) {
      s.reason += (i ? "; " : "") + t.reasons[i];
    }
    out.push_back(std::move(s));
  }
  std::stable_sort(out.begin(), out.end(), [](const TargetSuggestion& a, const TargetSuggestion& b) {
    if (a.score != b.score) {
      return a.score > b.score;
    }
    if (a.plannable != b.plannable) {
      return a.plannable; // (of equal weight, the ganglion drgplan can plan first)
    }
    if (a.level != b.level) {
      return ganglionRank(a.level) > ganglionRank(b.level); // the more caudal first
    }
    return a.side < b.side;
  });
  return out;
}

} // namespace drg::planning
