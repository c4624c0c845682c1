#include "drg/imaging/SpineLevel.h"

#include "AsciiLower.h"

#include "drg/imaging/AnatomyLabels.h"
#include "drg/imaging/Error.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>

namespace drg::imaging
{

const char* sideName(Side side) noexcept
{
  return side == Side::Left ? "left" : "right";
}

std::optional<int> levelRank(const std::string& level)
{
  if (level == "sacrum") {
    return 100;
  }
  if (level.size() < 2 || level.size() > 3) {
    return std::nullopt;
  }
  for (std::size_t i = 1; i < level.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(level[i]))) {
      return std::nullopt;
    }
  }
  int n = std::stoi(level.substr(1));
  switch (level[0]) {
    case 'T':
      return (n >= 1 && n <= 13) ? std::optional<int>(n) : std::nullopt;
    case 'L':
      return (n >= 1 && n <= 6) ? std::optional<int>(20 + n) : std::nullopt;
    case 'S':
      return n == 1 ? std::optional<int>(40) : std::nullopt;
    default:
      return std::nullopt;
  }
}

bool isLevelName(const std::string& level)
{
  return levelRank(level).has_value();
}

std::pair<std::string, std::string> parseLevelRange(const std::string& text)
{
  auto dash = text.find('-');
  if (dash == std::string::npos) {
    throw Error(ErrorCode::InvalidArgument,
                "level range '" + text + "' must look like L3-S1 (upper level, dash, lower level)");
  }
  std::string a = text.substr(0, dash);
  std::string b = text.substr(dash + 1);
  auto ra = levelRank(a);
  auto rb = levelRank(b);
  if (!ra || !rb) {
    throw Error(ErrorCode::InvalidArgument, "level range '" + text + "': '" + (!ra ? a : b) +
                                              "' is not a level name (T1-T13, L1-L6, S1, sacrum)");
  }
  if (*ra > *rb) {
    throw Error(ErrorCode::InvalidArgument,
                "level range '" + text + "' runs upwards; give the upper level first, e.g. L3-S1");
  }
  return { a, b };
}

namespace labels
{

namespace
{
const std::map<std::string, int>& labelTable()
{
  static const std::map<std::string, int> table = [] {
    std::map<std::string, int> t = { { "T10", 1 }, { "T11", 2 }, { "T12", 3 }, { "T13", 4 },
                                     { "L1", 5 },  { "L2", 6 },  { "L3", 7 },  { "L4", 8 },
                                     { "L5", 9 },  { "L6", 10 }, { "S1", 11 }, { "sacrum", 12 } };
    for (int n = 1; n <= 9; ++n) {
      t["T" + std::to_string(n)] = 60 + n;
    }
    return t;
  }();
  return table;
}
} // namespace

int vertebraLabel(const std::string& level)
{
  auto it = labelTable().find(level);
  return it == labelTable().end() ? 0 : it->second;
}

std::string vertebraLevelOfLabel(int label)
{
  for (const auto& [name, value] : labelTable()) {
    if (value == label) {
      return name;
    }
  }
  return {};
}

Rgba displayColour(int label)
{
  if (label <= 0 || (label >= kSkin && label < kGanglionBase)) {
    return {}; // background; skin, muscle, viscera: context, not overlaid
  }
  if (label >= kGanglionBase) {
    return { 255, 220, 0, 255 };
  }
  if (label <= 12 || (label >= 61 && label <= 69)) {
    // neighbours in clearly different colours (L5 pale pink, S1 orange: the level counted wrong most
    // often must not look like its neighbour, nor like the leads' green and cyan)
    static const Rgba vertebrae[] = { { 230, 25, 75, 255 },   { 60, 180, 75, 255 },  { 0, 130, 200, 255 },
                                      { 0, 128, 128, 255 },   { 145, 30, 180, 255 }, { 70, 240, 240, 255 },
                                      { 240, 50, 230, 255 },  { 210, 245, 60, 255 }, { 250, 190, 212, 255 },
                                      { 220, 190, 255, 255 }, { 245, 130, 48, 255 }, { 170, 110, 40, 255 } };
    return vertebrae[(label - 1) % 12];
  }
  // other structures: hues spread by the label value (HSV with s = 160/255, v = 220/255)
  const double h = (label * 47) % 360 / 60.0, v = 220.0, s = 160.0 / 255.0;
  const double c = v * s, x = c * (1.0 - std::abs(std::fmod(h, 2.0) - 1.0)), m = v - c;
  double r = 0, g = 0, b = 0;
  switch (static_cast<int>(h)) {
    case 0:
      r = c, g = x;
      break;
    case 1:
      r = x, g = c;
      break;
    case 2:
      g = c, b = x;
      break;
    case 3:
      g = x, b = c;
      break;
    case 4:
      r = x, b = c;
      break;
    default:
      r = c, b = x;
  }
  auto byte = [&](double value) { return static_cast<unsigned char>(std::lround(value + m)); };
  return { byte(r), byte(g), byte(b), 255 };
}

} // namespace labels

std::string transitionalAnatomyName(TransitionalAnatomy t)
{
  switch (t) {
    case TransitionalAnatomy::None:
      return "none";
    case TransitionalAnatomy::L6:
      return "L6";
    case TransitionalAnatomy::T13:
      return "T13";
    case TransitionalAnatomy::SacralizedL5:
      return "sacralized-L5";
  }
  return "none";
}

TransitionalAnatomy parseTransitionalAnatomy(const std::string& word)
{
  std::string w = asciiLower(word);
  if (w == "none") {
    return TransitionalAnatomy::None;
  }
  if (w == "l6") {
    return TransitionalAnatomy::L6;
  }
  if (w == "t13") {
    return TransitionalAnatomy::T13;
  }
  if (w == "sacralized-l5" || w == "sacralised-l5") {
    return TransitionalAnatomy::SacralizedL5;
  }
  throw Error(ErrorCode::InvalidArgument,
              "unknown transitional anatomy '" + word + "' (use none, L6, T13 or sacralized-L5)");
}

} // namespace drg::imaging
