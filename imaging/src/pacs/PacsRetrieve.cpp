// PacsClient::retrieve: one series by C-GET or C-MOVE into the cache, complete or not at all.
#include "drg/imaging/Pacs.h"

#include "pacs/MoveReceiver.h"
#include "pacs/PacsScu.h"
#include "pacs/PresentationContexts.h"
#include "pacs/StagingFolder.h"

#include "drg/imaging/DicomSeriesIndex.h"
#include "drg/imaging/Error.h"

#include <dcmtk/dcmdata/dctk.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <random>
#include <string>
#include <thread>

#include <unistd.h>

namespace drg::imaging
{
namespace
{

using namespace pacs;

/// How long a C-MOVE waits for the PACS's next answer at least: images flow on the other association
/// meanwhile, and a PACS need not answer between them.
constexpr int kMoveAnswerTimeoutS = 600;

/// What the final C-GET/C-MOVE response says: its status and the sub-operations' counts.
struct RetrieveOutcome
{
  Uint16 status = STATUS_Success;
  int completed = 0, failed = 0, warnings = 0;
};

/// One retrieve of series `seriesUid` of study `studyUid` from `server`; `what` names it in messages
/// ("C-GET of series 1.2.3").
struct SeriesRetrieval
{
  const PacsSettings& settings;
  const PacsServer& server;
  const std::string& studyUid;
  const std::string& seriesUid;
  RetrieveMethod method;
  std::string what;

  /// Asks for the series and receives its objects into `folder`; the association is released after.
  /// Throws drg::Error(Cancelled) when `progress` cancelled, drg::Error(Network) (or TransientError)
  /// when the exchange failed.
  RetrieveOutcome transfer(const std::filesystem::path& folder, const PacsProgress& progress) const
  {
    DcmDataset keys;
    keys.putAndInsertString(DCM_QueryRetrieveLevel, "SERIES");
    keys.putAndInsertString(DCM_StudyInstanceUID, studyUid.c_str());
    keys.putAndInsertString(DCM_SeriesInstanceUID, seriesUid.c_str());
    OFList<RetrieveResponse*> responses;
    PacsScu scu(settings, server, progress);
    std::unique_ptr<MoveReceiver> receiver;
    OFCondition c;
    if (method == RetrieveMethod::Get) {
      scu.addPresentationContext(UID_GETStudyRootQueryRetrieveInformationModel, plainSyntaxes());
      const OFList<OFString> ts = decodableSyntaxes();
      for (const char* sopClass : storageClasses()) {
        scu.addPresentationContext(sopClass, ts, ASC_SC_ROLE_SCP);
      }
      scu.setStorageMode(DCMSCU_STORAGE_DISK);
      scu.setStorageDir(folder.c_str());
      scu.open("the " + what);
      const T_ASC_PresentationContextID pc =
        scu.findPresentationContextID(UID_GETStudyRootQueryRetrieveInformationModel, "");
      c = scu.sendCGETRequest(pc, &keys, &responses);
    } else {
      receiver = std::make_unique<MoveReceiver>(settings, folder);
      receiver->start();
      scu.addPresentationContext(UID_MOVEStudyRootQueryRetrieveInformationModel, plainSyntaxes());
      // (a PACS need not answer while the images flow on the other association)
      scu.setDIMSETimeout(static_cast<Uint32>(std::max(server.dimseTimeoutS, kMoveAnswerTimeoutS)));
      scu.open("the " + what);
      const T_ASC_PresentationContextID pc =
        scu.findPresentationContextID(UID_MOVEStudyRootQueryRetrieveInformationModel, "");
      c = scu.sendMOVERequest(pc, settings.localAeTitle.c_str(), &keys, &responses);
      receiver->stop();
    }
    // the final response says how it went
    RetrieveOutcome outcome;
    for (RetrieveResponse* r : responses) {
      std::unique_ptr<RetrieveResponse> owned(r);
      outcome.status = r->m_status;
      outcome.completed = r->m_numberOfCompletedSubops;
      outcome.failed = r->m_numberOfFailedSubops;
      outcome.warnings = r->m_numberOfWarningSubops;
    }
    if (scu.cancelled()) {
      throw Error(ErrorCode::Cancelled, "the retrieve was cancelled; nothing was kept in the cache");
    }
    scu.exchanged(c, "the " + what);
    scu.releaseAssociation();
    return outcome;
  }

  /// Throws unless the PACS reports the retrieve complete and `files` objects arrived for it.
  void checkOutcome(const RetrieveOutcome& o, int files) const
  {
    if (o.status == STATUS_MOVE_Failed_MoveDestinationUnknown) {
      throw Error(ErrorCode::Network,
                  where(server) + " does not know where to send our C-MOVE: register our AE title '" +
                    settings.localAeTitle + "' there with this computer's address and port " +
                    std::to_string(settings.receivePort) + " (or retrieve by C-GET)");
    }
    if (files == 0 && o.failed == 0 && o.completed > 0) {
      throw Error(ErrorCode::Network,
                  where(server) + " reports " + std::to_string(o.completed) +
                    " object(s) sent, and none arrived here: it sends our AE title's images to "
                    "another address or port than " +
                    std::to_string(settings.receivePort) + " on this computer (check its entry for '" +
                    settings.localAeTitle + "')");
    }
    if (files == 0 && o.failed == 0) {
      const bool reportedFailure = o.status != STATUS_Success;
      throw Error(
        reportedFailure ? ErrorCode::Network : ErrorCode::NotFound,
        where(server) + " sent nothing for series " + seriesUid + " of study " + studyUid +
          (reportedFailure ? " and reported failure (status " + statusText(o.status) + ")" : std::string()) +
          ": is the series there (drgplan-cli pacs find --study " + studyUid +
          " lists what is), and of a kind drgplan retrieves (images, SR, SEG, PDF)? Nothing was kept in "
          "the cache");
    }
    if (o.failed > 0 || (o.status != STATUS_Success &&
                         o.status != STATUS_MOVE_Warning_SubOperationsCompleteOneOrMoreFailures)) {
      throw Error(ErrorCode::Network, where(server) + " reported the " + what + " as incomplete (status " +
                                        statusText(o.status) + "): " + std::to_string(files) +
                                        " object(s) arrived, " + std::to_string(o.failed) +
                                        " failed; nothing was kept in the cache");
    }
    if (files < o.completed + o.warnings) {
      throw Error(ErrorCode::Network, "only " + std::to_string(files) + " of the " +
                                        std::to_string(o.completed + o.warnings) + " objects of the " + what +
                                        " arrived; nothing was kept in the cache");
    }
  }

  /// What arrived in `folder` must be DICOM we can read, and of the series asked for (the receiver
  /// takes what any peer sends it while it listens).
  void checkArrived(const std::filesystem::path& folder, int files) const
  {
    const DicomScan scan = scanDicom(folder);
    if (scan.unreadableSkipped + scan.nonDicomSkipped > 0) {
      throw Error(ErrorCode::Format, std::to_string(scan.unreadableSkipped + scan.nonDicomSkipped) +
                                       " of the " + std::to_string(files) + " objects " + where(server) +
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
  }
};

/// The regular files in `folder`.
int countFiles(const std::filesystem::path& folder)
{
  int files = 0;
  for (const auto& e : std::filesystem::directory_iterator(folder)) {
    files += e.is_regular_file() ? 1 : 0;
  }
  return files;
}

} // namespace

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
    result.received = countFiles(folder);
    return result;
  }
  std::error_code ec;
  std::filesystem::create_directories(studyFolder, ec);
  if (ec) {
    throw Error(ErrorCode::Io,
                "cannot create the cache folder " + studyFolder.string() + ": " + ec.message());
  }
  const SeriesRetrieval retrieval{
    m_settings, m_server,
    studyUid,   seriesUid,
    method,     std::string(method == RetrieveMethod::Get ? "C-GET" : "C-MOVE") + " of series " + seriesUid
  };
  removeAbandonedStaging(studyFolder);
  std::mt19937_64 random(std::random_device{}());
  for (int attempt = 1;; ++attempt) {
    // received into a staging folder (named with our process, so that one left by a crash is known
    // as abandoned): the series' folder appears only complete
    StagingFolder staging(studyFolder / (".incoming-" + std::to_string(::getpid()) + "-" +
                                         std::to_string(random() % 1000000000ull) + "-" + seriesUid));
    try {
      const RetrieveOutcome outcome = retrieval.transfer(staging.path, progress);
      const int files = countFiles(staging.path);
      retrieval.checkOutcome(outcome, files);
      retrieval.checkArrived(staging.path, files);
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

} // namespace drg::imaging
