// The pedicles: measured on each side of each vertebra in its rotated centreline frame, and the
// arches seeded from them.
#include "spine/SpineAnalysis.h"

#include "spine/SpineMath.h"
#include "spine/SpineTuning.h"

#include <algorithm>
#include <cmath>

namespace drg::imaging::spine
{

/// Which of a thoracic pedicle's rows gives its outer wall: the lower quartile of their widths.
constexpr double kThoracicWallQuantile = 0.25;

bool SpineAnalysis::boneOf(const Vector3d& p, int label, double threshold) const
{
  const WorkGrid& g = m_work.grid;
  Vector3d c = g.continuousIndex(p);
  int i = static_cast<int>(std::lround(c.x())), j = static_cast<int>(std::lround(c.y())),
      k = static_cast<int>(std::lround(c.z()));
  if (!g.inside(i, j, k)) {
    return false;
  }
  // the label of the nearest bone voxel around (edges fall between voxels)
  const bool own = labelAround(p, [label](std::uint8_t l) { return l == label; });
  float x = m_work.sample(p);
  return own && !std::isnan(x) && x >= threshold;
}

bool SpineAnalysis::filledBoneOf(const Vector3d& p, int label) const
{
  const WorkGrid& g = m_work.grid;
  Vector3d c = g.continuousIndex(p);
  int i = static_cast<int>(std::lround(c.x())), j = static_cast<int>(std::lround(c.y())),
      k = static_cast<int>(std::lround(c.z()));
  return g.inside(i, j, k) && m_bone.bone[g.index(i, j, k)] && m_labels[g.index(i, j, k)] == label;
}

std::optional<double> SpineAnalysis::bodyBackWall(const Segment& seg) const
{
  // the body's posterior wall (the canal's anterior wall) bounds the pedicle in front: one value
  // for the vertebra (the wall is straight; mid-height it has the basivertebral veins' gap)
  std::vector<double> walls;
  for (int n = seg.run.first; n <= seg.run.last; ++n) {
    const CentrelinePoint p = rotated(m_line[static_cast<std::size_t>(n)], seg.rotation);
    // the first bone in front of the canal; a thin osteoporotic wall blurs below the bone
    // threshold, so the first 1 mm above faint marrow's level counts too (CSF, fat and the
    // cauda equina are darker)
    double faint = -1;
    int run = 0;
    for (double v = 0; v <= 15.0; v += 0.25) {
      float x = m_work.sample(p.at(0, v));
      if (!std::isnan(x) && x >= kBoneHu) {
        walls.push_back(faint >= 0 ? std::min(faint, v) : v);
        break;
      }
      run = !std::isnan(x) && x >= kPedicleInsideHu ? run + 1 : 0;
      if (run == 4 && faint < 0) {
        faint = v - 0.75;
      }
    }
  }
  if (walls.empty()) {
    return std::nullopt;
  }
  return percentile(walls, 0.5);
}

SpineAnalysis::PedicleRows SpineAnalysis::measurePedicleRows(const Segment& seg, double side,
                                                             double minMedial, double vBody) const
{
  const std::size_t rows = static_cast<std::size_t>(seg.run.length());
  PedicleRows out;
  out.uMed.assign(rows, -1);
  out.uLat.assign(rows, -1);
  out.uReach.assign(rows, -1);
  out.vMid.assign(rows, 0);
  std::vector<double>&uMed = out.uMed, &uLat = out.uLat, &uReach = out.uReach, &vMid = out.vMid;
  for (int n = seg.run.first; n <= seg.run.last; ++n) {
    const CentrelinePoint p = rotated(m_line[static_cast<std::size_t>(n)], seg.rotation);
    double bestU = 1e9, bestV = 0;
    // just behind the body: the root of the pedicle (articular processes lie further back)
    for (double v = vBody - 4.0; v <= vBody - 1.5; v += 0.5) {
      bool skipping = false;
      for (double u = 3; u <= 22; u += 0.25) {
        const Vector3d q = p.at(side * u, v);
        if (!boneOf(q, seg.label, kBoneHu)) {
          skipping = false;
        } else if (skipping || u < minMedial) {
          // T2: a root in the lateral recess, not the pedicle's wall. Where a root lies against
          // the pedicle the row is lost rather than guessed (the bone just past the root may be the
          // root again); the other rows measure the pedicle
          skipping = true;
        } else {
          if (u < bestU) {
            bestU = u;
            bestV = v;
          }
          break;
        }
      }
    }
    const std::size_t at = static_cast<std::size_t>(n - seg.run.first);
    if (bestU > 21) {
      continue;
    }
    // lateral wall: where the bone ends going outwards (gaps under 1 mm bridged)
    double lat = bestU, edge = bestU;
    double gap = 0;
    for (double u = bestU; u <= bestU + 30; u += 0.25) {
      const Vector3d q = p.at(side * u, bestV);
      float x = m_work.sample(q);
      // inside the pedicle, faint (osteoporotic) marrow still counts: above muscle and fat
      if ((!std::isnan(x) && x >= kPedicleInsideHu) || filledBoneOf(q, seg.label)) {
        lat = u;
        // the lateral wall: the last sample at the edge threshold (the faint level would place it
        // where a tenth of a voxel is cortex, a millimetre or more out)
        if ((!std::isnan(x) && x >= kBoneHu) || filledBoneOf(q, seg.label)) {
          edge = u;
        }
        gap = 0;
      } else if ((gap += 0.25) > 1.0) {
        break;
      }
    }
    if (lat - bestU < 2.0) {
      continue;
    }
    // antero-posterior middle of the bone 2 mm lateral of the medial wall
    const double uMid = bestU + std::min(2.0, 0.5 * (lat - bestU));
    double vLo = bestV, vHi = std::min(vBody, bestV);
    for (double v = bestV; v >= bestV - 15; v -= 0.25) {
      const Vector3d q = p.at(side * uMid, v);
      if (!boneOf(q, seg.label, kPedicleInsideHu) && !filledBoneOf(q, seg.label)) {
        break;
      }
      vLo = v;
    }
    vHi = std::max(vHi, vBody);
    uMed[at] = bestU;
    // on T2 MR the cortex is dark (soft tissue on the bone scale): the bone is the marrow, and
    // its faint reach stands in for the cortex around it
    uLat[at] = m_mr ? lat : edge;
    uReach[at] = lat;
    vMid[at] = 0.5 * (vLo + vHi);
  }
  return out;
}

bool SpineAnalysis::choosePedicleRun(const Segment& seg, const PedicleRows& measured,
                                     PedicleMeasure& best) const
{
  const std::size_t rows = measured.uMed.size();
  const std::vector<double>& uMed = measured.uMed;
  // runs of rows with a pedicle, gaps of up to 2 rows bridged; the run that overlaps the upper
  // half of the body most (the pedicle springs from it)
  std::vector<Run> runs;
  for (std::size_t r = 0; r < rows; ++r) {
    if (uMed[r] < 0) {
      continue;
    }
    int n = seg.run.first + static_cast<int>(r);
    if (!runs.empty() && n - runs.back().last <= 3) {
      runs.back().last = n;
    } else {
      runs.push_back({ n, n });
    }
  }
  const int upperFirst = seg.run.first, upperLast = seg.run.first + seg.run.length() / 2;
  int bestOverlap = 0;
  for (const Run& r : runs) {
    int overlap = std::min(r.last, upperLast) - std::max(r.first, upperFirst) + 1;
    if (overlap > bestOverlap || (overlap == bestOverlap && r.length() > best.run.length())) {
      bestOverlap = overlap;
      best.run = r;
      best.found = true;
    }
  }
  if (!best.found || best.run.length() < 3) {
    best.found = false;
    return false;
  }
  // the pedicles make the narrowest part of the canal: keep the stretch of rows whose medial wall
  // is within 3 mm of the narrow end (a robust low percentile, not a single row) that overlaps
  // the upper half of the body most, the longer one where they tie: above and below, bone further
  // out belongs to the articular processes or the body (S1: a narrow stretch below the pedicle
  // along the first sacral foramen's wall is as narrow, and as long)
  {
    std::vector<double> walls;
    for (int n = best.run.first; n <= best.run.last; ++n) {
      const double u = uMed[static_cast<std::size_t>(n - seg.run.first)];
      if (u >= 0) {
        walls.push_back(u);
      }
    }
    const double limit = percentile(walls, 0.2) + 3.0;
    Run longest{ 0, -1 };
    int longestOverlap = -1000000;
    int start = -1;
    for (int n = best.run.first; n <= best.run.last + 1; ++n) {
      const double u = n <= best.run.last ? uMed[static_cast<std::size_t>(n - seg.run.first)] : -1.0;
      const bool ok = u >= 0 && u <= limit;
      if (ok && start < 0) {
        start = n;
      }
      if (!ok && start >= 0) {
        const Run stretch{ start, n - 1 };
        const int overlap = std::min(stretch.last, upperLast) - std::max(stretch.first, upperFirst) + 1;
        if (overlap > longestOverlap || (overlap == longestOverlap && stretch.length() > longest.length())) {
          longest = stretch;
          longestOverlap = overlap;
        }
        start = -1;
      }
    }
    if (longest.length() < 3) {
      best.found = false;
      return false;
    }
    best.run = longest;
  }
  return true;
}

double SpineAnalysis::pedicleEdge(const CentrelinePoint& c, const Vector3d& through, double dir,
                                  double fallback) const
{
  std::vector<double> f;
  for (double w = 0; w <= 20.0; w += 0.25) {
    float x = m_work.sample(through + dir * w * c.tangent);
    f.push_back(std::isnan(x) ? -1000.0 : x);
  }
  // leave the bone (2 mm below the bone threshold: faint marrow inside the pedicle is not the
  // outside), then take the half-maximum crossing
  std::size_t out = 0;
  for (std::size_t i = 0; i + 8 < f.size(); ++i) {
    bool below = true;
    for (std::size_t q = i; q < i + 8 && below; ++q) {
      below = f[q] < kBoneHu;
    }
    if (below) {
      out = i;
      break;
    }
  }
  if (out == 0) {
    return fallback;
  }
  double peak = -1e9, floor = 1e9;
  for (std::size_t i = out >= 12 ? out - 12 : 0; i <= out; ++i) {
    peak = std::max(peak, f[i]);
  }
  for (std::size_t i = out; i < std::min(f.size(), out + 16); ++i) {
    floor = std::min(floor, f[i]);
  }
  const double half = 0.5 * (peak + floor);
  std::size_t peakAt = out >= 12 ? out - 12 : 0;
  for (std::size_t i = peakAt; i <= out; ++i) {
    if (f[i] >= peak) {
      peakAt = i;
    }
  }
  for (std::size_t i = peakAt; i + 1 < f.size(); ++i) {
    if (f[i] >= half && f[i + 1] < half) {
      double t = (f[i] - half) / (f[i] - f[i + 1]);
      const double at = (static_cast<double>(i) + t) * 0.25;
      if (!m_mr) {
        return at;
      }
      // T2 MR: the edge above is marrow's; the bone ends at its dark cortex, the darkest T2
      // signal within the next 3 mm (the marrow's edge alone makes the pedicle a cortex too short)
      double darkest = at, low = 1e30;
      for (double w = at; w <= at + 3.0; w += 0.25) {
        const float x = m_raw.sample(through + dir * w * c.tangent);
        if (!std::isnan(x) && x < low) {
          low = x;
          darkest = w;
        }
      }
      return darkest;
    }
  }
  return fallback;
}

PedicleMeasure SpineAnalysis::measurePedicle(const Segment& seg, double side, double minMedial) const
{
  PedicleMeasure best;
  const std::optional<double> vBody = bodyBackWall(seg);
  if (!vBody) {
    return best;
  }
  const PedicleRows rows = measurePedicleRows(seg, side, minMedial, *vBody);
  if (!choosePedicleRun(seg, rows, best)) {
    return best;
  }
  const std::vector<double>&uMed = rows.uMed, &uLat = rows.uLat, &uReach = rows.uReach, &vMid = rows.vMid;
  std::vector<double> med, lat, reach, vs;
  for (int n = best.run.first; n <= best.run.last; ++n) {
    std::size_t at = static_cast<std::size_t>(n - seg.run.first);
    if (uMed[at] >= 0) {
      med.push_back(uMed[at]);
      lat.push_back(uLat[at]);
      reach.push_back(uReach[at]);
      vs.push_back(vMid[at]);
    }
  }
  best.uMed = percentile(med, 0.5);
  // a rib's head lies against the upper part of a thoracic pedicle's outer wall and widens only
  // the rows it touches: there the wall is read from the narrower rows (the lower quartile), where
  // the pedicle stands alone; thoracic ganglia are placed from this wall
  // (never inside the inner wall: the rows' walls are taken apart, and the narrow rows at the
  // pedicle's top and bottom have the innermost outer walls)
  best.uLat =
    std::max(best.uMed, percentile(lat, seg.level.rfind('T', 0) == 0 ? kThoracicWallQuantile : 0.5));
  best.uReach = percentile(reach, 0.5);
  // a rib or transverse process merged with the pedicle (coarse images) must not widen it beyond
  // what anatomy allows
  if (const DrgLevelPrior* prior = drgPriors().find(seg.level)) {
    best.uLat = std::min(best.uLat, best.uMed + 1.6 * prior->pedicleWidthMm);
    best.uReach = std::min(best.uReach, best.uMed + 1.6 * prior->pedicleWidthMm);
  }
  best.v = percentile(vs, 0.5);
  // upper and lower edges at half maximum along the spine axis through the pedicle's middle
  const double mid = best.run.mid();
  const CentrelinePoint c = rotated(pointAt(mid), seg.rotation);
  auto edge = [&](const Vector3d& through, double dir, double fallback) {
    return pedicleEdge(c, through, dir, fallback);
  };
  // the tangent points to the head; centreline positions grow towards the feet. The pedicle is an
  // oval tube angled towards the midline: its height is the largest extent across its width.
  // refined within 2 mm of the rows that showed the pedicle (adjacent bone must not extend it)
  const double runTop = best.run.first - 0.5, runBottom = best.run.last + 0.5;
  best.top = runTop;
  best.bottom = runBottom;
  // each edge: the median over three positions across the pedicle, kept within 2 mm of the rows
  std::vector<double> ups, downs;
  for (double f : { 0.4, 0.5, 0.6 }) {
    const Vector3d through = c.at(side * (best.uMed + f * (best.uReach - best.uMed)), best.v);
    const double up = edge(through, 1.0, -1.0), down = edge(through, -1.0, -1.0);
    if (up > 0 && std::abs(mid - up - runTop) <= 2.0) {
      ups.push_back(up);
    }
    if (down > 0 && std::abs(mid + down - runBottom) <= 2.0) {
      downs.push_back(down);
    }
  }
  if (!ups.empty()) {
    best.top = mid - percentile(ups, 0.5);
  }
  if (!downs.empty()) {
    best.bottom = mid + percentile(downs, 0.5);
  }
  return best;
}

int SpineAnalysis::measurePedicles(bool missingOnly)
{
  int found = 0;
  if (!missingOnly) {
    m_pedicles.assign(m_segments.size(), {});
  }
  for (std::size_t si = 0; si < m_segments.size(); ++si) {
    const Segment& seg = m_segments[si];
    if (seg.level == "sacrum") {
      continue;
    }
    for (int s = 0; s < 2; ++s) {
      PedicleMeasure& measure = m_pedicles[si][static_cast<std::size_t>(s)];
      const double side = s == 0 ? 1.0 : -1.0;
      if (missingOnly && measure.found) {
        continue;
      }
      // T2 MR: the roots in the lateral recess share marrow's signal and may touch the bone, where
      // they would be taken for the pedicle's medial wall. The canal does not narrow
      // between the pedicles going down (the interpedicular distance grows from T10 to S1), so
      // bone more than 1.5 mm inside the medial wall of the vertebra above is no pedicle.
      double minMedial = 0.0;
      if (m_mr && si > 0 && seg.run.first - m_segments[si - 1].run.last < 20) {
        const PedicleMeasure& above = m_pedicles[si - 1][static_cast<std::size_t>(s)];
        minMedial = above.found ? above.uMed - 1.5 : 0.0;
      }
      // nor bone inside the thecal sac's reach (T2: the roots and the ventral epidural space beside
      // the sac are marrow-like, and would be taken for a thoracic pedicle's medial wall)
      // CT: nor bone in the inner half of the canal's reach (a lamina's or the sacral crest's piece
      // where coarse slices cut it: the 3 mm phantom's S1 found 2 mm beside the midline)
      minMedial = std::max(minMedial, (m_mr ? 1.0 : 0.5) * sacHalfWidth(seg, side));
      measure = measurePedicle(seg, side, minMedial);
      found += measure.found ? 1 : 0;
    }
    // the two pedicles of a vertebra stand at the same height along its axis: where both were
    // measured and agree within 6 mm, their edges are averaged (so one noisy side does not move
    // its ganglion alone)
    auto& pair = m_pedicles[si];
    if (pair[0].found && pair[1].found && std::abs(pair[0].centre() - pair[1].centre()) < 6.0) {
      const double top = 0.5 * (pair[0].top + pair[1].top), bottom = 0.5 * (pair[0].bottom + pair[1].bottom);
      for (auto& m : pair) {
        m.top = top;
        m.bottom = bottom;
      }
    } else if (m_mr && pair[0].found && pair[1].found) {
      // T2 MR, the sides far apart: the lower one has taken a root below its pedicle (the roots
      // share marrow's signal and leave the canal below the pedicles), and the upper one's height
      // stands for both; unless the upper one is a fragment, measured over less than two thirds
      // of the other's height (then it is likely the articular processes above the body, and
      // both ganglia would follow it a level's height off)
      const std::size_t upper = pair[0].centre() < pair[1].centre() ? 0 : 1;
      const std::size_t keep =
        pair[upper].height() < 2.0 / 3.0 * pair[1 - upper].height() ? 1 - upper : upper;
      pair[1 - keep].top = pair[keep].top;
      pair[1 - keep].bottom = pair[keep].bottom;
    }
  }
  return found;
}

void SpineAnalysis::publishPedicles(SpineModel& model)
{
  for (std::size_t si = 0; si < m_segments.size() && si < m_pedicles.size(); ++si) {
    const Segment& seg = m_segments[si];
    if (seg.level == "sacrum") {
      continue;
    }
    const auto& pair = m_pedicles[si];
    for (int s = 0; s < 2; ++s) {
      double side = s == 0 ? 1.0 : -1.0;
      const PedicleMeasure& m = pair[static_cast<std::size_t>(s)];
      if (!m.found) {
        m_warnings.push_back("no pedicle found for " + seg.level + " " + (s == 0 ? "left" : "right"));
        continue;
      }
      const CentrelinePoint p = rotated(pointAt(m.centre()), seg.rotation);
      SpinePedicle ped;
      ped.level = seg.level;
      ped.side = s == 0 ? Side::Left : Side::Right;
      ped.centre = p.at(side * 0.5 * (m.uMed + m.uLat), m.v);
      ped.medialBorder = p.at(side * m.uMed, m.v);
      ped.lateralBorder = p.at(side * m.uLat, m.v);
      ped.widthMm = m.uLat - m.uMed;
      ped.heightMm = m.height();
      ped.inferiorBorderMm = -(m.bottom - m.centre());
      model.pedicles.push_back(ped);
    }
  }
}

} // namespace drg::imaging::spine
