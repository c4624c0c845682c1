#pragma once

#include "LoadedCase.h"

#include "drg/report/PlacementReport.h"

#include <QObject>
#include <QString>
#include <QStringList>

#include <filesystem>
#include <memory>
#include <optional>

class BackgroundJob;
class PlanSession;
class Prompts;
class View3D;

/// What the plan goes out as: the placement report (PDF), the report and the plan's DICOM objects
/// for the PACS (written to a folder, or sent), the STL surfaces for 3D printing, and 3D Slicer
/// markups or a lead table. The long ones run as the window's background job.
class PlanExporter : public QObject
{
  Q_OBJECT

public:
  PlanExporter(const PlanSession& session, BackgroundJob& jobs, const Prompts& prompts, View3D& view3d,
               QObject* parent);

  /// The PACS settings file (empty: the default, ~/.config/drgplan/pacs.json).
  void setPacsSettingsFile(const std::filesystem::path& file) { m_pacsSettings = file; }
  /// The PACS settings file in use.
  std::filesystem::path pacsSettingsFile() const;

  /// Writes the placement report of the plan as PDF in the background (reportWritten, or failed).
  void exportReport(const QString& pdf, bool deidentify = false);
  /// What the report is made of: the plan as it is now, the case's images, model and identity.
  std::shared_ptr<drg::report::ReportInput> reportInput(bool deidentify);
  /// Writes the plan as 3D Slicer markups (or, `csv`, the lead table) to `path`; false with a message.
  bool exportInterchange(const QString& path, bool csv);
  /// Writes, in the background, report.pdf and the DICOM objects for the PACS into `folder`:
  /// report.dcm (Encapsulated PDF), plan-sr.dcm (Comprehensive 3D SR), vertebrae-seg.dcm (SEG), each a
  /// new series in the planned study (exported, or failed; a case not opened from DICOM is refused).
  /// With `sendTo` (a PACS entry's name; empty: the first) they are then sent there (C-STORE).
  void exportDicom(const QString& folder, bool deidentify = false, const std::optional<QString>& sendTo = {});
  /// exportDicom sending to the first PACS, with copies in a folder per export beside the PACS cache.
  void exportToPacs();
  /// Writes the surfaces as binary STL (LPS mm) into `folder` in the background: each vertebra, ribs,
  /// ilia, the skin and each lead (exported, or failed).
  void exportMeshes(const QString& folder);

signals:
  void failed(const QString& message);
  void reportWritten(const QString& pdf, int pages);
  /// exportDicom or exportMeshes finished: the files written.
  void exported(const QStringList& files);

private:
  const PlanSession& m_session;
  BackgroundJob& m_jobs;
  const Prompts& m_prompts;
  View3D& m_view3d;
  std::filesystem::path m_pacsSettings; ///< (empty: the default)
};
