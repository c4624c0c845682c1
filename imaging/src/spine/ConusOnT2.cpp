// T2 MR only: the conus medullaris, a weak level anchor where neither sacrum nor ribs are in view.
#include "spine/LevelNaming.h"

#include "spine/SpineMath.h"

#include <algorithm>
#include <cmath>

namespace drg::imaging::spine
{

std::optional<int> conusSegment(const WorkVolume& raw, const std::vector<CentrelinePoint>& line,
                                const std::vector<Run>& discs, const std::vector<Segment>& segments)
{
  // cord: the canal's core (2 mm around the centre) darker than 60 % of its bright CSF ring;
  // its cross-section: the area that dark within 6 mm of the centre
  std::vector<char> cord(line.size(), 0);
  std::vector<double> area(line.size(), 0.0);
  for (std::size_t n = 0; n < line.size(); ++n) {
    std::vector<double> core, ring;
    for (double u = -8; u <= 8; u += 1.0) {
      for (double v = -8; v <= 8; v += 1.0) {
        const double r = std::hypot(u, v);
        const float x = raw.sample(line[n].at(u, v));
        if (std::isnan(x)) {
          continue;
        }
        (r <= 2.0 ? core : r <= 8.0 ? ring : core).push_back(x);
      }
    }
    if (core.size() >= 5 && ring.size() >= 20) {
      const double bright = percentile(ring, 0.9);
      cord[n] = percentile(core, 0.5) < 0.6 * bright ? 1 : 0;
      for (double u = -6; u <= 6; u += 0.5) {
        for (double v = -6; v <= 6; v += 0.5) {
          const float x = raw.sample(line[n].at(u, v));
          area[n] += std::hypot(u, v) <= 6.0 && x < 0.6 * bright ? 0.25 : 0.0; // (NaN: not dark)
        }
      }
    }
  }
  // the longest run of cord; its lower end is the conus tip
  int bestFirst = -1, bestLast = -1, first = -1;
  for (int n = 0; n <= static_cast<int>(cord.size()); ++n) {
    const bool on = n < static_cast<int>(cord.size()) && cord[static_cast<std::size_t>(n)];
    if (on && first < 0) {
      first = n;
    }
    if (!on && first >= 0) {
      if (n - 1 - first > bestLast - bestFirst) {
        bestFirst = first;
        bestLast = n - 1;
      }
      first = -1;
    }
  }
  if (bestFirst < 0 || bestLast - bestFirst < 20 || bestLast >= static_cast<int>(line.size()) - 5) {
    return std::nullopt; // no cord, or it runs out of the image: no tip
  }
  // the roots of the cauda equina clump into a dark core too; the conus is where the cord's
  // cross-section has tapered below half of its own (the median of the run's upper half) and
  // stays there for 10 mm
  std::vector<double> upper(area.begin() + bestFirst, area.begin() + (bestFirst + bestLast) / 2 + 1);
  const double own = percentile(upper, 0.5);
  const int stay = 10; // (the centreline's points are 1 mm apart)
  for (int n = bestFirst; n + stay <= bestLast; ++n) {
    bool tapered = true;
    for (int d = 0; d <= stay && tapered; ++d) {
      tapered = area[static_cast<std::size_t>(n + d)] < 0.5 * own;
    }
    if (tapered) {
      bestLast = n;
      break;
    }
  }
  // the disc nearest to the tip; the segment just above it
  const Run* nearest = nullptr;
  for (const Run& r : discs) {
    if (!nearest || std::abs(r.mid() - bestLast) < std::abs(nearest->mid() - bestLast)) {
      nearest = &r;
    }
  }
  if (!nearest) {
    return std::nullopt;
  }
  for (int i = static_cast<int>(segments.size()) - 1; i >= 0; --i) {
    if (segments[static_cast<std::size_t>(i)].run.last < nearest->first) {
      return i;
    }
  }
  return std::nullopt;
}

} // namespace drg::imaging::spine
