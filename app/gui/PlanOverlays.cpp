#include "PlanOverlays.h"

QColor PlanOverlays::leadColour(std::size_t lead)
{
  const QColor colours[] = { QColor(255, 215, 0), QColor(0, 220, 120), QColor(255, 120, 255),
                             QColor(0, 200, 255) };
  return colours[lead % 4];
}

PlanOverlays PlanOverlays::of(const drg::planning::Plan& plan, const drg::planning::DeviceCatalog& catalog)
{
  PlanOverlays out;
  std::vector<SliceOverlay>& overlays = out.overlays;
  std::vector<SliceHandle>& handles = out.handles;
  for (std::size_t i = 0; i < plan.leads.size(); ++i) {
    const auto& l = plan.leads[i];
    if (!l.planned) {
      continue;
    }
    const QColor c = leadColour(i);
    const auto* needle = catalog.needle(l.needle);
    overlays.push_back(
      { { l.skinEntry, l.epiduralEntry }, c, needle ? needle->outerDiameterMm.value : 2.0, false });
    // the needle's line beyond its tip (where it would go if pushed on), thin and dashed
    const Eigen::Vector3d ahead = (l.epiduralEntry - l.skinEntry).normalized();
    SliceOverlay beyond{ { l.epiduralEntry, l.epiduralEntry + 40.0 * ahead }, c, 0.0, false };
    beyond.dashed = true;
    overlays.push_back(beyond);
    const auto* lead = catalog.lead(l.leadModel);
    overlays.push_back({ l.route, c, lead ? lead->diameterMm.value : 1.0, false }); // the lead
    overlays.push_back({ l.contacts, QColor(255, 60, 60), 1.3, true });
    if (!l.tunnel.empty()) {
      overlays.push_back({ l.tunnel, QColor(200, 200, 200), 1.0, false });
    }
    if (!l.locked) {
      const int base = 3 * static_cast<int>(i);
      handles.push_back({ base, l.skinEntry, c });
      handles.push_back({ base + 1, l.epiduralEntry, c.lighter(130) });
      handles.push_back({ base + 2, l.target, QColor(255, 60, 60) });
    }
  }
  if (plan.pocket && plan.pocket->placed) {
    const auto& p = *plan.pocket;
    std::vector<Eigen::Vector3d> box;
    const Eigen::Vector3d a = p.axes.col(0) * 0.5 * p.sizeMm.x(), b = p.axes.col(1) * 0.5 * p.sizeMm.y();
    const Eigen::Vector3d corners[] = { a + b, a - b, -a - b, -a + b, a + b };
    for (const Eigen::Vector3d& corner : corners) {
      box.push_back(p.centre + corner);
    }
    overlays.push_back({ box, QColor(255, 255, 255), p.sizeMm.z(), false });
    handles.push_back({ kPocketHandle, p.skinPoint, QColor(255, 255, 255) }); // dragged on the skin
  }
  return out;
}
