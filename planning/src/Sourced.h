#pragma once
// Internal: reading {"value", "source", "verified"} fields of the device catalog and the planning
// rules, with errors that name the file, the model and the field.

#include "drg/imaging/Error.h"
#include "drg/planning/DeviceCatalog.h"

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

namespace drg::planning
{

std::string_view embeddedAsset(std::string_view name); // generated from assets/

namespace detail
{

[[noreturn]] inline void fail(const std::string& origin, const std::string& where, const std::string& what)
{
  throw Error(ErrorCode::Format, origin + ": " + where + ": " + what);
}

/// `text` parsed as a JSON object whose "format" is `format`; throws drg::Error(Format) naming
/// `origin` and what the document should have been (`what`, e.g. "drgplan planning rules").
inline nlohmann::json formattedDocument(std::string_view text, const std::string& origin,
                                        const std::string& format, const std::string& what)
{
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw Error(ErrorCode::Format, origin + ": not valid JSON: " + e.what());
  }
  if (!j.is_object() || j.value("format", "") != format) {
    throw Error(ErrorCode::Format, origin + ": not " + what + " (\"format\": \"" + format + "\")");
  }
  return j;
}

template<typename T>
SourcedValue<T> sourced(const nlohmann::json& model, const char* field, const std::string& origin,
                        const std::string& where)
{
  if (!model.contains(field)) {
    fail(origin, where, std::string("missing field '") + field + "'");
  }
  const nlohmann::json& f = model.at(field);
  if (!f.is_object() || !f.contains("value")) {
    fail(origin, where,
         std::string("field '") + field + "' must be an object with value, source and verified");
  }
  SourcedValue<T> v;
  try {
    v.value = f.at("value").get<T>();
  } catch (const nlohmann::json::exception&) {
    fail(origin, where, std::string("field '") + field + "' has a value of the wrong type");
  }
  v.source = f.value("source", "");
  v.verified = f.value("verified", false);
  if (v.source.empty()) {
    fail(origin, where, std::string("field '") + field + "' has no source");
  }
  return v;
}

inline void positive(double v, const std::string& origin, const std::string& where, const char* field)
{
  if (!(v > 0.0)) {
    fail(origin, where, std::string(field) + " must be positive");
  }
}

} // namespace detail
} // namespace drg::planning
