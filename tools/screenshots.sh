#!/usr/bin/env bash
# Screenshots of the review window's main states under Xvfb, into docs/screenshots/
# (or $1). Each is `flowseg-review --demo --screenshot FILE --view STATE`: the
# demo study, the shipped model, sampling finished, then the state shown.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-docs/screenshots}"
bin=build/bin/flowseg-review
[[ -x $bin ]] || { echo "screenshots: build flowseg-review first (tools/build.sh flowseg-review)" >&2; exit 1; }
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for view in heatmap samples probability trajectory help; do
  xvfb-run -a -s "-screen 0 1600x1000x24" \
    "$bin" --demo --workdir "$work/$view" --view "$view" --screenshot "$out/review-$view.png" ${FLOWSEG_REVIEW_ARGS:-}
done
ls -l "$out"
