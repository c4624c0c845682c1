#pragma once

#include "drg/imaging/ImageIdentity.h"
#include "drg/imaging/SpineModel.h"
#include "drg/imaging/SpinePhantom.h"
#include "drg/render/SpineScene.h"
#include "drg/report/PlacementReport.h"

#include <QString>

#include <memory>
#include <string>
#include <vector>

/// A case open in the workstation: the volume (real-world values, LPS mm grid), labels and what is
/// known about the anatomy, the spine model planning starts from and the 3D view's surfaces.
struct LoadedCase
{
  QString title;
  drg::imaging::Image<float> volume;
  drg::imaging::Image<std::uint8_t> labels;
  drg::imaging::PhantomTruth anatomy;
  bool isCt = true;
  bool invertedGreyscale = false; ///< MONOCHROME1: shown with low values bright
  std::string spineSummary;       ///< what the spine model found (levels, anchor), for the status bar
  std::shared_ptr<drg::imaging::SpineModel> model;      ///< the spine model (planning starts from it)
  std::string source;                                   ///< path as opened (the plan file refers to it)
  std::string seriesUid, frameOfReferenceUid, studyUid; ///< DICOM's, when opened from DICOM
  std::string patientPosition; ///< DICOM Patient Position ("HFS", ...); empty when not given
  std::vector<std::string> warnings;
  std::shared_ptr<const drg::render::AnatomySurfaces> surfaces; ///< for the 3D view (built while loading)
  drg::report::ReportIdentity identity; ///< patient and study, from DICOM (for the report)
  drg::imaging::ImageIdentity images;   ///< which images these are: a plan opens only on its own
  bool labelsFromModel = false;         ///< the label map is the spine model's (the case brought none)
  bool anatomyFromModel = false; ///< the anatomy panel lists the model's findings (not a phantom's truth)
  drg::imaging::SpineLabelOverride labelOverride; ///< the user's level corrections the model was built with

  /// Takes a built spine model into the case: its label map (when the case has none of its own), the
  /// anatomy panel's vertebrae and ganglia (when they come from the model) and the status summary.
  void takeModel(std::shared_ptr<drg::imaging::SpineModel> built);
  /// What a plan file records of the level corrections' declaration ("" when nothing was declared).
  std::string declaredTransitional() const;
  /// The vertebra the user named, as the plan records it ("12.5,-30,88=L3"), or empty.
  std::string levelAnchorText() const;
};
