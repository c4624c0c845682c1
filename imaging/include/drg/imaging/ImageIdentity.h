#pragma once
// Which images these are, for binding a plan to them: the patient (as a keyed hash, never in clear),
// the DICOM study and series, and for every volume, DICOM or not (NIfTI, NRRD, the phantom), its
// grid and a fingerprint of its voxel values.

#include "drg/imaging/DicomSeriesIndex.h"
#include "drg/imaging/Image.h"

#include <string>

namespace drg::imaging
{

struct ImageIdentity
{
  /// HMAC-SHA-256 (hex) of the DICOM patient's ID, name and birth date; empty without a DICOM
  /// patient. Compared, never shown.
  std::string patientKey;
  /// What a person reads to tell the patient: initials and birth year ("J.D., born 1960"), from
  /// DICOM; empty without a DICOM patient.
  std::string patientLabel;
  std::string studyUid, studyDate, studyDescription; ///< DICOM's; empty for a volume file
  std::string modality, seriesUid, seriesDescription, frameOfReferenceUid;
  std::string geometry;    ///< the grid as text (volumeGeometryText)
  std::string fingerprint; ///< the voxel values' fingerprint (volumeFingerprint)
  std::string source;      ///< the path (or "demo phantom") the images were opened from
};

/// The keyed hash of a DICOM patient (ID, name, birth date), hex; empty when all three are empty.
std::string patientIdentityKey(const std::string& id, const std::string& name, const std::string& birthDate);

/// Initials and birth year of a DICOM patient name ("DOE^JOHN", "19600101": "J.D., born 1960"); empty
/// when the name is empty.
std::string patientLabelOf(const std::string& name, const std::string& birthDate);

/// The grid as text: size, spacing, origin and direction, rounded to what a re-import keeps.
std::string volumeGeometryText(const ImageGeometry& geometry);

/// A 64-bit fingerprint (16 hex digits) of the voxel values and the grid: the same volume read again
/// gives the same; any other differs, all but certainly.
std::string volumeFingerprint(const Image<float>& volume);

/// The identity of `volume` without DICOM's (a volume file, the phantom): grid and fingerprint.
ImageIdentity volumeIdentity(const Image<float>& volume, const std::string& source);

/// Sets the patient's key and label from DICOM's patient ID, name and birth date.
void setDicomPatient(ImageIdentity& images, const std::string& id, const std::string& name,
                     const std::string& birthDate);

/// The identity of `volume` loaded from the series `seriesUid` of `scan`: grid and fingerprint, and
/// the patient (keyed), study and series as the scan found them.
ImageIdentity dicomImageIdentity(const DicomScan& scan, const std::string& seriesUid,
                                 const Image<float>& volume, const std::string& source);

/// The images in words, for a person choosing between two: "CT 'Lumbar 3 mm' of 2025-03-02, patient
/// J.D., born 1960 (/data/ct)" or "a volume file, 512 x 512 x 400 voxels (/data/ct.nii.gz)".
std::string describeImages(const ImageIdentity& images);

} // namespace drg::imaging
