#pragma once

#include <string_view>

namespace drg::imaging
{

/// Text of an asset from `assets/` compiled into the library (e.g. "phantom/tissues.json"), or an
/// empty view when there is no such asset. The JSON files stay the single source of the numbers.
std::string_view embeddedAsset(std::string_view name);

} // namespace drg::imaging
