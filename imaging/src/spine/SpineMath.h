#pragma once
// Internal: number formatting and order statistics for the spine model's messages and measures.

#include <algorithm>
#include <cstddef>
#include <ios>
#include <sstream>
#include <string>
#include <vector>

namespace drg::imaging::spine
{

/// The circle's constant (std::numbers arrives with C++20).
inline constexpr double kPi = 3.14159265358979323846;

/// `v` with one decimal (messages in mm).
inline std::string mm1(double v)
{
  std::ostringstream o;
  o.setf(std::ios::fixed);
  o.precision(1);
  o << v;
  return o.str();
}

/// The q-quantile of `v` (0 <= q <= 1; nearest rank below), 0 for an empty `v`.
inline double percentile(std::vector<double> v, double q)
{
  if (v.empty()) {
    return 0.0;
  }
  std::size_t n = static_cast<std::size_t>(std::clamp(q, 0.0, 1.0) * static_cast<double>(v.size() - 1));
  std::nth_element(v.begin(), v.begin() + static_cast<long>(n), v.end());
  return v[n];
}

} // namespace drg::imaging::spine
