#!/usr/bin/env bash
# Builds the DICOM loader fuzzer with clang and runs it for a bounded time on a
# corpus seeded from Debian's python3-pydicom test files. Exit 0 = no crash.
# Usage: run_fuzz.sh BUILD_DIR [SECONDS]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
build="$1"
seconds="${2:-60}"
if ! command -v clang++ >/dev/null; then
  echo "run_fuzz: clang++ is not installed (tools/install-deps.sh installs it)" >&2
  exit 1
fi
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S "$here" -B "$build" -G Ninja -DCMAKE_CXX_COMPILER=clang++ "${launcher[@]}" >/dev/null
cmake --build "$build" -j 2 >/dev/null
corpus="$build/corpus"
mkdir -p "$corpus"
seeds=/usr/lib/python3/dist-packages/pydicom/data/test_files
if [[ -d "$seeds" ]]; then
  find "$seeds" -maxdepth 1 -name '*.dcm' -size -200k -exec cp -n {} "$corpus/" \;
fi
# DCMTK and OpenJPEG leaks at exit are not ours; crashes, overflows and UB are.
export ASAN_OPTIONS=detect_leaks=0:allocator_may_return_null=1
"$build/fuzz_dicom_loader" "$corpus" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
  -max_len=262144 -print_final_stats=1 2>&1 | tail -15
