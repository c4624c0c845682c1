// The PACS client (DCMTK dcmnet, dcmtls) and its settings file.
#include "drg/imaging/Pacs.h"

#include "dicom/DicomCommon.h"

#include "drg/imaging/AtomicOutput.h"
#include "drg/imaging/DicomSeriesIndex.h"
#include "drg/imaging/Error.h"

#include <dcmtk/dcmdata/dctk.h>
#include <dcmtk/dcmnet/dstorscp.h>
#include <dcmtk/dcmnet/scu.h>
#include <dcmtk/dcmtls/tlslayer.h>

#include <nlohmann/json.hpp>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <random>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include <unistd.h>

namespace drg::imaging
{
namespace
{

using nlohmann::json;

// ---- settings -------------------------------------------------------------------------------

void checkAeTitle(const std::string& ae, const std::string& what)
{
  if (ae.empty() || ae.size() > 16 || ae.find('\\') != std::string::npos ||
      ae.find_first_not_of(' ') == std::string::npos) {
    throw Error(ErrorCode::Format,
                what + " '" + ae + "' is not an AE title (1 to 16 characters, no backslash)");
  }
  for (unsigned char c : ae) {
    if (c < 0x20 || c > 0x7e) {
      throw Error(ErrorCode::Format, what + " '" + ae + "' holds a character an AE title cannot have");
    }
  }
}

void checkPort(int port, const std::string& what)
{
  if (port < 1 || port > 65535) {
    throw Error(ErrorCode::Format, what + " " + std::to_string(port) + " is not a TCP port (1-65535)");
  }
}

void checkSettings(const PacsSettings& s)
{
  checkAeTitle(s.localAeTitle, "our AE title (local_ae_title)");
  checkPort(s.receivePort, "the receive port (receive_port)");
  std::set<std::string> names;
  for (const PacsServer& p : s.servers) {
    if (p.name.empty()) {
      throw Error(ErrorCode::Format, "a PACS entry has no name");
    }
    if (!names.insert(p.name).second) {
      throw Error(ErrorCode::Format, "two PACS entries are called '" + p.name + "'");
    }
    checkAeTitle(p.aeTitle, "the AE title of '" + p.name + "'");
    if (p.host.empty()) {
      throw Error(ErrorCode::Format, "the PACS entry '" + p.name + "' has no host");
    }
    checkPort(p.port, "the port of '" + p.name + "'");
    if (p.connectTimeoutS < 1 || p.dimseTimeoutS < 1) {
      throw Error(ErrorCode::Format, "the timeouts of '" + p.name + "' must be at least 1 s");
    }
    if (p.tls && p.tlsCaFile.empty()) {
      throw Error(ErrorCode::Format,
                  "'" + p.name + "' uses TLS but names no certificate authority (tls_ca_file)");
    }
  }
}

std::string homeFolder(const char* xdg, const char* fallback)
{
  if (const char* x = std::getenv(xdg); x != nullptr && *x != '\0') {
    return x;
  }
  const char* home = std::getenv("HOME");
  return std::string(home != nullptr ? home : ".") + "/" + fallback;
}

// ---- DICOM ----------------------------------------------------------------------------------

std::string where(const PacsServer& s)
{
  return "the PACS '" + s.name + "' (" + s.aeTitle + " at " + s.host + ":" + std::to_string(s.port) + ")";
}

/// A network failure that may go away on its own (connection refused, no answer in time): the only
/// kind a retrieve tries again.
class TransientError : public Error
{
public:
  explicit TransientError(const std::string& message)
    : Error(ErrorCode::Network, message)
  {}
};

/// Transfer syntaxes we can decode, explicit little endian first.
OFList<OFString> decodableSyntaxes()
{
  OFList<OFString> ts;
  for (const char* uid :
       { UID_LittleEndianExplicitTransferSyntax, UID_LittleEndianImplicitTransferSyntax,
         UID_DeflatedExplicitVRLittleEndianTransferSyntax, UID_BigEndianExplicitTransferSyntax,
         UID_JPEGProcess14SV1TransferSyntax, UID_JPEGProcess1TransferSyntax, UID_JPEGProcess2_4TransferSyntax,
         UID_JPEGLSLosslessTransferSyntax, UID_JPEGLSLossyTransferSyntax,
         UID_JPEG2000LosslessOnlyTransferSyntax, UID_JPEG2000TransferSyntax,
         UID_RLELosslessTransferSyntax }) {
    ts.push_back(uid);
  }
  return ts;
}

OFList<OFString> plainSyntaxes()
{
  OFList<OFString> ts;
  ts.push_back(UID_LittleEndianExplicitTransferSyntax);
  ts.push_back(UID_LittleEndianImplicitTransferSyntax);
  return ts;
}

/// The storage classes a spine study holds (images, and the objects drgplan writes).
const std::vector<const char*>& storageClasses()
{
  static const std::vector<const char*> classes = {
    UID_CTImageStorage,
    UID_EnhancedCTImageStorage,
    UID_MRImageStorage,
    UID_EnhancedMRImageStorage,
    UID_SecondaryCaptureImageStorage,
    UID_MultiframeGrayscaleWordSecondaryCaptureImageStorage,
    UID_ComputedRadiographyImageStorage,
    UID_DigitalXRayImageStorageForPresentation,
    UID_XRayAngiographicImageStorage,
    UID_XRayRadiofluoroscopicImageStorage,
    UID_PositronEmissionTomographyImageStorage,
    UID_SegmentationStorage,
    UID_Comprehensive3DSRStorage,
    UID_ComprehensiveSRStorage,
    UID_EnhancedSRStorage,
    UID_BasicTextSRStorage,
    UID_EncapsulatedPDFStorage,
    UID_GrayscaleSoftcopyPresentationStateStorage,
    UID_KeyObjectSelectionDocumentStorage,
    UID_RTStructureSetStorage,
  };
  return classes;
}

/// Our DcmSCU: settings applied, TLS when asked, association errors turned into messages a user can
/// act on, retrieve progress and received files counted.
class Scu : public DcmSCU
{
public:
  Scu(const PacsSettings& settings, const PacsServer& server, const PacsProgress& progress)
    : m_server(server)
    , m_progress(progress)
  {
    dicom::registerCodecs(); // (also quiets DCMTK's log)
    setAETitle(settings.localAeTitle.c_str());
    setPeerAETitle(server.aeTitle.c_str());
    setPeerHostName(server.host.c_str());
    setPeerPort(static_cast<Uint16>(server.port));
    setConnectionTimeout(server.connectTimeoutS);
    setACSETimeout(static_cast<Uint32>(server.connectTimeoutS));
    setDIMSEBlockingMode(DIMSE_NONBLOCKING);
    setDIMSETimeout(static_cast<Uint32>(server.dimseTimeoutS));
    setVerbosePCMode(OFFalse);
    if (server.tls) {
      m_tls = std::make_unique<DcmTLSTransportLayer>(NET_REQUESTOR, nullptr, OFTrue);
      if (m_tls->setTLSProfile(TSP_Profile_BCP195).bad() || m_tls->activateCipherSuites().bad()) {
        throw Error(ErrorCode::Internal, "cannot set up TLS for " + where(server));
      }
      if (m_tls->addTrustedCertificateFile(server.tlsCaFile.c_str(), DCF_Filetype_PEM).bad()) {
        throw Error(ErrorCode::InvalidArgument, "cannot read the certificate authority " + server.tlsCaFile);
      }
      if (!server.tlsCertificate.empty()) {
        if (m_tls->setPrivateKeyFile(server.tlsPrivateKey.c_str(), DCF_Filetype_PEM).bad() ||
            m_tls->setCertificateFile(server.tlsCertificate.c_str(), DCF_Filetype_PEM).bad() ||
            !m_tls->checkPrivateKeyMatchesCertificate()) {
          throw Error(ErrorCode::InvalidArgument, "cannot use the certificate " + server.tlsCertificate +
                                                    " with key " + server.tlsPrivateKey +
                                                    " (unreadable, or they do not match)");
        }
      }
      m_tls->setCertificateVerification(DCV_requireCertificate);
    }
  }

  ~Scu() override
  {
    if (isConnected()) {
      abortAssociation();
    }
  }

  /// Negotiates the association for `what` (what the user asked, for the messages).
  void open(const std::string& what)
  {
    OFCondition c = initNetwork();
    if (c.bad()) {
      throw Error(ErrorCode::Network, "cannot start the network for " + what + ": " + c.text());
    }
    if (m_tls) { // (on the network initNetwork made)
      c = useSecureConnection(m_tls.get());
      if (c.bad()) {
        throw Error(ErrorCode::Network, "cannot use TLS with " + where(m_server) + ": " + c.text());
      }
    }
    c = negotiateAssociation();
    if (c.good()) {
      return;
    }
    const std::string dcmtk = c.text();
    auto has = [&](const char* s) { return dcmtk.find(s) != std::string::npos; };
    if (c == DUL_ASSOCIATIONREJECTED) {
      throw Error(ErrorCode::Network, where(m_server) + " refused the association for " + what +
                                        ": check that it knows our AE title '" +
                                        std::string(getAETitle().c_str()) +
                                        "' and that its own AE title is '" + m_server.aeTitle + "'");
    }
    if (c == NET_EC_NoAcceptablePresentationContexts) {
      throw Error(ErrorCode::Network, where(m_server) +
                                        " accepted the association but offers none of the "
                                        "services needed for " +
                                        what);
    }
    if (has("refused")) {
      throw TransientError("cannot reach " + where(m_server) +
                           ": the connection was refused. Is the PACS running, and are host and port "
                           "right?");
    }
    if (has("Name or service not known") || has("Unknown host") || has("unknown host") ||
        has("getaddrinfo")) {
      throw Error(ErrorCode::InvalidArgument,
                  "cannot reach " + where(m_server) + ": the host name is not known");
    }
    if (has("imeout") || has("imed out")) {
      throw TransientError(where(m_server) + " did not answer within " +
                           std::to_string(m_server.connectTimeoutS) +
                           " s (connect_timeout_s): is host and port that of a DICOM service?");
    }
    throw Error(ErrorCode::Network,
                "cannot open an association with " + where(m_server) + " for " + what + " (" + dcmtk + ")");
  }

  /// Throws for a failed DIMSE exchange (`c` bad) during `what`.
  void exchanged(OFCondition c, const std::string& what)
  {
    if (c.good()) {
      return;
    }
    const std::string dcmtk = c.text();
    if (c == DUL_PEERABORTEDASSOCIATION) {
      throw Error(ErrorCode::Network,
                  where(m_server) + " aborted the association during " + what +
                    ": it may not allow our AE title '" + std::string(getAETitle().c_str()) +
                    "' this service (register it at the PACS with the services it needs)");
    }
    if (c == DIMSE_NODATAAVAILABLE || dcmtk.find("imeout") != std::string::npos) {
      throw TransientError(where(m_server) + " did not answer " + what + " within " +
                           std::to_string(m_server.dimseTimeoutS) + " s (dimse_timeout_s)");
    }
    throw Error(ErrorCode::Network, what + " with " + where(m_server) + " failed: " + dcmtk);
  }

protected:
  OFCondition handleCGETResponse(const T_ASC_PresentationContextID presID, RetrieveResponse* response,
                                 OFBool& continueSession) override
  {
    const OFCondition c = DcmSCU::handleCGETResponse(presID, response, continueSession);
    report(response, continueSession);
    return c;
  }

  OFCondition handleMOVEResponse(const T_ASC_PresentationContextID presID, RetrieveResponse* response,
                                 OFBool& waitForNext) override
  {
    const OFCondition c = DcmSCU::handleMOVEResponse(presID, response, waitForNext);
    report(response, waitForNext);
    return c;
  }

  OFCondition handleSTORERequest(const T_ASC_PresentationContextID presID, DcmDataset* incoming,
                                 OFBool& continueSession, Uint16& status) override
  {
    const OFCondition c = DcmSCU::handleSTORERequest(presID, incoming, continueSession, status);
    if (c.good() && status == STATUS_Success) {
      ++m_received;
      if (m_progress && !m_progress(m_received, m_total)) {
        m_cancelled = true;
        continueSession = OFFalse;
      }
    }
    return c;
  }

public:
  bool cancelled() const { return m_cancelled; }

private:
  /// Progress from a C-GET/C-MOVE response; a cancel ends the session (`keepGoing`).
  void report(const RetrieveResponse* r, OFBool& keepGoing)
  {
    if (m_cancelled) {
      keepGoing = OFFalse;
    }
    if (r == nullptr) {
      return;
    }
    const int done = r->m_numberOfCompletedSubops + r->m_numberOfFailedSubops + r->m_numberOfWarningSubops;
    m_total = std::max(m_total, done + static_cast<int>(r->m_numberOfRemainingSubops));
    if (m_progress && !m_progress(std::max(done, m_received), m_total)) {
      m_cancelled = true;
      keepGoing = OFFalse;
    }
  }

  PacsServer m_server;
  PacsProgress m_progress;
  std::unique_ptr<DcmTLSTransportLayer> m_tls;
  int m_received = 0, m_total = 0;
  bool m_cancelled = false;
};

/// The C-STORE receiver a C-MOVE sends to: listens on our port with our AE title, writes each object
/// as <SOP instance UID>.dcm into a folder, until told to stop.
class MoveReceiver : public DcmStorageSCP
{
public:
  MoveReceiver(const PacsSettings& s, const std::filesystem::path& folder)
    : m_aeTitle(s.localAeTitle.c_str())
  {
    setAETitle(s.localAeTitle.c_str());
    setPort(static_cast<Uint16>(s.receivePort));
    setConnectionBlockingMode(DUL_NOBLOCK);
    setConnectionTimeout(1);
    // (an association left open or gone quiet must not keep stop() waiting)
    setDIMSEBlockingMode(DIMSE_NONBLOCKING);
    setDIMSETimeout(10);
    setHostLookupEnabled(OFFalse);
    setOutputDirectory(folder.c_str());
    setDirectoryGenerationMode(DGM_NoSubdirectory);
    setFilenameGenerationMode(FGM_SOPInstanceUID);
    setFilenameExtension(".dcm");
    const OFList<OFString> ts = decodableSyntaxes();
    for (const char* sopClass : storageClasses()) {
      addPresentationContext(sopClass, ts);
    }
    // (C-ECHO is there already: an abstract syntax added twice makes the profile invalid)
  }

  void start()
  {
    if (const OFCondition p = getConfig().setAndCheckAssociationProfile("DEFAULT"); p.bad()) {
      throw Error(ErrorCode::Internal,
                  std::string("the C-MOVE receiver's presentation contexts: ") + p.text());
    }
    const OFCondition c = openListenPort();
    if (c.bad()) {
      throw Error(ErrorCode::Network, "cannot receive the C-MOVE: port " +
                                        std::to_string(getConfig().getPort()) + " cannot be opened (" +
                                        c.text() + "); set another receive_port, or retrieve by C-GET");
    }
    m_thread = std::thread([this] { acceptAssociations(); });
  }

  void stop()
  {
    m_stop = true;
    if (m_thread.joinable()) {
      m_thread.join();
    }
  }

  ~MoveReceiver() override { stop(); }

protected:
  OFBool checkCalledAETitleAccepted(const OFString& calledAE) override { return calledAE == m_aeTitle; }
  OFBool stopAfterConnectionTimeout() override { return m_stop.load() ? OFTrue : OFFalse; }
  OFBool stopAfterCurrentAssociation() override { return m_stop.load() ? OFTrue : OFFalse; }

private:
  OFString m_aeTitle;
  std::atomic<bool> m_stop{ false };
  std::thread m_thread;
};

std::string value(DcmItem& d, const DcmTagKey& tag)
{
  return dicom::text(d, tag);
}

int number(DcmItem& d, const DcmTagKey& tag)
{
  return dicom::integer(d, tag, 0);
}

std::string statusText(Uint16 status)
{
  char b[8];
  std::snprintf(b, sizeof b, "%04X", status);
  return std::string("0x") + b;
}

/// Whether an error is worth another try (the network, not the PACS's answer or our settings).
bool retryable(const Error& e)
{
  return dynamic_cast<const TransientError*>(&e) != nullptr;
}

void removeQuietly(const std::filesystem::path& p)
{
  std::error_code ec;
  std::filesystem::remove_all(p, ec);
}

void removeIfEmpty(const std::filesystem::path& p)
{
  std::error_code ec;
  if (std::filesystem::is_empty(p, ec) && !ec) {
    std::filesystem::remove(p, ec);
  }
}

/// How long a C-MOVE waits for the PACS's next answer at least: images flow on the other association
/// meanwhile, and a PACS need not answer between them.
constexpr int kMoveAnswerTimeoutS = 600;

/// Staging folders ".incoming-<pid>-..." (and ".old-<pid>-...") of processes that are gone: left by a
/// crash or a kill, never complete.
void removeAbandonedStaging(const std::filesystem::path& studyFolder)
{
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(studyFolder, ec)) {
    const std::string name = e.path().filename().string();
    for (const char* prefix : { ".incoming-", ".old-" }) {
      if (name.rfind(prefix, 0) == 0) {
        const long pid = std::atol(name.c_str() + std::strlen(prefix));
        if (pid > 0 && pid != ::getpid() && ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) {
          removeQuietly(e.path());
        }
      }
    }
  }
}

/// A series received into a folder of its own, removed unless committed.
struct StagingFolder
{
  explicit StagingFolder(std::filesystem::path p)
    : path(std::move(p))
  {
    std::error_code ec;
    std::filesystem::create_directories(path, ec);
    if (ec) {
      throw Error(ErrorCode::Io,
                  "cannot write into the cache " + path.parent_path().string() + ": " + ec.message());
    }
  }
  ~StagingFolder() { discard(); }
  StagingFolder(const StagingFolder&) = delete;
  StagingFolder& operator=(const StagingFolder&) = delete;

  void discard()
  {
    if (!path.empty()) {
      removeQuietly(path);
      path.clear();
    }
  }

  /// Moves the folder to `target`. A complete `target` already there stays (another retrieve made it
  /// meanwhile: false) unless `replace`, when it is swapped out and removed only once the new one is in.
  bool commit(const std::filesystem::path& target, bool replace)
  {
    if (std::filesystem::exists(target)) {
      if (!replace) {
        discard();
        return false;
      }
      const std::filesystem::path old =
        target.parent_path() / (".old-" + std::to_string(::getpid()) + "-" + target.filename().string());
      std::filesystem::rename(target, old);
      try {
        std::filesystem::rename(path, target);
      } catch (const std::filesystem::filesystem_error&) {
        std::error_code ec;
        std::filesystem::rename(old, target, ec); // (the old copy back)
        throw;
      }
      removeQuietly(old);
    } else {
      std::filesystem::rename(path, target);
    }
    path.clear();
    return true;
  }

  std::filesystem::path path;
};

} // namespace

// ---- settings -----------------------------------------------------------------------------------

const PacsServer& PacsSettings::server(const std::string& name) const
{
  if (servers.empty()) {
    throw Error(ErrorCode::NotFound,
                "no PACS is configured: add one (drgplan-cli pacs add NAME --ae AE --host "
                "HOST --port PORT)");
  }
  if (name.empty()) {
    return servers.front();
  }
  std::string names;
  for (const PacsServer& s : servers) {
    if (s.name == name) {
      return s;
    }
    names += (names.empty() ? "" : ", ") + s.name;
  }
  throw Error(ErrorCode::NotFound, "no PACS is called '" + name + "' (there are: " + names + ")");
}

std::filesystem::path defaultPacsSettingsPath()
{
  return std::filesystem::path(homeFolder("XDG_CONFIG_HOME", ".config")) / "drgplan" / "pacs.json";
}

std::filesystem::path defaultPacsCacheFolder()
{
  return std::filesystem::path(homeFolder("XDG_CACHE_HOME", ".cache")) / "drgplan" / "pacs";
}

PacsSettings loadPacsSettings(const std::filesystem::path& file)
{
  std::ifstream in(file);
  if (!in) {
    throw Error(ErrorCode::NotFound,
                "no PACS settings at " + file.string() +
                  " (drgplan-cli pacs add NAME --ae AE --host HOST --port PORT writes them)");
  }
  json j;
  try {
    j = json::parse(in);
  } catch (const json::exception& e) {
    throw Error(ErrorCode::Format, file.string() + " is not JSON: " + e.what());
  }
  PacsSettings s;
  try {
    s.localAeTitle = j.value("local_ae_title", s.localAeTitle);
    s.receivePort = j.value("receive_port", s.receivePort);
    s.cacheFolder = j.value("cache_folder", defaultPacsCacheFolder().string());
    for (const json& e : j.value("servers", json::array())) {
      PacsServer p;
      p.name = e.at("name").get<std::string>();
      p.aeTitle = e.at("ae_title").get<std::string>();
      p.host = e.at("host").get<std::string>();
      p.port = e.at("port").get<int>();
      p.connectTimeoutS = e.value("connect_timeout_s", p.connectTimeoutS);
      p.dimseTimeoutS = e.value("dimse_timeout_s", p.dimseTimeoutS);
      p.tls = e.value("tls", false);
      p.tlsCaFile = e.value("tls_ca_file", std::string());
      p.tlsCertificate = e.value("tls_certificate", std::string());
      p.tlsPrivateKey = e.value("tls_private_key", std::string());
      s.servers.push_back(p);
    }
  } catch (const json::exception& e) {
    throw Error(ErrorCode::Format, file.string() + ": " + e.what());
  }
  checkSettings(s);
  return s;
}

void savePacsSettings(const PacsSettings& s, const std::filesystem::path& file)
{
  checkSettings(s);
  json servers = json::array();
  for (const PacsServer& p : s.servers) {
    json e = { { "name", p.name },
               { "ae_title", p.aeTitle },
               { "host", p.host },
               { "port", p.port },
               { "connect_timeout_s", p.connectTimeoutS },
               { "dimse_timeout_s", p.dimseTimeoutS },
               { "tls", p.tls } };
    if (p.tls) {
      e["tls_ca_file"] = p.tlsCaFile;
      e["tls_certificate"] = p.tlsCertificate;
      e["tls_private_key"] = p.tlsPrivateKey;
    }
    servers.push_back(e);
  }
  const json j = { { "local_ae_title", s.localAeTitle },
                   { "receive_port", s.receivePort },
                   { "cache_folder", s.cacheFolder.string() },
                   { "servers", servers } };
  std::filesystem::create_directories(file.parent_path().empty() ? std::filesystem::path(".")
                                                                 : file.parent_path());
  writeFileAtomically(file, j.dump(2) + "\n");
}

// ---- the client -------------------------------------------------------------------------------

PacsClient::PacsClient(PacsSettings settings, const std::string& serverName)
  : m_settings(std::move(settings))
  , m_server(m_settings.server(serverName))
{
  if (m_settings.cacheFolder.empty()) {
    m_settings.cacheFolder = defaultPacsCacheFolder();
  }
}

double PacsClient::echo()
{
  Scu scu(m_settings, m_server, {});
  scu.addPresentationContext(UID_VerificationSOPClass, plainSyntaxes());
  scu.open("C-ECHO");
  const auto start = std::chrono::steady_clock::now();
  scu.exchanged(scu.sendECHORequest(0), "the C-ECHO");
  const double ms =
    std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  scu.releaseAssociation();
  return ms;
}

namespace
{

/// One C-FIND (Study Root) with `keys`: each match handed to `onMatch`; throws when the PACS reports
/// failure. `what` names it in messages ("study search").
void cfind(const PacsSettings& settings, const PacsServer& server, DcmDataset& keys, const std::string& what,
           const std::function<void(DcmDataset&)>& onMatch)
{
  Scu scu(settings, server, {});
  scu.addPresentationContext(UID_FINDStudyRootQueryRetrieveInformationModel, plainSyntaxes());
  scu.open("a " + what + " (C-FIND)");
  OFList<QRResponse*> responses;
  const T_ASC_PresentationContextID pc =
    scu.findPresentationContextID(UID_FINDStudyRootQueryRetrieveInformationModel, "");
  const OFCondition c = scu.sendFINDRequest(pc, &keys, &responses);
  Uint16 final = STATUS_Success;
  for (QRResponse* r : responses) {
    std::unique_ptr<QRResponse> owned(r);
    if (r->m_dataset != nullptr && (r->m_status == STATUS_FIND_Pending_MatchesAreContinuing ||
                                    r->m_status == STATUS_FIND_Pending_WarningUnsupportedOptionalKeys)) {
      onMatch(*r->m_dataset);
    } else {
      final = r->m_status;
    }
  }
  scu.exchanged(c, "the " + what);
  if (final != STATUS_Success) {
    throw Error(ErrorCode::Network,
                where(server) + " reported the " + what + " as failed (status " + statusText(final) + ")");
  }
  scu.releaseAssociation();
}

} // namespace

std::vector<PacsStudy> PacsClient::findStudies(const PacsQuery& q)
{
  static const std::regex dateOrRange("^([0-9]{8})?(-([0-9]{8})?)?$");
  for (const auto& [value, what] : { std::pair<std::string, const char*>{ q.studyDate, "study date" },
                                     std::pair<std::string, const char*>{ q.birthDate, "birth date" } }) {
    if (!std::regex_match(value, dateOrRange) || value == "-") {
      throw Error(ErrorCode::InvalidArgument,
                  std::string("the ") + what + " '" + value +
                    "' is not YYYYMMDD or a range YYYYMMDD-YYYYMMDD (e.g. 20240101-)");
    }
  }
  DcmDataset keys;
  keys.putAndInsertString(DCM_QueryRetrieveLevel, "STUDY");
  keys.putAndInsertString(DCM_StudyInstanceUID, q.studyUid.c_str());
  keys.putAndInsertString(DCM_PatientName, q.patientName.c_str());
  keys.putAndInsertString(DCM_PatientID, q.patientId.c_str());
  keys.putAndInsertString(DCM_PatientBirthDate, q.birthDate.c_str());
  keys.putAndInsertString(DCM_StudyDate, q.studyDate.c_str());
  keys.putAndInsertString(DCM_StudyTime, "");
  keys.putAndInsertString(DCM_StudyDescription, "");
  keys.putAndInsertString(DCM_AccessionNumber, q.accessionNumber.c_str());
  keys.putAndInsertString(DCM_ModalitiesInStudy, q.modality.c_str());
  keys.putAndInsertString(DCM_NumberOfStudyRelatedSeries, "");
  keys.putAndInsertString(DCM_NumberOfStudyRelatedInstances, "");
  std::vector<PacsStudy> studies;
  cfind(m_settings, m_server, keys, "study search", [&](DcmDataset& d) {
    PacsStudy s;
    s.studyUid = value(d, DCM_StudyInstanceUID);
    s.patientName = value(d, DCM_PatientName);
    s.patientId = value(d, DCM_PatientID);
    s.birthDate = value(d, DCM_PatientBirthDate);
    s.studyDate = value(d, DCM_StudyDate);
    s.studyTime = value(d, DCM_StudyTime);
    s.description = value(d, DCM_StudyDescription);
    s.accessionNumber = value(d, DCM_AccessionNumber);
    s.modalities = value(d, DCM_ModalitiesInStudy);
    s.series = number(d, DCM_NumberOfStudyRelatedSeries);
    s.instances = number(d, DCM_NumberOfStudyRelatedInstances);
    studies.push_back(s);
  });
  return studies;
}

std::vector<PacsSeries> PacsClient::findSeries(const std::string& studyUid, const PacsQuery& q)
{
  if (studyUid.empty()) {
    throw Error(ErrorCode::InvalidArgument, "a series search needs the study's UID");
  }
  DcmDataset keys;
  keys.putAndInsertString(DCM_QueryRetrieveLevel, "SERIES");
  keys.putAndInsertString(DCM_StudyInstanceUID, studyUid.c_str());
  keys.putAndInsertString(DCM_SeriesInstanceUID, "");
  keys.putAndInsertString(DCM_Modality, q.modality.c_str());
  keys.putAndInsertString(DCM_SeriesDescription, "");
  keys.putAndInsertString(DCM_SeriesNumber, "");
  keys.putAndInsertString(DCM_NumberOfSeriesRelatedInstances, "");
  std::vector<PacsSeries> series;
  cfind(m_settings, m_server, keys, "series search", [&](DcmDataset& d) {
    PacsSeries s;
    s.studyUid = studyUid;
    s.seriesUid = value(d, DCM_SeriesInstanceUID);
    s.modality = value(d, DCM_Modality);
    s.description = value(d, DCM_SeriesDescription);
    s.seriesNumber = value(d, DCM_SeriesNumber);
    s.instances = number(d, DCM_NumberOfSeriesRelatedInstances);
    series.push_back(s);
  });
  return series;
}

RetrieveResult PacsClient::retrieve(const std::string& studyUid, const std::string& seriesUid,
                                    RetrieveMethod method, const PacsProgress& progress, bool refresh)
{
  if (studyUid.empty() || seriesUid.empty()) {
    throw Error(ErrorCode::InvalidArgument, "a retrieve needs the study's and the series' UIDs");
  }
  for (const std::string& uid : { studyUid, seriesUid }) {
    if (uid.find_first_not_of("0123456789.") != std::string::npos || uid.size() > 64) {
      throw Error(ErrorCode::InvalidArgument, "'" + uid + "' is not a DICOM UID");
    }
  }
  const auto start = std::chrono::steady_clock::now();
  const std::filesystem::path studyFolder = m_settings.cacheFolder / studyUid;
  const std::filesystem::path folder = studyFolder / seriesUid;
  RetrieveResult result;
  result.folder = folder;
  if (!refresh && std::filesystem::is_directory(folder)) {
    result.fromCache = true;
    for (const auto& e : std::filesystem::directory_iterator(folder)) {
      result.received += e.is_regular_file() ? 1 : 0;
    }
    return result;
  }
  std::error_code ec;
  std::filesystem::create_directories(studyFolder, ec);
  if (ec) {
    throw Error(ErrorCode::Io,
                "cannot create the cache folder " + studyFolder.string() + ": " + ec.message());
  }
  const std::string what =
    std::string(method == RetrieveMethod::Get ? "C-GET" : "C-MOVE") + " of series " + seriesUid;
  removeAbandonedStaging(studyFolder);
  std::mt19937_64 random(std::random_device{}());
  for (int attempt = 1;; ++attempt) {
    // received into a staging folder (named with our process, so that one left by a crash is known
    // as abandoned): the series' folder appears only complete
    StagingFolder staging(studyFolder / (".incoming-" + std::to_string(::getpid()) + "-" +
                                         std::to_string(random() % 1000000000ull) + "-" + seriesUid));
    try {
      DcmDataset keys;
      keys.putAndInsertString(DCM_QueryRetrieveLevel, "SERIES");
      keys.putAndInsertString(DCM_StudyInstanceUID, studyUid.c_str());
      keys.putAndInsertString(DCM_SeriesInstanceUID, seriesUid.c_str());
      OFList<RetrieveResponse*> responses;
      Scu scu(m_settings, m_server, progress);
      std::unique_ptr<MoveReceiver> receiver;
      OFCondition c;
      if (method == RetrieveMethod::Get) {
        scu.addPresentationContext(UID_GETStudyRootQueryRetrieveInformationModel, plainSyntaxes());
        const OFList<OFString> ts = decodableSyntaxes();
        for (const char* sopClass : storageClasses()) {
          scu.addPresentationContext(sopClass, ts, ASC_SC_ROLE_SCP);
        }
        scu.setStorageMode(DCMSCU_STORAGE_DISK);
        scu.setStorageDir(staging.path.c_str());
        scu.open("the " + what);
        const T_ASC_PresentationContextID pc =
          scu.findPresentationContextID(UID_GETStudyRootQueryRetrieveInformationModel, "");
        c = scu.sendCGETRequest(pc, &keys, &responses);
      } else {
        receiver = std::make_unique<MoveReceiver>(m_settings, staging.path);
        receiver->start();
        scu.addPresentationContext(UID_MOVEStudyRootQueryRetrieveInformationModel, plainSyntaxes());
        // (a PACS need not answer while the images flow on the other association)
        scu.setDIMSETimeout(static_cast<Uint32>(std::max(m_server.dimseTimeoutS, kMoveAnswerTimeoutS)));
        scu.open("the " + what);
        const T_ASC_PresentationContextID pc =
          scu.findPresentationContextID(UID_MOVEStudyRootQueryRetrieveInformationModel, "");
        c = scu.sendMOVERequest(pc, m_settings.localAeTitle.c_str(), &keys, &responses);
        receiver->stop();
      }
      // the final response says how it went
      Uint16 status = STATUS_Success;
      int completed = 0, failed = 0, warnings = 0;
      for (RetrieveResponse* r : responses) {
        std::unique_ptr<RetrieveResponse> owned(r);
        status = r->m_status;
        completed = r->m_numberOfCompletedSubops;
        failed = r->m_numberOfFailedSubops;
        warnings = r->m_numberOfWarningSubops;
      }
      if (scu.cancelled()) {
        throw Error(ErrorCode::Cancelled, "the retrieve was cancelled; nothing was kept in the cache");
      }
      scu.exchanged(c, "the " + what);
      scu.releaseAssociation();
      int files = 0;
      for (const auto& e : std::filesystem::directory_iterator(staging.path)) {
        files += e.is_regular_file() ? 1 : 0;
      }
      if (status == STATUS_MOVE_Failed_MoveDestinationUnknown) {
        throw Error(ErrorCode::Network,
                    where(m_server) + " does not know where to send our C-MOVE: register our AE title '" +
                      m_settings.localAeTitle + "' there with this computer's address and port " +
                      std::to_string(m_settings.receivePort) + " (or retrieve by C-GET)");
      }
      if (files == 0 && failed == 0 && completed > 0) {
        throw Error(ErrorCode::Network,
                    where(m_server) + " reports " + std::to_string(completed) +
                      " object(s) sent, and none arrived here: it sends our AE title's images to "
                      "another address or port than " +
                      std::to_string(m_settings.receivePort) + " on this computer (check its entry for '" +
                      m_settings.localAeTitle + "')");
      }
      if (files == 0 && failed == 0) {
        const bool reportedFailure = status != STATUS_Success;
        throw Error(
          reportedFailure ? ErrorCode::Network : ErrorCode::NotFound,
          where(m_server) + " sent nothing for series " + seriesUid + " of study " + studyUid +
            (reportedFailure ? " and reported failure (status " + statusText(status) + ")" : std::string()) +
            ": is the series there (drgplan-cli pacs find --study " + studyUid +
            " lists what is), and of a kind drgplan retrieves (images, SR, SEG, PDF)? Nothing was kept in "
            "the cache");
      }
      if (failed > 0 || (status != STATUS_Success &&
                         status != STATUS_MOVE_Warning_SubOperationsCompleteOneOrMoreFailures)) {
        throw Error(ErrorCode::Network, where(m_server) + " reported the " + what +
                                          " as incomplete (status " + statusText(status) +
                                          "): " + std::to_string(files) + " object(s) arrived, " +
                                          std::to_string(failed) + " failed; nothing was kept in the cache");
      }
      if (files < completed + warnings) {
        throw Error(ErrorCode::Network, "only " + std::to_string(files) + " of the " +
                                          std::to_string(completed + warnings) + " objects of the " + what +
                                          " arrived; nothing was kept in the cache");
      }
      // what arrived must be DICOM we can read, and of the series asked for (the receiver takes what
      // any peer sends it while it listens)
      const DicomScan scan = scanDicom(staging.path);
      if (scan.unreadableSkipped + scan.nonDicomSkipped > 0) {
        throw Error(ErrorCode::Format, std::to_string(scan.unreadableSkipped + scan.nonDicomSkipped) +
                                         " of the " + std::to_string(files) + " objects " + where(m_server) +
                                         " sent cannot be read as DICOM; nothing was kept in the cache");
      }
      for (const auto& patient : scan.patients) {
        for (const auto& study : patient.studies) {
          for (const auto& series : study.series) {
            if (study.studyUid != studyUid || series.seriesUid != seriesUid) {
              throw Error(ErrorCode::Format, "objects of another series (" + series.seriesUid + " of study " +
                                               study.studyUid + ") arrived during the " + what +
                                               "; nothing was kept in the cache");
            }
          }
        }
      }
      // into place; a copy being replaced (refresh) goes only once the new one is there
      const bool replaced = staging.commit(folder, refresh);
      result.fromCache = !replaced && !refresh;
      result.received = files;
      result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      return result;
    } catch (const Error& e) {
      staging.discard();
      removeIfEmpty(studyFolder);
      if (attempt < 3 && retryable(e)) {
        std::this_thread::sleep_for(std::chrono::seconds(attempt));
        continue;
      }
      throw;
    } catch (const std::filesystem::filesystem_error& e) {
      staging.discard();
      removeIfEmpty(studyFolder);
      throw Error(ErrorCode::Io, std::string("cannot put the series into the cache: ") + e.what());
    }
  }
}

int PacsClient::send(const std::vector<std::filesystem::path>& files, const PacsProgress& progress)
{
  if (files.empty()) {
    throw Error(ErrorCode::InvalidArgument, "nothing to send");
  }
  dicom::registerCodecs();
  // what each file is, to propose it as it is stored
  struct Item
  {
    std::filesystem::path file;
    std::string sopClass, syntax;
  };
  std::vector<Item> items;
  std::set<std::pair<std::string, std::string>> contexts;
  for (const auto& f : files) {
    DcmFileFormat ff;
    if (ff.loadFile(f.c_str(), EXS_Unknown, EGL_noChange, 256, ERM_autoDetect).bad()) {
      throw Error(ErrorCode::Format, f.string() + " is not a readable DICOM file: nothing was sent");
    }
    Item item{ f, value(*ff.getDataset(), DCM_SOPClassUID), "" };
    OFString ts;
    ff.getMetaInfo()->findAndGetOFString(DCM_TransferSyntaxUID, ts);
    item.syntax = ts.empty() ? UID_LittleEndianExplicitTransferSyntax : ts.c_str();
    if (item.sopClass.empty()) {
      throw Error(ErrorCode::Format, f.string() + " has no SOP class: nothing was sent");
    }
    contexts.insert({ item.sopClass, item.syntax });
    items.push_back(item);
  }
  if (contexts.size() > 120) {
    throw Error(ErrorCode::Unsupported, "the files use " + std::to_string(contexts.size()) +
                                          " kinds of object and encoding: send them in smaller groups");
  }
  Scu scu(m_settings, m_server, {});
  for (const auto& [sopClass, syntax] : contexts) {
    OFList<OFString> ts;
    ts.push_back(syntax.c_str());
    if (syntax != UID_LittleEndianExplicitTransferSyntax) {
      ts.push_back(UID_LittleEndianExplicitTransferSyntax);
    }
    scu.addPresentationContext(sopClass.c_str(), ts);
  }
  scu.open("sending (C-STORE)");
  std::vector<std::string> refused;
  int stored = 0;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (scu.findAnyPresentationContextID(items[i].sopClass.c_str(), items[i].syntax.c_str()) == 0) {
      refused.push_back(items[i].file.filename().string() + " (the PACS accepts no " + items[i].sopClass +
                        ")");
      continue;
    }
    Uint16 status = 0;
    const OFCondition c = scu.sendSTORERequest(0, items[i].file.c_str(), nullptr, status);
    scu.exchanged(c, "sending " + items[i].file.filename().string());
    if (status == STATUS_Success || (status & 0xF000) == 0xB000) {
      ++stored;
    } else {
      refused.push_back(items[i].file.filename().string() + " (status " + statusText(status) + ")");
    }
    if (progress && !progress(static_cast<int>(i + 1), static_cast<int>(items.size()))) {
      scu.releaseAssociation();
      throw Error(ErrorCode::Cancelled, "sending was cancelled after " + std::to_string(stored) + " objects");
    }
  }
  scu.releaseAssociation();
  if (!refused.empty()) {
    std::string list;
    for (std::size_t i = 0; i < refused.size() && i < 5; ++i) {
      list += (i ? ", " : "") + refused[i];
    }
    throw Error(ErrorCode::Network, where(m_server) + " stored " + std::to_string(stored) + " and refused " +
                                      std::to_string(refused.size()) + " of " + std::to_string(items.size()) +
                                      " objects: " + list);
  }
  return stored;
}

} // namespace drg::imaging
