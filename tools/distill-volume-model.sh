#!/usr/bin/env bash
# Makes the fast sampler (models/README.md "The fast sampler"): the volume
# model's guided paths on the train part of models/lidc-split.tsv cached once
# (midpoint 8, w 0.3, 4,096 paths, states at t = 0, 1/4, 1/2, 3/4, 1), then a
# 2-jump student trained on them (docs/ENGINE.md "Few-step sampling"). Both
# steps resume: run the script again with the same arguments (Ctrl-C keeps the
# complete cache shards and saves the student). Then evaluates whole validation
# nodules at 1, 2 and 4 jumps.
#   tools/distill-volume-model.sh [WORKDIR (distill-run)] [TEACHER (volume-run/volume.fsm)]
#                                 [ITERS (4000)] [LR (2e-4)] [DECAY (2800)] [PATHS (4096)]
#                                 [LIDC_CROPS (../shared/data/lidc-crops)]
# Environment: PRIORS and PRIOR_DROPOUT as the teacher was trained with
# (tools/train-volume-model.sh; either and 0.25 by default), INIT=STUDENT to
# start the student from an earlier one (of the same network) instead of from
# the teacher. The teacher comes from tools/train-volume-model.sh. ~45 min for the cache and
# ~30 min for the student on 2 cores with nothing beside them.
set -euo pipefail
cd "$(dirname "$0")/.."
work="${1:-distill-run}"
teacher="${2:-volume-run/volume.fsm}"
iters="${3:-4000}"
lr="${4:-2e-4}"
decay="${5:-2800}"
paths="${6:-4096}"
crops="${7:-../shared/data/lidc-crops}"
split=models/lidc-split.tsv
bin=build/bin/flowseg
[[ -x $bin ]] || tools/build.sh flowseg
[[ -f $teacher ]] || { echo "no teacher at $teacher: run tools/train-volume-model.sh first" >&2; exit 1; }
tools/extract-lidc.sh "$work/lidc" "$crops"
"$bin" distill --teacher "$teacher" --data "$work/lidc" --split "$split" --part train \
  --cache "$work/cache" --trajectories "$paths" --teacher-solver midpoint --teacher-steps 8 \
  --guidance 0.3 --knots 4 --priors "${PRIORS:-either}" --prior-dropout "${PRIOR_DROPOUT:-0.25}" --cache-only
out=$work/student.fsm
resume=()
[[ -n ${INIT:-} ]] && resume=(--init "$INIT")
[[ -f $out ]] && resume=(--resume "$out")
"$bin" distill --teacher "$teacher" --cache "$work/cache" "${resume[@]}" --out "$out" --jumps 2 \
  --iters "$iters" --batch 16 --lr "$lr" --lr-decay-start "$decay" --fold-share 0.25 --seed 1 \
  --checkpoint-every 250 --log-every 50
for k in 1 2 4; do
  "$bin" eval --volumes --model "$out" --data "$work/lidc" --split "$split" --part val --max-nodules 30 \
    --solver jump --steps "$k" --json > "$work/eval-val30-jump$k.json"
done
echo "student: $out (copy it to models/default.fsm); whole validation nodules: $work/eval-val30-jump*.json"
