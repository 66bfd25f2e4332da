#!/usr/bin/env bash
# Rebuilds models/synthetic.fsm (the synthetic-lesion model the real-data model
# starts from; it was models/default.fsm until the LIDC model) the way
# models/README.md says it was made:
# synthetic training set drawn at 64 x 64 (the 128-pixel field at half
# resolution; 1024 cases, 4 raters, seed 1), the `small` preset, batch 16, seed 1,
# in two cycles, each a constant learning rate and then a linear cool-down to zero:
#   cycle 1: steps 0 .. ITERS1, AdamW 1e-3, cool-down from DECAY1;
#   cycle 2: steps ITERS1 .. ITERS2, resumed (optimizer state kept), 4e-4, cool-down from DECAY2;
# then the 64-pixel model widened to 128 x 128 (patch 2, docs/ENGINE.md "Widening a
# network") and fine-tuned on the same 1024 cases drawn at 128, in the cycles CYCLES128
# ("ITERS:LR:DECAY[:CASES],..."; the first starts from the widened network with a fresh
# optimizer, each later one resumes the last; every cycle is a constant rate LR and a
# linear cool-down to zero from step DECAY to step ITERS; with CASES it trains on that
# many 128-pixel cases of the same seed drawn in memory — the first 1024 are the
# training set's — instead of the 1024) into WORKDIR/model128.fsm;
# then `flowseg eval` on a synthetic set of another seed with 8 raters per case
# (64 cases, at 128 x 128 for the 128-pixel model, at 64 x 64 when CYCLES128 is 0).
#   tools/train-synthetic-model.sh [ITERS1 (14700)] [WORKDIR (model-run)] [DECAY1 (10700)]
#                                [ITERS2 (22700)] [DECAY2 (16700)]
#                                [CYCLES128 (6000:3e-4:3000,8500:1e-4:6000,17500:3e-4:11000,28500:3e-4:22000:8192,41000:3e-4:33500:16384)]
# CYCLES128 = 0 stops at the 64-pixel model (`tools/train-synthetic-model.sh 14700 model-run
# 10700 22700 16700 0`: the model shipped before the 128-pixel one). ITERS2 at or below
# ITERS1 skips cycle 2 (`14700 model-run 10700 0 0 0`: the one before that; `7514
# model-run 7514 0 0 0`, constant rate, the first one).
# The run checkpoints every 250 steps; run it again with the same arguments and
# WORKDIR to resume after an interruption (Ctrl-C saves too). Training is seeded
# per step, so the same arguments give the same weights on the same LibTorch build.
set -euo pipefail
cd "$(dirname "$0")/.."
iters1="${1:-14700}"
work="${2:-model-run}"
decay1="${3:-10700}"
iters2="${4:-22700}"
decay2="${5:-16700}"
cycles128="${6-6000:3e-4:3000,8500:1e-4:6000,17500:3e-4:11000,28500:3e-4:22000:8192,41000:3e-4:33500:16384}"
(( decay1 < iters1 )) || decay1=-1   # a shorter first cycle (e.g. 7514) is all constant
cycles=()
[[ $cycles128 == 0 ]] || IFS=, read -ra cycles <<< "$cycles128"
for cycle in "${cycles[@]}"; do  # refuse a malformed list before hours of training, not after
  [[ $cycle =~ ^[0-9]+:[^:]+:-?[0-9]+(:[0-9]+)?$ ]] ||
    { echo "128-pixel cycle '$cycle' is not ITERS:LR:DECAY[:CASES] (e.g. 6000:3e-4:3000)" >&2; exit 2; }
done
bin=build/bin/flowseg
[[ -x $bin ]] || tools/build.sh flowseg
mkdir -p "$work"
step() {  # the step a checkpoint in WORKDIR has reached (flowseg model-info); 0 without one
  local file="$work/$1"
  [[ -f $file ]] || { echo 0; return; }
  "$bin" model-info "$file" --json | python3 -c 'import json, sys; print(json.load(sys.stdin)["step"])'
}
train() {  # LABEL CHECKPOINT DATA ITERS LR DECAY_START [ARGS FOR A FRESH START...]
  # Trains CHECKPOINT to step ITERS unless it is there; resumes it when it exists.
  # DATA is a folder in WORKDIR, or a number: that many 128-pixel cases drawn in memory.
  local label=$1 file=$2 data=$3 iters=$4 lr=$5 decay=$6
  shift 6
  (( $(step "$file") < iters )) || return 0
  local start=("$@")
  [[ -f $work/$file ]] && start=(--resume "$work/$file")
  local source=(--data "$work/$data")
  [[ $data =~ ^[0-9]+$ ]] &&
    source=(--synthetic "$data" --synthetic-size 128 --synthetic-raters 4 --synthetic-seed 1)
  "$bin" train "${source[@]}" --out "$work/$file" --iters "$iters" --batch 16 \
    --lr "$lr" --lr-decay-start "$decay" --seed 1 --checkpoint-every 250 --log-every 50 "${start[@]}"
  (( $(step "$file") >= iters )) || { echo "$label stopped at step $(step "$file"); run again to continue" >&2; exit 1; }
}
[[ -d $work/train64 ]] || "$bin" synth --out "$work/train64" --cases 1024 --size 64 --raters 4 --seed 1
if (( $(step model128.fsm) == 0 )); then  # the 64-pixel cycles are done once the 128-pixel stage has begun
  train "cycle 1" model.fsm train64 "$iters1" 1e-3 "$decay1" --preset small
  (( iters2 <= iters1 )) || train "cycle 2" model.fsm train64 "$iters2" 4e-4 "$decay2" --preset small
fi
model=model.fsm eval=eval64 size=64
if (( ${#cycles[@]} > 0 )); then
  [[ -d $work/train128 ]] || "$bin" synth --out "$work/train128" --cases 1024 --size 128 --raters 4 --seed 1
  for cycle in "${cycles[@]}"; do
    IFS=: read -r iters lr decay cases <<< "$cycle"
    train "128-pixel cycle $cycle" model128.fsm "${cases:-train128}" "$iters" "$lr" "$decay" --init "$work/model.fsm"
  done
  model=model128.fsm eval=eval128 size=128
fi
# Evaluation with the app's default sampler (SamplingOptions::fastDefault).
[[ -d $work/$eval ]] || "$bin" synth --out "$work/$eval" --cases 64 --size "$size" --raters 8 --seed 2
"$bin" eval --model "$work/$model" --data "$work/$eval" --sampling default | tee "$work/eval.txt"
echo "model: $work/$model (copy it to models/synthetic.fsm); evaluation: $work/eval.txt"
