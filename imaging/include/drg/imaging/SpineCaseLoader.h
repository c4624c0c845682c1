#pragma once
// The case-loading service of drgplan-cli's commands and the workstation: a spine image in (a
// NIfTI/NRRD/MetaImage file or a DICOM series), the spine model's options settled (the modality,
// the user's label corrections), the spine model out. Free of Qt and VTK.

#include "drg/imaging/Image.h"
#include "drg/imaging/ImageIdentity.h"
#include "drg/imaging/ProgressCallback.h"
#include "drg/imaging/SpineModel.h"

#include <string>
#include <vector>

namespace drg::imaging
{

/// A spine image loaded for the spine model: the volume (real-world values, HU for CT, on an LPS mm
/// grid) and what DICOM says of it (empty for a NIfTI/NRRD/MetaImage file).
struct SpineCaseImage
{
  Image<float> volume;
  std::vector<std::string> warnings; ///< how the volume was built (from the DICOM importer)
  std::string source;                ///< the input as given
  std::string modality;              ///< DICOM's Modality ("CT", "MR"); empty for a volume file
  std::string seriesUid, seriesDescription, frameOfReferenceUid;
  std::string patientPosition; ///< DICOM Patient Position ("HFS", "HFP", ...); empty when not given
  ImageIdentity images;        ///< which images these are (a plan is bound to them)
};

/// Loads spine images and builds their spine models with one set of options: the modality (Auto:
/// from DICOM when the image says it, else from the intensities), the user's level corrections and
/// the internal grid. One loader per case.
class SpineCaseLoader
{
public:
  explicit SpineCaseLoader(SpineModelOptions options = {});

  /// Options from words, as the command line gives them: `modality` auto, ct, t2 (or mr); `shift`
  /// levels every vertebra is renamed (+1: L3 becomes L4); `transitional` none, L6, T13,
  /// sacralized-L5, or empty for nothing declared; `workSpacingMm` the internal isotropic grid in mm
  /// (0: automatic); `levelAt` the user's anchor "X,Y,Z=L3" or empty. Throws
  /// drg::Error(InvalidArgument) for an unknown word or a malformed anchor.
  static SpineModelOptions parseOptions(const std::string& modality, int shift,
                                        const std::string& transitional, double workSpacingMm,
                                        const std::string& levelAt = {});

  /// Loads `input`: a NIfTI/NRRD/MetaImage file, or a DICOM folder, file or DICOMDIR (`series`: the
  /// stack id when it holds several). A modality left Auto becomes DICOM's (CT: Ct, MR: MrT2).
  /// Throws drg::Error as the readers do.
  SpineCaseImage load(const std::string& input, const std::string& series = {},
                      const ProgressCallback& progress = {});

  /// For an image known to be CT (the workstation knows it from DICOM's Modality or from air in the
  /// volume) a modality left Auto becomes Ct; otherwise it stays as it is.
  void assumeCt(bool isCt);

  /// The spine model of `volume` with the options (see buildSpineModel for what it throws).
  SpineModel buildModel(const Image<float>& volume, const ProgressCallback& progress = {}) const;

  const SpineModelOptions& options() const { return m_options; }

private:
  SpineModelOptions m_options;
};

} // namespace drg::imaging
