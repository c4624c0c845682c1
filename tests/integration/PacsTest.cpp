// The PACS client against a real Orthanc on loopback: the real CT sent by C-STORE, found by C-FIND,
// retrieved by C-GET and by C-MOVE into the cache and loaded voxel for voxel as the direct load; an
// object of ours sent back and seen through Orthanc's REST API; and the failures a user meets
// (nothing listening, wrong AE title, a silent peer, a series that is not there), each with a clear
// message, exit code 8 (network) or 7 (not found), and nothing left in the cache.
#include "drg/imaging/Pacs.h"
#include "drg/imaging/DicomDocumentWriter.h"
#include "drg/imaging/DicomVolumeLoader.h"
#include "drg/imaging/Error.h"

#include "Orthanc.h"
#include "TestSupport.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <arpa/inet.h>
#include <csignal>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>

namespace
{
using drg::test::runCommand;

std::string cli()
{
  return DRG_CLI_PATH;
}

/// Files below `folder` (recursively).
int countFiles(const std::filesystem::path& folder)
{
  int n = 0;
  if (std::filesystem::exists(folder)) {
    for (const auto& e : std::filesystem::recursive_directory_iterator(folder)) {
      n += e.is_regular_file() ? 1 : 0;
    }
  }
  return n;
}

} // namespace

TEST(Pacs, RealCtThroughOrthancByGetAndMoveAndOurObjectBack)
{
  DRG_REQUIRE_TOOL("Orthanc");
  auto data = drg::test::sharedData();
  if (!data) {
    GTEST_SKIP() << "../shared/data is absent: skipping the PACS round trip of the real CT";
  }
  const std::filesystem::path series = *data / "ct-lumbar-totalseg" / "dicom";
  drg::test::TemporaryFolder dir("pacs");
  const int receivePort = drg::test::freePort();
  drg::test::Orthanc orthanc(dir.path() / "orthanc", "ORTHANCTEST", "DRGTEST", receivePort);
  ASSERT_TRUE(orthanc.started()) << orthanc.log();
  const std::string config = (dir.path() / "pacs.json").string();
  const std::string pacs = cli() + " pacs --config " + config;

  // the settings through the CLI: our AE title, receiver port, cache; the PACS entry
  auto r = runCommand(pacs + " add orthanc --ae ORTHANCTEST --host 127.0.0.1 --port " +
                      std::to_string(orthanc.dicomPort()) + " --local-ae DRGTEST --receive-port " +
                      std::to_string(receivePort) + " --cache " + (dir.path() / "cache").string() +
                      " --connect-timeout 5 --dimse-timeout 30");
  ASSERT_EQ(r.exitCode, 0) << r.output;
  r = runCommand(pacs + " servers");
  EXPECT_NE(r.output.find("ORTHANCTEST"), std::string::npos) << r.output;
  r = runCommand(pacs + " echo");
  ASSERT_EQ(r.exitCode, 0) << r.output << orthanc.log();
  EXPECT_NE(r.output.find("answers"), std::string::npos) << r.output;

  // upload the real CT (C-STORE), then find it
  r = runCommand(cli() + " -q pacs --config " + config + " send " + series.string());
  ASSERT_EQ(r.exitCode, 0) << r.output;
  EXPECT_NE(r.output.find("stored 112 objects"), std::string::npos) << r.output;
  const std::string patientId = drg::test::dicomValue(series, "PatientID");
  r = runCommand(pacs + " --json find --patient-id " + patientId + " --modality CT");
  ASSERT_EQ(r.exitCode, 0) << r.output;
  const auto studies = nlohmann::json::parse(r.output);
  ASSERT_EQ(studies.size(), 1u) << r.output;
  const std::string study = studies[0]["study_uid"];
  EXPECT_EQ(studies[0]["instances"], 112);
  r = runCommand(pacs + " find --patient-id NOBODY");
  EXPECT_EQ(r.exitCode, 0);
  EXPECT_NE(r.output.find("0 studies"), std::string::npos) << r.output;
  r = runCommand(pacs + " --json find --study " + study);
  ASSERT_EQ(r.exitCode, 0) << r.output;
  const auto found = nlohmann::json::parse(r.output);
  ASSERT_EQ(found.size(), 1u) << r.output;
  const std::string seriesUid = found[0]["series_uid"];
  EXPECT_EQ(found[0]["modality"], "CT");

  // retrieved by C-GET, then by C-MOVE: each loads as the direct load, voxel for voxel
  const drg::imaging::LoadedVolume direct = drg::imaging::loadDicom(series);
  for (const char* how : { "", " --move --refresh" }) {
    r = runCommand(pacs + " --json get " + study + " --series " + seriesUid + how);
    ASSERT_EQ(r.exitCode, 0) << how << ": " << r.output << orthanc.log().substr(0, 2000);
    const auto got = nlohmann::json::parse(r.output);
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0]["objects"], 112) << how;
    EXPECT_EQ(got[0]["from_cache"], false) << how;
    const std::filesystem::path folder = got[0]["folder"].get<std::string>();
    EXPECT_EQ(folder, dir.path() / "cache" / study / seriesUid);
    const drg::imaging::LoadedVolume back = drg::imaging::loadDicom(folder);
    ASSERT_EQ(back.volume.geometry().size, direct.volume.geometry().size) << how;
    EXPECT_LT((back.volume.geometry().origin - direct.volume.geometry().origin).norm(), 1e-6);
    EXPECT_EQ(back.volume.voxels() == direct.volume.voxels(), true) << how << ": voxels differ";
    // nothing else in the study's folder (no staging left)
    int entries = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir.path() / "cache" / study)) {
      ++entries;
    }
    EXPECT_EQ(entries, 1) << how;
  }
  r = runCommand(pacs + " get " + study + " --series " + seriesUid);
  EXPECT_NE(r.output.find("in the cache already"), std::string::npos) << r.output;

  // an object of ours sent back: Orthanc has it (REST API)
  const std::filesystem::path pdf = dir.path() / "tiny.pdf";
  std::ofstream(pdf) << "%PDF-1.4\n%drgplan test\n";
  std::ifstream in(pdf);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  drg::imaging::writeEncapsulatedPdf(bytes, *std::filesystem::directory_iterator(series),
                                     dir.path() / "report.dcm");
  r = runCommand(pacs + " send " + (dir.path() / "report.dcm").string());
  ASSERT_EQ(r.exitCode, 0) << r.output;
  const std::string sop = drg::test::dicomValue(dir.path() / "report.dcm", "SOPInstanceUID");
  const auto lookup = drg::test::httpRequest(orthanc.httpPort(), "POST", "/tools/lookup", sop);
  ASSERT_EQ(lookup.status, 200) << lookup.body;
  const auto hits = nlohmann::json::parse(lookup.body);
  ASSERT_EQ(hits.size(), 1u) << lookup.body;
  EXPECT_EQ(hits[0]["Type"], "Instance");
  const auto stats = drg::test::httpRequest(orthanc.httpPort(), "GET", "/statistics");
  EXPECT_EQ(nlohmann::json::parse(stats.body)["CountInstances"], 113) << stats.body;

  // a series that is not there: said so, nothing in the cache
  r = runCommand(pacs + " get " + study + " --series 1.2.3.4.5.6.7.8.9");
  EXPECT_NE(r.exitCode, 0);
  EXPECT_NE(r.output.find("sent nothing"), std::string::npos) << r.output;
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "cache" / study / "1.2.3.4.5.6.7.8.9"));

  // stopped: no process left
  const pid_t pid = orthanc.pid();
  orthanc.stop();
  EXPECT_NE(::kill(pid, 0), 0) << "Orthanc is still running";
  // and now nothing answers: connection refused, exit code 8 (network)
  r = runCommand(pacs + " echo");
  EXPECT_EQ(r.exitCode, 8) << r.output;
  EXPECT_NE(r.output.find("connection was refused"), std::string::npos) << r.output;
}

TEST(Pacs, WrongAeTitleSilentPeerAndBadSettingsAreClear)
{
  DRG_REQUIRE_TOOL("Orthanc");
  drg::test::TemporaryFolder dir("pacs-failures");
  drg::test::Orthanc orthanc(dir.path() / "orthanc", "ORTHANCTEST", "DRGTEST", drg::test::freePort());
  ASSERT_TRUE(orthanc.started()) << orthanc.log();
  const std::string config = (dir.path() / "pacs.json").string();
  const std::string pacs = cli() + " pacs --config " + config;
  // the PACS's AE title wrong: it refuses the association
  ASSERT_EQ(runCommand(pacs + " add wrong --ae NOTORTHANC --host 127.0.0.1 --port " +
                       std::to_string(orthanc.dicomPort()) + " --local-ae DRGTEST --connect-timeout 5")
              .exitCode,
            0);
  auto r = runCommand(pacs + " --server wrong echo");
  EXPECT_EQ(r.exitCode, 8) << r.output;
  EXPECT_NE(r.output.find("refused the association"), std::string::npos) << r.output;

  // our AE title unknown to the PACS: it answers C-ECHO but aborts a search, and we say why it may have
  ASSERT_EQ(runCommand(pacs + " add stranger --ae ORTHANCTEST --host 127.0.0.1 --port " +
                       std::to_string(orthanc.dicomPort()) + " --local-ae STRANGER --connect-timeout 5")
              .exitCode,
            0);
  r = runCommand(pacs + " --server stranger find");
  EXPECT_EQ(r.exitCode, 8) << r.output;
  EXPECT_NE(r.output.find("may not allow our AE title 'STRANGER'"), std::string::npos) << r.output;

  // a peer that accepts the connection and never answers: the timeout, not a hang
  const int silent = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  ASSERT_EQ(::bind(silent, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ASSERT_EQ(::listen(silent, 4), 0);
  socklen_t n = sizeof a;
  ::getsockname(silent, reinterpret_cast<sockaddr*>(&a), &n);
  ASSERT_EQ(runCommand(pacs + " add silent --ae SILENT --host 127.0.0.1 --port " +
                       std::to_string(ntohs(a.sin_port)) + " --connect-timeout 2")
              .exitCode,
            0);
  const auto start = std::chrono::steady_clock::now();
  r = runCommand(pacs + " --server silent echo");
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ::close(silent);
  EXPECT_EQ(r.exitCode, 8) << r.output;
  EXPECT_NE(r.output.find("did not answer within 2 s"), std::string::npos) << r.output;
  EXPECT_LT(seconds, 15.0);

  // a PACS entry the settings do not have; settings that are not settings
  r = runCommand(pacs + " --server nosuch echo");
  EXPECT_EQ(r.exitCode, 7) << r.output;
  EXPECT_NE(r.output.find("there are: wrong, stranger, silent"), std::string::npos) << r.output;
  std::ofstream(dir.path() / "bad.json")
    << "{\"servers\": [{\"name\": \"x\", \"ae_title\": \"THIS AE TITLE IS FAR TOO LONG\", "
       "\"host\": \"h\", \"port\": 104}]}";
  r = runCommand(cli() + " pacs --config " + (dir.path() / "bad.json").string() + " echo");
  EXPECT_EQ(r.exitCode, 4) << r.output;
  EXPECT_NE(r.output.find("is not an AE title"), std::string::npos) << r.output;
  r = runCommand(pacs + " find --date 2024-01-01");
  EXPECT_EQ(r.exitCode, 2) << r.output;
  EXPECT_NE(r.output.find("YYYYMMDD"), std::string::npos) << r.output;
}

// A retrieve cancelled half-way, and a series of which the PACS cannot deliver every object (here one
// of a kind we do not accept): each fails saying why, and the cache keeps nothing of it.
TEST(Pacs, IncompleteRetrieveLeavesNothingInTheCache)
{
  DRG_REQUIRE_TOOL("Orthanc");
  DRG_REQUIRE_TOOL("dcmodify");
  auto data = drg::test::sharedData();
  if (!data) {
    GTEST_SKIP() << "../shared/data is absent: skipping the partial retrieve";
  }
  drg::test::TemporaryFolder dir("pacs-partial");
  std::filesystem::create_directories(dir.path() / "series");
  int copied = 0;
  for (const auto& e : std::filesystem::directory_iterator(*data / "ct-lumbar-totalseg" / "dicom")) {
    if (copied++ < 5) {
      std::filesystem::copy_file(e.path(), dir.path() / "series" / e.path().filename());
    }
  }
  const int receivePort = drg::test::freePort();
  drg::test::Orthanc orthanc(dir.path() / "orthanc", "ORTHANCTEST", "DRGTEST", receivePort);
  ASSERT_TRUE(orthanc.started()) << orthanc.log();
  const drg::imaging::PacsSettings settings = orthanc.clientSettings(dir.path() / "cache");
  drg::imaging::PacsClient client(settings, "");
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(dir.path() / "series")) {
    files.push_back(e.path());
  }
  ASSERT_EQ(client.send(files), 5);
  const auto studies = client.findStudies({});
  ASSERT_EQ(studies.size(), 1u);
  const auto series = client.findSeries(studies[0].studyUid);
  ASSERT_EQ(series.size(), 1u);
  // cancelled after two objects (the progress callback says so): nothing is kept
  for (auto method : { drg::imaging::RetrieveMethod::Get, drg::imaging::RetrieveMethod::Move }) {
    try {
      client.retrieve(series[0].studyUid, series[0].seriesUid, method,
                      [](int done, int) { return done < 2; });
      ADD_FAILURE() << "a cancelled retrieve passed as complete";
    } catch (const drg::Error& e) {
      EXPECT_EQ(e.code(), drg::ErrorCode::Cancelled) << e.what();
    }
    EXPECT_EQ(countFiles(dir.path() / "cache"), 0) << "something was left in the cache";
  }
  // one more object of the series, turned into an ultrasound image (a class drgplan does not retrieve)
  const std::filesystem::path odd = dir.path() / "odd.dcm";
  std::filesystem::copy_file(files.front(), odd);
  ASSERT_EQ(
    runCommand("dcmodify -nb -q -m SOPClassUID=1.2.840.10008.5.1.4.1.1.6.1 -gin " + odd.string()).exitCode,
    0);
  ASSERT_EQ(client.send({ odd }), 1);
  for (auto method : { drg::imaging::RetrieveMethod::Get, drg::imaging::RetrieveMethod::Move }) {
    try {
      client.retrieve(series[0].studyUid, series[0].seriesUid, method);
      ADD_FAILURE() << "a partial retrieve passed as complete";
    } catch (const drg::Error& e) {
      EXPECT_EQ(e.code(), drg::ErrorCode::Network) << e.what();
      EXPECT_NE(std::string(e.what()).find("othing was kept"), std::string::npos) << e.what();
      // (Orthanc 1.10 gives up on the whole series with status 0xC000, counting the object it could not
      // send as failed or not)
      EXPECT_NE(std::string(e.what()).find("(status 0xC000)"), std::string::npos) << e.what();
    }
    EXPECT_EQ(countFiles(dir.path() / "cache"), 0) << "something was left in the cache";
  }
}

// DICOM over TLS (DCMTK's TLS layer) with Orthanc's TLS: certificates from a test authority, both
// sides checked; a client that does not trust the authority is refused.
TEST(Pacs, TlsAssociationWithOrthanc)
{
  DRG_REQUIRE_TOOL("Orthanc");
  DRG_REQUIRE_TOOL("openssl");
  drg::test::TemporaryFolder dir("pacs-tls");
  const std::string d = dir.path().string();
  const std::string make =
    "cd " + d +
    " && openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 -subj "
    "/CN=drgplan-test-ca"
    " && openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj /CN=127.0.0.1"
    " && openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 2"
    " && openssl req -newkey rsa:2048 -nodes -keyout client.key -out client.csr -subj /CN=drgplan"
    " && openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out client.pem -days 2"
    " && openssl req -x509 -newkey rsa:2048 -nodes -keyout other.key -out other.pem -days 2 -subj /CN=other";
  ASSERT_EQ(runCommand("(" + make + ") > /dev/null 2>&1").exitCode, 0);
  const std::string tls = "{\"DicomTlsEnabled\": true, \"DicomTlsCertificate\": \"" + d +
                          "/server.pem\", \"DicomTlsPrivateKey\": \"" + d +
                          "/server.key\", \"DicomTlsTrustedCertificates\": \"" + d +
                          "/ca.pem\", \"DicomTlsRemoteCertificateRequired\": true}";
  drg::test::Orthanc orthanc(dir.path() / "orthanc", "ORTHANCTLS", "DRGTEST", drg::test::freePort(), tls);
  ASSERT_TRUE(orthanc.started()) << orthanc.log();
  drg::imaging::PacsSettings settings;
  settings.localAeTitle = "DRGTEST";
  settings.cacheFolder = dir.path() / "cache";
  drg::imaging::PacsServer server{ "tls", "ORTHANCTLS", "127.0.0.1", orthanc.dicomPort(), 5, 30 };
  server.tls = true;
  server.tlsCaFile = d + "/ca.pem";
  server.tlsCertificate = d + "/client.pem";
  server.tlsPrivateKey = d + "/client.key";
  settings.servers.push_back(server);
  drg::imaging::PacsClient client(settings, "tls");
  EXPECT_NO_THROW(client.echo()) << orthanc.log();
  EXPECT_NO_THROW(client.findStudies({}));
  // trusting another authority: refused, clearly
  settings.servers[0].tlsCaFile = d + "/other.pem";
  drg::imaging::PacsClient wrong(settings, "tls");
  try {
    wrong.echo();
    ADD_FAILURE() << "a server certificate of an untrusted authority was accepted";
  } catch (const drg::Error& e) {
    EXPECT_EQ(e.code(), drg::ErrorCode::Network) << e.what();
  }
  // and without TLS the TLS port does not talk DICOM with us
  settings.servers[0].tls = false;
  drg::imaging::PacsClient plain(settings, "tls");
  EXPECT_THROW(plain.echo(), drg::Error);
}
