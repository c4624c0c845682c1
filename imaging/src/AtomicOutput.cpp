#include "drg/imaging/AtomicOutput.h"

#include "drg/imaging/Error.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <atomic>
#include <fstream>
#include <system_error>

namespace drg::imaging
{
namespace fs = std::filesystem;

fs::path temporarySibling(const fs::path& path)
{
  static std::atomic<unsigned> counter{ 0 };
  std::string name = path.filename().string();
  std::string stem = name;
  std::string ext;
  auto dot = name.find('.');
  if (dot != std::string::npos && dot > 0) {
    stem = name.substr(0, dot);
    ext = name.substr(dot);
  }
  return path.parent_path() /
         ("." + stem + ".partial-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + ext);
}

void writeFileAtomically(const fs::path& path, std::string_view bytes)
{
  // written aside, flushed to the disk (fsync), renamed over the target, and the folder synced:
  // after a crash or power loss the file is either the old one or the new one, never a mix
  fs::path tmp = temporarySibling(path);
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    throw Error(ErrorCode::Io, "cannot write " + tmp.string() + ": " + std::strerror(errno) +
                                 " (check that the folder exists and is writable)");
  }
  const char* p = bytes.data();
  std::size_t left = bytes.size();
  bool ok = true;
  while (left > 0) {
    const ssize_t n = ::write(fd, p, left);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      ok = false;
      break;
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  const int err = ok ? (::fsync(fd) == 0 ? 0 : errno) : errno;
  ::close(fd);
  if (!ok || err != 0) {
    std::error_code ignored;
    fs::remove(tmp, ignored);
    throw Error(ErrorCode::Io,
                "writing " + tmp.string() + " failed: " + std::strerror(err ? err : EIO) + " (disk full?)");
  }
  commitStaged(tmp, path);
  const fs::path folder = path.parent_path().empty() ? fs::path(".") : path.parent_path();
  const int dir = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir); // the rename itself reaches the disk
    ::close(dir);
  }
}

void commitStaged(const fs::path& staged, const fs::path& target)
{
  std::error_code ec;
  if (fs::is_directory(staged)) {
    fs::path old;
    if (fs::exists(target)) {
      old = temporarySibling(target);
      fs::rename(target, old, ec);
      if (ec) {
        throw Error(ErrorCode::Io, "cannot replace " + target.string() + ": " + ec.message());
      }
    }
    fs::rename(staged, target, ec);
    if (ec) {
      if (!old.empty()) {
        std::error_code ignored;
        fs::rename(old, target, ignored);
      }
      throw Error(ErrorCode::Io,
                  "cannot move " + staged.string() + " to " + target.string() + ": " + ec.message());
    }
    if (!old.empty()) {
      fs::remove_all(old, ec);
    }
    return;
  }
  fs::rename(staged, target, ec);
  if (ec) {
    std::error_code ignored;
    fs::remove(staged, ignored);
    throw Error(ErrorCode::Io,
                "cannot move " + staged.string() + " to " + target.string() + ": " + ec.message());
  }
}

} // namespace drg::imaging
