#include "Orthanc.h"

#include <nlohmann/json.hpp>

#include <arpa/inet.h>
#include <csignal>
#include <fcntl.h>
#include <netinet/in.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

extern char** environ;

namespace drg::test
{

int freePort()
{
  const int s = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  int port = 0;
  if (s >= 0 && ::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) {
    socklen_t n = sizeof a;
    ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &n);
    port = ntohs(a.sin_port);
  }
  if (s >= 0) {
    ::close(s);
  }
  return port;
}

HttpAnswer httpRequest(int port, const std::string& method, const std::string& path, const std::string& body)
{
  HttpAnswer answer;
  const int s = ::socket(AF_INET, SOCK_STREAM, 0);
  if (s < 0) {
    return answer;
  }
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<uint16_t>(port));
  timeval timeout{ 10, 0 };
  ::setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  if (::connect(s, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(s);
    return answer;
  }
  std::ostringstream request;
  request << method << " " << path << " HTTP/1.0\r\nHost: 127.0.0.1\r\nContent-Length: " << body.size()
          << "\r\nConnection: close\r\n\r\n"
          << body;
  const std::string r = request.str();
  if (::send(s, r.data(), r.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(r.size())) {
    ::close(s);
    return answer;
  }
  std::string response;
  char buffer[65536];
  for (ssize_t n; (n = ::recv(s, buffer, sizeof buffer, 0)) > 0;) {
    response.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(s);
  if (response.rfind("HTTP/", 0) == 0 && response.size() > 12) {
    answer.status = std::atoi(response.c_str() + 9);
  }
  const auto end = response.find("\r\n\r\n");
  answer.body = end == std::string::npos ? std::string() : response.substr(end + 4);
  return answer;
}

Orthanc::Orthanc(const std::filesystem::path& folder, const std::string& aeTitle, const std::string& clientAe,
                 int clientPort, const std::string& extraConfigJson)
  : m_folder(folder)
  , m_aeTitle(aeTitle)
  , m_clientAe(clientAe)
  , m_clientPort(clientPort)
{
  std::filesystem::create_directories(folder / "storage");
  // (a free port may be taken between our look and Orthanc's bind: then it ends, and we try others)
  for (int attempt = 0; attempt < 3 && !m_started; ++attempt) {
    start(extraConfigJson);
  }
}

void Orthanc::start(const std::string& extraConfigJson)
{
  stop(); // (an earlier attempt that never answered)
  const std::filesystem::path folder = m_folder;
  const std::string aeTitle = m_aeTitle, clientAe = m_clientAe;
  const int clientPort = m_clientPort;
  m_dicomPort = freePort();
  m_httpPort = freePort();
  while (m_httpPort == m_dicomPort) {
    m_httpPort = freePort();
  }
  nlohmann::json config = {
    { "Name", "drgplan-test" },
    { "StorageDirectory", (folder / "storage").string() },
    { "IndexDirectory", (folder / "storage").string() },
    { "StorageCompression", false },
    { "HttpServerEnabled", true },
    { "HttpPort", m_httpPort },
    { "RemoteAccessAllowed", false },
    { "AuthenticationEnabled", false },
    { "DicomServerEnabled", true },
    { "DicomAet", aeTitle },
    { "DicomPort", m_dicomPort },
    { "DicomCheckCalledAet", true },
    { "DicomCheckModalityHost", false },
    { "DicomAlwaysAllowEcho", true },
    { "DicomAlwaysAllowStore", true },
    { "DicomModalities",
      { { "drgplan",
          { { "AET", clientAe },
            { "Host", "127.0.0.1" },
            { "Port", clientPort },
            { "AllowEcho", true },
            { "AllowFind", true },
            { "AllowGet", true },
            { "AllowMove", true },
            { "AllowStore", true } } } } },
    { "Plugins", nlohmann::json::array() },
    { "ConcurrentJobs", 2 },
    { "LimitFindResults", 0 },
    { "LimitFindInstances", 0 },
  };
  if (!extraConfigJson.empty()) {
    config.update(nlohmann::json::parse(extraConfigJson));
  }
  std::ofstream(folder / "orthanc.json") << config.dump(2);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  const std::string log = (folder / "orthanc.log").string();
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  const std::string configPath = (folder / "orthanc.json").string();
  const std::string program = std::filesystem::exists("/usr/sbin/Orthanc") ? "/usr/sbin/Orthanc" : "Orthanc";
  char* argv[] = { const_cast<char*>(program.c_str()), const_cast<char*>(configPath.c_str()), nullptr };
  if (posix_spawnp(&m_pid, program.c_str(), &actions, nullptr, argv, environ) != 0) {
    m_pid = -1;
  }
  posix_spawn_file_actions_destroy(&actions);
  if (m_pid <= 0) {
    return;
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (::waitpid(m_pid, &status, WNOHANG) == m_pid) { // it ended: the log says why
      m_pid = -1;
      return;
    }
    if (httpRequest(m_httpPort, "GET", "/system").status == 200) {
      m_started = true;
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

Orthanc::~Orthanc()
{
  stop();
}

drg::imaging::PacsSettings Orthanc::clientSettings(const std::filesystem::path& cache) const
{
  drg::imaging::PacsSettings s;
  s.localAeTitle = m_clientAe;
  s.receivePort = m_clientPort;
  s.cacheFolder = cache;
  s.servers.push_back({ "orthanc", m_aeTitle, "127.0.0.1", m_dicomPort, 10, 120 });
  return s;
}

std::string Orthanc::log() const
{
  std::ifstream in(m_folder / "orthanc.log");
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void Orthanc::stop()
{
  if (m_pid <= 0) {
    return;
  }
  ::kill(m_pid, SIGTERM);
  for (int i = 0; i < 100; ++i) {
    int status = 0;
    if (::waitpid(m_pid, &status, WNOHANG) == m_pid) {
      m_pid = -1;
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ::kill(m_pid, SIGKILL);
  int status = 0;
  ::waitpid(m_pid, &status, 0);
  m_pid = -1;
}

} // namespace drg::test
