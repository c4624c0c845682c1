#include "drg/imaging/SpinePhantom.h"

#include "AsciiLower.h"
#include "phantom/MetalArtefacts.h"
#include "phantom/PhantomAnatomy.h"
#include "phantom/PhantomImplants.h"
#include "phantom/PhantomRasterizer.h"

#include "drg/imaging/AtomicOutput.h"
#include "drg/imaging/DerivedUid.h"
#include "drg/imaging/DicomSeriesWriter.h"
#include "drg/imaging/Error.h"
#include "drg/imaging/NiftiIo.h"

#include <nlohmann/json.hpp>

#include <Eigen/Geometry>

#include <algorithm>
#include <cmath>
#include <future>
#include <sstream>
#include <thread>

namespace drg::imaging
{
namespace
{

using Eigen::Matrix3d;
using Eigen::Vector3d;
constexpr double kPi = 3.14159265358979323846;

void require(bool ok, const std::string& message)
{
  if (!ok) {
    throw Error(ErrorCode::InvalidArgument, message);
  }
}

/// Image axes (columns: i, j, k in LPS) for the acquisition options.
Matrix3d gridAxes(const PhantomOptions& o)
{
  Vector3d row(1, 0, 0);
  Vector3d col(0, 1, 0);
  switch (o.plane) {
    case AcquisitionPlane::Axial:
      row = Vector3d(1, 0, 0);
      col = Vector3d(0, 1, 0);
      break;
    case AcquisitionPlane::Sagittal:
      row = Vector3d(0, 1, 0);
      col = Vector3d(0, 0, -1);
      break;
    case AcquisitionPlane::Coronal:
      row = Vector3d(1, 0, 0);
      col = Vector3d(0, 0, -1);
      break;
  }
  // the scanner's axes map to the patient's by the patient position
  Matrix3d pos = Matrix3d::Identity();
  switch (o.position) {
    case PatientPosition::HFS:
      break;
    case PatientPosition::HFP:
      pos.diagonal() << -1, -1, 1;
      break;
    case PatientPosition::FFS:
      pos.diagonal() << -1, 1, -1;
      break;
    case PatientPosition::FFP:
      pos.diagonal() << 1, -1, -1;
      break;
  }
  Matrix3d oblique = (Eigen::AngleAxisd(o.obliqueDegrees.z() * kPi / 180.0, Vector3d::UnitZ()) *
                      Eigen::AngleAxisd(o.obliqueDegrees.y() * kPi / 180.0, Vector3d::UnitY()) *
                      Eigen::AngleAxisd(o.obliqueDegrees.x() * kPi / 180.0, Vector3d::UnitX()))
                       .toRotationMatrix();
  row = oblique * pos * row;
  col = oblique * pos * col;
  Vector3d normal = row.cross(col);
  Matrix3d axes;
  axes.col(0) = row;
  axes.col(1) = col;
  axes.col(2) = o.slicesAscending ? normal : Vector3d(-normal);
  return axes;
}

/// Places the image grid around the anatomy (or the requested levels).
ImageGeometry placeGrid(const PhantomOptions& o, const phantom::Anatomy& anatomy)
{
  ImageGeometry g;
  g.direction = gridAxes(o);
  g.spacing = o.spacing;
  for (int a = 0; a < 3; ++a) {
    g.size[static_cast<std::size_t>(a)] = static_cast<std::size_t>(o.matrix[static_cast<std::size_t>(a)]);
  }
  const phantom::Box& body = anatomy.bodyBounds;
  // centre: midline, middle of the trunk's depth at L3, middle of the spine's length
  const auto& outline = anatomy.scene.outline;
  double zMid = 0.5 * (body.lo.z() + body.hi.z());
  auto row = outline.at(zMid);
  Vector3d centre(0.0, 0.5 * (row.yAnterior + row.yPosterior), zMid);

  if (!o.fieldOfViewFrom.empty()) {
    auto rank = [](const std::string& l) { return levelRank(l).value_or(-1); };
    int from = rank(o.fieldOfViewFrom);
    int to = rank(o.fieldOfViewTo);
    phantom::Box box;
    for (const auto& v : anatomy.truth.vertebrae) {
      int r = rank(v.level);
      if (r >= from && r <= to && v.level != "sacrum") {
        box.extend(anatomy.vertebraBounds.at(v.level));
      }
    }
    if (box.empty()) {
      throw Error(ErrorCode::InvalidArgument, "field of view " + o.fieldOfViewFrom + "-" + o.fieldOfViewTo +
                                                " holds no vertebra of this phantom");
    }
    // the image axis closest to the patient's long axis is cropped to the levels (+10 mm)
    int axis = 0;
    for (int a = 1; a < 3; ++a) {
      if (std::abs(g.direction(2, a)) > std::abs(g.direction(2, axis))) {
        axis = a;
      }
    }
    Vector3d dir = g.direction.col(axis);
    double lo = 1e30;
    double hi = -1e30;
    for (int c = 0; c < 8; ++c) {
      Vector3d p((c & 1) ? box.hi.x() : box.lo.x(), (c & 2) ? box.hi.y() : box.lo.y(),
                 (c & 4) ? box.hi.z() : box.lo.z());
      lo = std::min(lo, p.dot(dir));
      hi = std::max(hi, p.dot(dir));
    }
    // a margin beyond the end levels' bone (negative: the end vertebrae are cut)
    lo -= o.fieldOfViewMarginMm;
    hi += o.fieldOfViewMarginMm;
    g.size[static_cast<std::size_t>(axis)] =
      static_cast<std::size_t>(std::ceil((hi - lo) / g.spacing[axis])) + 1;
    centre += dir * (0.5 * (lo + hi) - centre.dot(dir));
  }
  g.origin = centre;
  for (int a = 0; a < 3; ++a) {
    g.origin -= g.direction.col(a) *
                (g.spacing[a] * 0.5 * static_cast<double>(g.size[static_cast<std::size_t>(a)] - 1));
  }
  return g;
}

phantom::Box gridBox(const ImageGeometry& g)
{
  phantom::Box b;
  for (int c = 0; c < 8; ++c) {
    Vector3d idx((c & 1) ? static_cast<double>(g.size[0] - 1) : 0.0,
                 (c & 2) ? static_cast<double>(g.size[1] - 1) : 0.0,
                 (c & 4) ? static_cast<double>(g.size[2] - 1) : 0.0);
    b.extend(g.indexToLps(idx));
  }
  return b;
}

/// Centroid and visibility of each vertebra, sampled on a 1.5 mm grid through the composited labels.
void measureVertebrae(const phantom::SceneIndex& index, const phantom::Anatomy& anatomy,
                      const ImageGeometry& g, PhantomTruth& truth)
{
  std::vector<std::future<void>> jobs;
  for (auto& v : truth.vertebrae) {
    jobs.push_back(std::async(std::launch::async, [&index, &anatomy, &g, &v] {
      const phantom::Box& b = anatomy.vertebraBounds.at(v.level);
      const double step = 1.5;
      Vector3d sum = Vector3d::Zero();
      std::size_t count = 0;
      std::size_t inside = 0;
      for (double z = b.lo.z(); z <= b.hi.z(); z += step) {
        for (double y = b.lo.y(); y <= b.hi.y(); y += step) {
          for (double x = b.lo.x(); x <= b.hi.x(); x += step) {
            Vector3d p(x, y, z);
            double value = 0;
            int label = 0;
            index.evaluate(p, 0.01, anatomy.airValue, value, label);
            if (label == v.label) {
              sum += p;
              ++count;
              if (g.containsIndex(g.lpsToIndex(p), 0.5)) {
                ++inside;
              }
            }
          }
        }
      }
      if (count > 0) {
        v.centroid = sum / static_cast<double>(count);
      }
      v.visibility = inside == 0 ? "none" : inside == count ? "full" : "partial";
    }));
    if (jobs.size() >= std::max(1u, std::thread::hardware_concurrency())) {
      for (auto& j : jobs) {
        j.get();
      }
      jobs.clear();
    }
  }
  for (auto& j : jobs) {
    j.get();
  }
}

std::string contrastName(PhantomContrast c)
{
  switch (c) {
    case PhantomContrast::Ct:
      return "ct";
    case PhantomContrast::MrT2:
      return "t2";
    case PhantomContrast::MrT2FatSat:
      return "t2-fatsat";
  }
  return "ct";
}

std::string planeName(AcquisitionPlane p)
{
  switch (p) {
    case AcquisitionPlane::Axial:
      return "axial";
    case AcquisitionPlane::Sagittal:
      return "sagittal";
    case AcquisitionPlane::Coronal:
      return "coronal";
  }
  return "axial";
}

/// The surgery options in a line ("laminectomy L4; fusion L4-S1; ..."; empty for none).
std::string surgeryText(const PhantomSurgery& s)
{
  std::ostringstream t;
  auto list = [&t](const char* what, const std::vector<std::string>& levels) {
    if (!levels.empty()) {
      t << what;
      for (const auto& l : levels) {
        t << " " << l;
      }
      t << "; ";
    }
  };
  list("laminectomy", s.laminectomy);
  if (!s.fusionFrom.empty()) {
    t << "fusion " << s.fusionFrom << "-" << s.fusionTo << "; ";
  }
  list("cage below", s.cages);
  list("disc collapse below", s.discCollapse);
  if (!s.listhesisLevel.empty()) {
    t << "spondylolisthesis " << s.listhesisLevel << " " << s.listhesisMm << " mm; ";
  }
  list("cement", s.cement);
  std::string text = t.str();
  return text.empty() ? text : text.substr(0, text.size() - 2);
}

/// A key that identifies the case (options), for UIDs that are the same whenever the files are.
std::string caseKey(const PhantomOptions& o)
{
  std::ostringstream s;
  s.precision(17);
  s << "drgplan-phantom/" << o.seed << "/" << o.matrix[0] << "x" << o.matrix[1] << "x" << o.matrix[2] << "/"
    << o.spacing.transpose() << "/" << o.slicesAscending << "/" << patientPositionName(o.position) << "/"
    << planeName(o.plane) << "/" << o.obliqueDegrees.transpose() << "/" << contrastName(o.contrast) << "/"
    << o.noiseSigma << "/" << o.cancellousHu << "/" << o.corticalHu << "/" << o.corticalThicknessMm << "/"
    << o.lordosisDegrees << "/" << o.scoliosisDegrees << "/" << o.axialRotationDegrees << "/"
    << transitionalAnatomyName(o.transitional) << "/" << o.fieldOfViewFrom << "-" << o.fieldOfViewTo << "/"
    << o.fieldOfViewMarginMm << "/" << o.anatomySeed << "/" << twelfthRibName(o.twelfthRib) << "/"
    << surgeryText(o.surgery);
  for (const auto& lead : o.implants.leads) {
    s << "/implant " << lead.name;
    for (const auto& c : lead.contacts) {
      s << " " << c.transpose();
    }
  }
  return s.str();
}

nlohmann::json vec(const Vector3d& v)
{
  return { v.x(), v.y(), v.z() };
}

} // namespace

const char* patientPositionName(PatientPosition position) noexcept
{
  switch (position) {
    case PatientPosition::HFS:
      return "HFS";
    case PatientPosition::FFS:
      return "FFS";
    case PatientPosition::HFP:
      return "HFP";
    case PatientPosition::FFP:
      return "FFP";
  }
  return "HFS";
}

PhantomContrast parsePhantomContrast(const std::string& word)
{
  std::string w = asciiLower(word);
  if (w == "ct") {
    return PhantomContrast::Ct;
  }
  if (w == "t2" || w == "mr" || w == "mr-t2") {
    return PhantomContrast::MrT2;
  }
  if (w == "t2-fatsat" || w == "t2fs" || w == "mr-t2-fatsat") {
    return PhantomContrast::MrT2FatSat;
  }
  throw Error(ErrorCode::InvalidArgument, "unknown contrast '" + word + "' (use ct, t2 or t2-fatsat)");
}

PatientPosition parsePatientPosition(const std::string& word)
{
  std::string w = asciiLower(word);
  if (w == "hfs") {
    return PatientPosition::HFS;
  }
  if (w == "ffs") {
    return PatientPosition::FFS;
  }
  if (w == "hfp") {
    return PatientPosition::HFP;
  }
  if (w == "ffp") {
    return PatientPosition::FFP;
  }
  throw Error(ErrorCode::InvalidArgument,
              "unknown patient position '" + word + "' (use HFS, FFS, HFP or FFP)");
}

AcquisitionPlane parseAcquisitionPlane(const std::string& word)
{
  std::string w = asciiLower(word);
  if (w == "axial") {
    return AcquisitionPlane::Axial;
  }
  if (w == "sagittal") {
    return AcquisitionPlane::Sagittal;
  }
  if (w == "coronal") {
    return AcquisitionPlane::Coronal;
  }
  throw Error(ErrorCode::InvalidArgument, "unknown plane '" + word + "' (use axial, sagittal or coronal)");
}

namespace
{

/// Whether the phantom built for `o` has vertebra `level` (T10 to S1, T13 and L6 when declared).
bool phantomHasLevel(const PhantomOptions& o, const std::string& level)
{
  if (level == "L6") {
    return o.transitional == TransitionalAnatomy::L6;
  }
  if (level == "T13") {
    return o.transitional == TransitionalAnatomy::T13;
  }
  int r = levelRank(level).value_or(-1);
  return (r >= 10 && r <= 12) || (r >= 21 && r <= 25) || r == 40;
}

void validateSurgery(const PhantomOptions& o)
{
  const PhantomSurgery& s = o.surgery;
  const std::string have = " (the phantom has T10-L5 and S1; L6 or T13 with --transitional)";
  auto check = [&](const char* what, const std::string& level, bool discBelow) {
    require(phantomHasLevel(o, level),
            std::string(what) + " names " + level + ", a level the phantom does not have" + have);
    require(!discBelow || level != "S1", std::string(what) + " names the disc below " + level +
                                           ": name the vertebra above the disc (L5 for L5/S1)");
  };
  for (const auto& l : s.laminectomy) {
    check("laminectomy", l, false);
  }
  for (const auto& l : s.cages) {
    check("cage", l, true);
  }
  for (const auto& l : s.discCollapse) {
    check("disc collapse", l, true);
  }
  for (const auto& l : s.cement) {
    check("cement", l, false);
  }
  require(s.fusionFrom.empty() == s.fusionTo.empty(), "fusion needs both ends (e.g. L4-S1)");
  if (!s.fusionFrom.empty()) {
    check("fusion", s.fusionFrom, false);
    check("fusion", s.fusionTo, false);
    require(levelRank(s.fusionFrom).value_or(0) < levelRank(s.fusionTo).value_or(0),
            "fusion " + s.fusionFrom + "-" + s.fusionTo + " must span at least two levels, head to foot");
  }
  if (!s.listhesisLevel.empty()) {
    require(s.listhesisLevel != "S1",
            "spondylolisthesis names S1: name the vertebra that slips forwards over "
            "the one below it (e.g. L5:8)");
    check("spondylolisthesis", s.listhesisLevel, true);
    require(s.listhesisMm >= 0.0 && s.listhesisMm <= 25.0, "spondylolisthesis must lie within 0 to 25 mm");
  }
}

} // namespace

void validatePhantomOptions(const PhantomOptions& o)
{
  for (int a = 0; a < 3; ++a) {
    require(o.matrix[static_cast<std::size_t>(a)] >= 8 && o.matrix[static_cast<std::size_t>(a)] <= 2048,
            "matrix size " + std::to_string(o.matrix[static_cast<std::size_t>(a)]) +
              " out of range (8 to 2048 per axis)");
    require(o.spacing[a] >= 0.2 && o.spacing[a] <= 10.0,
            "voxel spacing " + std::to_string(o.spacing[a]) + " mm out of range (0.2 to 10 mm)");
  }
  double voxels = static_cast<double>(o.matrix[0]) * o.matrix[1] * o.matrix[2];
  require(voxels <= 1.2e9, "matrix too large: at most 1.2e9 voxels");
  require(std::abs(o.obliqueDegrees.maxCoeff()) <= 90.0 && std::abs(o.obliqueDegrees.minCoeff()) <= 90.0,
          "oblique angles must lie within -90 to 90 degrees");
  require(o.noiseSigma < 0.0 || o.noiseSigma <= (o.contrast == PhantomContrast::Ct ? 500.0 : 0.5),
          "noise too large (CT: at most 500 HU; MR: at most 0.5 of the CSF signal)");
  require(o.cancellousHu >= 0.0 && o.cancellousHu <= 1500.0, "cancellous bone must lie within 0 to 1500 HU");
  require(o.corticalHu >= o.cancellousHu && o.corticalHu <= 3000.0,
          "cortical bone must be at least the cancellous value and at most 3000 HU");
  require(o.corticalThicknessMm >= 0.3 && o.corticalThicknessMm <= 4.0,
          "cortical thickness must lie within 0.3 to 4 mm");
  require(o.lordosisDegrees >= 0.0 && o.lordosisDegrees <= 80.0, "lordosis must lie within 0 to 80 degrees");
  require(std::abs(o.scoliosisDegrees) <= 45.0, "scoliosis (Cobb angle) must lie within -45 to 45 degrees");
  require(std::abs(o.axialRotationDegrees) <= 30.0, "axial rotation must lie within -30 to 30 degrees");
  require(o.fieldOfViewFrom.empty() == o.fieldOfViewTo.empty(), "field of view needs both ends (e.g. L3-S1)");
  if (!o.fieldOfViewFrom.empty()) {
    auto [a, b] = parseLevelRange(o.fieldOfViewFrom + "-" + o.fieldOfViewTo);
    auto known = [&](const std::string& l) { return l == "sacrum" || phantomHasLevel(o, l); };
    require(known(a) && known(b), "field of view " + a + "-" + b +
                                    " names a level the phantom does not have (it has T10-L5, S1, sacrum; "
                                    "L6 or T13 with --transitional)");
  }
  require(o.fieldOfViewMarginMm >= -20.0 && o.fieldOfViewMarginMm <= 60.0,
          "field of view margin must lie within -20 to 60 mm");
  require(o.fieldOfViewMarginMm == 10.0 || !o.fieldOfViewFrom.empty(),
          "a field of view margin needs the field of view's levels (--levels)");
  require(o.twelfthRib == TwelfthRib::Normal || o.transitional == TransitionalAnatomy::None ||
            o.transitional == TransitionalAnatomy::SacralizedL5,
          std::string("a ") + twelfthRibName(o.twelfthRib) + " twelfth rib with " +
            transitionalAnatomyName(o.transitional) +
            " is not a spine the phantom draws (thirteen rib pairs end at T13; a sixth lumbar vertebra "
            "after a rib-less T12 would make seven vertebrae without ribs)");
  validateSurgery(o);
  for (const auto& lead : o.implants.leads) {
    require(!lead.contacts.empty(), "implanted lead " + lead.name + " has no contacts");
    require(lead.diameterMm >= 0.3 && lead.diameterMm <= 5.0 && lead.contactLengthMm >= 0.3 &&
              lead.contactLengthMm <= 10.0,
            "implanted lead " + lead.name +
              ": diameter or contact length out of range (0.3-5 and 0.3-10 mm)");
  }
}

PhantomCase generateSpinePhantom(const PhantomOptions& options, const ProgressCallback& progress)
{
  validatePhantomOptions(options);
  phantom::Anatomy anatomy = phantom::buildAnatomy(options);
  ImageGeometry grid = placeGrid(options, anatomy);
  phantom::Box gb = gridBox(grid);
  phantom::Box cover = gb;
  cover.extend(anatomy.bodyBounds);
  phantom::coverOutline(anatomy, cover);

  double pv = std::cbrt(grid.spacing.prod());
  phantom::SceneIndex index(anatomy.scene, 8.0, 2.5 + pv);

  PhantomCase out;
  out.options = options;
  out.truth = anatomy.truth;
  measureVertebrae(index, anatomy, grid, out.truth);
  for (auto& g : out.truth.ganglia) {
    g.inFieldOfView = grid.containsIndex(grid.lpsToIndex(g.centre), 0.0);
  }

  phantom::NoiseModel noise;
  // a post-operative scan is another acquisition of the same patient: its own noise
  noise.seed = options.implants.empty() ? options.seed : options.seed * 0x9E3779B97F4A7C15ull + 0x5057ull;
  double lo = -1024.0;
  double hi = 3071.0;
  if (options.contrast == PhantomContrast::Ct) {
    noise.sigma = options.noiseSigma < 0.0 ? 12.0 : options.noiseSigma;
  } else {
    noise.rician = true;
    noise.sigma = 1000.0 * (options.noiseSigma < 0.0 ? 0.02 : options.noiseSigma);
    lo = 0.0;
    hi = 4095.0;
  }
  phantom::rasterizeScene(index, grid, anatomy.airValue, noise, lo, hi, out.intensities, out.labels,
                          progress);
  if (!options.implants.empty()) {
    phantom::drawImplants(options.implants, options.contrast, out.truth, out.intensities, out.labels, lo, hi);
  }
  // CT streaks lie in the reconstructed (axial) plane: simulated for axial acquisitions only; MR voids
  // in any plane
  const bool ct = options.contrast == PhantomContrast::Ct;
  const bool metal = !options.surgery.fusionFrom.empty() || !options.implants.empty();
  if (metal && (!ct || options.plane == AcquisitionPlane::Axial)) {
    phantom::addMetalArtefacts(out.intensities, out.labels, options.contrast == PhantomContrast::Ct,
                               options.seed, lo, hi);
  }
  return out;
}

std::string phantomTruthJson(const PhantomCase& phantom)
{
  using nlohmann::json;
  const PhantomOptions& o = phantom.options;
  const ImageGeometry& g = phantom.intensities.geometry();
  json j;
  j["format"] = "drgplan-phantom-truth";
  j["version"] = 1;
  j["coordinate_system"] = "LPS";
  j["units"] = "mm";
  j["options"] = { { "matrix", { o.matrix[0], o.matrix[1], o.matrix[2] } },
                   { "spacing", vec(o.spacing) },
                   { "slices_ascending", o.slicesAscending },
                   { "patient_position", patientPositionName(o.position) },
                   { "plane", planeName(o.plane) },
                   { "oblique_degrees", vec(o.obliqueDegrees) },
                   { "contrast", contrastName(o.contrast) },
                   { "noise_sigma", o.noiseSigma },
                   { "cancellous_hu", o.cancellousHu },
                   { "cortical_hu", o.corticalHu },
                   { "cortical_thickness_mm", o.corticalThicknessMm },
                   { "lordosis_degrees", o.lordosisDegrees },
                   { "scoliosis_degrees", o.scoliosisDegrees },
                   { "axial_rotation_degrees", o.axialRotationDegrees },
                   { "transitional", transitionalAnatomyName(o.transitional) },
                   { "field_of_view",
                     o.fieldOfViewFrom.empty() ? "" : o.fieldOfViewFrom + "-" + o.fieldOfViewTo },
                   { "field_of_view_margin_mm", o.fieldOfViewMarginMm },
                   { "anatomy_seed", o.anatomySeed },
                   { "twelfth_rib", twelfthRibName(o.twelfthRib) },
                   { "surgery", surgeryText(o.surgery) },
                   { "seed", o.seed } };
  if (!phantom.truth.anatomyJson.empty()) {
    j["anatomy_drawn"] = json::parse(phantom.truth.anatomyJson);
  }
  json dir = json::array();
  for (int c = 0; c < 3; ++c) {
    dir.push_back(vec(g.direction.col(c)));
  }
  j["geometry"] = { { "size", { g.size[0], g.size[1], g.size[2] } },
                    { "spacing", vec(g.spacing) },
                    { "origin", vec(g.origin) },
                    { "direction_columns", dir } };
  json verts = json::array();
  for (const auto& v : phantom.truth.vertebrae) {
    json fr = json::array();
    for (int c = 0; c < 3; ++c) {
      fr.push_back(vec(v.frame.col(c)));
    }
    verts.push_back({ { "level", v.level },
                      { "label", v.label },
                      { "centroid", vec(v.centroid) },
                      { "body_centre", vec(v.bodyCentre) },
                      { "frame_columns", fr },
                      { "body_size_mm", { v.bodyWidthMm, v.bodyDepthMm, v.bodyHeightMm } },
                      { "has_ribs", v.hasRibs },
                      { "visibility", v.visibility } });
  }
  j["vertebrae"] = verts;
  json peds = json::array();
  for (const auto& p : phantom.truth.pedicles) {
    peds.push_back({ { "level", p.level },
                     { "side", sideName(p.side) },
                     { "centre", vec(p.centre) },
                     { "medial_border", vec(p.medialBorder) },
                     { "lateral_border", vec(p.lateralBorder) },
                     { "width_mm", p.widthMm },
                     { "height_mm", p.heightMm } });
  }
  j["pedicles"] = peds;
  json fo = json::array();
  for (const auto& f : phantom.truth.foramina) {
    fo.push_back({ { "level", f.upperLevel + "/" + f.lowerLevel },
                   { "upper_level", f.upperLevel },
                   { "lower_level", f.lowerLevel },
                   { "side", sideName(f.side) },
                   { "centre", vec(f.centre) },
                   { "axis", vec(f.axis) },
                   { "width_mm", f.widthMm },
                   { "height_mm", f.heightMm } });
  }
  j["foramina"] = fo;
  json gs = json::array();
  for (const auto& d : phantom.truth.ganglia) {
    gs.push_back(
      { { "level", d.level },
        { "side", sideName(d.side) },
        { "name", d.level + "-" + sideName(d.side) },
        { "label", d.label },
        { "centre", vec(d.centre) },
        { "axis", vec(d.axis) },
        { "size_mm", { { "length", d.lengthMm }, { "width", d.widthMm }, { "height", d.heightMm } } },
        { "zone", d.zone },
        { "in_field_of_view", d.inFieldOfView } });
  }
  j["ganglia"] = gs;
  json lm = json::object();
  for (const auto& l : phantom.truth.landmarks) {
    lm[l.name] = vec(l.position);
  }
  j["landmarks"] = lm;
  if (!phantom.truth.implantedLeads.empty()) {
    json leads = json::array();
    for (const auto& lead : phantom.truth.implantedLeads) {
      json here = json::array(), planned = json::array();
      for (std::size_t n = 0; n < lead.contacts.size(); ++n) {
        here.push_back(vec(lead.contacts[n]));
        planned.push_back(vec(lead.plannedFrameContacts[n]));
      }
      leads.push_back({ { "name", lead.name },
                        { "level", lead.level },
                        { "contacts", here },
                        { "contacts_in_planning_frame", planned } });
    }
    j["implanted_leads"] = leads;
  }
  json labels = json::object();
  for (const auto& [value, name] : phantom.truth.labelNames) {
    labels[std::to_string(value)] = name;
  }
  j["labels"] = labels;
  return j.dump(2) + "\n";
}

void writeSpinePhantom(const PhantomCase& phantom, const std::filesystem::path& dir)
{
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec || !fs::is_directory(dir)) {
    throw Error(ErrorCode::Io,
                "cannot create output folder " + dir.string() + (ec ? ": " + ec.message() : ""));
  }
  const PhantomOptions& o = phantom.options;
  bool ct = o.contrast == PhantomContrast::Ct;
  std::string key = caseKey(o);

  DicomSeriesDescription s;
  s.modality = ct ? "CT" : "MR";
  s.patientName = "PHANTOM^SPINE";
  s.patientId = "DRGPHANTOM-" + std::to_string(o.seed);
  s.patientSex = "O";
  s.studyInstanceUid = derivedUid(key + "/study");
  s.seriesInstanceUid = derivedUid(key + "/series");
  s.frameOfReferenceUid = derivedUid(key + "/frame-of-reference");
  s.sopInstanceUidKey = key + "/instance";
  // a post-operative scan is a later study
  s.studyDate = o.implants.empty() ? "20260101" : "20260401";
  s.studyTime = "120000";
  s.accessionNumber = "";
  s.studyDescription = o.implants.empty() ? "drgplan spine phantom" : "drgplan spine phantom, post-operative";
  s.seriesDescription = std::string(ct ? "CT" : (o.contrast == PhantomContrast::MrT2 ? "T2" : "T2 fat-sat")) +
                        " lumbar spine phantom seed " + std::to_string(o.seed);
  s.seriesNumber = ct ? 2 : 3;
  s.patientPosition = patientPositionName(o.position);
  s.modelName = "spine phantom";
  s.softwareVersion = "drgplan phantom 1";
  std::string planeWord = o.plane == AcquisitionPlane::Axial ? "AXIAL" : "OTHER";
  if (ct) {
    s.imageType = { "DERIVED", "PRIMARY", planeWord };
    s.rescaleIntercept = -1024.0;
    s.bitsStored = 12;
    s.windows = { { 400.0, 1800.0 }, { 40.0, 400.0 } };
  } else {
    s.imageType = { "DERIVED", "PRIMARY", "OTHER" };
    s.bitsStored = 12;
    s.fatSuppressed = o.contrast == PhantomContrast::MrT2FatSat;
    s.windows = { { 500.0, 1100.0 } };
  }

  fs::path stagedDicom = temporarySibling(dir / "dicom");
  fs::create_directories(stagedDicom, ec);
  if (ec) {
    throw Error(ErrorCode::Io, "cannot create " + stagedDicom.string() + ": " + ec.message());
  }
  fs::path stagedLabels = temporarySibling(dir / "labels.nii.gz");
  try {
    // DICOM and the compressed label map are written in parallel
    auto labelsJob = std::async(std::launch::async, [&] { writeNifti(phantom.labels, stagedLabels); });
    writeDicomSeries(phantom.intensities, s, stagedDicom);
    labelsJob.get();
  } catch (...) {
    fs::remove_all(stagedDicom, ec);
    fs::remove(stagedLabels, ec);
    throw;
  }
  commitStaged(stagedDicom, dir / "dicom");
  commitStaged(stagedLabels, dir / "labels.nii.gz");
  writeFileAtomically(dir / "truth.json", phantomTruthJson(phantom));
}

} // namespace drg::imaging
