// libFuzzer target over the single-file parse path: any bytes, written as a file, go through the
// scanner and the loader; a drg::Error is the expected outcome for bad input, anything else (a
// crash, a sanitizer report, an escaping exception of another type) is a finding.
// Build and run: scripts/fuzz.sh [seconds]
#include "drg/imaging/DicomVolumeLoader.h"
#include "drg/imaging/Error.h"

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  static const std::string path = "/dev/shm/drgplan-fuzz-" + std::to_string(::getpid()) + ".dcm";
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) {
    return 0;
  }
  std::fwrite(data, 1, size, f);
  std::fclose(f);
  try {
    drg::imaging::DicomScan scan = drg::imaging::scanDicom(path);
    for (const auto* stack : scan.imageStacks()) {
      try {
        drg::imaging::loadDicomStack(*stack);
      } catch (const drg::Error&) {
      }
    }
  } catch (const drg::Error&) {
  }
  return 0;
}
