#pragma once
// Internal: reads the phantom's JSON assets (assets/phantom/*.json, embedded at build time by
// cmake/DrgEmbedAssets.cmake) into plain structures. No anatomy is built here.

#include "drg/imaging/SpinePhantom.h"

#include <Eigen/Core>

#include <map>
#include <string>
#include <vector>

namespace drg::imaging::phantom
{

/// Dimensions of one vertebra (mm, degrees), from assets/phantom/vertebrae.json.
struct LevelDims
{
  std::string level;
  double bodyW = 0, bodyD = 0, bodyH = 0, discBelow = 0;
  double pedW = 0, pedH = 0, pedAngle = 0;
  double canalW = 0, canalD = 0;
  double tpReach = 0, tpHeight = 0, tpPosterior = 0;
  double spLength = 0, spHeight = 0, spDrop = 0;
  double facetAngle = 0, lordosisShare = 0, kyphosis = 0;
  bool thoracic = false;
};

/// The vertebra table (by level name) and the sacrum's dimensions, from assets/phantom/vertebrae.json.
struct VertebraTable
{
  std::map<std::string, LevelDims> levels;
  double alaReach = 0, alaHeight = 0, alaDepth = 0; ///< sacral ala (mm)
  double slopePerLordosis = 0;                      ///< sacral slope per degree of lordosis
  std::vector<Eigen::Vector3d> sacralSegments;      ///< S2-S5: width, depth, height (mm)
};

/// The body outline's keys and layers (mm, LPS), from assets/phantom/body_outline.json.
struct BodyOutlineTable
{
  /// One key of the outline: tied to an anatomical height, with its half width and depths.
  struct Key
  {
    std::string anchor; ///< "top_vertebra", "L3", "L4/L5_disc" or "S1"
    double offset = 0;  ///< mm added to the anchor's z
    double halfWidth = 0, anterior = 0, posterior = 0;
  };
  /// Insets (mm) of one layer inside the outline.
  struct Layer
  {
    double lateral = 0, anterior = 0, posterior = 0;
  };
  std::vector<Key> keys; ///< top to bottom
  double spineLineMaxBehindS1 = 0;
  Layer muscle;
  Layer viscera;
};

/// Tissue values (by tissue name) of one contrast from assets/phantom/tissues.json: HU for CT,
/// arbitrary units (CSF = 1000) for T2 and fat-suppressed T2.
std::map<std::string, double> readTissues(PhantomContrast contrast);

/// The vertebra table from assets/phantom/vertebrae.json.
VertebraTable readVertebrae();

/// The text of assets/phantom/population.json (anatomy seeds), checked to be valid JSON.
std::string readPopulationText();

/// The body outline from assets/phantom/body_outline.json.
BodyOutlineTable readBodyOutline();

} // namespace drg::imaging::phantom
