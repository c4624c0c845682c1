// The C-arm set-up and the image checks of a lead. The beam is squared to the disc below the
// target level (the target's ganglion lies in that foramen; S1's under the L5/S1 disc): tilted in the
// sagittal plane until it runs along the disc, so its endplates show as single lines. On AP fluoroscopy the
// ganglion lies between the medial and lateral borders of its pedicle (Levy); on the lateral image the
// contacts belong in the dorsal part of the foramen, over the ganglion's dorsal side, where its cell bodies
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

/// A contact counts at the foramen's height up to this far (mm) above or below it.
constexpr double kHeightMarginMm = 2.0;

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
  // the foramen's height band (the ganglion lies just below its pedicle, in the foramen): a contact
  // counts only at the foramen's height, with a margin of kHeightMarginMm
  const imaging::SpineForamen* foramen = nullptr;
  for (const auto& f : model.foramina) {
    if (f.upperLevel == lead.targetLevel && f.side == lead.targetSide) {
      foramen = &f;
    }
  }
  auto atForamenHeight = [&](const Vector3d& p) {
    return !foramen || std::abs((p - foramen->centre).z()) <= 0.5 * foramen->heightMm + kHeightMarginMm;
  };
  // AP: the contacts between the pedicle's borders, across the image
  const FluoroProjection ap = apProjection();
  for (const auto& p : model.pedicles) {
    if (p.level == lead.targetLevel && p.side == lead.targetSide && lead.targetLevel != "S1") {
      c.pedicle = p.level + " " + side;
      const double a = p.medialBorder.dot(ap.right), b = p.lateralBorder.dot(ap.right);
      for (std::size_t i = 0; i < lead.contacts.size(); ++i) {
        const double x = lead.contacts[i].dot(ap.right);
        if (x >= std::min(a, b) && x <= std::max(a, b) && atForamenHeight(lead.contacts[i])) {
          c.betweenPedicleBorders.push_back(static_cast<int>(i) + 1);
        }
      }
    }
  }
  // lateral: the contacts between the foramen's centre and its dorsal edge (posterior: +y)
  const FluoroProjection lateral = lateralProjection();
  if (foramen) {
    c.foramen = foramen->upperLevel + "/" + foramen->lowerLevel + " " + side;
    const double centre = foramen->centre.dot(lateral.right), dorsalEdge = centre + 0.5 * foramen->widthMm;
    for (std::size_t i = 0; i < lead.contacts.size(); ++i) {
      const double y = lead.contacts[i].dot(lateral.right);
      if (y >= centre && y <= dorsalEdge && atForamenHeight(lead.contacts[i])) {
        c.dorsalHalfOfForamen.push_back(static_cast<int>(i) + 1);
      }
    }
  }
  c.sacral = lead.targetLevel == "S1";
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
  if (sacral) {
    out.push_back(
      "AP: at S1 the lead runs along the S1 root; no pedicle-border check (contact 1 at the tip).");
    out.push_back(
      "Lateral: check the contacts at or just behind the sacral border (where the effective S1 contacts "
      "lay in a programming study of 34 leads, Neuromodulation 2019: on the border 50 %, behind it 41 %).");
    return out;
  }
  if (pedicle.empty()) {
    out.push_back("AP: the target pedicle is not in the model.");
  } else if (betweenPedicleBorders.empty()) {
    out.push_back("AP: no contact lies between the medial and lateral borders of the " + pedicle +
                  " pedicle at the foramen's height: check the lead's position.");
  } else {
    out.push_back("AP: contacts " + contactList(betweenPedicleBorders) +
                  " between the medial and lateral borders of the " + pedicle +
                  " pedicle, at the foramen's height (contact 1 at the tip).");
  }
  if (foramen.empty()) {
    out.push_back("Lateral: the target foramen is not in the model.");
  } else if (dorsalHalfOfForamen.empty()) {
    out.push_back("Lateral: no contact lies in the dorsal half of the " + foramen +
                  " foramen: check the lead's position.");
  } else {
    out.push_back("Lateral: contacts " + contactList(dorsalHalfOfForamen) + " in the dorsal half of the " +
                  foramen + " foramen.");
  }
  return out;
}

} // namespace drg::planning
