#pragma once

#include <optional>
#include <string>
#include <vector>

namespace drg::imaging
{

/// Side of the patient: a DRG is named by (level, side), e.g. L4-left.
enum class Side
{
  Left,
  Right
};

const char* sideName(Side side) noexcept; ///< "left" / "right"

/// Rank of a level name along the spine, head to foot: T1..T13 then L1..L6, S1, sacrum.
/// Returns nullopt for a name that is not a level ("X3", "").
std::optional<int> levelRank(const std::string& level);

/// True when `level` names a vertebra drgplan knows (T1-T13, L1-L6, S1, sacrum).
bool isLevelName(const std::string& level);

/// Transitional lumbosacral or thoracolumbar anatomy (present in about 10% of patients).
enum class TransitionalAnatomy
{
  None,
  L6,          ///< six lumbar vertebrae
  T13,         ///< thirteen rib-bearing vertebrae
  SacralizedL5 ///< L5 transverse processes fused with the sacral ala, rudimentary L5/S1 disc
};

/// Parses "none", "L6", "T13", "sacralized-L5"; throws drg::Error(InvalidArgument) on other words.
TransitionalAnatomy parseTransitionalAnatomy(const std::string& word);
/// "none", "L6", "T13", "sacralized-L5" (what parseTransitionalAnatomy reads).
std::string transitionalAnatomyName(TransitionalAnatomy t);

/// Parses "L3-S1" (inclusive, head to foot) into its two ends; throws drg::Error on bad input.
std::pair<std::string, std::string> parseLevelRange(const std::string& text);

} // namespace drg::imaging
