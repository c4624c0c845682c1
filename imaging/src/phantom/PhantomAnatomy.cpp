#include "phantom/PhantomAnatomy.h"

#include "phantom/PhantomAnatomyBuilder.h"

#include <algorithm>

namespace drg::imaging::phantom
{

Anatomy buildAnatomy(const PhantomOptions& options)
{
  AnatomyBuilder builder(options);
  return builder.build();
}

void coverOutline(Anatomy& anatomy, const Box& box)
{
  Scene& sc = anatomy.scene;
  for (auto& p : sc.parts) {
    if (p.shape != Shape::Outline) {
      continue;
    }
    double hw = 0;
    double ya = 1e30;
    double yp = -1e30;
    for (const auto& r : sc.outline.rows) {
      hw = std::max(hw, r.halfWidth);
      ya = std::min(ya, r.yAnterior);
      yp = std::max(yp, r.yPosterior);
    }
    p.box = Box();
    p.box.extend(Eigen::Vector3d(-hw, ya, box.lo.z() - 5.0));
    p.box.extend(Eigen::Vector3d(hw, yp, box.hi.z() + 5.0));
  }
}

} // namespace drg::imaging::phantom
