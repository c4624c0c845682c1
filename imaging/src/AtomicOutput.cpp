#include "drg/imaging/AtomicOutput.h"

#include "drg/imaging/Error.h"

#include <unistd.h>

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
  fs::path tmp = temporarySibling(path);
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) {
      throw Error(ErrorCode::Io,
                  "cannot write " + tmp.string() + ": check that the folder exists and is writable");
    }
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.flush();
    if (!out) {
      std::error_code ignored;
      fs::remove(tmp, ignored);
      throw Error(ErrorCode::Io, "writing " + tmp.string() + " failed (disk full?)");
    }
  }
  commitStaged(tmp, path);
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
