// `drgplan-cli pacs servers|add|echo|find|get|send`: the PACS client from the command line.
#include "Commands.h"

#include "drg/imaging/Error.h"
#include "drg/imaging/Pacs.h"
#include "drg/imaging/SpineCaseLoader.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <memory>
#include <sstream>

namespace drg::cli
{
namespace
{
using namespace drg::imaging;
using nlohmann::json;

struct PacsArgs
{
  std::string config;
  std::string server;
  bool json = false;
  // add
  std::string name, ae, host, localAe, cache, ca, certificate, key;
  int port = 104, receivePort = 0, connectTimeout = 10, dimseTimeout = 60;
  bool tls = false;
  // find
  PacsQuery query;
  std::string study;
  // get
  std::vector<std::string> series;
  bool move = false, refresh = false;
  // send
  std::vector<std::string> files;
};

std::filesystem::path settingsPath(const PacsArgs& a)
{
  return a.config.empty() ? defaultPacsSettingsPath() : std::filesystem::path(a.config);
}

/// A DICOM Part 10 file: "DICM" after the 128-byte preamble.
bool hasDicomPreamble(const std::filesystem::path& file)
{
  std::ifstream in(file, std::ios::binary);
  char magic[4] = {};
  in.seekg(128);
  in.read(magic, 4);
  return in.gcount() == 4 && std::string(magic, 4) == "DICM";
}

/// A progress line on the terminal (stderr), unless quiet.
PacsProgress terminalProgress(const char* what, bool quiet)
{
  return [what, quiet](int done, int total) {
    if (!quiet) {
      if (total > 0) {
        std::fprintf(stderr, "\r%s: %d of %d", what, done, total);
      } else {
        std::fprintf(stderr, "\r%s: %d", what, done);
      }
      std::fflush(stderr);
    }
    return true;
  };
}

std::string cell(const std::string& s, std::size_t width)
{
  return s.size() > width ? s.substr(0, width - 1) + "~" : s;
}

int runServers(const PacsArgs& a)
{
  const PacsSettings s = loadPacsSettings(settingsPath(a));
  if (a.json) {
    json list = json::array();
    for (const PacsServer& p : s.servers) {
      list.push_back({ { "name", p.name },
                       { "ae_title", p.aeTitle },
                       { "host", p.host },
                       { "port", p.port },
                       { "tls", p.tls } });
    }
    std::cout << json{
      { "local_ae_title", s.localAeTitle },
      { "receive_port", s.receivePort },
      { "cache_folder", s.cacheFolder.string() },
      { "servers", list }
    }.dump(2) << "\n";
    return 0;
  }
  std::cout << "our AE title " << s.localAeTitle << ", C-MOVE receiver on port " << s.receivePort
            << ", cache " << s.cacheFolder.string() << "\n";
  std::cout << std::left << std::setw(16) << "name" << std::setw(18) << "AE title" << std::setw(28) << "host"
            << std::setw(7) << "port"
            << "TLS\n";
  for (const PacsServer& p : s.servers) {
    std::cout << std::setw(16) << cell(p.name, 15) << std::setw(18) << p.aeTitle << std::setw(28)
              << cell(p.host, 27) << std::setw(7) << p.port << (p.tls ? "yes" : "no") << "\n";
  }
  return 0;
}

int runAdd(const PacsArgs& a)
{
  const std::filesystem::path file = settingsPath(a);
  PacsSettings s;
  s.cacheFolder = defaultPacsCacheFolder();
  if (std::filesystem::exists(file)) {
    s = loadPacsSettings(file);
  }
  if (!a.localAe.empty()) {
    s.localAeTitle = a.localAe;
  }
  if (a.receivePort != 0) {
    s.receivePort = a.receivePort;
  }
  if (!a.cache.empty()) {
    s.cacheFolder = std::filesystem::absolute(a.cache);
  }
  PacsServer p;
  p.name = a.name;
  p.aeTitle = a.ae;
  p.host = a.host;
  p.port = a.port;
  p.connectTimeoutS = a.connectTimeout;
  p.dimseTimeoutS = a.dimseTimeout;
  p.tls = a.tls;
  p.tlsCaFile = a.ca;
  p.tlsCertificate = a.certificate;
  p.tlsPrivateKey = a.key;
  bool replaced = false;
  for (PacsServer& existing : s.servers) {
    if (existing.name == p.name) {
      existing = p;
      replaced = true;
    }
  }
  if (!replaced) {
    s.servers.push_back(p);
  }
  savePacsSettings(s, file);
  std::cout << (replaced ? "changed" : "added") << " the PACS '" << p.name << "' (" << p.aeTitle << " at "
            << p.host << ":" << p.port << ") in " << file.string() << "\n";
  return 0;
}

int runEcho(const PacsArgs& a)
{
  PacsClient client(loadPacsSettings(settingsPath(a)), a.server);
  const double ms = client.echo();
  if (a.json) {
    std::cout << json{ { "server", client.server().name }, { "ok", true }, { "milliseconds", ms } }.dump()
              << "\n";
  } else {
    std::cout << client.server().name << " (" << client.server().aeTitle << " at " << client.server().host
              << ":" << client.server().port << ") answers: C-ECHO in " << std::fixed << std::setprecision(1)
              << ms << " ms\n";
  }
  return 0;
}

int runFind(const PacsArgs& a)
{
  PacsClient client(loadPacsSettings(settingsPath(a)), a.server);
  PacsQuery q = a.query;
  if (!a.study.empty()) { // the series of one study
    const auto series = client.findSeries(a.study, q);
    if (a.json) {
      json list = json::array();
      for (const PacsSeries& s : series) {
        list.push_back({ { "study_uid", s.studyUid },
                         { "series_uid", s.seriesUid },
                         { "modality", s.modality },
                         { "description", s.description },
                         { "number", s.seriesNumber },
                         { "instances", s.instances } });
      }
      std::cout << list.dump(2) << "\n";
      return 0;
    }
    std::cout << std::left << std::setw(5) << "no" << std::setw(5) << "mod" << std::setw(7) << "images"
              << std::setw(34) << "description"
              << "series UID\n";
    for (const PacsSeries& s : series) {
      std::cout << std::setw(5) << cell(s.seriesNumber, 4) << std::setw(5) << s.modality << std::setw(7)
                << s.instances << std::setw(34) << cell(s.description, 33) << s.seriesUid << "\n";
    }
    std::cout << series.size() << " series\n";
    return 0;
  }
  const auto studies = client.findStudies(q);
  if (a.json) {
    json list = json::array();
    for (const PacsStudy& s : studies) {
      list.push_back({ { "study_uid", s.studyUid },
                       { "patient_name", s.patientName },
                       { "patient_id", s.patientId },
                       { "birth_date", s.birthDate },
                       { "study_date", s.studyDate },
                       { "description", s.description },
                       { "accession_number", s.accessionNumber },
                       { "modalities", s.modalities },
                       { "series", s.series },
                       { "instances", s.instances } });
    }
    std::cout << list.dump(2) << "\n";
    return 0;
  }
  std::cout << std::left << std::setw(22) << "patient" << std::setw(14) << "ID" << std::setw(10) << "date"
            << std::setw(8) << "mod" << std::setw(7) << "series" << std::setw(24) << "description"
            << "study UID\n";
  for (const PacsStudy& s : studies) {
    std::cout << std::setw(22) << cell(s.patientName, 21) << std::setw(14) << cell(s.patientId, 13)
              << std::setw(10) << s.studyDate << std::setw(8) << cell(s.modalities, 7) << std::setw(7)
              << s.series << std::setw(24) << cell(s.description, 23) << s.studyUid << "\n";
  }
  std::cout << studies.size() << " stud" << (studies.size() == 1 ? "y" : "ies") << "\n";
  return 0;
}

int runGet(const PacsArgs& a, const GlobalOptions& global)
{
  PacsClient client(loadPacsSettings(settingsPath(a)), a.server);
  std::vector<std::string> series = a.series;
  if (series.empty()) { // every series of the study
    for (const PacsSeries& s : client.findSeries(a.study)) {
      series.push_back(s.seriesUid);
    }
    if (series.empty()) {
      throw Error(ErrorCode::NotFound, client.server().name + " has no series of study " + a.study);
    }
  }
  json out = json::array();
  for (const std::string& uid : series) {
    const RetrieveResult r =
      client.retrieve(a.study, uid, a.move ? RetrieveMethod::Move : RetrieveMethod::Get,
                      terminalProgress(a.move ? "C-MOVE" : "C-GET", global.quiet || a.json), a.refresh);
    if (!global.quiet && !a.json) {
      std::fprintf(stderr, "\n");
    }
    // opened through the importer: the series as a volume (what the planner will load)
    std::string volume;
    try {
      const SpineCaseImage in = SpineCaseLoader().load(
        r.folder.string(), "", [](double f) { return reportProgress("loading", f, true); });
      const auto& g = in.volume.geometry();
      std::ostringstream v;
      v << g.size[0] << " x " << g.size[1] << " x " << g.size[2] << " " << in.modality;
      volume = v.str();
    } catch (const Error& e) {
      volume = std::string("not a volume: ") + e.what();
    }
    if (a.json) {
      out.push_back({ { "series_uid", uid },
                      { "folder", r.folder.string() },
                      { "objects", r.received },
                      { "from_cache", r.fromCache },
                      { "seconds", r.seconds },
                      { "volume", volume } });
    } else {
      std::cout << (r.fromCache ? "in the cache already: " : "retrieved: ") << r.folder.string() << " ("
                << r.received << " objects";
      if (!r.fromCache && r.seconds > 0) {
        std::cout << ", " << std::fixed << std::setprecision(1) << r.received / r.seconds << " per second";
      }
      std::cout << "; " << volume << ")\n";
    }
  }
  if (a.json) {
    std::cout << out.dump(2) << "\n";
  }
  return 0;
}

int runSend(const PacsArgs& a, const GlobalOptions& global)
{
  std::vector<std::filesystem::path> files;
  for (const std::string& f : a.files) {
    if (std::filesystem::is_directory(f)) { // its DICOM files (not a DICOMDIR, a PDF, CSV or STL beside them)
      for (const auto& e : std::filesystem::recursive_directory_iterator(f)) {
        if (e.is_regular_file() && e.path().filename() != "DICOMDIR" && hasDicomPreamble(e.path())) {
          files.push_back(e.path());
        }
      }
    } else if (std::filesystem::exists(f)) {
      files.emplace_back(f);
    } else {
      throw Error(ErrorCode::NotFound, f + " does not exist");
    }
  }
  PacsClient client(loadPacsSettings(settingsPath(a)), a.server);
  const int sent = client.send(files, terminalProgress("C-STORE", global.quiet || a.json));
  if (!global.quiet && !a.json) {
    std::fprintf(stderr, "\n");
  }
  if (a.json) {
    std::cout << json{ { "server", client.server().name }, { "stored", sent } }.dump() << "\n";
  } else {
    std::cout << "stored " << sent << " object" << (sent == 1 ? "" : "s") << " on " << client.server().name
              << "\n";
  }
  return 0;
}

} // namespace

void addPacsCommand(CLI::App& app, const GlobalOptions& global, Action& run)
{
  auto a = std::make_shared<PacsArgs>();
  CLI::App* pacs =
    app.add_subcommand("pacs", "query and retrieve studies from a PACS, send drgplan's objects to it");
  pacs->require_subcommand(1);
  pacs->add_option("--config", a->config, "PACS settings file (default: ~/.config/drgplan/pacs.json)");
  pacs->add_option("--server", a->server, "which PACS entry (default: the first)");
  pacs->add_flag("--json", a->json, "machine-readable output");

  CLI::App* servers = pacs->add_subcommand("servers", "list the PACS entries of the settings");
  servers->callback([a, &run] { run = [a] { return runServers(*a); }; });

  CLI::App* add = pacs->add_subcommand("add", "add (or change) a PACS entry in the settings");
  add->add_option("name", a->name, "its name")->required();
  add->add_option("--ae", a->ae, "its AE title")->required();
  add->add_option("--host", a->host, "host name or address")->required();
  add->add_option("--port", a->port, "DICOM port")->required();
  add->add_option("--connect-timeout", a->connectTimeout, "seconds to connect and negotiate (10)");
  add->add_option("--dimse-timeout", a->dimseTimeout, "seconds to wait for one answer (60)");
  add->add_flag("--tls", a->tls, "DICOM over TLS");
  add->add_option("--ca", a->ca, "PEM file of the certificate authority (with --tls)");
  add->add_option("--cert", a->certificate, "PEM file of our certificate (with --tls, when the PACS asks)");
  add->add_option("--key", a->key, "PEM file of our private key");
  add->add_option("--local-ae", a->localAe, "our AE title (DRGPLAN)");
  add->add_option("--receive-port", a->receivePort, "port of our C-MOVE receiver (11113)");
  add->add_option("--cache", a->cache, "folder retrieved studies go to (~/.cache/drgplan/pacs)");
  add->callback([a, &run] { run = [a] { return runAdd(*a); }; });

  CLI::App* echo = pacs->add_subcommand("echo", "C-ECHO: is the PACS there and does it accept us");
  echo->callback([a, &run] { run = [a] { return runEcho(*a); }; });

  CLI::App* find = pacs->add_subcommand("find", "C-FIND: studies (or, with --study, its series)");
  find->add_option("--patient-id", a->query.patientId, "patient ID (wildcards * ?)");
  find->add_option("--patient-name", a->query.patientName,
                   "patient name, DICOM form FAMILY^GIVEN (wildcards)");
  find->add_option("--birth-date", a->query.birthDate, "birth date YYYYMMDD");
  find->add_option("--date", a->query.studyDate,
                   "study date YYYYMMDD or range YYYYMMDD-YYYYMMDD (open ends allowed)");
  find->add_option("--modality", a->query.modality, "modality (CT, MR)");
  find->add_option("--accession", a->query.accessionNumber, "accession number");
  find->add_option("--study", a->study, "list the series of this study UID");
  find->callback([a, &run] { run = [a] { return runFind(*a); }; });

  CLI::App* get = pacs->add_subcommand("get", "retrieve a study's series into the cache (C-GET, or C-MOVE)");
  get->add_option("study", a->study, "study instance UID")->required();
  get->add_option("--series", a->series, "series instance UID(s) (default: every series of the study)");
  get->add_flag("--move", a->move, "C-MOVE to our receiver (our AE title must be registered at the PACS)");
  get->add_flag("--refresh", a->refresh, "fetch again even when the series is in the cache");
  get->callback([a, &global, &run] { run = [a, &global] { return runGet(*a, global); }; });

  CLI::App* send = pacs->add_subcommand("send", "C-STORE files (report.dcm, plan-sr.dcm, ...) or folders");
  send->add_option("files", a->files, "DICOM files or folders")->required();
  send->callback([a, &global, &run] { run = [a, &global] { return runSend(*a, global); }; });
}

} // namespace drg::cli
