#!/usr/bin/env bash
# Screenshots of the review window's main states under Xvfb, into docs/screenshots/
# (or $1). Each is `flowseg-review --demo[ lidc] --screenshot FILE --view STATE`: a
# demo study, the shipped model, sampling finished, then the state shown. Also the
# first pages of the LIDC demo's uncertainty report, and the Fine-tuning dock during
# a short job on the store's finished lesions: one slice of each LIDC validation
# nodule when $LIDC_CASES names the extracted crops (tools/train-default-model.sh
# extracts them into lidc-run/lidc), else 48 synthetic lesions.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-docs/screenshots}"
bin=build/bin/flowseg-review
cli=build/bin/flowseg
[[ -x $bin && -x $cli ]] || { echo "screenshots: build first (tools/build.sh)" >&2; exit 1; }
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
shoot() {  # FILE ARGS...
  local file=$1
  shift
  xvfb-run -a -s "-screen 0 1600x1000x24" "$bin" --screenshot "$out/$file" "$@" ${FLOWSEG_REVIEW_ARGS:-}
}
for view in heatmap samples probability trajectory help; do
  shoot "review-$view.png" --demo --workdir "$work/$view" --view "$view"
done
shoot review-lidc.png --demo lidc --workdir "$work/lidc" --view review
# The LIDC nodule sampled whole: sample 1 and the heatmap one slice above and below the key slice.
shoot review-nodule-above.png --demo lidc --workdir "$work/lidc-above" --view nodule-above
shoot review-nodule-below.png --demo lidc --workdir "$work/lidc-below" --view nodule-below
# The report of the LIDC demo, its first two pages at 80 dpi.
"$cli" report --demo --out "$work/report.pdf" >/dev/null
pdftoppm -png -r 80 -f 1 -l 2 "$work/report.pdf" "$work/report"
cp "$work"/report-1.png "$out/report-page-1.png"
cp "$work"/report-2.png "$out/report-page-2.png"
# Fine-tuning: a store of finished multi-reader lesions, the LIDC demo sampled, a short job.
store=$work/finetune/store.flowseg
mkdir -p "$work/finetune"
if [[ -n ${LIDC_CASES:-} ]]; then
  "$cli" import-cases --db "$store" --data "$LIDC_CASES" --split models/lidc-split.tsv --part val \
    --one-slice-per-nodule --dicom-out "$work/finetune/cases" >/dev/null
else
  "$cli" synth --out "$work/finetune/synthetic" --cases 48 --size 128 --raters 4 --seed 3 >/dev/null
  "$cli" import-cases --db "$store" --data "$work/finetune/synthetic" --dicom-out "$work/finetune/cases" >/dev/null
fi
FLOWSEG_SCREENSHOT_STEPS=${FLOWSEG_SCREENSHOT_STEPS:-90} \
  shoot review-finetune.png --demo lidc --store "$store" --workdir "$work/finetune/wd" --view finetune
# The PACS dock after a search, a C-MOVE retrieval and the results sent back (a real
# Orthanc on loopback), the Series dock of a study of three series, and an
# adjudicator's window on a department server as a reader's outline arrives
# live (a throw-away PostgreSQL cluster): the GUI tests drive these states and
# keep them.
for test in test_pacs_dock test_series_picker_window test_department_window; do
  FLOWSEG_SCREENSHOT_DIR=$(realpath "$out") QT_QPA_PLATFORM=offscreen \
    QT_QPA_FONTDIR=/usr/share/fonts/truetype/dejavu "build/bin/$test" >/dev/null
done
ls -l "$out"
