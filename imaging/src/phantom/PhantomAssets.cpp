#include "phantom/PhantomAssets.h"

#include "drg/imaging/EmbeddedAssets.h"
#include "drg/imaging/Error.h"

#include <nlohmann/json.hpp>

namespace drg::imaging::phantom
{
namespace
{

using Eigen::Vector3d;
using nlohmann::json;

json loadAsset(const char* name)
{
  std::string_view text = embeddedAsset(name);
  if (text.empty()) {
    throw Error(ErrorCode::Internal, std::string("embedded asset missing: ") + name);
  }
  try {
    return json::parse(text);
  } catch (const json::exception& e) {
    throw Error(ErrorCode::Internal,
                std::string("embedded asset ") + name + " is not valid JSON: " + e.what());
  }
}

LevelDims dimsFromJson(const json& j)
{
  LevelDims d;
  d.level = j.at("level").get<std::string>();
  auto body = j.at("body");
  d.bodyW = body[0];
  d.bodyD = body[1];
  d.bodyH = body[2];
  d.discBelow = j.at("disc_below");
  auto ped = j.at("pedicle");
  d.pedW = ped[0];
  d.pedH = ped[1];
  d.pedAngle = ped[2];
  auto canal = j.at("canal");
  d.canalW = canal[0];
  d.canalD = canal[1];
  auto tp = j.at("transverse_process");
  d.tpReach = tp[0];
  d.tpHeight = tp[1];
  d.tpPosterior = tp[2];
  auto sp = j.at("spinous_process");
  d.spLength = sp[0];
  d.spHeight = sp[1];
  d.spDrop = sp[2];
  d.facetAngle = j.at("facet_angle");
  d.lordosisShare = j.at("segment_lordosis_share");
  d.kyphosis = j.at("segment_kyphosis");
  d.thoracic = d.level[0] == 'T';
  return d;
}

BodyOutlineTable::Layer layerFromJson(const json& j)
{
  BodyOutlineTable::Layer l;
  l.lateral = j.at("lateral");
  l.anterior = j.at("anterior");
  l.posterior = j.at("posterior");
  return l;
}

} // namespace

std::map<std::string, double> readTissues(PhantomContrast contrast)
{
  json t = loadAsset("phantom/tissues.json").at("tissues");
  const char* key = contrast == PhantomContrast::Ct     ? "ct"
                    : contrast == PhantomContrast::MrT2 ? "t2"
                                                        : "t2fs";
  std::map<std::string, double> values;
  for (auto it = t.begin(); it != t.end(); ++it) {
    values[it.key()] = it.value().at(key).get<double>();
  }
  return values;
}

VertebraTable readVertebrae()
{
  json v = loadAsset("phantom/vertebrae.json");
  VertebraTable table;
  for (const auto& j : v.at("levels")) {
    LevelDims d = dimsFromJson(j);
    table.levels[d.level] = d;
  }
  const json& sac = v.at("sacrum");
  table.alaReach = sac.at("ala_reach");
  table.alaHeight = sac.at("ala_height");
  table.alaDepth = sac.at("ala_depth");
  table.slopePerLordosis = sac.at("sacral_slope_per_lordosis");
  for (const auto& s : sac.at("segments")) {
    table.sacralSegments.push_back(Vector3d(s[0], s[1], s[2]));
  }
  return table;
}

std::string readPopulationText()
{
  return loadAsset("phantom/population.json").dump();
}

BodyOutlineTable readBodyOutline()
{
  json j = loadAsset("phantom/body_outline.json");
  BodyOutlineTable outline;
  for (const auto& k : j.at("keys")) {
    BodyOutlineTable::Key key;
    key.anchor = k.at("anchor").get<std::string>();
    key.offset = k.at("offset");
    key.halfWidth = k.at("half_width");
    key.anterior = k.at("anterior");
    key.posterior = k.at("posterior");
    outline.keys.push_back(key);
  }
  outline.spineLineMaxBehindS1 = j.at("spine_line_max_behind_s1");
  outline.muscle = layerFromJson(j.at("layers").at("muscle"));
  outline.viscera = layerFromJson(j.at("layers").at("viscera"));
  return outline;
}

} // namespace drg::imaging::phantom
