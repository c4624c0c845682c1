// Auto-planning of DRG leads and the generator pocket, and the safety findings: the planner's
// entry points and the driver that takes a lead through its ruled steps (planner/LeadSteps.h).
//
// A lead's needle enters the dorsal epidural space in its interlaminar window (searched over entry
// points and angles for a bone-free straight path to the skin); the sheath follows the dorsal
// epidural space towards the target and turns into the foramen; corners are rounded with circular
// arcs of the sheath's radius where the space allows (the tightest arc is reported); the lead's
// contacts are centred on the dorsal aspect of the ganglion along its root.
#include "drg/planning/Planner.h"

#include "drg/imaging/Error.h"
#include "planner/EntryLandmarks.h"
#include "planner/FluoroAngles.h"
#include "planner/LeadSteps.h"
#include "planner/PathGeometry.h"

#include <cctype>
#include <cstdio>

namespace drg::planning
{

Planner::Planner(const PlanAnatomy& anatomy, DeviceCatalog catalog, PlanRules rules)
  : m_anatomy(anatomy)
  , m_catalog(std::move(catalog))
  , m_rules(std::move(rules))
{
  if (m_catalog.leads().empty() || m_catalog.sheaths().empty() || m_catalog.needles().empty()) {
    throw Error(ErrorCode::InvalidArgument, "the device catalog needs at least one lead, sheath and needle");
  }
}

LeadPlan Planner::newLead(const std::string& name, const std::string& level, Side side) const
{
  if (!imaging::isLevelName(level) || level == "sacrum") {
    throw Error(ErrorCode::InvalidArgument, "'" + level + "' is not a level with a ganglion (T1-L6, S1)");
  }
  const auto& model = m_anatomy.model();
  if (!model.vertebra(level)) {
    std::string shown;
    for (const auto& v : model.vertebrae) {
      shown += (shown.empty() ? "" : ", ") + v.level;
    }
    throw Error(ErrorCode::InvalidArgument,
                "level " + level + " is not in the image (it shows " + shown + ")");
  }
  LeadPlan l;
  l.name = name;
  l.targetLevel = level;
  l.targetSide = side;
  l.approach = level == "S1" ? Approach::Sacral : Approach::ContralateralInterlaminar;
  // the entry window: one level below the target (the window under the next vertebra), but
  // never below L5/S1; S1 from the L5/S1 window
  std::vector<std::string> mobile;
  for (const auto& v : model.vertebrae) {
    if (v.level != "S1" && v.level != "sacrum") {
      mobile.push_back(v.level);
    }
  }
  auto it = std::find(mobile.begin(), mobile.end(), level);
  if (level == "S1") {
    l.entryLevel = mobile.empty() ? "L5" : mobile.back();
  } else if (it != mobile.end()) {
    l.entryLevel = (it + 1 != mobile.end()) ? *(it + 1) : *it;
  } else {
    l.entryLevel = level;
  }
  l.leadModel = m_catalog.leads().front().id;
  l.needle = m_catalog.needles().front().id;
  return l;
}

PocketPlan Planner::newPocket(PocketSite site, Side side) const
{
  if (m_catalog.generators().empty()) {
    throw Error(ErrorCode::InvalidArgument, "the device catalog has no pulse generator");
  }
  PocketPlan p;
  p.site = site;
  p.side = side;
  p.generator = m_catalog.generators().front().id;
  p.depthMm = m_rules.pocketDepthMm.value;
  return p;
}

void Planner::planLead(LeadPlan& lead, const std::vector<Vector3d>& otherEntries) const
{
  const auto& A = *m_anatomy.m_impl;
  lead.planned = false;
  lead.problem.clear();
  lead.route.clear();
  lead.contacts.clear();
  lead.tunnel.clear();
  const LeadModel* leadModel = m_catalog.lead(lead.leadModel);
  const NeedleModel* needle = m_catalog.needle(lead.needle);
  if (!leadModel || !needle) {
    lead.problem = "device '" + (!leadModel ? lead.leadModel : lead.needle) + "' is not in the catalog";
    return;
  }
  // 1. the target: the ganglion estimate (or the user's point)
  if (!placeTarget(A, lead)) {
    return;
  }
  // 2. the interlaminar window the needle enters by
  const std::optional<LeadCourse> course = courseThroughWindow(A, lead);
  if (!course) {
    lead.problem = "no interlaminar window below " + lead.entryLevel + " in the image";
    return;
  }
  // 3. the contacts over the dorsal aspect of the ganglion, along its root
  const ContactLayout contacts = layContactsOnGanglion(A, m_rules, *leadModel, *course, lead);
  lead.tip = contacts.tip;
  // 4. the needle: epidural entry in the window, a straight bone-free path to the skin
  // the sheath's turn out of the needle: the lead's chosen sheath, else the catalog's tightest
  double turnRadius = 1e9;
  for (const auto& s : m_catalog.sheaths()) {
    if (lead.sheath.empty() || s.id == lead.sheath) {
      turnRadius = std::min(turnRadius, s.curveRadiusMm.value);
    }
  }
  turnRadius = turnRadius < 1e9 ? turnRadius : 0.0;
  const NeedleCandidate path =
    searchNeedlePath(A, m_rules, *needle, turnRadius, *course, contacts, lead, otherEntries);
  if (!path.skinFound) {
    lead.problem = path.bone >= tuning::kNeedleBoneGiveUpMm
                     ? "every needle path from the skin to the " + lead.entryLevel +
                         " window runs through bone: choose another entry level"
                     : "no needle path reaches the skin inside the image from the " + lead.entryLevel +
                         " window: the field of view may be too narrow";
    lead.epiduralEntry = path.entry;
    return;
  }
  const NeedleTrack track = placeNeedle(A, *needle, path, lead);
  // 5. the route through the dorsal epidural space into the foramen, rounded with the sheath's curve
  const SheathRoute route = shapeEpiduralRoute(A, m_catalog, *course, contacts, track, lead);
  if (!route.usable()) {
    lead.problem = "no route could be shaped to this ganglion with the catalog's sheaths";
    return;
  }
  lead.route = route.route;
  // the tightest bend the sheath must take, measured on the path itself: from the needle's shaft
  // through its tip into the route (circles through points 2 mm apart)
  {
    std::vector<Vector3d> path{ lead.skinEntry };
    path.insert(path.end(), route.route.begin(), route.route.end());
    lead.minRadiusMm = tightestBend(path, tuning::kBendSpanMm);
  }
  lead.sheathUsed = route.sheath ? route.sheath->id : "";
  lead.sheathRadiusMm = route.sheath ? route.sheath->curveRadiusMm.value : 0.0;
  lead.routeLengthMm = pathLength(lead.route);
  lead.contacts = contactsAlongRoute(lead.route, contacts.fromTip);
  lead.coverage =
    contactCoverage(lead, *leadModel, lead.target, contacts.axis, lead.targetLengthMm, lead.targetWidthMm);
  // 6. the anchor at the fascia on the needle track, the strain-relief loop
  const FasciaAnchor anchor = anchorAtFascia(A, m_rules, track, lead);
  lead.anchorAtFascia = anchor.atFascia;
  lead.anchor = anchor.point;
  lead.loopDiameterMm = m_rules.strainReliefLoopDiameterMm.value;
  lead.loopCentre = strainReliefLoopCentre(A, *course, track);
  lead.planned = true;
}

namespace
{

/// The inputs a lead's geometry is computed from, as text (exact: positions in hexadecimal floats).
std::string inputKey(const LeadPlan& l, const std::vector<Vector3d>& entries)
{
  std::string k;
  auto add = [&](const Vector3d& v) {
    char buf[96];
    std::snprintf(buf, sizeof buf, "%a,%a,%a;", v.x(), v.y(), v.z());
    k += buf;
  };
  k += l.targetLevel + "|" + imaging::sideName(l.targetSide) + "|" + approachName(l.approach) + "|" +
       l.entryLevel + "|" + l.leadModel + "|" + l.sheath + "|" + l.needle + "|";
  for (const auto* p : { &l.manualTarget, &l.skinEntryOverride, &l.epiduralEntryOverride }) {
    if (*p) {
      add(**p);
    } else {
      k += "-;";
    }
  }
  k += "|";
  for (const auto& e : entries) {
    add(e);
  }
  return k;
}

} // namespace

void Planner::recompute(Plan& plan) const
{
  std::vector<Vector3d> entries; // needles already placed: later leads keep their distance
  for (const auto& lead : plan.leads) {
    if (lead.locked && lead.planned) {
      entries.push_back(lead.epiduralEntry);
    }
  }
  std::vector<const LeadPlan*> placed; // leads a later one must keep clear of
  for (const auto& lead : plan.leads) {
    if (lead.locked) {
      placed.push_back(&lead);
    }
  }
  for (auto& lead : plan.leads) {
    if (!lead.locked) {
      // a lead whose inputs (and the needles placed before it) are unchanged keeps its geometry:
      // dragging one lead does not re-plan the others
      const std::string key = inputKey(lead, entries);
      if (!lead.planned || key != lead.plannedFrom) {
        planLead(lead, entries);
        spreadFrom(lead, placed, entries);
        // (keyed by what it was planned from in the end: a lead moved clear stays so)
        lead.plannedFrom = inputKey(lead, entries);
      }
      placed.push_back(&lead);
      if (lead.planned) {
        entries.push_back(lead.epiduralEntry);
      }
    }
  }
  if (plan.pocket) {
    placePocket(*plan.pocket);
  }
  for (auto& lead : plan.leads) {
    if (lead.locked && lead.planned) {
      // a locked lead keeps its geometry (from the file, perhaps): what it implies is measured again
      lead.routeLengthMm = pathLength(lead.route);
      // (its needle's angles too: a file may hold them unknown, from before they were measured so)
      const NeedleAngles angles =
        fluoroscopicAngles(*m_anatomy.m_impl, lead.skinEntry, lead.epiduralEntry, lead.entryLevel);
      lead.needleToSkinDeg = angles.toSkinDeg;
      lead.needleToLaminaLineDeg = angles.toLaminaLineDeg;
      lead.needleApMedioLateralDeg = angles.apMedioLateralDeg;
      if (const LeadModel* lm = m_catalog.lead(lead.leadModel)) {
        lead.coverage = contactCoverage(lead, *lm, lead.target, lead.targetAxis.normalized(),
                                        lead.targetLengthMm, lead.targetWidthMm);
      }
      if (lead.route.size() < 2) {
        lead.planned = false;
        lead.problem = "the locked lead has no route: unlock it to plan it again";
      }
    }
    if (lead.planned) {
      budgetAndTunnel(lead, plan.pocket, plan.kind);
    }
    lead.entryLandmarks = lead.planned ? findEntryLandmarks(*m_anatomy.m_impl, lead) : EntryLandmarks{};
  }
  findings(plan);
}

std::pair<std::string, Side> parseTarget(const std::string& text)
{
  const auto dash = text.find('-');
  const std::string level = text.substr(0, dash);
  const std::string side = dash == std::string::npos ? "" : text.substr(dash + 1);
  if (!imaging::isLevelName(level) || (side != "left" && side != "right")) {
    throw Error(ErrorCode::InvalidArgument,
                "target '" + text + "' must be LEVEL-SIDE, e.g. L4-left or S1-right");
  }
  return { level, side == "left" ? Side::Left : Side::Right };
}

std::string targetName(const std::string& level, Side side)
{
  return level + " " + imaging::sideName(side);
}

std::string nameWords(const std::string& name)
{
  std::string w;
  for (char c : name) {
    if (c == ' ' || c == '-' || c == '_') {
      if (!w.empty() && w.back() != ' ') {
        w += ' ';
      }
    } else {
      w += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
  }
  while (!w.empty() && w.back() == ' ') {
    w.pop_back();
  }
  return w;
}

bool namesItsTarget(const LeadPlan& lead)
{
  return nameWords(lead.name) == nameWords(targetName(lead.targetLevel, lead.targetSide));
}

} // namespace drg::planning
