// The route's shaping: a clamped cubic B-spline whose ends are fixed by the needle and the contacts,
// its inner control points moved by gradient descent (numerical gradient, backtracking line search)
// to lower a penalty cost. The penalties are quadratic in how far the route comes inside a margin of
// the dura or bone and in how much tighter than the sheath's curve it bends, summed along its
// length: a route that keeps every rule costs only its (lightly weighted) length.
#include "planner/RouteOptimiser.h"
#include "planner/PathGeometry.h"
#include "planner/PlannerTuning.h"

#include <algorithm>
#include <array>
#include <cmath>

namespace drg::planning
{
namespace
{

/// The spline's samples per span of its knots.
constexpr int kSamplesPerSpan = 8;

/// A clamped uniform cubic B-spline's point at `u` in [0, spans] over control points `c`.
Vector3d splinePoint(const std::vector<Vector3d>& c, double u)
{
  const int spans = static_cast<int>(c.size()) - 3;
  const int s = std::clamp(static_cast<int>(std::floor(u)), 0, spans - 1);
  // knots: 0,0,0,0,1,...,spans-1,spans,spans,spans,spans (index j: clamp(j - 3, 0, spans))
  auto knot = [&](int j) { return static_cast<double>(std::clamp(j - 3, 0, spans)); };
  const int k = s + 3; // the knot span's index
  Vector3d d[4];
  for (int j = 0; j < 4; ++j) {
    d[j] = c[static_cast<std::size_t>(j + k - 3)];
  }
  for (int r = 1; r <= 3; ++r) {
    for (int j = 3; j >= r; --j) {
      const double lo = knot(j + k - 3), hi = knot(j + 1 + k - r);
      const double a = hi > lo ? (u - lo) / (hi - lo) : 0.0;
      d[j] = (1.0 - a) * d[j - 1] + a * d[j];
    }
  }
  return d[3];
}

class RouteCost
{
public:
  RouteCost(const ClearanceField& field, const RouteEnds& ends, std::size_t inner)
    : m_field(field)
    , m_ends(ends)
    , m_control(inner + 4)
  {
    m_control.front() = ends.start;
    m_control.back() = ends.end;
    // each sample's parameter is fixed: its four basis weights are found once, by the curve of
    // scalar control values that are 1 at one control point and 0 elsewhere
    m_basis.resize(sampleCount());
    for (std::size_t i = 0; i < m_basis.size(); ++i) {
      const double u = static_cast<double>(i) / kSamplesPerSpan;
      const int spans = static_cast<int>(m_control.size()) - 3;
      m_basis[i].first = static_cast<std::size_t>(std::clamp(static_cast<int>(std::floor(u)), 0, spans - 1));
      for (std::size_t j = 0; j < 4; ++j) {
        std::vector<Vector3d> unit(m_control.size(), Vector3d::Zero());
        unit[m_basis[i].first + j] = Vector3d(1, 0, 0);
        m_basis[i].weights[j] = splinePoint(unit, u).x();
      }
    }
    // the route may leave the canal within this distance of where the straight stretch begins
    m_exitReach = std::max(0.0, field.canal(ends.end)) + tuning::kRouteExitReachMm;
  }

  /// Parameters: the needle-side and root-side tangent lengths, then the inner points.
  void setParameters(const std::vector<double>& x)
  {
    const double a = std::max(0.5, x[0]), b = std::max(0.5, x[1]);
    m_control[1] = m_ends.start + a * m_ends.startDirection;
    m_control[m_control.size() - 2] = m_ends.end - b * m_ends.endDirection;
    for (std::size_t i = 0; i + 4 < m_control.size(); ++i) {
      m_control[i + 2] = Vector3d(x[2 + 3 * i], x[3 + 3 * i], x[4 + 3 * i]);
    }
  }

  /// The control point parameter `j` moves.
  static std::size_t controlOf(std::size_t j, std::size_t controls)
  {
    return j == 0 ? 1 : j == 1 ? controls - 2 : 2 + (j - 2) / 3;
  }

  std::size_t sampleCount() const
  {
    return static_cast<std::size_t>((m_control.size() - 3) * kSamplesPerSpan + 1);
  }
  std::size_t controlCount() const { return m_control.size(); }

  /// The samples a move of control point `c` changes: its four spans.
  std::pair<std::size_t, std::size_t> samplesOf(std::size_t c) const
  {
    const long spans = static_cast<long>(m_control.size()) - 3;
    const long lo = std::max(0L, static_cast<long>(c) - 3), hi = std::min(spans, static_cast<long>(c) + 1);
    return { static_cast<std::size_t>(lo * kSamplesPerSpan), static_cast<std::size_t>(hi * kSamplesPerSpan) };
  }

  /// Samples [from, to] of the curve, and the distance fields' penalty at each.
  void sample(std::vector<Vector3d>& p, std::vector<double>& field, std::size_t from, std::size_t to) const
  {
    p.resize(sampleCount());
    field.resize(sampleCount());
    for (std::size_t i = from; i <= to; ++i) {
      const Basis& w = m_basis[i];
      p[i] = w.weights[0] * m_control[w.first] + w.weights[1] * m_control[w.first + 1] +
             w.weights[2] * m_control[w.first + 2] + w.weights[3] * m_control[w.first + 3];
      const auto [noGo, bone, canal] = m_field.at(p[i]);
      const double n = std::max(0.0, m_ends.noGoMarginMm - noGo);
      const double b = std::max(0.0, tuning::kRouteBoneMarginMm - bone);
      // out of the canal only where it leaves for the contacts: near the straight stretch
      const double out =
        std::max(0.0, std::min(canal - tuning::kRouteCanalSlackMm, (p[i] - m_ends.end).norm() - m_exitReach));
      field[i] = tuning::kRouteNoGoWeight * n * n + tuning::kRouteBoneWeight * b * b +
                 tuning::kRouteCanalWeight * out * out;
    }
  }

  /// Sample `i`'s neighbour `k` (+-1) samples along, past the ends along the needle and the stretch.
  Vector3d neighbour(const std::vector<Vector3d>& p, std::size_t i, int k) const
  {
    if (k < 0 && i == 0) {
      return m_ends.start - m_ends.startDirection;
    }
    if (k > 0 && i + 1 == p.size()) {
      return m_ends.end + m_ends.endDirection;
    }
    return p[k < 0 ? i - 1 : i + 1];
  }

  /// Radius of curvature at sample `i` (the bends where the route leaves the needle and joins the
  /// straight stretch counted too).
  double radiusAt(const std::vector<Vector3d>& p, std::size_t i) const
  {
    return circleRadius(neighbour(p, i, -1), p[i], neighbour(p, i, 1));
  }

  /// The cost of samples [from, to]: their penalties and length.
  double cost(const std::vector<Vector3d>& p, const std::vector<double>& field, std::size_t from,
              std::size_t to) const
  {
    double sum = 0;
    for (std::size_t i = from; i <= to; ++i) {
      const double ds = 0.5 * ((i > 0 ? (p[i] - p[i - 1]).norm() : 0.0) +
                               (i + 1 < p.size() ? (p[i + 1] - p[i]).norm() : 0.0));
      const double c = std::max(0.0, m_ends.radiusMm / radiusAt(p, i) - 1.0);
      sum += ds * (field[i] + tuning::kRouteBendWeight * c * c + tuning::kRouteLengthWeight);
    }
    return sum;
  }

private:
  /// A sample's point: its first control point and the four weights.
  struct Basis
  {
    std::size_t first = 0;
    std::array<double, 4> weights{};
  };

  const ClearanceField& m_field;
  RouteEnds m_ends;
  std::vector<Vector3d> m_control;
  double m_exitReach = 0;
  std::vector<Basis> m_basis;
};

} // namespace

ShapedRoute optimiseRoute(const ClearanceField& field, const RouteEnds& ends,
                          const std::vector<Vector3d>& guess)
{
  RouteCost rc(field, ends, guess.size());
  std::vector<double> x{ tuning::kRouteTangentStartMm, tuning::kRouteTangentStartMm };
  for (const Vector3d& g : guess) {
    x.insert(x.end(), { g.x(), g.y(), g.z() });
  }
  const std::size_t last = rc.sampleCount() - 1;
  std::vector<Vector3d> p, pt;
  std::vector<double> f, ft;
  auto evaluate = [&](const std::vector<double>& at, std::vector<Vector3d>& ps, std::vector<double>& fs) {
    rc.setParameters(at);
    rc.sample(ps, fs, 0, last);
    return rc.cost(ps, fs, 0, last);
  };
  double fx = evaluate(x, p, f);
  double step = tuning::kRouteFirstMoveMm;
  std::vector<double> grad(x.size()), trial(x.size());
  for (int it = 0; it < tuning::kRouteIterations && step > tuning::kRouteLeastMoveMm; ++it) {
    // the gradient by forward differences, each over the samples its control point moves (and
    // their neighbours, whose length and bend change with them)
    trial = x;
    for (std::size_t j = 0; j < x.size(); ++j) {
      const auto [lo, hi] = rc.samplesOf(RouteCost::controlOf(j, rc.controlCount()));
      const std::size_t from = lo > 0 ? lo - 1 : 0, to = std::min(last, hi + 1);
      trial[j] = x[j] + tuning::kRouteGradientStepMm;
      rc.setParameters(trial);
      pt = p;
      ft = f;
      rc.sample(pt, ft, lo, hi);
      grad[j] = (rc.cost(pt, ft, from, to) - rc.cost(p, f, from, to)) / tuning::kRouteGradientStepMm;
      trial[j] = x[j];
    }
    double largest = 0;
    for (double g : grad) {
      largest = std::max(largest, std::abs(g));
    }
    if (largest < 1e-9) {
      break;
    }
    // the largest parameter moves `step` mm; halved until the cost falls
    bool moved = false;
    while (step > tuning::kRouteLeastMoveMm) {
      for (std::size_t i = 0; i < x.size(); ++i) {
        trial[i] = x[i] - step * grad[i] / largest;
      }
      const double ft2 = evaluate(trial, pt, ft);
      if (ft2 < fx) {
        x = trial;
        fx = ft2;
        p.swap(pt);
        f.swap(ft);
        moved = true;
        step *= 1.5;
        break;
      }
      step *= 0.5;
    }
    if (!moved) {
      break;
    }
  }
  rc.setParameters(x);
  rc.sample(p, f, 0, last);
  ShapedRoute r;
  r.cost = fx;
  r.noGoClearanceMm = ClearanceField::kFar;
  r.boneClearanceMm = ClearanceField::kFar;
  r.tightestBendMm = 1e9;
  for (std::size_t i = 0; i <= last; ++i) {
    r.noGoClearanceMm = std::min(r.noGoClearanceMm, field.noGo(p[i]));
    r.boneClearanceMm = std::min(r.boneClearanceMm, field.bone(p[i]));
    r.tightestBendMm = std::min(r.tightestBendMm, rc.radiusAt(p, i));
    const Vector3d in = (p[i] - rc.neighbour(p, i, -1)).normalized(),
                   out = (rc.neighbour(p, i, 1) - p[i]).normalized();
    r.turningDeg += deg(std::acos(std::clamp(in.dot(out), -1.0, 1.0)));
  }
  // resampled every tuning::kRouteStepMm along its length, ending where it ends
  r.samples = resampled(p, tuning::kRouteStepMm);
  if ((r.samples.back() - p.back()).norm() > 1e-6) {
    r.samples.push_back(p.back());
  }
  return r;
}

} // namespace drg::planning
