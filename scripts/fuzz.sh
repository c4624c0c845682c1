#!/usr/bin/env bash
# Builds the libFuzzer target with clang (build-fuzz/, GUI and tests off) and fuzzes the DICOM
# single-file parse path for SECONDS (default 120), seeded with the DICOM files of ../shared/data.
# Findings (crash-*, leak-*, timeout-*) land in build-fuzz/findings/.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_TO_RUN=${1:-120}
bash scripts/setup.sh
if [ ! -f build-fuzz/build.ninja ]; then
  CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DDRG_BUILD_FUZZERS=ON -DDRG_BUILD_GUI=OFF -DDRG_BUILD_TESTS=OFF
fi
cmake --build build-fuzz --target drg_fuzz_dicom_file
mkdir -p build-fuzz/corpus build-fuzz/findings
if [ -d ../shared/data ]; then
  find ../shared/data -type f \( -name '*.dcm' -o -path '*ct-dicom-j2k*' \) -size -2M -exec cp -n {} build-fuzz/corpus/ \; 2>/dev/null || true
fi
cd build-fuzz
./imaging/../tests/fuzz/drg_fuzz_dicom_file corpus -max_total_time="$SECONDS_TO_RUN" -max_len=1048576 \
  -rss_limit_mb=4096 -artifact_prefix=findings/ -print_final_stats=1
