#pragma once
// Internal: the C-STORE receiver of a C-MOVE.

#include "drg/imaging/Pacs.h"

#include <dcmtk/dcmnet/dstorscp.h>

#include <atomic>
#include <filesystem>
#include <thread>

namespace drg::imaging::pacs
{

/// The C-STORE receiver a C-MOVE sends to: listens on our port with our AE title, writes each object
/// as <SOP instance UID>.dcm into a folder, until told to stop.
class MoveReceiver : public DcmStorageSCP
{
public:
  MoveReceiver(const PacsSettings& s, const std::filesystem::path& folder);
  /// Opens the port and accepts associations on a thread of its own. Throws drg::Error(Network) when
  /// the port cannot be opened.
  void start();
  /// Ends the listening (at its next 1 s connection timeout, or when the association it serves ends)
  /// and joins the thread.
  void stop();
  ~MoveReceiver() override;

protected:
  OFBool checkCalledAETitleAccepted(const OFString& calledAE) override { return calledAE == m_aeTitle; }
  OFBool stopAfterConnectionTimeout() override { return m_stop.load() ? OFTrue : OFFalse; }
  OFBool stopAfterCurrentAssociation() override { return m_stop.load() ? OFTrue : OFFalse; }

private:
  OFString m_aeTitle;
  std::atomic<bool> m_stop{ false };
  std::thread m_thread;
};

} // namespace drg::imaging::pacs
