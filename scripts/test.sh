#!/usr/bin/env bash
# Sets everything up (Debian packages, build) and runs the whole test suite: unit, integration and
# gui tests (under Xvfb with Mesa software OpenGL). Benchmarks are separate: scripts/bench.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
cd "${DRG_BUILD_DIR:-build}"
xvfb-run -a -s "-screen 0 1600x1200x24" ctest -LE bench --output-on-failure -j "$(nproc)"
