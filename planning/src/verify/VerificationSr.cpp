// The verification as a Comprehensive 3D SR content tree (LeadVerification.h): per lead its name,
// verdict and the found contacts, in the post-operative images' frame of reference (the SR goes into
// the post-operative study), with each contact's deviation from its plan.
#include "drg/planning/LeadVerification.h"

#include "SrItems.h"

namespace drg::planning
{

imaging::SrContent verificationToSrContent(const Verification& v)
{
  using imaging::SrItem;
  using sr::code;
  const auto text = sr::text;
  const auto points = sr::points;
  const auto number = [](imaging::DicomCode c, double value) {
    return sr::number(std::move(c), value, "mm", "millimeter");
  };
  imaging::SrContent sr;
  sr.title = code("DRGPLAN-VERIFY", "DRG lead verification");
  sr.items.push_back(
    text({ "121106", "DCM", "Comment" },
         "Implanted leads found on this post-operative CT and compared with their plan (after "
         "registering the spine about each lead). Contacts numbered 1 = most distal."));
  for (const auto& l : v.leads) {
    imaging::SrGroup g;
    g.concept = code("FOUND-LEAD", "Implanted lead");
    g.items.push_back(text(code("LEAD-NAME", "Lead name"), l.name));
    g.items.push_back(text(code("VERDICT", "Verdict against the plan"), l.verdict));
    if (!l.found) {
      sr.groups.push_back(std::move(g));
      continue;
    }
    std::vector<Vector3d> contacts;
    for (const auto& c : l.contacts) {
      contacts.push_back(c.postop);
    }
    g.items.push_back(points(SrItem::Kind::Multipoint,
                             code("FOUND-CONTACTS", "Found contact centres, distal first"), contacts));
    for (const auto& c : l.contacts) {
      g.items.push_back(points(
        SrItem::Kind::Point,
        code("CONTACT-" + std::to_string(c.number), "Contact " + std::to_string(c.number)), { c.postop }));
      if (c.planned) {
        g.items.push_back(
          number(code("DEVIATION-" + std::to_string(c.number),
                      "Contact " + std::to_string(c.number) + " distance from its planned position"),
                 c.deviationMm));
      }
      if (c.migrationMm) {
        g.items.push_back(
          number(code("MIGRATION-" + std::to_string(c.number),
                      "Contact " + std::to_string(c.number) + " movement since the previous scan"),
                 *c.migrationMm));
      }
    }
    sr.groups.push_back(std::move(g));
  }
  return sr;
}

} // namespace drg::planning
