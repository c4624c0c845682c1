#pragma once
// A plan's leads as implanted, for post-operative phantoms (drgplan-cli phantom --implant): the
// tests of the post-operative verification start from them.

#include "drg/imaging/SpinePhantom.h"
#include "drg/planning/DeviceCatalog.h"
#include "drg/planning/Plan.h"

#include <string>

namespace drg::planning
{

/// The plan's planned leads (contacts; the body from the tip along the route, the needle track to
/// the anchor and the tunnel) and its placed generator, in the plan's frame. Throws
/// drg::Error(InvalidArgument) when no lead is planned.
imaging::PhantomImplants implantsOfPlan(const Plan& plan, const DeviceCatalog& catalog);

/// The implanted lead `name` ("L4 left" or "L4-left") migrated by `by` (mm, LPS): its contacts and its
/// epidural part move, the anchor holds. Throws drg::Error(InvalidArgument) naming the leads there are.
void shiftImplantedLead(imaging::PhantomImplants& implants, const std::string& name, const Vector3d& by);

/// The implanted lead's contact array bent: its tip `mm` off the array's line, the proximal contact
/// not moved (a quadratic sag). Throws like shiftImplantedLead.
void bendImplantedLead(imaging::PhantomImplants& implants, const std::string& name, double mm);

} // namespace drg::planning
