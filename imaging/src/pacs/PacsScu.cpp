// The DCMTK SCU of the PACS client: settings and TLS applied, failures told as what to check.
#include "pacs/PacsScu.h"

#include "dicom/DicomCommon.h"

#include <algorithm>
#include <cstdio>

namespace drg::imaging::pacs
{

std::string where(const PacsServer& s)
{
  return "the PACS '" + s.name + "' (" + s.aeTitle + " at " + s.host + ":" + std::to_string(s.port) + ")";
}

std::string statusText(Uint16 status)
{
  char b[8];
  std::snprintf(b, sizeof b, "%04X", status);
  return std::string("0x") + b;
}

bool retryable(const Error& e)
{
  return dynamic_cast<const TransientError*>(&e) != nullptr;
}

PacsScu::PacsScu(const PacsSettings& settings, const PacsServer& server, const PacsProgress& progress)
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

PacsScu::~PacsScu()
{
  if (isConnected()) {
    abortAssociation();
  }
}

void PacsScu::open(const std::string& what)
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
                                      std::string(getAETitle().c_str()) + "' and that its own AE title is '" +
                                      m_server.aeTitle + "'");
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
  if (has("Name or service not known") || has("Unknown host") || has("unknown host") || has("getaddrinfo")) {
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

void PacsScu::exchanged(OFCondition c, const std::string& what)
{
  if (c.good()) {
    return;
  }
  const std::string dcmtk = c.text();
  if (c == DUL_PEERABORTEDASSOCIATION) {
    throw Error(ErrorCode::Network, where(m_server) + " aborted the association during " + what +
                                      ": it may not allow our AE title '" +
                                      std::string(getAETitle().c_str()) +
                                      "' this service (register it at the PACS with the services it needs)");
  }
  if (c == DIMSE_NODATAAVAILABLE || dcmtk.find("imeout") != std::string::npos) {
    throw TransientError(where(m_server) + " did not answer " + what + " within " +
                         std::to_string(m_server.dimseTimeoutS) + " s (dimse_timeout_s)");
  }
  throw Error(ErrorCode::Network, what + " with " + where(m_server) + " failed: " + dcmtk);
}

OFCondition PacsScu::handleCGETResponse(const T_ASC_PresentationContextID presID, RetrieveResponse* response,
                                        OFBool& continueSession)
{
  const OFCondition c = DcmSCU::handleCGETResponse(presID, response, continueSession);
  report(response, continueSession);
  return c;
}

OFCondition PacsScu::handleMOVEResponse(const T_ASC_PresentationContextID presID, RetrieveResponse* response,
                                        OFBool& waitForNext)
{
  const OFCondition c = DcmSCU::handleMOVEResponse(presID, response, waitForNext);
  report(response, waitForNext);
  return c;
}

OFCondition PacsScu::handleSTORERequest(const T_ASC_PresentationContextID presID, DcmDataset* incoming,
                                        OFBool& continueSession, Uint16& status)
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

void PacsScu::report(const RetrieveResponse* r, OFBool& keepGoing)
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

} // namespace drg::imaging::pacs
