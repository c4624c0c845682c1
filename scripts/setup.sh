#!/usr/bin/env bash
# Installs every Debian 12 package drgplan needs to build, test and run.
# Idempotent: packages already present are skipped; runs apt-get as root or through sudo.
set -euo pipefail

PACKAGES=(
  # toolchain
  build-essential cmake ninja-build pkg-config git clang-format clang-tidy clang libclang-rt-14-dev
  # libraries (the fixed stack: Qt 6, VTK 9.1, ITK 5.2, DCMTK 3.6.7)
  qt6-base-dev libqt6opengl6-dev libqt6test6 libgl-dev
  libvtk9-dev libinsighttoolkit5-dev libdcmtk-dev libopenjp2-7-dev
  nlohmann-json3-dev libcli11-dev libeigen3-dev zlib1g-dev libssl-dev libsqlite3-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  # tools used by tests and the demo: DICOM checkers, peers, headless rendering, X input (xdotool)
  dcmtk dicom3tools dcm2niix
  xvfb xauth libgl1-mesa-dri mesa-utils poppler-utils xdotool
  python3 python3-numpy python3-nibabel python3-pydicom python3-scipy python3-jsonschema
  # the PACS peer the network tests run against
  orthanc
)

if [ "$(id -u)" -eq 0 ]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1; then
  SUDO=(sudo)
else
  echo "setup: need root or sudo to install Debian packages" >&2
  exit 1
fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#PACKAGES[@]} Debian packages already installed"
  exit 0
fi

echo "setup: installing ${#missing[@]} Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -q
"${SUDO[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
echo "setup: done"
