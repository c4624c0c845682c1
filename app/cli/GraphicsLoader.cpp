#include "Graphics.h"

#include "drg/imaging/Error.h"

#include <dlfcn.h>

#include <filesystem>
#include <mutex>

namespace drg::cli
{

const GraphicsModule& graphics()
{
  static const GraphicsModule* module = nullptr;
  static std::once_flag once;
  std::call_once(once, [] {
    std::error_code ec;
    const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    const std::filesystem::path file =
      (ec ? std::filesystem::path(".") : exe.parent_path()) / kGraphicsModuleFile;
    void* handle = ::dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) {
      const char* why = ::dlerror();
      throw Error(ErrorCode::Unsupported, std::string("drawing needs ") + file.string() +
                                            ", which could not be loaded (" + (why ? why : "unknown error") +
                                            "); reinstall drgplan or rebuild it");
    }
    using Entry = const GraphicsModule* (*)();
    auto entry = reinterpret_cast<Entry>(::dlsym(handle, "drgplanCliGraphics"));
    const GraphicsModule* m = entry != nullptr ? entry() : nullptr;
    if (m == nullptr || m->version != kGraphicsModuleVersion) {
      throw Error(ErrorCode::Unsupported,
                  file.string() + " is from another build of drgplan; reinstall drgplan or rebuild it");
    }
    module = m;
  });
  return *module;
}

} // namespace drg::cli
