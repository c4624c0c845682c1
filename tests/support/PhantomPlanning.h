#pragma once
// A phantom, its spine model and a planner on it: what the planning tests start from. Header only
// (the test executables that plan link drg_planning; the support library does not).
#include "drg/imaging/SpineModel.h"
#include "drg/imaging/SpinePhantom.h"
#include "drg/planning/Planner.h"

#include <algorithm>
#include <memory>

namespace drg::test
{

struct PhantomPlanning
{
  imaging::PhantomCase phantom;
  imaging::Image<float> volume;
  imaging::SpineModel model;
  std::unique_ptr<planning::PlanAnatomy> anatomy;
  std::unique_ptr<planning::Planner> planner;

  explicit PhantomPlanning(const imaging::PhantomOptions& options)
    : phantom(imaging::generateSpinePhantom(options))
    , volume(phantom.intensities.geometry(), imaging::Uninitialized{})
  {
    std::copy(phantom.intensities.voxels().begin(), phantom.intensities.voxels().end(),
              volume.voxels().begin());
    model = imaging::buildSpineModel(volume);
    anatomy = std::make_unique<planning::PlanAnatomy>(model, &volume);
    planner = std::make_unique<planning::Planner>(*anatomy, planning::DeviceCatalog::builtIn(),
                                                  planning::PlanRules::builtIn());
  }
};

} // namespace drg::test
