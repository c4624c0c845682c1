#pragma once

#include "LoadedCase.h"
#include "Prompts.h"
#include "RenderBenchmark.h"
#include "ViewGrid.h"

#include "drg/imaging/SpineModel.h"
#include "drg/planning/PlanEditor.h"
#include "drg/planning/Planner.h"
#include "drg/report/PlacementReport.h"

#include <QElapsedTimer>
#include <QMainWindow>

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>

class AnatomyPanel;
class BackgroundJob;
class CaseLoader;
class MainMenus;
class PacsDialog;
class PlanExporter;
class PostopView;
class PlanPanel;
class PlanSession;
class QComboBox;
class QDockWidget;
class QLabel;
class QSlider;
class QStackedWidget;
class QToolBar;
class StartPage;

/// The workstation window: the start page until a case is open, then the linked views (axial,
/// sagittal, coronal slices through a shared cursor, 3D, the needle views), the anatomy panel
/// (vertebrae and ganglia; click to go there) and the plan panel. It owns the components and wires
/// them: case loading (off the GUI thread, with progress and cancel), the plan session, the
/// exporters, the menus and the rendering benchmark.
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
  void setInteractive(bool interactive) { m_prompts.setInteractive(interactive); }
  /// Called once a case is shown (used by --screenshot).
  void whenLoaded(std::function<void()> callback);
  /// Opens a plan file for the case shown (refused with a message when it is not readable).
  bool openPlan(const QString& path);
  /// Saves the plan (atomic); false with a message on failure.
  bool savePlan(const QString& path);
  /// Before something drops the plan (another study or plan opened, quitting): with unsaved
  /// changes, asks to save, discard or cancel; false when the user cancels (or the save fails).
  bool mayDropPlan(const QString& before);
  /// A file name to save the plan under: its own file, else one named after the study.
  QString suggestedPlanPath() const;
  /// Answers the unsaved-changes question instead of a dialog (tests).
  void setUnsavedHandler(std::function<Prompts::Unsaved(const QString&)> answer)
  {
    m_prompts.setUnsavedHandler(std::move(answer));
  }
  /// Answers "CT or MR?" for a volume whose values do not tell, instead of a dialog (tests).
  void setModalityHandler(std::function<std::optional<bool>(const QString&)> answer)
  {
    m_prompts.setModalityHandler(std::move(answer));
  }
  /// 2x2 (axial, sagittal, coronal, 3D), 1+3 (a large sagittal view), one view alone, or the needle
  /// views (along the selected lead's needle, its probe's eye, axial and 3D).
  using ViewLayout = ViewGrid::Layout;
  void setViewLayout(ViewLayout layout);
  ViewLayout viewLayout() const { return m_viewGrid->layout(); }
  /// The level corrections of the case shown (none: no case, or levels as counted).
  drg::imaging::SpineLabelOverride labelOverride() const;
  /// The spine model's level check ("consistent", "unconfirmed", "user-anchored"; "" without a model).
  std::string levelCheckStatus() const;
  /// The name of the vertebra nearest the crosshair in height ("" without a model).
  QString levelAtCursor() const;

  /// Rendering figures on the case shown (--bench-render; see RenderBenchmark).
  using RenderBench = RenderBenchmark::Figures;
  RenderBench benchmarkRendering();
  /// The window as shown, the 3D view included (a native child window that QWidget::grab() misses).
  QImage screenshot();
  /// Each view as shown: axial, sagittal, coronal, 3D (for checks against baselines).
  std::vector<QImage> viewScreenshots();
  /// The 3D view's OpenGL renderer (for the benchmark's report).
  QString openGlRenderer() const;
  /// Milliseconds since the last case's volume was loaded (handed to the window to show).
  double msSinceLoaded() const { return static_cast<double>(m_sinceLoaded.nsecsElapsed()) / 1e6; }
  /// Corrects the level labels (as the CLI's --shift and --transitional): every vertebra renamed
  /// `shiftDelta` levels lower (+1: L3 becomes L4), and/or transitional anatomy declared. The spine model is
  /// rebuilt in the background; the plan's leads keep their level names and are re-planned to the
  /// ganglia now called so. Emits caseReady when done.
  void relabel(int shiftDelta, std::optional<drg::imaging::TransitionalAnatomy> declared = std::nullopt);
  /// The vertebra holding `point` (LPS mm) is `level`: every level is counted from it (Spine > Name
  /// the vertebra at the crosshair), checked against the image's anchors; asked as a relabelling.
  void nameVertebra(const Eigen::Vector3d& point, const QString& level);
  /// The user confirms the level names (`how`: how they were counted and by whom), an edit of the plan.
  void confirmLevels(const QString& how);
  /// Undo (Ctrl+Z): the plan's last edit, or, when the plan has none since, the last relabelling
  /// (the levels named as before and the plan as it was then).
  void undo();
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
  PacsDialog* openFromPacs();
  /// The PACS settings file the window uses (default: ~/.config/drgplan/pacs.json).
  void setPacsSettingsFile(const std::filesystem::path& file);
  /// Writes the surfaces as binary STL (LPS mm) into `folder` in the background: each vertebra, ribs,
  /// ilia, the skin and each lead (emits exported, or loadFailed).
  void exportMeshes(const QString& folder);
  /// Places the 3D view's camera (from behind, the left, or obliquely).
  void set3dView(drg::render::OverviewView view);
  /// Shows the bone as a volume rendering in 3D (CT only; the View menu's toggle).
  void setBoneVolumeRendering(bool on);
  /// Answers yes/no questions instead of a dialog (tests).
  void setQuestionHandler(std::function<bool(const QString&)> answer)
  {
    m_prompts.setQuestionHandler(std::move(answer));
  }
  /// Runs the whenLoaded callbacks with the start page shown (--screenshot without an input).
  void showStartPageForScreenshot();
  /// The shared cursor (LPS mm).
  Eigen::Vector3d cursorPosition() const { return m_cursor; }
  /// Moves the shared cursor (the slices) to `lps`, as a click would.
  void setCursorForTest(const Eigen::Vector3d& lps) { setCursor(lps); }
  /// Shows what the plan now holds (after edits made through planEditor() directly).
  void refreshPlanView() { refreshPlan(); }
  /// The plan being edited (nullptr before a case with a spine model is shown).
  drg::planning::PlanEditor* planEditor();
  /// The post-operative verification against the plan.
  PostopView& postop() { return *m_postop; }

signals:
  void caseReady();
  void loadFailed(const QString& message);
  void reportWritten(const QString& pdf, int pages);
  /// exportDicom or exportMeshes finished: the files it wrote.
  void exported(const QStringList& files);

protected:
  void closeEvent(QCloseEvent* event) override;

private:
  QDockWidget* addAnatomyDock();
  QDockWidget* addPlanDock(QDockWidget* besides);
  QToolBar* addViewToolBar();
  void connectComponents();
  void showCase(std::shared_ptr<LoadedCase> loaded);
  void setCursor(const Eigen::Vector3d& lps);
  void hover(const Eigen::Vector3d& lps);
  void applyPreset(const QString& name);
  /// The window combo says "Custom" (the window was dragged) and its tooltip the values.
  void showCustomWindow();
  void setWindow(const drg::report::WindowLevel& window);
  void showBoneVolume(bool on);
  /// A planner and editor for the case's model; `keep`: that plan, re-planned (relabelling), with
  /// the autosave where it was.
  void setUpPlanning(std::optional<drg::planning::Plan> keep = std::nullopt);
  void refreshPlan();
  /// A lead was selected in the plan panel: the views go to it.
  void selectLead(int row);
  /// A ganglion's marker was clicked in a view: it becomes the plan panel's target.
  void pickGanglion(int index);
  /// A handle is dragged in a view (`done`: let go): the plan follows, one undo step per drag.
  void moveHandle(int id, const Eigen::Vector3d& lps, bool done);
  /// Points the needle views at the selected lead's needle (or says there is none).
  void updateNeedleViews();
  /// Runs an edit of the plan (errors said to the user), then shows the plan.
  void planEdit(const std::function<void()>& edit);
  /// The 2D views' ganglion markers, from the anatomy panel's ganglia.
  void refreshMarkers();

  Prompts m_prompts;
  std::shared_ptr<LoadedCase> m_case;
  /// A relabelling, to undo it: the level corrections and the plan before it.
  struct RelabelStep
  {
    drg::imaging::SpineLabelOverride before;
    std::optional<drg::planning::Plan> plan;
  };
  std::vector<RelabelStep> m_relabelUndo; ///< the case's relabellings, last last
  /// Rebuilds the model with the level corrections `wanted`; the plan then is `restore` (undoing) or
  /// the current one, re-planned to the ganglia of its leads' names.
  void relabelTo(const drg::imaging::SpineLabelOverride& wanted, std::optional<drg::planning::Plan> restore);
  /// Relabels to `wanted`, asked first when the plan has leads (they are re-planned).
  void relabelAsked(const drg::imaging::SpineLabelOverride& wanted);
  // components
  PlanSession* m_session = nullptr;
  BackgroundJob* m_jobs = nullptr;
  PostopView* m_postop = nullptr;
  CaseLoader* m_loader = nullptr;
  PlanExporter* m_exporter = nullptr;
  MainMenus* m_menus = nullptr;
  // widgets
  QStackedWidget* m_pages = nullptr; ///< the start page, then the views
  QLabel* m_banner = nullptr;        ///< the case's warnings in full, above the views
  /// Shows the case's warnings in the banner (hidden without any).
  void showWarnings();
  StartPage* m_startPage = nullptr;
  ViewGrid* m_viewGrid = nullptr;
  AnatomyPanel* m_anatomy = nullptr;
  PlanPanel* m_planPanel = nullptr;
  QDockWidget* m_planDock = nullptr;
  std::vector<QWidget*> m_caseWidgets; ///< docks and tool bar, hidden on the start page
  QComboBox* m_preset = nullptr;
  QSlider* m_overlay = nullptr;
  QLabel* m_position = nullptr;

  bool m_dragging = false; ///< a handle is being dragged: the needle views hold still
  std::vector<std::function<void()>> m_onLoaded;
  Eigen::Vector3d m_cursor = Eigen::Vector3d::Zero();
  drg::report::WindowLevel m_window;
  QElapsedTimer m_sinceLoaded;
};
