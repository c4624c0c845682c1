// The PACS settings file: our AE title, the PACS entries, their timeouts and TLS, as JSON.
#include "drg/imaging/Pacs.h"

#include "drg/imaging/AtomicOutput.h"
#include "drg/imaging/Error.h"

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <fstream>
#include <set>

namespace drg::imaging
{
namespace
{

using nlohmann::json;

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

} // namespace

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

} // namespace drg::imaging
