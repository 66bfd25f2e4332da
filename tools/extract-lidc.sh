#!/usr/bin/env bash
# Extracts the shared LIDC crops (all eight shards) into DIR once; a second call
# finds DIR/.extracted and does nothing. The training scripts share it.
#   tools/extract-lidc.sh DIR [LIDC_CROPS (../shared/data/lidc-crops)]
set -euo pipefail
dir="$1"
crops="${2:-$(dirname "$0")/../../shared/data/lidc-crops}"
mkdir -p "$dir"
[[ -f $dir/.extracted ]] && exit 0
ls "$crops"/lidc-crops-*.tar.gz >/dev/null || { echo "no LIDC shards in $crops" >&2; exit 1; }
for shard in "$crops"/lidc-crops-*.tar.gz; do tar -xzf "$shard" -C "$dir"; done
touch "$dir/.extracted"
