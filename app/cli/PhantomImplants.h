#pragma once
// The post-operative phantom's implants from a plan file (PhantomImplants.cpp).

#include "drg/imaging/SpinePhantom.h"

#include <string>
#include <vector>

namespace drg::cli
{

struct ImplantRequest
{
  std::string plan;                ///< the plan file whose leads are implanted
  std::string plannedOn;           ///< the planning phantom's truth.json (empty: beside its images)
  std::vector<std::string> shifts; ///< "NAME:DX,DY,DZ": the lead moved (mm, LPS of the planning images)
  std::vector<std::string> bends;  ///< "NAME:MM": the lead's array bent, its tip MM off its line
};

/// The plan's planned leads and generator as implants; throws drg::Error naming what is wrong (no
/// planned lead, an unknown lead name, a malformed shift or bend, no planning truth).
imaging::PhantomImplants implantsFromPlan(const ImplantRequest& request);

} // namespace drg::cli
