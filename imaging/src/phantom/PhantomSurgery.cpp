// The operated and degenerated spine (PhantomSurgery): pedicle screws and rods, interbody cages,
// vertebroplasty cement and gas in collapsed discs. Laminectomy (addVertebra), disc collapse
// (loadLevels) and spondylolisthesis (placeVertebrae) change the anatomy where it is built.
// Sizes are those of common adult implants: 6.5 mm screws of 40-45 mm, 5.5 mm rods, tulip heads of
// about 11 mm, cages of about 26 x 20 mm footprint [unverified: typical catalogue sizes].
#include "phantom/PhantomAnatomyBuilder.h"

#include "drg/imaging/Error.h"

#include <algorithm>
#include <cmath>

namespace drg::imaging
{

void parseListhesis(const std::string& text, PhantomSurgery& surgery)
{
  auto colon = text.find(':');
  std::string level = text.substr(0, colon);
  double mm = 0.0;
  bool ok = colon != std::string::npos && !level.empty();
  if (ok) {
    try {
      std::size_t used = 0;
      mm = std::stod(text.substr(colon + 1), &used);
      ok = used == text.size() - colon - 1;
    } catch (const std::exception&) {
      ok = false;
    }
  }
  if (!ok) {
    throw Error(ErrorCode::InvalidArgument,
                "spondylolisthesis '" + text + "' is not LEVEL:MM (e.g. L5:8, L5 slipped 8 mm forwards)");
  }
  surgery.listhesisLevel = level;
  surgery.listhesisMm = mm;
}

} // namespace drg::imaging

namespace drg::imaging::phantom
{

using Eigen::Matrix3d;
using Eigen::Vector3d;

namespace
{

bool names(const std::vector<std::string>& list, const std::string& level)
{
  return std::find(list.begin(), list.end(), level) != list.end();
}

constexpr double kScrewRadius = 3.25;
constexpr double kRodRadius = 2.75;
constexpr double kHeadRadius = 5.5;

} // namespace

bool AnatomyBuilder::laminectomy(const std::string& level) const
{
  return names(m_options.surgery.laminectomy, level);
}

void AnatomyBuilder::addSurgery()
{
  const PhantomSurgery& s = m_options.surgery;
  if (!s.fusionFrom.empty()) {
    addPedicleScrews();
  }
  for (std::size_t i = 0; i + 1 < m_levels.size(); ++i) {
    if (names(s.cages, m_levels[i].level)) {
      addCage(i);
    }
    if (names(s.discCollapse, m_levels[i].level) && !names(s.cages, m_levels[i].level)) {
      addDiscGas(i);
    }
  }
  for (std::size_t i = 0; i < m_levels.size(); ++i) {
    if (names(s.cement, m_levels[i].level)) {
      addCement(i);
    }
  }
}

void AnatomyBuilder::addPedicleScrews()
{
  int obj = addObject("pedicle screws and rods", labels::kMetalImplant, 12, plain("titanium"), 0.0);
  m_anatomy.truth.labelNames[labels::kMetalImplant] = "pedicle screws and rods";
  std::size_t from = indexOf(m_options.surgery.fusionFrom);
  std::size_t to = indexOf(m_options.surgery.fusionTo);
  for (double side : { 1.0, -1.0 }) {
    std::vector<Vector3d> heads;
    for (std::size_t i = from; i <= to; ++i) {
      const LevelDims& d = m_levels[i];
      const Frame& f = m_frames[i];
      for (const auto& p : m_pedicles) {
        if (p.level != d.level || p.s != side) {
          continue;
        }
        // entry at the back of the pedicle (where the transverse process meets the facet), aimed
        // along the pedicle into the body, stopping 5 mm short of its front wall
        Vector3d entry = p.centre + p.axis * (p.halfLength + 3.0);
        double reach = (entry.y() - (-0.5 * d.bodyD + 5.0)) / std::max(0.3, p.axis.y());
        double length = std::min(d.level == "S1" ? 40.0 : 45.0, reach);
        Vector3d tip = entry - p.axis * length;
        capsule(obj, f.toWorld(entry), f.toWorld(tip), kScrewRadius);
        Vector3d head = entry + p.axis * 8.0;
        capsule(obj, f.toWorld(entry), f.toWorld(head), kHeadRadius);
        heads.push_back(f.toWorld(head));
      }
    }
    // the rod joins the heads on its side, a few millimetres past the end ones
    for (std::size_t k = 0; k + 1 < heads.size(); ++k) {
      Vector3d a = heads[k];
      Vector3d b = heads[k + 1];
      Vector3d along = (b - a).normalized();
      capsule(obj, k == 0 ? Vector3d(a - 5.0 * along) : a,
              k + 2 == heads.size() ? Vector3d(b + 5.0 * along) : b, kRodRadius);
    }
  }
}

void AnatomyBuilder::addCage(std::size_t i)
{
  const LevelDims& d = m_levels[i];
  const Frame& f = m_discFrames[i];
  Material m{ tissue("bone_graft"), tissue("peek"), 2.5 };
  int obj = addObject(d.level + " interbody cage", labels::kInterbodyCage, 8, m, 0.0);
  m_anatomy.truth.labelNames[labels::kInterbodyCage] = "interbody cage";
  // the vertebral bodies (higher priority) trim it to the disc space
  addPart(obj, Shape::RoundedBox, f.toWorld(Vector3d(0.0, -1.0, 0.0)), f.axes,
          Vector3d(0.3 * d.bodyW, 0.3 * d.bodyD, 0.5 * d.discBelow + 1.0), 1.5);
}

void AnatomyBuilder::addCement(std::size_t i)
{
  const LevelDims& d = m_levels[i];
  const Frame& f = m_frames[i];
  // cement is inside the vertebra: it keeps the vertebra's label
  int obj = addObject(d.level + " vertebroplasty cement", vertebraLabel(d.level), 10, plain("cement"), 3.0);
  addPart(obj, Shape::Ellipsoid, f.toWorld(Vector3d(0.0, -2.0, 0.0)), f.axes,
          Vector3d(0.28 * d.bodyW, 0.28 * d.bodyD, 0.36 * d.bodyH));
  addPart(obj, Shape::Ellipsoid, f.toWorld(Vector3d(0.12 * d.bodyW, -0.15 * d.bodyD, -0.15 * d.bodyH)),
          f.axes, Vector3d(0.15 * d.bodyW, 0.15 * d.bodyD, 0.2 * d.bodyH));
}

void AnatomyBuilder::addDiscGas(std::size_t i)
{
  const LevelDims& a = m_levels[i];
  const Frame& f = m_discFrames[i];
  // vacuum phenomenon of a degenerated disc
  int obj = addObject(a.level + " disc gas", labels::kDiscBase + static_cast<int>(i), 8, plain("gas"), 0.0);
  addPart(obj, Shape::Ellipsoid, f.origin, f.axes,
          Vector3d(0.22 * a.bodyW, 0.15 * a.bodyD, std::max(0.6, 0.3 * a.discBelow)));
}

} // namespace drg::imaging::phantom
