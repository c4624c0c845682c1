// The C-arm set-up and the image checks of a lead. The beam is squared to the disc below the
// target level (the target's ganglion lies in that foramen; S1's under the L5/S1 disc): tilted in the sagittal plane until it
// runs along the disc, so its endplates show as single lines. On AP fluoroscopy the ganglion lies
// between the medial and lateral borders of its pedicle (Levy); on the lateral image the contacts
// belong in the dorsal part of the foramen, over the ganglion's dorsal side, where its cell bodies
// lie (Sperry 2020).
#include "drg/planning/FluoroscopyChecklist.h"

#include "drg/planning/FluoroProjection.h"
#include "planner/PathGeometry.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace drg::planning
{
namespace
{

/// "2-3", "1, 3" or "none".
std::string contactList(const std::vector<int>& c)
{
  if (c.empty()) {
    return "none";
  }
  bool run = c.size() > 1;
  for (std::size_t i = 1; i < c.size(); ++i) {
    run = run && c[i] == c[i - 1] + 1;
  }
  if (run) {
    return std::to_string(c.front()) + "-" + std::to_string(c.back());
  }
  std::string s;
  for (int n : c) {
    s += (s.empty() ? "" : ", ") + std::to_string(n);
  }
  return s;
}

} // namespace

FluoroscopyChecklist fluoroscopyChecklist(const imaging::SpineModel& model, const LeadPlan& lead)
{
  FluoroscopyChecklist c;
  const std::string side = imaging::sideName(lead.targetSide);
  // the beam along the disc below the target level (the prone patient's back up: the intensifier
  // over it, the beam running from the table towards the back)
  // (S1's ganglion lies under the L5/S1 disc, at the sacrum's top: that disc is squared)
  for (const auto& d : model.discs) {
    if (lead.targetLevel == "S1" ? d.lowerLevel == "S1" : d.upperLevel == lead.targetLevel) {
      const Vector3d n = d.normal.normalized();
      Vector3d beam(0.0, n.z(), -n.y());
      if (beam.norm() < 1e-9) {
        break;
      }
      beam.normalize();
      if (beam.y() < 0) {
        beam = -beam;
      }
      c.squaredDisc = d.upperLevel + "/" + d.lowerLevel;
      c.beamTiltDeg = deg(std::atan2(std::abs(beam.z()), beam.y()));
      c.intensifierToHead = beam.z() > 0;
    }
  }
  // AP: the contacts between the pedicle's borders, across the image
  const FluoroProjection ap = apProjection();
  for (const auto& p : model.pedicles) {
    if (p.level == lead.targetLevel && p.side == lead.targetSide) {
      c.pedicle = p.level + " " + side;
      const double a = p.medialBorder.dot(ap.right), b = p.lateralBorder.dot(ap.right);
      for (std::size_t i = 0; i < lead.contacts.size(); ++i) {
        const double x = lead.contacts[i].dot(ap.right);
        if (x >= std::min(a, b) && x <= std::max(a, b)) {
          c.betweenPedicleBorders.push_back(static_cast<int>(i) + 1);
        }
      }
    }
  }
  // lateral: the contacts between the foramen's centre and its dorsal edge (posterior: +y)
  const FluoroProjection lateral = lateralProjection();
  for (const auto& f : model.foramina) {
    if (f.upperLevel == lead.targetLevel && f.side == lead.targetSide) {
      c.foramen = f.upperLevel + "/" + f.lowerLevel + " " + side;
      const double centre = f.centre.dot(lateral.right), dorsalEdge = centre + 0.5 * f.widthMm;
      for (std::size_t i = 0; i < lead.contacts.size(); ++i) {
        const double y = lead.contacts[i].dot(lateral.right);
        if (y >= centre && y <= dorsalEdge) {
          c.dorsalHalfOfForamen.push_back(static_cast<int>(i) + 1);
        }
      }
    }
  }
  return c;
}

std::vector<std::string> FluoroscopyChecklist::lines() const
{
  std::vector<std::string> out;
  char buf[320];
  if (squaredDisc.empty()) {
    out.push_back(
      "C-arm: no disc below the target level in the model; square the target's endplates by eye.");
  } else if (beamTiltDeg < 1.0) {
    std::snprintf(
      buf, sizeof buf,
      "C-arm: plain AP beam (the %s disc runs along it within 1 degree); rotate until the spinous "
      "process lies midway between the pedicles.",
      squaredDisc.c_str());
    out.push_back(buf);
  } else {
    std::snprintf(buf, sizeof buf,
                  "C-arm: tilt the beam %.0f degrees, image intensifier towards the %s, to square the %s "
                  "endplates (the supine CT's angle: the prone lordosis differs; confirm single endplate "
                  "lines); rotate until the spinous process lies midway between the pedicles.",
                  beamTiltDeg, intensifierToHead ? "head" : "feet", squaredDisc.c_str());
    out.push_back(buf);
  }
  if (pedicle.empty()) {
    out.push_back("AP: the target pedicle is not in the model.");
  } else {
    out.push_back("AP: contacts " + contactList(betweenPedicleBorders) +
                  " between the medial and lateral borders of the " + pedicle +
                  " pedicle (contact 1 at the tip).");
  }
  if (foramen.empty()) {
    out.push_back(
      "Lateral: no foramen in the model for this level (S1: check the contacts against the sacral "
      "border on the lateral image).");
  } else {
    out.push_back("Lateral: contacts " + contactList(dorsalHalfOfForamen) + " in the dorsal half of the " +
                  foramen + " foramen.");
  }
  return out;
}

} // namespace drg::planning
