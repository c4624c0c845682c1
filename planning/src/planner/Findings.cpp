// The safety findings of a plan: each measures the plan against a rule of assets/planning/rules.json
// or the device catalog, per lead (needle, nearness to other ganglia and the cord, route, length),
// per pair of leads, and for the pocket.
#include "drg/planning/Planner.h"

#include "drg/imaging/AnatomyLabels.h"
#include "planner/PathGeometry.h"
#include "planner/PlanAnatomyImpl.h"

#include <cmath>
#include <cstdio>

namespace drg::planning
{
namespace
{

/// `mm` with one decimal, for the findings' text.
std::string oneDecimal(double mm)
{
  char text[32];
  std::snprintf(text, sizeof text, "%.1f", mm);
  return text;
}

/// What the findings are measured against, and the list they are added to.
struct FindingChecks
{
  const PlanAnatomy::Impl& anatomy;
  const DeviceCatalog& catalog;
  const PlanRules& rules;
  std::vector<Finding>& out;

  void add(const char* code, Severity sev, int lead, double measured, double threshold, const char* unit,
           const std::string& message) const
  {
    out.push_back(Finding{ code, sev, lead, measured, threshold, unit, message, std::nullopt });
  }
};

/// The needle: through bone, its tip outside the dorsal epidural space, its angles, its length.
void needleFindings(const FindingChecks& f, const LeadPlan& l, int li, const std::string& who)
{
  const auto& A = f.anatomy;
  const PlanRules& rules = f.rules;
  const NeedleModel* needle = f.catalog.needle(l.needle);
  if (l.needleBoneMm > 0) {
    f.add("needle-through-bone", Severity::Error, li, l.needleBoneMm, 0, "mm",
          who + "the needle path runs through bone: it misses the interlaminar window below " + l.entryLevel);
  }
  const int sE = A.nearestIndex(l.epiduralEntry);
  {
    const auto& st = A.at(sE);
    const Vector3d off = l.epiduralEntry - st.centre;
    // in the canal the label map shows, behind its centre
    const double ap = off.dot(st.posterior);
    if (A.clearance.canal(l.epiduralEntry) > 0 || ap < 0) {
      f.add("epidural-entry-outside-canal", Severity::Error, li, off.norm(), 0, "mm",
            who + "the epidural entry is not in the dorsal epidural space");
    }
  }
  if (needle && l.needleDepthMm > needle->lengthMm.value) {
    f.add("needle-too-short", Severity::Error, li, l.needleDepthMm, needle->lengthMm.value, "mm",
          who + "the epidural space lies deeper than the needle is long");
  }
  // the angles as read on fluoroscopy: to the skin on the lateral image (the published 30-45
  // degrees, never steeper), medio-lateral on the AP image; an angle not measured is not judged
  const double maxToSkin = needle
                             ? std::min(rules.maxNeedleAngleDeg.value, needle->maxEntryAngleDegrees.value)
                             : rules.maxNeedleAngleDeg.value;
  if (l.needleToSkinDeg > maxToSkin + 1e-6) {
    f.add("needle-angle-steep", Severity::Warning, li, l.needleToSkinDeg, maxToSkin, "deg",
          who + "needle steeper to the skin (lateral image) than the sheath can turn from");
  }
  if (l.needleToSkinDeg < rules.minNeedleAngleDeg.value - 1e-6) {
    f.add("needle-angle-flat", Severity::Warning, li, l.needleToSkinDeg, rules.minNeedleAngleDeg.value, "deg",
          who + "needle flatter to the skin (lateral image) than the planner's minimum");
  }
  if (std::isnan(l.needleToSkinDeg)) {
    f.add("needle-angle-unmeasured", Severity::Info, li, 0, 0, "", // (no measure: none shown)
          who + "the skin line beside the skin entry is not in the image: the needle's angle to the skin "
                "is not known");
  }
  if (l.needleApMedioLateralDeg > rules.maxMedioLateralAngleDeg.value + 1e-6) {
    f.add("needle-angle-medio-lateral", Severity::Warning, li, l.needleApMedioLateralDeg,
          rules.maxMedioLateralAngleDeg.value, "deg",
          who + "needle slanted far across the cranio-caudal axis on the AP image");
  }
}

/// Other ganglia and the cord near the needle and the route.
void nearnessFindings(const FindingChecks& f, const LeadPlan& l, int li, const std::string& who)
{
  const auto& A = f.anatomy;
  const auto& model = A.model;
  const PlanRules& rules = f.rules;
  std::vector<Vector3d> needlePath;
  for (double t = 0; t <= 1.0001; t += 0.02) {
    needlePath.push_back(l.skinEntry + (l.epiduralEntry - l.skinEntry) * t);
  }
  const std::vector<Vector3d>* paths[] = { &needlePath, &l.route };
  double nearest = 1e9;
  std::string nearestName;
  for (const auto& g : model.ganglia) {
    if (g.level == l.targetLevel && g.side == l.targetSide) {
      continue;
    }
    for (const std::vector<Vector3d>* p : paths) {
      for (const auto& q : *p) {
        const double dd = (q - g.centre).norm() - 0.5 * g.widthMm;
        if (dd < nearest) {
          nearest = dd;
          nearestName = g.level + " " + imaging::sideName(g.side);
        }
      }
    }
  }
  if (nearest < rules.ganglionClearanceMm.value) {
    f.add("near-other-ganglion", Severity::Warning, li, std::max(0.0, nearest),
          rules.ganglionClearanceMm.value, "mm", who + "passes close to the " + nearestName + " ganglion");
  }
  // the needle must keep clear of the cord; the sheath runs outside the dura, so its route is
  // flagged only where it enters the cord's space
  double needleCord = 1e9, routeCord = 1e9;
  for (const auto& q : needlePath) {
    needleCord = std::min(needleCord, A.cordDistance(q, rules.cordRadiusMm.value));
  }
  for (const auto& q : l.route) {
    routeCord = std::min(routeCord, A.cordDistance(q, rules.cordRadiusMm.value));
  }
  if (needleCord < rules.cordClearanceMm.value) {
    f.add("needle-near-cord", needleCord < 0 ? Severity::Error : Severity::Warning, li, needleCord,
          rules.cordClearanceMm.value, "mm",
          who + "the needle's tip comes close to the spinal cord (above the conus)");
  }
  if (routeCord < 0) {
    f.add("route-near-cord", Severity::Error, li, routeCord, 0.0, "mm",
          who + "the route reaches into the cord's space above the conus: check the dorsal epidural space");
  }
}

/// The route: tighter than the sheath's curve, through bone; the contacts' cover of the ganglion.
void routeFindings(const FindingChecks& f, const LeadPlan& l, int li, const std::string& who)
{
  const auto& A = f.anatomy;
  const PlanRules& rules = f.rules;
  if (l.minRadiusMm < l.sheathRadiusMm - tuning::kBendToleranceMm) {
    f.add("route-too-tight", Severity::Error, li, l.minRadiusMm, l.sheathRadiusMm, "mm",
          who + "the path bends tighter than the curve of the " +
            (f.catalog.sheath(l.sheathUsed) ? f.catalog.sheath(l.sheathUsed)->name : l.sheathUsed) +
            " (measured on the path: the needle, its tip and the route)");
  }
  double routeBone = 0;
  std::optional<Vector3d> firstBone;
  for (std::size_t k = 2; k < l.route.size(); ++k) {
    if (A.isBone(l.route[k])) {
      routeBone += (l.route[k] - l.route[k - 1]).norm();
      firstBone = firstBone ? firstBone : l.route[k];
    }
  }
  if (routeBone > rules.routeBoneToleranceMm.value) {
    f.add("route-through-bone", Severity::Error, li, routeBone, rules.routeBoneToleranceMm.value, "mm",
          who + "the route crosses bone in the image (check the foramen's outline)");
    f.out.back().place = firstBone;
  }
  if (l.coverage < rules.minCoverage.value - 1e-9) {
    f.add("contacts-off-ganglion", Severity::Warning, li, l.coverage * 100.0, rules.minCoverage.value * 100.0,
          "%", who + "the contacts cover too little of the ganglion's length");
  }
}

/// The dura: the needle and the route (up to the contact array, which lies along the root in the
/// foramen) against the spine model's dural sac, cord and cauda equina; the needle's tip in the
/// dorsal epidural fat (CT: the model labels the fat; MR labels none).
void duraFindings(const FindingChecks& f, const LeadPlan& l, int li, const std::string& who)
{
  const auto& A = f.anatomy;
  const PlanRules& rules = f.rules;
  // the sac as the model labels it is uncertain by a voxel at its edge: the needle, its tip
  // included, must keep the anatomy's dura margin (a voxel, at least 1 mm) off it
  auto nearSac = [&](const Vector3d& p) {
    if (A.isNoGo(p)) {
      return true;
    }
    const double m = A.duraMarginMm;
    for (const Vector3d& d : { Vector3d(m, 0, 0), Vector3d(-m, 0, 0), Vector3d(0, m, 0), Vector3d(0, -m, 0),
                               Vector3d(0, 0, m), Vector3d(0, 0, -m) }) {
      if (A.isNoGo(p + d)) {
        return true;
      }
    }
    return false;
  };
  double needleSac = 0;
  const double depth = (l.epiduralEntry - l.skinEntry).norm();
  for (double t = 0.25; t <= depth + 1e-9; t += 0.5) {
    needleSac +=
      nearSac(l.skinEntry + (l.epiduralEntry - l.skinEntry) * (std::min(t, depth) / depth)) ? 0.5 : 0.0;
  }
  if (needleSac > 0) {
    f.add("needle-through-dura", Severity::Error, li, needleSac, 0.0, "mm",
          who + "the needle reaches the dural sac or comes within " + oneDecimal(A.duraMarginMm) +
            " mm of it (a voxel: the sac's edge is uncertain by that): it could puncture the dura");
  }
  // (and as far inside the canal's outline as the planner puts it: nearer, it may lie in the
  // ligamentum flavum the image does not separate from the fat)
  const bool atOutline = A.clearance.canal(l.epiduralEntry) > -tuning::kEntryInsideCanalMm + 0.25;
  if (A.ct && (A.labelAt(l.epiduralEntry) != imaging::labels::kEpiduralFat || nearSac(l.epiduralEntry) ||
               atOutline)) {
    f.add("epidural-entry-not-in-fat", Severity::Error, li, 0.0, 0.0, "",
          who + "the needle's tip is not in the dorsal epidural fat the image shows, " +
            oneDecimal(A.duraMarginMm) + " mm clear of the sac (" +
            (A.isNoGo(l.epiduralEntry)                                     ? "it lies in the dural sac"
             : atOutline                                                   ? "it lies at the canal's outline"
             : A.labelAt(l.epiduralEntry) == imaging::labels::kEpiduralFat ? "it lies at the sac's edge"
                                                                           : "it lies outside the canal") +
            ")");
  }
  // the route's stretch before the contacts: walk back from the tip past the proximal contact
  double fromTip = 0, contacts = 0;
  if (const LeadModel* lm = f.catalog.lead(l.leadModel)) {
    const std::vector<double> centres = lm->contactCentresFromTipMm();
    contacts = centres.empty() ? 0.0 : centres.back() + 0.5 * lm->contactLengthMm.value;
  }
  double routeSac = 0;
  std::optional<Vector3d> deepest; // (where the route comes deepest into the sac, or nearest to it)
  double deepestClearance = 1e9;
  for (std::size_t k = l.route.size(); k-- > 1;) {
    const double seg = (l.route[k] - l.route[k - 1]).norm();
    fromTip += seg;
    // (within a millimetre of the sac as the image shows it counts: its edge is uncertain by that)
    const Vector3d mid = 0.5 * (l.route[k] + l.route[k - 1]);
    const double clearance = A.clearance.noGo(mid);
    if (fromTip > contacts && clearance < A.duraMarginMm) {
      routeSac += seg;
      if (clearance < deepestClearance) {
        deepestClearance = clearance;
        deepest = mid;
      }
    }
  }
  if (routeSac > rules.routeSacToleranceMm.value) {
    f.add("route-through-dura", Severity::Error, li, routeSac, rules.routeSacToleranceMm.value, "mm",
          who + "the route runs through the dural sac in the image, or within " + oneDecimal(A.duraMarginMm) +
            " mm of it: the sheath could pass inside the dura; choose another entry level or move the entry");
    f.out.back().place = deepest;
  }
}

/// Two leads touching, crossing or running close together.
void leadPairFindings(const FindingChecks& f, const std::vector<LeadPlan>& leads)
{
  auto tried = [](const LeadPlan& l) {
    return l.spreadTried.empty() ? std::string()
                                 : " (for " + l.name + " the planner also tried " + l.spreadTried +
                                     ": none keeps it clearer with a bend no tighter)";
  };
  for (std::size_t i = 0; i < leads.size(); ++i) {
    for (std::size_t j = i + 1; j < leads.size(); ++j) {
      const LeadPlan &a = leads[i], &b = leads[j];
      if (!a.planned || !b.planned) {
        continue;
      }
      const double dist = polylineDistance(a.route, b.route);
      const LeadModel* lm = f.catalog.lead(a.leadModel);
      const double dia = lm ? lm->diameterMm.value : 1.0;
      if (dist < dia) {
        f.add("leads-crossing", Severity::Warning, static_cast<int>(j), dist, dia, "mm",
              a.name + " and " + b.name + " touch or cross" + tried(b));
      } else if (dist < f.rules.leadSpacingMm.value) {
        f.add("leads-crowding", Severity::Warning, static_cast<int>(j), dist, f.rules.leadSpacingMm.value,
              "mm", a.name + " and " + b.name + " run close together" + tried(b));
      }
    }
  }
}

/// The pocket: not placed, too shallow or deep, near the iliac crest or the lowest rib.
void pocketFindings(const FindingChecks& f, const PocketPlan& p)
{
  const auto& model = f.anatomy.model;
  const PlanRules& rules = f.rules;
  if (!p.placed) {
    f.add("pocket-not-placed", Severity::Error, -1, 0, 0, "",
          std::string("the ") + pocketSiteName(p.site) + " pocket could not be placed: " +
            (p.problem.empty() ? std::string("its landmark or skin is not in the image") : p.problem) +
            "; no lead length is budgeted without its tunnel");
    return;
  }
  if (p.depthMm < rules.minPocketDepthMm.value) {
    f.add("pocket-too-shallow", Severity::Warning, -1, p.depthMm, rules.minPocketDepthMm.value, "mm",
          "generator too close under the skin");
  }
  if (p.depthMm > rules.maxPocketDepthMm.value) {
    f.add("pocket-too-deep", Severity::Warning, -1, p.depthMm, rules.maxPocketDepthMm.value, "mm",
          "generator deeper than telemetry allows");
  }
  auto boxDistance = [&](const Vector3d& q) {
    const Vector3d local = p.axes.transpose() * (q - p.centre);
    const Vector3d half = 0.5 * p.sizeMm;
    const Vector3d outside = (local.cwiseAbs() - half).cwiseMax(0.0);
    return outside.norm();
  };
  for (const auto& lm : model.landmarks) {
    const bool crest = lm.name.rfind("iliac_crest_top_", 0) == 0;
    const bool rib = lm.name.rfind("lowest_rib_tip_", 0) == 0;
    if (!(crest || rib) || lm.name.find(imaging::sideName(p.side)) == std::string::npos) {
      continue;
    }
    const double dist = boxDistance(lm.position);
    if (dist < rules.pocketBoneClearanceMm.value) {
      f.add(crest ? "pocket-near-iliac-crest" : "pocket-near-rib", Severity::Warning, -1, dist,
            rules.pocketBoneClearanceMm.value, "mm",
            std::string("generator close to the ") + (crest ? "iliac crest" : "lowest rib"));
    }
  }
}

} // namespace

namespace
{

/// A permanent plan made from a trial: each lead kept without a result, against its result, or with
/// less relief than the success criterion (the team decides; the plan says it where it is read).
void trialFindings(const FindingChecks& f, const Plan& plan, double successPercent)
{
  if (!plan.fromTrial) {
    return;
  }
  for (std::size_t i = 0; i < plan.leads.size(); ++i) {
    const LeadPlan& l = plan.leads[i];
    const int li = static_cast<int>(i);
    for (const auto& t : plan.fromTrial->leads) {
      if (!t.kept || t.name != l.name) {
        continue;
      }
      if (!t.result) {
        f.add("trial-kept-without-result", Severity::Warning, li, 0, 0, "",
              l.name + ": kept from the trial without a recorded result");
      } else if (!t.result->keep) {
        f.add("trial-kept-against-result", Severity::Warning, li, t.result->reliefPercent, successPercent,
              "%", l.name + ": kept although its trial result says drop");
      } else if (t.result->reliefPercent < successPercent) {
        f.add("trial-kept-below-criterion", Severity::Warning, li, t.result->reliefPercent, successPercent,
              "%", l.name + ": kept with less relief in the trial than the success criterion");
      }
    }
  }
}

} // namespace

void Planner::findings(Plan& plan) const
{
  plan.findings.clear();
  const FindingChecks f{ *m_anatomy.m_impl, m_catalog, m_rules, plan.findings };
  // the level names a lead is aimed by: unconfirmed ones, or the user's own naming against the
  // image, are an error until the user confirms them
  const imaging::LevelCheck& levels = m_anatomy.model().levelCheck;
  if (levels.needsConfirmation() && plan.study.levelsConfirmedBy.empty() && !plan.leads.empty()) {
    const std::string how =
      "count the levels on the scout (localiser) or a prior image that shows the sacrum "
      "and the ribs, or on fluoroscopy, and confirm them (Spine > Confirm the levels; "
      "drgplan-cli plan --confirm-levels)";
    if (levels.status == "unconfirmed") {
      f.add("levels-unconfirmed", Severity::Error, -1, 0, 0, "",
            "the level names are not confirmed (" + levels.why() + "): " + how);
    } else {
      f.add("levels-against-image", Severity::Error, -1, 0, 0, "",
            "the level names follow the user's naming, against the image (" + levels.why() + "): " + how);
    }
  }
  // a thoracic target's name rests on twelve rib pairs, assumed: an error until the user confirms
  // the levels (having counted the ribs from the first, or the vertebrae from C2)
  if (!levels.thoracicNames.empty() && plan.study.levelsConfirmedBy.empty()) {
    for (std::size_t i = 0; i < plan.leads.size(); ++i) {
      const LeadPlan& l = plan.leads[i];
      if (!l.targetLevel.empty() && l.targetLevel[0] == 'T') {
        f.add("thoracic-level-assumed", Severity::Error, static_cast<int>(i), 0, 0, "",
              l.name + ": " + l.targetLevel +
                " is named assuming twelve rib pairs; with eleven or thirteen it "
                "is one level off. Count the ribs from the first (chest image) or the vertebrae from C2 "
                "(whole-spine localiser), then confirm the levels (Spine > Confirm the levels; drgplan-cli "
                "plan --confirm-levels)");
      }
    }
  }
  if (static_cast<int>(plan.leads.size()) > m_rules.maxLeads.value) {
    f.add("too-many-leads", Severity::Error, -1, static_cast<double>(plan.leads.size()),
          m_rules.maxLeads.value, "", "more leads than the generator has ports");
  }
  for (std::size_t i = 0; i < plan.leads.size(); ++i) {
    const LeadPlan& l = plan.leads[i];
    const int li = static_cast<int>(i);
    // the target beside the name only when the name does not already say it ("L4-left" does)
    const std::string who =
      namesItsTarget(l) ? l.name + ": " : l.name + " (" + targetName(l.targetLevel, l.targetSide) + "): ";
    if (!l.planned) {
      f.add("lead-not-planned", Severity::Error, li, 0, 0, "", who + l.problem);
      continue;
    }
    if (!l.spreadNote.empty()) {
      f.add("lead-spread", Severity::Info, li, 0, 0, "", who + l.spreadNote);
    }
    needleFindings(f, l, li, who);
    nearnessFindings(f, l, li, who);
    routeFindings(f, l, li, who);
    duraFindings(f, l, li, who);
    if (((plan.pocket && plan.pocket->placed) || plan.kind == PlanKind::Trial) && !l.budget.fits) {
      f.add("length-budget", Severity::Error, li, l.budget.totalMm, 0, "mm",
            who + "no lead (with an extension) in the catalog is long enough");
    }
  }
  leadPairFindings(f, plan.leads);
  trialFindings(f, plan, m_rules.trialSuccessReliefPercent.value);
  if (plan.pocket) {
    pocketFindings(f, *plan.pocket);
  } else if (plan.kind == PlanKind::Permanent &&
             std::any_of(plan.leads.begin(), plan.leads.end(), [](const LeadPlan& l) { return l.planned; })) {
    f.add("length-budget-incomplete", Severity::Warning, -1, 0, 0, "",
          "no pocket chosen: without the tunnel to it no lead length is budgeted");
  }
}

std::optional<Vector3d> findingPlace(const Plan& plan, const Finding& finding)
{
  if (finding.place) {
    return finding.place;
  }
  const std::string& c = finding.code;
  auto starts = [&](const char* prefix) { return c.rfind(prefix, 0) == 0; };
  if (starts("pocket-")) {
    return plan.pocket ? std::optional<Vector3d>(plan.pocket->centre) : std::nullopt;
  }
  if (finding.lead < 0 || finding.lead >= static_cast<int>(plan.leads.size())) {
    return std::nullopt;
  }
  const LeadPlan& l = plan.leads[static_cast<std::size_t>(finding.lead)];
  if (!l.planned) {
    return l.manualTarget ? l.manualTarget : std::nullopt;
  }
  if (starts("needle-angle-")) {
    return l.skinEntry;
  }
  if (starts("needle-") || starts("epidural-entry-") || c == "route-too-tight") {
    return l.epiduralEntry; // (the path bends tightest where the sheath leaves the needle's tip)
  }
  if (starts("length-budget")) {
    return l.anchor;
  }
  return l.target; // contacts, nearness to another ganglion, the route without a spot, crossing leads
}

} // namespace drg::planning
