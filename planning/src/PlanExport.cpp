#include "drg/planning/PlanExport.h"

#include "SrItems.h"

#include "drg/imaging/AnatomyLabels.h"
#include "drg/imaging/Error.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <sstream>

namespace drg::planning
{
namespace
{

using nlohmann::ordered_json;

/// A coordinate rounded to 0.01 mm (the text stays short and stable).
double round2(double v)
{
  return std::round(v * 100.0) / 100.0;
}

ordered_json position(const Vector3d& p)
{
  return ordered_json::array({ round2(p.x()), round2(p.y()), round2(p.z()) });
}

/// One markups node of `type` with labelled control points, coloured.
ordered_json node(const std::string& type, const std::string& name, const std::vector<std::string>& labels,
                  const std::vector<Vector3d>& points, const std::array<double, 3>& colour,
                  const std::vector<std::string>& descriptions = {})
{
  ordered_json controlPoints = ordered_json::array();
  for (std::size_t i = 0; i < points.size(); ++i) {
    ordered_json point = { { "id", std::to_string(i + 1) }, { "label", labels.at(i) } };
    if (i < descriptions.size() && !descriptions[i].empty()) {
      point["description"] = descriptions[i];
    }
    point["position"] = position(points[i]);
    point["locked"] = true;
    point["positionStatus"] = "defined";
    controlPoints.push_back(point);
  }
  return { { "type", type },
           { "coordinateSystem", "LPS" },
           { "coordinateUnits", "mm" },
           { "locked", true },
           { "labelFormat", name + "-%d" },
           { "controlPoints", controlPoints },
           { "display",
             { { "color", { colour[0], colour[1], colour[2] } },
               { "selectedColor", { colour[0], colour[1], colour[2] } } } } };
}

const std::array<double, 3> kLeadColours[] = { { 0.90, 0.67, 0.0 },
                                               { 0.0, 0.67, 0.35 },
                                               { 0.78, 0.24, 0.78 },
                                               { 0.0, 0.59, 0.86 } };

std::string csvText(const std::string& s)
{
  std::string out = "\"";
  for (char c : s) {
    out += c == '"' ? std::string("\"\"") : std::string(1, c);
  }
  return out + "\"";
}

std::string num(double v, int decimals)
{
  char b[40];
  std::snprintf(b, sizeof b, "%.*f", decimals, v);
  return b;
}

/// An angle in whole degrees, empty when not known (NaN): a CSV cell left empty.
std::string angle(double deg)
{
  return std::isnan(deg) ? std::string() : num(deg, 0);
}

/// The needle's angles as read on fluoroscopy, in words (for the skin entry's description).
std::string needleAnglesText(const LeadPlan& l)
{
  auto deg = [](double v) { return std::isnan(v) ? std::string("not known") : num(v, 0) + " deg"; };
  return "needle to the skin " + deg(l.needleToSkinDeg) + ", to the lamina line " +
         deg(l.needleToLaminaLineDeg) + " (lateral image); medio-lateral " + deg(l.needleApMedioLateralDeg) +
         " (AP image)";
}

/// The points of a densely sampled path about every 2 mm, first and last kept.
std::vector<Vector3d> everyTwoMillimetres(const std::vector<Vector3d>& path)
{
  std::vector<Vector3d> out;
  double since = 1e9;
  for (std::size_t k = 0; k < path.size(); ++k) {
    since += k > 0 ? (path[k] - path[k - 1]).norm() : 0.0;
    if (since >= 2.0 || k + 1 == path.size()) {
      out.push_back(path[k]);
      since = 0.0;
    }
  }
  return out;
}

} // namespace

std::string planToSlicerMarkups(const Plan& plan)
{
  ordered_json markups = ordered_json::array();
  std::vector<std::string> targetLabels;
  std::vector<Vector3d> targets;
  for (const auto& l : plan.leads) {
    if (l.planned) {
      targetLabels.push_back(l.name + " target (" + l.targetLevel + " " + sideName(l.targetSide) + " DRG)");
      targets.push_back(l.target);
    }
  }
  if (!targets.empty()) {
    markups.push_back(node("Fiducial", "Targets", targetLabels, targets, { 1.0, 0.2, 0.2 }));
  }
  for (std::size_t i = 0; i < plan.leads.size(); ++i) {
    const auto& l = plan.leads[i];
    if (!l.planned) {
      continue;
    }
    const auto colour = kLeadColours[i % 4];
    markups.push_back(node("Line", l.name + " needle", { l.name + " skin entry", l.name + " epidural entry" },
                           { l.skinEntry, l.epiduralEntry }, colour, { needleAnglesText(l) }));
    // the route as a curve: its points about every 2 mm (the route is stored about every 0.5 mm)
    const std::vector<Vector3d> route = everyTwoMillimetres(l.route);
    std::vector<std::string> labels;
    for (std::size_t k = 0; k < route.size(); ++k) {
      labels.push_back(l.name + " route " + std::to_string(k + 1));
    }
    if (route.size() >= 2) {
      markups.push_back(node("Curve", l.name + " route", labels, route, colour));
    }
    std::vector<std::string> contactLabels;
    for (std::size_t k = 0; k < l.contacts.size(); ++k) {
      contactLabels.push_back(l.name + " contact " + std::to_string(k + 1));
    }
    if (!l.contacts.empty()) {
      markups.push_back(node("Fiducial", l.name + " contacts", contactLabels, l.contacts, colour));
    }
  }
  ordered_json doc = {
    { "@schema",
      "https://raw.githubusercontent.com/slicer/slicer/master/Modules/Loadable/Markups/Resources/Schema/"
      "markups-schema-v1.0.3.json#" },
    { "markups", markups }
  };
  return doc.dump(2) + "\n";
}

std::string planToCsv(const Plan& plan)
{
  std::ostringstream out;
  out << "lead,target_level,side,planned,target_l,target_p,target_s,skin_entry_l,skin_entry_p,skin_entry_s,"
         "epidural_entry_l,epidural_entry_p,epidural_entry_s,approach,window_below,needle_depth_mm,"
         "needle_to_skin_deg,needle_to_lamina_line_deg,needle_ap_medio_lateral_deg,route_length_mm,min_bend_"
         "radius_mm,coverage_"
         "percent,"
         "lead_model,lead_cm,extension_cm,needed_cm,problem,"
         "entry_midline_offset_mm,entry_spinous_level,entry_below_spinous_mm,entry_pedicle_level,"
         "entry_below_pedicle_mm,entry_window,entry_below_window_mm,scan_patient_position\n";
  for (const auto& l : plan.leads) {
    out << csvText(l.name) << "," << l.targetLevel << "," << sideName(l.targetSide) << ","
        << (l.planned ? "yes" : "no");
    for (const Vector3d* p : { &l.target, &l.skinEntry, &l.epiduralEntry }) {
      out << "," << num(p->x(), 1) << "," << num(p->y(), 1) << "," << num(p->z(), 1);
    }
    out << "," << approachName(l.approach) << "," << l.entryLevel << "," << num(l.needleDepthMm, 1) << ","
        << angle(l.needleToSkinDeg) << "," << angle(l.needleToLaminaLineDeg) << ","
        << angle(l.needleApMedioLateralDeg) << "," << num(l.routeLengthMm, 1) << "," << num(l.minRadiusMm, 1)
        << "," << num(100.0 * l.coverage, 0) << "," << csvText(l.leadModel) << ",";
    // (lengths empty when not budgeted: no tunnel to a placed pocket)
    if (l.budget.complete) {
      out << num(l.budget.leadCm, 0) << "," << num(l.budget.extensionCm, 0);
    } else {
      out << ",";
    }
    out << "," << num(0.1 * l.budget.totalMm, 1) << "," << csvText(l.problem);
    const EntryLandmarks& e = l.entryLandmarks;
    if (e.found) {
      out << "," << num(e.midlineOffsetMm, 1) << "," << e.spinousLevel << "," << num(e.belowSpinousMm, 1)
          << "," << e.pedicleLevel << "," << num(e.belowPedicleMm, 1) << "," << e.window << ","
          << num(e.belowWindowMm, 1);
    } else {
      out << ",,,,,,,";
    }
    out << "," << csvText(plan.study.patientPosition) << "\n";
  }
  return out.str();
}

imaging::SrContent planToSrContent(const Plan& plan, const std::string& observer)
{
  using imaging::SrItem;
  using sr::code;
  const auto textItem = sr::text;
  const auto pointsItem = sr::points;
  const auto numberItem = sr::number;
  imaging::SrContent sr;
  sr.title = code("DRGPLAN-PLAN", "DRG stimulation placement plan");
  sr.observer = observer;
  sr.items.push_back(textItem({ "121106", "DCM", "Comment" },
                              "Planning aid computed from the images; every position and angle is to be "
                              "verified intra-operatively (fluoroscopy)."));
  if (const std::string note = patientPositionNote(plan.study); !note.empty()) {
    sr.items.push_back(textItem({ "121106", "DCM", "Comment" }, note));
  }
  for (const auto& l : plan.leads) {
    imaging::SrGroup g;
    g.concept = code("LEAD", "Planned lead");
    g.items.push_back(textItem(code("LEAD-NAME", "Lead name"), l.name));
    g.items.push_back(textItem(code("TARGET-DRG", "Target ganglion"),
                               l.targetLevel + " " + sideName(l.targetSide) + " dorsal root ganglion"));
    g.items.push_back(textItem(code("APPROACH", "Approach"),
                               std::string(approachName(l.approach)) +
                                 (l.entryLevel.empty() ? std::string() : ", entry below " + l.entryLevel)));
    g.items.push_back(textItem(code("LEAD-MODEL", "Lead model"), l.leadModel));
    if (!l.planned) {
      g.items.push_back(textItem(code("NOT-PLANNED", "Why the lead could not be planned"), l.problem));
      sr.groups.push_back(std::move(g));
      continue;
    }
    g.items.push_back(
      pointsItem(SrItem::Kind::Point, code("TARGET", "Target (ganglion centre)"), { l.target }));
    g.items.push_back(pointsItem(SrItem::Kind::Point, code("SKIN-ENTRY", "Skin entry"), { l.skinEntry }));
    g.items.push_back(
      pointsItem(SrItem::Kind::Point, code("EPIDURAL-ENTRY", "Epidural entry"), { l.epiduralEntry }));
    if (const std::string where = entryLandmarksText(l.entryLandmarks); !where.empty()) {
      g.items.push_back(textItem(code("SKIN-ENTRY-PRONE", "Skin entry against the bony landmarks"), where));
    }
    g.items.push_back(pointsItem(SrItem::Kind::Polyline, code("NEEDLE-PATH", "Needle path"),
                                 { l.skinEntry, l.epiduralEntry }));
    if (const auto route = everyTwoMillimetres(l.route); route.size() >= 2) {
      g.items.push_back(pointsItem(SrItem::Kind::Polyline, code("LEAD-ROUTE", "Lead route"), route));
    }
    if (!l.contacts.empty()) {
      g.items.push_back(
        pointsItem(SrItem::Kind::Multipoint, code("CONTACTS", "Contact centres"), l.contacts));
    }
    // the needle's angles as read on fluoroscopy (an angle not known is left out)
    const std::pair<imaging::DicomCode, double> angles[] = {
      { code("NEEDLE-SKIN", "Needle angle to the skin line, lateral fluoroscopy"), l.needleToSkinDeg },
      { code("NEEDLE-LAMINA", "Needle angle to the lamina line, lateral fluoroscopy"),
        l.needleToLaminaLineDeg },
      { code("NEEDLE-AP-ML", "Needle medio-lateral angle, AP fluoroscopy"), l.needleApMedioLateralDeg }
    };
    for (const auto& [concept, value] : angles) {
      if (!std::isnan(value)) {
        g.items.push_back(numberItem(concept, value, "deg", "degree"));
      }
    }
    g.items.push_back(
      numberItem(code("NEEDLE-DEPTH", "Depth to the epidural space"), l.needleDepthMm, "mm", "millimeter"));
    g.items.push_back(
      numberItem(code("ROUTE-LENGTH", "Epidural route length"), l.routeLengthMm, "mm", "millimeter"));
    g.items.push_back(
      numberItem(code("COVERAGE", "Ganglion coverage by the contacts"), 100.0 * l.coverage, "%", "percent"));
    sr.groups.push_back(std::move(g));
  }
  if (plan.pocket && plan.pocket->placed) {
    const PocketPlan& p = *plan.pocket;
    imaging::SrGroup g;
    g.concept = code("POCKET", "Generator pocket");
    g.items.push_back(textItem(code("POCKET-SITE", "Pocket site"),
                               std::string(pocketSiteName(p.site)) + " " + sideName(p.side)));
    g.items.push_back(textItem(code("GENERATOR", "Generator model"), p.generator));
    g.items.push_back(
      pointsItem(SrItem::Kind::Point, code("GENERATOR-POS", "Generator centre"), { p.centre }));
    g.items.push_back(
      pointsItem(SrItem::Kind::Point, code("POCKET-SKIN", "Pocket skin point"), { p.skinPoint }));
    g.items.push_back(numberItem(code("POCKET-DEPTH", "Pocket depth"), p.depthMm, "mm", "millimeter"));
    sr.groups.push_back(std::move(g));
  }
  return sr;
}

std::vector<std::filesystem::path> writePlanDicomObjects(
  const Plan& plan, const std::string& planner, const imaging::Image<std::uint8_t>& labels,
  const std::vector<std::filesystem::path>& seriesFiles, const std::string& pdf,
  const std::filesystem::path& folder, const imaging::DicomDocumentOptions& options)
{
  if (seriesFiles.empty()) {
    throw Error(ErrorCode::InvalidArgument,
                "the DICOM objects go into the planned study: open the images from DICOM (these are not)");
  }
  std::filesystem::create_directories(folder);
  std::vector<std::filesystem::path> written;
  if (!pdf.empty()) {
    imaging::writeEncapsulatedPdf(pdf, seriesFiles.front(), folder / "report.dcm", options);
    written.push_back(folder / "report.dcm");
  }
  imaging::writePlanSr(planToSrContent(plan, planner), seriesFiles.front(), folder / "plan-sr.dcm", options);
  written.push_back(folder / "plan-sr.dcm");
  // the SEG when the model labelled vertebrae (without, the report and the plan are filed all the same)
  bool vertebrae = false;
  for (std::uint8_t v : labels.voxels()) {
    if (!imaging::labels::vertebraLevelOfLabel(v).empty()) {
      vertebrae = true;
      break;
    }
  }
  if (vertebrae) {
    imaging::writeVertebraSegmentation(labels, seriesFiles, folder / "vertebrae-seg.dcm", options);
    written.push_back(folder / "vertebrae-seg.dcm");
  }
  return written;
}

} // namespace drg::planning
