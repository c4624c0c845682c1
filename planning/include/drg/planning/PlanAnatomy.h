#pragma once
// What the planner reads from the images: the spine model's label map and, when available, the
// intensities.

#include "drg/imaging/Image.h"
#include "drg/imaging/SpineModel.h"
#include "drg/planning/Plan.h"

#include <memory>

namespace drg::planning
{

/// What the planner reads from the images: the spine model (its label map gives bone, canal and
/// skin) and, when available, the intensities (CT: bone numbers and the fascia along the needle).
/// Built once per study; queries are cheap and thread-compatible.
class PlanAnatomy
{
public:
  /// `volume` may be null (labels only); when given it must share the label map's grid.
  PlanAnatomy(const imaging::SpineModel& model, const imaging::Image<float>* volume);
  ~PlanAnatomy();
  PlanAnatomy(const PlanAnatomy&) = delete;
  PlanAnatomy& operator=(const PlanAnatomy&) = delete;

  const imaging::SpineModel& model() const;

  /// True when the point (LPS mm) is bone: a labelled vertebra, or on CT 150 HU and more.
  bool isBone(const Vector3d& p) const;
  /// True when the point (LPS mm) lies inside the image.
  bool inImage(const Vector3d& p) const;

  /// The queries the planner's steps ask (internal: planning/src/planner/PlanAnatomyImpl.h).
  struct Impl;

private:
  friend class Planner;
  std::unique_ptr<Impl> m_impl;
};

} // namespace drg::planning
