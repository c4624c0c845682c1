#pragma once

#include "BackgroundJob.h"
#include "LoadedCase.h"

#include "drg/imaging/DicomSeriesIndex.h"

#include <QObject>
#include <QPointer>

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>

class PacsDialog;
class Prompts;
class QMainWindow;

/// Opens cases off the GUI thread (as the window's background job, which announces the case): the
/// demo phantom, a NIfTI/NRRD/MetaImage volume, a DICOM folder (scanned, a series chosen, loaded), a
/// series retrieved from the PACS. Each comes with its spine model (drg::imaging::SpineCaseLoader,
/// the service the CLI uses too) and the 3D view's surfaces. Also rebuilds a case's model with the
/// user's level corrections (relabelling).
class CaseLoader : public QObject
{
  Q_OBJECT

public:
  CaseLoader(QMainWindow* window, BackgroundJob& jobs, const Prompts& prompts);

  /// Asked before any case is opened (the one shown, and its plan, would be replaced): false stops
  /// the opening (the user chose to keep the plan's unsaved changes on screen).
  void setGuard(std::function<bool()> mayReplace) { m_mayReplace = std::move(mayReplace); }

  /// Generates the demo phantom in the background and shows it.
  void openDemo();
  /// Opens a NIfTI, NRRD or MetaImage volume (and labels.nii.gz beside it, when present).
  /// Opens a volume file; `ct` says what it is when its values do not (asked of the user then).
  void openVolumeFile(const QString& path, std::optional<bool> ct = std::nullopt);
  /// Scans a DICOM folder, file or DICOMDIR; asks which series when there are several; loads it.
  void openDicom(const QString& path);
  /// Opens a NIfTI/NRRD/MetaImage file or a DICOM folder/file, whichever `path` is.
  void openPath(const QString& path);
  /// A recent study: opened when it is still there, else the user is told.
  void openRecent(const QString& path);
  /// File dialogs: a DICOM folder, a volume file (then opened).
  void chooseDicomFolder();
  void chooseVolumeFile();
  /// The PACS search dialog on the settings in `settingsFile` (one at a time; shown, not modal); a
  /// retrieved series is opened like a DICOM folder.
  PacsDialog* openFromPacs(const std::filesystem::path& settingsFile);

  /// A case's spine model and surfaces, rebuilt.
  struct Relabelled
  {
    std::shared_ptr<drg::imaging::SpineModel> model;
    std::shared_ptr<const drg::render::AnatomySurfaces> surfaces;
  };
  /// Rebuilds the spine model of `loaded` with the level corrections `labels`, then its surfaces, in
  /// the background; `done` runs on the GUI thread with them (not when it failed or was cancelled:
  /// that is said already).
  void relabel(std::shared_ptr<LoadedCase> loaded, const drg::imaging::SpineLabelOverride& labels,
               std::function<void(const Relabelled&)> done);

private:
  void chooseAndLoad(std::shared_ptr<drg::imaging::DicomScan> scan, const QString& path);

  QMainWindow* m_window;
  BackgroundJob& m_jobs;
  const Prompts& m_prompts;
  QPointer<PacsDialog> m_pacsDialog; ///< the one Open from PACS dialog, while open
  std::function<bool()> m_mayReplace;
};
