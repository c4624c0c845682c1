#!/usr/bin/env bash
# Benchmarks (ctest label `bench`): phantom generation of 512 x 512 x 400, and DICOM import of that
# series against dcm2niix in the same run.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
"${DRG_BUILD_DIR:-build}"/tests/drg_bench --benchmark_min_time=1 "$@"
