#include "DrgPriors.h"

#include "drg/imaging/EmbeddedAssets.h"
#include "drg/imaging/Error.h"

#include <nlohmann/json.hpp>

namespace drg::imaging
{

const DrgLevelPrior* DrgPriors::find(const std::string& level) const
{
  auto it = levels.find(level);
  return it == levels.end() ? nullptr : &it->second;
}

const DrgPriors& drgPriors()
{
  static const DrgPriors priors = [] {
    DrgPriors p;
    try {
      const auto j = nlohmann::json::parse(embeddedAsset("anatomy/drg_priors.json"));
      p.takeoffDegrees = j.at("root_takeoff_angle_degrees").at("value");
      p.verified = j.at("verified");
      const auto& place = j.at("placement");
      p.belowPedicleMm = place.at("below_pedicle_mm").at("value");
      p.dorsalFraction = place.at("dorsal_fraction").at("value");
      p.s1BelowPedicleCentreMm = place.at("s1_below_pedicle_centre_mm").at("value");
      p.thoracicGapLateralMm = place.at("thoracic_gap_lateral_to_pedicle_mm").at("value");
      for (const auto& l : j.at("levels")) {
        DrgLevelPrior d;
        d.level = l.at("level");
        d.length = l.at("length");
        d.width = l.at("width");
        if (!l.at("medial_offset").is_null()) {
          d.medialOffset = l.at("medial_offset").get<double>();
        }
        d.zone = l.at("zone");
        d.source = l.at("source");
        const auto& sd = l.at("position_sd_mm");
        d.positionSdMm = Eigen::Vector3d(sd.at(0), sd.at(1), sd.at(2));
        d.pedicleWidthMm = l.at("pedicle_width_mm");
        p.levels[d.level] = d;
      }
    } catch (const nlohmann::json::exception& e) {
      throw Error(ErrorCode::Internal,
                  std::string("assets/anatomy/drg_priors.json is malformed: ") + e.what());
    }
    return p;
  }();
  return priors;
}

} // namespace drg::imaging
