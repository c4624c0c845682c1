// The case library on SQLite: one row per case folder and one per stage, refreshed from the folders'
// case.json; write-ahead log and a busy timeout so that two processes share it safely.
#include "drg/planning/CaseLibrary.h"

#include "drg/imaging/Error.h"
#include "drg/planning/Plan.h"

#include <sqlite3.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

namespace drg::planning
{
namespace
{

namespace fs = std::filesystem;

constexpr int kSchemaVersion = 1;
constexpr int kBusyTimeoutMs = 30000; ///< a writer waits this long for another process's write

/// A prepared statement, finalized on scope exit; steps throw drg::Error(Io) with SQLite's message.
class Statement
{
public:
  Statement(sqlite3* db, const char* sql)
    : m_db(db)
  {
    if (sqlite3_prepare_v2(db, sql, -1, &m_stmt, nullptr) != SQLITE_OK) {
      throw Error(ErrorCode::Internal, std::string("case library: ") + sqlite3_errmsg(db));
    }
  }
  ~Statement() { sqlite3_finalize(m_stmt); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind(int i, const std::string& text)
  {
    sqlite3_bind_text(m_stmt, i, text.c_str(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Statement& bind(int i, std::int64_t v)
  {
    sqlite3_bind_int64(m_stmt, i, v);
    return *this;
  }
  /// True while there is a row.
  bool step()
  {
    const int rc = sqlite3_step(m_stmt);
    if (rc == SQLITE_ROW) {
      return true;
    }
    if (rc != SQLITE_DONE) {
      throw Error(ErrorCode::Io, std::string("case library: ") + sqlite3_errmsg(m_db));
    }
    return false;
  }
  std::string text(int col) const
  {
    const auto* t = sqlite3_column_text(m_stmt, col);
    return t ? reinterpret_cast<const char*>(t) : "";
  }
  std::int64_t integer(int col) const { return sqlite3_column_int64(m_stmt, col); }

private:
  sqlite3* m_db;
  sqlite3_stmt* m_stmt = nullptr;
};

void exec(sqlite3* db, const char* sql)
{
  char* message = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &message) != SQLITE_OK) {
    const std::string what = message ? message : "unknown error";
    sqlite3_free(message);
    throw Error(ErrorCode::Io, "case library: " + what);
  }
}

/// A write transaction taken at once (BEGIN IMMEDIATE: another writer waits for the busy timeout
/// instead of failing half-way); rolled back unless committed.
class WriteTransaction
{
public:
  explicit WriteTransaction(sqlite3* db)
    : m_db(db)
  {
    exec(db, "BEGIN IMMEDIATE");
  }
  ~WriteTransaction()
  {
    if (!m_done) {
      sqlite3_exec(m_db, "ROLLBACK", nullptr, nullptr, nullptr);
    }
  }
  void commit()
  {
    exec(m_db, "COMMIT");
    m_done = true;
  }

private:
  sqlite3* m_db;
  bool m_done = false;
};

std::string canonicalFolder(const fs::path& folder)
{
  return fs::weakly_canonical(fs::absolute(folder)).string();
}

std::string targetsText(const CaseRecord& r)
{
  std::string out;
  for (const auto& t : r.targets) {
    out += (out.empty() ? "" : ", ") + targetId(t.level, t.side);
  }
  return out;
}

constexpr const char* kSummaryColumns =
  "c.id, c.folder, c.label, c.targets, c.indexed_at, "
  "(SELECT kind FROM stages s WHERE s.case_id = c.id ORDER BY s.position DESC LIMIT 1), "
  "(SELECT at FROM stages s WHERE s.case_id = c.id ORDER BY s.position DESC LIMIT 1), "
  "(SELECT COUNT(*) FROM stages s WHERE s.case_id = c.id), "
  "(SELECT file FROM stages s WHERE s.case_id = c.id ORDER BY s.position DESC LIMIT 1)";

CaseSummary summaryFrom(const Statement& s)
{
  CaseSummary c;
  c.id = s.integer(0);
  c.folder = s.text(1);
  c.label = s.text(2);
  c.targets = s.text(3);
  c.indexedAt = s.text(4);
  c.lastStage = s.text(5);
  c.lastStageAt = s.text(6);
  c.stageCount = static_cast<int>(s.integer(7));
  c.lastStageFile = s.text(8);
  if (!c.lastStageFile.empty() && !fs::path(c.lastStageFile).is_absolute()) {
    c.lastStageFile = (fs::path(c.folder) / c.lastStageFile).string();
  }
  return c;
}

/// Why a stage's file does not serve (empty: it is there and reads).
std::string checkStageFile(const fs::path& file)
{
  std::error_code ec;
  if (!fs::is_regular_file(file, ec)) {
    return "missing";
  }
  if (file.extension() == ".json") {
    try {
      loadPlan(file);
    } catch (const Error& e) {
      return std::string("damaged: ") + e.what();
    }
  }
  return {};
}

} // namespace

fs::path CaseLibrary::defaultPath()
{
  if (const char* env = std::getenv("DRGPLAN_LIBRARY"); env && *env) {
    return env;
  }
  if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg && *xdg) {
    return fs::path(xdg) / "drgplan" / "cases.sqlite";
  }
  const char* home = std::getenv("HOME");
  return fs::path(home && *home ? home : ".") / ".local" / "share" / "drgplan" / "cases.sqlite";
}

CaseLibrary::CaseLibrary(const fs::path& file)
  : m_file(file)
{
  std::error_code ec;
  if (file.has_parent_path()) {
    fs::create_directories(file.parent_path(), ec);
  }
  if (sqlite3_open_v2(file.string().c_str(), &m_db,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                      nullptr) != SQLITE_OK) {
    const std::string why = m_db ? sqlite3_errmsg(m_db) : "out of memory";
    sqlite3_close(m_db);
    m_db = nullptr;
    throw Error(ErrorCode::Io, file.string() + ": cannot open the case library: " + why);
  }
  sqlite3_busy_timeout(m_db, kBusyTimeoutMs);
  try {
    exec(m_db, "PRAGMA journal_mode=WAL");
    exec(m_db, "PRAGMA foreign_keys=ON");
    int version = 0;
    {
      Statement s(m_db, "PRAGMA user_version");
      if (s.step()) {
        version = static_cast<int>(s.integer(0));
      }
    }
    if (version > kSchemaVersion) {
      throw Error(ErrorCode::Unsupported, file.string() + ": a case library of a newer drgplan (schema " +
                                            std::to_string(version) + "): update drgplan");
    }
    if (version == 0) {
      WriteTransaction t(m_db);
      exec(
        m_db,
        "CREATE TABLE IF NOT EXISTS cases (id INTEGER PRIMARY KEY, folder TEXT NOT NULL UNIQUE, "
        "label TEXT NOT NULL, targets TEXT NOT NULL, changed_at TEXT NOT NULL, indexed_at TEXT NOT NULL);"
        "CREATE TABLE IF NOT EXISTS stages (case_id INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE, "
        "position INTEGER NOT NULL, kind TEXT NOT NULL, file TEXT NOT NULL, at TEXT NOT NULL, "
        "note TEXT NOT NULL, PRIMARY KEY (case_id, position));"
        "CREATE INDEX IF NOT EXISTS cases_label ON cases(label);"
        "CREATE INDEX IF NOT EXISTS cases_changed ON cases(changed_at);"
        "PRAGMA user_version=1;");
      t.commit();
    }
  } catch (const Error& e) {
    sqlite3_close(m_db);
    m_db = nullptr;
    if (e.code() == ErrorCode::Io) {
      throw Error(ErrorCode::Format, file.string() + ": not a drgplan case library (" + e.what() + ")");
    }
    throw;
  }
}

CaseLibrary::~CaseLibrary()
{
  sqlite3_close(m_db);
}

std::int64_t CaseLibrary::add(const fs::path& folder)
{
  const CaseRecord record = loadCase(folder);
  const std::string where = canonicalFolder(folder);
  const std::string label = record.label.empty() ? fs::path(where).filename().string() : record.label;
  WriteTransaction t(m_db);
  {
    // when the case last changed: its latest stage or the targets' acceptance (ISO 8601 UTC times
    // sort as text)
    std::string changed = record.targetsAcceptedAt;
    for (const auto& st : record.stages) {
      changed = std::max(changed, st.at);
    }
    Statement s(
      m_db, "INSERT INTO cases (folder, label, targets, changed_at, indexed_at) VALUES (?1, ?2, ?3, ?4, ?5) "
            "ON CONFLICT(folder) DO UPDATE SET label = ?2, targets = ?3, changed_at = ?4, indexed_at = ?5");
    s.bind(1, where).bind(2, label).bind(3, targetsText(record)).bind(4, changed).bind(5, utcNow()).step();
  }
  std::int64_t id = 0;
  {
    Statement s(m_db, "SELECT id FROM cases WHERE folder = ?1");
    s.bind(1, where);
    if (s.step()) {
      id = s.integer(0);
    }
  }
  Statement(m_db, "DELETE FROM stages WHERE case_id = ?1").bind(1, id).step();
  std::int64_t position = 0;
  for (const auto& st : record.stages) {
    Statement s(
      m_db, "INSERT INTO stages (case_id, position, kind, file, at, note) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    s.bind(1, id)
      .bind(2, position++)
      .bind(3, st.kind)
      .bind(4, st.file)
      .bind(5, st.at)
      .bind(6, st.note)
      .step();
  }
  t.commit();
  return id;
}

std::vector<std::pair<std::string, std::string>> CaseLibrary::refreshAll()
{
  std::vector<std::string> folders;
  {
    Statement s(m_db, "SELECT folder FROM cases ORDER BY id");
    while (s.step()) {
      folders.push_back(s.text(0));
    }
  }
  std::vector<std::pair<std::string, std::string>> problems;
  for (const auto& f : folders) {
    try {
      add(f);
    } catch (const Error& e) {
      problems.emplace_back(f, e.what());
    }
  }
  return problems;
}

std::vector<CaseSummary> CaseLibrary::list(const std::string& search, int limit) const
{
  const std::string sql = std::string("SELECT ") + kSummaryColumns +
                          " FROM cases c WHERE ?1 = '' OR instr(lower(c.label), lower(?1)) > 0 OR "
                          "instr(lower(c.folder), lower(?1)) > 0 OR instr(lower(c.targets), lower(?1)) > 0 "
                          "ORDER BY c.changed_at DESC, c.id DESC LIMIT ?2";
  Statement s(m_db, sql.c_str());
  s.bind(1, search).bind(2, static_cast<std::int64_t>(limit));
  std::vector<CaseSummary> out;
  while (s.step()) {
    out.push_back(summaryFrom(s));
  }
  return out;
}

std::optional<CaseSummary> CaseLibrary::find(std::int64_t id) const
{
  Statement s(m_db, (std::string("SELECT ") + kSummaryColumns + " FROM cases c WHERE c.id = ?1").c_str());
  s.bind(1, id);
  if (s.step()) {
    return summaryFrom(s);
  }
  return std::nullopt;
}

std::optional<CaseSummary> CaseLibrary::findFolder(const fs::path& folder) const
{
  Statement s(m_db, (std::string("SELECT ") + kSummaryColumns + " FROM cases c WHERE c.folder = ?1").c_str());
  s.bind(1, canonicalFolder(folder));
  if (s.step()) {
    return summaryFrom(s);
  }
  return std::nullopt;
}

CaseDetails CaseLibrary::open(std::int64_t id) const
{
  const std::optional<CaseSummary> summary = find(id);
  if (!summary) {
    throw Error(ErrorCode::NotFound, "no case " + std::to_string(id) + " in the library " + m_file.string() +
                                       " (drgplan-cli cases list)");
  }
  CaseDetails d;
  d.summary = *summary;
  std::vector<CaseStage> stages;
  try {
    d.record = loadCase(summary->folder);
    stages = d.record->stages;
  } catch (const Error& e) {
    d.problem = e.what();
    // the index's copy of the timeline, to say what the case held
    Statement s(m_db, "SELECT kind, file, at, note FROM stages WHERE case_id = ?1 ORDER BY position");
    s.bind(1, id);
    while (s.step()) {
      stages.push_back({ s.text(0), s.text(1), s.text(2), s.text(3) });
    }
  }
  // a trial plan is the file of its results' stages too: each file read once
  std::map<fs::path, std::string> checked;
  for (const auto& st : stages) {
    const fs::path p(st.file);
    const fs::path file = p.is_absolute() ? p : fs::path(summary->folder) / p;
    const auto found = checked.find(file);
    d.stages.push_back({ st, found != checked.end()
                               ? found->second
                               : checked.emplace(file, checkStageFile(file)).first->second });
  }
  return d;
}

void CaseLibrary::remove(std::int64_t id)
{
  WriteTransaction t(m_db);
  Statement(m_db, "DELETE FROM cases WHERE id = ?1").bind(1, id).step();
  t.commit();
}

std::int64_t CaseLibrary::count() const
{
  Statement s(m_db, "SELECT COUNT(*) FROM cases");
  return s.step() ? s.integer(0) : 0;
}

} // namespace drg::planning

namespace drg::planning
{

std::string reindexIfIndexed(const std::filesystem::path& folder)
{
  try {
    const std::filesystem::path file = CaseLibrary::defaultPath();
    if (!std::filesystem::exists(file)) {
      return {}; // no library: the folder is the record
    }
    CaseLibrary lib(file);
    if (lib.findFolder(folder)) {
      lib.add(folder);
    }
  } catch (const Error& e) {
    return e.what();
  }
  return {};
}

std::string CaseLibrary::integrityCheck() const
{
  Statement s(m_db, "PRAGMA integrity_check");
  std::string out;
  while (s.step()) {
    out += (out.empty() ? "" : "; ") + s.text(0);
  }
  return out;
}

} // namespace drg::planning
