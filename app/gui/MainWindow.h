#pragma once

#include "SliceView.h"
#include "View3D.h"

#include "drg/imaging/DicomSeriesIndex.h"
#include "drg/imaging/SpineModel.h"
#include "drg/imaging/SpinePhantom.h"
#include "drg/planning/PlanEditor.h"
#include "drg/planning/Planner.h"
#include "drg/report/PlacementReport.h"

#include <QElapsedTimer>
#include <QMainWindow>
#include <QPointer>
#include <QThread>

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>

class QCheckBox;
class QComboBox;
class QDockWidget;
class QDoubleSpinBox;
class QGridLayout;
class QListWidget;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSlider;
class QStackedWidget;
class QTreeWidget;
class QTreeWidgetItem;

/// A loaded case: the volume (real-world values), labels and what is known about the anatomy.
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
  std::vector<std::string> warnings;
  std::shared_ptr<const drg::render::AnatomySurfaces> surfaces; ///< for the 3D view (built while loading)
  drg::report::ReportIdentity identity; ///< patient and study, from DICOM (for the report)
  bool labelsFromModel = false;         ///< the label map is the spine model's (the case brought none)
  bool anatomyFromModel = false; ///< the anatomy panel lists the model's findings (not a phantom's truth)
};

/// The workstation window: three linked slice views (axial, coronal, sagittal) and the anatomy
/// panel (vertebrae and ganglia; click to go there). Loading runs off the GUI thread with progress
/// and cancel.
class MainWindow : public QMainWindow
{
  Q_OBJECT

public:
  MainWindow();
  ~MainWindow() override;

  /// Generates the demo phantom in the background and shows it.
  void openDemo();
  /// Opens a NIfTI, NRRD or MetaImage volume (and labels.nii.gz beside it, when present).
  void openVolumeFile(const QString& path);
  /// Scans a DICOM folder, file or DICOMDIR; asks which series when there are several; loads it.
  void openDicom(const QString& path);
  /// Opens a NIfTI/NRRD/MetaImage file or a DICOM folder/file, whichever `path` is.
  void openPath(const QString& path);
  /// Without interaction (--screenshot): errors go to loadFailed only, no dialog waits for a click.
  void setInteractive(bool interactive) { m_interactive = interactive; }
  /// Called once a case is shown (used by --screenshot).
  void whenLoaded(std::function<void()> callback);
  /// Opens a plan file for the case shown (refused with a message when it is not readable).
  bool openPlan(const QString& path);
  /// Saves the plan (atomic); false with a message on failure.
  bool savePlan(const QString& path);
  enum class ViewLayout
  {
    TwoByTwo,
    OnePlusThree,
    Axial,
    Sagittal,
    Coronal,
    ThreeD,
    Needle
  };
  /// 2x2 (axial, sagittal, coronal, 3D), 1+3 (a large sagittal view), one view alone, or the needle
  /// views (along the selected lead's needle, its probe's eye, axial and 3D).
  void setViewLayout(ViewLayout layout);

  /// Rendering figures on the case shown (--bench-render): slice scrolling in all views (frames/s,
  /// each frame re-slicing and repainting the three views) and a lead's skin entry dragged
  /// (updates/s: re-plan, findings, panel and all views repainted). Adds a lead on L5 left for it.
  struct RenderBench
  {
    double scrollFps = 0, dragUpdatesPerS = 0, rotationFps = 0;
    int width = 0, height = 0;
    std::size_t triangles = 0; ///< in the 3D view
    double stillFrameMs = 0;   ///< one full-quality 3D frame
    bool volumeRendering = false;
  };
  RenderBench benchmarkRendering();
  /// The window as shown, the 3D view included (a native child window that QWidget::grab() misses).
  QImage screenshot();
  /// Each view as shown: axial, sagittal, coronal, 3D (for checks against baselines).
  std::vector<QImage> viewScreenshots();
  /// The 3D view's OpenGL renderer (for the benchmark's report).
  QString openGlRenderer() const { return m_view3d->glRenderer(); }
  /// Milliseconds since the last case's volume was loaded (handed to the window to show).
  double msSinceLoaded() const { return static_cast<double>(m_sinceLoaded.nsecsElapsed()) / 1e6; }
  /// Corrects the level labels (as the CLI's --shift and --transitional): every vertebra renamed
  /// `shiftDelta` levels lower (+1: L3 becomes L4), and/or transitional anatomy declared. The spine model is
  /// rebuilt in the background; the plan's leads keep their level names and are re-planned to the
  /// ganglia now called so. Emits caseReady when done.
  void relabel(int shiftDelta, std::optional<drg::imaging::TransitionalAnatomy> declared = std::nullopt);
  /// Writes the placement report of the plan as PDF in the background (emits reportWritten, or
  /// loadFailed with the reason).
  void exportReport(const QString& pdf, bool deidentify = false);
  /// What the report is made of: the plan as it is now, the case's images, model and identity.
  std::shared_ptr<drg::report::ReportInput> reportInput(bool deidentify);
  /// Writes the plan as 3D Slicer markups (or, `csv`, the lead table) to `path`; false with a message.
  bool exportInterchange(const QString& path, bool csv);
  /// Writes, in the background, the report (report.pdf) and the DICOM objects for the PACS into `folder`:
  /// report.dcm (Encapsulated PDF), plan-sr.dcm (Comprehensive 3D SR), vertebrae-seg.dcm (SEG), each a
  /// new series in the planned study (emits exported with the files, or loadFailed with the reason; a
  /// case not opened from DICOM is refused).
  /// With `sendTo` (a PACS entry's name; empty: the first), the objects are then sent there (C-STORE).
  void exportDicom(const QString& folder, bool deidentify = false, const std::optional<QString>& sendTo = {});
  /// File > Open from PACS: the search dialog (PacsDialog) on the PACS settings; a retrieved series
  /// is opened like a DICOM folder. Returns the dialog (shown, not modal).
  class PacsDialog* openFromPacs();
  /// The PACS settings file the window uses (default: ~/.config/drgplan/pacs.json).
  void setPacsSettingsFile(const std::filesystem::path& file) { m_pacsSettings = file; }
  /// Writes the surfaces as binary STL (LPS mm) into `folder` in the background: each vertebra, ribs,
  /// ilia, the skin and each lead (emits exported, or loadFailed).
  void exportMeshes(const QString& folder);
  /// Places the 3D view's camera (from behind, the left, or obliquely).
  void set3dView(drg::render::OverviewView view) { m_view3d->resetCamera(view); }
  /// Shows the bone as a volume rendering in 3D (CT only; the View menu's toggle).
  void setBoneVolumeRendering(bool on) { m_boneVolume->setChecked(on); }
  /// Answers yes/no questions instead of a dialog (tests).
  void setQuestionHandler(std::function<bool(const QString&)> answer) { m_answer = std::move(answer); }
  /// Runs the whenLoaded callbacks with the start page shown (--screenshot without an input).
  void showStartPageForScreenshot();
  /// The shared cursor (LPS mm).
  Eigen::Vector3d cursorPosition() const { return m_cursor; }
  /// Moves the shared cursor (the slices) to `lps`, as a click would.
  void setCursorForTest(const Eigen::Vector3d& lps) { setCursor(lps); }
  /// Shows what the plan now holds (after edits made through planEditor() directly).
  void refreshPlanView() { refreshPlan(); }
  /// The plan being edited (nullptr before a case with a spine model is shown).
  drg::planning::PlanEditor* planEditor() { return m_editor.get(); }

signals:
  void caseReady();
  void loadFailed(const QString& message);
  void reportWritten(const QString& pdf, int pages);
  /// exportDicom or exportMeshes finished: the files it wrote.
  void exported(const QStringList& files);

protected:
  void closeEvent(QCloseEvent* event) override;

private:
  /// A yes/no question: a dialog, the test's handler, or `unattended` without interaction.
  bool ask(const QString& title, const QString& question, bool unattended);
  /// Offers the plan autosaved for this study before it was ever saved (after a crash).
  void offerUnsavedPlan();
  QWidget* buildStartPage();
  void fillRecentStudies();
  void rememberStudy(const QString& path, const QString& title);
  void chooseDicomFolder();
  void chooseVolumeFile();
  void chooseAndLoad(std::shared_ptr<drg::imaging::DicomScan> scan, const QString& path);
  void showCase(std::shared_ptr<LoadedCase> loaded);
  void setCursor(const Eigen::Vector3d& lps);
  void hover(const Eigen::Vector3d& lps);
  void applyPreset(const QString& name);
  void setWindow(const drg::report::WindowLevel& window);
  void fillAnatomyPanel();
  /// A planner and editor for the case's model; `keep`: that plan, re-planned (relabelling), with
  /// the autosave where it was.
  void setUpPlanning(std::optional<drg::planning::Plan> keep = std::nullopt);
  void refreshPlan();
  /// Fills the coordinate boxes with the chosen point of the selected lead.
  void showTypedPoint();
  /// Points the needle views at the selected lead's needle (or says there is none).
  void updateNeedleViews();
  void planEdit(const std::function<void()>& edit);
  /// Cancels a running background job and waits for its thread.
  void stopJob();
  /// Sets where the plan autosaves (empty: nowhere).
  void setAutosave(const std::filesystem::path& path);
  /// Removes the study's unsaved-plan autosave (the plan has a file now).
  void forgetUnsavedPlan();
  /// The 2D views' ganglion markers, from the anatomy panel's ganglia.
  void refreshMarkers();
  /// Runs `job` off the GUI thread with progress and cancel; what it returns is shown, then `then`
  /// runs (both on the GUI thread, after the thread ended). One job at a time.
  void startLoading(const QString& what,
                    std::function<std::shared_ptr<LoadedCase>(const std::function<bool(double)>&)> job,
                    std::function<void()> then = {});

  std::shared_ptr<LoadedCase> m_case;
  QStackedWidget* m_pages = nullptr; ///< the start page, then the views
  QListWidget* m_recent = nullptr;
  std::vector<QWidget*> m_caseWidgets; ///< docks and tool bar, hidden on the start page
  QDockWidget* m_planDock = nullptr;
  std::vector<SliceView*> m_views; ///< axial, sagittal, coronal, along the needle, probe's eye
  bool m_dragging = false;         ///< a handle is being dragged: the needle views hold still
  View3D* m_view3d = nullptr;
  QTreeWidget* m_anatomy = nullptr;
  QComboBox* m_preset = nullptr;
  QSlider* m_overlay = nullptr;
  QLabel* m_position = nullptr;
  QProgressBar* m_progress = nullptr;
  QPushButton* m_cancel = nullptr;
  std::atomic<bool> m_cancelRequested{ false };
  std::vector<std::function<void()>> m_onLoaded;
  Eigen::Vector3d m_cursor = Eigen::Vector3d::Zero();
  drg::report::WindowLevel m_window;
  std::function<bool(const QString&)> m_answer;
  std::string m_savedJson;                 ///< the plan as last saved or opened (unsaved changes differ)
  std::filesystem::path m_unsavedPlan;     ///< where the plan of a study without a file autosaves
  std::filesystem::path m_autosave;        ///< where the plan autosaves now
  QString m_planPath;                      ///< the plan's file, once opened or saved
  std::filesystem::path m_pacsSettings;    ///< PACS settings file (empty: the default)
  QPointer<class PacsDialog> m_pacsDialog; ///< the one Open from PACS dialog, while open
  QPointer<QThread> m_job;                 ///< the background job running, if any
  drg::imaging::SpineLabelOverride m_labelOverride; ///< the user's label corrections for this case
  bool m_interactive = true;
  QElapsedTimer m_sinceLoaded;

  // planning (the plan dock binds to the editor; the views draw what it derives)
  std::unique_ptr<drg::planning::PlanAnatomy> m_planAnatomy;
  std::unique_ptr<drg::planning::Planner> m_planner;
  std::unique_ptr<drg::planning::PlanEditor> m_editor;
  QComboBox* m_target = nullptr;
  QLineEdit* m_leadName = nullptr;
  QListWidget* m_leads = nullptr;
  QCheckBox* m_locked = nullptr;
  QComboBox* m_pocket = nullptr;
  QListWidget* m_findings = nullptr;
  QDoubleSpinBox* m_entry[3] = { nullptr, nullptr, nullptr };
  QComboBox* m_entryPoint = nullptr;
  QGridLayout* m_grid = nullptr;
  QAction* m_undo = nullptr;
  QAction* m_boneVolume = nullptr;
  QAction* m_redo = nullptr;
};
