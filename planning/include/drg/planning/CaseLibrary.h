#pragma once
// The case library: a local SQLite database (no server) indexing case folders, each with its
// case.json and its stages' files. The folders are the record; the database is the index, rebuilt
// from them at any time, never the only copy. Several processes may open it at once (SQLite's
// write-ahead log and a busy timeout: writers wait their turn, readers are not blocked).

#include "drg/planning/CaseFile.h"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

struct sqlite3;

namespace drg::planning
{

/// A case as the library lists it.
struct CaseSummary
{
  std::int64_t id = 0;
  std::string folder;                 ///< absolute
  std::string label;                  ///< pseudonym or initials and birth year
  std::string targets;                ///< "L3-left, L5-left"
  std::string lastStage, lastStageAt; ///< the latest stage's kind and time (empty: none yet)
  std::string lastStageFile;          ///< its file, absolute (empty: none yet)
  int stageCount = 0;
  std::string indexedAt; ///< when the library last read the folder (UTC)
};

/// A stage's file as found on disk now.
struct StageCheck
{
  CaseStage stage;
  std::string problem; ///< empty: the file is there and reads; else "missing" or what is damaged
};

/// A case opened from its folder: its record, each stage's file checked. A damaged or missing file is
/// reported; the rest of the case opens.
struct CaseDetails
{
  CaseSummary summary;
  std::optional<CaseRecord> record; ///< nullopt when case.json itself is missing or damaged
  std::string problem;              ///< why there is no record
  std::vector<StageCheck> stages;
};

class CaseLibrary
{
public:
  /// Opens the library at `file`, creating it (and its folder) when absent. Throws drg::Error(Io)
  /// naming the file when it cannot be opened, drg::Error(Format) when it is not a drgplan library.
  explicit CaseLibrary(const std::filesystem::path& file);
  ~CaseLibrary();
  CaseLibrary(const CaseLibrary&) = delete;
  CaseLibrary& operator=(const CaseLibrary&) = delete;

  /// $DRGPLAN_LIBRARY, else $XDG_DATA_HOME/drgplan/cases.sqlite, else ~/.local/share/drgplan/cases.sqlite.
  static std::filesystem::path defaultPath();

  const std::filesystem::path& file() const { return m_file; }

  /// Indexes the case in `folder` (its case.json read): added, or refreshed when already there.
  /// Returns its id. Throws as loadCase for a folder without a readable case.
  std::int64_t add(const std::filesystem::path& folder);

  /// Reads every indexed folder again; returns the folders that could not be read (with why), which
  /// stay listed.
  std::vector<std::pair<std::string, std::string>> refreshAll();

  /// The cases whose label, folder or targets contain `search` (any case; empty: all), the most
  /// recently changed first (latest stage or targets accepted), at most `limit`.
  std::vector<CaseSummary> list(const std::string& search = {}, int limit = 100) const;

  std::optional<CaseSummary> find(std::int64_t id) const;
  std::optional<CaseSummary> findFolder(const std::filesystem::path& folder) const;

  /// The case opened from its folder, every stage file checked (the index as it was when the folder
  /// is unreadable). Throws drg::Error(NotFound) for an id not in the library.
  CaseDetails open(std::int64_t id) const;

  /// Removes a case from the index (its folder is left as it is).
  void remove(std::int64_t id);

  std::int64_t count() const;

  /// SQLite's own check of the database file: "ok", or what is wrong.
  std::string integrityCheck() const;

private:
  std::filesystem::path m_file;
  sqlite3* m_db = nullptr;
};

/// After a case folder changed: the default library, when there is one and it indexes the folder,
/// reads it again. Returns why it could not (empty: done, or nothing to do); the folder is the
/// record, so a failure is only said.
std::string reindexIfIndexed(const std::filesystem::path& folder);

/// What an export wrote and what it could not (a stage's file missing or damaged: said, the rest
/// exported).
struct ExportResult
{
  std::vector<std::string> written;                         ///< relative to the export
  std::vector<std::pair<std::string, std::string>> skipped; ///< file, why
};

/// `folder` copied to `out` for sharing: with `deidentify`, the label becomes `pseudonym` and the
/// plan files lose the patient's identity, the images' paths and the study descriptions (the
/// report's de-identification rules, DICOM PS3.15 basic profile); reports, images and other files
/// holding identity are not copied (the report says how to make them again). Throws
/// drg::Error(InvalidArgument) when `out` exists and is not empty, as loadCase without a case.
ExportResult exportCase(const std::filesystem::path& folder, const std::filesystem::path& out,
                        bool deidentify, const std::string& pseudonym);

} // namespace drg::planning
