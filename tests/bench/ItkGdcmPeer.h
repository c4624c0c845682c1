#pragma once
#include <cstddef>
#include <string>
/// Loads the first series of `folder` with ITK (GDCM); returns the voxel count (0 when none).
std::size_t loadWithItkGdcm(const std::string& folder);
