// The body profile along the centreline: vertebral bodies and the discs between them, with what
// lies beside each body (sacral alae, ribs).
#include "spine/BodiesAndDiscs.h"

#include "ParallelFor.h"
#include "spine/Canal.h"
#include "spine/SpineMath.h"
#include "spine/SpineTuning.h"

#include "drg/imaging/Error.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace drg::imaging::spine
{
namespace
{

/// The profile's raw bone fractions and how much of each row's region lies in the image.
struct ProfileRows
{
  std::vector<double> smooth; ///< bone fraction, smoothed over 1 mm (sigma)
  std::vector<double> valid;  ///< fraction of the row's samples inside the image
  double inView = 0.8;        ///< a row counts when this much of its region lies in the image
  double p75 = 0;             ///< 75th percentile of the counted rows' fractions
};

ProfileRows measureProfile(const WorkVolume& work, const std::vector<CentrelinePoint>& line, bool mr)
{
  const int n = static_cast<int>(line.size());
  ProfileRows rows;
  std::vector<double> f(static_cast<std::size_t>(n));
  rows.valid.assign(static_cast<std::size_t>(n), 0.0);
  std::vector<double>& valid = rows.valid;
  parallelFor(static_cast<std::size_t>(n), [&](std::size_t i) {
    // the whole body's cross-section: its cortical ring keeps the fraction up where the
    // cancellous bone is faint (older patients, osteoporosis); discs hold no bone
    // (MR: the body itself only; kidneys and bowel share marrow's T2 signal)
    f[i] = mr ? boneFraction(work, line[i], -14, 14, 12, 38, kBoneHu, &valid[i])
              : boneFraction(work, line[i], -28, 28, 6, 55, kBoneHu, &valid[i]);
  });
  // a row counts when 80 % of its region lies in the image; on MR 70 % (a narrow sagittal slab,
  // 38 mm, leaves out part of a body's 28 mm region where the spine runs off its centre)
  rows.inView = mr ? 0.7 : 0.8;
  // light smoothing (1 mm sigma)
  std::vector<double>& s = rows.smooth;
  s.assign(f.size(), 0.0);
  for (int i = 0; i < n; ++i) {
    double acc = 0, wsum = 0;
    for (int d = -2; d <= 2; ++d) {
      int j = std::clamp(i + d, 0, n - 1);
      double wt = std::exp(-0.5 * d * d);
      acc += wt * f[static_cast<std::size_t>(j)];
      wsum += wt;
    }
    s[static_cast<std::size_t>(i)] = acc / wsum;
  }
  std::vector<double> inside;
  for (int i = 0; i < n; ++i) {
    if (valid[static_cast<std::size_t>(i)] > rows.inView) {
      inside.push_back(s[static_cast<std::size_t>(i)]);
    }
  }
  rows.p75 = percentile(inside, 0.75);
  return rows;
}

/// Discs: deep local minima of the profile, chosen so that neighbouring discs lie one body apart
/// (22-50 mm). A faint body interior (older bone) can dip too, but less deep and half a body from
/// the discs, so the deepest regular sequence wins. Shallow minima (collapsed discs) count half:
/// they join the sequence where a body would otherwise be two bodies long.
std::vector<Run> findDiscs(const ProfileRows& rows, bool mr)
{
  const std::vector<double>& s = rows.smooth;
  const std::vector<double>& valid = rows.valid;
  const int n = static_cast<int>(s.size());
  const double kInView = rows.inView, p75 = rows.p75;
  struct Minimum
  {
    int at;
    double depth;
  };
  std::vector<Minimum> minima;
  for (int q = 3; q + 3 < n; ++q) {
    const double x = s[static_cast<std::size_t>(q)];
    // (a collapsed disc, 2-3 mm between sclerotic endplates, dips less than a healthy one: taken
    // as a weaker candidate, which the chain below takes only where it keeps bodies apart)
    if (valid[static_cast<std::size_t>(q)] <= kInView || x >= 0.8 * p75) {
      continue;
    }
    bool lowest = true;
    for (int d = -5; d <= 5 && lowest; ++d) {
      int r = std::clamp(q + d, 0, n - 1);
      lowest = s[static_cast<std::size_t>(r)] > x || (s[static_cast<std::size_t>(r)] == x && r >= q);
    }
    // bone on both sides within 25 mm (not an end of the spine or of the image)
    double leftMax = 0, rightMax = 0;
    for (int d = 1; d <= 25; ++d) {
      if (q - d >= 0 && valid[static_cast<std::size_t>(q - d)] > kInView) {
        leftMax = std::max(leftMax, s[static_cast<std::size_t>(q - d)]);
      }
      if (q + d < n && valid[static_cast<std::size_t>(q + d)] > kInView) {
        rightMax = std::max(rightMax, s[static_cast<std::size_t>(q + d)]);
      }
    }
    const double shoulder = std::min(leftMax, rightMax);
    const bool healthy = x < 0.6 * p75 && x < 0.5 * shoulder;
    // (not on T2 MR, where the marrow's signal dips within bodies)
    const bool collapsed = !mr && x < 0.75 * shoulder && shoulder - x > 0.15 * p75;
    if (lowest && (healthy || collapsed)) {
      minima.push_back({ q, (healthy ? 1.0 : 0.5) * (1.0 - x / std::max(1e-6, shoulder)) });
    }
  }
  std::vector<double> best(minima.size());
  std::vector<long> from(minima.size(), -1);
  for (std::size_t a = 0; a < minima.size(); ++a) {
    best[a] = minima[a].depth;
    for (std::size_t b = 0; b < a; ++b) {
      int gap = minima[a].at - minima[b].at;
      if (gap >= 22 && gap <= 50 && best[b] + minima[a].depth > best[a]) {
        best[a] = best[b] + minima[a].depth;
        from[a] = static_cast<long>(b);
      }
    }
  }
  std::vector<Run> discs;
  if (!minima.empty()) {
    long a = static_cast<long>(std::max_element(best.begin(), best.end()) - best.begin());
    for (; a >= 0; a = from[static_cast<std::size_t>(a)]) {
      const Minimum& mnm = minima[static_cast<std::size_t>(a)];
      // the disc's extent: where the profile stays under half way to its shoulders
      const double x = s[static_cast<std::size_t>(mnm.at)];
      const double level = x + 0.5 * (0.5 * p75 - x);
      int lo = mnm.at, hi = mnm.at;
      while (lo - 1 >= 0 && mnm.at - (lo - 1) <= 12 && s[static_cast<std::size_t>(lo - 1)] < level) {
        --lo;
      }
      while (hi + 1 < n && (hi + 1) - mnm.at <= 12 && s[static_cast<std::size_t>(hi + 1)] < level) {
        ++hi;
      }
      discs.push_back({ lo, hi });
    }
    std::reverse(discs.begin(), discs.end());
  }
  return discs;
}

/// A body between two discs one and a half times as tall as the median body is two bodies whose
/// disc was missed (a collapsed disc on a strongly tilted segment dips too little; along the canal,
/// on the concave side of the lordosis, two such bodies measured 40 mm against a median of 24): a
/// disc is put at the profile's lowest point in the middle of that stretch, if it dips there. Only between
/// two discs found: above the first disc and below the last (the sacrum) a long run is expected.
void splitDoubleBodies(std::vector<Run>& discs, const std::vector<double>& profile)
{
  if (discs.size() < 3) {
    return;
  }
  std::vector<double> gaps;
  for (std::size_t d = 1; d < discs.size(); ++d) {
    gaps.push_back(discs[d].first - discs[d - 1].last);
  }
  const double body = percentile(gaps, 0.5);
  std::vector<Run> out{ discs.front() };
  for (std::size_t d = 1; d < discs.size(); ++d) {
    const int from = discs[d - 1].last;
    const int to = discs[d].first;
    if (to - from > 1.5 * body) {
      const int a = from + static_cast<int>(0.3 * (to - from));
      const int b = to - static_cast<int>(0.3 * (to - from));
      int at = a;
      for (int q = a; q <= b; ++q) {
        if (profile[static_cast<std::size_t>(q)] < profile[static_cast<std::size_t>(at)]) {
          at = q;
        }
      }
      std::vector<double> stretch(profile.begin() + from, profile.begin() + to);
      if (profile[static_cast<std::size_t>(at)] < 0.9 * percentile(stretch, 0.5)) {
        out.push_back({ at - 1, at + 1 });
      }
    }
    out.push_back(discs[d]);
  }
  discs = out;
}

/// The vertebrae between the discs; the ends are open unless the image ends there.
std::vector<Segment> segmentsBetween(const std::vector<Run>& discs, const ProfileRows& rows, bool mr)
{
  const std::vector<double>& s = rows.smooth;
  const std::vector<double>& valid = rows.valid;
  const int n = static_cast<int>(s.size());
  const double kInView = rows.inView, p75 = rows.p75;
  const double theta = 0.25 * p75; // no bone of a body below this
  std::vector<Segment> segs;
  int start = 0;
  while (start < n && valid[static_cast<std::size_t>(start)] <= kInView) {
    ++start;
  }
  int end = n - 1;
  while (end > start && valid[static_cast<std::size_t>(end)] <= kInView) {
    --end;
  }
  int cursor = start;
  for (std::size_t d = 0; d <= discs.size(); ++d) {
    Segment seg;
    seg.run.first = cursor;
    seg.run.last = d < discs.size() ? discs[d].first - 1 : end;
    seg.topOpen = d == 0;
    seg.bottomOpen = d == discs.size();
    // trim low-profile ends (no bone of this body there)
    while (seg.run.first < seg.run.last && s[static_cast<std::size_t>(seg.run.first)] < theta) {
      ++seg.run.first;
    }
    while (seg.run.last > seg.run.first && s[static_cast<std::size_t>(seg.run.last)] < theta) {
      --seg.run.last;
    }
    // MR: an end the image leaves open may run on into liver or bowel (marrow-like signal with
    // walls through it, a body region about half full): only rows two thirds as full as the
    // spine's bodies are this body's
    const double open = 0.65 * p75;
    while (mr && seg.topOpen && seg.run.first < seg.run.last &&
           s[static_cast<std::size_t>(seg.run.first)] < open) {
      ++seg.run.first;
    }
    while (mr && seg.bottomOpen && seg.run.last > seg.run.first &&
           s[static_cast<std::size_t>(seg.run.last)] < open) {
      --seg.run.last;
    }
    // MR: bowel and liver read as marrow with walls through them (the fat between loops); a body's
    // marrow fills the body region, theirs only half of it
    double peak = 0;
    for (int q = seg.run.first; q <= seg.run.last; ++q) {
      peak = std::max(peak, s[static_cast<std::size_t>(q)]);
    }
    if (seg.run.length() >= 8 && (!mr || peak >= 0.7 * p75)) {
      segs.push_back(seg);
    }
    if (d < discs.size()) {
      cursor = discs[d].last + 1;
    }
  }
  return segs;
}

/// How far a segment's body bone runs on beyond the end of the centreline (which stops 55 mm below
/// the canal found; a steep sacrum runs on past it): along the line's last direction, while the
/// body region holds at least half the bone of the segment's last row, up to 40 mm. 0 when the
/// segment ends before the line does.
double boneBeyondLine(const Segment& seg, const WorkVolume& work, const std::vector<CentrelinePoint>& line)
{
  if (line.size() < 2 || seg.run.last + 2 < static_cast<int>(line.size())) {
    return 0.0;
  }
  CentrelinePoint end = line.back();
  const Eigen::Vector3d step = line.back().centre - line[line.size() - 2].centre;
  if (end.tangent.dot(step) < 0) {
    end.tangent = -end.tangent;
  }
  const double last = boneFraction(work, end, -28, 28, 6, 55);
  if (last < 0.05) { // (no bone at the line's end: nothing to follow)
    return 0.0;
  }
  double mm = 0;
  for (double w = 1.0; w <= 40.0; w += 1.0) {
    CentrelinePoint q = end;
    q.centre = end.at(0, 0, w);
    double valid = 0;
    if (boneFraction(work, q, -28, 28, 6, 55, kBoneHu, &valid) < 0.5 * last || valid < 0.8) {
      break;
    }
    mm = w;
  }
  return mm;
}

/// Sacral alae and ribs beside each segment.
void measureAlaeAndRibs(std::vector<Segment>& segments, const WorkVolume& work,
                        const std::vector<CentrelinePoint>& line, bool mr)
{
  // a body's height: the median of the segments closed at both ends (25 mm when none is)
  std::vector<double> heights;
  for (const auto& seg : segments) {
    if (!seg.topOpen && !seg.bottomOpen) {
      heights.push_back(seg.run.length());
    }
  }
  const double bodyHeight = heights.empty() ? 25.0 : percentile(heights, 0.5);
  for (auto& seg : segments) {
    int a0 = seg.run.first + 3, a1 = std::min(seg.run.last, seg.run.first + 15);
    double left = 0, right = 0;
    int cnt = 0;
    for (int k = a0; k <= a1; ++k) {
      left += boneFraction(work, line[static_cast<std::size_t>(k)], 22, 42, 4, 30);
      right += boneFraction(work, line[static_cast<std::size_t>(k)], -42, -22, 4, 30);
      ++cnt;
    }
    seg.alaLeft = cnt ? left / cnt : 0;
    seg.alaRight = cnt ? right / cnt : 0;
    seg.alae = !seg.topOpen && std::min(seg.alaLeft, seg.alaRight) > 0.25;
    // S1 is fused with S2 below it (no disc): its segment runs on a body's height and more. A
    // lumbar vertebra with wide transverse processes where the image ends is not (it took L5 for S1)
    seg.fusedBelowMm = std::max(0.0, seg.run.length() - bodyHeight + boneBeyondLine(seg, work, line));
    // (a fifth of a body: the centreline, running straight on below the canal found, leaves a steep
    // sacrum after S2's top on some scans: 7 mm on the real CT resampled to 0.6 mm, 63 mm at 3 mm)
    seg.sacral = seg.alae && seg.fusedBelowMm >= 0.2 * bodyHeight;
    // ribs leave the vertebra laterally and descend: the strongest row over the body and 8 mm below,
    // 50-70 mm from the canal, behind the body
    const int r1 = std::min(static_cast<int>(line.size()) - 1, seg.run.last + 8);
    seg.ribLeft = seg.ribRight = 0;
    for (int k = seg.run.first; k <= r1; ++k) {
      seg.ribLeft =
        std::max(seg.ribLeft, boneFraction(work, line[static_cast<std::size_t>(k)], 50, 70, -35, 5));
      seg.ribRight =
        std::max(seg.ribRight, boneFraction(work, line[static_cast<std::size_t>(k)], -70, -50, -35, 5));
    }
    // a rib's head articulates with its vertebra's body (the costovertebral joint): bone just
    // beside the body's back half, over its upper two thirds, where a lumbar vertebra has none (the
    // psoas). The twelfth rib also crosses the band beside L1 as it descends (0.05-0.13 of it), but
    // L1 has no rib heads; a hypoplastic twelfth rib barely reaches the band but has its heads
    const int upper = seg.run.first + (seg.run.last - seg.run.first) * 2 / 3;
    seg.ribHeadLeft = seg.ribHeadRight = 0;
    for (int k = seg.run.first; k <= upper; ++k) {
      const CentrelinePoint& p = line[static_cast<std::size_t>(k)];
      seg.ribHeadLeft = std::max(seg.ribHeadLeft, boneFraction(work, p, 24, 34, 8, 24));
      seg.ribHeadRight = std::max(seg.ribHeadRight, boneFraction(work, p, -34, -24, 8, 24));
    }
    const double heads = std::min(seg.ribHeadLeft, seg.ribHeadRight);
    const double clearestHead = std::max(seg.ribHeadLeft, seg.ribHeadRight);
    // not on MR: the kidneys beside T12-L2 share marrow's T2 signal and fill the ribs' band (0.4-0.6
    // of it, against 0.2-0.3 for ribs)
    // (ribs on both sides with a head clear on at least one: the real CT's T12, cut by the image's
    // top, shows its right head at 0.04-0.08; a stub of a rib needs its heads clear on both sides)
    seg.ribs = !mr && ((seg.ribLeft > 0.04 && seg.ribRight > 0.04 && clearestHead >= 0.1) || heads >= 0.2);
  }
}

/// Refuses a profile whose bodies do not alternate with discs along the canal in view.
void requireBodiesAlongTheCanal(const std::vector<Segment>& segments, const ProfileRows& rows, bool mr)
{
  if (segments.size() < 2) {
    throw Error(ErrorCode::NotFound,
                std::string("no spine model: a ") + (mr ? "CSF-bright" : "bony") +
                  " canal was found, but fewer than two vertebral bodies could be told apart along it");
  }
  // bodies and discs alternate along the whole canal in view: bodies over less than half of it
  // mean the bone's signal was not understood (a fat-suppressed MR darkens marrow), not a spine
  // with gaps; refused rather than labelled from the few bodies found
  const int n = static_cast<int>(rows.valid.size());
  int inView = 0, covered = 0;
  for (int i = 0; i < n; ++i) {
    inView += rows.valid[static_cast<std::size_t>(i)] > rows.inView ? 1 : 0;
  }
  int gap = 0;
  for (std::size_t i = 0; i < segments.size(); ++i) {
    covered += segments[i].run.length();
    if (i > 0) {
      gap = std::max(gap, segments[i].run.first - segments[i - 1].run.last - 1);
    }
  }
  // (a disc is 3-15 mm high; over 45 mm without a body, one is missing and counting would skip it)
  if ((inView > 120 && covered < 0.5 * inView) || gap > 45) {
    const std::string found =
      covered < 0.5 * inView
        ? "vertebral bodies were found along only " + std::to_string(covered) + " mm of it"
        : "a stretch of " + std::to_string(gap) + " mm of it holds no vertebral body";
    throw Error(ErrorCode::NotFound,
                "no spine model: the canal runs " + std::to_string(inView) + " mm through the image, but " +
                  found + "; " +
                  (mr ? "drgplan reads marrow on T2-weighted MR without fat suppression (fat-suppressed "
                        "and STIR series darken it), so load such a T2 series or a CT; a body lost to a "
                        "lesion or oedema does the same"
                      : "the bone's intensities may not be those of a CT in Hounsfield units, or a body is "
                        "lost (fracture, lesion, metal): levels cannot be counted across it"));
  }
}

} // namespace

BodyProfile findBodiesAndDiscs(const WorkVolume& work, const std::vector<CentrelinePoint>& line, bool mr)
{
  const ProfileRows rows = measureProfile(work, line, mr);
  BodyProfile out;
  out.profile = rows.smooth;
  out.discs = findDiscs(rows, mr);
  if (!mr) {
    splitDoubleBodies(out.discs, rows.smooth);
  }
  out.segments = segmentsBetween(out.discs, rows, mr);
  measureAlaeAndRibs(out.segments, work, line, mr);
  requireBodiesAlongTheCanal(out.segments, rows, mr);
  return out;
}

} // namespace drg::imaging::spine
