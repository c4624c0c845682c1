// The spine model's driver: the stages in order, from the input volume to the model.
#include "spine/SpineAnalysis.h"

#include "spine/BodiesAndDiscs.h"
#include "spine/LevelNaming.h"

#include "drg/imaging/Error.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>

namespace drg::imaging::spine
{

SpineModel SpineAnalysis::run()
{
  auto t0 = std::chrono::steady_clock::now();
  findBoneAndCanal();
  report(0.45);
  BodyProfile bodies = findBodiesAndDiscs(m_work, m_line, m_mr);
  m_profile = std::move(bodies.profile);
  m_discRuns = std::move(bodies.discs);
  m_segments = std::move(bodies.segments);
  std::optional<int> userSegment;
  if (m_options.labels.anchorAt) {
    userSegment = segmentHolding(m_options.labels.anchorAt->point);
  }
  m_levels = nameLevels(
    m_segments, m_profile, m_options.labels, m_mr,
    [this] { return conusSegment(m_raw, m_line, m_discRuns, m_segments); }, userSegment);
  m_warnings.insert(m_warnings.end(), m_levels.warnings.begin(), m_levels.warnings.end());
  report(0.55);
  estimateRotations();
  growVertebrae();
  report(0.75);
  SpineModel model;
  model.modality = m_mr ? SpineModality::MrT2 : SpineModality::Ct;
  model.anchor = m_levels.anchor;
  model.anchorDetail = m_levels.anchorDetail;
  model.anchorsDisagree = m_levels.anchorsDisagree;
  model.levelCheck = m_levels.check;
  model.labelShift = m_options.labels.shift;
  for (const auto& p : m_line) {
    model.canalCentreline.push_back(p.centre);
  }
  measurePedicles(false);
  growFromArches();
  // T2 MR: a thin pedicle's marrow (the thoracic ones: 2-3 mm inside a dark cortex) is lost to the
  // erosion that keeps the bowel off the bodies, so a body may not reach its own arch in the first
  // growth and the arch goes to a neighbour whose pedicle joins. After the second growth, seeded by
  // the arches found, the arches are their own vertebra's: the pedicles missing are measured again,
  // and when some are found, their foramina are marked and the vertebrae grown once more.
  if (m_mr && measurePedicles(true) > 0) {
    growFromArches();
  }
  publishPedicles(model);
  if (m_mr) {
    confineAlongCanal();
  }
  describeVertebrae(model);
  measureForaminaAndGanglia(model);
  report(0.85);
  findSkinAndLandmarks(model);
  paintLabels(model);
  // a vertebra of implausible size (two merged, one split) puts every name above it in doubt
  for (const std::string& why : implausibleVertebrae(model.vertebrae)) {
    if (model.levelCheck.status == "consistent") {
      model.levelCheck.status = "unconfirmed";
      m_warnings.push_back("levels unconfirmed: " + why + ". Check the vertebrae's outlines and the count");
    } else {
      m_warnings.push_back(why);
    }
    model.levelCheck.reasons.push_back(why);
  }
  if (const auto thin = thinLumbosacralDisc(model.discs)) {
    m_warnings.push_back(*thin);
  }
  model.warnings = m_warnings;
  model.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  report(1.0);
  return model;
}

int SpineAnalysis::segmentHolding(const Vector3d& p) const
{
  // the canal's point at the height of p: where p lies in the plane across the canal (nearest such
  // point: the lumbar curve meets a plane more than once only far from the spine)
  int at = -1;
  double best = 1e9;
  for (std::size_t i = 0; i < m_line.size(); ++i) {
    const Vector3d d = p - m_line[i].centre;
    const double along = std::abs(d.dot(m_line[i].tangent));
    const double across = (d - d.dot(m_line[i].tangent) * m_line[i].tangent).norm();
    if (across < 70.0 && along < best) {
      best = along;
      at = static_cast<int>(i);
    }
  }
  auto where = [&] {
    char text[96];
    std::snprintf(text, sizeof text, "%.1f, %.1f, %.1f", p.x(), p.y(), p.z());
    return std::string(text);
  };
  if (at < 0 || best > 2.0) {
    throw Error(ErrorCode::InvalidArgument,
                "the anchor point " + where() +
                  " is not beside the spine in view: give a point inside a vertebral body");
  }
  for (std::size_t k = 0; k < m_segments.size(); ++k) {
    if (at >= m_segments[k].run.first && at <= m_segments[k].run.last) {
      return static_cast<int>(k);
    }
  }
  throw Error(ErrorCode::InvalidArgument, "the anchor point " + where() +
                                            " lies in a disc, between two vertebrae: give a point inside the "
                                            "vertebral body to be named");
}

void SpineAnalysis::findBoneAndCanal()
{
  const ImageGeometry& g = m_input.geometry();
  double h = m_options.workSpacingMm;
  if (h <= 0) {
    h = std::clamp(g.spacing.maxCoeff(), 1.25, 2.0);
  }
  m_work = resampleToWorkGrid(m_input, h);
  report(0.1);
  if (m_mr) {
    T2Signal t2 = prepareT2Signal(m_work);
    m_csf = t2.csf;
    m_raw = std::move(t2.raw);
    m_bone = analyseBone(m_work, m_progress);
    m_core = m_bone.bone;
    erodeOnce(m_core, m_work.grid);
    m_bone.candidates = std::move(t2.candidates);
  } else {
    m_bone = analyseBone(m_work, m_progress);
  }
  m_chain = chooseCanal(m_bone, m_allCandidates, m_work.grid, m_mr);
  // smoothed over 5 mm each way; on T2 over 8 mm: there the canal is found from the thecal sac,
  // which moves within the bony canal by 3-4 mm from level to level, and the tangent's wobble would
  // tilt the body profile's planes into the discs. On CT the bony ring's centre is as steady at the
  // chain's ends as inside, and a window kept centred there leaves the ends where they are; the
  // sac's tapering end is not steady, so T2 keeps a one-sided window at the ends.
  m_line = buildCentreline(m_chain, m_work.grid, m_mr ? 8.0 : 5.0, !m_mr);
}

void SpineAnalysis::report(double f)
{
  if (m_progress && !m_progress(f)) {
    throw Error(ErrorCode::Cancelled, "spine model cancelled");
  }
}

} // namespace drg::imaging::spine
