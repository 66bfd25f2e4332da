#!/usr/bin/env bash
# Fine-tuning as a department would use it (issue 20): a "site" whose readers
# outline systematically wider (every LIDC reader mask of the validation patients
# grown by 2 px) fine-tunes the shipped model on its own lesions through the store
# (flowseg import-cases + flowseg finetune: the same job as the window's), and the
# result is measured on the site's unseen patients — with the site's readers and
# with the original ones.
#
#   tools/site-experiment.sh LIDC_CASES_DIR WORK_DIR [MODEL] [STEPS (900)] [LR (1e-3)]
#
# LIDC_CASES_DIR: the extracted ../shared/data/lidc-crops shards (13,718 folders).
set -euo pipefail
data=${1:?LIDC case folder}
work=${2:?work folder}
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${FLOWSEG_BIN:-$root/build/bin/flowseg}
model=${3:-$root/models/default.fsm}
steps=${4:-900}
lr=${5:-1e-3}
split=$root/models/lidc-split.tsv
grow=2
mkdir -p "$work"
store=$work/site.flowseg
if [[ ! -f $work/imported ]]; then
  rm -rf "$store" "$store".* "$work/cases"
  # One slice of each validation nodule (250 lesions of 77 patients), readers grown.
  "$bin" import-cases --db "$store" --data "$data" --split "$split" --part val --one-slice-per-nodule \
    --grow-masks $grow --dicom-out "$work/cases" --json > "$work/import.json"
  touch "$work/imported"
fi
if [[ ! -s $work/finetune.json ]]; then
  "$bin" finetune --db "$store" --model "$model" --steps "$steps" --lr "$lr" --evaluate-every $((steps / 3)) --json \
    > "$work/finetune.json.part" 2> "$work/finetune.log"
  mv "$work/finetune.json.part" "$work/finetune.json"
fi
cat "$work/finetune.json"
# The patients the job held out (its JSON names them), as a split file, to evaluate on them alone.
python3 - "$work/finetune.json" "$split" "$work/site-split.tsv" <<'PY'
import json, sys
result, split, out = sys.argv[1:]
held = set(json.load(open(result))["validation_patients"])
with open(split) as f, open(out, "w") as o:
    for line in f:
        if not line.strip() or line.startswith("#"): continue
        patient = line.split("\t")[0]
        o.write(f"{patient}\t{'siteval' if patient in held else 'other'}\n")
PY
child=$(python3 -c "import json,sys; print(json.load(open('$work/finetune.json'))['checkpoint'])")
for who in parent child; do
  m=$model; [[ $who == child ]] && m=$child
  for g in $grow 0; do
    # An evaluation already written for this run is kept (the script resumes).
    [[ -s $work/eval-$who-grow$g.json ]] && continue
    "$bin" eval --model "$m" --data "$data" --split "$work/site-split.tsv" --part siteval --one-slice-per-nodule \
      --grow-masks $g --sampling default --json > "$work/eval-$who-grow$g.json"
  done
done
python3 - "$work" $grow <<'PY'
import json, sys
work, grow = sys.argv[1], sys.argv[2]
for g in (grow, "0"):
    for who in ("parent", "child"):
        run = json.load(open(f"{work}/eval-{who}-grow{g}.json"))
        m = run["mean"]
        print(f"readers grown {g} px  {who:6s}  GED {m['ged']:.4f}  sample area {m['sample_area']:.1f}  "
              f"readers' area {m['expert_area']:.1f}  HM-IoU {m['hm_iou']:.3f}  cases {len(run['cases'])}")
PY
# The margin for the original readers: what a model drawing exactly as the site's
# readers do would score against them on the same lesions (flowseg eval --grow-masks
# reports the grown readers' GED against the originals).
python3 - "$work/eval-parent-grow$grow.json" $grow <<'PY'
import json, sys
run = json.load(open(sys.argv[1]))
print(f"margin: the site's readers (grown {sys.argv[2]} px) against the original readers, GED "
      f"{run['mean']['grown_readers_ged']:.4f} over {len(run['cases'])} cases")
PY
