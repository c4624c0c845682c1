// The PACS client's calls (DCMTK dcmnet): C-ECHO, C-FIND at study and series level, C-STORE.
#include "drg/imaging/Pacs.h"

#include "pacs/PacsScu.h"
#include "pacs/PresentationContexts.h"

#include "dicom/DicomCommon.h"

#include "drg/imaging/Error.h"

#include <dcmtk/dcmdata/dctk.h>

#include <chrono>
#include <functional>
#include <memory>
#include <regex>
#include <set>

namespace drg::imaging
{
namespace
{

using namespace pacs;

std::string value(DcmItem& d, const DcmTagKey& tag)
{
  return dicom::text(d, tag);
}

int number(DcmItem& d, const DcmTagKey& tag)
{
  return dicom::integer(d, tag, 0);
}

} // namespace

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
  PacsScu scu(m_settings, m_server, {});
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
  PacsScu scu(settings, server, {});
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
  PacsScu scu(m_settings, m_server, {});
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
