#include "drg/planning/DeviceCatalog.h"

#include "Sourced.h"

#include "drg/imaging/Error.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <sstream>

namespace drg::planning
{

namespace
{

using detail::fail;
using detail::positive;
using detail::sourced;
using nlohmann::json;

template<typename M>
void mergeById(std::vector<M>& into, const std::vector<M>& from)
{
  for (const auto& m : from) {
    auto it = std::find_if(into.begin(), into.end(), [&](const M& x) { return x.id == m.id; });
    if (it != into.end()) {
      *it = m;
    } else {
      into.push_back(m);
    }
  }
}

template<typename T>
std::size_t unverified(const SourcedValue<T>& v)
{
  return v.verified ? 0 : 1;
}

} // namespace

std::vector<double> LeadModel::contactCentresFromTipMm() const
{
  std::vector<double> out;
  double pos = tipLengthMm.value + 0.5 * contactLengthMm.value;
  for (int c = 0; c < contactCount.value; ++c) {
    out.push_back(pos);
    if (static_cast<std::size_t>(c) < contactSpacingMm.value.size()) {
      pos += contactSpacingMm.value[static_cast<std::size_t>(c)];
    }
  }
  return out;
}

DeviceCatalog DeviceCatalog::fromJson(std::string_view text, const std::string& origin)
{
  const json j =
    detail::formattedDocument(text, origin, "drgplan-device-catalog", "a drgplan device catalog");
  DeviceCatalog c;
  auto models = [&](const char* kind) {
    json list = j.value(kind, json::array());
    if (!list.is_array()) {
      fail(origin, kind, "must be a list");
    }
    return list;
  };
  auto ident = [&](const json& m, const char* kind, std::string& id, std::string& name) {
    id = m.value("id", "");
    name = m.value("name", id);
    if (id.empty()) {
      fail(origin, kind, "a model has no id");
    }
    return std::string(kind) + " '" + id + "'";
  };
  for (const auto& m : models("leads")) {
    LeadModel l;
    std::string where = ident(m, "leads", l.id, l.name);
    l.contactCount = sourced<int>(m, "contact_count", origin, where);
    l.contactLengthMm = sourced<double>(m, "contact_length_mm", origin, where);
    l.contactSpacingMm = sourced<std::vector<double>>(m, "contact_spacing_mm", origin, where);
    l.diameterMm = sourced<double>(m, "diameter_mm", origin, where);
    l.tipLengthMm = sourced<double>(m, "tip_length_mm", origin, where);
    l.lengthsCm = sourced<std::vector<double>>(m, "lengths_cm", origin, where);
    if (l.contactCount.value < 1 || l.contactCount.value > 16) {
      fail(origin, where, "contact_count must be 1 to 16");
    }
    if (l.contactSpacingMm.value.size() + 1 != static_cast<std::size_t>(l.contactCount.value)) {
      fail(origin, where, "contact_spacing_mm needs contact_count - 1 values");
    }
    for (double s : l.contactSpacingMm.value) {
      if (s < l.contactLengthMm.value) {
        fail(origin, where, "contact spacing is shorter than a contact: contacts would overlap");
      }
    }
    positive(l.contactLengthMm.value, origin, where, "contact_length_mm");
    positive(l.diameterMm.value, origin, where, "diameter_mm");
    if (l.lengthsCm.value.empty()) {
      fail(origin, where, "lengths_cm needs at least one length");
    }
    c.m_leads.push_back(l);
  }
  for (const auto& m : models("sheaths")) {
    SheathModel s;
    std::string where = ident(m, "sheaths", s.id, s.name);
    s.curveRadiusMm = sourced<double>(m, "curve_radius_mm", origin, where);
    s.shape = sourced<std::string>(m, "shape", origin, where);
    if (!(s.curveRadiusMm.value >= 1.0 && s.curveRadiusMm.value <= 100.0)) {
      fail(origin, where, "curve_radius_mm must lie between 1 and 100 mm");
    }
    c.m_sheaths.push_back(s);
  }
  for (const auto& m : models("needles")) {
    NeedleModel n;
    std::string where = ident(m, "needles", n.id, n.name);
    n.gauge = sourced<int>(m, "gauge", origin, where);
    n.lengthMm = sourced<double>(m, "length_mm", origin, where);
    n.maxEntryAngleDegrees = sourced<double>(m, "max_entry_angle_deg", origin, where);
    n.outerDiameterMm = sourced<double>(m, "outer_diameter_mm", origin, where);
    if (!(n.outerDiameterMm.value > 0.2 && n.outerDiameterMm.value < 6.0)) {
      fail(origin, where, "outer_diameter_mm must lie between 0.2 and 6 mm");
    }
    positive(n.lengthMm.value, origin, where, "length_mm");
    c.m_needles.push_back(n);
  }
  for (const auto& m : models("generators")) {
    GeneratorModel g;
    std::string where = ident(m, "generators", g.id, g.name);
    g.ports = sourced<int>(m, "ports", origin, where);
    g.sizeMm = sourced<std::vector<double>>(m, "size_mm", origin, where);
    if (g.sizeMm.value.size() != 3) {
      fail(origin, where, "size_mm needs length, width and thickness");
    }
    c.m_generators.push_back(g);
  }
  for (const auto& m : models("extensions")) {
    ExtensionModel e;
    std::string where = ident(m, "extensions", e.id, e.name);
    e.lengthsCm = sourced<std::vector<double>>(m, "lengths_cm", origin, where);
    c.m_extensions.push_back(e);
  }
  return c;
}

DeviceCatalog DeviceCatalog::builtIn()
{
  std::string_view text = embeddedAsset("devices/catalog.json");
  if (text.empty()) {
    throw Error(ErrorCode::Internal, "built-in device catalog missing");
  }
  return fromJson(text, "assets/devices/catalog.json");
}

DeviceCatalog DeviceCatalog::withUserFolder(const std::filesystem::path& folder)
{
  DeviceCatalog c = builtIn();
  std::error_code ec;
  if (folder.empty() || !std::filesystem::is_directory(folder, ec)) {
    return c;
  }
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(folder, ec)) {
    if (e.path().extension() == ".json") {
      files.push_back(e.path());
    }
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    if (!in) {
      throw Error(ErrorCode::Io, "cannot read device catalog " + f.string());
    }
    std::stringstream ss;
    ss << in.rdbuf();
    c.merge(fromJson(ss.str(), f.string()));
  }
  return c;
}

void DeviceCatalog::merge(const DeviceCatalog& other)
{
  mergeById(m_leads, other.m_leads);
  mergeById(m_sheaths, other.m_sheaths);
  mergeById(m_needles, other.m_needles);
  mergeById(m_generators, other.m_generators);
  mergeById(m_extensions, other.m_extensions);
}

const LeadModel* DeviceCatalog::lead(const std::string& id) const
{
  auto it = std::find_if(m_leads.begin(), m_leads.end(), [&](const LeadModel& l) { return l.id == id; });
  return it == m_leads.end() ? nullptr : &*it;
}

const SheathModel* DeviceCatalog::sheath(const std::string& id) const
{
  auto it =
    std::find_if(m_sheaths.begin(), m_sheaths.end(), [&](const SheathModel& m) { return m.id == id; });
  return it == m_sheaths.end() ? nullptr : &*it;
}

const NeedleModel* DeviceCatalog::needle(const std::string& id) const
{
  auto it =
    std::find_if(m_needles.begin(), m_needles.end(), [&](const NeedleModel& m) { return m.id == id; });
  return it == m_needles.end() ? nullptr : &*it;
}

const GeneratorModel* DeviceCatalog::generator(const std::string& id) const
{
  auto it = std::find_if(m_generators.begin(), m_generators.end(),
                         [&](const GeneratorModel& m) { return m.id == id; });
  return it == m_generators.end() ? nullptr : &*it;
}

std::size_t DeviceCatalog::unverifiedCount() const
{
  std::size_t n = 0;
  for (const auto& l : m_leads) {
    n += unverified(l.contactCount) + unverified(l.contactLengthMm) + unverified(l.contactSpacingMm) +
         unverified(l.diameterMm) + unverified(l.tipLengthMm) + unverified(l.lengthsCm);
  }
  for (const auto& s : m_sheaths) {
    n += unverified(s.curveRadiusMm) + unverified(s.shape);
  }
  for (const auto& x : m_needles) {
    n += unverified(x.gauge) + unverified(x.lengthMm) + unverified(x.maxEntryAngleDegrees) +
         unverified(x.outerDiameterMm);
  }
  for (const auto& g : m_generators) {
    n += unverified(g.ports) + unverified(g.sizeMm);
  }
  for (const auto& e : m_extensions) {
    n += unverified(e.lengthsCm);
  }
  return n;
}

} // namespace drg::planning
