#pragma once
// DICOM objects drgplan files next to the planned images: the placement report as an Encapsulated
// PDF, in a new series of the planned study.

#include <filesystem>
#include <string>

namespace drg::imaging
{

/// The pseudonym a de-identified output shows instead of the patient: "DRG-" and 8 hex digits of a
/// hash of `key` (patient ID and study UID; the images' path when there is none), the same for the same
/// patient and study from the CLI and the workstation, so that a team can match its reports. A label,
/// not a secret: the identity is not in the output.
std::string reportPseudonym(const std::string& key);

struct DicomDocumentOptions
{
  std::string title = "DRG stimulation placement plan";
  std::string seriesDescription = "drgplan placement report";
  int seriesNumber = 9901;
  /// No patient identity: name and ID become `pseudonym`, birth date, sex, accession and referring
  /// physician are emptied, dates removed, and every UID taken from the source is replaced by one
  /// derived from it (the same source UID always maps to the same new UID).
  bool deidentify = false;
  std::string pseudonym;
};

/// Writes `pdf` (the file's bytes) as an Encapsulated PDF Storage object into `out` (atomically):
/// patient and study taken from `sourceImage` (a DICOM file of the planned series, read up to its
/// pixel data), a new series and instance, the source image referenced. Throws drg::Error(Format)
/// when `sourceImage` is not a readable DICOM image, drg::Error(Io) when `out` cannot be written.
void writeEncapsulatedPdf(const std::string& pdf, const std::filesystem::path& sourceImage,
                          const std::filesystem::path& out, const DicomDocumentOptions& options = {});

} // namespace drg::imaging
