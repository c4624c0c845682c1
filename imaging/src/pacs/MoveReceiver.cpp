// The C-STORE receiver of a C-MOVE (DCMTK's DcmStorageSCP on a thread of its own).
#include "pacs/MoveReceiver.h"

#include "pacs/PresentationContexts.h"

#include "drg/imaging/Error.h"

#include <string>

namespace drg::imaging::pacs
{

MoveReceiver::MoveReceiver(const PacsSettings& s, const std::filesystem::path& folder)
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

void MoveReceiver::start()
{
  if (const OFCondition p = getConfig().setAndCheckAssociationProfile("DEFAULT"); p.bad()) {
    throw Error(ErrorCode::Internal, std::string("the C-MOVE receiver's presentation contexts: ") + p.text());
  }
  const OFCondition c = openListenPort();
  if (c.bad()) {
    throw Error(ErrorCode::Network, "cannot receive the C-MOVE: port " +
                                      std::to_string(getConfig().getPort()) + " cannot be opened (" +
                                      c.text() + "); set another receive_port, or retrieve by C-GET");
  }
  m_thread = std::thread([this] { acceptAssociations(); });
}

void MoveReceiver::stop()
{
  m_stop = true;
  if (m_thread.joinable()) {
    m_thread.join();
  }
}

MoveReceiver::~MoveReceiver()
{
  stop();
}

} // namespace drg::imaging::pacs
