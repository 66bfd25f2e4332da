#!/usr/bin/env bash
# Builds the DICOM loader fuzzer with clang and runs it for a bounded time on a
# corpus seeded from Debian's python3-pydicom test files. Exit 0 = no crash.
# Usage: run_fuzz.sh BUILD_DIR [SECONDS]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
mkdir -p "$1"
build="$(cd "$1" && pwd)"
seconds="${2:-60}"
if ! command -v clang++ >/dev/null; then
  echo "run_fuzz: clang++ is not installed (tools/install-deps.sh installs it)" >&2
  exit 1
fi
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
mkdir -p "$build"
if ! { cmake -S "$here" -B "$build" -G Ninja -DCMAKE_CXX_COMPILER=clang++ "${launcher[@]}" &&
       cmake --build "$build" -j 2; } >"$build/build.log" 2>&1; then
  tail -40 "$build/build.log"
  echo "run_fuzz: building the fuzzer failed (log above)" >&2
  exit 1
fi
corpus="$build/corpus"
cd "$build"  # crash and oom artifacts land here
mkdir -p "$corpus"
seeds=/usr/lib/python3/dist-packages/pydicom/data/test_files
if [[ -d "$seeds" ]]; then
  find "$seeds" -maxdepth 1 -name '*.dcm' -size -200k -exec cp -n {} "$corpus/" \;
fi
# DCMTK and OpenJPEG leaks at exit are not ours; crashes, overflows and UB are.
export ASAN_OPTIONS=detect_leaks=0:allocator_may_return_null=1
# DCMTK allocates an element's value buffer from its 32-bit length field before
# reading it (a corrupt length can ask for up to 4 GiB, untouched and freed when the
# read fails), so single mallocs up to 4 GiB are allowed; resident memory stays capped.
"$build/fuzz_dicom_loader" "$corpus" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=4200 \
  -max_len=262144 -print_final_stats=1 2>&1 | tail -15
