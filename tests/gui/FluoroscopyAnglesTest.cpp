// The needle's angles printed in the report against the report's own AP and lateral images:
// measured in the images' pixels (the drawn needle by its colour, the skin's edge by the image's
// grey values) and against the phantom's own truth (its laminae, projected the way the image was
// made), on the demo's plan (L4 and L5 left) of the default and the lordotic phantom. The AP angle
// agrees; the lateral ones do not yet everywhere (see the disabled test).
#include "drg/imaging/AnatomyLabels.h"
#include "drg/imaging/SpineModel.h"
#include "drg/imaging/SpinePhantom.h"
#include "drg/planning/Planner.h"
#include "drg/report/PlacementReport.h"

#include "LeadDrawing.h"

#include <Eigen/Eigenvalues>
#include <QGuiApplication>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <map>
#include <memory>

using namespace drg::imaging;
using namespace drg::planning;
using drg::report::FluoroPixels;
using drg::report::FluoroView;

namespace
{

constexpr double kPiTest = 3.14159265358979323846;
constexpr int kSizePx = 600; // as the report renders them

/// The acute angle (degrees) between two image lines.
double acuteDeg(const Eigen::Vector2d& a, const Eigen::Vector2d& b)
{
  const double cross = a.x() * b.y() - a.y() * b.x();
  return std::atan2(std::abs(cross), std::abs(a.dot(b))) * 180.0 / kPiTest;
}

/// The principal direction of points (a line fitted through them).
Eigen::Vector2d lineThrough(const std::vector<Eigen::Vector2d>& pts)
{
  Eigen::Vector2d mean = Eigen::Vector2d::Zero();
  for (const auto& p : pts) {
    mean += p;
  }
  mean /= static_cast<double>(pts.size());
  Eigen::Matrix2d cov = Eigen::Matrix2d::Zero();
  for (const auto& p : pts) {
    cov += (p - mean) * (p - mean).transpose();
  }
  return Eigen::SelfAdjointEigenSolver<Eigen::Matrix2d>(cov).eigenvectors().col(1);
}

/// A phantom with the demo's plan: L4 and L5 left, each with its report images.
struct PlannedPhantom
{
  PhantomCase phantom;
  Image<float> volume;
  SpineModel model;
  std::unique_ptr<PlanAnatomy> anatomy;
  Plan plan;

  explicit PlannedPhantom(const PhantomOptions& o)
    : phantom(generateSpinePhantom(o))
    , volume(phantom.intensities.geometry(), Uninitialized{})
  {
    std::copy(phantom.intensities.voxels().begin(), phantom.intensities.voxels().end(),
              volume.voxels().begin());
    model = buildSpineModel(volume);
    anatomy = std::make_unique<PlanAnatomy>(model, &volume);
    const Planner planner(*anatomy, DeviceCatalog::builtIn(), PlanRules::builtIn());
    for (const char* level : { "L4", "L5" }) {
      plan.leads.push_back(planner.newLead(std::string(level) + " left", level, Side::Left));
    }
    planner.recompute(plan);
  }

  int truthLabel(const Eigen::Vector3d& p) const
  {
    const auto& g = phantom.labels.geometry();
    const Eigen::Vector3d i = g.lpsToIndex(p).array().round().matrix();
    if (!g.containsIndex(i)) {
      return -1;
    }
    return phantom.labels.at(static_cast<std::size_t>(i.x()), static_cast<std::size_t>(i.y()),
                             static_cast<std::size_t>(i.z()));
  }

  /// The report's view of a lead, and the same view with that lead's needle track alone drawn on it
  /// (the plan's other needles may cover its needle: the demo's two needles run close together; and
  /// an ipsilateral route turns back beside its own needle on the AP image).
  QImage view(std::size_t lead, FluoroView v, FluoroPixels& where, QImage& alone) const
  {
    Plan solo = plan;
    solo.leads = { plan.leads[lead] };
    solo.leads[0].route.clear();
    solo.leads[0].contacts.clear();
    FluoroPixels soloWhere;
    alone = drg::report::fluoroscopyView(volume, solo, 0, &model, v, kSizePx, &soloWhere);
    const QImage report = drg::report::fluoroscopyView(volume, plan, lead, &model, v, kSizePx, &where);
    EXPECT_TRUE(soloWhere.topLeft.isApprox(where.topLeft) && soloWhere.pxPerMmX == where.pxPerMmX)
      << "the lead alone is not drawn in the report's projection";
    return report;
  }
};

/// The phantoms, built once for all tests.
const PlannedPhantom& phantom(const std::string& name)
{
  static std::map<std::string, std::unique_ptr<PlannedPhantom>> made;
  auto& p = made[name];
  if (!p) {
    PhantomOptions o;
    if (name == "lordotic") {
      o.lordosisDegrees = 60.0;
    }
    p = std::make_unique<PlannedPhantom>(o);
  }
  return *p;
}

/// The drawn needle's direction in pixels: the lead's colour along its needle track (the lead lies
/// in the needle from the anchor to the epidural entry), the route beside the entry left out.
Eigen::Vector2d drawnNeedle(const QImage& img, const LeadPlan& l, const QColor& colour,
                            const FluoroPixels& at)
{
  const Eigen::Vector2d anchor = at.of(l.anchor), entry = at.of(l.epiduralEntry);
  const double reach = (anchor - entry).norm() - 6.0 * at.pxPerMmX; // short of the entry by 6 mm
  std::vector<Eigen::Vector2d> pts;
  for (int y = 0; y < img.height(); ++y) {
    for (int x = 0; x < img.width(); ++x) {
      const QColor c = img.pixelColor(x, y);
      const Eigen::Vector2d p(x, y);
      if (std::abs(c.red() - colour.red()) + std::abs(c.green() - colour.green()) +
              std::abs(c.blue() - colour.blue()) <
            40 &&
          (p - anchor).norm() < reach) {
        pts.push_back(p);
      }
    }
  }
  EXPECT_GT(pts.size(), 100u) << l.name << ": the needle's track is not drawn in its colour";
  return pts.size() < 2 ? Eigen::Vector2d(1, 0) : lineThrough(pts);
}

/// The skin's edge on the lateral image within 10 mm above and below the skin entry: per row, the
/// outermost pixel darker than the air beyond the body (grey pixels only: the drawing is coloured).
Eigen::Vector2d skinEdge(const QImage& img, const LeadPlan& l, const FluoroPixels& at)
{
  const Eigen::Vector2d skin = at.of(l.skinEntry);
  const int outward = (at.of(l.skinEntry) - at.of(l.epiduralEntry)).x() > 0 ? 1 : -1;
  const int air = qGray(img.pixel(outward > 0 ? img.width() - 2 : 1, static_cast<int>(skin.y())));
  std::vector<Eigen::Vector2d> pts;
  const int span = static_cast<int>(10.0 * at.pxPerMmY);
  for (int y = static_cast<int>(skin.y()) - span; y <= static_cast<int>(skin.y()) + span; ++y) {
    if (y < 0 || y >= img.height() || std::abs(y - skin.y()) < 2.0 * at.pxPerMmY) {
      continue; // (the needle's end crosses the edge at the entry)
    }
    for (int x = outward > 0 ? img.width() - 1 : 0; x >= 0 && x < img.width(); x -= outward) {
      const QRgb c = img.pixel(x, y);
      const bool grey = qRed(c) == qGreen(c) && qGreen(c) == qBlue(c);
      if (grey && qGray(c) < air - 6) {
        pts.emplace_back(x, y);
        break;
      }
    }
  }
  EXPECT_GT(pts.size(), 20u) << l.name << ": no skin edge beside the skin entry";
  return pts.size() < 2 ? Eigen::Vector2d(0, 1) : lineThrough(pts);
}

/// The truth's lamina line over the entry level on the lateral image: the dorsal edge of the canal's
/// contents (epidural fat, sac, cauda, roots) in the midline where a lamina closes it, walked along
/// the entry vertebra's own axes from its upper endplate to the middle of the window below it,
/// projected as the image was.
Eigen::Vector2d truthLaminaLine(const PlannedPhantom& p, const LeadPlan& l, const FluoroPixels& at)
{
  const auto& vs = p.phantom.truth.vertebrae;
  std::size_t i = 0;
  while (i + 1 < vs.size() && vs[i].level != l.entryLevel) {
    ++i;
  }
  const PhantomVertebra &v = vs.at(i), &below = vs.at(std::min(i + 1, vs.size() - 1));
  const Eigen::Vector3d up = v.frame.col(2), back = v.frame.col(1);
  const Eigen::Vector3d top = v.bodyCentre + 0.5 * v.bodyHeightMm * up;
  const Eigen::Vector3d window = 0.5 * (v.bodyCentre - 0.5 * v.bodyHeightMm * up + below.bodyCentre +
                                        0.5 * below.bodyHeightMm * below.frame.col(2));
  auto inCanal = [](int label) {
    return label == labels::kEpiduralFat || label == labels::kThecalSac || label == labels::kCord ||
           label == labels::kCaudaEquina || label == labels::kNerveRoot;
  };
  std::vector<Eigen::Vector2d> pts;
  for (double s = 0.0; s <= (top - window).dot(up); s += 1.0) {
    // from the body's axis backwards: the last canal voxel of the first run met, where a lamina
    // (bone) closes the canal behind it
    const Eigen::Vector3d from = top - s * up;
    bool entered = false;
    for (double y = 0.0; y < 90.0; y += 0.25) {
      const bool canal = inCanal(p.truthLabel(from + y * back));
      if (entered && !canal) {
        if (!labels::vertebraLevelOfLabel(p.truthLabel(from + (y + 1.0) * back)).empty()) {
          pts.push_back(at.of(from + (y - 0.25) * back));
        }
        break;
      }
      entered = entered || canal;
    }
  }
  EXPECT_GT(pts.size(), 5u) << l.name << ": the truth's laminae not found over " << l.entryLevel;
  return pts.size() < 2 ? Eigen::Vector2d(0, 1) : lineThrough(pts);
}

/// The three angles of each lead measured on its report images (degrees): AP medio-lateral, to the
/// skin's edge and to the truth's lamina line on the lateral image.
struct Measured
{
  double ap, skin, lamina;
};

std::vector<Measured> measureOnTheImages(const std::string& name)
{
  const PlannedPhantom& p = phantom(name);
  std::vector<Measured> out;
  for (std::size_t i = 0; i < p.plan.leads.size(); ++i) {
    const LeadPlan& l = p.plan.leads[i];
    EXPECT_TRUE(l.planned) << l.name << ": " << l.problem;
    const QColor colour = drg::report::kLeadColours[0]; // (the colour of a plan's first lead)
    FluoroPixels lat, ap;
    QImage lateral, apImage;
    p.view(i, FluoroView::Lateral, lat, lateral);
    p.view(i, FluoroView::AP, ap, apImage);
    const Eigen::Vector2d needleLat = drawnNeedle(lateral, l, colour, lat);
    const Measured m{ acuteDeg(drawnNeedle(apImage, l, colour, ap), Eigen::Vector2d(0, 1)),
                      acuteDeg(needleLat, skinEdge(lateral, l, lat)),
                      acuteDeg(needleLat, truthLaminaLine(p, l, lat)) };
    std::printf(
      "%s %s: to the skin %.1f (image %.1f), to the lamina line %.1f (image, truth's laminae %.1f), "
      "AP medio-lateral %.1f (image %.1f) deg\n",
      name.c_str(), l.name.c_str(), l.needleToSkinDeg, m.skin, l.needleToLaminaLineDeg, m.lamina,
      l.needleApMedioLateralDeg, m.ap);
    out.push_back(m);
  }
  return out;
}

} // namespace

TEST(FluoroscopyAngles, MedioLateralAgreesWithTheApImage)
{
  for (const char* name : { "default", "lordotic" }) {
    const auto m = measureOnTheImages(name);
    for (std::size_t i = 0; i < m.size(); ++i) {
      EXPECT_NEAR(phantom(name).plan.leads[i].needleApMedioLateralDeg, m[i].ap, 2.0) << name << " lead " << i;
    }
  }
}

// Not yet within 2 degrees (issue 20, item 4), measured 2026-12-06: to the skin 28.1 against the
// image's 25.1 (default L4; the other three leads within 1.5), to the lamina line 37.1 and 31.0
// against the truth laminae's 43.4 and 41.8 (the stations' smoothed dorsal wall over the level is
// not the laminae's line). Enable when the lamina line's definition is settled.
TEST(FluoroscopyAngles, DISABLED_LateralAnglesAgreeWithTheLateralImage)
{
  for (const char* name : { "default", "lordotic" }) {
    const auto m = measureOnTheImages(name);
    for (std::size_t i = 0; i < m.size(); ++i) {
      const LeadPlan& l = phantom(name).plan.leads[i];
      EXPECT_NEAR(l.needleToSkinDeg, m[i].skin, 2.0) << name << " " << l.name;
      EXPECT_NEAR(l.needleToLaminaLineDeg, m[i].lamina, 2.0) << name << " " << l.name;
    }
  }
}

TEST(FluoroscopyAngles, SteepWarningsOnlyForNeedlesSteeperToTheSkin)
{
  // the warning follows the angle to the skin (which the tests above find on the images), not the
  // angle to the table: on these phantoms the needles enter about 30 degrees to the skin
  const double maxDeg = PlanRules::builtIn().maxNeedleAngleDeg.value;
  for (const char* name : { "default", "lordotic" }) {
    const PlannedPhantom& p = phantom(name);
    for (std::size_t i = 0; i < p.plan.leads.size(); ++i) {
      const LeadPlan& l = p.plan.leads[i];
      bool warned = false;
      for (const Finding& f : p.plan.findings) {
        warned = warned || (f.code == "needle-angle-steep" && f.lead == static_cast<int>(i));
      }
      EXPECT_EQ(warned, l.needleToSkinDeg > maxDeg) << name << " " << l.name << ": " << l.needleToSkinDeg;
    }
  }
}

int main(int argc, char** argv)
{
  if (qEnvironmentVariableIsEmpty("DISPLAY") && qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) {
    qputenv("QT_QPA_PLATFORM", "offscreen"); // (the build lists the tests without a display)
  }
  QGuiApplication app(argc, argv); // (the views' lettering needs fonts)
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
