#pragma once
// Internal: option words (CLI, settings, files) are read case-insensitively.

#include <algorithm>
#include <cctype>
#include <string>

namespace drg::imaging
{

/// `s` with its ASCII letters in lower case.
inline std::string asciiLower(std::string s)
{
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

} // namespace drg::imaging
