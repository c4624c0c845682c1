// The skin entry in the prone patient's landmarks. The planning scan is usually taken supine and the
// implant done prone: the skin slides against the spine and the back's shape changes, so an entry
// in the scanner's coordinates cannot be marked on the patient. What carries over is the bone: the
// spinous processes (palpable, and the midline on the AP fluoroscopic image), the pedicles (the AP
// image's level marks) and the interlaminar window the needle aims at. Heights are along the patient's
// head-foot axis (as a ruler along the table measures them), offsets along the patient's left.
#include "planner/EntryLandmarks.h"

#include <algorithm>
#include <cmath>

namespace drg::planning
{
namespace
{

// The search for a spinous process tip, beside the canal at the vertebra's height: the process
// slopes caudally over the next level (up to about 20 mm in the lower thoracic spine) and, in a
// rotated (scoliotic) vertebra, leaves the midline plane by several mm; its tip lies within 100 mm
// behind the canal's centre in adults.
constexpr double kTipSearchAboveMm = 15.0;  ///< above the vertebra's body centre
constexpr double kTipSearchBelowMm = 35.0;  ///< below it
constexpr double kTipSearchBesideMm = 10.0; ///< either side of the canal's midline plane
constexpr double kTipSearchDepthMm = 100.0; ///< behind the canal's centre
constexpr double kTipFlatnessMm = 1.5;      ///< the tip: the dorsal-most voxels within this of the deepest
/// Vertebrae further than this in height from the skin entry are not its neighbours.
constexpr double kNeighbourHeightMm = 80.0;

/// Height (towards the head) and offset to the patient's left of `p`, in LPS mm.
struct BodyCoordinates
{
  double height = 0, lateral = 0;
};

BodyCoordinates bodyCoordinates(const Vector3d& p)
{
  return { p.z(), p.x() };
}

/// A spinous process tip found near the entry.
struct Tip
{
  BodyCoordinates at;
  std::string level;
};

/// The level below `level` in the model (head to foot), or "" when none is shown.
std::string levelBelow(const imaging::SpineModel& model, const std::string& level)
{
  for (std::size_t i = 0; i + 1 < model.vertebrae.size(); ++i) {
    if (model.vertebrae[i].level == level) {
      return model.vertebrae[i + 1].level;
    }
  }
  return {};
}

} // namespace

std::optional<Vector3d> spinousTip(const PlanAnatomy::Impl& anatomy, const imaging::SpineVertebra& vertebra)
{
  const auto& A = anatomy;
  const auto& s = A.at(A.nearestIndexByHeight(vertebra.bodyCentre));
  // rays from behind towards the canal in the patient's axial planes: the first voxel of the
  // vertebra on each is its dorsal-most there; the tip is the middle of those within
  // kTipFlatnessMm of the most dorsal (a process ends in a broad, flat tubercle)
  const Vector3d back(0, 1, 0);
  std::vector<Vector3d> dorsal;
  double deepest = -1e9;
  for (double h = -kTipSearchBelowMm; h <= kTipSearchAboveMm; h += 1.0) {
    for (double w = -kTipSearchBesideMm; w <= kTipSearchBesideMm; w += 1.0) {
      const Vector3d base(s.centre.x() + w, s.centre.y(), vertebra.bodyCentre.z() + h);
      for (double d = kTipSearchDepthMm; d > deepest - kTipFlatnessMm && d > s.rPost; d -= 0.5) {
        const Vector3d q = base + d * back;
        if (A.labelAt(q) == vertebra.label) {
          deepest = std::max(deepest, d);
          dorsal.push_back(q);
          break;
        }
      }
    }
  }
  Vector3d sum = Vector3d::Zero();
  int n = 0;
  for (const Vector3d& q : dorsal) {
    if ((q - s.centre).dot(back) >= deepest - kTipFlatnessMm) {
      sum += q;
      ++n;
    }
  }
  if (n == 0) {
    return std::nullopt;
  }
  return Vector3d(sum / n);
}

EntryLandmarks findEntryLandmarks(const PlanAnatomy::Impl& anatomy, const LeadPlan& lead)
{
  const auto& A = anatomy;
  const auto& model = A.model;
  EntryLandmarks e;
  const BodyCoordinates skin = bodyCoordinates(lead.skinEntry);
  // the spinous process tips of the vertebrae near the entry, by height
  std::vector<Tip> tips;
  for (std::size_t vi = 0; vi < model.vertebrae.size(); ++vi) {
    const auto& v = model.vertebrae[vi];
    // (the sacrum below S1 has a crest, not processes: its dorsal-most bone is its curved apex)
    if (v.label <= 0 || v.level == "sacrum" ||
        std::abs(v.bodyCentre.z() - skin.height) > kNeighbourHeightMm) {
      continue;
    }
    if (const auto& tip = A.spinousTips[vi]) {
      tips.push_back({ bodyCoordinates(*tip), v.level });
    }
  }
  if (tips.empty()) {
    return e;
  }
  std::sort(tips.begin(), tips.end(), [](const Tip& a, const Tip& b) { return a.at.height < b.at.height; });
  // the midline at the entry's height: between the tips above and below it (the nearest beyond them)
  double midline = tips.front().at.lateral;
  if (skin.height >= tips.back().at.height) {
    midline = tips.back().at.lateral;
  } else {
    for (std::size_t i = 0; i + 1 < tips.size(); ++i) {
      const auto &lo = tips[i].at, &hi = tips[i + 1].at;
      if (skin.height >= lo.height && skin.height <= hi.height) {
        const double f = hi.height > lo.height ? (skin.height - lo.height) / (hi.height - lo.height) : 0.0;
        midline = lo.lateral + f * (hi.lateral - lo.lateral);
      }
    }
  }
  e.found = true;
  e.midlineOffsetMm = skin.lateral - midline;
  const auto nearest = std::min_element(tips.begin(), tips.end(), [&](const Tip& a, const Tip& b) {
    return std::abs(a.at.height - skin.height) < std::abs(b.at.height - skin.height);
  });
  e.spinousLevel = nearest->level;
  e.belowSpinousMm = nearest->at.height - skin.height;
  // the pedicle nearest in height on the entry's side
  const Side side = e.midlineOffsetMm >= 0 ? Side::Left : Side::Right;
  double bestPedicle = 1e9;
  for (const auto& p : model.pedicles) {
    const double h = bodyCoordinates(p.centre).height;
    if (p.side == side && std::abs(h - skin.height) < bestPedicle) {
      bestPedicle = std::abs(h - skin.height);
      e.pedicleLevel = p.level;
      e.belowPedicleMm = h - skin.height;
    }
  }
  const std::string below = levelBelow(model, lead.entryLevel);
  e.window = lead.entryLevel + "/" + (below.empty() ? std::string("?") : below);
  e.belowWindowMm = bodyCoordinates(lead.epiduralEntry).height - skin.height;
  return e;
}

std::string windowText(const LeadPlan& lead)
{
  return lead.entryLandmarks.window.empty() ? "below " + lead.entryLevel : lead.entryLandmarks.window;
}

} // namespace drg::planning
