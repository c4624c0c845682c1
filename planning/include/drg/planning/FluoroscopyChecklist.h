#pragma once
// What to check on the C-arm for one lead, in the projections of the report's radiographs
// (drg/planning/FluoroProjection.h): how to set the C-arm up for the target level, and where the
// contacts must appear on the AP and the lateral image. Qt-free; the report prints it.

#include "drg/imaging/SpineModel.h"
#include "drg/planning/Plan.h"

#include <string>
#include <vector>

namespace drg::planning
{

/// The C-arm set-up and the image checks of one lead. Contacts are numbered from the tip: contact 1
/// is the most distal (the plan's order); check the numbering the clinician programmer shows.
struct FluoroscopyChecklist
{
  std::string squaredDisc; ///< the disc whose endplates the beam is set along, e.g. "L4/L5" (empty: none)
  double beamTiltDeg = 0;  ///< cranio-caudal tilt of the beam from the plain AP (vertical) beam
  bool intensifierToHead = false;         ///< the image intensifier over the back tilted towards the head
  std::vector<int> betweenPedicleBorders; ///< AP: contacts (1 = distal) between the target pedicle's borders
  std::string pedicle;                    ///< e.g. "L4 left" (empty: not in the model)
  std::vector<int> dorsalHalfOfForamen;   ///< lateral: contacts in the dorsal half of the target foramen
  std::string foramen;                    ///< e.g. "L4/L5 left" (empty: not in the model, S1)
  bool sacral = false;                    ///< S1: checked against the sacral border, not the pedicle

  /// The checklist as lines for the report: the set-up, the AP check, the lateral check.
  std::vector<std::string> lines() const;
};

/// The checklist of `lead` against the spine model's discs, pedicles and foramina (LPS mm).
FluoroscopyChecklist fluoroscopyChecklist(const imaging::SpineModel& model, const LeadPlan& lead);

} // namespace drg::planning
