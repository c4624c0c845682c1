#pragma once
// Internal: the DCMTK SCU every PACS call goes through, and how its failures are told.

#include "drg/imaging/Error.h"
#include "drg/imaging/Pacs.h"

#include <dcmtk/dcmnet/scu.h>
#include <dcmtk/dcmtls/tlslayer.h>

#include <memory>
#include <string>

namespace drg::imaging::pacs
{

/// "the PACS 'name' (AE at host:port)", for messages.
std::string where(const PacsServer& s);

/// A DIMSE status in hexadecimal as the standard writes it ("0xA701").
std::string statusText(Uint16 status);

/// A network failure that may go away on its own (connection refused, no answer in time): the only
/// kind a retrieve tries again.
class TransientError : public Error
{
public:
  explicit TransientError(const std::string& message)
    : Error(ErrorCode::Network, message)
  {}
};

/// Whether an error is worth another try (the network, not the PACS's answer or our settings).
bool retryable(const Error& e);

/// Our DcmSCU: settings applied, TLS when asked, association errors turned into messages a user can
/// act on, retrieve progress and received files counted.
class PacsScu : public DcmSCU
{
public:
  /// Throws drg::Error when the TLS files of `server` cannot be used.
  PacsScu(const PacsSettings& settings, const PacsServer& server, const PacsProgress& progress);
  ~PacsScu() override;

  /// Negotiates the association for `what` (what the user asked, for the messages).
  void open(const std::string& what);
  /// Throws for a failed DIMSE exchange (`c` bad) during `what`.
  void exchanged(OFCondition c, const std::string& what);
  /// Whether the progress callback cancelled the retrieve.
  bool cancelled() const { return m_cancelled; }

protected:
  OFCondition handleCGETResponse(const T_ASC_PresentationContextID presID, RetrieveResponse* response,
                                 OFBool& continueSession) override;
  OFCondition handleMOVEResponse(const T_ASC_PresentationContextID presID, RetrieveResponse* response,
                                 OFBool& waitForNext) override;
  OFCondition handleSTORERequest(const T_ASC_PresentationContextID presID, DcmDataset* incoming,
                                 OFBool& continueSession, Uint16& status) override;

private:
  /// Progress from a C-GET/C-MOVE response; a cancel ends the session (`keepGoing`).
  void report(const RetrieveResponse* r, OFBool& keepGoing);

  PacsServer m_server;
  PacsProgress m_progress;
  std::unique_ptr<DcmTLSTransportLayer> m_tls;
  int m_received = 0, m_total = 0;
  bool m_cancelled = false;
};

} // namespace drg::imaging::pacs
