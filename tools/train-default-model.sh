#!/usr/bin/env bash
# Rebuilds models/slice.fsm (models/default.fsm until 2026-12-07), the real-data slice model, the way models/README.md says
# it was made: the real LIDC crops (../shared/data/lidc-crops, extracted into
# WORKDIR/lidc once), the train part of models/lidc-split.tsv only (613 patients,
# 10,876 slices), starting from the synthetic-lesion model models/synthetic.fsm
# (tools/train-synthetic-model.sh), in cycles: each starts from the previous one's
# weights with a fresh optimizer, runs at a constant rate and then cools down
# linearly to zero (batch 16, intensity jitter 0.1, all 8 flips and rotations).
#   tools/train-default-model.sh [WORKDIR (lidc-run)] [CYCLES (4000:3e-4:2800:1,12000:3e-4:8400:2)]
#                                [LIDC_CROPS (../shared/data/lidc-crops)]
# CYCLES is "ITERS:LR:DECAY:SEED,...". Each cycle checkpoints every 500 steps; run the
# script again with the same arguments to resume after an interruption (Ctrl-C saves).
# Then the model is evaluated with the app's default sampler on one slice of every
# validation nodule (250) and of every test nodule (256), by how many readers mark it.
set -euo pipefail
cd "$(dirname "$0")/.."
work="${1:-lidc-run}"
cycles="${2:-4000:3e-4:2800:1,12000:3e-4:8400:2}"
crops="${3:-../shared/data/lidc-crops}"
split=models/lidc-split.tsv
IFS=, read -ra list <<< "$cycles"
for cycle in "${list[@]}"; do  # refuse a malformed list before hours of training, not after
  [[ $cycle =~ ^[0-9]+:[^:]+:-?[0-9]+:[0-9]+$ ]] ||
    { echo "cycle '$cycle' is not ITERS:LR:DECAY:SEED (e.g. 4000:3e-4:2800:1)" >&2; exit 2; }
done
bin=build/bin/flowseg
[[ -x $bin ]] || tools/build.sh flowseg
tools/extract-lidc.sh "$work/lidc" "$crops"
data=$work/lidc
step() {  # the step a checkpoint has reached (flowseg model-info); 0 without one
  [[ -f $1 ]] || { echo 0; return; }
  "$bin" model-info "$1" --json | python3 -c 'import json, sys; print(json.load(sys.stdin)["step"])'
}
start=models/synthetic.fsm
n=0
for cycle in "${list[@]}"; do
  IFS=: read -r iters lr decay seed <<< "$cycle"
  n=$((n + 1))
  out=$work/cycle$n.fsm
  if (( $(step "$out") < iters )); then
    from=(--init "$start")
    [[ -f $out ]] && from=(--resume "$out")
    "$bin" train --data "$data" --split "$split" --part train "${from[@]}" --out "$out" --iters "$iters" \
      --lr "$lr" --lr-decay-start "$decay" --batch 16 --seed "$seed" --intensity-jitter 0.1 \
      --checkpoint-every 500 --log-every 100
    (( $(step "$out") >= iters )) || { echo "cycle $n stopped at step $(step "$out"); run again to continue" >&2; exit 1; }
  fi
  start=$out
done
# Evaluation with the app's default sampler (SamplingOptions::fastDefault).
for part in val test; do
  "$bin" eval --model "$start" --data "$data" --split "$split" --part $part --one-slice-per-nodule \
    --sampling default --json > "$work/eval-$part.json"
done
echo "model: $start (copy it to models/slice.fsm); evaluation: $work/eval-val.json, $work/eval-test.json"
