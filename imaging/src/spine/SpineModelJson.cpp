#include "drg/imaging/AtomicOutput.h"
#include "drg/imaging/Error.h"
#include "drg/imaging/NiftiIo.h"
#include "drg/imaging/SpineModel.h"

#include <nlohmann/json.hpp>

namespace drg::imaging
{

namespace
{
using nlohmann::ordered_json;

ordered_json vec(const Eigen::Vector3d& v)
{
  auto r = [](double x) { return std::round(x * 100.0) / 100.0; };
  return ordered_json::array({ r(v.x()), r(v.y()), r(v.z()) });
}

double round2(double x)
{
  return std::round(x * 100.0) / 100.0;
}
} // namespace

std::string spineModelJson(const SpineModel& m)
{
  ordered_json j;
  j["schema"] = "drgplan.spine/1";
  j["coordinates"] = "LPS mm";
  j["modality"] = spineModalityName(m.modality);
  j["anchor"] = { { "used", m.anchor },
                  { "detail", m.anchorDetail },
                  { "anchors_disagree", m.anchorsDisagree },
                  { "user_shift", m.labelShift } };
  j["level_check"] = { { "status", m.levelCheck.status },
                       { "anchors", m.levelCheck.anchors },
                       { "reasons", m.levelCheck.reasons },
                       { "thoracic_names", m.levelCheck.thoracicNames } };
  j["warnings"] = m.warnings;
  ordered_json levels = ordered_json::array();
  for (const auto& v : m.vertebrae) {
    levels.push_back(v.level + (v.complete ? "" : " (partial)"));
  }
  j["levels_visible"] = levels;
  ordered_json vs = ordered_json::array();
  for (const auto& v : m.vertebrae) {
    vs.push_back({ { "level", v.level },
                   { "label", v.label },
                   { "complete", v.complete },
                   { "centroid", vec(v.centroid) },
                   { "body_centre", vec(v.bodyCentre) },
                   { "superior_endplate", vec(v.superiorEndplate) },
                   { "inferior_endplate", vec(v.inferiorEndplate) },
                   { "axis", vec(v.axis) },
                   { "body_height_mm", round2(v.bodyHeightMm) },
                   { "volume_ml", round2(v.volumeMl) } });
  }
  j["vertebrae"] = vs;
  ordered_json ds = ordered_json::array();
  for (const auto& d : m.discs) {
    ds.push_back({ { "between", { d.upperLevel, d.lowerLevel } },
                   { "centre", vec(d.centre) },
                   { "normal", vec(d.normal) },
                   { "height_mm", round2(d.heightMm) } });
  }
  j["discs"] = ds;
  ordered_json canal = ordered_json::array();
  for (std::size_t i = 0; i < m.canalCentreline.size(); i += 5) {
    canal.push_back(vec(m.canalCentreline[i]));
  }
  j["canal_centreline_every_5mm"] = canal;
  j["canal_contents"] = { { "dural_sac_ml", round2(m.canalContents.duralSacMl) },
                          { "epidural_fat_ml", round2(m.canalContents.epiduralFatMl) },
                          { "method", m.canalContents.method } };
  ordered_json ps = ordered_json::array();
  for (const auto& p : m.pedicles) {
    ps.push_back({ { "level", p.level },
                   { "side", sideName(p.side) },
                   { "centre", vec(p.centre) },
                   { "medial_border", vec(p.medialBorder) },
                   { "lateral_border", vec(p.lateralBorder) },
                   { "width_mm", round2(p.widthMm) },
                   { "height_mm", round2(p.heightMm) } });
  }
  j["pedicles"] = ps;
  ordered_json fs = ordered_json::array();
  for (const auto& f : m.foramina) {
    ordered_json outline = ordered_json::array();
    for (const auto& b : f.boundary) {
      outline.push_back(vec(b));
    }
    fs.push_back({ { "between", { f.upperLevel, f.lowerLevel } },
                   { "side", sideName(f.side) },
                   { "centre", vec(f.centre) },
                   { "axis", vec(f.axis) },
                   { "width_mm", round2(f.widthMm) },
                   { "height_mm", round2(f.heightMm) },
                   { "boundary", outline } });
  }
  j["foramina"] = fs;
  ordered_json gs = ordered_json::array();
  for (const auto& d : m.ganglia) {
    ordered_json axes = ordered_json::array();
    for (int c = 0; c < 3; ++c) {
      axes.push_back(vec(d.ellipsoidAxes.col(c)));
    }
    gs.push_back({ { "level", d.level },
                   { "side", sideName(d.side) },
                   { "centre", vec(d.centre) },
                   { "axis", vec(d.axis) },
                   { "uncertainty_ellipsoid", { { "axes", axes }, { "semi_axes_mm", vec(d.semiAxesMm) } } },
                   { "expected_length_mm", round2(d.lengthMm) },
                   { "expected_width_mm", round2(d.widthMm) },
                   { "zone", d.zone },
                   { "confidence", round2(d.confidence) },
                   { "derived_from", d.derivedFrom } });
  }
  j["ganglia"] = gs;
  ordered_json ls = ordered_json::array();
  for (const auto& l : m.landmarks) {
    ls.push_back({ { "name", l.name }, { "position", vec(l.position) } });
  }
  j["landmarks"] = ls;
  j["seconds"] = round2(m.seconds);
  return j.dump(2) + "\n";
}

void writeSpineModel(const SpineModel& model, const std::filesystem::path& dir)
{
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    throw Error(ErrorCode::Io, "cannot create " + dir.string() + ": " + ec.message());
  }
  const auto labels = dir / "labels.nii.gz";
  const auto staged = temporarySibling(labels);
  writeNifti(model.labels, staged);
  commitStaged(staged, labels);
  writeFileAtomically(dir / "spine.json", spineModelJson(model));
}

} // namespace drg::imaging
