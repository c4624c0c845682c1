#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace drg::planning
{

/// A device number with where it came from. Seed values are unverified against the makers'
/// instructions for use (docs/domain.md); the UI and the report show the flag next to every value
/// that is not verified.
template<typename T>
struct SourcedValue
{
  T value{};
  std::string source;
  bool verified = false;
};

/// A DRG lead: ring contacts from the tip, spacing as a list so unequal spacing works (mm).
struct LeadModel
{
  std::string id;
  std::string name;
  SourcedValue<int> contactCount;
  SourcedValue<double> contactLengthMm;
  SourcedValue<std::vector<double>> contactSpacingMm; ///< centre-to-centre, contactCount - 1 values
  SourcedValue<double> diameterMm;
  SourcedValue<double> tipLengthMm; ///< from the tip to the distal edge of the first contact
  SourcedValue<std::vector<double>> lengthsCm;

  /// Distance (mm) from the lead tip to each contact's centre, distal first.
  std::vector<double> contactCentresFromTipMm() const;
};

struct SheathModel
{
  std::string id;
  std::string name;
  SourcedValue<double> curveRadiusMm;
  SourcedValue<std::string> shape; ///< the curve option as the maker describes it
};

struct NeedleModel
{
  std::string id;
  std::string name;
  SourcedValue<int> gauge;
  SourcedValue<double> lengthMm;
  SourcedValue<double> maxEntryAngleDegrees;
  SourcedValue<double> outerDiameterMm;
};

struct GeneratorModel
{
  std::string id;
  std::string name;
  SourcedValue<int> ports;
  SourcedValue<std::vector<double>> sizeMm; ///< length, width, thickness
};

struct ExtensionModel
{
  std::string id;
  std::string name;
  SourcedValue<std::vector<double>> lengthsCm;
};

/// The devices a plan can use, read from JSON (assets/devices/catalog.json is built in; users add or
/// replace models with their own files, no rebuild needed). Models with the same id replace earlier
/// ones, so a verified user entry overrides a seed value.
class DeviceCatalog
{
public:
  /// Parses one catalog file's text; `origin` names it in error messages. Throws drg::Error(Format)
  /// naming the model and field that is missing or out of range.
  static DeviceCatalog fromJson(std::string_view text, const std::string& origin);

  /// The catalog compiled in from assets/devices/catalog.json.
  static DeviceCatalog builtIn();

  /// The built-in catalog plus every *.json file in `folder` (sorted by name), when it exists.
  static DeviceCatalog withUserFolder(const std::filesystem::path& folder);

  /// Adds the models of `other`, replacing models with the same id.
  void merge(const DeviceCatalog& other);

  const std::vector<LeadModel>& leads() const { return m_leads; }
  const std::vector<SheathModel>& sheaths() const { return m_sheaths; }
  const std::vector<NeedleModel>& needles() const { return m_needles; }
  const std::vector<GeneratorModel>& generators() const { return m_generators; }
  const std::vector<ExtensionModel>& extensions() const { return m_extensions; }

  const LeadModel* lead(const std::string& id) const;
  const SheathModel* sheath(const std::string& id) const;
  const NeedleModel* needle(const std::string& id) const;
  const GeneratorModel* generator(const std::string& id) const;

  /// Number of values in the catalog not verified against a maker's document.
  std::size_t unverifiedCount() const;

private:
  std::vector<LeadModel> m_leads;
  std::vector<SheathModel> m_sheaths;
  std::vector<NeedleModel> m_needles;
  std::vector<GeneratorModel> m_generators;
  std::vector<ExtensionModel> m_extensions;
};

} // namespace drg::planning
