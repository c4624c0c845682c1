#pragma once
// What the DICOM objects drgplan writes (Encapsulated PDF, SR, SEG) share: the planned image they are
// derived from, the patient and study copied from it (or replaced, de-identified), UIDs and saving.

#include "dicom/DicomCommon.h"

#include "drg/imaging/DicomDocumentWriter.h"

#include <dcmtk/dcmdata/dctk.h>

#include <filesystem>
#include <memory>
#include <string>

namespace drg::imaging
{

using dicom::text; ///< value of a tag, empty when absent

/// Throws drg::Error(Format) "cannot write <object>: <what> (DCMTK's reason)" when `status` is bad.
void require(OFCondition status, const std::string& object, const std::string& what);

/// Sets `tag`; throws drg::Error(Internal) when DCMTK refuses the value.
void put(DcmItem& d, const DcmTagKey& tag, const std::string& value);

/// A DICOM file of the planned series, read up to its pixel data. Throws drg::Error(Format) when it is
/// not DICOM or has no SOP class, instance or study UID.
struct DocumentSource
{
  explicit DocumentSource(const std::filesystem::path& path);
  DcmDataset& dataset() { return *file->getDataset(); }

  std::unique_ptr<DcmFileFormat> file;
  std::string sopClass, sopInstance, studyUid, seriesUid, frameOfReferenceUid;
};

/// Date and time (UTC) of writing, and a key unique to this object for its derived UIDs.
struct DocumentStamp
{
  DocumentStamp(const std::string& what, const std::string& content);
  std::string date, time, key;
};

/// `original` itself, or (de-identified) a UID derived from it: the same source UID always maps to the
/// same new one, so that the de-identified objects still refer to each other.
std::string mappedUid(const DicomDocumentOptions& o, const std::string& original);

/// Character set, patient and study of the source into `d` (de-identified: the pseudonym, no dates,
/// PS3.15 basic profile attributes removed, Patient Identity Removed YES and the method coded).
void writeIdentity(DcmItem& d, DocumentSource& source, const DicomDocumentOptions& o);

/// Saves `file` (explicit little endian) to a temporary sibling of `out`, then moves it into place.
void saveAtomically(DcmFileFormat& file, const std::filesystem::path& out);

} // namespace drg::imaging
