#pragma once
// DICOM objects drgplan files next to the planned images, each in a new series of the planned study
// and referring to the planned series: the placement report as an Encapsulated PDF, the plan as a
// Comprehensive 3D SR (targets and paths as 3D coordinates in the images' frame of reference) and the
// vertebra label map as a DICOM Segmentation with SNOMED CT codes.

#include "drg/imaging/Image.h"

#include <Eigen/Core>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

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
  int seriesNumber = 9901; ///< the SR and SEG writers use their own numbers unless set
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

/// A coded concept (Code Value, Coding Scheme Designator, Code Meaning). drgplan's own concepts use
/// the private scheme "99DRGPLAN".
struct DicomCode
{
  std::string value;
  std::string scheme;
  std::string meaning;
};

/// One content item of the plan's structured report.
struct SrItem
{
  enum class Kind
  {
    Text,       ///< `text`
    Point,      ///< SCOORD3D POINT: points[0]
    Polyline,   ///< SCOORD3D POLYLINE: points (at least 2)
    Multipoint, ///< SCOORD3D MULTIPOINT: points
    Number      ///< NUM: `value` in UCUM `unit` (`unitMeaning` for the code meaning)
  };
  Kind kind = Kind::Text;
  DicomCode concept;
  std::string text;
  std::vector<Eigen::Vector3d> points; ///< LPS mm, the planned images' frame of reference
  double value = 0.0;
  std::string unit, unitMeaning;
};

/// A group of items under one CONTAINER (a lead, the pocket).
struct SrGroup
{
  DicomCode concept;
  std::vector<SrItem> items;
};

/// The content tree of the plan's Comprehensive 3D SR: a root CONTAINER titled `title`, the observer
/// (when named), `items` and one CONTAINER per group.
struct SrContent
{
  DicomCode title;
  std::string observer; ///< Person Observer Name (the planner), may be empty
  std::vector<SrItem> items;
  std::vector<SrGroup> groups;
};

/// Writes `content` as a Comprehensive 3D SR into `out` (atomically): patient and study from
/// `sourceImage` (as writeEncapsulatedPdf), every SCOORD3D in the source's frame of reference, the
/// source image in the Current Requested Procedure Evidence and as an IMAGE item, verification flag
/// UNVERIFIED (a plan to be verified intra-operatively). Throws drg::Error(Format) when the source has
/// no frame of reference or an item is malformed, drg::Error(Io) when `out` cannot be written.
void writePlanSr(const SrContent& content, const std::filesystem::path& sourceImage,
                 const std::filesystem::path& out, DicomDocumentOptions options = {});

/// Writes the vertebrae of `labels` (the spine model's label map, on the planned images' grid) as a
/// binary DICOM Segmentation into `out` (atomically): one segment per vertebra present, labelled with
/// its level name and coded with SNOMED CT (category "Anatomical Structure", type the vertebra, or
/// "Vertebra" for L6/T13; the sacrum for S1 and the sacrum), display colour as in the viewer; one frame
/// per segment and slice it touches, with its position, and the source image of that slice referenced
/// (Derivation Image) when `sourceFiles` (the planned series' single-frame files) hold that slice.
/// Patient, study and frame of reference from `sourceFiles.front()`. Other labels (canal, skin) are not
/// written. Returns the number of segments. Throws drg::Error(InvalidArgument) when no vertebra is
/// labelled or the grid is too large for a SEG frame, drg::Error(Format) for an unreadable source.
int writeVertebraSegmentation(const Image<std::uint8_t>& labels,
                              const std::vector<std::filesystem::path>& sourceFiles,
                              const std::filesystem::path& out, DicomDocumentOptions options = {});

/// Reads a DICOM Segmentation written by writeVertebraSegmentation (or any binary SEG whose segment
/// labels are level names) back into a label map on `geometry`: each frame's pixels get the label of
/// its segment's level, at the slice its position falls on. Throws drg::Error(Format) when the file is
/// not a binary SEG, its frames do not lie on `geometry`'s slices or a segment is not a level name.
Image<std::uint8_t> readVertebraSegmentation(const std::filesystem::path& file,
                                             const ImageGeometry& geometry);

} // namespace drg::imaging
