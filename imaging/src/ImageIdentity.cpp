// Image identity: the patient as a keyed hash (HMAC-SHA-256 with the product's key: a plan file
// carries no patient ID in clear, yet two plans of one patient compare equal), the grid as text and
// a fingerprint of the voxel values for images without DICOM identity.
#include "drg/imaging/ImageIdentity.h"

#include "drg/imaging/Error.h"

#include <openssl/evp.h>

#include <array>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <sstream>
#include <vector>

namespace drg::imaging
{
namespace
{

/// The key of the patient hash. It keeps the patient's ID out of plan files read by eye; it is no
/// secret (it ships with the product), so the hash is a pseudonym, not an anonymisation.
constexpr char kPatientKey[] = "drgplan patient identity v1";

std::string hex(const unsigned char* bytes, std::size_t n)
{
  static const char* digits = "0123456789abcdef";
  std::string s;
  for (std::size_t i = 0; i < n; ++i) {
    s += digits[bytes[i] >> 4];
    s += digits[bytes[i] & 15];
  }
  return s;
}

std::string trimmed(const std::string& s)
{
  std::size_t a = 0, b = s.size();
  while (a < b && std::isspace(static_cast<unsigned char>(s[a]))) {
    ++a;
  }
  while (b > a && std::isspace(static_cast<unsigned char>(s[b - 1]))) {
    --b;
  }
  return s.substr(a, b - a);
}

/// A number rounded to 1e-4 (mm, or a direction cosine): what a NIfTI or DICOM round trip keeps.
std::string rounded(double v)
{
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4f", std::abs(v) < 5e-5 ? 0.0 : v);
  return buf;
}

/// A DICOM person name as one patient writes it however it was typed: its alphabetic group only
/// (before any '='), each component trimmed and upper case, empty trailing components dropped.
std::string normalisedName(const std::string& name)
{
  std::vector<std::string> parts{ std::string() };
  for (char c : name.substr(0, name.find('='))) {
    if (c == '^') {
      parts.emplace_back();
    } else {
      parts.back() += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
  }
  for (auto& p : parts) {
    p = trimmed(p);
  }
  while (!parts.empty() && parts.back().empty()) {
    parts.pop_back();
  }
  std::string joined;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    joined += (i > 0 ? "^" : "") + parts[i];
  }
  return joined;
}

} // namespace

std::string patientIdentityKey(const std::string& id, const std::string& name, const std::string& birthDate)
{
  const std::string i = trimmed(id), n = normalisedName(name), b = trimmed(birthDate);
  if (i.empty() && n.empty() && b.empty()) {
    return {};
  }
  const std::string message = i + '\x1f' + n + '\x1f' + b;
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  std::size_t length = 0;
  if (EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, kPatientKey, std::strlen(kPatientKey),
                reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac.data(),
                mac.size(), &length) == nullptr) {
    // (an empty key would make the patient "unknown": never that silently)
    throw Error(ErrorCode::Internal, "the patient's identity could not be hashed (OpenSSL HMAC-SHA-256)");
  }
  return hex(mac.data(), length);
}

std::string patientLabelOf(const std::string& name, const std::string& birthDate)
{
  // DICOM person name: family^given^middle^prefix^suffix
  std::vector<std::string> parts;
  std::string part;
  for (char c : trimmed(name)) {
    if (c == '^' || c == '=') {
      parts.push_back(trimmed(part));
      part.clear();
      if (c == '=') {
        break; // (ideographic and phonetic forms follow)
      }
    } else {
      part += c;
    }
  }
  parts.push_back(trimmed(part));
  std::string initials;
  for (std::size_t i : { std::size_t{ 1 }, std::size_t{ 2 }, std::size_t{ 0 } }) {
    if (i < parts.size() && !parts[i].empty()) {
      initials += static_cast<char>(std::toupper(static_cast<unsigned char>(parts[i][0])));
      initials += '.';
    }
  }
  if (initials.empty()) {
    return {};
  }
  const std::string b = trimmed(birthDate);
  return b.size() >= 4 ? initials + ", born " + b.substr(0, 4) : initials;
}

std::string volumeGeometryText(const ImageGeometry& g)
{
  std::ostringstream s;
  s << g.size[0] << "x" << g.size[1] << "x" << g.size[2] << " spacing " << rounded(g.spacing.x()) << ","
    << rounded(g.spacing.y()) << "," << rounded(g.spacing.z()) << " origin " << rounded(g.origin.x()) << ","
    << rounded(g.origin.y()) << "," << rounded(g.origin.z()) << " direction";
  for (int c = 0; c < 3; ++c) {
    for (int r = 0; r < 3; ++r) {
      s << (c + r == 0 ? " " : ",") << rounded(g.direction(r, c));
    }
  }
  return s.str();
}

std::string volumeFingerprint(const Image<float>& volume)
{
  // four interleaved multiply-xorshift lanes over the values' bits (NaN as one pattern), mixed with
  // the grid's text: a volume opened costs a fraction of its reading (BM_VolumeFingerprint512)
  const auto& v = volume.voxels();
  std::array<std::uint64_t, 4> lane{ 0x9E3779B97F4A7C15ull, 0xC2B2AE3D27D4EB4Full, 0x165667B19E3779F9ull,
                                     0x27D4EB2F165667C5ull };
  auto bits = [](float f) {
    std::uint32_t u;
    if (std::isnan(f)) {
      f = std::numeric_limits<float>::quiet_NaN();
    }
    std::memcpy(&u, &f, sizeof u);
    return static_cast<std::uint64_t>(u);
  };
  auto mix = [](std::uint64_t h, std::uint64_t x) {
    h ^= x + 0x9E3779B97F4A7C15ull + (h << 6) + (h >> 2);
    h *= 0xFF51AFD7ED558CCDull;
    return h ^ (h >> 32);
  };
  const std::size_t n = v.size();
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    for (std::size_t l = 0; l < 4; ++l) {
      lane[l] = mix(lane[l], bits(v[i + 2 * l]) | (bits(v[i + 2 * l + 1]) << 32));
    }
  }
  for (; i < n; ++i) {
    lane[0] = mix(lane[0], bits(v[i]));
  }
  std::uint64_t h = n;
  for (std::uint64_t l : lane) {
    h = mix(h, l);
  }
  for (unsigned char c : volumeGeometryText(volume.geometry())) {
    h = mix(h, c);
  }
  char buf[24];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

ImageIdentity volumeIdentity(const Image<float>& volume, const std::string& source)
{
  ImageIdentity id;
  id.geometry = volumeGeometryText(volume.geometry());
  id.fingerprint = volumeFingerprint(volume);
  id.source = source;
  return id;
}

void setDicomPatient(ImageIdentity& images, const std::string& id, const std::string& name,
                     const std::string& birthDate)
{
  images.patientKey = patientIdentityKey(id, name, birthDate);
  images.patientLabel = patientLabelOf(name, birthDate);
}

ImageIdentity dicomImageIdentity(const DicomScan& scan, const std::string& seriesUid,
                                 const Image<float>& volume, const std::string& source)
{
  ImageIdentity id = volumeIdentity(volume, source);
  const DicomScan::Place at = scan.findSeries(seriesUid);
  if (at.series == nullptr) {
    return id;
  }
  setDicomPatient(id, at.patient->id, at.patient->name, at.patient->birthDate);
  id.studyUid = at.study->studyUid;
  id.studyDate = at.study->date;
  id.studyDescription = at.study->description;
  id.modality = at.series->modality;
  id.seriesUid = at.series->seriesUid;
  id.seriesDescription = at.series->description;
  id.frameOfReferenceUid = at.series->frameOfReferenceUid;
  return id;
}

std::string describeImages(const ImageIdentity& images)
{
  // "512x512x400 spacing ..." -> "512 x 512 x 400 voxels"
  std::string size = images.geometry.substr(0, images.geometry.find(' '));
  for (std::size_t at = size.find('x'); at != std::string::npos; at = size.find('x', at + 3)) {
    size.replace(at, 1, " x ");
  }
  const std::string voxels = size.empty() ? std::string() : ", " + size + " voxels";
  std::string s;
  if (!images.seriesUid.empty() || !images.modality.empty()) {
    s = (images.modality.empty() ? std::string("DICOM") : images.modality) + " series";
    if (!images.seriesDescription.empty()) {
      s += " '" + images.seriesDescription + "'";
    }
    if (!images.studyDate.empty()) {
      const std::string& d = images.studyDate;
      s += " of " + (d.size() == 8 ? d.substr(0, 4) + "-" + d.substr(4, 2) + "-" + d.substr(6, 2) : d);
    }
    s += voxels + (images.patientLabel.empty() ? ", patient not named" : ", patient " + images.patientLabel);
  } else {
    s = "a volume without DICOM identity" + voxels;
  }
  if (!images.source.empty()) {
    s += " (" + images.source + ")";
  }
  return s;
}

} // namespace drg::imaging
