#!/usr/bin/env bash
# Rebuilds models/default.fsm the way models/README.md says it was made:
# synthetic training set drawn at 64 x 64 (the 128-pixel field at half
# resolution; 1024 cases, 4 raters, seed 1), the `small` preset, batch 16,
# AdamW 1e-3, constant up to step DECAY_START and then falling linearly to zero
# at ITERS (cool-down), seed 1, then `flowseg eval` on a synthetic set of
# another seed with 8 raters per case.
#   tools/train-default-model.sh [ITERS (14700)] [WORKDIR (model-run)] [DECAY_START (10700)]
# The run checkpoints every 250 steps; run it again with the same WORKDIR to
# resume after an interruption (Ctrl-C saves too). Training is seeded per step,
# so the same ITERS gives the same weights on the same LibTorch build.
set -euo pipefail
cd "$(dirname "$0")/.."
iters="${1:-14700}"        # the shipped model's step count
work="${2:-model-run}"
decay="${3:-10700}"        # its cool-down start (-1: constant rate throughout)
(( decay < iters )) || decay=-1   # a shorter run (e.g. 7514, the first shipped model) is all constant
bin=build/bin/flowseg
[[ -x $bin ]] || tools/build.sh flowseg
mkdir -p "$work"
[[ -d $work/train64 ]] || "$bin" synth --out "$work/train64" --cases 1024 --size 64 --raters 4 --seed 1
[[ -d $work/test64 ]] || "$bin" synth --out "$work/test64" --cases 16 --size 64 --raters 8 --seed 2
resume=()
[[ -f $work/model.fsm ]] && resume=(--resume "$work/model.fsm")
"$bin" train --data "$work/train64" --out "$work/model.fsm" --preset small --iters "$iters" --batch 16 \
  --lr 1e-3 --lr-decay-start "$decay" --seed 1 --checkpoint-every 250 --log-every 50 "${resume[@]}"
"$bin" eval --model "$work/model.fsm" --data "$work/test64" --solver midpoint --steps 4 | tee "$work/eval.txt"  # the app's default (SamplingOptions::fastDefault)
echo "model: $work/model.fsm (copy it to models/default.fsm); evaluation: $work/eval.txt"
