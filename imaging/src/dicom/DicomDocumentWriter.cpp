#include "drg/imaging/DicomDocumentWriter.h"

#include "dicom/DicomDocumentCommon.h"

#include "drg/imaging/AtomicOutput.h"
#include "drg/imaging/DerivedUid.h"
#include "drg/imaging/Error.h"

#include <dcmtk/dcmdata/dctk.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

namespace drg::imaging
{
void require(OFCondition status, const std::string& object, const std::string& what)
{
  if (status.bad()) {
    throw Error(ErrorCode::Format, "cannot write " + object + ": " + what + " (" + status.text() + ")");
  }
}

void put(DcmItem& d, const DcmTagKey& tag, const std::string& value)
{
  if (d.putAndInsertString(tag, value.c_str()).bad()) {
    throw Error(ErrorCode::Internal,
                "cannot set " + std::string(DcmTag(tag).getTagName()) + " of a DICOM object drgplan writes");
  }
}

std::string reportPseudonym(const std::string& key)
{
  std::uint32_t h = 2166136261u; // FNV-1a
  for (unsigned char c : key) {
    h = (h ^ c) * 16777619u;
  }
  char digits[16];
  std::snprintf(digits, sizeof digits, "%08X", h);
  return std::string("DRG-") + digits;
}

DocumentSource::DocumentSource(const std::filesystem::path& path)
  : file(std::make_unique<DcmFileFormat>())
{
  if (file->loadFile(path.c_str(), EXS_Unknown, EGL_noChange, 4096, ERM_autoDetect).bad()) {
    throw Error(ErrorCode::Format, path.string() + " is not a readable DICOM file");
  }
  DcmDataset& s = dataset();
  sopClass = text(s, DCM_SOPClassUID);
  sopInstance = text(s, DCM_SOPInstanceUID);
  studyUid = text(s, DCM_StudyInstanceUID);
  seriesUid = text(s, DCM_SeriesInstanceUID);
  frameOfReferenceUid = text(s, DCM_FrameOfReferenceUID);
  if (sopClass.empty() || sopInstance.empty() || studyUid.empty()) {
    throw Error(ErrorCode::Format, path.string() + " has no SOP class, instance or study UID");
  }
}

DocumentStamp::DocumentStamp(const std::string& what, const std::string& content)
{
  const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char d[16], h[16];
  std::strftime(d, sizeof d, "%Y%m%d", &tm);
  std::strftime(h, sizeof h, "%H%M%S", &tm);
  date = d;
  time = h;
  // (a random part: two objects written in the same second never share a UID)
  std::random_device random;
  key = what + "|" + std::to_string(content.size()) + "|" + date + time + "|" +
        std::to_string(std::hash<std::string>{}(content)) + "|" + std::to_string(random()) + "-" +
        std::to_string(random());
}

namespace
{

/// This installation's secret for remapping UIDs: without it, anyone holding the original study could
/// recompute the mapping and re-link de-identified objects. Made once (random, 0600) in the
/// configuration folder; the same secret keeps the mapping consistent across drgplan's outputs.
std::string deidentificationSecret()
{
  static const std::string secret = [] {
    const char* xdg = std::getenv("XDG_CONFIG_HOME");
    const char* home = std::getenv("HOME");
    const std::filesystem::path file =
      (xdg != nullptr && *xdg != '\0' ? std::filesystem::path(xdg)
                                      : std::filesystem::path(home != nullptr ? home : ".") / ".config") /
      "drgplan" / "deidentification.key";
    std::ifstream in(file);
    std::string s;
    if (in >> s && s.size() >= 32) {
      return s;
    }
    std::random_device random;
    char hex[65];
    for (int i = 0; i < 8; ++i) {
      std::snprintf(hex + 8 * i, 9, "%08x", static_cast<unsigned>(random()));
    }
    s = hex;
    std::error_code ec;
    std::filesystem::create_directories(file.parent_path(), ec);
    try {
      writeFileAtomically(file, s + "\n");
      std::filesystem::permissions(
        file, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write, ec);
    } catch (const Error&) { // (not writable: the secret holds for this run)
    }
    return s;
  }();
  return secret;
}

} // namespace

std::string mappedUid(const DicomDocumentOptions& o, const std::string& original)
{
  return o.deidentify && !original.empty()
           ? derivedUid("drgplan de-identified|" + deidentificationSecret() + "|" + original)
           : original;
}

void writeIdentity(DcmItem& d, DocumentSource& source, const DicomDocumentOptions& o)
{
  DcmDataset& s = source.dataset();
  // the source's character set: its names are copied as they are encoded (ours are plain ASCII)
  if (const std::string charset = text(s, DCM_SpecificCharacterSet); !charset.empty()) {
    put(d, DCM_SpecificCharacterSet, charset);
  }
  if (o.deidentify) {
    // PS3.15 basic profile: identifiers replaced (name, ID), the rest removed or emptied (dates,
    // accession, physicians, study ID and description); UIDs remapped by the caller (mappedUid)
    put(d, DCM_PatientName, o.pseudonym + "^"); // the pseudonym as the family name
    put(d, DCM_PatientID, o.pseudonym);
    for (const DcmTagKey& tag : { DCM_PatientBirthDate, DCM_PatientSex, DCM_StudyDate, DCM_StudyTime,
                                  DCM_AccessionNumber, DCM_ReferringPhysicianName, DCM_StudyID }) {
      put(d, tag, "");
    }
    for (const DcmTagKey& tag :
         { DCM_StudyDescription, DCM_PatientAge, DCM_PatientSize, DCM_PatientWeight, DCM_IssuerOfPatientID,
           DCM_OtherPatientIDsSequence, DCM_InstitutionName, DCM_InstitutionAddress, DCM_OperatorsName,
           DCM_PerformingPhysicianName, DCM_SeriesDate, DCM_SeriesTime, DCM_InstanceCreationDate,
           DCM_InstanceCreationTime }) {
      std::unique_ptr<DcmElement> removed(d.remove(tag));
    }
    put(d, DCM_PatientIdentityRemoved, "YES");
    put(d, DCM_DeidentificationMethod, "drgplan PS3.15 basic profile: pseudonym, no dates, new UIDs");
    DcmItem* method = nullptr;
    if (d.findOrCreateSequenceItem(DCM_DeidentificationMethodCodeSequence, method, -2).good() &&
        method != nullptr) {
      method->putAndInsertString(DCM_CodeValue, "113100");
      method->putAndInsertString(DCM_CodingSchemeDesignator, "DCM");
      method->putAndInsertString(DCM_CodeMeaning, "Basic Application Confidentiality Profile");
    }
  } else {
    for (const DcmTagKey& tag :
         { DCM_PatientName, DCM_PatientID, DCM_PatientBirthDate, DCM_PatientSex, DCM_StudyDate, DCM_StudyTime,
           DCM_AccessionNumber, DCM_ReferringPhysicianName, DCM_StudyID, DCM_StudyDescription }) {
      put(d, tag, text(s, tag));
    }
  }
  put(d, DCM_StudyInstanceUID, mappedUid(o, source.studyUid));
  put(d, DCM_TimezoneOffsetFromUTC, "+0000"); // (drgplan writes its dates and times in UTC)
}

void saveAtomically(DcmFileFormat& file, const std::filesystem::path& out)
{
  const std::filesystem::path staged = temporarySibling(out);
  if (file.saveFile(staged.c_str(), EXS_LittleEndianExplicit).bad()) {
    std::error_code ec;
    std::filesystem::remove(staged, ec);
    throw Error(ErrorCode::Io, "cannot write " + out.string());
  }
  commitStaged(staged, out);
}

void writeEncapsulatedPdf(const std::string& pdf, const std::filesystem::path& sourceImage,
                          const std::filesystem::path& out, const DicomDocumentOptions& o)
{
  DocumentSource source(sourceImage);
  const DocumentStamp stamp(source.sopInstance, pdf);

  DcmFileFormat file;
  DcmDataset& d = *file.getDataset();
  put(d, DCM_SOPClassUID, UID_EncapsulatedPDFStorage);
  put(d, DCM_SOPInstanceUID, derivedUid("drgplan report instance|" + stamp.key));
  writeIdentity(d, source, o);
  // the document's own series
  put(d, DCM_Modality, "DOC");
  put(d, DCM_SeriesInstanceUID, derivedUid("drgplan report series|" + stamp.key));
  put(d, DCM_SeriesNumber, std::to_string(o.seriesNumber));
  put(d, DCM_SeriesDescription, o.seriesDescription);
  put(d, DCM_Manufacturer, "drgplan");
  put(d, DCM_ConversionType, "SYN");
  put(d, DCM_InstanceNumber, "1");
  put(d, DCM_ContentDate, o.deidentify ? "" : stamp.date);
  put(d, DCM_ContentTime, o.deidentify ? "" : stamp.time);
  put(d, DCM_AcquisitionDateTime, o.deidentify ? "" : stamp.date + stamp.time);
  put(d, DCM_BurnedInAnnotation, o.deidentify ? "NO" : "YES");
  put(d, DCM_DocumentTitle, o.title);
  d.insertEmptyElement(DCM_ConceptNameCodeSequence);
  put(d, DCM_MIMETypeOfEncapsulatedDocument, "application/pdf");
  // the image it was planned on
  DcmItem* ref = nullptr;
  if (d.findOrCreateSequenceItem(DCM_SourceInstanceSequence, ref, -2).good() && ref != nullptr) {
    ref->putAndInsertString(DCM_ReferencedSOPClassUID, source.sopClass.c_str());
    ref->putAndInsertString(DCM_ReferencedSOPInstanceUID, mappedUid(o, source.sopInstance).c_str());
  }
  // the PDF, padded to even length as DICOM requires
  std::string bytes = pdf;
  if (bytes.size() % 2 != 0) {
    bytes.push_back('\0');
  }
  d.putAndInsertUint8Array(DCM_EncapsulatedDocument, reinterpret_cast<const Uint8*>(bytes.data()),
                           static_cast<unsigned long>(bytes.size()));
  d.putAndInsertUint32(DCM_EncapsulatedDocumentLength, static_cast<Uint32>(pdf.size()));
  saveAtomically(file, out);
}

} // namespace drg::imaging
