// The body chart as data (assets/anatomy/body_chart.json): the half outline and the regions of the
// patient's left side, mirrored into both sides of the front and back views.
#include "drg/planning/PainMap.h"

#include "../Sourced.h"

#include <cmath>

namespace drg::planning
{
namespace
{

using Eigen::Vector2d;
using nlohmann::json;

std::vector<Vector2d> points(const json& a, const std::string& origin, const std::string& where, double width,
                             double height)
{
  if (!a.is_array() || a.size() < 3) {
    detail::fail(origin, where, "must be a list of at least three [u, y] points");
  }
  std::vector<Vector2d> out;
  for (const auto& p : a) {
    if (!p.is_array() || p.size() != 2 || !p[0].is_number() || !p[1].is_number()) {
      detail::fail(origin, where, "every point must be [u, y]");
    }
    const Vector2d v(p[0].get<double>(), p[1].get<double>());
    if (!(v.x() >= 0.0 && v.x() <= width / 2.0 && v.y() >= 0.0 && v.y() <= height)) {
      detail::fail(origin, where, "a point lies outside the chart's left half");
    }
    out.push_back(v);
  }
  return out;
}

/// Chart x of a point u from the midline on `side` of the patient, as the view is drawn.
double chartX(double u, Side side, ChartView view, double width)
{
  const bool viewerRight = (side == Side::Left) == (view == ChartView::Front);
  return width / 2.0 + (viewerRight ? u : -u);
}

std::vector<Vector2d> placed(const std::vector<Vector2d>& half, Side side, ChartView view, double width)
{
  std::vector<Vector2d> out;
  for (const auto& p : half) {
    out.emplace_back(chartX(p.x(), side, view, width), p.y());
  }
  return out;
}

bool inside(const std::vector<Vector2d>& poly, const Vector2d& p)
{
  bool in = false;
  for (std::size_t i = 0, j = poly.size() - 1; i < poly.size(); j = i++) {
    const Vector2d& a = poly[i];
    const Vector2d& b = poly[j];
    if ((a.y() > p.y()) != (b.y() > p.y()) &&
        p.x() < (b.x() - a.x()) * (p.y() - a.y()) / (b.y() - a.y()) + a.x()) {
      in = !in;
    }
  }
  return in;
}

} // namespace

const char* chartViewName(ChartView v) noexcept
{
  return v == ChartView::Front ? "front" : "back";
}

BodyChart BodyChart::fromJson(std::string_view text, const std::string& origin)
{
  const json j = detail::formattedDocument(text, origin, "drgplan-body-chart", "a drgplan body chart");
  BodyChart c;
  c.m_width = j.value("width", 0.0);
  c.m_height = j.value("height", 0.0);
  c.m_source = j.value("source", "");
  if (!(c.m_width > 0 && c.m_height > 0)) {
    detail::fail(origin, "chart", "width and height must be positive");
  }
  if (c.m_source.empty()) {
    detail::fail(origin, "chart", "has no source");
  }
  if (!j.contains("outline") || !j.at("outline").contains("half_body")) {
    detail::fail(origin, "outline", "missing 'half_body'");
  }
  const std::vector<Vector2d> half =
    points(j["outline"]["half_body"], origin, "outline.half_body", c.m_width, c.m_height);
  std::vector<std::vector<Vector2d>> limbs;
  for (const auto& l : j["outline"].value("limbs", json::array())) {
    limbs.push_back(points(l, origin, "outline.limbs", c.m_width, c.m_height));
  }
  for (ChartView view : { ChartView::Front, ChartView::Back }) {
    auto& out = view == ChartView::Front ? c.m_front : c.m_back;
    // the body: the left half, then the right half walked back up to close the outline
    std::vector<Vector2d> body = placed(half, Side::Left, view, c.m_width);
    const std::vector<Vector2d> right = placed(half, Side::Right, view, c.m_width);
    body.insert(body.end(), right.rbegin(), right.rend());
    out.push_back(body);
    for (const auto& limb : limbs) {
      out.push_back(placed(limb, Side::Left, view, c.m_width));
      out.push_back(placed(limb, Side::Right, view, c.m_width));
    }
  }
  if (!j.contains("regions") || !j["regions"].is_array() || j["regions"].empty()) {
    detail::fail(origin, "regions", "must be a non-empty list");
  }
  for (const auto& r : j["regions"]) {
    const std::string base = r.value("id", "");
    const std::string where = "regions[" + (base.empty() ? std::string("?") : base) + "]";
    if (base.empty() || r.value("label", "").empty()) {
      detail::fail(origin, where, "needs an id and a label");
    }
    const std::string viewText = r.value("view", "");
    if (viewText != "front" && viewText != "back") {
      detail::fail(origin, where, "view must be front or back");
    }
    const std::vector<Vector2d> poly =
      points(r.value("polygon", json()), origin, where + ".polygon", c.m_width, c.m_height);
    for (Side side : { Side::Left, Side::Right }) {
      ChartRegion region;
      region.base = base;
      region.id = base + "-" + imaging::sideName(side);
      region.label = r["label"].get<std::string>();
      region.side = side;
      region.view = viewText == "front" ? ChartView::Front : ChartView::Back;
      region.polygon = placed(poly, side, region.view, c.m_width);
      if (c.region(region.id)) {
        detail::fail(origin, where, "the id is given twice");
      }
      c.m_regions.push_back(std::move(region));
    }
  }
  return c;
}

BodyChart BodyChart::builtIn()
{
  return fromJson(embeddedAsset("anatomy/body_chart.json"),
                  "built-in body chart (assets/anatomy/body_chart.json)");
}

const ChartRegion* BodyChart::region(std::string_view id) const
{
  for (const auto& r : m_regions) {
    if (r.id == id) {
      return &r;
    }
  }
  return nullptr;
}

const ChartRegion* BodyChart::regionAt(ChartView view, const Vector2d& point) const
{
  for (const auto& r : m_regions) {
    if (r.view == view && inside(r.polygon, point)) {
      return &r;
    }
  }
  return nullptr;
}

} // namespace drg::planning
