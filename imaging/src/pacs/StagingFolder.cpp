// The staging folders of the PACS cache: a series appears in the cache only complete.
#include "pacs/StagingFolder.h"

#include "drg/imaging/Error.h"

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <string>
#include <system_error>

#include <unistd.h>

namespace drg::imaging::pacs
{

void removeQuietly(const std::filesystem::path& p)
{
  std::error_code ec;
  std::filesystem::remove_all(p, ec);
}

void removeIfEmpty(const std::filesystem::path& p)
{
  std::error_code ec;
  if (std::filesystem::is_empty(p, ec) && !ec) {
    std::filesystem::remove(p, ec);
  }
}

void removeAbandonedStaging(const std::filesystem::path& studyFolder)
{
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(studyFolder, ec)) {
    const std::string name = e.path().filename().string();
    for (const char* prefix : { ".incoming-", ".old-" }) {
      if (name.rfind(prefix, 0) == 0) {
        const long pid = std::atol(name.c_str() + std::strlen(prefix));
        if (pid > 0 && pid != ::getpid() && ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) {
          removeQuietly(e.path());
        }
      }
    }
  }
}

StagingFolder::StagingFolder(std::filesystem::path p)
  : path(std::move(p))
{
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  if (ec) {
    throw Error(ErrorCode::Io,
                "cannot write into the cache " + path.parent_path().string() + ": " + ec.message());
  }
}

StagingFolder::~StagingFolder()
{
  discard();
}

void StagingFolder::discard()
{
  if (!path.empty()) {
    removeQuietly(path);
    path.clear();
  }
}

bool StagingFolder::commit(const std::filesystem::path& target, bool replace)
{
  if (std::filesystem::exists(target)) {
    if (!replace) {
      discard();
      return false;
    }
    const std::filesystem::path old =
      target.parent_path() / (".old-" + std::to_string(::getpid()) + "-" + target.filename().string());
    std::filesystem::rename(target, old);
    try {
      std::filesystem::rename(path, target);
    } catch (const std::filesystem::filesystem_error&) {
      std::error_code ec;
      std::filesystem::rename(old, target, ec); // (the old copy back)
      throw;
    }
    removeQuietly(old);
  } else {
    std::filesystem::rename(path, target);
  }
  path.clear();
  return true;
}

} // namespace drg::imaging::pacs
