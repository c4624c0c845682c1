// The plan as a DICOM Comprehensive 3D SR (DCMTK dcmsr).
#include "dicom/DicomDocumentCommon.h"

#include "drg/imaging/DerivedUid.h"
#include "drg/imaging/Error.h"

#include <dcmtk/dcmsr/dsrdoc.h>
#include <dcmtk/dcmsr/dsrimgvl.h>
#include <dcmtk/dcmsr/dsrnumvl.h>
#include <dcmtk/dcmsr/dsrsc3vl.h>

#include <cmath>
#include <cstdio>

namespace drg::imaging
{
namespace
{

DSRCodedEntryValue coded(const DicomCode& c)
{
  return DSRCodedEntryValue(c.value.c_str(), c.scheme.c_str(), c.meaning.c_str());
}

void check(OFCondition status, const std::string& what)
{
  require(status, "the plan's structured report", what);
}

std::string decimal(double v)
{
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.2f", v);
  return buffer;
}

/// Adds `item` after the current node (or below it when `below`), leaving the cursor on it.
void addItem(DSRDocumentTree& tree, const SrItem& item, const std::string& frameOfReference, bool below)
{
  const auto mode = below ? DSRTypes::AM_belowCurrent : DSRTypes::AM_afterCurrent;
  const std::string name = item.concept.meaning;
  auto scoord = [&](DSRTypes::E_GraphicType3D type, std::size_t minimum) {
    if (item.points.size() < minimum) {
      throw Error(ErrorCode::Format, "the structured report's item '" + name + "' has too few points");
    }
    for (const Eigen::Vector3d& p : item.points) {
      if (!p.allFinite()) {
        throw Error(ErrorCode::Format,
                    "the structured report's item '" + name + "' has a point off the grid");
      }
    }
    if (tree.addContentItem(DSRTypes::RT_contains, DSRTypes::VT_SCoord3D, mode) == 0) {
      throw Error(ErrorCode::Format, "cannot add '" + name + "' to the structured report");
    }
    DSRSpatialCoordinates3DValue value(type);
    for (const Eigen::Vector3d& p : item.points) {
      value.getGraphicDataList().addItem(static_cast<Float32>(p.x()), static_cast<Float32>(p.y()),
                                         static_cast<Float32>(p.z()));
    }
    check(value.setFrameOfReferenceUID(frameOfReference.c_str()), "frame of reference of '" + name + "'");
    check(tree.getCurrentContentItem().setSpatialCoordinates3D(value), name);
  };
  switch (item.kind) {
    case SrItem::Kind::Text:
      if (tree.addContentItem(DSRTypes::RT_contains, DSRTypes::VT_Text, mode) == 0) {
        throw Error(ErrorCode::Format, "cannot add '" + name + "' to the structured report");
      }
      check(tree.getCurrentContentItem().setStringValue(item.text.c_str()), name);
      break;
    case SrItem::Kind::Point:
      scoord(DSRTypes::GT3_Point, 1);
      break;
    case SrItem::Kind::Polyline:
      scoord(DSRTypes::GT3_Polyline, 2);
      break;
    case SrItem::Kind::Multipoint:
      scoord(DSRTypes::GT3_Multipoint, 1);
      break;
    case SrItem::Kind::Number: {
      if (!std::isfinite(item.value)) {
        throw Error(ErrorCode::Format, "the structured report's value '" + name + "' is not a number");
      }
      if (tree.addContentItem(DSRTypes::RT_contains, DSRTypes::VT_Num, mode) == 0) {
        throw Error(ErrorCode::Format, "cannot add '" + name + "' to the structured report");
      }
      const DSRNumericMeasurementValue value(
        decimal(item.value).c_str(),
        DSRCodedEntryValue(item.unit.c_str(), "UCUM",
                           (item.unitMeaning.empty() ? item.unit : item.unitMeaning).c_str()));
      check(tree.getCurrentContentItem().setNumericValue(value), name);
      break;
    }
  }
  check(tree.getCurrentContentItem().setConceptName(coded(item.concept)), "concept of '" + name + "'");
}

/// A free-text name ("Ada Planner") as a DICOM person name (family^given: "Planner^Ada"); a name that
/// already has components is kept.
std::string personName(const std::string& name)
{
  if (name.find('^') != std::string::npos) {
    return name;
  }
  const std::size_t space = name.find_last_of(' ');
  if (space == std::string::npos) {
    return name + "^";
  }
  return name.substr(space + 1) + "^" + name.substr(0, name.find_last_not_of(' ', space) + 1);
}

} // namespace

void writePlanSr(const SrContent& content, const std::filesystem::path& sourceImage,
                 const std::filesystem::path& out, DicomDocumentOptions o)
{
  DocumentSource source(sourceImage);
  if (source.frameOfReferenceUid.empty()) {
    throw Error(ErrorCode::Format,
                sourceImage.string() +
                  " has no frame of reference: the plan's 3D coordinates would refer to nothing");
  }
  if (o.seriesNumber == 9901) {
    o.seriesNumber = 9902;
  }
  if (o.seriesDescription == DicomDocumentOptions{}.seriesDescription) {
    o.seriesDescription = "drgplan placement plan (SR)";
  }
  std::string everything = content.title.meaning;
  for (const SrGroup& g : content.groups) {
    everything += "|" + g.concept.meaning + std::to_string(g.items.size());
  }
  const DocumentStamp stamp(source.sopInstance + "|SR", everything);
  const std::string frameOfReference = mappedUid(o, source.frameOfReferenceUid);

  DSRDocument document(DSRTypes::DT_Comprehensive3DSR);
  DSRDocumentTree& tree = document.getTree();
  if (tree.addContentItem(DSRTypes::RT_isRoot, DSRTypes::VT_Container) == 0) {
    throw Error(ErrorCode::Internal, "cannot start the structured report");
  }
  check(tree.getCurrentContentItem().setConceptName(coded(content.title)), "document title");
  bool first = true;
  if (!content.observer.empty() && !o.deidentify) { // (a de-identified report names no person)
    tree.addContentItem(DSRTypes::RT_hasObsContext, DSRTypes::VT_PName, DSRTypes::AM_belowCurrent);
    check(tree.getCurrentContentItem().setConceptName(
            DSRCodedEntryValue("121008", "DCM", "Person Observer Name")),
          "observer");
    check(tree.getCurrentContentItem().setStringValue(personName(content.observer).c_str()), "observer name");
    first = false;
  }
  // the image the coordinates were planned on
  {
    tree.addContentItem(DSRTypes::RT_contains, DSRTypes::VT_Image,
                        first ? DSRTypes::AM_belowCurrent : DSRTypes::AM_afterCurrent);
    check(tree.getCurrentContentItem().setConceptName(
            DSRCodedEntryValue("121112", "DCM", "Source of Measurement")),
          "source image");
    check(tree.getCurrentContentItem().setImageReference(
            DSRImageReferenceValue(source.sopClass.c_str(), mappedUid(o, source.sopInstance).c_str())),
          "source image reference");
    first = false;
  }
  for (const SrItem& item : content.items) {
    addItem(tree, item, frameOfReference, false);
  }
  for (const SrGroup& group : content.groups) {
    if (tree.addContentItem(DSRTypes::RT_contains, DSRTypes::VT_Container) == 0) {
      throw Error(ErrorCode::Format, "cannot add '" + group.concept.meaning + "' to the structured report");
    }
    check(tree.getCurrentContentItem().setConceptName(coded(group.concept)), group.concept.meaning);
    bool below = true;
    for (const SrItem& item : group.items) {
      addItem(tree, item, frameOfReference, below);
      below = false;
    }
    if (!group.items.empty()) {
      tree.goUp();
    }
  }

  // who and what: the document's own series in the planned study
  check(document.createNewSeriesInStudy(mappedUid(o, source.studyUid).c_str()), "series");
  document.setSeriesDescription(o.seriesDescription.c_str());
  document.setSeriesNumber(std::to_string(o.seriesNumber).c_str());
  document.setInstanceNumber("1");
  document.setManufacturer("drgplan");
  document.setManufacturerModelName("drgplan");
  check(document.getCurrentRequestedProcedureEvidence().addItem(
          mappedUid(o, source.studyUid).c_str(), mappedUid(o, source.seriesUid).c_str(),
          source.sopClass.c_str(), mappedUid(o, source.sopInstance).c_str()),
        "evidence");
  document.completeDocument();

  DcmFileFormat file;
  DcmDataset& d = *file.getDataset();
  check(document.write(d), "dataset");
  put(d, DCM_SOPInstanceUID, derivedUid("drgplan plan SR instance|" + stamp.key));
  put(d, DCM_SeriesInstanceUID, derivedUid("drgplan plan SR series|" + stamp.key));
  writeIdentity(d, source, o);
  // drgplan's own concepts: the private coding scheme is identified, as PS3.3 C.12.1 asks
  DcmItem* scheme = nullptr;
  if (d.findOrCreateSequenceItem(DCM_CodingSchemeIdentificationSequence, scheme, -2).good() &&
      scheme != nullptr) {
    put(*scheme, DCM_CodingSchemeDesignator, "99DRGPLAN");
    put(*scheme, DCM_CodingSchemeName, "drgplan planning concepts");
    put(*scheme, DCM_CodingSchemeResponsibleOrganization, "drgplan project");
  }
  // the document's date and time (a fixed dummy when de-identified: they are required)
  put(d, DCM_ContentDate, o.deidentify ? "19000101" : stamp.date);
  put(d, DCM_ContentTime, o.deidentify ? "000000" : stamp.time);
  saveAtomically(file, out);
}

} // namespace drg::imaging
