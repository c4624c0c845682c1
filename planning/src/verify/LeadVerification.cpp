// The post-operative verification (LeadVerification.h), one step a function:
//   find      the leads in the post-operative CT, with the catalog's contact geometry;
//   register  the post-operative spine onto the planning spine: once about all the targets (the
//             patient lies elsewhere on the table), then about each lead's ganglion (the spine bends
//             differently between the scans);
//   match     found leads to planned ones by their arrays' centres in the planning frame;
//   number    the contacts distal first, from the lead body's evidence or else from the plan;
//   measure   deviation, ganglion distance and coverage, depth change, foramen, migration;
//   judge     a verdict per lead against assets/planning/verify.json.
#include "drg/planning/LeadVerification.h"

#include "drg/imaging/Error.h"
#include "drg/planning/PlanImages.h"
#include "drg/planning/Planner.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <sstream>

namespace drg::planning
{

using imaging::FoundLead;
using imaging::RigidTransform;

namespace
{

constexpr double kMatchMm = 25.0; ///< a found array further than this from every planned one is another lead

Vector3d centreOf(const std::vector<Vector3d>& points)
{
  Vector3d c = Vector3d::Zero();
  for (const auto& p : points) {
    c += p;
  }
  return points.empty() ? c : Vector3d(c / static_cast<double>(points.size()));
}

const LeadModel* modelOf(const LeadPlan& lead, const DeviceCatalog& catalog)
{
  const LeadModel* m = catalog.lead(lead.leadModel);
  return m != nullptr ? m : catalog.leads().empty() ? nullptr : &catalog.leads().front();
}

imaging::LeadFinderOptions finderOptions(const Plan& plan, const DeviceCatalog& catalog)
{
  imaging::LeadFinderOptions o;
  for (const auto& lead : plan.leads) {
    if (const LeadModel* m = modelOf(lead, catalog)) {
      o.contactCount = m->contactCount.value;
      o.contactSpacingMm = m->contactSpacingMm.value.empty() ? 5.0 : m->contactSpacingMm.value.front();
      o.contactLengthMm = m->contactLengthMm.value;
      o.diameterMm = m->diameterMm.value;
      break;
    }
  }
  return o;
}

std::vector<Vector3d> mapped(const std::vector<Vector3d>& points, const RigidTransform& t)
{
  std::vector<Vector3d> out;
  for (const auto& p : points) {
    out.push_back(t.apply(p));
  }
  return out;
}

/// Index of the planned lead each found lead is (-1: none), nearest arrays first.
std::vector<int> matchLeads(const Plan& plan, const std::vector<std::vector<Vector3d>>& foundInPlanning)
{
  struct Pair
  {
    double d;
    std::size_t f, p;
  };
  std::vector<Pair> pairs;
  for (std::size_t f = 0; f < foundInPlanning.size(); ++f) {
    for (std::size_t p = 0; p < plan.leads.size(); ++p) {
      if (!plan.leads[p].contacts.empty()) {
        pairs.push_back({ (centreOf(foundInPlanning[f]) - centreOf(plan.leads[p].contacts)).norm(), f, p });
      }
    }
  }
  std::sort(pairs.begin(), pairs.end(), [](const Pair& a, const Pair& b) { return a.d < b.d; });
  std::vector<int> match(foundInPlanning.size(), -1);
  std::vector<bool> taken(plan.leads.size(), false);
  for (const auto& pr : pairs) {
    if (pr.d <= kMatchMm && match[pr.f] < 0 && !taken[pr.p]) {
      match[pr.f] = static_cast<int>(pr.p);
      taken[pr.p] = true;
    }
  }
  return match;
}

/// The found contacts (planning frame) ordered distal first, and how that was told. A planned lead
/// is numbered by its plan: the found array runs the way the planned one does (a lead does not turn
/// round in its foramen, and the direction holds however far it slid along itself). Only a lead
/// the plan does not have is numbered by the body beyond its proximal end, which bone beside the
/// distal end can mimic on coarse images.
std::vector<std::size_t> distalFirstOrder(const FoundLead& found, const std::vector<Vector3d>& inPlanning,
                                          const LeadPlan* planned, std::string& from,
                                          std::vector<std::string>& notes)
{
  std::vector<std::size_t> order(found.contacts.size());
  std::iota(order.begin(), order.end(), 0);
  if (planned != nullptr && planned->contacts.size() >= 2 && inPlanning.size() >= 2) {
    from = "plan";
    const Vector3d plannedWay = planned->contacts.front() - planned->contacts.back(); // towards the tip
    const bool reversed = (inPlanning.front() - inPlanning.back()).dot(plannedWay) < 0.0;
    if (found.orientationKnown && found.distalFirst == reversed) {
      notes.push_back("the CT beyond the array's ends suggests the other end is distal (bone beside the tip "
                      "can look like the lead body); numbered by the plan's direction");
    }
    if (reversed) {
      std::reverse(order.begin(), order.end());
    }
  } else if (found.orientationKnown) {
    from = "lead body";
    if (!found.distalFirst) {
      std::reverse(order.begin(), order.end());
    }
  } else {
    from = "unknown";
    notes.push_back("which end is distal is not told by the image: contacts numbered along the array");
  }
  return order;
}

/// Fraction of the planned ganglion beside the found array (the planner's own measure).
double foundCoverage(const LeadPlan& planned, const LeadModel& model, const std::vector<Vector3d>& contacts)
{
  if (contacts.size() < 2) {
    return 0.0;
  }
  const Vector3d distal = (contacts.front() - contacts[1]).normalized();
  const std::vector<double> fromTip = model.contactCentresFromTipMm();
  const Vector3d tip = contacts.front() + distal * fromTip.front();
  std::vector<Vector3d> line;
  line.push_back(contacts.back() - (contacts[contacts.size() - 2] - contacts.back()).normalized() * 10.0);
  for (auto it = contacts.rbegin(); it != contacts.rend(); ++it) {
    line.push_back(*it);
  }
  line.push_back(tip);
  LeadPlan l = planned;
  l.route.clear();
  for (std::size_t i = 0; i + 1 < line.size(); ++i) {
    const double len = (line[i + 1] - line[i]).norm();
    const int steps = std::max(1, static_cast<int>(std::ceil(len / 0.5)));
    for (int s = 0; s < steps; ++s) {
      l.route.push_back(line[i] + (line[i + 1] - line[i]) * (static_cast<double>(s) / steps));
    }
  }
  l.route.push_back(line.back());
  return contactCoverage(l, model, planned.target, planned.targetAxis.normalized(), planned.targetLengthMm,
                         planned.targetWidthMm);
}

std::string foramenName(const imaging::SpineForamen& f)
{
  return f.upperLevel + "/" + f.lowerLevel + " " + imaging::sideName(f.side);
}

/// The foramen nearest the contact nearest the ganglion, and whether that contact is in the
/// intended one.
void judgeForamen(const LeadPlan& planned, const imaging::SpineModel* model, const VerifyRules& rules,
                  VerifiedLead& v)
{
  if (model == nullptr || model->foramina.empty() || v.contacts.empty()) {
    return;
  }
  const VerifiedContact* nearest = &v.contacts.front();
  for (const auto& c : v.contacts) {
    nearest = c.ganglionDistanceMm < nearest->ganglionDistanceMm ? &c : nearest;
  }
  const imaging::SpineForamen* best = nullptr;
  double bestD = std::numeric_limits<double>::infinity();
  const imaging::SpineForamen* intended = nullptr;
  for (const auto& f : model->foramina) {
    double d = (f.centre - nearest->planning).norm();
    if (d < bestD) {
      bestD = d;
      best = &f;
    }
    if (f.upperLevel == planned.targetLevel && f.side == planned.targetSide) {
      intended = &f;
    }
  }
  v.foramenFound = foramenName(*best);
  if (intended == nullptr) {
    v.notes.push_back("the planning images' model shows no foramen below " + planned.targetLevel +
                      ": whether the lead is in it is not told");
    return;
  }
  const double reach = 0.5 * std::max(intended->heightMm, intended->widthMm) + rules.foramenReachMm.value;
  v.inIntendedForamen = best == intended && bestD <= reach;
}

void judge(VerifiedLead& v, const VerifyRules& rules)
{
  if (!v.found) {
    v.verdict = "not found";
    return;
  }
  if (!v.inPlan) {
    v.verdict = "not in the plan";
    return;
  }
  const bool trusted = v.registration.correlation >= rules.minCorrelation.value;
  if (!trusted) {
    std::ostringstream s;
    s.precision(2);
    s << std::fixed << "the spine around this lead was not brought onto the plan reliably (correlation "
      << v.registration.correlation << ", at least " << rules.minCorrelation.value
      << " needed): positions against the plan are uncertain";
    v.notes.push_back(s.str());
  }
  if (v.inIntendedForamen.has_value() && !*v.inIntendedForamen) {
    v.verdict = "out of its foramen";
  } else if (v.maxDeviationMm > rules.migratedMm.value) {
    v.verdict = "migrated";
  } else if (v.maxDeviationMm > rules.inPlaceMm.value) {
    v.verdict = "moved";
  } else {
    v.verdict = "in place";
  }
  if (!trusted) {
    v.verdict += " (uncertain: registration)";
  }
}

} // namespace

std::string checkPostopImages(const StudyReference& plan, const imaging::ImageIdentity& postop,
                              const std::string& modality, const std::string& name)
{
  if (modality == "MR") {
    throw Error(ErrorCode::Unsupported,
                "verification needs CT (the leads' metal shows on CT; on MR it is a void): " + name +
                  " is MR");
  }
  const ImagesCheck who = checkPlanImages(plan, postop);
  if (who.match == ImagesMatch::Same) {
    throw Error(ErrorCode::InvalidArgument,
                name + " is the plan's own (planning) images, not a post-operative scan");
  }
  if (who.match == ImagesMatch::OtherPatient) {
    throw Error(ErrorCode::InvalidArgument, "another patient's images: " + who.message);
  }
  if (who.match == ImagesMatch::OtherImagesPatientUnknown) {
    return "whose images " + name +
           " are cannot be told (they record no patient): check they are this patient's";
  }
  return {};
}

Verification verifyLeads(const VerifyInput& in)
{
  if (in.plan == nullptr || in.planning == nullptr || in.postop == nullptr || in.catalog == nullptr) {
    throw Error(ErrorCode::Internal, "verifyLeads: plan, images and catalog are needed");
  }
  const Plan& plan = *in.plan;
  Verification out;
  out.search = imaging::findLeads(*in.postop, finderOptions(plan, *in.catalog));
  if (out.search.leads.empty()) {
    std::ostringstream s;
    s << "no lead found in the post-operative images (" << out.search.metalBlobs << " compact metal spots, "
      << out.search.thickObjects
      << " thick metal objects such as screws or a generator): is this a "
         "post-operative CT with the leads in view?";
    throw Error(ErrorCode::InvalidArgument, s.str());
  }
  // the patient lies elsewhere: one registration about all the planned targets first
  std::vector<Vector3d> targets;
  for (const auto& lead : plan.leads) {
    if (lead.planned) {
      targets.push_back(lead.target);
    }
  }
  if (targets.empty()) {
    throw Error(ErrorCode::InvalidArgument, "the plan has no planned lead to verify against");
  }
  imaging::RegistrationOptions global;
  global.halfSizeMm = Vector3d(45, 45, 45);
  global.searchMm = 60.0;
  global.sampleMm = 3.0;
  out.global = imaging::registerRigid(*in.planning, *in.postop, centreOf(targets), {}, global);
  const RigidTransform toPlanningGlobal = out.global.planningToImage.inverse();

  std::vector<std::vector<Vector3d>> foundInPlanning;
  for (const auto& f : out.search.leads) {
    foundInPlanning.push_back(mapped(f.contacts, toPlanningGlobal));
  }
  const std::vector<int> match = matchLeads(plan, foundInPlanning);

  imaging::RegistrationOptions local;
  local.halfSizeMm = Vector3d(30, 30, 30);
  local.searchMm = 12.0;
  std::vector<VerifiedLead> planned(plan.leads.size());
  std::vector<VerifiedLead> unplanned;
  for (std::size_t p = 0; p < plan.leads.size(); ++p) {
    planned[p].name = plan.leads[p].name;
  }
  for (std::size_t f = 0; f < out.search.leads.size(); ++f) {
    const FoundLead& found = out.search.leads[f];
    const LeadPlan* lp = match[f] >= 0 ? &plan.leads[static_cast<std::size_t>(match[f])] : nullptr;
    VerifiedLead v;
    v.found = true;
    v.inPlan = lp != nullptr;
    v.name = lp != nullptr ? lp->name : "unplanned " + std::to_string(unplanned.size() + 1);
    // each lead against the spine about its own ganglion (or, unplanned, about itself)
    const Vector3d about = lp != nullptr ? lp->target : centreOf(foundInPlanning[f]);
    v.registration =
      imaging::registerRigid(*in.planning, *in.postop, about, out.global.planningToImage, local);
    const RigidTransform toPlanning = v.registration.planningToImage.inverse();
    const std::vector<Vector3d> inPlanning = mapped(found.contacts, toPlanning);
    const auto order = distalFirstOrder(found, inPlanning, lp, v.orientationFrom, v.notes);
    const PreviousContacts::const_iterator before =
      in.previous ? in.previous->find(v.name) : PreviousContacts::const_iterator{};
    const bool hasBefore = in.previous && before != in.previous->end();
    std::vector<Vector3d> distalFirst;
    for (std::size_t n = 0; n < order.size(); ++n) {
      VerifiedContact c;
      c.number = static_cast<int>(n) + 1;
      c.postop = found.contacts[order[n]];
      c.planning = inPlanning[order[n]];
      distalFirst.push_back(c.planning);
      if (lp != nullptr) {
        if (n < lp->contacts.size()) {
          c.planned = lp->contacts[n];
          c.deviationMm = (c.planning - *c.planned).norm();
        }
        c.ganglionDistanceMm = (c.planning - lp->target).norm();
      }
      if (hasBefore && n < before->second.size()) {
        c.migrationMm = (c.planning - before->second[n]).norm();
        v.maxMigrationMm = std::max(v.maxMigrationMm.value_or(0.0), *c.migrationMm);
      }
      v.maxDeviationMm = std::max(v.maxDeviationMm, c.deviationMm);
      v.contacts.push_back(c);
    }
    if (in.previous && !hasBefore) {
      v.notes.push_back("the previous verification has no lead " + v.name + ": no migration measured");
    }
    if (lp != nullptr) {
      const std::size_t expected = lp->contacts.size();
      if (found.contacts.size() != expected) {
        v.notes.push_back(
          std::to_string(found.contacts.size()) + " of " + std::to_string(expected) +
          " contacts found: numbers and deviations assume the first found is the most distal");
      }
      if (lp->contacts.size() >= 2) {
        const Vector3d deeper = (lp->contacts.front() - lp->contacts.back()).normalized();
        double sum = 0.0;
        std::size_t n = std::min(distalFirst.size(), lp->contacts.size());
        for (std::size_t k = 0; k < n; ++k) {
          sum += (distalFirst[k] - lp->contacts[k]).dot(deeper);
        }
        v.depthChangeMm = n == 0 ? 0.0 : sum / static_cast<double>(n);
      }
      if (const LeadModel* model = modelOf(*lp, *in.catalog)) {
        v.coverage = foundCoverage(*lp, *model, distalFirst);
        v.coversGanglion = v.coverage >= PlanRules::builtIn().minCoverage.value - 1e-9;
      }
      judgeForamen(*lp, in.model, in.rules, v);
      judge(v, in.rules);
      planned[static_cast<std::size_t>(match[f])] = v;
    } else {
      judge(v, in.rules);
      unplanned.push_back(v);
    }
  }
  for (auto& v : planned) {
    if (!v.found) {
      judge(v, in.rules);
    }
    out.leads.push_back(v);
  }
  for (auto& v : unplanned) {
    out.leads.push_back(v);
  }
  if (out.search.unchainedBlobs > 0) {
    out.notes.push_back(std::to_string(out.search.unchainedBlobs) +
                        " compact metal spot(s) joined no lead (a loose contact, a clip, dense bone)");
  }
  return out;
}

} // namespace drg::planning
