#include "drg/imaging/DerivedUid.h"

#include <cstdint>

namespace drg::imaging
{
namespace
{

std::uint64_t hash64(std::string_view text, std::uint64_t seed)
{
  // FNV-1a followed by a splitmix64 finaliser
  std::uint64_t h = 1469598103934665603ull ^ seed;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ull;
  }
  h ^= h >> 30;
  h *= 0xBF58476D1CE4E5B9ull;
  h ^= h >> 27;
  h *= 0x94D049BB133111EBull;
  h ^= h >> 31;
  return h;
}

} // namespace

std::string derivedUid(std::string_view key)
{
  unsigned __int128 value =
    (static_cast<unsigned __int128>(hash64(key, 0x5EEDull)) << 64) | hash64(key, 0xC0FFEEull);
  value >>= 1; // stay clear of the 39-digit limit corner cases; 127 bits are plenty
  std::string digits;
  do {
    digits.insert(digits.begin(), static_cast<char>('0' + static_cast<int>(value % 10)));
    value /= 10;
  } while (value != 0);
  return "2.25." + digits;
}

} // namespace drg::imaging
