#include "drg/imaging/DicomDocumentWriter.h"

#include "drg/imaging/AtomicOutput.h"
#include "drg/imaging/DerivedUid.h"
#include "drg/imaging/Error.h"

#include <dcmtk/dcmdata/dctk.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <sstream>

namespace drg::imaging
{
namespace
{

std::string text(DcmDataset& d, const DcmTagKey& tag)
{
  OFString v;
  return d.findAndGetOFStringArray(tag, v).good() ? std::string(v.c_str()) : std::string();
}

void put(DcmDataset& d, const DcmTagKey& tag, const std::string& value)
{
  if (d.putAndInsertString(tag, value.c_str()).bad()) {
    throw Error(ErrorCode::Internal, "cannot set a DICOM attribute of the report object");
  }
}

} // namespace

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

void writeEncapsulatedPdf(const std::string& pdf, const std::filesystem::path& sourceImage,
                          const std::filesystem::path& out, const DicomDocumentOptions& o)
{
  DcmFileFormat source;
  if (source.loadFile(sourceImage.c_str(), EXS_Unknown, EGL_noChange, 4096, ERM_autoDetect).bad()) {
    throw Error(ErrorCode::Format, sourceImage.string() + " is not a readable DICOM file");
  }
  DcmDataset& s = *source.getDataset();
  const std::string sourceClass = text(s, DCM_SOPClassUID), sourceInstance = text(s, DCM_SOPInstanceUID);
  if (sourceClass.empty() || sourceInstance.empty() || text(s, DCM_StudyInstanceUID).empty()) {
    throw Error(ErrorCode::Format, sourceImage.string() + " has no SOP class, instance or study UID");
  }
  auto uid = [&](const std::string& original) {
    return o.deidentify ? derivedUid("drgplan de-identified|" + original) : original;
  };
  const auto now = std::chrono::system_clock::now();
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char date[16], time[16];
  std::strftime(date, sizeof date, "%Y%m%d", &tm);
  std::strftime(time, sizeof time, "%H%M%S", &tm);
  const std::string key = sourceInstance + "|" + std::to_string(pdf.size()) + "|" + date + time + "|" +
                          std::to_string(std::hash<std::string>{}(pdf));

  DcmFileFormat file;
  DcmDataset& d = *file.getDataset();
  // the source's character set: its names are copied as they are encoded (ours are plain ASCII)
  if (const std::string charset = text(s, DCM_SpecificCharacterSet); !charset.empty()) {
    put(d, DCM_SpecificCharacterSet, charset);
  }
  put(d, DCM_SOPClassUID, UID_EncapsulatedPDFStorage);
  put(d, DCM_SOPInstanceUID, derivedUid("drgplan report instance|" + key));
  // patient and study: the planned images' (or none, de-identified)
  if (o.deidentify) {
    put(d, DCM_PatientName, o.pseudonym);
    put(d, DCM_PatientID, o.pseudonym);
    put(d, DCM_PatientBirthDate, "");
    put(d, DCM_PatientSex, "");
    put(d, DCM_StudyDate, "");
    put(d, DCM_StudyTime, "");
    put(d, DCM_AccessionNumber, "");
    put(d, DCM_ReferringPhysicianName, "");
    put(d, DCM_StudyID, "");
    put(d, DCM_PatientIdentityRemoved, "YES");
    put(d, DCM_DeidentificationMethod,
        "drgplan: PS3.15 basic profile (identity replaced by a pseudonym, "
        "dates removed, UIDs remapped)");
  } else {
    for (const DcmTagKey& tag :
         { DCM_PatientName, DCM_PatientID, DCM_PatientBirthDate, DCM_PatientSex, DCM_StudyDate, DCM_StudyTime,
           DCM_AccessionNumber, DCM_ReferringPhysicianName, DCM_StudyID, DCM_StudyDescription }) {
      put(d, tag, text(s, tag));
    }
  }
  put(d, DCM_StudyInstanceUID, uid(text(s, DCM_StudyInstanceUID)));
  // the document's own series
  put(d, DCM_Modality, "DOC");
  put(d, DCM_SeriesInstanceUID, derivedUid("drgplan report series|" + key));
  put(d, DCM_SeriesNumber, std::to_string(o.seriesNumber));
  put(d, DCM_SeriesDescription, o.seriesDescription);
  put(d, DCM_Manufacturer, "drgplan");
  put(d, DCM_ConversionType, "SYN");
  put(d, DCM_InstanceNumber, "1");
  put(d, DCM_ContentDate, o.deidentify ? "" : date);
  put(d, DCM_ContentTime, o.deidentify ? "" : time);
  put(d, DCM_AcquisitionDateTime, o.deidentify ? "" : std::string(date) + time);
  put(d, DCM_BurnedInAnnotation, o.deidentify ? "NO" : "YES");
  put(d, DCM_DocumentTitle, o.title);
  d.insertEmptyElement(DCM_ConceptNameCodeSequence);
  put(d, DCM_MIMETypeOfEncapsulatedDocument, "application/pdf");
  // the image it was planned on
  DcmItem* ref = nullptr;
  if (d.findOrCreateSequenceItem(DCM_SourceInstanceSequence, ref, -2).good() && ref != nullptr) {
    ref->putAndInsertString(DCM_ReferencedSOPClassUID, sourceClass.c_str());
    ref->putAndInsertString(DCM_ReferencedSOPInstanceUID, uid(sourceInstance).c_str());
  }
  // the PDF, padded to even length as DICOM requires
  std::string bytes = pdf;
  if (bytes.size() % 2 != 0) {
    bytes.push_back('\0');
  }
  d.putAndInsertUint8Array(DCM_EncapsulatedDocument, reinterpret_cast<const Uint8*>(bytes.data()),
                           static_cast<unsigned long>(bytes.size()));
  d.putAndInsertUint32(DCM_EncapsulatedDocumentLength, static_cast<Uint32>(pdf.size()));
  // to a temporary file, then into place
  const std::filesystem::path staged = temporarySibling(out);
  if (file.saveFile(staged.c_str(), EXS_LittleEndianExplicit).bad()) {
    std::error_code ec;
    std::filesystem::remove(staged, ec);
    throw Error(ErrorCode::Io, "cannot write " + out.string());
  }
  commitStaged(staged, out);
}

} // namespace drg::imaging
