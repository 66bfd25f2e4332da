#!/usr/bin/env bash
# The one test command: installs dependencies, builds everything, runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh
tools/build.sh
cd build
ctest --output-on-failure -j "${FLOWSEG_JOBS:-2}" --timeout 900
