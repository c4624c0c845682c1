// The anatomy the planner reads: the label map and the volume asked point by point and along rays,
// and the canal's stations (frame, half widths, the body's axis) along its centreline.
#include "planner/EntryLandmarks.h"
#include "planner/PlanAnatomyImpl.h"

#include "drg/imaging/AnatomyLabels.h"
#include "drg/imaging/Error.h"

namespace drg::planning
{

PlanAnatomy::Impl::Impl(const imaging::SpineModel& m, const imaging::Image<float>* v)
  : model(m)
  , volume(v)
  , fromLps(m.labels.geometry().direction.inverse())
{
  ct = v != nullptr && m.modality == imaging::SpineModality::Ct;
  if (v) {
    // air: on CT below a fixed number, on MR below a fraction of the bright end of the image
    std::vector<float> sample;
    const auto& vox = v->voxels();
    for (std::size_t i = 0; i < vox.size(); i += 97) {
      if (std::isfinite(vox[i])) {
        sample.push_back(vox[i]);
      }
    }
    if (ct || sample.empty()) {
      airBelow = tuning::kCtAirBelowHu;
    } else {
      const std::size_t q = sample.size() * 99 / 100;
      std::nth_element(sample.begin(), sample.begin() + static_cast<long>(q), sample.end());
      airBelow = tuning::kMrAirFraction * sample[q];
    }
  }
  for (int l = 1; l < 256; ++l) {
    boneLabel[static_cast<std::size_t>(l)] = !imaging::labels::vertebraLevelOfLabel(l).empty();
  }
  buildStations();
  findConus();
  buildClearance();
  duraMarginMm = std::max(tuning::kDuraMarginMm, model.labels.geometry().spacing.mean());
  for (const auto& v : model.vertebrae) {
    spinousTips.push_back(v.label > 0 && v.level != "sacrum" ? spinousTip(*this, v) : std::nullopt);
  }
}

void PlanAnatomy::Impl::buildClearance()
{
  std::vector<Vector3d> centreline;
  for (const Station& s : line) {
    centreline.push_back(s.centre);
  }
  // (made slab by slab when first asked: the sources read this anatomy, which outlives its field)
  ClearanceField::Sources sources;
  sources.noGo = [this](std::size_t at) { return isNoGoLabel(model.labels.voxels()[at]); };
  sources.bone = [this](std::size_t at) {
    return boneLabel[model.labels.voxels()[at]] || (ct && volume->voxels()[at] >= tuning::kBoneHu);
  };
  sources.canal = [this](std::size_t at) { return inCanal(model.labels.voxels()[at]); };
  clearance = ClearanceField(model.labels.geometry(), std::move(centreline), tuning::kClearanceBoxMarginMm,
                             std::move(sources));
}

double PlanAnatomy::Impl::canalRun(const Vector3d& p, const Vector3d& dir, double limit) const
{
  double t = 0;
  while (t < limit && inCanal(labelAt(p + (t + 0.5) * dir))) {
    t += 0.5;
  }
  return t;
}

bool PlanAnatomy::Impl::airBeyond(const Vector3d& q, const Vector3d& dir) const
{
  if (!volume || ct) {
    return true; // CT's outline is reliable (and a supine back lies on the table, not in air)
  }
  // MR: dark for the next 6 mm (a cropped image is dark in patches inside the body too)
  int dark = 0;
  for (double t = 1.0; t <= 6.0; t += 1.0) {
    const float x = valueAt(q + t * dir);
    if (std::isnan(x)) {
      return false; // the image ends: the skin is not in it
    }
    dark += x < airBelow ? 1 : 0;
  }
  return dark == 6;
}

std::optional<Vector3d> PlanAnatomy::Impl::skinAlong(const Vector3d& p, const Vector3d& dir,
                                                     double limit) const
{
  for (double t = 0; t <= limit; t += 0.5) {
    const Vector3d q = p + t * dir;
    const int l = labelAt(q);
    if (l < 0) {
      return std::nullopt;
    }
    if (l == imaging::labels::kSkin) {
      // the body's outline (gas inside the body is not outside it); at the image's border it
      // is where the image ends, not the skin
      if (!model.labels.geometry().containsIndex(indexOf(q), -2.0)) {
        return std::nullopt;
      }
      if (airBeyond(q, dir)) {
        return q;
      }
    }
  }
  return std::nullopt;
}

std::optional<std::pair<Vector3d, Vector3d>> PlanAnatomy::Impl::skinAbove(const Vector3d& q) const
{
  // in the patient's axial plane (the sacral canal's own frame is tilted far from it)
  const Station& s = at(nearestIndexByHeight(q));
  const Vector3d axis(s.bodyAxis.x(), s.bodyAxis.y(), q.z());
  Vector3d dir = q - axis;
  dir.z() = 0.0;
  if (dir.norm() < 1e-3) {
    return std::nullopt;
  }
  dir.normalize();
  const Vector3d start = q - dir * std::min(40.0, (q - axis).norm());
  auto skin = skinAlong(start, dir, 400.0);
  if (!skin) {
    return std::nullopt;
  }
  return std::make_pair(*skin, dir);
}

int PlanAnatomy::Impl::nearestIndexByHeight(const Vector3d& q) const
{
  int best = 0;
  double bestD = std::numeric_limits<double>::infinity();
  for (std::size_t i = 0; i < line.size(); ++i) {
    const double d = std::abs((q - line[i].centre).dot(line[i].toHead));
    if (d < bestD) {
      bestD = d;
      best = static_cast<int>(i);
    }
  }
  return best;
}

double PlanAnatomy::Impl::cordDistance(const Vector3d& p, double radius) const
{
  if (conusIndex <= 0) {
    return 1e9;
  }
  double best = 1e9;
  const int last = std::min(conusIndex, static_cast<int>(line.size()));
  for (int i = 0; i < last; ++i) {
    best = std::min(best, (line[static_cast<std::size_t>(i)].centre - p).norm() - radius);
  }
  return best;
}

void PlanAnatomy::Impl::buildStations()
{
  const auto& c = model.canalCentreline;
  const std::size_t n = c.size();
  line.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    Station& s = line[i];
    s.centre = c[i];
    const Vector3d a = c[i > 0 ? i - 1 : i], b = c[i + 1 < n ? i + 1 : i];
    Vector3d t = a - b;
    if (i >= 3 && i + 3 < n) {
      t = c[i - 3] - c[i + 3];
    }
    s.toHead = t.norm() > 1e-6 ? Vector3d(t.normalized()) : Vector3d(0, 0, 1);
    Vector3d post = Vector3d(0, 1, 0) - Vector3d(0, 1, 0).dot(s.toHead) * s.toHead;
    s.posterior = post.norm() > 1e-6 ? Vector3d(post.normalized()) : Vector3d(0, 1, 0);
    s.left = s.posterior.cross(s.toHead).normalized();
    if (inCanal(labelAt(s.centre))) {
      s.rPost = canalRun(s.centre, s.posterior, 20.0);
      s.rAnt = canalRun(s.centre, -s.posterior, 20.0);
      s.rLeft = canalRun(s.centre, s.left, 25.0);
      s.rRight = canalRun(s.centre, -s.left, 25.0);
    } else {
      s.rPost = s.rAnt = -1; // not measured here: filled from the neighbours below
    }
  }
  // fill unmeasured stations and steady the widths with a running median
  // (a low quantile: where the laminae leave a window the canal label can bulge backwards, and
  // the dorsal epidural space must not be placed in the window's soft tissue)
  auto fillAndSmooth = [&](double Station::*field, double fallback) {
    std::vector<double> v;
    for (const auto& s : line) {
      v.push_back(s.rPost < 0 ? std::numeric_limits<double>::quiet_NaN() : s.*field);
    }
    for (std::size_t i = 0; i < n; ++i) {
      std::vector<double> w;
      for (std::size_t j = i >= 7 ? i - 7 : 0; j < std::min(n, i + 8); ++j) {
        if (!std::isnan(v[j]) && v[j] >= 2.0) {
          w.push_back(v[j]);
        }
      }
      if (w.empty()) {
        line[i].*field = fallback;
      } else {
        const std::size_t q = w.size() / 4;
        std::nth_element(w.begin(), w.begin() + static_cast<long>(q), w.end());
        line[i].*field = std::clamp(w[q], tuning::kCanalMinHalfWidthMm, tuning::kCanalMaxHalfWidthMm);
      }
    }
  };
  fillAndSmooth(&Station::rLeft, tuning::kCanalLateralHalfWidthMm);
  fillAndSmooth(&Station::rRight, tuning::kCanalLateralHalfWidthMm);
  fillAndSmooth(&Station::rAnt, tuning::kCanalAnteriorHalfWidthMm);
  fillAndSmooth(&Station::rPost, tuning::kCanalPosteriorHalfWidthMm);
  // the body's axis at each height: halfway between the skin in front and behind
  // (along the patient's antero-posterior axis: the sacral canal's frame is tilted)
  const Vector3d backward(0, 1, 0);
  for (auto& s : line) {
    const auto back = skinAlong(s.centre, backward, 250.0);
    const auto front = skinAlong(s.centre, -backward, 450.0);
    if (back && front) {
      s.bodyAxis = 0.5 * (*back + *front);
    } else {
      s.bodyAxis = s.centre - tuning::kBodyAxisInFrontOfCanalMm * backward;
    }
  }
}

void PlanAnatomy::Impl::findConus()
{
  // the cord ends at about the L1/L2 disc in adults (MR could see it, CT cannot)
  const imaging::SpineVertebra* l1 = model.vertebra("L1");
  if (l1) {
    Vector3d end = l1->inferiorEndplate;
    for (const auto& d : model.discs) {
      if (d.upperLevel == "L1") {
        end = d.centre;
      }
    }
    conusIndex = nearestIndex(end);
    return;
  }
  bool thoracicOnly = !model.vertebrae.empty();
  for (const auto& v : model.vertebrae) {
    thoracicOnly = thoracicOnly && v.level.size() > 1 && v.level[0] == 'T';
  }
  conusIndex = thoracicOnly ? static_cast<int>(line.size()) : -1;
}
PlanAnatomy::PlanAnatomy(const imaging::SpineModel& model, const imaging::Image<float>* volume)
{
  if (model.canalCentreline.size() < 10) {
    throw Error(ErrorCode::NotFound, "the spine model has no canal to plan in");
  }
  if (volume) {
    const auto &a = volume->geometry(), &b = model.labels.geometry();
    if (a.size != b.size || !a.spacing.isApprox(b.spacing, 1e-6) || !a.origin.isApprox(b.origin, 1e-6) ||
        !a.direction.isApprox(b.direction, 1e-6)) {
      throw Error(ErrorCode::InvalidArgument,
                  "the volume and the spine model's label map lie on different grids");
    }
  }
  m_impl = std::make_unique<Impl>(model, volume);
}

PlanAnatomy::~PlanAnatomy() = default;

const imaging::SpineModel& PlanAnatomy::model() const
{
  return m_impl->model;
}

bool PlanAnatomy::isBone(const Vector3d& p) const
{
  return m_impl->isBone(p);
}

bool PlanAnatomy::inImage(const Vector3d& p) const
{
  return m_impl->labelAt(p) >= 0;
}

} // namespace drg::planning
