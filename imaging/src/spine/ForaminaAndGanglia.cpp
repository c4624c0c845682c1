// Foramina and ganglia: each ganglion placed below its pedicle in the foramen's free space by the
// priors, with its uncertainty ellipsoid and zone; missing ones placed from their neighbours.
#include "spine/SpineAnalysis.h"

#include "spine/Foramen.h"

#include "spine/SpineMath.h"
#include "spine/SpineTuning.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <numeric>

namespace drg::imaging::spine
{

/// Free interval along v (anterior +) around v = `v0` at (n, u): first wall each way, or the limit.
/// With `wallOf`, only samples it accepts can be walls (e.g. the bone of the vertebrae around).
std::pair<double, double> freeIntervalAlongV(const WorkVolume& w, const CentrelinePoint& p, double u,
                                             double v0, double limit,
                                             const std::function<bool(const Vector3d&)>& wallOf)
{
  auto wall = [&](const Vector3d& q, float x) { return x >= kWallHu && (!wallOf || wallOf(q)); };
  // start in free space: a start on a wall's edge would measure nothing (backwards first: the
  // ganglion lies in the dorsal part of the foramen)
  for (double t = 0; t <= 6.0; t += 0.5) {
    const float b = w.sample(p.at(u, v0 - t));
    if (!std::isnan(b) && !wall(p.at(u, v0 - t), b)) {
      v0 -= t;
      break;
    }
    const float a = w.sample(p.at(u, v0 + t));
    if (!std::isnan(a) && !wall(p.at(u, v0 + t), a)) {
      v0 += t;
      break;
    }
  }
  // a wall is 1 mm of samples at or above kWallHu (single noisy samples are not walls), or one
  // sample of clear bone (a thin process seen in partial volume)
  auto walk = [&](double dir) {
    double last = v0;
    int run = 0;
    for (double t = 0; t <= limit; t += 0.5) {
      const Vector3d q = p.at(u, v0 + dir * t);
      float x = w.sample(q);
      if (std::isnan(x) || wall(q, x)) {
        if (++run >= 2 || std::isnan(x) || x >= kThinBoneHu) {
          break;
        }
      } else {
        run = 0;
        last = v0 + dir * t;
      }
    }
    return last;
  };
  return { walk(1.0), walk(-1.0) };
}

bool SpineAnalysis::nearVertebra(const Vector3d& q) const
{
  return labelAround(q, [](std::uint8_t l) { return l != 0 && l != labels::kSpinalCanal; });
}

GanglionPlace SpineAnalysis::placeGanglion(const Segment& seg, const PedicleMeasure& ped,
                                           const DrgLevelPrior& prior, double side, bool sacral) const
{
  const DrgPriors& priors = drgPriors();
  GanglionPlace place;
  place.found = true;
  double ng = 0;
  if (sacral) {
    ng = ped.centre() + priors.s1BelowPedicleCentreMm;
    place.u = ped.uMed + prior.medialOffset.value_or(0.0);
  } else {
    ng = ped.bottom + priors.belowPedicleMm + 0.5 * prior.width;
    place.u = prior.medialOffset ? ped.uMed + *prior.medialOffset
                                 : ped.uLat + priors.thoracicGapLateralMm + 0.5 * prior.width;
  }
  // placed in the pedicle's own frame, moved along its axis: where the canal bends (L5/S1)
  // the frame further down would tilt the offsets
  CentrelinePoint& p = place.frame;
  p = rotated(pointAt(ped.centre()), seg.rotation);
  p.centre -= (ng - ped.centre()) * p.tangent;
  // (MR: the walls volume of measureForaminaAndGanglia, whose walls are its vertebrae and dark tissue)
  const WorkVolume& walls = m_mr ? m_mrWalls : m_work;
  if (sacral) {
    // just behind the canal's front wall (the body), inside the canal (T2: the wall is the
    // body's bone; the dark tissue in front of the roots is no wall)
    const auto bodyOnly = [this](const Vector3d& q) {
      return !m_mr || m_mrWalls.nearest(q) > kT2WallBoneAbove;
    };
    double ant = freeIntervalAlongV(walls, p, side * place.u, 0.0, 20.0, bodyOnly).first;
    if (ant >= 20.0) { // no body within reach: the nearest wall of any kind
      ant = freeIntervalAlongV(walls, p, side * place.u, 0.0, 20.0).first;
    }
    // (T2: the S1 root in front of its ganglion shares marrow's signal and can join the body's
    // label there; the body's wall at the canal's midline, where no root runs, stands for it when
    // it lies clearly further in front)
    if (m_mr) {
      const double atMidline = freeIntervalAlongV(walls, p, 0.0, 0.0, 20.0, bodyOnly).first;
      if (atMidline < 20.0 && atMidline > ant + kT2RootBeforeS1GanglionMm) {
        ant = atMidline;
      }
    }
    place.v = ant - (0.5 * prior.width + 0.5);
    place.free = prior.width;
    return place;
  }
  // the mean over three rays across the ganglion's middle (1 mm apart): a wall grazed by one ray
  // (beside the thoracic bodies their lateral surface runs along it) or a noisy sample does not
  // decide alone; where the rays disagree, the place is that uncertain
  const auto wallOf = [this](const Vector3d& q) { return m_mr || nearVertebra(q); };
  std::vector<double> places, frees;
  for (double du : { -1.0, 0.0, 1.0 }) {
    auto [ant, post] = freeIntervalAlongV(walls, p, side * (place.u + du), 4.0, 25.0, wallOf);
    const double vg = ant + priors.dorsalFraction * (post - ant);
    const double v = std::clamp(vg, std::min(ant - 0.5 * prior.width - 0.3, post + 0.5 * prior.width + 0.3),
                                ant - 0.5 * prior.width - 0.3);
    frees.push_back(ant - post);
    if (du == 0.0) {
      place.v = v;
    }
    if (ant - post >= 1.0) {
      places.push_back(v);
    }
  }
  place.free = percentile(frees, 0.5);
  if (!places.empty()) {
    place.v = std::accumulate(places.begin(), places.end(), 0.0) / static_cast<double>(places.size());
    const auto [lo, hi] = std::minmax_element(places.begin(), places.end());
    place.spread = 0.5 * (*hi - *lo);
  }
  return place;
}

void SpineAnalysis::measureForamen(SpineModel& model, const Segment& seg, const Segment& below,
                                   const PedicleMeasure& ped, const PedicleMeasure& next, double side,
                                   const WorkVolume& walls) const
{
  const Side sideName = side > 0 ? Side::Left : Side::Right;
  const double top = ped.bottom;
  const double bottom = next.found ? next.top : std::min(static_cast<double>(m_line.size() - 1), top + 15.0);
  if (bottom > top) {
    const double nf = 0.5 * (top + bottom);
    double uf =
      next.found ? 0.25 * (ped.uMed + ped.uLat + next.uMed + next.uLat) : 0.5 * (ped.uMed + ped.uLat);
    const CentrelinePoint p = rotated(pointAt(nf), seg.rotation);
    auto [ant, post] = freeIntervalAlongV(walls, p, side * uf, 4.0, 25.0);
    SpineForamen f;
    f.upperLevel = seg.level;
    f.lowerLevel = below.level;
    f.side = sideName;
    f.centre = p.at(side * uf, 0.5 * (ant + post));
    f.axis = side * p.left;
    f.widthMm = ant - post;
    f.heightMm = bottom - top;
    for (int a = 0; a < 24; ++a) {
      double ang = a * 2.0 * kPi / 24.0;
      double dv = std::cos(ang), dw = std::sin(ang);
      double r = 0;
      for (double t = 0; t <= 25.0; t += 0.5) {
        float x = walls.sample(p.at(side * uf, 0.5 * (ant + post) + t * dv, t * dw));
        if (std::isnan(x) || x >= kWallHu) {
          break;
        }
        r = t;
      }
      f.boundary.push_back(p.at(side * uf, 0.5 * (ant + post) + r * dv, r * dw));
    }
    model.foramina.push_back(f);
  }
}

DrgEstimate SpineAnalysis::ganglionByPriors(const Segment& seg, const PedicleMeasure& ped,
                                            const DrgLevelPrior& prior,
                                            const std::array<GanglionPlace, 2>& places, int s,
                                            bool sacral) const
{
  const double takeoff = drgPriors().takeoffDegrees * kPi / 180.0;
  const double side = s == 0 ? 1.0 : -1.0;
  const Side sideName = s == 0 ? Side::Left : Side::Right;
  double confidence = 0.85;
  // the ganglion from the priors
  DrgEstimate d;
  d.level = seg.level;
  d.side = sideName;
  d.lengthMm = prior.length;
  d.widthMm = prior.width;
  const GanglionPlace& place = places[static_cast<std::size_t>(s)];
  const CentrelinePoint& p = place.frame;
  const double ug = place.u;
  double vg = place.v;
  double extraAp = place.spread; // uncertainty beyond the prior's, antero-posterior
  if (!sacral) {
    if (place.free < prior.width) {
      confidence *= 0.7; // the free space is narrower than the ganglion: stenosis or a bad measure
    }
    const GanglionPlace& other = places[static_cast<std::size_t>(1 - s)];
    if (place.free < 1.0 && other.found && other.free >= 1.0) {
      // no free space found at all (the start lay in bone that reaches on both sides, such as
      // a faint articular process): the other side's measure stands in, mirrored, and the
      // ellipsoid widens by what the two sides' frames may differ
      vg = other.v;
      extraAp = 0.5 * prior.width;
      confidence *= 0.7;
    } else if (place.free < 1.0) {
      // no free space here, nor one measured on the other side (T2: thoracic foramina hold
      // little fat; muscle and cortex read as walls): the antero-posterior place is the
      // priors' alone, and the ellipsoid reaches a ganglion's width further in front and
      // behind (CT and MR alike)
      extraAp = std::max(extraAp, static_cast<double>(prior.width));
    }
  }
  d.centre = p.at(side * ug, vg);
  Vector3d axis =
    sacral ? Vector3d(side * 0.35 * p.left + 0.45 * p.anterior - 0.82 * p.tangent)
           : Vector3d(side * std::sin(takeoff) * p.left + 0.35 * p.anterior - std::cos(takeoff) * p.tangent);
  d.axis = axis.normalized();
  d.ellipsoidAxes.col(0) = side * p.left;
  d.ellipsoidAxes.col(1) = p.tangent;
  d.ellipsoidAxes.col(2) = p.anterior;
  const double measure = 0.5 * m_work.grid.h;
  d.semiAxesMm = Vector3d(2.0 * prior.positionSdMm[0] + measure, 2.0 * prior.positionSdMm[1] + measure,
                          2.0 * prior.positionSdMm[2] + measure + extraAp);
  d.zone = ug < ped.uMed ? "intraspinal" : ug <= ped.uLat ? "foraminal" : "extraforaminal";
  if (m_levels.anchorsDisagree) {
    confidence *= 0.6;
  } else if (m_levels.anchor.rfind("sacrum", 0) != 0) {
    confidence *= 0.8;
  }
  d.confidence = confidence;
  d.derivedFrom = std::string(m_mr ? "bone priors (MR T2: pedicle and foramen measured between marrow and "
                                     "dark walls, ganglion placed by the priors of "
                                   : "bone priors (CT: pedicle and foramen measured, ganglion placed by the "
                                     "priors of ") +
                  prior.source + ")";
  return d;
}

void SpineAnalysis::measureForaminaAndGanglia(SpineModel& model)
{
  const DrgPriors& priors = drgPriors();
  // the foramen's free space: on CT all below bone and disc; on T2 MR the ganglion and the
  // roots share marrow's signal, so the walls are the vertebrae and what is dark (cortex,
  // annulus, ligament)
  if (m_mr) {
    markMrWalls();
  }
  const WorkVolume& walls = m_mr ? m_mrWalls : m_work;
  for (std::size_t si = 0; si < m_segments.size(); ++si) {
    const Segment& seg = m_segments[si];
    const DrgLevelPrior* prior = priors.find(seg.level);
    if (!prior || seg.level == "sacrum") {
      continue;
    }
    const bool sacral = seg.level == "S1";
    const Segment* below = si + 1 < m_segments.size() ? &m_segments[si + 1] : nullptr;
    // both sides placed first: a side whose measure failed can fall back on the other
    std::array<GanglionPlace, 2> places;
    // T2: where each side's ganglion went in the model, its place by the priors, and whether the
    // image refined it
    std::array<std::ptrdiff_t, 2> placed = { -1, -1 };
    std::array<Vector3d, 2> byPriors;
    std::array<bool, 2> refined = { false, false };
    for (int s = 0; s < 2; ++s) {
      const PedicleMeasure& ped = m_pedicles[si][static_cast<std::size_t>(s)];
      if (ped.found) {
        places[static_cast<std::size_t>(s)] = placeGanglion(seg, ped, *prior, s == 0 ? 1.0 : -1.0, sacral);
      }
    }
    for (int s = 0; s < 2; ++s) {
      const double side = s == 0 ? 1.0 : -1.0;
      const PedicleMeasure& ped = m_pedicles[si][static_cast<std::size_t>(s)];
      if (!ped.found) {
        continue;
      }
      // foramen between this pedicle and the next one down
      if (!sacral && below && below->level != "sacrum") {
        measureForamen(model, seg, *below, ped, m_pedicles[si + 1][static_cast<std::size_t>(s)], side, walls);
      }
      const GanglionPlace& place = places[static_cast<std::size_t>(s)];
      DrgEstimate d = ganglionByPriors(seg, ped, *prior, places, s, sacral);
      byPriors[static_cast<std::size_t>(s)] = d.centre;
      if (m_mr) {
        // S1's ganglion lies in the sacral canal, where the lower sacral roots run down past it
        // in the same fat: there a piece outside the estimate's ellipsoid is one of them.
        // Elsewhere each foramen holds one ganglion, and the priors' place may lie further off
        // than the ellipsoid reaches, so the piece is not gated there.
        // (a lumbar or thoracic ganglion lies in its foramen, not well medial of where the
        // priors put it: there the epidural fat beside the dural sac holds pieces of the same
        // signal; an upper lumbar ganglion's place by the priors is at the pedicle's medial border)
        const CentrelinePoint& frame = place.frame;
        const double innermost = place.u - (0.5 * prior->width + kT2GanglionMedialSlackMm);
        const auto inForamen = [&](const Vector3d& q) {
          return sacral || side * (q - frame.centre).dot(frame.left) >= innermost;
        };
        auto found = ganglionOnT2(d, inForamen);
        if (found && sacral && !d.contains(*found)) {
          found.reset();
        }
        if (found) {
          refined[static_cast<std::size_t>(s)] = true;
          d.centre = *found;
          rezone(d, place.frame, ped, side);
          d.derivedFrom = "bone priors refined by MRI signal (T2: the ganglion's intermediate signal in "
                          "the foraminal fat, a piece coming within 12 mm of its place by the priors of " +
                          prior->source + ")";
        }
      }
      if (std::isnan(m_work.sample(d.centre))) {
        m_warnings.push_back("the " + seg.level + " " + (s == 0 ? "left" : "right") +
                             " ganglion would lie outside the field of view: not estimated");
        continue;
      }
      placed[static_cast<std::size_t>(s)] = static_cast<std::ptrdiff_t>(model.ganglia.size());
      model.ganglia.push_back(d);
    }
    if (m_mr) {
      mirrorRefinement(model, si, places, placed, byPriors, refined);
    }
  }
  placeFromNeighbours(model);
}

void SpineAnalysis::rezone(DrgEstimate& d, const CentrelinePoint& frame, const PedicleMeasure& ped,
                           double side)
{
  const double u = (d.centre - frame.centre).dot(side * frame.left);
  if (u < ped.uMed - 2.0 || u > ped.uLat + 2.0 || (u > ped.uMed + 2.0 && u < ped.uLat - 2.0)) {
    d.zone = u < ped.uMed ? "intraspinal" : u <= ped.uLat ? "foraminal" : "extraforaminal";
  }
}

void SpineAnalysis::placeFromNeighbours(SpineModel& model)
{
  std::map<std::string, std::size_t> segmentOf;
  for (std::size_t si = 0; si < m_segments.size(); ++si) {
    segmentOf[m_segments[si].level] = si;
  }
  struct Relative
  {
    double t = 0, u = 0, v = 0;
    const DrgEstimate* estimate = nullptr;
  };
  // a ganglion's place in its own vertebra's frame (t: along the body, 0 at its top, 1 at its foot)
  auto relative = [&](const DrgEstimate& d) {
    const Segment& seg = m_segments[segmentOf.at(d.level)];
    std::size_t nearest = 0;
    for (std::size_t n = 0; n < m_line.size(); ++n) {
      if ((m_line[n].centre - d.centre).norm() < (m_line[nearest].centre - d.centre).norm()) {
        nearest = n;
      }
    }
    const CentrelinePoint p = rotated(m_line[nearest], seg.rotation);
    Relative r;
    r.t = (static_cast<double>(nearest) - seg.run.first) / std::max(1, seg.run.length());
    r.u = (d.centre - p.centre).dot(p.left);
    r.v = (d.centre - p.centre).dot(p.anterior);
    r.estimate = &d;
    return r;
  };
  std::vector<DrgEstimate> added;
  for (std::size_t si = 0; si < m_segments.size() && si < m_pedicles.size(); ++si) {
    const Segment& seg = m_segments[si];
    if (seg.level == "sacrum" || seg.level == "S1" || !drgPriors().find(seg.level)) {
      continue;
    }
    for (int sd = 0; sd < 2; ++sd) {
      const Side side = sd == 0 ? Side::Left : Side::Right;
      if (m_pedicles[si][static_cast<std::size_t>(sd)].found || model.ganglion(seg.level, side)) {
        continue;
      }
      std::vector<Relative> around;
      for (std::size_t other : { si - 1, si + 1 }) {
        if (other < m_segments.size() && m_segments[other].level != "S1" &&
            m_segments[other].level != "sacrum") {
          if (const DrgEstimate* d = model.ganglion(m_segments[other].level, side)) {
            around.push_back(relative(*d));
          }
        }
      }
      if (around.empty()) {
        continue;
      }
      Relative mean;
      for (const auto& r : around) {
        mean.t += r.t / static_cast<double>(around.size());
        mean.u += r.u / static_cast<double>(around.size());
        mean.v += r.v / static_cast<double>(around.size());
      }
      const CentrelinePoint p = rotated(pointAt(seg.run.first + mean.t * seg.run.length()), seg.rotation);
      DrgEstimate d = *around.front().estimate; // its axis, ellipsoid frame and zone
      d.level = seg.level;
      d.lengthMm = drgPriors().find(seg.level)->length;
      d.widthMm = drgPriors().find(seg.level)->width;
      d.centre = p.at(mean.u, mean.v);
      d.semiAxesMm *= 1.5;
      d.confidence *= 0.5;
      d.derivedFrom = "neighbouring levels (no pedicle found: placed as the ganglia of the levels above "
                      "and below lie on their vertebrae)";
      if (m_mr) {
        if (const auto found = ganglionOnT2(d)) {
          d.centre = *found;
          d.derivedFrom = "neighbouring levels refined by MRI signal (no pedicle found; T2: the ganglion's "
                          "intermediate signal in the foraminal fat, within 12 mm)";
        }
      }
      if (std::isnan(m_work.sample(d.centre))) {
        continue;
      }
      m_warnings.push_back("the " + seg.level + " " + (sd == 0 ? "left" : "right") +
                           " ganglion is placed from the neighbouring levels (no pedicle found)");
      added.push_back(d);
    }
  }
  for (auto& d : added) {
    model.ganglia.push_back(std::move(d));
  }
  // head to foot, left before right
  std::stable_sort(model.ganglia.begin(), model.ganglia.end(),
                   [&](const DrgEstimate& a, const DrgEstimate& b) {
                     const std::size_t sa = segmentOf.at(a.level), sb = segmentOf.at(b.level);
                     return sa != sb ? sa < sb : (a.side == Side::Left && b.side != Side::Left);
                   });
}

} // namespace drg::imaging::spine
