// A spine drawn from population ranges (assets/phantom/population.json): the pose and variants
// (drawPhantomAnatomy, public) and each vertebra's size (drawLevelSizes, used by the builder).
// Different streams of one seed draw the two, so asking for the pose explicitly does not change
// the sizes.
#include "phantom/PhantomPopulation.h"

#include "AsciiLower.h"

#include "drg/imaging/Error.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <random>

namespace drg::imaging
{
namespace
{

using nlohmann::json;

const json& population()
{
  static const json j = json::parse(phantom::readPopulationText());
  return j;
}

/// A normal draw clipped at 2.5 standard deviations (no absurd anatomy from a tail).
double clippedNormal(std::mt19937_64& rng, double sd)
{
  std::normal_distribution<double> n(0.0, 1.0);
  return sd * std::clamp(n(rng), -2.5, 2.5);
}

/// Two generators from one seed: 1 for the pose and variants, 2 for the sizes.
std::mt19937_64 stream(std::uint64_t seed, std::uint64_t which)
{
  std::seed_seq seq{ static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32U),
                     static_cast<std::uint32_t>(which), 0x5eedU };
  return std::mt19937_64(seq);
}

} // namespace

void drawPhantomAnatomy(PhantomOptions& options)
{
  if (options.anatomySeed == 0) {
    return;
  }
  const json& p = population();
  std::mt19937_64 rng = stream(options.anatomySeed, 1);
  std::uniform_real_distribution<double> u(0.0, 1.0);

  const json& lordosis = p.at("lordosis_degrees");
  options.lordosisDegrees =
    std::clamp(lordosis.at("mean").get<double>() + clippedNormal(rng, lordosis.at("sd").get<double>()),
               lordosis.at("min").get<double>(), lordosis.at("max").get<double>());

  const json& v = p.at("variants");
  double six = v.at("six_lumbar_vertebrae").at("prevalence");
  double sacralised = v.at("sacralised_l5").at("prevalence");
  double thirteen = v.at("thirteen_rib_pairs").at("prevalence");
  double t = u(rng);
  options.transitional = t < six                           ? TransitionalAnatomy::L6
                         : t < six + sacralised            ? TransitionalAnatomy::SacralizedL5
                         : t < six + sacralised + thirteen ? TransitionalAnatomy::T13
                                                           : TransitionalAnatomy::None;
  double absent = v.at("twelfth_rib_absent").at("prevalence");
  double hypoplastic = v.at("twelfth_rib_hypoplastic").at("prevalence");
  double r = u(rng);
  options.twelfthRib = r < absent                 ? TwelfthRib::Absent
                       : r < absent + hypoplastic ? TwelfthRib::Hypoplastic
                                                  : TwelfthRib::Normal;
  // (the twelfth rib's variants belong to spines whose lowest ribs are T12's, without a sixth
  // lumbar vertebra: validatePhantomOptions refuses the other combinations)
  if (options.transitional == TransitionalAnatomy::T13 || options.transitional == TransitionalAnatomy::L6) {
    options.twelfthRib = TwelfthRib::Normal;
  }
}

TwelfthRib parseTwelfthRib(const std::string& word)
{
  std::string w = asciiLower(word);
  if (w == "normal") {
    return TwelfthRib::Normal;
  }
  if (w == "hypoplastic") {
    return TwelfthRib::Hypoplastic;
  }
  if (w == "absent") {
    return TwelfthRib::Absent;
  }
  throw Error(ErrorCode::InvalidArgument,
              "unknown twelfth rib '" + word + "' (use normal, hypoplastic or absent)");
}

const char* twelfthRibName(TwelfthRib rib) noexcept
{
  switch (rib) {
    case TwelfthRib::Normal:
      return "normal";
    case TwelfthRib::Hypoplastic:
      return "hypoplastic";
    case TwelfthRib::Absent:
      return "absent";
  }
  return "normal";
}

} // namespace drg::imaging

namespace drg::imaging::phantom
{

double hypoplasticRibLength(std::uint64_t seed)
{
  const auto& range = population().at("variants").at("twelfth_rib_hypoplastic").at("length_mm");
  std::mt19937_64 rng = stream(seed, 3);
  std::uniform_real_distribution<double> u(range[0].get<double>(), range[1].get<double>());
  return u(rng);
}

std::string drawLevelSizes(std::vector<LevelDims>& levels, std::uint64_t seed)
{
  if (seed == 0) {
    return {};
  }
  const json& size = population().at("size");
  const json& cv = size.at("dimension_cv");
  double levelShare = size.at("level_cv_share");
  std::mt19937_64 rng = stream(seed, 2);
  double subject = 1.0 + clippedNormal(rng, size.at("subject_size_cv").get<double>());

  struct Dimension
  {
    const char* name;
    double LevelDims::*field;
  };
  const Dimension dims[] = { { "body_width", &LevelDims::bodyW },
                             { "body_depth", &LevelDims::bodyD },
                             { "body_height", &LevelDims::bodyH },
                             { "disc_below", &LevelDims::discBelow },
                             { "pedicle_width", &LevelDims::pedW },
                             { "pedicle_height", &LevelDims::pedH },
                             { "canal_width", &LevelDims::canalW },
                             { "canal_depth", &LevelDims::canalD },
                             { "transverse_process_reach", &LevelDims::tpReach },
                             { "transverse_process_height", &LevelDims::tpHeight },
                             { "spinous_process_length", &LevelDims::spLength } };
  // the subject's own proportions (shared by all levels), then each level's small deviation
  json drawn = json::object();
  drawn["subject_size"] = subject;
  json perLevel = json::object();
  std::vector<double> own;
  for (const auto& d : dims) {
    own.push_back(clippedNormal(rng, cv.at(d.name).get<double>()));
  }
  for (auto& level : levels) {
    json l = json::object();
    for (std::size_t k = 0; k < std::size(dims); ++k) {
      double sd = cv.at(dims[k].name).get<double>() * levelShare;
      double factor = subject * (1.0 + own[k]) * (1.0 + clippedNormal(rng, sd));
      level.*(dims[k].field) *= factor;
      l[dims[k].name] = level.*(dims[k].field);
    }
    perLevel[level.level] = l;
  }
  drawn["levels_mm"] = perLevel;
  return drawn.dump();
}

} // namespace drg::imaging::phantom
