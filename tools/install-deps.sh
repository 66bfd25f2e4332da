#!/usr/bin/env bash
# Installs the Debian 12 packages FlowSeg Review needs to build and test.
# Run as root. Skips apt entirely when everything is already installed.
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config
  libtorch-dev libopenblas0-pthread
  nlohmann-json3-dev libcli11-dev libspdlog-dev libgtest-dev
  libopencv-dev
  libsqlite3-dev zlib1g-dev
  postgresql-15 libpq-dev
  libdcmtk-dev libopenjp2-7-dev
  python3-pydicom
  clang libclang-rt-14-dev clang-format clang-tidy git
  orthanc dcmtk dicom3tools
  qt6-base-dev qt6-svg-dev qt6-charts-dev libqt6opengl6-dev xvfb xauth fonts-dejavu-core
  lintian appstream dpkg-dev
  libnifti2-dev poppler-utils
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "install-deps: missing packages: ${missing[*]}; run this script as root (sudo)" >&2
    exit 1
  fi
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
# Debian's LibTorch uses whatever libblas.so.3 points at; the reference BLAS is
# ~50x slower than OpenBLAS for the attention matmuls.
if command -v update-alternatives >/dev/null; then
  current=$(update-alternatives --query libblas.so.3-x86_64-linux-gnu 2>/dev/null | awk '/^Value:/{print $2}')
  case "$current" in
    *openblas*) ;;
    *) [[ $(id -u) -eq 0 ]] && update-alternatives --auto libblas.so.3-x86_64-linux-gnu >/dev/null 2>&1 || true ;;
  esac
fi
