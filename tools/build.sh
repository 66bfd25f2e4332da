#!/usr/bin/env bash
# Configures and builds into build/ (Ninja, ccache, Release). Extra arguments go to ninja.
set -euo pipefail
cd "$(dirname "$0")/.."
export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/ccache}"
if [[ ! -f build/build.ninja ]]; then
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release
fi
cmake --build build -j "${FLOWSEG_JOBS:-2}" -- "$@"
