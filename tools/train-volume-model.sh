#!/usr/bin/env bash
# Trains the volume model (models/README.md "The volume model"): the real LIDC
# crops (../shared/data/lidc-crops, extracted into WORKDIR/lidc once), the train
# part of models/lidc-split.tsv, whole nodules (flowseg train --volumes), started
# from the slice model models/slice.fsm widened to the volume input (its new
# channels start at zero weight), one cycle at a constant rate then a linear
# cool-down to zero (batch 16, intensity jitter 0.1, all 8 flips and rotations).
#   tools/train-volume-model.sh [WORKDIR (volume-run)] [ITERS (8000)] [LR (3e-4)] [DECAY (5600)] [SEED (1)]
#                               [LIDC_CROPS (../shared/data/lidc-crops)]
# Checkpoints every 250 steps; run it again with the same arguments to resume
# (Ctrl-C or SIGTERM saves). Then evaluates whole validation nodules.
# Environment: PRIORS=either|inward (which neighbour a prior mask comes from,
# docs/ENGINE.md; the shipped volume model: either), PRIOR_DROPOUT (0.25),
# INIT (the checkpoint a new run starts from: models/slice.fsm).
set -euo pipefail
cd "$(dirname "$0")/.."
work="${1:-volume-run}"
iters="${2:-8000}"
lr="${3:-3e-4}"
decay="${4:-5600}"
seed="${5:-1}"
crops="${6:-../shared/data/lidc-crops}"
split=models/lidc-split.tsv
bin=build/bin/flowseg
[[ -x $bin ]] || tools/build.sh flowseg
tools/extract-lidc.sh "$work/lidc" "$crops"
out=$work/volume.fsm
from=(--init "${INIT:-models/slice.fsm}")
[[ -f $out ]] && from=(--resume "$out")
"$bin" train --volumes --data "$work/lidc" --split "$split" --part train "${from[@]}" --out "$out" --iters "$iters" \
  --lr "$lr" --lr-decay-start "$decay" --batch 16 --seed "$seed" --intensity-jitter 0.1 \
  --checkpoint-every 250 --log-every 50 --priors "${PRIORS:-either}" --prior-dropout "${PRIOR_DROPOUT:-0.25}"
"$bin" eval --volumes --model "$out" --data "$work/lidc" --split "$split" --part val --sampling default \
  --json > "$work/eval-val-volumes.json"
echo "model: $out; whole validation nodules: $work/eval-val-volumes.json"
