#include "TestSupport.h"

#include <unistd.h>

#include <array>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <sys/wait.h>

namespace drg::test
{

TemporaryFolder::TemporaryFolder(const std::string& tag)
{
  static std::atomic<int> counter{ 0 };
  m_path = std::filesystem::temp_directory_path() /
           ("drgplan-test-" + tag + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
  std::filesystem::remove_all(m_path);
  std::filesystem::create_directories(m_path);
}

TemporaryFolder::~TemporaryFolder()
{
  std::error_code ec;
  std::filesystem::remove_all(m_path, ec);
}

CommandResult runCommand(const std::string& command)
{
  CommandResult r;
  std::string full = command + " 2>&1";
  FILE* pipe = ::popen(full.c_str(), "r");
  if (pipe == nullptr) {
    r.output = "popen failed";
    return r;
  }
  std::array<char, 4096> buf{};
  size_t n = 0;
  while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0) {
    r.output.append(buf.data(), n);
  }
  int status = ::pclose(pipe);
  r.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

bool haveTool(const std::string& tool)
{
  return runCommand("command -v " + tool + " >/dev/null").exitCode == 0;
}

std::string cliPath()
{
  return DRG_CLI_PATH;
}

std::optional<std::filesystem::path> sharedData()
{
  std::filesystem::path p = std::filesystem::path(DRG_SHARED_DIR) / "data";
  if (std::filesystem::is_directory(p)) {
    return p;
  }
  return std::nullopt;
}

bool inCi()
{
  const char* ci = std::getenv("CI");
  return ci != nullptr && std::string(ci) != "" && std::string(ci) != "0" && std::string(ci) != "false";
}

imaging::PhantomOptions spineTestPhantom()
{
  imaging::PhantomOptions o;
  o.matrix = { 256, 256, 200 };
  o.spacing = Eigen::Vector3d(1.6, 1.6, 2.0);
  return o;
}

std::string dicomValue(const std::filesystem::path& file, const std::string& tag)
{
  const std::filesystem::path f =
    std::filesystem::is_directory(file) ? (*std::filesystem::directory_iterator(file)).path() : file;
  const auto p = runCommand("dcmdump +P " + tag + " " + f.string());
  const auto open = p.output.find('['), close = p.output.find(']');
  return open == std::string::npos || close == std::string::npos
           ? std::string()
           : p.output.substr(open + 1, close - open - 1);
}

} // namespace drg::test
