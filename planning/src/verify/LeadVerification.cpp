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

constexpr double kMatchMm = 25.0;    ///< a found array within this of a planned one is that lead
constexpr double kFarMatchMm = 60.0; ///< a lead left over this near a planned one left over slid there
constexpr double kLevelSlipMm =
  15.0; ///< a lead's registration this far from the whole spine's may be a level off

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

/// Index of the planned lead each found lead is (-1: none), nearest arrays first; then a found lead
/// left over is taken as a planned lead left over within kFarMatchMm (a lead that slid a level:
/// `far` set), never as a new lead beside a planned one that was not found.
std::vector<int> matchLeads(const Plan& plan, const std::vector<std::vector<Vector3d>>& foundInPlanning,
                            std::vector<bool>& far)
{
  struct Pair
  {
    double d;
    std::size_t f, p;
  };
  std::vector<Pair> pairs;
  for (std::size_t f = 0; f < foundInPlanning.size(); ++f) {
    for (std::size_t p = 0; p < plan.leads.size(); ++p) {
      if (plan.leads[p].planned && !plan.leads[p].contacts.empty()) {
        pairs.push_back({ (centreOf(foundInPlanning[f]) - centreOf(plan.leads[p].contacts)).norm(), f, p });
      }
    }
  }
  std::sort(pairs.begin(), pairs.end(), [](const Pair& a, const Pair& b) { return a.d < b.d; });
  std::vector<int> match(foundInPlanning.size(), -1);
  far.assign(foundInPlanning.size(), false);
  std::vector<bool> taken(plan.leads.size(), false);
  for (double reach : { kMatchMm, kFarMatchMm }) {
    for (const auto& pr : pairs) {
      if (pr.d <= reach && match[pr.f] < 0 && !taken[pr.p]) {
        match[pr.f] = static_cast<int>(pr.p);
        taken[pr.p] = true;
        far[pr.f] = reach > kMatchMm;
      }
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

/// The foramen nearest the lead's contact nearest the ganglion (for a lead the plan has not, its
/// middle contact), and whether that contact lies in the intended foramen: the nearest foramen is
/// the intended one, the contact within its half height (plus the rule's reach) of its centre and
/// within half the ganglion's length (plus the reach) of the planned ganglion. A contact beyond
/// every modelled foramen's reach names none (the sacral foramina are not modelled).
void judgeForamen(const LeadPlan* planned, const imaging::SpineModel* model, const VerifyRules& rules,
                  VerifiedLead& v)
{
  if (model == nullptr || model->foramina.empty() || v.contacts.empty()) {
    return;
  }
  const VerifiedContact* nearest = &v.contacts[v.contacts.size() / 2];
  if (planned != nullptr) {
    for (const auto& c : v.contacts) {
      nearest = c.ganglionDistanceMm < nearest->ganglionDistanceMm ? &c : nearest;
    }
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
    if (planned != nullptr && f.upperLevel == planned->targetLevel && f.side == planned->targetSide) {
      intended = &f;
    }
  }
  const double bestReach = 0.5 * std::max(best->heightMm, best->widthMm) + rules.foramenReachMm.value;
  std::ostringstream found;
  found.precision(0);
  found << std::fixed;
  if (bestD <= bestReach) {
    found << foramenName(*best);
  } else {
    found << "none (nearest " << foramenName(*best) << ", " << bestD << " mm away)";
  }
  v.foramenFound = found.str();
  if (planned == nullptr) {
    return;
  }
  if (intended == nullptr) {
    v.notes.push_back("the planning images' model shows no foramen below " + planned->targetLevel +
                      ": whether the lead is in it is not told");
    return;
  }
  const double nearGanglion = 0.5 * planned->targetLengthMm + rules.foramenReachMm.value;
  v.inIntendedForamen = best == intended && bestD <= bestReach && nearest->ganglionDistanceMm <= nearGanglion;
}

/// "4.1 mm: 3.9 caudal, 1.2 lateral" (components under 0.5 mm left out), the lead on `side`.
std::string displacementWords(const Vector3d& d, Side side)
{
  std::ostringstream s;
  s.precision(1);
  s << std::fixed << d.norm() << " mm";
  const double lateral = side == Side::Left ? d.x() : -d.x();
  const std::pair<double, const char*> parts[] = { { d.z(), d.z() > 0 ? "cranial" : "caudal" },
                                                   { lateral, lateral > 0 ? "lateral" : "medial" },
                                                   { d.y(), d.y() > 0 ? "dorsal" : "ventral" } };
  const char* sep = ": ";
  for (const auto& [v, word] : parts) {
    if (std::abs(v) >= 0.5) {
      s << sep << std::abs(v) << " " << word;
      sep = ", ";
    }
  }
  return s.str();
}

/// The contact index of the plan the first found contact is: 0 when all are found; else the offset
/// that lays the found ones nearest their planned places (a contact hidden at the tip).
std::size_t planOffset(const std::vector<Vector3d>& found, const std::vector<Vector3d>& planned)
{
  std::size_t best = 0;
  double bestSum = std::numeric_limits<double>::infinity();
  for (std::size_t k = 0; found.size() + k <= planned.size(); ++k) {
    double sum = 0.0;
    for (std::size_t i = 0; i < found.size(); ++i) {
      sum += (found[i] - planned[i + k]).norm();
    }
    if (sum < bestSum) {
      bestSum = sum;
      best = k;
    }
  }
  return best;
}

void judge(VerifiedLead& v, const VerifyRules& rules, bool uncertain = false)
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
  } else if (uncertain) {
    v.verdict += " (uncertain: see the notes)";
  }
}

/// One found lead measured: registered about its ganglion (or, not in the plan, about itself),
/// numbered, and against its plan (`lp`, may be null), the ganglion, its foramen and the previous scan.
VerifiedLead measureLead(const FoundLead& found, const std::vector<Vector3d>& roughlyPlanning,
                         const LeadPlan* lp, const VerifyInput& in, const imaging::RegistrationResult& global)
{
  VerifiedLead v;
  v.found = true;
  v.inPlan = lp != nullptr;
  v.name = lp != nullptr ? lp->name : std::string();
  imaging::RegistrationOptions local;
  local.halfSizeMm = Vector3d(30, 30, 30);
  local.searchMm = 12.0;
  const Vector3d about = lp != nullptr ? lp->target : centreOf(roughlyPlanning);
  v.registration = imaging::registerRigid(*in.planning, *in.postop, about, global.planningToImage, local);
  bool uncertain = false;
  // vertebrae look alike: a lead's own registration far from the whole spine's may sit a level off
  if ((v.registration.planningToImage.apply(about) - global.planningToImage.apply(about)).norm() >
      kLevelSlipMm) {
    v.notes.push_back("the spine about this lead registered far from the whole spine's registration: it may "
                      "be a level off; check the level on the images");
    uncertain = true;
  }
  if (found.lineRmsMm > 1.5) {
    v.notes.push_back("the contacts do not lie on one line (a bent lead, or two leads touching)");
    uncertain = true;
  }
  const std::vector<Vector3d> inPlanning = mapped(found.contacts, v.registration.planningToImage.inverse());
  const auto order = distalFirstOrder(found, inPlanning, lp, v.orientationFrom, v.notes);
  std::vector<Vector3d> distalFirst;
  for (std::size_t n : order) {
    distalFirst.push_back(inPlanning[n]);
  }
  // a contact hidden at the tip: the found ones laid on their planned places
  std::size_t offset = 0;
  if (lp != nullptr && !lp->contacts.empty() && distalFirst.size() != lp->contacts.size()) {
    offset = distalFirst.size() < lp->contacts.size() ? planOffset(distalFirst, lp->contacts) : 0;
    v.notes.push_back(std::to_string(found.contacts.size()) + " of " + std::to_string(lp->contacts.size()) +
                      " contacts found: numbered where they lie nearest their planned places");
    uncertain = true;
  }
  const auto before = in.previous ? in.previous->find(lp != nullptr ? lp->name : std::string())
                                  : PreviousContacts::const_iterator{};
  const bool hasBefore = in.previous && lp != nullptr && before != in.previous->end();
  Vector3d shift = Vector3d::Zero();
  int compared = 0;
  for (std::size_t n = 0; n < order.size(); ++n) {
    VerifiedContact c;
    const std::size_t index = n + offset;
    c.number = static_cast<int>(index) + 1;
    c.postop = found.contacts[order[n]];
    c.planning = distalFirst[n];
    if (lp != nullptr) {
      if (index < lp->contacts.size()) {
        c.planned = lp->contacts[index];
        c.deviationMm = (c.planning - *c.planned).norm();
        shift += c.planning - *c.planned;
        ++compared;
      }
      c.ganglionDistanceMm = (c.planning - lp->target).norm();
    }
    if (hasBefore && index < before->second.size()) {
      c.migrationMm = (c.planning - before->second[index]).norm();
      v.maxMigrationMm = std::max(v.maxMigrationMm.value_or(0.0), *c.migrationMm);
    }
    v.maxDeviationMm = std::max(v.maxDeviationMm, c.deviationMm);
    v.contacts.push_back(c);
  }
  if (in.previous && lp != nullptr && !hasBefore) {
    v.notes.push_back("the previous verification has no lead " + lp->name + ": no migration measured");
  }
  judgeForamen(lp, in.model, in.rules, v);
  if (lp == nullptr) {
    judge(v, in.rules);
    return v;
  }
  if (compared > 0) {
    v.displacementMm = shift / compared;
    v.displacementText = displacementWords(v.displacementMm, lp->targetSide);
  }
  if (lp->contacts.size() >= 2) {
    v.depthChangeMm = v.displacementMm.dot((lp->contacts.front() - lp->contacts.back()).normalized());
  }
  if (const LeadModel* model = modelOf(*lp, *in.catalog)) {
    v.coverage = foundCoverage(*lp, *model, distalFirst);
    v.coversGanglion = v.coverage >= PlanRules::builtIn().minCoverage.value - 1e-9;
  }
  judge(v, in.rules, uncertain);
  return v;
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
    throw Error(ErrorCode::InvalidArgument,
                "the post-operative images are another patient's than the plan's: " + who.message);
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
  std::vector<bool> far;
  const std::vector<int> match = matchLeads(plan, foundInPlanning, far);
  std::vector<VerifiedLead> planned(plan.leads.size());
  std::vector<VerifiedLead> unplanned;
  for (std::size_t p = 0; p < plan.leads.size(); ++p) {
    planned[p].name = plan.leads[p].name;
  }
  for (std::size_t f = 0; f < out.search.leads.size(); ++f) {
    const LeadPlan* lp = match[f] >= 0 ? &plan.leads[static_cast<std::size_t>(match[f])] : nullptr;
    // two spots in a row far from every planned lead are weak evidence of a lead (streaks beside the
    // generator, its header's connector rings): said, not reported as a lead
    if (lp == nullptr && out.search.leads[f].contacts.size() < 3) {
      std::ostringstream s;
      s.precision(0);
      s << std::fixed << "two metal spots in a row at " << out.search.leads[f].contacts.front().x() << ", "
        << out.search.leads[f].contacts.front().y() << ", " << out.search.leads[f].contacts.front().z()
        << " (post-operative images), far from every planned lead: not taken as a lead";
      out.notes.push_back(s.str());
      continue;
    }
    VerifiedLead v = measureLead(out.search.leads[f], foundInPlanning[f], lp, in, out.global);
    if (lp == nullptr) {
      v.name = "unplanned " + std::to_string(unplanned.size() + 1);
      unplanned.push_back(v);
      continue;
    }
    if (far[f]) {
      std::ostringstream s;
      s.precision(0);
      s << std::fixed << "found " << (centreOf(foundInPlanning[f]) - centreOf(lp->contacts)).norm()
        << " mm from its planned place (no other lead nearer): taken as this lead, slid";
      v.notes.insert(v.notes.begin(), s.str());
    }
    planned[static_cast<std::size_t>(match[f])] = v;
  }
  for (std::size_t p = 0; p < planned.size(); ++p) {
    VerifiedLead& v = planned[p];
    if (!plan.leads[p].planned) {
      v.verdict = "not planned";
      v.notes.push_back("the plan has no route for this lead: " + plan.leads[p].problem);
    } else if (!v.found) {
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
