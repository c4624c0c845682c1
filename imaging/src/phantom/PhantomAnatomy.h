#pragma once
// Internal: builds the phantom's anatomy (scene of primitives) and its analytic ground truth.

#include "phantom/PhantomScene.h"

#include "drg/imaging/SpinePhantom.h"

#include <map>
#include <string>
#include <vector>

namespace drg::imaging::phantom
{

/// Label map values. Vertebrae 1-12, ribs 20-23, ilium 30/31, discs 40+, canal 50-54, soft tissue
/// 70-80, ganglia 100 + 2 * vertebra label + (right ? 1 : 0).
namespace labels
{
constexpr int kRibBase = 20;
constexpr int kIliumLeft = 30;
constexpr int kIliumRight = 31;
constexpr int kDiscBase = 40;
constexpr int kEpiduralFat = 50;
constexpr int kThecalSac = 51;
constexpr int kCord = 52;
constexpr int kCaudaEquina = 53;
constexpr int kNerveRoot = 54;
constexpr int kSkin = 70;
constexpr int kMuscle = 72;
constexpr int kPsoas = 73;
constexpr int kViscera = 75;
constexpr int kKidney = 76;
constexpr int kAorta = 77;
constexpr int kVenaCava = 78;
constexpr int kBowelGas = 79;
constexpr int kForaminalFat = 80;
constexpr int kGanglionBase = 100;
} // namespace labels

/// Label value of a vertebra level name (T10 = 1 ... sacrum = 12), 0 if unknown.
int vertebraLabel(const std::string& level);

/// The anatomy before rasterisation: scene, truth without image-dependent fields, and the extent
/// of each vertebra (for field-of-view cropping).
struct Anatomy
{
  Scene scene;
  PhantomTruth truth;
  std::map<std::string, Box> vertebraBounds; ///< LPS box of each vertebra's bone
  Box bodyBounds;                            ///< LPS box of the anatomy that must be imaged
  double airValue = -1000.0;
};

/// Builds the anatomy for `options` (pose, transitional anatomy, bone density, contrast).
Anatomy buildAnatomy(const PhantomOptions& options);

/// Extends the outline (skin) part so that it covers `box` (the imaged region).
void coverOutline(Anatomy& anatomy, const Box& box);

} // namespace drg::imaging::phantom
