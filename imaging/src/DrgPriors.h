#pragma once
// Internal: the DRG priors of assets/anatomy/drg_priors.json (sizes, medial offsets, position
// spread, placement rule), shared by the phantom (truth placement) and the spine model (CT
// estimate), so that both follow one rule written as data.

#include <Eigen/Core>

#include <map>
#include <optional>
#include <string>

namespace drg::imaging
{

struct DrgLevelPrior
{
  std::string level;
  double length = 0.0;                ///< mm, along the root
  double width = 0.0;                 ///< mm
  std::optional<double> medialOffset; ///< DRG midpoint lateral of the medial pedicle border (mm)
  std::string zone;                   ///< usual zone at this level
  std::string source;
  Eigen::Vector3d positionSdMm{ 3, 3, 2.5 }; ///< medio-lateral, cranio-caudal, antero-posterior
  double pedicleWidthMm = 10.0;              ///< typical adult pedicle width (plausibility only)
};

struct DrgPriors
{
  double takeoffDegrees = 55.0;
  double belowPedicleMm = 1.0; ///< gap between the pedicle's lower edge and the ganglion
  double dorsalFraction = 0.6; ///< position in the foramen's free AP interval (0 ventral, 1 dorsal)
  double s1BelowPedicleCentreMm = 5.0;
  double thoracicGapLateralMm = 1.5;
  bool verified = false;
  std::map<std::string, DrgLevelPrior> levels;

  /// The prior of `level`, or nullptr.
  const DrgLevelPrior* find(const std::string& level) const;
};

/// Parsed once from the embedded asset; throws drg::Error(Internal) if the asset is malformed.
const DrgPriors& drgPriors();

} // namespace drg::imaging
