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
/// the discs, so the deepest regular sequence wins.
std::vector<Run> findDiscs(const ProfileRows& rows)
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
    if (valid[static_cast<std::size_t>(q)] <= kInView || x >= 0.6 * p75) {
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
    if (lowest && x < 0.5 * std::min(leftMax, rightMax)) {
      minima.push_back({ q, 1.0 - x / std::max(1e-6, std::min(leftMax, rightMax)) });
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

/// Sacral alae and ribs beside each segment.
void measureAlaeAndRibs(std::vector<Segment>& segments, const WorkVolume& work,
                        const std::vector<CentrelinePoint>& line, bool mr)
{
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
    seg.sacral = !seg.topOpen && std::min(seg.alaLeft, seg.alaRight) > 0.25;
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
    // not on MR: the kidneys beside T12-L2 share marrow's T2 signal and fill the ribs' band (0.4-0.6
    // of it, against 0.2-0.3 for ribs)
    seg.ribs = !mr && seg.ribLeft > 0.04 && seg.ribRight > 0.04;
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
  out.discs = findDiscs(rows);
  out.segments = segmentsBetween(out.discs, rows, mr);
  measureAlaeAndRibs(out.segments, work, line, mr);
  requireBodiesAlongTheCanal(out.segments, rows, mr);
  return out;
}

} // namespace drg::imaging::spine
