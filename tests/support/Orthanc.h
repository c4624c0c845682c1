#pragma once
// A real Orthanc (Debian package `orthanc`) for the PACS tests and benchmark: started on loopback with
// a temporary configuration and storage folder, DICOM and HTTP ports of our choosing, our AE title
// registered as a modality (for C-MOVE and C-GET); stopped (and waited for) when the object goes.

#include "drg/imaging/Pacs.h"

#include <filesystem>
#include <string>

#include <sys/types.h>

namespace drg::test
{

/// A TCP port on 127.0.0.1 that nothing listens on right now.
int freePort();

/// Answer of a small HTTP request: status code (0 when no connection) and body.
struct HttpAnswer
{
  int status = 0;
  std::string body;
};
HttpAnswer httpRequest(int port, const std::string& method, const std::string& path,
                       const std::string& body = {});

class Orthanc
{
public:
  /// Starts Orthanc in `folder` (configuration, storage, log) with AE title `aeTitle`, and registers
  /// `clientAe` at 127.0.0.1:`clientPort` as a modality allowed everything. Waits until its REST API
  /// answers (at most 60 s); `started()` says whether it did (log: `log()`). `extraConfigJson` (a JSON
  /// object) is merged into the configuration (e.g. DICOM TLS settings).
  Orthanc(const std::filesystem::path& folder, const std::string& aeTitle, const std::string& clientAe,
          int clientPort, const std::string& extraConfigJson = {});
  ~Orthanc();
  Orthanc(const Orthanc&) = delete;
  Orthanc& operator=(const Orthanc&) = delete;

  bool started() const { return m_started; }
  int dicomPort() const { return m_dicomPort; }
  int httpPort() const { return m_httpPort; }
  pid_t pid() const { return m_pid; }
  std::string log() const;
  /// Settings of a client talking to it as the registered modality: our AE title and receive port as
  /// given to the constructor, one server "orthanc", the cache in `cache`.
  drg::imaging::PacsSettings clientSettings(const std::filesystem::path& cache) const;
  /// Stops it (SIGTERM, then SIGKILL after 10 s) and waits for the process.
  void stop();

private:
  void start(const std::string& extraConfigJson);

  std::filesystem::path m_folder;
  std::string m_aeTitle, m_clientAe;
  int m_clientPort = 0;
  int m_dicomPort = 0, m_httpPort = 0;
  pid_t m_pid = -1;
  bool m_started = false;
};

} // namespace drg::test
