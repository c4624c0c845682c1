#pragma once
// A PACS client on DCMTK's network module: C-ECHO, C-FIND at study and series level, retrieval by
// C-GET (no inbound port needed) or by C-MOVE to a C-STORE receiver of ours, and C-STORE of the objects
// drgplan writes. Retrieved series land in a local cache, one folder per study, complete or not at all
// (they are received into a staging folder and moved into place only when the PACS reports success).
// Settings (our AE title, the PACS entries, timeouts, optional TLS) live in a JSON file.

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace drg::imaging
{

/// One PACS (or other DICOM peer) the user can talk to.
struct PacsServer
{
  std::string name;    ///< how the user calls it ("hospital", "orthanc")
  std::string aeTitle; ///< its AE title
  std::string host;
  int port = 104;
  int connectTimeoutS = 10; ///< to open the connection and negotiate the association
  int dimseTimeoutS = 60;   ///< to wait for one answer
  bool tls = false;         ///< DICOM over TLS (DCMTK's TLS layer)
  std::string tlsCaFile;    ///< PEM file of the certificate authority the peer's certificate must chain to
  std::string tlsCertificate, tlsPrivateKey; ///< PEM files of our certificate and key (when the peer asks)
};

struct PacsSettings
{
  std::string localAeTitle = "DRGPLAN";
  int receivePort = 11113;           ///< where our C-STORE receiver listens during a C-MOVE
  std::filesystem::path cacheFolder; ///< retrieved studies: <cache>/<study UID>/<series UID>/
  std::vector<PacsServer> servers;

  /// The entry called `name` (the first one for an empty name). Throws drg::Error(NotFound) naming the
  /// entries there are.
  const PacsServer& server(const std::string& name) const;
};

/// $XDG_CONFIG_HOME/drgplan/pacs.json (~/.config/drgplan/pacs.json without it).
std::filesystem::path defaultPacsSettingsPath();
/// The cache when the settings name none: $XDG_CACHE_HOME/drgplan/pacs (~/.cache/drgplan/pacs).
std::filesystem::path defaultPacsCacheFolder();

/// Reads the settings. Throws drg::Error(NotFound) when the file is missing, drg::Error(Format) naming
/// what is wrong (not JSON, a server without host, a port out of range, an AE title longer than 16, ...).
PacsSettings loadPacsSettings(const std::filesystem::path& file);
/// Writes the settings atomically (checked as loadPacsSettings checks them).
void savePacsSettings(const PacsSettings& settings, const std::filesystem::path& file);

/// What to look for; empty fields match anything. Names may hold DICOM wildcards (* and ?).
struct PacsQuery
{
  std::string patientId, patientName, birthDate;
  std::string studyDate; ///< a date (YYYYMMDD) or a range (YYYYMMDD-YYYYMMDD, open ends allowed)
  std::string modality;  ///< at study level: a study holding a series of this modality
  std::string accessionNumber;
  std::string studyUid;
};

struct PacsStudy
{
  std::string studyUid, patientName, patientId, birthDate, studyDate, studyTime, description, accessionNumber;
  std::string modalities; ///< ModalitiesInStudy, backslash-separated
  int series = 0, instances = 0;
};

struct PacsSeries
{
  std::string studyUid, seriesUid, modality, description, seriesNumber;
  int instances = 0;
};

enum class RetrieveMethod
{
  Get, ///< C-GET: the objects come back on our association
  Move ///< C-MOVE: the PACS sends them to our receiver (our AE title must be registered there)
};

struct RetrieveResult
{
  std::filesystem::path folder; ///< <cache>/<study UID>/<series UID>: the complete series
  int received = 0;
  bool fromCache = false; ///< it was there already; nothing was transferred
  double seconds = 0;
};

/// Called as objects arrive or leave (done, total; total 0 when the peer does not say); false cancels.
using PacsProgress = std::function<bool(int done, int total)>;

/// Talks to one PACS of the settings. Every call opens its own association. Failures throw
/// drg::Error(Network) with what happened and what to check (unreachable host, association refused,
/// no answer within the timeout, the PACS reporting failure), Cancelled when the progress callback said
/// so, Io when the cache cannot be written.
class PacsClient
{
public:
  PacsClient(PacsSettings settings, const std::string& serverName);

  const PacsServer& server() const { return m_server; }

  /// C-ECHO; returns the round trip in milliseconds.
  double echo();
  /// C-FIND at study level (Study Root).
  std::vector<PacsStudy> findStudies(const PacsQuery& query);
  /// C-FIND at series level within `studyUid` (modality from `query` narrows it).
  std::vector<PacsSeries> findSeries(const std::string& studyUid, const PacsQuery& query = {});
  /// Retrieves one series into the cache (a series already complete there is not fetched again unless
  /// `refresh`). Connection failures are retried twice; a PACS that reports failed objects leaves
  /// nothing in the cache and says how many of how many arrived.
  RetrieveResult retrieve(const std::string& studyUid, const std::string& seriesUid, RetrieveMethod method,
                          const PacsProgress& progress = {}, bool refresh = false);
  /// C-STORE of each file (each proposed in its own transfer syntax); returns how many were stored.
  /// Throws listing the files the PACS refused.
  int send(const std::vector<std::filesystem::path>& files, const PacsProgress& progress = {});

private:
  PacsSettings m_settings;
  PacsServer m_server;
};

} // namespace drg::imaging
