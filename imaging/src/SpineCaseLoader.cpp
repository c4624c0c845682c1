#include "drg/imaging/SpineCaseLoader.h"

#include "drg/imaging/DicomVolumeLoader.h"
#include "drg/imaging/Error.h"
#include "drg/imaging/NiftiIo.h"

#include <utility>

namespace drg::imaging
{

SpineCaseLoader::SpineCaseLoader(SpineModelOptions options)
  : m_options(std::move(options))
{}

SpineModelOptions SpineCaseLoader::parseOptions(const std::string& modality, int shift,
                                                const std::string& transitional, double workSpacingMm,
                                                const std::string& levelAt)
{
  SpineModelOptions o;
  if (modality == "ct") {
    o.modality = SpineModality::Ct;
  } else if (modality == "mr" || modality == "t2") {
    o.modality = SpineModality::MrT2;
  } else if (modality != "auto") {
    throw Error(ErrorCode::InvalidArgument, "--modality must be auto, ct or t2, not '" + modality + "'");
  }
  o.labels.shift = shift;
  o.workSpacingMm = workSpacingMm;
  if (!levelAt.empty()) {
    o.labels.anchorAt = parseLevelAnchorPoint(levelAt);
  }
  if (!transitional.empty()) {
    o.labels.declared = parseTransitionalAnatomy(transitional);
    o.labels.declaredSet = true;
  }
  return o;
}

SpineCaseImage SpineCaseLoader::load(const std::string& input, const std::string& series,
                                     const ProgressCallback& progress)
{
  SpineCaseImage in;
  in.source = input;
  if (isVolumeFileName(input)) {
    in.volume = readVolumeFile(input);
    in.images = volumeIdentity(in.volume, input);
    return in;
  }
  const DicomScan scan = scanDicom(input); // (kept: it names the patient and the study)
  LoadedVolume v = loadDicom(scan, input, series, progress);
  in.volume = std::move(v.volume);
  in.warnings = v.warnings;
  in.modality = v.modality;
  in.seriesUid = v.seriesUid;
  in.seriesDescription = v.seriesDescription;
  in.frameOfReferenceUid = v.frameOfReferenceUid;
  in.patientPosition = v.patientPosition;
  in.images = dicomImageIdentity(scan, v.seriesUid, in.volume, input);
  if (m_options.modality == SpineModality::Auto && v.modality == "MR") {
    m_options.modality = SpineModality::MrT2;
  } else if (m_options.modality == SpineModality::Auto && v.modality == "CT") {
    m_options.modality = SpineModality::Ct;
  }
  return in;
}

void SpineCaseLoader::assumeCt(bool isCt)
{
  if (isCt && m_options.modality == SpineModality::Auto) {
    m_options.modality = SpineModality::Ct;
  }
}

SpineModel SpineCaseLoader::buildModel(const Image<float>& volume, const ProgressCallback& progress) const
{
  return buildSpineModel(volume, m_options, progress);
}

} // namespace drg::imaging
