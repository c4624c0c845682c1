#pragma once

#include <string>
#include <string_view>

namespace drg::imaging
{

/// A DICOM UID of the form 2.25.<128-bit decimal> derived from `key` by hashing, so that the same
/// key (for the phantom: seed, options and role) always gives the same UID and different keys
/// practically never collide. At most 64 characters, as DICOM requires.
std::string derivedUid(std::string_view key);

} // namespace drg::imaging
